#!/usr/bin/env python3
"""Densities next to support edges (distance 1e-12, 1e-9, 1e-6 inside), 40 digits, for @losscape/spectra.

Run:  python3 packages/spectra/test/gen/near_edges.py > packages/spectra/test/fixtures/pb-near-edges.json
Uses the Model class of pennington_bahri.py (continuation from i*inf, discriminant edges). Hard edges (the ReLU
model at phi = 2, rho ~ 1/(2 pi sqrt(lambda)) at 0+) are included.
"""
import json
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pennington_bahri import Model, mp, Fraction  # noqa: E402


def main():
    out = []
    for model, phi, eps in [("wigner", Fraction(1, 4), Fraction(1, 10)), ("relu", Fraction(3, 2), Fraction(1, 100)),
                            ("relu", Fraction(2), Fraction(1, 20)), ("wigner", Fraction(3), Fraction(1, 20))]:
        m = Model(model, phi, eps)
        for a, b in m.support():
            for d in ["1e-12", "1e-9", "1e-6"]:
                # Evaluate at the float64 point itself, so the test compares the same λ.
                for lam in [mp.mpf(float(a + mp.mpf(d))), mp.mpf(float(b - mp.mpf(d)))]:
                    out.append({"model": model, "phi": float(phi), "eps": float(eps), "lambda": float(lam),
                                "lambda_str": mp.nstr(lam, 30), "rho": float(m.density(lam))})
                    print(out[-1], file=sys.stderr)
    json.dump({"generator": "packages/spectra/test/gen/near_edges.py", "dps": 40, "points": out}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
