#!/usr/bin/env python3
"""Peer implementations of the benchmark suite (shared/bench/SUITE.md) in JAX and PyTorch.

Every problem is written once per engine, vectorised the way a user of that engine would
write it, and timed the way SUITE.md asks: median of repeated calls after warm-up, inputs
already in memory, float64. JAX runs under jit with x64 enabled; its compilation (first call)
is reported apart and excluded from the median. PyTorch runs eagerly (torch.func for
Jacobians/Hessians, autograd for gradients).

Each row also times the objective alone (the same engine, same style), and checks the
derivative against the reference JSON in shared/bench/reference (max elementwise relative
difference, with entries below 1e-12 of the largest magnitude compared at that scale).

ADOL-C (C++, taped, dense drivers) is a separate peer: `bash Benchmarks/peers/adolc.sh` builds and runs adolc_bench.cpp.
Taylor mode against `jax.experimental.jet`: `Benchmarks/peers/jax_jet_bench.py` (TaylorBench's problem).

Usage (from the repository root, after `bash Benchmarks/peers/setup_venv.sh`):
    Benchmarks/.venv/bin/python Benchmarks/peers/peers.py [--quick] [--problems a,b]
        [--engines jax,torch] [--json out.json]
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

TOLERANCE = 1e-9


# ----------------------------------------------------------------------------- shared data

def shared_dir():
    env = os.environ.get("AUTODIFF_SHARED")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "..", "..", "shared"), os.path.join(os.getcwd(), "..", "shared")):
        if os.path.exists(os.path.join(candidate, "bench", "SUITE.md")):
            return os.path.normpath(candidate)
    sys.exit("peers.py: cannot find the shared/ folder; set AUTODIFF_SHARED")


SHARED = shared_dir()


def adbench(name):
    return os.path.join(SHARED, "data", "adbench", name)


def reference(problem, case):
    with open(os.path.join(SHARED, "bench", "reference", problem + ".json")) as f:
        return json.load(f)["cases"][case]


def tokens(path, colon=False):
    with open(path) as f:
        text = f.read()
    if colon:
        text = text.replace(":", " ")
    return text.split()


def load_gmm(name):
    t = tokens(adbench(name))
    d, k, n = int(t[0]), int(t[1]), int(t[2])
    v = np.array(t[3:], dtype=object)
    pos = 0

    def take(count):
        nonlocal pos
        out = np.array([float(x) for x in v[pos:pos + count]])
        pos += count
        return out
    alphas = take(k)
    means = take(k * d).reshape(k, d)
    icf = take(k * d * (d + 1) // 2).reshape(k, d * (d + 1) // 2)
    x = take(n * d).reshape(n, d)
    gamma, m = float(v[pos]), int(v[pos + 1])
    return dict(d=d, k=k, n=n, alphas=alphas, means=means, icf=icf, x=x, gamma=gamma, m=m)


def load_lstm(name):
    t = tokens(adbench(name))
    l, c, b = int(t[0]), int(t[1]), int(t[2])
    v = np.array([float(x) for x in t[3:]])
    main = v[:8 * l * b].reshape(2 * l, 4 * b)
    extra = v[8 * l * b:8 * l * b + 3 * b].reshape(3, b)
    state = v[8 * l * b + 3 * b:8 * l * b + 3 * b + 2 * l * b].reshape(2 * l, b)
    seq = v[8 * l * b + 3 * b + 2 * l * b:].reshape(c, b)
    return dict(l=l, c=c, b=b, main=main, extra=extra, state=state, seq=seq)


def load_ba(name):
    t = tokens(adbench(name))
    n, m, p = int(t[0]), int(t[1]), int(t[2])
    v = [float(x) for x in t[3:]]
    cam, point, w, feat = np.array(v[0:11]), np.array(v[11:14]), v[14], np.array(v[15:17])
    obs = np.stack([np.arange(p) % n, np.arange(p) % m], axis=1)
    return dict(n=n, m=m, p=p, cams=np.tile(cam, (n, 1)), X=np.tile(point, (m, 1)),
                w=np.full(p, w), feats=np.tile(feat, (p, 1)), obs=obs)


def load_hand(name):
    bones = tokens(adbench("bones.txt"), colon=True)
    parents, base_rel, inv_base_abs = [], [], []
    i = 0
    while i < len(bones):
        parents.append(int(bones[i + 1]))
        base_rel.append(np.array([float(x) for x in bones[i + 2:i + 18]]).reshape(4, 4))
        inv_base_abs.append(np.array([float(x) for x in bones[i + 18:i + 34]]).reshape(4, 4))
        i += 34
    nb = len(parents)
    with open(adbench("vertices.txt")) as f:
        lines = [ln.strip().split(":") for ln in f if ln.strip()]
    positions = np.array([[float(x) for x in ln[0:3]] for ln in lines])
    weights = np.zeros((nb, len(lines)))
    for v, ln in enumerate(lines):
        count = int(ln[8])
        for j in range(count):
            weights[int(ln[9 + 2 * j]), v] = float(ln[10 + 2 * j])
    t = tokens(adbench(name))
    npts, nth = int(t[0]), int(t[1])
    rows = np.array([float(x) for x in t[2:2 + 4 * npts]]).reshape(npts, 4)
    corr = rows[:, 0].astype(int)
    theta = np.array([float(x) for x in t[2 + 4 * npts:2 + 4 * npts + nth]])
    # Euler-angle index map: angles[b, (x, y, z)] = theta_ext[idx[b, .]], theta_ext[26] = 0.
    idx = np.full((nb, 3), nth, dtype=int)
    for f in range(5):
        idx[2 + 4 * f, 0], idx[2 + 4 * f, 2] = 6 + 4 * f, 7 + 4 * f
        idx[3 + 4 * f, 0] = 8 + 4 * f
        idx[4 + 4 * f, 0] = 9 + 4 * f
    homog = np.concatenate([positions[corr], np.ones((npts, 1))], axis=1)
    return dict(parents=parents, base_rel=np.stack(base_rel), inv_base_abs=np.stack(inv_base_abs),
                homog=homog, weights=weights[:, corr], points=rows[:, 1:], theta=theta, idx=idx)


def det_input(n):
    return 0.9 * np.cos(np.arange(n, dtype=np.float64))


def gmm_constant(g):
    d, k, n, m, gamma = g["d"], g["k"], g["n"], g["m"], g["gamma"]
    nprime = d + m + 1
    lmg = 0.25 * d * (d - 1) * math.log(math.pi) + sum(math.lgamma(0.5 * nprime + (1 - j) / 2) for j in range(1, d + 1))
    c = nprime * d * (math.log(gamma) - 0.5 * math.log(2)) - lmg
    return -(n * d / 2) * math.log(2 * math.pi) - k * c


def gmm_lower_indices(d):
    """Row/column indices of the strictly-lower entries of Q, filled column by column."""
    rows, cols = [], []
    for col in range(d):
        for row in range(col + 1, d):
            rows.append(row)
            cols.append(col)
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


# ----------------------------------------------------------------------------- comparison

def max_rel_diff(actual, expected, floor=1e-12):
    a = np.asarray(actual, dtype=np.float64).ravel()
    b = np.asarray(expected, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return math.inf
    if np.isnan(a).any():
        return math.inf
    scale = np.max(np.abs(b)) if b.size else 0.0
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), scale * floor)
    diff = np.abs(a - b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(diff == 0, 0.0, diff / den)
    return float(np.max(rel)) if rel.size else 0.0


# ----------------------------------------------------------------------------- timing

class Timer:
    def __init__(self, quick):
        self.budget = 0.3 if quick else 2.0
        self.max_reps = 15 if quick else 100
        self.warmup = 1 if quick else 3

    def median(self, fn, sync):
        for _ in range(self.warmup):
            sync(fn())
        times = []
        start = time.perf_counter()
        while len(times) < 3 or (len(times) < self.max_reps and time.perf_counter() - start < self.budget):
            t0 = time.perf_counter()
            sync(fn())
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    def first_call(self, fn, sync):
        t0 = time.perf_counter()
        sync(fn())
        return time.perf_counter() - t0


# ----------------------------------------------------------------------------- engines

class Torch:
    name = "PyTorch"

    def __init__(self, threads):
        import torch
        import torch.func
        self.torch = torch
        torch.set_default_dtype(torch.float64)
        if threads:
            torch.set_num_threads(threads)
        self.version = torch.__version__
        self.mode = "eager, float64, %d threads" % torch.get_num_threads()

    # array helpers
    def array(self, x):
        return self.torch.tensor(np.asarray(x), dtype=self.torch.float64)

    def ints(self, x):
        return self.torch.tensor(np.asarray(x), dtype=self.torch.long)

    def numpy(self, x):
        return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)

    def sync(self, x):
        return x

    def logsumexp(self, x, axis):
        return self.torch.logsumexp(x, dim=axis)

    def sum(self, x, axis=None):
        return x.sum() if axis is None else x.sum(dim=axis)

    def stack(self, xs, axis=0):
        return self.torch.stack(xs, dim=axis)

    def roll(self, x, shift):
        return self.torch.roll(x, shift)

    def concat(self, xs):
        return self.torch.cat(xs)

    def zeros_like_scalar(self, x):
        return self.torch.zeros((), dtype=x.dtype)

    ex = property(lambda self: self.torch)

    def fix(self, f):
        return f

    def grad(self, f):
        torch = self.torch

        def g(x):
            x = x.detach().requires_grad_(True)
            (gx,) = torch.autograd.grad(f(x), x)
            return gx
        return g

    def jacfwd(self, f):
        return self.torch.func.jacfwd(f)

    def jacrev(self, f):
        return self.torch.func.jacrev(f)

    def hessian(self, f):
        return self.torch.func.hessian(f)

    def vmap(self, f):
        return self.torch.func.vmap(f)

    def no_grad(self, f):
        torch = self.torch

        def g(*a):
            with torch.no_grad():
                return f(*a)
        return g


class Jax:
    name = "JAX"

    def __init__(self, threads):
        if threads == 1:
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                       " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
        import jax
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        import jax.numpy as jnp
        import jax.scipy.special
        self.jax, self.jnp = jax, jnp
        self.version = jax.__version__
        self.mode = "jit, x64, CPU" + (", 1 thread" if threads == 1 else "")

    def array(self, x):
        return self.jnp.asarray(np.asarray(x), dtype=self.jnp.float64)

    def ints(self, x):
        return self.jnp.asarray(np.asarray(x), dtype=self.jnp.int64)

    def numpy(self, x):
        return np.asarray(x)

    def sync(self, x):
        return self.jax.block_until_ready(x)

    def logsumexp(self, x, axis):
        return self.jax.scipy.special.logsumexp(x, axis=axis)

    def sum(self, x, axis=None):
        return self.jnp.sum(x, axis=axis)

    def stack(self, xs, axis=0):
        return self.jnp.stack(xs, axis=axis)

    def roll(self, x, shift):
        return self.jnp.roll(x, shift)

    def concat(self, xs):
        return self.jnp.concatenate(xs)

    ex = property(lambda self: self.jnp)

    def fix(self, f):
        return self.jax.jit(f)

    def grad(self, f):
        return self.jax.grad(f)

    def jacfwd(self, f):
        return self.jax.jacfwd(f)

    def jacrev(self, f):
        return self.jax.jacrev(f)

    def hessian(self, f):
        return self.jax.hessian(f)

    def vmap(self, f):
        return self.jax.vmap(f)

    def no_grad(self, f):
        return f


# ----------------------------------------------------------------------------- problems
# Each problem function takes (engine E, quick) and returns a list of measurements:
#   dict(id, size, primal, derivative, derivative_result, expected, objective_result, expected_objective)
# where primal/derivative are zero-argument callables.

def rosen(E, x):
    return E.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def p_rosen_grad(E, quick):
    out = []
    for n in (1000, 100000):
        ref = reference("rosen-grad", "n=%d" % n)
        x = E.array(det_input(n))
        f = E.fix(E.no_grad(lambda x: rosen(E, x)))
        g = E.fix(E.grad(lambda x: rosen(E, x)))
        out.append(dict(id="rosen-grad", size="n=%d" % n, primal=lambda f=f, x=x: f(x), derivative=lambda g=g, x=x: g(x),
                        expected=ref["gradient"], expected_objective=ref["objective"]))
    return out


def p_rosen_hess(E, quick):
    out = []
    for n in (100, 400):
        x = E.array(det_input(n))
        f = E.fix(E.no_grad(lambda x: rosen(E, x)))
        h = E.fix(E.hessian(lambda x: rosen(E, x)))
        ref = reference("rosen-hess", "n=%d" % n) if n == 100 else None
        out.append(dict(id="rosen-hess", size="n=%d" % n, primal=lambda f=f, x=x: f(x), derivative=lambda h=h, x=x: h(x),
                        expected=ref["hessian"] if ref else None, expected_objective=ref["objective"] if ref else None))
    return out


def chain(E, x):
    return x * E.ex.exp(E.roll(x, -1)) + E.ex.sin(E.roll(x, 1))


def p_chain_jac(E, quick):
    ref = reference("chain-jac", "n=100")
    x = E.array(det_input(100))
    f = E.fix(E.no_grad(lambda x: chain(E, x)))
    out = []
    for mode, op in (("fwd", E.jacfwd), ("rev", E.jacrev)):
        j = E.fix(op(lambda x: chain(E, x)))
        out.append(dict(id="chain-jac/" + mode, size="n=100", primal=lambda: f(x), derivative=lambda j=j: j(x),
                        expected=ref["jacobian"], expected_objective=ref["objective"]))
    return out


def p_wide_jac(E, quick):
    ref = reference("wide-jac", "n=8,m=1000")
    x = E.array(det_input(8))
    jj = np.arange(1000)
    freq = E.array((jj + 1.0)[:, None])                       # (1000, 1)
    gather = E.ints((jj[:, None] + np.arange(8)[None, :]) % 8)  # (1000, 8)

    def wide(x):
        return E.sum(E.ex.sin(freq * x[None, :]) * x[gather], axis=1)
    f = E.fix(E.no_grad(wide))
    out = []
    for mode, op in (("fwd", E.jacfwd), ("rev", E.jacrev)):
        j = E.fix(op(wide))
        out.append(dict(id="wide-jac/" + mode, size="n=8,m=1000", primal=lambda: f(x), derivative=lambda j=j: j(x),
                        expected=ref["jacobian"], expected_objective=ref["objective"]))
    return out


def mlp_data():
    i, j = np.meshgrid(np.arange(1000), np.arange(100), indexing="ij")
    w1 = 0.01 * np.cos(i * 100 + j)
    i, j = np.meshgrid(np.arange(100), np.arange(10), indexing="ij")
    w2 = 0.1 * np.cos(i * 10 + j + 7)
    b, k = np.meshgrid(np.arange(16), np.arange(1000), indexing="ij")
    x = np.cos(b * 1000 + k)
    b, o = np.meshgrid(np.arange(16), np.arange(10), indexing="ij")
    y = np.sin(b * 10 + o)
    return w1, np.zeros(100), w2, np.zeros(10), x, y


def p_tiny_mlp(E, quick):
    ref = reference("tiny-mlp", "1000-100-10, batch 16")
    lr = ref["lr"]
    w1, b1, w2, b2, xd, yd = (E.array(a) for a in mlp_data())

    def loss(params, x, y):
        w1, b1, w2, b2 = params
        h = E.ex.relu(x @ w1 + b1) if E.name == "PyTorch" else E.jax.nn.relu(x @ w1 + b1)
        pred = h @ w2 + b2
        return E.sum((y - pred) ** 2)

    if E.name == "PyTorch":
        torch = E.torch
        params = [p.clone().requires_grad_(True) for p in (w1, b1, w2, b2)]

        def step():
            l = loss(params, xd, yd)
            l.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None
            return l

        def grads_of(ps):
            ps = [p.clone().requires_grad_(True) for p in ps]
            l = loss(ps, xd, yd)
            l.backward()
            return [p.grad for p in ps]
        primal = E.no_grad(lambda: loss(params, xd, yd))
        grads = grads_of([w1, b1, w2, b2])
    else:
        jax = E.jax
        state = {"params": (w1, b1, w2, b2)}
        vg = jax.value_and_grad(loss)

        @jax.jit
        def jstep(params, x, y):
            l, g = vg(params, x, y)
            return tuple(p - lr * gp for p, gp in zip(params, g)), l

        def step():
            state["params"], l = jstep(state["params"], xd, yd)
            return l
        jloss = jax.jit(loss)
        primal = lambda: jloss(state["params"], xd, yd)
        grads = jax.jit(jax.grad(loss))((w1, b1, w2, b2), xd, yd)
    g = [E.numpy(a) for a in grads]
    summary = [float(np.sum(g[0])), float(np.linalg.norm(g[0]))] + list(g[0][0]) + list(g[0][-1]) + list(g[1]) \
        + list(g[2].ravel()) + list(g[3])
    expected = [ref["grad_W1_sum"], ref["grad_W1_frobenius_norm"]] + ref["grad_W1_first_row"] + ref["grad_W1_last_row"] \
        + ref["grad_b1"] + list(np.ravel(ref["grad_W2"])) + ref["grad_b2"]
    # grad_W1_sum is a sum of 100 000 entries of both signs (cancellation): compare it with
    # the norm as scale instead of its own magnitude.
    summary[0] = summary[0] / ref["grad_W1_frobenius_norm"]
    expected[0] = expected[0] / ref["grad_W1_frobenius_norm"]
    return [dict(id="tiny-mlp", size="1000-100-10,b=16", primal=primal, derivative=step,
                 derivative_result=lambda: summary, expected=expected, expected_objective=ref["loss_before"],
                 objective_result=lambda: E.numpy(loss((w1, b1, w2, b2), xd, yd)))]


def gmm_objective(E, g, lower_rows, lower_cols, const):
    d, k, n = g["d"], g["k"], g["n"]
    x = E.array(g["x"])
    eye = E.array(np.eye(d))
    m, half_gamma2 = g["m"], 0.5 * g["gamma"] ** 2

    def objective(params):
        alphas = params[:k]
        means = params[k:k + k * d].reshape(k, d)
        icf = params[k + k * d:].reshape(k, d * (d + 1) // 2)
        q = icf[:, :d]
        l = icf[:, d:]
        qexp = E.ex.exp(q)
        # Q_k = diag(exp(q_k)) + strictly-lower part from l_k, column by column.
        if E.name == "PyTorch":
            Q = E.torch.diag_embed(qexp)
            Q = Q.index_put((E.torch.arange(k)[:, None], E.ints(lower_rows)[None, :], E.ints(lower_cols)[None, :]), l)
        else:
            Q = qexp[:, :, None] * eye[None]
            Q = Q.at[:, lower_rows, lower_cols].set(l)
        xc = x[:, None, :] - means[None, :, :]                 # (n, K, d)
        qx = E.ex.einsum("kij,nkj->nki", Q, xc)
        main = alphas[None, :] + E.sum(q, axis=1)[None, :] - 0.5 * E.sum(qx * qx, axis=2)
        prior = E.sum(half_gamma2 * (E.sum(qexp * qexp, axis=1) + E.sum(l * l, axis=1)) - m * E.sum(q, axis=1))
        return const + E.sum(E.logsumexp(main, 1)) - n * E.logsumexp(alphas, 0) + prior
    return objective


def p_gmm_grad(E, quick):
    out = []
    for name in ("gmm_d2_K5", "gmm_d10_K25"):
        ref = reference("gmm-grad", name)
        g = load_gmm(name + ".txt")
        rows, cols = gmm_lower_indices(g["d"])
        objective = gmm_objective(E, g, rows, cols, gmm_constant(g))
        params = E.array(np.concatenate([g["alphas"], g["means"].ravel(), g["icf"].ravel()]))
        f = E.fix(E.no_grad(objective))
        gr = E.fix(E.grad(objective))
        out.append(dict(id="gmm-grad", size=name, primal=lambda f=f, p=params: f(p), derivative=lambda gr=gr, p=params: gr(p),
                        expected=ref["gradient"], expected_objective=ref["objective"]))
    return out


def lstm_objective(E, data):
    l, c, b = data["l"], data["c"], data["b"]
    seq = E.array(data["seq"])
    state0 = E.array(data["state"])
    sigmoid = (lambda z: 1.0 / (1.0 + E.ex.exp(-z)))

    def cell(main, x, h, cst, layer):
        w, bias = main[2 * layer], main[2 * layer + 1]
        f = sigmoid(x * w[:b] + bias[:b])
        i = sigmoid(h * w[b:2 * b] + bias[b:2 * b])
        o = sigmoid(x * w[2 * b:3 * b] + bias[2 * b:3 * b])
        gch = E.ex.tanh(h * w[3 * b:] + bias[3 * b:])
        cst = cst * f + i * gch
        h = o * E.ex.tanh(cst)
        return h, cst

    def objective(params):
        main = params[:8 * l * b].reshape(2 * l, 4 * b)
        extra = params[8 * l * b:].reshape(3, b)
        if E.name == "JAX":
            jax, jnp = E.jax, E.jnp

            def step(state, t):
                hs, cs = state
                x = seq[t] * extra[0]
                new_h, new_c = [], []
                for layer in range(l):
                    h, cc = cell(main, x, hs[layer], cs[layer], layer)
                    new_h.append(h)
                    new_c.append(cc)
                    x = h
                y = x * extra[1] + extra[2]
                yhat = y - jnp.log(2.0 + jnp.sum(jnp.exp(y)))
                return (jnp.stack(new_h), jnp.stack(new_c)), jnp.sum(seq[t + 1] * yhat)
            init = (state0[0::2], state0[1::2])
            _, totals = jax.lax.scan(step, init, jnp.arange(c - 1))
            return -jnp.sum(totals) / ((c - 1) * b)
        hs = [state0[2 * layer] for layer in range(l)]
        cs = [state0[2 * layer + 1] for layer in range(l)]
        total = 0.0
        for t in range(c - 1):
            x = seq[t] * extra[0]
            for layer in range(l):
                hs[layer], cs[layer] = cell(main, x, hs[layer], cs[layer], layer)
                x = hs[layer]
            y = x * extra[1] + extra[2]
            yhat = y - E.ex.log(2.0 + E.sum(E.ex.exp(y)))
            total = total + E.sum(seq[t + 1] * yhat)
        return -total / ((c - 1) * b)
    return objective


def p_lstm_grad(E, quick):
    ref = reference("lstm-grad", "lstm_l2_c1024")
    data = load_lstm("lstm_l2_c1024.txt")
    objective = lstm_objective(E, data)
    params = E.array(np.concatenate([data["main"].ravel(), data["extra"].ravel()]))
    f = E.fix(E.no_grad(objective))
    g = E.fix(E.grad(objective))
    return [dict(id="lstm-grad", size="l2_c1024", primal=lambda: f(params), derivative=lambda: g(params),
                 expected=ref["gradient"], expected_objective=ref["objective"])]


def ba_residual(E, block, feat):
    """block: [cam 11 | X 3 | w] -> 2 residuals (ADBench, Rodrigues theta != 0 branch)."""
    cam, X, w = block[:11], block[11:14], block[14]
    rot, C = cam[:3], cam[3:6]
    pt = X - C
    theta = E.ex.sqrt(E.sum(rot * rot))
    wv = rot / theta
    cross = E.stack([wv[1] * pt[2] - wv[2] * pt[1], wv[2] * pt[0] - wv[0] * pt[2], wv[0] * pt[1] - wv[1] * pt[0]])
    c, s = E.ex.cos(theta), E.ex.sin(theta)
    rotated = pt * c + cross * s + wv * (E.sum(wv * pt) * (1.0 - c))
    p = rotated[:2] / rotated[2]
    rsq = E.sum(p * p)
    p = p * (1.0 + cam[9] * rsq + cam[10] * rsq * rsq)
    proj = p * cam[6] + cam[7:9]
    return w * (proj - feat)


def p_ba_jac(E, quick):
    name = "ba1_n49_m7776_p31843"
    ref = reference("ba-jac", name)
    b = load_ba(name + ".txt")
    obs = b["obs"]
    blocks = E.array(np.concatenate([b["cams"][obs[:, 0]], b["X"][obs[:, 1]], b["w"][:, None]], axis=1))  # (p, 15)
    feats = E.array(b["feats"])
    w = E.array(b["w"])
    res = E.vmap(lambda blk, ft: ba_residual(E, blk, ft))
    jac = E.vmap(E.jacrev(lambda blk, ft: ba_residual(E, blk, ft)))

    def primal(blocks, w, feats):
        return res(blocks, feats), 1.0 - w * w

    def derivative(blocks, w, feats):
        return jac(blocks, feats), -2.0 * w
    pf, df = E.fix(E.no_grad(primal)), E.fix(derivative)

    def check():
        J, wj = df(blocks, w, feats)
        J, wj = E.numpy(J), E.numpy(wj)
        return list(J[0].ravel()) + [float(wj[0]), float(np.max(np.abs(J - J[0])))]
    expected = list(np.ravel(ref["reproj_jacobian_block_obs0"])) + [ref["w_err_jacobian_obs0"], ref["max_abs_deviation_of_any_block_from_block0"]]
    return [dict(id="ba-jac", size=name.split("_")[0] + " p=%d" % b["p"], primal=lambda: pf(blocks, w, feats),
                 derivative=lambda: df(blocks, w, feats), derivative_result=check, expected=expected,
                 objective_result=lambda: E.numpy(pf(blocks, w, feats)[0][0]), expected_objective=ref["reproj_err_obs0"])]


def hand_objective(E, h):
    base_rel = E.array(h["base_rel"])
    inv_base_abs = E.array(h["inv_base_abs"])
    homog = E.array(h["homog"])           # (N, 4)
    weights = E.array(h["weights"])       # (bones, N)
    points = E.array(h["points"])         # (N, 3)
    idx = E.ints(h["idx"])                # (bones, 3): x, y, z angle indices into theta_ext
    parents = h["parents"]
    nb = len(parents)
    X = E.ex

    def rotation_xyz(a):                  # a: (bones, 3) angles (x, y, z) -> Rz Ry Rx, (bones, 3, 3)
        cx, cy, cz = X.cos(a[:, 0]), X.cos(a[:, 1]), X.cos(a[:, 2])
        sx, sy, sz = X.sin(a[:, 0]), X.sin(a[:, 1]), X.sin(a[:, 2])
        row0 = E.stack([cz * cy, -sz * cx + cz * sy * sx, sz * sx + cz * sy * cx], 1)
        row1 = E.stack([sz * cy, cz * cx + sz * sy * sx, -cz * sx + sz * sy * cx], 1)
        row2 = E.stack([-sy, cy * sx, cy * cx], 1)
        return E.stack([row0, row1, row2], 1)

    def residuals(theta):
        theta_ext = E.concat([theta, theta[:1] * 0.0])
        R = rotation_xyz(theta_ext[idx])                                  # (bones, 3, 3)
        rel_rot = X.einsum("bik,bkj->bij", base_rel[:, :, :3], R)        # (bones, 4, 3)
        absolutes = []
        for b in range(nb):
            rel = E.stack([rel_rot[b, :, 0], rel_rot[b, :, 1], rel_rot[b, :, 2], base_rel[b, :, 3]], 1)  # (4, 4)
            absolutes.append(rel if parents[b] < 0 else absolutes[parents[b]] @ rel)
        transforms = E.stack(absolutes) @ inv_base_abs                    # (bones, 4, 4)
        posed = X.einsum("bij,vj->bvi", transforms[:, :3, :], homog)      # (bones, N, 3)
        verts = E.sum(weights[:, :, None] * posed, axis=0)                # (N, 3)
        # global rotation (angle-axis, Rodrigues), scale 1, translation
        angle = X.sqrt(E.sum(theta[:3] * theta[:3]))
        ax = theta[:3] / angle
        x, y, z = ax[0], ax[1], ax[2]
        s, c = X.sin(angle), X.cos(angle)
        t = 1.0 - c
        G = E.stack([E.stack([x * x + (1 - x * x) * c, x * y * t - z * s, x * z * t + y * s]),
                     E.stack([x * y * t + z * s, y * y + (1 - y * y) * c, y * z * t - x * s]),
                     E.stack([x * z * t - y * s, z * y * t + x * s, z * z + (1 - z * z) * c])])
        world = verts @ G.T + theta[3:6]
        return (points - world).reshape(-1)
    return residuals


def p_hand_jac(E, quick):
    name = "hand1_t26_c100"
    ref = reference("hand-jac", name)
    h = load_hand(name + ".txt")
    residuals = hand_objective(E, h)
    theta = E.array(h["theta"])
    f = E.fix(E.no_grad(residuals))
    out = []
    for mode, op in (("fwd", E.jacfwd), ("rev", E.jacrev)):
        j = E.fix(op(residuals))
        out.append(dict(id="hand-jac/" + mode, size="simple_small N=100", primal=lambda: f(theta), derivative=lambda j=j: j(theta),
                        expected=ref["jacobian"], expected_objective=ref["objective_residuals"]))
    return out


PROBLEMS = {
    "rosen-grad": p_rosen_grad,
    "rosen-hess": p_rosen_hess,
    "chain-jac": p_chain_jac,
    "wide-jac": p_wide_jac,
    "tiny-mlp": p_tiny_mlp,
    "gmm-grad": p_gmm_grad,
    "lstm-grad": p_lstm_grad,
    "ba-jac": p_ba_jac,
    "hand-jac": p_hand_jac,
}


# ----------------------------------------------------------------------------- driver

def run(engines, problems, quick):
    timer = Timer(quick)
    rows = []
    for E in engines:
        for pid in problems:
            try:
                items = PROBLEMS[pid](E, quick)
            except Exception as e:  # a problem that cannot even be set up is reported, not fatal
                rows.append(dict(problem=pid, size="", engine=E.name, error="%s: %s" % (type(e).__name__, e)))
                print("  %-8s %-14s setup failed: %s" % (E.name, pid, e), file=sys.stderr)
                continue
            for it in items:
                row = dict(problem=it["id"], size=it["size"], engine=E.name)
                try:
                    row["primal_compile_s"] = timer.first_call(it["primal"], E.sync)
                    t0 = time.perf_counter()
                    result = E.sync(it["derivative"]())
                    row["derivative_compile_s"] = time.perf_counter() - t0
                    got = it["derivative_result"]() if "derivative_result" in it else E.numpy(result)
                    if it.get("expected") is not None:
                        row["max_rel_diff"] = max_rel_diff(got, it["expected"])
                        obj = it["objective_result"]() if "objective_result" in it else E.numpy(it["primal"]())
                        row["objective_max_rel_diff"] = max_rel_diff(obj, it["expected_objective"])
                        row["ok"] = bool(row["max_rel_diff"] <= TOLERANCE and row["objective_max_rel_diff"] <= TOLERANCE)
                    else:
                        row["ok"] = None
                    row["primal_s"] = timer.median(it["primal"], E.sync)
                    row["derivative_s"] = timer.median(it["derivative"], E.sync)
                    row["ratio"] = row["derivative_s"] / row["primal_s"]
                except Exception as e:
                    row["error"] = "%s: %s" % (type(e).__name__, e)
                rows.append(row)
                print_row(row)
    return rows


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return "%.1f us" % (s * 1e6)
    if s < 1:
        return "%.2f ms" % (s * 1e3)
    return "%.2f s" % s


def print_row(r):
    if "error" in r:
        print("  %-8s %-16s %-20s ERROR %s" % (r["engine"], r["problem"], r["size"], r["error"]), file=sys.stderr)
        return
    ok = "ok" if r["ok"] else ("n/a" if r["ok"] is None else "FAILED")
    diff = "%.1e" % r["max_rel_diff"] if "max_rel_diff" in r else "-"
    print("  %-8s %-16s %-20s primal %10s  derivative %10s  ratio %7.1f  first call %10s  diff %8s %s" % (
        r["engine"], r["problem"], r["size"], fmt_time(r["primal_s"]), fmt_time(r["derivative_s"]), r["ratio"],
        fmt_time(r["derivative_compile_s"]), diff, ok), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--problems", help="comma-separated subset of: " + ",".join(PROBLEMS))
    ap.add_argument("--engines", default="jax,torch", help="comma-separated subset of: jax,torch")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (smoke test)")
    ap.add_argument("--threads", type=int, default=1,
                    help="intra-op threads for both engines (default 1, like this library; 0 = engine default)")
    args = ap.parse_args()
    problems = list(PROBLEMS) if not args.problems else [p.strip() for p in args.problems.split(",") if p.strip()]
    unknown = [p for p in problems if p not in PROBLEMS]
    if unknown:
        ap.error("unknown problems: %s" % ", ".join(unknown))
    engines = []
    for name in args.engines.split(","):
        name = name.strip()
        try:
            engines.append({"jax": Jax, "torch": Torch}[name](args.threads))
        except KeyError:
            ap.error("unknown engine %r" % name)
        except ImportError as e:
            print("peers.py: %s is not installed (%s); run Benchmarks/peers/setup_venv.sh" % (name, e), file=sys.stderr)
    rows = run(engines, problems, args.quick)
    result = dict(
        generated=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        python=platform.python_version(),
        engines={E.name: dict(version=E.version, mode=E.mode) for E in engines},
        numpy=np.__version__,
        tolerance=TOLERANCE,
        quick=args.quick,
        rows=rows,
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    failed = [r for r in rows if "error" in r or r.get("ok") is False]
    print("peers.py: %d rows, %d failed or wrong" % (len(rows), len(failed)), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
