#!/usr/bin/env python3
"""JAX side of TaylorBench (issue 13): the 8th derivative of a scalar function along x by
`jax.experimental.jet` under jit, float64, at the same 100 points in [-2, 2] as TaylorBench,
median time per point after warm-up (compilation excluded, reported apart).

Two ways a JAX user would run it: one jitted call per point (what TaylorBench's per-point
time compares with), and one jitted call on all 100 points at once (vectorised by jnp),
divided by 100. Prints JSON {case: {"per_point": s, "batched_per_point": s, "compile": s,
"value_at_0.5": v}}.

Usage: /work/jaxvenv/bin/python Benchmarks/peers/jax_jet_bench.py [--workload]   (any venv with jax)
"""
import json
import statistics
import time

import jax
import jax.numpy as jnp
from jax.experimental import jet

jax.config.update("jax_enable_x64", True)


def exp_sin(x):
    return jnp.exp(jnp.sin(x))


def workload(x):
    acc = 0.0
    t = x
    for k in range(1, 21):
        t = jnp.sin(t) * x + jnp.exp(-t * t) + k / (1 + t * t)
        acc = acc + t
    return acc


def eighth(f):
    def d8(x):
        # The input's series in jet's derivative convention: x(t) = x + t, so the first
        # derivative is 1 and the higher ones 0; the 8th output term is f^(8)(x).
        _, series = jet.jet(f, (x,), ((jnp.ones_like(x),) + (jnp.zeros_like(x),) * 7,))
        return series[7]
    return jax.jit(d8)


def median_time(call, reps=31, inner=20):
    call()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(inner):
            call()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


points = [-2 + 4 * i / 99 for i in range(100)]
out = {}
import sys
cases = [("exp(sin x)", exp_sin)]
if "--workload" in sys.argv:
    # XLA compiled jet of the 20-step loop for over 20 CPU-minutes on the 2-core machine without
    # finishing (2026-12-02), so it runs only when asked.
    cases.append(("20-step loop of sin, exp, division", workload))
for name, f in cases:
    d8 = eighth(f)
    start = time.perf_counter()
    d8(jnp.float64(0.5)).block_until_ready()
    compile_time = time.perf_counter() - start
    xs = [jnp.float64(p) for p in points]

    def per_point():
        for x in xs:
            d8(x).block_until_ready()

    batch = jnp.array(points, dtype=jnp.float64)
    d8(batch).block_until_ready()
    out[name] = {
        "per_point": median_time(per_point, reps=11, inner=1) / len(points),
        "batched_per_point": median_time(lambda: d8(batch).block_until_ready()) / len(points),
        "compile": compile_time,
        "value_at_0.5": float(d8(jnp.float64(0.5))),
        "jax": jax.__version__,
    }
print(json.dumps(out, indent=1))
