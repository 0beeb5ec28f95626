"""σ, σ′, σ″ of every activation of packages/mlp/src/activation-table.ts at 50 digits with mpmath, rounded to the
nearest double: packages/mlp/test/fixtures/activations.json (run from the repository root:
python3 packages/mlp/test/gen/make-activation-fixtures.py).

The functions are written here from their definitions, independently of the table's formulas; the derivatives of
the smooth ones by mpmath's numerical differentiation at 50 digits (mp.diff), those of the piecewise-linear ones
by hand (at the kink z = 0 the left derivative, the table's convention). A new activation needs its definition in
DEFINITIONS below; activation-table.test.ts fails for a table entry without fixtures.
"""
import json
from mpmath import mp, mpf

mp.dps = 50

LEAKY_SLOPE = mpf("0.01")  # the table's default parameter, and the value the fixtures use

def ramp(slope):
    return (lambda z: z if z > 0 else slope * z, lambda z: mpf(1) if z > 0 else slope, lambda z: mpf(0))

def smooth(f):
    return (f, lambda z: mp.diff(f, z, 1), lambda z: mp.diff(f, z, 2))

ncdf = lambda z: (1 + mp.erf(z / mp.sqrt(2))) / 2

DEFINITIONS = {
    "linear": (lambda z: z, lambda z: mpf(1), lambda z: mpf(0)),
    "tanh": smooth(mp.tanh),
    "sigmoid": smooth(lambda z: 1 / (1 + mp.exp(-z))),
    "softplus": smooth(lambda z: mp.log(1 + mp.exp(z))),
    "relu": ramp(mpf(0)),
    "leaky-relu": ramp(LEAKY_SLOPE),
    "gelu": smooth(lambda z: z * ncdf(z)),
    "quadratic": (lambda z: z * z, lambda z: 2 * z, lambda z: mpf(2)),
    "sin": smooth(mp.sin),
    "silu": smooth(lambda z: z / (1 + mp.exp(-z))),
}

POINTS = [-30, -12, -5.5, -3, -1.7, -1, -0.45, -0.01, -1e-6, 0, 1e-6, 0.01, 0.3, 0.9, 1.3, 2.2, 4, 7.5, 15, 35]

out = {
    "source": "packages/mlp/test/gen/make-activation-fixtures.py (mpmath, 50 digits, rounded to double)",
    "param": {"leaky-relu": float(LEAKY_SLOPE)},
    "activations": {
        name: [[float(f(mpf(z))), float(d1(mpf(z))), float(d2(mpf(z)))] for z in POINTS]
        for name, (f, d1, d2) in DEFINITIONS.items()
    },
}
# one line per point: [z, σ, σ′, σ″]
lines = ",\n".join(
    f'  "{name}": [\n' + ",\n".join("    " + json.dumps([z] + row) for z, row in zip(POINTS, rows)) + "\n  ]"
    for name, rows in out["activations"].items()
)
with open("packages/mlp/test/fixtures/activations.json", "w") as fh:
    fh.write('{\n "source": %s,\n "param": %s,\n "activations": {\n%s\n }\n}\n' % (json.dumps(out["source"]), json.dumps(out["param"]), lines))
