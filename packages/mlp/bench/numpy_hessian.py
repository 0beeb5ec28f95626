"""Reference timing for the exact-Hessian target of benchmarks/suites/mlp-hessian.js: a vectorised numpy exact Hessian of a 1→w→1 tanh net on n = 200 points
(H₀ = JᵀJ/n by BLAS SYRK when scipy is available, else J.T @ J; H₁ from its block structure), single-threaded.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 packages/mlp/bench/numpy_hessian.py [w ...]
Prints the median of 30 runs in ms, and checks the result against central differences of the gradient.
"""
import sys
import time

import numpy as np

try:
    from scipy.linalg.blas import dsyrk
except Exception:  # scipy missing: plain GEMM
    dsyrk = None


def hessian(W1, b1, W2, b2, x, y):
    n = x.shape[0]
    w = W1.shape[0]
    z = np.outer(x, W1) + b1            # n × w
    h = np.tanh(z)
    s1 = 1 - h * h
    s2 = -2 * h * s1
    f = h @ W2 + b2
    r = (f - y) / n                      # G = ∂R/∂f
    a = s1 * W2                          # ∂f/∂z
    J = np.empty((n, 3 * w + 1))
    J[:, :w] = a * x[:, None]            # W1
    J[:, w:2 * w] = a                    # b1
    J[:, 2 * w:3 * w] = h                # W2
    J[:, 3 * w] = 1                      # b2
    if dsyrk is not None:
        H = dsyrk(1.0 / n, J, trans=1, lower=1)
        H = np.tril(H) + np.tril(H, -1).T
    else:
        H = (J.T @ J) / n
    c = r[:, None] * s2 * W2             # gᵢⱼσ''(zᵢⱼ)
    e = r[:, None] * s1                  # Gᵢσ'(zᵢⱼ)
    idx = np.arange(w)
    H[idx, idx] += c.T @ (x * x)                     # W1ⱼ W1ⱼ
    H[idx, w + idx] += c.T @ x                       # W1ⱼ b1ⱼ
    H[w + idx, idx] += c.T @ x
    H[w + idx, w + idx] += c.sum(0)                  # b1ⱼ b1ⱼ
    H[idx, 2 * w + idx] += e.T @ x                   # W1ⱼ W2ⱼ
    H[2 * w + idx, idx] += e.T @ x
    H[w + idx, 2 * w + idx] += e.sum(0)              # b1ⱼ W2ⱼ
    H[2 * w + idx, w + idx] += e.sum(0)
    return H


def grad(theta, w, x, y):
    W1, b1, W2, b2 = theta[:w], theta[w:2 * w], theta[2 * w:3 * w], theta[3 * w]
    z = np.outer(x, W1) + b1
    h = np.tanh(z)
    r = (h @ W2 + b2 - y) / len(x)
    d = r[:, None] * (1 - h * h) * W2
    return np.concatenate([d.T @ x, d.sum(0), h.T @ r, [r.sum()]])


for w in [int(a) for a in sys.argv[1:]] or [100, 300]:
    rng = np.random.default_rng(1)
    n = 200
    x = 2 * rng.standard_normal(n)
    y = np.sin(2 * x)
    W1, b1 = rng.standard_normal(w) * np.sqrt(2), np.zeros(w)
    W2, b2 = rng.standard_normal(w) * np.sqrt(2 / w), 0.0
    for _ in range(5):
        H = hessian(W1, b1, W2, b2, x, y)
    ts = []
    for _ in range(30):
        t0 = time.perf_counter()
        H = hessian(W1, b1, W2, b2, x, y)
        ts.append((time.perf_counter() - t0) * 1e3)
    theta = np.concatenate([W1, b1, W2, [b2]])
    if w <= 100:
        hh = 1e-5
        Hfd = np.empty_like(H)
        for j in range(len(theta)):
            e = np.zeros_like(theta)
            e[j] = hh
            Hfd[:, j] = (grad(theta + e, w, x, y) - grad(theta - e, w, x, y)) / (2 * hh)
        err = np.abs(H - Hfd).max() / np.abs(H).max()
    else:
        err = float("nan")
    print(f"numpy exact Hessian w={w} M={3 * w + 1} n={n}: median {np.median(ts):.3f} ms (FD check rel err {err:.1e}, syrk={dsyrk is not None})")
