#!/usr/bin/env python3
"""PyTorch peer of benchmarks/suites/curvature.js: top-k Hessian eigenpairs and a Hutchinson trace, float64, on
autograd Hessian-vector products (PyHessian's: the gradient with create_graph=True once, then one
torch.autograd.grad(g, θ, grad_outputs=v, retain_graph=True) per vector; Yao et al. 2020), with the same block
Lanczos (full reorthogonalisation, thick restart, the same block size, basis size, restart rule and stopping test)
as @losscape/curvature's `eigenpairs`, and the same Hutchinson estimator as its `hutchinsonTrace`.

Started by the suite as a persistent subprocess (/usr/bin/python3 benchmarks/peers/torch_curvature.py, with
OMP_NUM_THREADS etc. set to the thread count); not run by hand. One JSON object per line on stdin, one reply per line:
  {"op": "prepare", "dir": D, "widths": [784, 400, 10], "n": 1000, "threads": 1}
      reads D/x.f64 (n × d_in), D/y.f64 (n × d_out), D/params.f64 (losscape's flat order: W¹ row-major, b¹, …), the
      network tanh hidden layers, linear output, mean softmax cross-entropy R = (1/n)Σ[(Σₖyᵢₖ)·logΣe^f − yᵢ·fᵢ];
  {"op": "eig", "k": 10, "tol": 1e-8, "seed": 1, "mode": M} → {"values", "residuals", "products"};
  {"op": "trace", "probes": 100, "seed": 1, "mode": M} → {"value", "standardError"};
  {"op": "hessian", "out": F} → {"M"}: the dense Hessian by torch.autograd.functional.hessian (M reverse passes through
      the gradient, vectorize=False: at 100-16-10, n = 1000 that took 3.3 s against 6.4 s with vectorize=True), written
      to F as M × M float64 (row-major) for the suite's accuracy check (benchmarks/suites/mlp-hessian.js).
The HVP `mode`: "graph" (PyHessian given one batch: the gradient graph of the whole data set built once at prepare,
untimed, and reused by every product) or "batches" (PyHessian given a data loader, `dataloader_hv_product`: for every
vector, over chunks of `chunk` rows, a forward pass, loss.backward(create_graph=True) and the product, summed with
weights n_c/n; memory O(chunk) — the mode for large n, and the work losscape's operator does).
On start it replies {"ready": true, "torch": version} or {"ready": false, "reason": ...} and exits.
"""
import json
import math
import os
import sys

import numpy as np

from peer_io import import_torch, reply

torch = import_torch()

reply({"ready": True, "torch": torch.__version__})

state = {}


def prepare(req):
    torch.set_num_threads(req["threads"])
    d, widths, n = req["dir"], req["widths"], req["n"]
    x = torch.from_numpy(np.fromfile(os.path.join(d, "x.f64"), dtype=np.float64).reshape(n, widths[0]))
    y = torch.from_numpy(np.fromfile(os.path.join(d, "y.f64"), dtype=np.float64).reshape(n, widths[-1]))
    theta = torch.from_numpy(np.fromfile(os.path.join(d, "params.f64"), dtype=np.float64)).clone().requires_grad_(True)
    g = torch.autograd.grad(loss_of(theta, x, y, widths), theta, create_graph=True)[0]
    state.update(theta=theta, g=g, M=theta.numel(), x=x, y=y, widths=widths, chunk=req["chunk"], mode="graph")


def loss_of(theta, x, y, widths):
    """The mean softmax cross-entropy of the tanh network with flat parameters θ on (x, y)."""
    h, o = x, 0
    for l in range(1, len(widths)):
        m, k = widths[l], widths[l - 1]
        W = theta[o:o + m * k].view(m, k)
        b = theta[o + m * k:o + m * k + m]
        o += m * k + m
        h = h @ W.T + b
        if l < len(widths) - 1:
            h = torch.tanh(h)
    return (y.sum(1) * torch.logsumexp(h, 1) - (y * h).sum(1)).mean()


def apply(V):
    """H·V for the rows of V (k × M), one autograd HVP per row, in the current mode (see the module's docstring)."""
    theta = state["theta"]
    if state["mode"] == "graph":
        g = state["g"]
        return torch.stack([torch.autograd.grad(g, theta, grad_outputs=v, retain_graph=True)[0] for v in V])
    x, y, widths, c = state["x"], state["y"], state["widths"], state["chunk"]
    n = x.shape[0]
    out = torch.zeros_like(V)
    for i, v in enumerate(V):
        for lo in range(0, n, c):
            with torch.enable_grad():
                g = torch.autograd.grad(loss_of(theta, x[lo:lo + c], y[lo:lo + c], widths), theta, create_graph=True)[0]
                out[i] += (min(n, lo + c) - lo) / n * torch.autograd.grad(g, theta, grad_outputs=v)[0]
    return out


def hessian(req):
    x, y, widths = state["x"], state["y"], state["widths"]
    H = torch.autograd.functional.hessian(lambda t: loss_of(t, x, y, widths), state["theta"].detach())
    H.numpy().tofile(req["out"])
    return {"M": state["M"]}


def rademacher(gen, k, M):
    return (torch.randint(0, 2, (k, M), generator=gen) * 2 - 1).to(torch.float64)


def orthogonalize(Q, W):
    """W ← (I − QQᵀ)W twice (rows); returns the summed coefficients QWᵀ (j × k)."""
    if Q.shape[0] == 0:
        return torch.zeros(0, W.shape[0])
    c = torch.zeros(Q.shape[0], W.shape[0])
    for _ in range(2):
        C = Q @ W.T
        W -= C.T @ Q
        c += C
    return c


def next_block(Q, W, gen):
    k, M = W.shape
    R = torch.zeros(k, k)
    P = []
    scale = max(float(torch.linalg.norm(w)) for w in W)
    for i in range(k):
        w = W[i].clone()
        c = orthogonalize(torch.stack(P) if P else torch.zeros(0, M), w[None])[:, 0] if P else torch.zeros(0)
        s = float(torch.linalg.norm(w))
        if not s > 1e-12 * scale or scale == 0:
            if Q.shape[0] + len(P) >= M:
                break
            z = rademacher(gen, 1, M)
            orthogonalize(Q, z)
            if P:
                orthogonalize(torch.stack(P), z)
            P.append(z[0] / torch.linalg.norm(z[0]))
            continue
        R[:len(P), i] = c
        R[len(P), i] = s
        P.append(w / s)
    block = torch.stack(P)
    orthogonalize(Q, block)
    block /= torch.linalg.norm(block, dim=1, keepdim=True)
    return block, R[:len(P)]


def eig(req):
    k, tol = req["k"], req["tol"]
    M = state["M"]
    gen = torch.Generator().manual_seed(req["seed"])
    b = min(k, 16)
    # @losscape/curvature's default (eigenpairsBasisSize): k + 30b vectors within 2^25 values, at least
    # max(2k + 2b, k + 3b); Gaussian start vectors, as there
    max_basis = min(M, max(2 * k + 2 * b, k + 3 * b, min(k + 30 * b, 2**25 // M)))
    Q = torch.zeros(0, M)
    T = torch.zeros(max_basis, max_basis)
    P, _ = next_block(Q, torch.randn(b, M, generator=gen, dtype=torch.float64), gen)
    products, scale = 0, 0.0
    while True:
        nb = P.shape[0]
        AP = apply(P)
        products += nb
        j0 = Q.shape[0]
        Q = torch.cat([Q, P])
        j = Q.shape[0]
        c = orthogonalize(Q, AP)
        T[:j, j0:j] = c
        T[j0:j, :j0] = c[:j0].T
        T[j0:j, j0:j] = 0.5 * (c[j0:j] + c[j0:j].T)
        P_next, R = next_block(Q, AP, gen)
        theta, U = torch.linalg.eigh(T[:j, :j])
        scale = max(scale, float(theta.abs().max()))
        wanted = list(range(j - 1, j - 1 - min(k, j), -1))
        res = torch.linalg.norm(R @ U[j0:j][:, wanted], dim=0) / scale
        if len(wanted) == k and float(res.max()) <= tol or products + b > 200 * k + 1000:
            break
        P = P_next
        if j + P.shape[0] > max_basis:
            keep = max(k, min(j - b, k + (max_basis - k - b) // 2))
            order = list(range(j - 1, j - 1 - keep, -1))
            Q = U[:, order].T @ Q
            T = torch.zeros(max_basis, max_basis)
            T[range(keep), range(keep)] = theta[order]
    Y = U[:, wanted].T @ Q
    Y /= torch.linalg.norm(Y, dim=1, keepdim=True)
    AY = apply(Y)
    products += len(wanted)
    values = (Y * AY).sum(1)
    residuals = torch.linalg.norm(AY - values[:, None] * Y, dim=1)
    return {"values": values.tolist(), "residuals": residuals.tolist(), "products": products}


def trace(req):
    M, m = state["M"], req["probes"]
    gen = torch.Generator().manual_seed(req["seed"])
    samples = []
    for s in range(0, m, 16):
        Z = rademacher(gen, min(16, m - s), M)
        samples += (Z * apply(Z)).sum(1).tolist()
    mean = sum(samples) / m
    var = sum((x - mean) ** 2 for x in samples) / (m - 1)
    return {"value": mean, "standardError": math.sqrt(var / m)}


for line in sys.stdin:
    req = json.loads(line)
    try:
        if req["op"] == "prepare":
            prepare(req)
            reply({"ok": True})
        elif req["op"] == "eig":
            state["mode"] = req.get("mode", "graph")
            with torch.no_grad():
                reply(eig(req))
        elif req["op"] == "trace":
            state["mode"] = req.get("mode", "graph")
            with torch.no_grad():
                reply(trace(req))
        elif req["op"] == "hessian":
            reply(hessian(req))
        else:
            reply({"error": f"unknown op {req['op']}"})
    except Exception as e:  # noqa: BLE001 - reported to the suite
        reply({"error": f"{type(e).__name__}: {e}"})
