#!/usr/bin/env python3
"""Reference singular values for packages/core/src/svd.test.ts (writes ../fixtures/svd-reference.json).

Each matrix is built in float64 (the exact doubles stored in the fixture are the input), then its singular values
are computed by mpmath's SVD at 60 significant digits and rounded to the nearest double. The cases are the hard
ones for an SVD: graded (column- and row-scaled), rank-deficient, nearly singular, Hilbert, Kahan, tall, wide,
1×1, zero and far-from-unit scales. Run: python3 packages/core/test/gen/svd-reference.py (needs mpmath; CI only
reads the JSON). Deterministic: Python's random with fixed seeds.
"""
import json
import math
import os
import random

import mpmath as mp

mp.mp.dps = 60


def rand_matrix(m, n, seed):
    rng = random.Random(seed)
    return [[rng.uniform(-1.0, 1.0) for _ in range(n)] for _ in range(m)]


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def orthogonal(n, seed):
    """A float64 orthogonal-ish matrix (Gram-Schmidt in mpmath, rounded): exact orthogonality is not needed,
    the fixture stores the product that is actually decomposed."""
    a = mp.matrix(rand_matrix(n, n, seed))
    q, _ = mp.qr(a)
    return [[float(q[i, j]) for j in range(n)] for i in range(n)]


def singular_values(a, dps):
    with mp.workdps(dps):
        s = mp.svd_r(mp.matrix(a), compute_uv=False)
        return sorted((+s[i] for i in range(len(s))), reverse=True)


cases = []


def add(name, a, kind, note, dps=60):
    """dps: mpmath's working digits; mpmath's SVD is accurate to about 10^-dps·σ_max, so a case whose σ span 10^-k
    needs dps > k + 30 for every σ to 30 digits."""
    m, n = len(a), len(a[0])
    s = singular_values(a, dps)
    cases.append({
        "name": name,
        "kind": kind,
        "note": note,
        "rows": m,
        "cols": n,
        "data": [float(x) for row in a for x in row],
        "singularValues": [float(x) for x in s],
        "singularValuesStr": [mp.nstr(x, 30) for x in s],
    })


# Graded columns A = B·D, B random (κ(B) modest), D = diag(10^(-2j)): σ from 1 down to 1e-10. One-sided Jacobi
# is accurate relative to each σ here (Demmel & Veselić 1992): the kind "graded" is tested relatively.
b = rand_matrix(8, 6, 11)
add("graded-columns-8x6", [[b[i][j] * 10.0 ** (-2 * j) for j in range(6)] for i in range(8)], "graded",
    "A = B·diag(10^(-2j)), B uniform(-1,1) seed 11")
b = rand_matrix(6, 9, 12)
add("graded-rows-wide-6x9", [[b[i][j] * 10.0 ** (-2 * i) for j in range(9)] for i in range(6)], "graded",
    "A = diag(10^(-2i))·B (wide: decomposed through Aᵀ, whose columns are graded), B seed 12")
b = rand_matrix(9, 5, 13)
add("graded-rows-tall-9x5", [[b[i][j] * 10.0 ** (-1.5 * i) for j in range(5)] for i in range(9)], "graded",
    "A = diag(10^(-1.5i))·B (tall, row-graded: needs the column-pivoted QR), B seed 13")
b = rand_matrix(7, 7, 14)
add("graded-both-7x7", [[b[i][j] * 10.0 ** (-i - j) for j in range(7)] for i in range(7)], "graded",
    "A = D·B·D with D = diag(10^(-i)), B seed 14")

# Graded down to 1e-300: σ below 2^-450·σ_max, where the squares and products of a column's entries underflow
# (one-sided Jacobi then works with the cosines of pairs and the ratios of norms, as LAPACK's dgesvj). mpmath at
# 360 digits.
b = rand_matrix(8, 6, 15)
add("graded-columns-extreme-8x6", [[b[i][j] * 10.0 ** (-60 * j) for j in range(6)] for i in range(8)], "graded",
    "A = B·diag(10^(-60j)), σ from 1 to 1e-300, B uniform(-1,1) seed 15", dps=360)
b = rand_matrix(9, 5, 16)
add("graded-rows-extreme-tall-9x5", [[b[i][j] * 10.0 ** (-35 * i) for j in range(5)] for i in range(9)], "graded",
    "A = diag(10^(-35i))·B, rows down to 1e-280, B seed 16", dps=360)
b = rand_matrix(7, 7, 17)
add("graded-both-extreme-7x7", [[b[i][j] * 10.0 ** (-25 * (i + j)) for j in range(7)] for i in range(7)], "graded",
    "A = D·B·D with D = diag(10^(-25i)), corner 1e-300, B seed 17", dps=360)
add("tiny-block-3x3", [[1.0, 0.0, 0.0], [0.0, 1e-170, 1e-170], [0.0, 0.0, 1e-170]], "graded",
    "diag(1, 1e-170·[[1, 1], [0, 1]]): σ = 1, 1e-170·(√5 ± 1)/2", dps=360)
b1, b2 = rand_matrix(3, 3, 18), rand_matrix(4, 4, 19)
block = [[0.0] * 7 for _ in range(7)]
for i in range(7):
    for j in range(7):
        # columns interleaved: the tiny block's columns are 1, 3, 5, 6
        big, tiny = [0, 2, 4], [1, 3, 5, 6]
        if i < 3 and j in big:
            block[i][j] = b1[i][big.index(j)]
        if i >= 3 and j in tiny:
            block[i][j] = b2[i - 3][tiny.index(j)] * 1e-200
add("tiny-random-block-7x7", block, "graded",
    "B₁ (3×3, seed 18) and 1e-200·B₂ (4×4, seed 19) on disjoint rows and interleaved columns", dps=360)

# Exactly rank-deficient: small integers X·Yᵀ (exact in float64), rank 3.
rng = random.Random(21)
x = [[float(rng.randint(-4, 4)) for _ in range(3)] for _ in range(8)]
y = [[float(rng.randint(-4, 4)) for _ in range(3)] for _ in range(6)]
add("rank3-integer-8x6", matmul(x, [list(r) for r in zip(*y)]), "rank", "X·Yᵀ, X 8×3 and Y 6×3 integers in [-4, 4], seed 21")
add("rank3-integer-wide-6x8", matmul(y, [list(r) for r in zip(*x)]), "rank", "transpose of the previous case")

# Nearly singular: U·diag(σ)·Vᵀ with prescribed σ (the float64 product is decomposed; its σ differ slightly).
u = orthogonal(6, 31)
v = orthogonal(5, 32)
sig = [1.0, 0.5, 1e-3, 1e-9, 1e-13]
usv = [[sum(u[i][k] * sig[k] * v[j][k] for k in range(5)) for j in range(5)] for i in range(6)]
add("nearly-singular-6x5", usv, "general", "U·diag(1, 0.5, 1e-3, 1e-9, 1e-13)·Vᵀ rounded to float64 (seeds 31, 32)")

# Hilbert 8×8 (float64 entries 1/(i+j+1)): κ ≈ 1.5e10.
add("hilbert-8", [[1.0 / (i + j + 1) for j in range(8)] for i in range(8)], "general", "H_ij = fl(1/(i+j+1))")

# Kahan matrix n = 30, θ = 1.2 (c = cos θ, s = sin θ): upper triangular, diag s^i, above -c·s^i; tiny σ_min.
c, s = math.cos(1.2), math.sin(1.2)
add("kahan-30", [[(s ** i if j == i else (-c * s ** i if j > i else 0.0)) for j in range(30)] for i in range(30)],
    "general", "Kahan's matrix, θ = 1.2: column-pivoted QR is needed to reveal its rank")

# Shapes.
add("tall-15x3", rand_matrix(15, 3, 41), "general", "uniform(-1, 1), seed 41")
add("wide-3x15", rand_matrix(3, 15, 42), "general", "uniform(-1, 1), seed 42")
add("column-10x1", rand_matrix(10, 1, 43), "general", "one column")
add("row-1x10", rand_matrix(1, 10, 44), "general", "one row")
add("scalar-1x1", [[-3.5]], "general", "σ = |a|")
add("zero-3x4", [[0.0] * 4 for _ in range(3)], "rank", "all σ = 0")
add("zero-column-5x4", [[(0.0 if j == 2 else x) for j, x in enumerate(row)] for row in rand_matrix(5, 4, 45)],
    "rank", "uniform(-1,1) seed 45 with column 2 zeroed: rank 3")

# Scales far from 1: the kernel scales by a power of two first, so neither ‖·‖² overflows nor underflows.
add("huge-6x4", [[x * 1e150 for x in row] for row in rand_matrix(6, 4, 51)], "general", "uniform(-1,1)·1e150, seed 51")
add("tiny-4x6", [[x * 1e-150 for x in row] for row in rand_matrix(4, 6, 52)], "general", "uniform(-1,1)·1e-150, seed 52")

# Output Jacobians J[i, k] = ∂f(x_i)/∂θ_k of 1-m-1 tanh nets f(x) = W2·tanh(W1·x + b1) + b2, θ = [W1, b1, W2, b2]
# (the order of docs/conventions.md#flat-parameter-order), at the exact-fit points of the public manifold reference (x and θ copied here as doubles).
# J is evaluated in mpmath from those doubles and rounded: the test decomposes the rounded J, whose singular
# values are the mpmath SVD of it. The second net has neuron 0 split into neurons 0 and 2 (same incoming weights),
# so three pairs of columns are parallel: rank 7 of 10, with three σ at rounding level.
def tanh_net_jacobian(x, theta, width):
    w1, b1, w2 = theta[0:width], theta[width:2 * width], theta[2 * width:3 * width]
    rows = []
    for xi in x:
        z = [mp.mpf(w1[j]) * mp.mpf(xi) + mp.mpf(b1[j]) for j in range(width)]
        t = [mp.tanh(v) for v in z]
        dt = [1 - v * v for v in t]
        row = [mp.mpf(w2[j]) * dt[j] * mp.mpf(xi) for j in range(width)]
        row += [mp.mpf(w2[j]) * dt[j] for j in range(width)]
        row += t + [mp.mpf(1)]
        rows.append([float(v) for v in row])
    return rows


GENERIC_X = [-1.9814814266864569, -1.5784572810064974, -0.69860137966911, -0.13952320236471083, 0.2629242041033222,
             0.3550372621589206, 0.38728946681647436, 0.4672300552951123, 1.1977137538059877, 1.9024887905141505]
GENERIC_THETA = [-5.344874114135939, 2.0928460839554153, 3.5864675249272207, -6.652467782783048, -1.743378643644294,
                 -0.862360626028068, 10.419710564858939, 2.012587223866056, -1.2382669500661703, -4.630544251558276,
                 1.071893916537775, 3.224754715976483, 2.9875426957100033, -0.5125783904030637, -0.5803666193665775,
                 2.1233876150111675, -5.177665966014304, 0.1286999155976694, -1.3649095873398276, 2.3130115142708934,
                 -3.6311383135367548, -3.4017067851654725, 3.258697766131198, 4.020692409596628, -1.0802949700629962,
                 -2.0250117063204254, 4.114457417913274, 1.0498460714279019, 0.8763191257439367, 6.257222105468166,
                 2.6024765103047605]
SPLIT_X = [-2.0, -1.5555555555555556, -1.1111111111111112, -0.6666666666666667, -0.22222222222222232,
           0.22222222222222232, 0.6666666666666665, 1.1111111111111107, 1.5555555555555554, 2.0]
SPLIT_THETA = [1.3, -0.7, 1.3, 0.4, 0.9, 0.4, 0.33, -0.8, 0.77, 0.2]
add("jacobian-tanh-1-10-1-10x31", tanh_net_jacobian(GENERIC_X, GENERIC_THETA, 10), "jacobian",
    "output Jacobian of a 1-10-1 tanh net at an exact fit of 10 points: full rank 10 (σ_min/σ_max ≈ 2e-3)")
add("jacobian-tanh-split-1-3-1-10x10", tanh_net_jacobian(SPLIT_X, SPLIT_THETA, 3), "jacobian",
    "output Jacobian of a 1-3-1 tanh net whose neurons 0 and 2 share incoming weights: rank 7")

out = {
    "generator": "packages/core/test/gen/svd-reference.py",
    "method": "mpmath.svd_r at 60 digits on the exact float64 input, rounded to the nearest double",
    "mpmath": mp.__version__,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "svd-reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
