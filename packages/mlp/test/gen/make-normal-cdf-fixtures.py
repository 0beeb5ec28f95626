"""Reference values of the standard normal CDF Φ and density φ, of gelu σ(z) = z·Φ(z), σ′(z) = Φ(z) + z·φ(z) and
σ″(z) = φ(z)·(2 − z²), and of erf, at
50 digits with mpmath, rounded to the nearest double (subnormals included): packages/mlp/test/fixtures/normal-cdf.json
(run from the repository root: python3 packages/mlp/test/gen/make-normal-cdf-fixtures.py). special-functions.test.ts
checks normalCdf, normalPdf, erf, gelu and the kernels' gelu against it.

With --knots it prints instead the Mills ratios R(a) = Q(a)/φ(a), a = 1, 1.5, …, 6, that special-functions.ts (both
of them) store as MILLS_AT_KNOTS.

The grid: z from −37.5 (Φ ≈ 4.7e-308, about the smallest normal double) to 8 (Φ = 1 − 6e-16), every 0.1, and every
0.02 on [−6, 2]; the points where the algorithm changes branch (|z| = 0.75, the knots z = −1, −1.5, …, −6, the
Taylor / continued-fraction switch at z = −6) and the old one's break at z/√2 = −3, each with its neighbours one ulp
away; a few points where Φ is subnormal or 0 (z < −37.5) and where it rounds to 1. erf: every 0.02 on [−6, 6], and
its own branch point |x|·√2 = 0.75 with neighbours.
"""
import json
import math
import sys

from mpmath import mp, mpf

mp.dps = 50

SQRT1_2 = 0.7071067811865476  # Math.SQRT1_2
SQRT2 = 1.4142135623730951  # Math.SQRT2


def Phi(z):
    return mp.erfc(-mpf(z) / mp.sqrt(2)) / 2


def phi(z):
    return mp.exp(-mpf(z) ** 2 / 2) / mp.sqrt(2 * mp.pi)


def mills(x):
    return Phi(-x) / phi(x)


def to_double(x):
    """The double nearest to x, subnormals included (float() would round to 53 bits first, then to the subnormal)."""
    if x == 0:
        return 0.0
    if abs(x) < mpf(2) ** -1022:
        return math.ldexp(int(mp.nint(x * mpf(2) ** 1074)), -1074)
    return float(x)


def with_neighbours(x):
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


if "--knots" in sys.argv:
    print(",\n".join(repr(to_double(mills(mpf(j) / 2))) for j in range(2, 13)))
    sys.exit(0)

# the old algorithm's break: the largest z with z·SQRT1_2 ≤ −3 in double arithmetic
old_break = -3 * SQRT2
while old_break * SQRT1_2 > -3:
    old_break = math.nextafter(old_break, -math.inf)
while math.nextafter(old_break, math.inf) * SQRT1_2 <= -3:
    old_break = math.nextafter(old_break, math.inf)

zs = {round(-37.5 + 0.1 * k, 10) for k in range(456)}
zs |= {round(-6 + 0.02 * k, 10) for k in range(401)}
for b in [-0.75, 0.75, old_break] + [-j / 2 for j in range(2, 13)]:
    zs |= set(with_neighbours(b))
zs |= {-37.6, -37.8, -38.0, -38.2, -38.4, -38.45, -38.5, -39.0, -40.0, 8.3, 9.0, 40.0}
zs |= {0.0, 1e-300, -1e-300, 1e-8, -1e-8}
zs = sorted(zs)

xs = {round(-6 + 0.02 * k, 10) for k in range(601)}
for b in [0.75 * SQRT1_2, -0.75 * SQRT1_2]:
    xs |= set(with_neighbours(b))
xs = sorted(xs)

rows = []
for z in zs:
    c, p = Phi(z), phi(z)
    rows.append([z, to_double(c), to_double(z * c), to_double(c + z * p), to_double(p), to_double(p * (2 - mpf(z) ** 2))])
erf_rows = [[x, to_double(mp.erf(mpf(x)))] for x in xs]

source = "packages/mlp/test/gen/make-normal-cdf-fixtures.py (mpmath, 50 digits, rounded to the nearest double)"
with open("packages/mlp/test/fixtures/normal-cdf.json", "w") as fh:
    fh.write("{\n")
    fh.write(' "source": %s,\n' % json.dumps(source))
    fh.write(' "oldBreak": %s,\n' % json.dumps(old_break))
    fh.write(' "columns": ["z", "Phi(z)", "z*Phi(z)", "Phi(z) + z*phi(z)", "phi(z)", "phi(z)*(2 - z*z)"],\n')
    fh.write(' "normalCdf": [\n' + ",\n".join("  " + json.dumps(r) for r in rows) + "\n ],\n")
    fh.write(' "erf": [\n' + ",\n".join("  " + json.dumps(r) for r in erf_rows) + "\n ]\n")
    fh.write("}\n")
print(f"{len(rows)} normalCdf rows, {len(erf_rows)} erf rows")
