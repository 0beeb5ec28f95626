#!/usr/bin/env python3
"""Reference solutions for packages/core/src/factor.test.ts (writes ../fixtures/factor-reference.json).

For each float64 matrix stored in the fixture (the exact input), mpmath at 60 digits computes: the solution X of
A·X = B (solve cases), the Cholesky factor L (cholesky cases), the solution of T·X = B (triangular cases) and the
2-norm condition number κ₂(A) = σ_max/σ_min (and Skeel's for solve cases) that bound the forward error the tests allow. Values are rounded to
the nearest double. Run: python3 packages/core/test/gen/factor-reference.py (needs mpmath; CI only reads the JSON).
"""
import json
import os
import random

import mpmath as mp

mp.mp.dps = 60


def rand_matrix(m, n, seed, lo=-1.0, hi=1.0):
    rng = random.Random(seed)
    return [[rng.uniform(lo, hi) for _ in range(n)] for _ in range(m)]


def flat(a):
    return [float(a[i, j]) for i in range(a.rows) for j in range(a.cols)]


def cond2(a):
    s = mp.svd_r(mp.matrix(a), compute_uv=False)
    s = [s[i] for i in range(len(s))]
    return float(max(s) / min(s))


def cond_skeel(a):
    """Skeel's condition number ‖ |A⁻¹|·|A| ‖_∞, which bounds the forward error of Gaussian elimination with
    partial pivoting independently of row scaling (Higham, Accuracy and Stability, §7.2)."""
    inv = mp.matrix(a) ** -1
    n = len(a)
    return float(max(sum(sum(abs(inv[i, k]) * abs(a[k][j]) for k in range(n)) for j in range(n)) for i in range(n)))


def record(name, kind, note, a, b=None, x=None, l=None, lower=None):
    rows = len(a)
    case = {"name": name, "kind": kind, "note": note, "n": rows, "a": [float(v) for r in a for v in r],
            "cond2": cond2(a)}
    if b is not None:
        case["k"] = len(b[0])
        case["b"] = [float(v) for r in b for v in r]
        case["x"] = flat(x)
    if l is not None:
        case["l"] = flat(l)
    if lower is not None:
        case["lower"] = lower
    return case


cases = []

# solve: A·X = B.
for name, a, note in [
    ("random-6", rand_matrix(6, 6, 101), "uniform(-1, 1), seed 101"),
    ("hilbert-7", [[1.0 / (i + j + 1) for j in range(7)] for i in range(7)], "fl(1/(i+j+1)), κ ≈ 4.8e8"),
    ("graded-5", [[v * 10.0 ** (-3 * i) for v in row] for i, row in enumerate(rand_matrix(5, 5, 102))],
     "diag(10^(-3i))·B, B seed 102: partial pivoting copes with row scaling"),
    ("scalar-1", [[-0.25]], "1×1"),
]:
    b = rand_matrix(len(a), 2, 200 + len(cases))
    x = mp.matrix(a) ** -1 * mp.matrix(b)
    c = record(name, "solve", note, a, b=b, x=x)
    c["condSkeel"] = cond_skeel(a)
    cases.append(c)

# cholesky: A = L·Lᵀ for SPD A (A is formed in float64, then factored exactly).
for name, bseed, n, shift, note in [
    ("spd-6", 111, 6, 1.0, "fl(B·Bᵀ) + I, B uniform(-1, 1) seed 111"),
    ("spd-ill-5", 112, 5, 1e-8, "fl(B·Bᵀ) + 1e-8·I, B 5×4 (nearly singular), seed 112"),
]:
    bm = rand_matrix(n, n if shift == 1.0 else n - 1, bseed)
    a = [[sum(bm[i][k] * bm[j][k] for k in range(len(bm[0]))) + (shift if i == j else 0.0) for j in range(n)]
         for i in range(n)]
    cases.append(record(name, "cholesky", note, a, l=mp.cholesky(mp.matrix(a))))
a = [[1.0 / (i + j + 1) for j in range(6)] for i in range(6)]
cases.append(record("hilbert-6", "cholesky", "fl(1/(i+j+1)), SPD, κ ≈ 1.5e7", a, l=mp.cholesky(mp.matrix(a))))

# triangular: T·X = B with T lower or upper (entries outside the triangle are set to 7 to check they are ignored).
for name, lower, seed in [("lower-6", True, 121), ("upper-6", False, 122)]:
    t = rand_matrix(6, 6, seed)
    for i in range(6):
        t[i][i] = 1.0 + abs(t[i][i])
    tri = [[t[i][j] if (j <= i if lower else j >= i) else 0.0 for j in range(6)] for i in range(6)]
    stored = [[t[i][j] if (j <= i if lower else j >= i) else 7.0 for j in range(6)] for i in range(6)]
    b = rand_matrix(6, 3, seed + 1000)
    x = mp.matrix(tri) ** -1 * mp.matrix(b)
    c = record(name, "triangular", "random triangle with diagonal 1 + |u|; the other triangle holds 7s", tri,
               b=b, x=x, lower=lower)
    c["a"] = [float(v) for r in stored for v in r]
    cases.append(c)

out = {
    "generator": "packages/core/test/gen/factor-reference.py",
    "method": "mpmath at 60 digits on the exact float64 inputs, rounded to the nearest double",
    "mpmath": mp.__version__,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "factor-reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
