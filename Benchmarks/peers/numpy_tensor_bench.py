#!/usr/bin/env python3
"""NumPy side of TensorBench: the same operations on the same sizes, best-of-N
wall time in seconds, printed as JSON {op: seconds}. Run by TensorBench itself
(an optional argument keeps only the rows whose name contains it)."""
import json
import sys
import time

import numpy as np


def best(f, reps):
    f()
    t = float("inf")
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - s)
    return t


rng = np.random.default_rng(0)
a1, b1 = rng.standard_normal((16, 1000)), rng.standard_normal((1000, 100))
a2, b2 = rng.standard_normal((1000, 1000)), rng.standard_normal((1000, 1000))
m = rng.standard_normal((500, 500))
spd = m @ m.T + 500 * np.eye(500)
rhs = rng.standard_normal((500, 1))
x = rng.uniform(-3, 3, 1_000_000)
xf = x.astype(np.float32)
xp = rng.uniform(0.01, 10, 1_000_000)  # log's argument: positive
xpf = xp.astype(np.float32)
row = rng.standard_normal(1000)
rows = {
    "matmul 16x1000 * 1000x100": lambda: best(lambda: a1 @ b1, 200),
    "matmul 1000x1000 * 1000x1000": lambda: best(lambda: a2 @ b2, 10),
    "solve n=500": lambda: best(lambda: np.linalg.solve(spd, rhs), 30),
    "cholesky n=500": lambda: best(lambda: np.linalg.cholesky(spd), 30),
    "inverse n=500": lambda: best(lambda: np.linalg.inv(m), 30),
    "exp 1e6": lambda: best(lambda: np.exp(x), 50),
    "log 1e6": lambda: best(lambda: np.log(xp), 50),
    "sin 1e6": lambda: best(lambda: np.sin(x), 50),
    "tanh 1e6": lambda: best(lambda: np.tanh(x), 50),
    "a + b 1e6": lambda: best(lambda: x + x, 50),
    "a * 2 1e6": lambda: best(lambda: x * 2, 50),
    "[1000,1000] + [1000]": lambda: best(lambda: a2 + row, 50),
    "sum 1e6": lambda: best(lambda: x.sum(), 50),
    "exp 1e6 Float": lambda: best(lambda: np.exp(xf), 50),
    "log 1e6 Float": lambda: best(lambda: np.log(xpf), 50),
    "sin 1e6 Float": lambda: best(lambda: np.sin(xf), 50),
    "tanh 1e6 Float": lambda: best(lambda: np.tanh(xf), 50),
}
keep = sys.argv[1] if len(sys.argv) > 1 else ""
print(json.dumps({name: time_it() for name, time_it in rows.items() if keep in name}))
