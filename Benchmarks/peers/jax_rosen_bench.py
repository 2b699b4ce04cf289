"""rosen-grad with JAX jit for AutogradBench --rosen (the fused elementwise map cases).

Prints JSON: {"jax": version, "n=1000": seconds, "n=100000": seconds, ...}, the median
wall time of one jitted value-and-gradient call (block_until_ready), on the same input as
Benchmarks/peers/peers.py (0.9 cos(i)). XLA is limited to one thread unless --threads 0.
Run with the JAX venv: /work/jaxvenv/bin/python jax_rosen_bench.py
"""
import json
import os
import sys
import time

threads = 1
if "--threads" in sys.argv:
    threads = int(sys.argv[sys.argv.index("--threads") + 1])
if threads == 1:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()

import numpy as np  # noqa: E402
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp  # noqa: E402


def rosen(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def median_time(f, min_batch=0.01, samples=15):
    for _ in range(3):
        f()
    batch = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(batch):
            f()
        if time.perf_counter() - t0 >= min_batch or batch >= 1 << 20:
            break
        batch *= 2
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(batch):
            f()
        times.append((time.perf_counter() - t0) / batch)
    times.sort()
    return times[len(times) // 2]


out = {"jax": jax.__version__, "threads": threads}
vg = jax.jit(jax.value_and_grad(rosen))
for n in (1000, 100000):
    x = jnp.asarray(0.9 * np.cos(np.arange(n, dtype=np.float64)))
    out["n=%d" % n] = median_time(lambda: jax.block_until_ready(vg(x)))
print(json.dumps(out))
