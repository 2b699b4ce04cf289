#!/usr/bin/env python3
"""PyTorch side of AutogradBench: the same training steps on the same inputs, median wall
time per step in seconds after warm-up, printed as JSON {case: seconds} (plus "torch" and
"threads"). Run by AutogradBench itself with Benchmarks/.venv/bin/python (created by
Benchmarks/peers/setup_venv.sh). Usage: torch_autograd_bench.py [--threads N]
With --optimizer-fixtures it prints the optimizer test fixture instead (see OPTIMIZER_DOC).

Cases (float64 like the Swift side unless noted):
- "tiny-mlp SGD step": ../shared/bench/SUITE.md tiny-mlp: h = relu(X @ W1 + b1),
  pred = h @ W2 + b2, loss = sum((Y - pred)^2), backward, torch.optim.SGD(lr=1e-3).step(),
  zero_grad(). Inputs of the reference (W1[i][j] = 0.01 cos(i*100+j), ...).
- "two-layer 500 iterations (float32)": seed 004, x 32x1000, y 32x2, w1 1000x100, w2 100x2,
  normal random; 500 x (relu(x.mm(w1)).mm(w2), (y_pred - y).pow(2).sum(), backward,
  no_grad w -= 1e-6 * w.grad, w.grad.zero_()).
"""
import json
import math
import statistics
import sys
import time

import torch


def median_time(f, samples=15, min_batch=0.01, warmup=3):
    for _ in range(warmup):
        f()
    batch = 1
    while True:
        s = time.perf_counter()
        for _ in range(batch):
            f()
        if time.perf_counter() - s >= min_batch or batch >= 1 << 20:
            break
        batch *= 2
    times = []
    for _ in range(samples):
        s = time.perf_counter()
        for _ in range(batch):
            f()
        times.append((time.perf_counter() - s) / batch)
    return statistics.median(times)


def tiny_mlp():
    d = torch.float64
    i = torch.arange(1000, dtype=d)[:, None]
    j = torch.arange(100, dtype=d)[None, :]
    w1 = (0.01 * torch.cos(i * 100 + j)).requires_grad_()
    b1 = torch.zeros(100, dtype=d, requires_grad=True)
    i2 = torch.arange(100, dtype=d)[:, None]
    j2 = torch.arange(10, dtype=d)[None, :]
    w2 = (0.1 * torch.cos(i2 * 10 + j2 + 7)).requires_grad_()
    b2 = torch.zeros(10, dtype=d, requires_grad=True)
    x = torch.cos(torch.arange(16, dtype=d)[:, None] * 1000 + torch.arange(1000, dtype=d)[None, :])
    y = torch.sin(torch.arange(16, dtype=d)[:, None] * 10 + torch.arange(10, dtype=d)[None, :])
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=1e-3)

    def step():
        h = torch.relu(x @ w1 + b1)
        pred = h @ w2 + b2
        loss = (y - pred).pow(2).sum()
        loss.backward()
        opt.step()
        opt.zero_grad()
    return step


def two_layer():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 1000, generator=g)
    y = torch.randn(32, 2, generator=g)
    w1 = torch.randn(1000, 100, generator=g, requires_grad=True)
    w2 = torch.randn(100, 2, generator=g, requires_grad=True)
    start = (w1.detach().clone(), w2.detach().clone())

    def run():
        with torch.no_grad():
            w1.copy_(start[0])
            w2.copy_(start[1])
        for _ in range(500):
            y_pred = torch.relu(x.mm(w1)).mm(w2)
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                w1.sub_(1e-6 * w1.grad)  # the tutorial's `w1 -= 1e-6 * w1.grad`
                w2.sub_(1e-6 * w2.grad)
                w1.grad.zero_()
                w2.grad.zero_()
    return run


# MARK: optimizer fixtures
OPTIMIZER_DOC = """--optimizer-fixtures prints Tests/AutodiffTests/NN/OptimizerFixtures.swift, the oracle of
NNOptimizerTests: parameter trajectories of torch.optim optimizers on a fixed problem.
    Benchmarks/.venv/bin/python Benchmarks/peers/torch_autograd_bench.py --optimizer-fixtures \\
        > Tests/AutodiffTests/NN/OptimizerFixtures.swift
Problem: p0 = [0.5, -1.2, 2.0, 0.0, -0.3] (float64), loss(p) = sum(c * p^4) / 4 + sum(b * p),
c = [1, 0.5, 0.25, 2, 1], b = [0.1, -0.2, 0.3, 0.4, -0.5]; STEPS steps of
zero_grad, loss.backward, step; p recorded after each step."""

STEPS = 5
P0 = [0.5, -1.2, 2.0, 0.0, -0.3]
C = [1.0, 0.5, 0.25, 2.0, 1.0]
B = [0.1, -0.2, 0.3, 0.4, -0.5]

CASES = [
    # (name, torch constructor, Swift constructor)
    ("SGD", lambda p: torch.optim.SGD(p, lr=0.1), "SGD($0, learningRate: 0.1)"),
    ("SGD momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), "SGD($0, learningRate: 0.1, momentum: 0.9)"),
    ("SGD momentum dampening weight decay",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
     "SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)"),
    ("SGD Nesterov weight decay",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     "SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)"),
    ("Adam", lambda p: torch.optim.Adam(p, lr=0.1), "Adam($0, learningRate: 0.1)"),
    ("Adam weight decay AMSGrad", lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
     "Adam($0, learningRate: 0.1, beta1: 0.8, beta2: 0.99, weightDecay: 0.1, amsgrad: true)"),
    ("AdamW", lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1), "AdamW($0, learningRate: 0.1, weightDecay: 0.1)"),
    ("AdamW AMSGrad", lambda p: torch.optim.AdamW(p, lr=0.1, amsgrad=True), "AdamW($0, learningRate: 0.1, amsgrad: true)"),
    ("RMSProp", lambda p: torch.optim.RMSprop(p, lr=0.01), "RMSProp($0, learningRate: 0.01)"),
    ("RMSProp centered momentum weight decay",
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1),
     "RMSProp($0, learningRate: 0.01, alpha: 0.9, weightDecay: 0.1, momentum: 0.9, centered: true)"),
    ("AdaGrad", lambda p: torch.optim.Adagrad(p, lr=0.1), "AdaGrad($0, learningRate: 0.1)"),
    ("AdaGrad decay weight decay initial",
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
     "AdaGrad($0, learningRate: 0.1, learningRateDecay: 0.01, weightDecay: 0.1, initialAccumulatorValue: 0.1)"),
]


def trajectory(make):
    p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(C, dtype=torch.float64)
    b = torch.tensor(B, dtype=torch.float64)
    opt = make([p])
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (c * p ** 4).sum() / 4 + (b * p).sum()
        loss.backward()
        opt.step()
        out.append(p.detach().tolist())
    return out



def print_optimizer_fixtures():
    """Writes Tests/AutodiffTests/NN/OptimizerFixtures.swift to stdout (see OPTIMIZER_DOC)."""
    print(f"// Generated by Benchmarks/peers/torch_autograd_bench.py --optimizer-fixtures with PyTorch {torch.__version__}; do not edit.")
    print("@testable import Autodiff\n")
    print("/// One optimizer configuration and the parameter after each of its steps, from PyTorch.")
    print("struct OptimizerFixture: Sendable, CustomStringConvertible {")
    print("    let name: String")
    print("    let make: @Sendable ([Parameter<Double>]) -> any Optimizer<Double>")
    print("    let trajectory: [[Double]]")
    print("    var description: String { name }")
    print("}\n")
    print(f"let optimizerP0: [Double] = {P0}")
    print(f"let optimizerC: [Double] = {C}")
    print(f"let optimizerB: [Double] = {B}\n")
    print("let optimizerFixtures: [OptimizerFixture] = [")
    for name, make, swift in CASES:
        rows = ",\n            ".join("[" + ", ".join(repr(x) for x in row) + "]" for row in trajectory(make))
        print(f'    OptimizerFixture(name: "{name}", make: {{ {swift} }}, trajectory: [\n            {rows}]),')
    print("]")


if __name__ == "__main__":
    if "--optimizer-fixtures" in sys.argv:
        print_optimizer_fixtures()
        sys.exit(0)
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    result = {
        "tiny-mlp SGD step": median_time(tiny_mlp()),
        "two-layer 500 iterations (float32)": median_time(two_layer(), samples=5, warmup=1),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }
    print(json.dumps(result))
