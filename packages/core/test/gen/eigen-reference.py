#!/usr/bin/env python3
"""Generate packages/core/test/fixtures/eigen-reference.json: symmetric test matrices and their eigenvalues.

The matrices are float64 (written with repr, so JSON round-trips them exactly); the eigenvalues are those of the
stored float64 matrix, computed by mpmath.eigsy at 50 significant digits and written as 30-digit decimal strings,
so they are reference values independent of any float64 eigensolver. Cases whose eigenvalues are all simple (relative
gap > 1e-6) also carry the reference eigenvectors ("vectors", row-major, columns in ascending order, rounded to
float64; each is determined up to sign). Run from the repository root:

    python3 packages/core/test/gen/eigen-reference.py

Needs numpy and mpmath (CI does not: the JSON is committed). Deterministic (seeded).
"""
import json
import os

import mpmath
import numpy as np

mpmath.mp.dps = 50
rng = np.random.default_rng(20261124)


def sym(a):
    a = np.asarray(a, dtype=np.float64)
    return (a + a.T) / 2


def random_orthogonal(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def with_spectrum(values):
    q = random_orthogonal(len(values))
    return sym(q @ np.diag(values) @ q.T)


def wilkinson(n):
    m = (n - 1) // 2
    a = np.diag(np.abs(np.arange(-m, m + 1, dtype=np.float64)))
    for i in range(n - 1):
        a[i, i + 1] = a[i + 1, i] = 1.0
    return a


cases = {}
cases["1x1"] = np.array([[-3.5]])
cases["2x2"] = np.array([[2.0, 1.0], [1.0, 2.0]])
cases["2x2-offdiagonal"] = np.array([[0.0, 1e-3], [1e-3, 0.0]])
cases["zero-4x4"] = np.zeros((4, 4))
cases["diagonal-6x6"] = np.diag([3.0, -1.0, 0.0, 2.5, -7.0, 1e-8])
cases["wilkinson-21"] = wilkinson(21)  # W21+: pairs of eigenvalues agreeing to ~1e-15 at the top
cases["wilkinson-11"] = wilkinson(11)
cases["clustered-10"] = with_spectrum([1, 1 + 1e-10, 1 + 2e-10, 1 + 3e-10, 2, 2, 2, -1, 5, 5 + 1e-14])
cases["repeated-8"] = with_spectrum([2, 2, 2, 2, -3, -3, 7, 7])
b = rng.standard_normal((9, 3))
cases["rank3-9x9"] = sym(b @ b.T)  # positive semidefinite, rank 3: six zero eigenvalues
g = np.diag(10.0 ** -np.arange(8))
cases["graded-8"] = sym(g @ sym(rng.standard_normal((8, 8))) @ g)  # entries from 1 down to 1e-14
cases["hilbert-8"] = np.array([[1.0 / (i + j + 1) for j in range(8)] for i in range(8)])
cases["random-15"] = sym(rng.standard_normal((15, 15)))
cases["indefinite-tridiagonal-12"] = np.diag(np.full(12, 2.0)) - np.diag(np.ones(11), 1) - np.diag(np.ones(11), -1) - 1.5 * np.eye(12)

out = {
    "generator": "packages/core/test/gen/eigen-reference.py",
    "method": "mpmath.eigsy at mp.dps = 50 on the exact float64 matrix; eigenvalues ascending, 30 digits; vectors for simple spectra",
    "cases": [],
}
for name, a in cases.items():
    a = np.asarray(a, dtype=np.float64)
    assert np.array_equal(a, a.T)
    n = a.shape[0]
    e, q = mpmath.eigsy(mpmath.matrix(a.tolist()))
    order = sorted(range(n), key=lambda i: e[i])
    values = [e[i] for i in order]
    case = {
        "name": name,
        "n": int(n),
        "a": [float(x) for x in a.ravel()],
        "eigenvalues": [mpmath.nstr(v, 30, min_fixed=1, max_fixed=0) for v in values],
    }
    # Reference eigenvectors (row-major, columns ascending) when every eigenvalue is simple with a relative gap
    # above 1e-6: then each eigenvector is determined up to sign, and the test compares up to sign.
    scale = max(abs(v) for v in values) or 1
    gaps = [min([abs(values[i] - values[j]) for j in range(n) if j != i] or [mpmath.inf]) for i in range(n)]
    if all(g > 1e-6 * scale for g in gaps):
        vec = [[float(q[r, order[c]]) for c in range(n)] for r in range(n)]
        case["vectors"] = [x for row in vec for x in row]
    out["cases"].append(case)

path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "eigen-reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path), len(out["cases"]), "cases")
