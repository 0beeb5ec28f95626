#!/usr/bin/env python3
"""Independent high-precision reference values for @losscape/spectra (Pennington–Bahri models).

Run:  python3 packages/spectra/test/gen/pennington_bahri.py > packages/spectra/test/fixtures/pb-generated.json
Needs mpmath and sympy. CI never runs this script: its output JSON is committed.

Method (deliberately different from the TypeScript engine, which picks roots by the subordination equations,
finds edges from the critical points of K = G^-1 and integrates with an exact antiderivative):
- the Stieltjes polynomial P(G; z) is written out from the explicit coefficients of docs/conventions.md#spectral-models;
- the physical root at a real lambda is followed by continuation from z = lambda + 10i (where G ~ 1/z) down to
  z = lambda + 1e-40 i, taking the nearest root at each of 240 geometric steps (mpmath polyroots, 40 digits);
- support edges are the real roots of the discriminant of P in G (sympy, exact in phi and eps), classified by the
  density at the midpoints between them;
- the index alpha is mpmath's tanh-sinh quadrature of the density over the negative part of the support;
- the atom at 0 is lim_{eta->0} Re(i*eta*G(i*eta)) at eta = 1e-30;
- eps_c is the root in eps of the discriminant of P(G; 0), checked to make the lower edge vanish, beside the
  paper's closed form.
"""
import json
import sys
from fractions import Fraction

import mpmath as mp
import sympy as sp

mp.mp.dps = 40
G, Z = sp.symbols("G z")


def poly(model, phi, eps):
    if model == "wigner":
        return -2 * eps * phi * G**3 + (2 * eps + phi * Z) * G**2 + (1 - phi - Z) * G + 1
    return (-eps * phi**3 * Z * G**4 + (eps * phi**3 + eps * phi**2 * Z - 2 * eps * phi**2) * G**3
            + (eps * phi - eps * phi**2 + 2 * phi * Z) * G**2 + (2 - 2 * phi - 2 * Z) * G + 2)


class Model:
    def __init__(self, model, phi, eps):
        self.model, self.phi, self.eps = model, phi, eps
        P = sp.Poly(poly(model, sp.Rational(phi), sp.Rational(eps)), G)
        # coefficients as polynomials in z (highest degree first)
        self.coeffs = [sp.lambdify(Z, c, "mpmath") for c in P.all_coeffs()]
        self.P = P

    def roots(self, z):
        cs = [mp.mpc(c(z)) for c in self.coeffs]
        while cs and abs(cs[0]) == 0:
            cs = cs[1:]
        return mp.polyroots(cs, maxsteps=400, extraprec=200)

    def G(self, lam, eta_final=mp.mpf("1e-40")):
        # Follow the root from z = lam + 10i (nearest to 1/z) down to lam + eta_final*i. A step is accepted only if
        # the nearest root is at most a quarter as far as the second nearest (no ambiguity); otherwise it is halved.
        eta = mp.mpf(10)
        rts = self.roots(mp.mpc(lam, eta))
        g = min(rts, key=lambda r: abs(r - 1 / mp.mpc(lam, eta)))
        ratio = mp.mpf("0.3")
        while eta > eta_final:
            nxt = max(eta * ratio, eta_final)
            rts = self.roots(mp.mpc(lam, nxt))
            d = sorted(abs(r - g) for r in rts)
            if len(d) > 1 and d[0] > d[1] / 4 and ratio < mp.mpf("0.999"):
                ratio = 1 - (1 - ratio) / 2
                continue
            g = min(rts, key=lambda r: abs(r - g))
            eta = nxt
            ratio = max(mp.mpf("0.05"), ratio * ratio) if d[0] < d[1] / 100 else ratio
        return g

    def density(self, lam):
        g = self.G(lam)
        return max(mp.mpf(0), -g.imag / mp.pi)

    def edges(self):
        disc = sp.Poly(sp.discriminant(self.P.as_expr(), G), Z)
        cs = [mp.mpf(sp.Rational(c)) if c.is_Rational else mp.mpf(c) for c in disc.all_coeffs()]
        rts = mp.polyroots(cs, maxsteps=400, extraprec=400)
        real = sorted({mp.nstr(r.real, 35): r.real for r in rts if abs(r.imag) < mp.mpf("1e-25")}.values())
        return real

    def support(self):
        cand = self.edges()
        if self.model == "relu":
            cand = sorted(set(cand) | {mp.mpf(0)})
        iv = []
        for a, b in zip(cand[:-1], cand[1:]):
            if b - a < mp.mpf("1e-30"):
                continue
            if self.density((a + b) / 2) > mp.mpf("1e-20"):
                if iv and iv[-1][1] == a:
                    iv[-1][1] = b
                else:
                    iv.append([a, b])
        return iv

    def atom(self):
        eta = mp.mpf("1e-30")
        g = self.G(0, eta)
        m = (mp.mpc(0, eta) * g).real
        return m if m > mp.mpf("1e-12") else mp.mpf(0)

    def alpha(self, iv):
        s = mp.mpf(0)
        mp.mp.dps = 20
        try:
            for a, b in iv:
                if a >= 0:
                    continue
                s += mp.quad(self.density, [a, min(b, mp.mpf(0))])
        finally:
            mp.mp.dps = 40
        return s


def eps_c_closed(model, phi):
    if model == "wigner":
        return (1 - 20 * phi - 8 * phi**2 + (1 + 8 * phi) ** mp.mpf(1.5)) / 16
    xi = 1 + 16 * phi - 8 * phi**2
    return (27 - 18 * xi - xi**2 + 8 * xi ** mp.mpf(1.5)) / (32 * phi * (1 - phi) ** 3)


def eps_c_numeric(model, phi):
    E = sp.symbols("e", positive=True)
    P = sp.Poly(poly(model, sp.Rational(phi), E).subs(Z, 0), G)
    disc = sp.Poly(sp.factor(sp.discriminant(P.as_expr(), G)), E)
    cs = [mp.mpf(sp.Rational(c)) for c in disc.all_coeffs()]
    rts = [r.real for r in mp.polyroots(cs, maxsteps=400, extraprec=400) if abs(r.imag) < mp.mpf("1e-25") and r.real > 0]
    for e in sorted(rts):
        m = Model(model, phi, Fraction(mp.nstr(e, 35, strip_zeros=False)))
        iv = m.support()
        if iv and abs(iv[0][0]) < mp.mpf("1e-20"):
            return e
    return None


def main():
    out = {"generator": "packages/spectra/test/gen/pennington_bahri.py", "dps": 40, "cases": [], "eps_c": []}
    phis = [Fraction(1, 10), Fraction(1, 2), Fraction(9, 10), Fraction(1), Fraction(6, 5), Fraction(2), Fraction(3)]
    epss = [Fraction(1, 200), Fraction(1, 20), Fraction(3, 10)]
    for model in ["wigner", "relu"]:
        for phi in phis:
            for eps in epss:
                m = Model(model, phi, eps)
                iv = m.support()
                dens = []
                for a, b in iv:
                    for t in [mp.mpf(1) / 7, mp.mpf(1) / 2, mp.mpf(5) / 6]:
                        lam = a + (b - a) * t
                        dens.append({"lambda": float(lam), "lambda_str": mp.nstr(lam, 30), "rho": float(m.density(lam))})
                lo = iv[0][0]
                hi = iv[-1][1]
                for lam in [lo - (hi - lo) / 10, hi + (hi - lo) / 10]:
                    dens.append({"lambda": float(lam), "lambda_str": mp.nstr(lam, 30), "rho": float(m.density(lam))})
                case = {
                    "model": model, "phi": float(phi), "eps": float(eps),
                    "support": [[float(a), float(b)] for a, b in iv],
                    "atom": float(m.atom()),
                    "alpha": float(m.alpha(iv)),
                    "density": dens,
                }
                out["cases"].append(case)
                print(model, float(phi), float(eps), case["support"], case["atom"], case["alpha"], file=sys.stderr)
        for phi in [Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)]:
            e = eps_c_numeric(model, phi)
            out["eps_c"].append({"model": model, "phi": float(phi), "eps_c": float(e) if e is not None else None,
                                 "eps_c_str": mp.nstr(e, 30) if e is not None else None,
                                 "eps_c_closed_form": float(eps_c_closed(model, mp.mpf(phi.numerator) / phi.denominator))})
            print(out["eps_c"][-1], file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
