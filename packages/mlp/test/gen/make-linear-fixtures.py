"""Closed-form critical points of linear networks and their exact Hessian spectra, computed with numpy independently of
losscape: packages/mlp/test/fixtures/linear-critical-points.json (run from the repository root:
python3 packages/mlp/test/gen/make-linear-fixtures.py).

For each case (widths, bias, seeded Gaussian data) and each index set I of the eigenvalues of
Σ = Σ_YX Σ_XX⁻¹ Σ_XY (|I| ≤ the narrowest hidden width), the point is built from the formulas of
docs/conventions.md#linear-networks (balanced factorisation of U_I U_Iᵀ Σ_YX Σ_XX⁻¹ by numpy's SVD), and its Hessian
is assembled entry by entry from the multilinear form of the net: with Ŵˡ = [[Wˡ, bˡ], [0, 1]] the outputs are
F = [X, 1]·Ŵ¹ᵀ⋯Ŵᴸᵀ (last column dropped), ∂F/∂θₐ replaces the layer of θₐ by its unit matrix and ∂²F/∂θₐ∂θ_b
(different layers) replaces both, so H = (1/n)(JᵀJ + Σ residual·∂²F) exactly, without differentiation code in common
with losscape. Balanced factorisations are unique up to orthogonal maps of the hidden layers, which leave the
Hessian spectrum unchanged, so the eigenvalues compare with losscape's at its own representative.
"""
import itertools
import json

import numpy as np

CASES = [
    {"name": "1-hidden [3,2,3]", "widths": [3, 2, 3], "bias": False, "seed": 11, "n": 20},
    {"name": "1-hidden [4,3,3] bias", "widths": [4, 3, 3], "bias": True, "seed": 12, "n": 24},
    {"name": "2-hidden [3,2,2,3]", "widths": [3, 2, 2, 3], "bias": False, "seed": 13, "n": 20},
    {"name": "2-hidden [3,3,2,3] bias", "widths": [3, 3, 2, 3], "bias": True, "seed": 14, "n": 20},
]


def layers_to_theta(Ws, bs, bias):
    parts = []
    for W, b in zip(Ws, bs):
        parts.append(W.ravel())  # row-major, docs/conventions.md#flat-parameter-order
        if bias:
            parts.append(b)
    return np.concatenate(parts)


def slots(widths, bias):
    """(layer, row, col) of every parameter in θ order; col = fan_in is the bias column of Ŵ."""
    out = []
    for l in range(len(widths) - 1):
        for i in range(widths[l + 1]):
            for j in range(widths[l]):
                out.append((l, i, j))
        if bias:
            for i in range(widths[l + 1]):
                out.append((l, i, widths[l]))
    return out


def augmented(widths, theta, bias):
    Ws, k = [], 0
    for l in range(len(widths) - 1):
        m, f = widths[l + 1], widths[l]
        A = np.zeros((m + 1, f + 1))
        A[:m, :f] = theta[k : k + m * f].reshape(m, f)
        k += m * f
        if bias:
            A[:m, f] = theta[k : k + m]
            k += m
        A[m, f] = 1.0
        Ws.append(A)
    return Ws


def unit(widths, l, i, j):
    E = np.zeros((widths[l + 1] + 1, widths[l] + 1))
    E[i, j] = 1.0
    return E


def outputs(mats, X1):
    P = X1.T
    for A in mats:
        P = A @ P
    return P[:-1].T  # n × d_out


def loss_grad_hessian(widths, theta, bias, X, Y):
    n = X.shape[0]
    X1 = np.hstack([X, np.ones((n, 1))])
    Ws = augmented(widths, theta, bias)
    S = slots(widths, bias)
    M = len(S)
    r = outputs(Ws, X1) - Y
    J = np.empty((M,) + r.shape)
    for a, (l, i, j) in enumerate(S):
        mats = list(Ws)
        mats[l] = unit(widths, l, i, j)
        J[a] = outputs(mats, X1)
    H = np.einsum("aij,bij->ab", J, J) / n
    for a, (la, ia, ja) in enumerate(S):
        for b in range(a + 1, M):
            lb, ib, jb = S[b]
            if la == lb:
                continue
            mats = list(Ws)
            mats[la] = unit(widths, la, ia, ja)
            mats[lb] = unit(widths, lb, ib, jb)
            v = np.sum(r * outputs(mats, X1)) / n
            H[a, b] += v
            H[b, a] += v
    g = np.einsum("aij,ij->a", J, r) / n
    return 0.5 * np.sum(r * r) / n, g, H


def critical_points(widths, bias, X, Y):
    n = X.shape[0]
    d_out = widths[-1]
    L = len(widths) - 1
    p = min(widths[1:-1])
    xm = X.mean(0) if bias else np.zeros(X.shape[1])
    ym = Y.mean(0) if bias else np.zeros(d_out)
    Xc, Yc = X - xm, Y - ym
    Sxx = Xc.T @ Xc / n
    Syx = Yc.T @ Xc / n
    trSyy = np.sum(Yc * Yc) / n
    Bt = np.linalg.solve(Sxx, Syx.T).T  # Σ_YX Σ_XX⁻¹
    lam, U = np.linalg.eigh(Bt @ Syx.T)
    lam, U = lam[::-1], U[:, ::-1]
    pts = []
    for r in range(min(p, d_out) + 1):
        for I in itertools.combinations(range(d_out), r):
            I = list(I)
            Ws = [np.zeros((widths[l + 1], widths[l])) for l in range(L)]
            bs = [np.zeros(widths[l + 1]) for l in range(L)]
            W = np.zeros((d_out, X.shape[1]))
            if r > 0:
                UI = U[:, I]
                A = UI.T @ Bt  # r × d_in
                Q, s, Vt = np.linalg.svd(A, full_matrices=False)
                root = s ** (1.0 / L)
                Ws[-1][:, :r] = (UI @ Q) * root
                for l in range(1, L - 1):
                    Ws[l][:r, :r] = np.diag(root)
                Ws[0][:r, :] = root[:, None] * Vt
                W = UI @ A
            bs[-1] = ym - W @ xm
            theta = layers_to_theta(Ws, bs, bias)
            R, g, H = loss_grad_hessian(widths, theta, bias, X, Y)
            closed = 0.5 * (trSyy - lam[I].sum())
            assert abs(R - closed) <= 1e-12 * closed, (I, R, closed)
            assert np.linalg.norm(g) <= 1e-12, (I, np.linalg.norm(g))
            pts.append(
                {
                    "indices": I,
                    "loss": closed,
                    "grad_norm": float(np.linalg.norm(g)),
                    "hessian_eigenvalues": np.linalg.eigvalsh(H).tolist(),
                }
            )
    return lam, pts


out = {
    "source": "packages/mlp/test/gen/make-linear-fixtures.py (numpy float64, independent of losscape)",
    "cases": [],
}
for case in CASES:
    rng = np.random.default_rng(case["seed"])
    d_in, d_out = case["widths"][0], case["widths"][-1]
    X = rng.standard_normal((case["n"], d_in))
    Y = X @ rng.standard_normal((d_in, d_out)) * 0.5 + rng.standard_normal((case["n"], d_out))
    lam, pts = critical_points(case["widths"], case["bias"], X, Y)
    out["cases"].append(
        {
            "name": case["name"],
            "widths": case["widths"],
            "bias": case["bias"],
            "x": X.tolist(),
            "y": Y.tolist(),
            "eigenvalues": lam.tolist(),
            "points": pts,
        }
    )

with open("packages/mlp/test/fixtures/linear-critical-points.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", sum(len(c["points"]) for c in out["cases"]), "points")
