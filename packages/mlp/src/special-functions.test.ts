import { readFileSync } from "node:fs";
import { BACKENDS, init, kernels, loadWasm, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATION_CODES, activationDerivatives } from "./activations.js";
import { jacobian } from "./network.js";
import { erf, normalCdf, normalPdf } from "./special-functions.js";

/**
 * mpmath (50 digits) values rounded to the nearest double, subnormals included: test/gen/make-normal-cdf-fixtures.py.
 * normalCdf rows [z, Φ(z), z·Φ(z), Φ(z) + z·φ(z), φ(z), φ(z)·(2 − z²)] for z from −40 to 40 (dense on [−37.5, 8], with every branch
 * point of the algorithm and of the old one ± 1 ulp); erf rows [x, erf(x)] on [−6, 6].
 */
const FIXTURES = JSON.parse(readFileSync(new URL("../test/fixtures/normal-cdf.json", import.meta.url), "utf8")) as {
  oldBreak: number;
  normalCdf: [number, number, number, number, number, number][];
  erf: [number, number][];
};
const ROWS = FIXTURES.normalCdf;

const EPS = 2 ** -52; // the spacing of doubles at 1: a relative error of 4·EPS = 8.9e-16 is at most 4 ulps
const TINY = 2 ** -1074; // the spacing of the subnormals
const MIN_NORMAL = 2 ** -1022;

/**
 * The bound on the relative error of Φ and σ = z·Φ: 4·EPS. The evaluation rounds about half a dozen times (R(a) at a
 * knot, the Taylor sum or the continued fraction, e^{−xh²/2} by the libm (≤ 1 ulp, V8's or AssemblyScript's), three
 * products); the largest errors observed are 1.8·EPS on this fixture and 2.6·EPS on 95 000 random points, the same in
 * TypeScript and WASM (whose results differ only through Math.exp: by 2.0·EPS at most on those points). Where the reference is subnormal
 * (z < −37.5) one step TINY more: the last product rounds to the subnormal grid.
 */
const REL = 4 * EPS;

/** max over rows of |got − ref| / bound (≤ 1 passes; an exact value 0, a NaN ∞), with the row where it is largest. */
function worst(rows: readonly number[][], got: (row: number[]) => number, ref: (row: number[]) => number, bound: (row: number[]) => number) {
  let max = 0;
  let at = NaN;
  for (const row of rows) {
    const d = Math.abs(got(row) - ref(row));
    const e = d === 0 ? 0 : Number.isNaN(d) ? Infinity : d / bound(row);
    if (e > max) {
      max = e;
      at = row[0];
    }
  }
  return { max, at };
}

const relBound = (ref: number) => REL * Math.abs(ref) + (Math.abs(ref) < MIN_NORMAL ? TINY : 0);

/** σ = z·Φ: Φ's bound times |z|, plus the product's rounding (one step TINY when σ is subnormal too). */
const sigmaBound = ([z, c, v]: number[]) => REL * Math.abs(v) + (c < MIN_NORMAL ? (Math.abs(z) + 1) * TINY : 0);

/**
 * σ′ = Φ + z·φ: 4 ulps of each term (Φ and φ are each within 4·EPS, and the product and the sum round once each);
 * σ′ changes sign at z ≈ −0.75, so the bound is on the two terms' magnitudes, not on σ′'s.
 */
const derivBound = ([z, c, , , ph]: number[]) => REL * (c + Math.abs(z) * ph) + (ph < MIN_NORMAL ? (Math.abs(z) + 2) * TINY : 0);

/** σ″ = φ·(2 − z²): φ's 4 ulps and the rounding of 2 − z² and of the product, on the terms' magnitudes φ·(2 + z²). */
const secondBound = ([z, , , , ph]: number[]) => REL * ph * (2 + z * z) + (ph < MIN_NORMAL ? (z * z + 2) * TINY : 0);

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe("normalCdf (Φ)", () => {
  it("equals mpmath's to 4 ulps relative wherever Φ is a normal double (z ≥ −37.5), one subnormal step more below", () => {
    const w = worst(ROWS, ([z]) => normalCdf(z), ([, c]) => c, ([, c]) => relBound(c));
    expect(w.max, `normalCdf(${w.at}): error / bound`).toBeLessThanOrEqual(1);
    // Φ underflows to 0 below z ≈ −38.5 and rounds to 1 above z ≈ 8.3
    for (const z of [-40, -39, -Infinity]) expect(normalCdf(z)).toBe(0);
    for (const z of [8.3, 9, 40, Infinity]) expect(normalCdf(z)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });

  it("is accurate across the old algorithm's break z/√2 = −3, where 1 + erf cancelled (2e-11 relative before)", () => {
    const near = ROWS.filter(([z]) => Math.abs(z - FIXTURES.oldBreak) < 0.05);
    expect(near.length).toBeGreaterThanOrEqual(3);
    for (const [z, c] of near) expect(Math.abs(normalCdf(z) - c), `Φ(${z})`).toBeLessThanOrEqual(REL * c);
  });

  it("is monotone across its branch points (|z| = 0.75, the knots −1 … −6)", () => {
    const points = [-6, -5.5, -5, -4.5, -4, -3.5, -3, -2.5, -2, -1.5, -1, -0.75, 0.75];
    for (const b of points) {
      const lo = normalCdf(b - 2 ** -40);
      const mid = normalCdf(b);
      const hi = normalCdf(b + 2 ** -40);
      expect(lo <= mid && mid <= hi, `Φ around ${b}`).toBe(true);
    }
  });
});

describe("normalPdf (φ)", () => {
  it("equals mpmath's to 4 ulps relative wherever φ is a normal double (|z| ≤ 37.6), one subnormal step more below", () => {
    // INV_SQRT_2PI·e^{−z·z/2} with z·z rounded first was up to (z²/4)·EPS off: 350 ulps at z = −37.5
    const w = worst(ROWS, ([z]) => normalPdf(z), ([, , , , ph]) => ph, ([, , , , ph]) => relBound(ph));
    expect(w.max, `normalPdf(${w.at}): error / bound`).toBeLessThanOrEqual(1);
    expect([normalPdf(-Infinity), normalPdf(Infinity), normalPdf(40)]).toEqual([0, 0, 0]);
    expect(normalPdf(0)).toBe(0.3989422804014327);
    expect(normalPdf(NaN)).toBeNaN();
  });

  it("is even: φ(−z) = φ(z) exactly", () => {
    for (const [z] of ROWS) expect(normalPdf(-z)).toBe(normalPdf(z));
  });
});

describe("gelu's σ′ and σ″ in TypeScript (activationDerivatives)", () => {
  it("σ′ = Φ + z·φ and σ″ = φ·(2 − z²) equal mpmath's to 4 ulps of their terms' magnitudes", () => {
    const wd = worst(ROWS, ([z]) => activationDerivatives("gelu", z).first, ([, , , d]) => d, derivBound);
    expect(wd.max, `σ′(${wd.at}): error / bound`).toBeLessThanOrEqual(1);
    const w2 = worst(ROWS, ([z]) => activationDerivatives("gelu", z).second, ([, , , , , s2]) => s2, secondBound);
    expect(w2.max, `σ″(${w2.at}): error / bound`).toBeLessThanOrEqual(1);
  });
});

describe("erf", () => {
  it("equals mpmath's to 3e-16 absolute on [−6, 6] (its documented accuracy)", () => {
    const w = worst(FIXTURES.erf, ([x]) => erf(x), ([, r]) => r, () => 3e-16);
    expect(w.max, `erf(${w.at}): error / 3e-16`).toBeLessThanOrEqual(1);
    expect([erf(-Infinity), erf(0), erf(Infinity)]).toEqual([-1, 0, 1]);
  });
});

describe.each(BACKENDS)("gelu σ(z) = z·Φ(z) and σ′(z) on the %s backend", (backend) => {
  beforeAll(() => setBackend(backend));

  // a 1-1-1 net with θ = [w¹, b¹, w², b²] = [1, 0, 1, 0]: z = x, f = σ(z), and the Jacobian's row is
  // [σ′(z)·x, σ′(z), σ(z), 1] (docs/conventions.md#flat-parameter-order)
  const J = () => {
    const model = { widths: [1, 1, 1], activation: "gelu" as const, output: "linear" as const, params: Float64Array.of(1, 0, 1, 0) };
    return jacobian(model, ROWS.map(([z]) => z)).data;
  };

  it("σ and σ′ through the Jacobian of a 1-1-1 gelu net equal mpmath's (σ: 4 ulps; σ′: see derivBound)", () => {
    const j = J();
    const at = (col: number) => new Map(ROWS.map(([z], i) => [z, j[4 * i + col]]));
    const [dz, s, one] = [at(1), at(2), at(3)];
    expect([...one.values()].every((v) => v === 1)).toBe(true);
    const ws = worst(ROWS, ([z]) => s.get(z)!, ([, , v]) => v, sigmaBound);
    expect(ws.max, `σ(${ws.at}): error / bound`).toBeLessThanOrEqual(1);
    const wd = worst(ROWS, ([z]) => dz.get(z)!, ([, , , d]) => d, derivBound);
    expect(wd.max, `σ′(${wd.at}): error / bound`).toBeLessThanOrEqual(1);
  });

  it.skipIf(backend === "ts")("σ at one point (mlpActivation) equals mpmath's to 4 ulps, and TypeScript's σ to 4 ulps", () => {
    const wasm = ([z]: number[]) => kernels.mlpActivation("test", { code: ACTIVATION_CODES.gelu, p: 0, x: z }).result;
    const w = worst(ROWS, wasm, ([, , v]) => v, sigmaBound);
    expect(w.max, `σ(${w.at}): error / bound`).toBeLessThanOrEqual(1);
    // the same algorithm; the bits differ only through the two libms' Math.exp (≤ 2·EPS observed)
    const t = worst(ROWS, wasm, ([z]) => activationDerivatives("gelu", z).value, sigmaBound);
    expect(t.max, `σ(${t.at}): WASM − TypeScript / bound`).toBeLessThanOrEqual(1);
  });
});
