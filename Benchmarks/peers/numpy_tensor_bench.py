#!/usr/bin/env python3
"""NumPy side of TensorBench: the same operations on the same sizes, best-of-N
wall time in seconds, printed as JSON {op: seconds}. Run by TensorBench itself."""
import json
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
row = rng.standard_normal(1000)
print(json.dumps({
    "matmul 16x1000 * 1000x100": best(lambda: a1 @ b1, 200),
    "matmul 1000x1000 * 1000x1000": best(lambda: a2 @ b2, 10),
    "solve n=500": best(lambda: np.linalg.solve(spd, rhs), 30),
    "cholesky n=500": best(lambda: np.linalg.cholesky(spd), 30),
    "inverse n=500": best(lambda: np.linalg.inv(m), 30),
    "exp 1e6": best(lambda: np.exp(x), 50),
    "sin 1e6": best(lambda: np.sin(x), 50),
    "a + b 1e6": best(lambda: x + x, 50),
    "a * 2 1e6": best(lambda: x * 2, 50),
    "[1000,1000] + [1000]": best(lambda: a2 + row, 50),
    "sum 1e6": best(lambda: x.sum(), 50),
    "exp 1e6 Float": best(lambda: np.exp(xf), 50),
}))
