"""Reference values of the Pennington-Bahri closed forms of eps_c(phi) near phi = 1, at 80 significant digits.

Evaluates the paper's forms as printed (eqs. (15) and (18)): their (1 - phi)^3 cancellation costs ~3*log10(1/(1 - phi))
digits, harmless at this precision. phi is taken as the exact float64 value the test passes. Writes
test/fixtures/critical-energy-near-one.json. Run: python3 packages/spectra/test/gen/critical_energy_near_one.py
"""
import json
import os

import mpmath

mpmath.mp.dps = 80

PHIS = [0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999, 0.9999999, 1 - 1e-8]


def wigner(phi):
    p = mpmath.mpf(phi)
    return (1 - 20 * p - 8 * p**2 + (1 + 8 * p) ** mpmath.mpf(1.5)) / 16


def relu(phi):
    p = mpmath.mpf(phi)
    xi = 1 + 16 * p - 8 * p**2
    return (27 - 18 * xi - xi**2 + 8 * xi ** mpmath.mpf(1.5)) / (32 * p * (1 - p) ** 3)


cases = [{"model": m, "phi": phi, "epsC": mpmath.nstr(f(phi), 30)} for m, f in (("wigner", wigner), ("relu", relu)) for phi in PHIS]
out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "critical-energy-near-one.json")
with open(out, "w") as fh:
    json.dump({"generator": "test/gen/critical_energy_near_one.py", "dps": 80, "cases": cases}, fh, indent=1)
    fh.write("\n")
