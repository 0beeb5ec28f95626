import { eigvalsh, inertiaFromEigenvalues, init, nrm2, zeroToleranceFromGap } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng, findCriticalPoints, gradient, hessian, hessianVectorProduct, initParams, refineCriticalPoint, train } from "./index.js";
import { compileSpec } from "./spec.js";
import { Deflation, orbitRepresentative } from "./symmetry.js";
import type { Dataset, MlpSpec, Model } from "./types.js";

// The four outcomes of refineCriticalPoint (docs/conventions.md#critical-outcomes) and the fields that explain them,
// each recomputed here from the returned point with the functional API.

beforeAll(async () => {
  await init();
});

function gaussian(n: number, dIn: number, dOut: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    x: { rows: n, cols: dIn, data: new Float64Array(n * dIn).map(() => rng.normal()) },
    y: { rows: n, cols: dOut, data: new Float64Array(n * dOut).map(() => rng.normal()) },
  };
}

/** Every field of a result against its definition at the returned point. */
function checkRecord(r: ReturnType<typeof refineCriticalPoint>, data: Dataset, start: Float64Array, opts: { gtol: number; gtolRel: number; flatTol: number }) {
  const g = gradient(r.model, data);
  expect(r.gradNorm).toBe(nrm2(g));
  const H = hessian(r.model, data);
  const lam = eigvalsh(H);
  expect(Array.from(r.eigenvalues!)).toEqual(Array.from(lam));
  const M = lam.length;
  // gtol = max(gtol, gtolRel·‖|H|·max(1, |θ|)‖₂)
  let s2 = 0;
  for (let i = 0; i < M; i++) {
    let row = 0;
    for (let j = 0; j < M; j++) row += Math.abs(H.data[i * M + j]) * Math.max(1, Math.abs(r.model.params[j]));
    s2 += row * row;
  }
  expect(r.gtol).toBeCloseTo(Math.max(opts.gtol, opts.gtolRel * Math.sqrt(s2)), 20);
  const hNorm = Math.max(-lam[0], lam[M - 1]);
  const rho = r.gradNorm > 0 ? nrm2(hessianVectorProduct(r.model, data, g)) / (hNorm * r.gradNorm) : 0;
  expect(Math.abs(r.flatness - rho)).toBeLessThanOrEqual(1e-12 * Math.max(1, rho));
  expect(r.normGrowth).toBeCloseTo(nrm2(r.model.params) / nrm2(start), 12);
  expect(r.inertiaRange!.tight).toEqual(inertiaFromEigenvalues(lam, { tol: 1e-9 }));
  expect(r.inertiaRange!.loose).toEqual(inertiaFromEigenvalues(lam, { tol: 1e-6 }));
  expect(r.inertiaStable).toBe(r.inertiaRange!.tight.zero === r.inertiaRange!.loose.zero && r.inertiaRange!.tight.negative === r.inertiaRange!.loose.negative);
  const gap = zeroToleranceFromGap(lam);
  expect(r.inertiaAtGap === null).toBe(gap === null);
  if (gap && r.inertiaAtGap) expect(r.inertiaAtGap.zero).toBe(inertiaFromEigenvalues(lam, { tol: gap.tol }).zero);
  expect(r.converged).toBe(r.outcome === "critical");
  if (r.outcome === "critical") {
    expect(r.gradNorm).toBeLessThanOrEqual(r.gtol);
    const i = r.inertia!;
    expect(r.kind).toBe(i.negative > 0 ? "saddle" : i.zero > 0 ? "degenerate" : "minimum");
  } else {
    expect(r.kind).toBe(null);
    // Escaping takes precedence: ‖∇R‖ falls below any gtol along a run to infinity.
    if (r.outcome !== "escaping") expect(r.gradNorm).toBeGreaterThan(opts.gtol);
  }
  if (r.outcome === "gradient-flat") expect(r.flatness).toBeLessThanOrEqual(opts.flatTol);
  if (r.outcome === "stalled") expect(r.flatness).toBeGreaterThan(opts.flatTol);
}

const DEFAULTS = { gtol: 1e-12, gtolRel: Number.EPSILON, flatTol: 1e-3 };

describe("refineCriticalPoint outcomes", () => {
  it("escaping: a 1-1-1 tanh net fitting y = sign(x) runs to its minimum at infinity (‖θ‖ grows, R falls, no kind)", () => {
    const xs = Float64Array.from({ length: 12 }, (_, i) => -1.1 + 0.2 * i);
    const data: Dataset = { x: { rows: 12, cols: 1, data: xs }, y: { rows: 12, cols: 1, data: xs.map(Math.sign) } };
    const model: Model = { widths: [1, 1, 1], activation: "tanh", bias: false, params: Float64Array.from([2, 1]) };
    const r = refineCriticalPoint(model, data);
    expect(r.outcome).toBe("escaping");
    expect(r.normGrowth).toBeGreaterThan(1.1);
    checkRecord(r, data, model.params, DEFAULTS);
  });

  it("critical, with every field at its definition, on seeded 2-3-2 tanh problems (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const data = gaussian(10, 2, 2, seed);
        const spec: MlpSpec = { widths: [2, 3, 2], activation: "tanh" };
        const start = initParams(spec, { scheme: "xavier", seed });
        const r = refineCriticalPoint({ ...spec, params: start }, data, { maxIter: 60 });
        checkRecord(r, data, start, DEFAULTS);
      }),
      { numRuns: 12, seed: 12 },
    );
  });

  it("gtolRel: 0 makes gtol absolute; a larger gtolRel only widens the threshold by the rounding scale", () => {
    const data = gaussian(10, 2, 1, 3);
    const spec: MlpSpec = { widths: [2, 3, 1], activation: "tanh" };
    const start = initParams(spec, { scheme: "xavier", seed: 3 });
    const abs = refineCriticalPoint({ ...spec, params: start }, data, { gtolRel: 0, maxIter: 5 });
    expect(abs.gtol).toBe(1e-12);
    checkRecord(abs, data, start, { ...DEFAULTS, gtolRel: 0 });
    const rel = refineCriticalPoint({ ...spec, params: start }, data, { gtolRel: 1e-6, maxIter: 5 });
    expect(rel.gtol).toBeGreaterThan(1e-12);
    checkRecord(rel, data, start, { ...DEFAULTS, gtolRel: 1e-6 });
  });

  it("maxIter bounds every phase of both methods", () => {
    const data = gaussian(12, 2, 1, 4);
    const spec: MlpSpec = { widths: [2, 4, 1], activation: "tanh" };
    for (const method of ["newton", "gradnorm"] as const) {
      for (const maxIter of [0, 1, 7, 50]) {
        const start = initParams(spec, { scheme: "normal", std: 1, seed: maxIter });
        const r = refineCriticalPoint({ ...spec, params: start }, data, { method, maxIter });
        expect(r.iterations, `${method} ${maxIter}`).toBeLessThanOrEqual(maxIter);
      }
    }
  });

  it("stalled: a budget of one iteration from far away ends stalled or gradient-flat, never critical, and says which", () => {
    const data = gaussian(16, 3, 2, 8);
    const spec: MlpSpec = { widths: [3, 4, 2], activation: "tanh" };
    const start = initParams(spec, { scheme: "normal", std: 2, seed: 8 });
    const r = refineCriticalPoint({ ...spec, params: start }, data, { maxIter: 1 });
    expect(["stalled", "gradient-flat"]).toContain(r.outcome);
    checkRecord(r, data, start, DEFAULTS);
  });

  it("gradient-flat: a trained 2-3-3-2 tanh net whose LM run ends where ∇R lies in an approximate kernel of H", () => {
    // Measured: from this start LM stops (no step lowers ‖∇R‖) at ‖∇R‖ ≈ 1.8e-7 with ρ ≈ 6e-8 after a few restarts.
    const rng = createRng(3);
    const xs = new Float64Array(80).map(() => rng.normal());
    const ys = new Float64Array(80).map((_, i) => Math.sin(xs[i]) + 0.5 * xs[(i + 1) % 80]);
    const data: Dataset = { x: { rows: 40, cols: 2, data: xs }, y: { rows: 40, cols: 2, data: ys } };
    const spec: MlpSpec = { widths: [2, 3, 3, 2], activation: "tanh" };
    let model: Model = train({ ...spec, params: initParams(spec, { scheme: "xavier", seed: 1 }) }, data, { optimizer: "lbfgs", epochs: 10 }).model;
    let r = refineCriticalPoint(model, data);
    for (let k = 0; k < 6 && r.outcome !== "gradient-flat"; k++) {
      model = r.model;
      r = refineCriticalPoint(model, data);
    }
    expect(r.outcome).toBe("gradient-flat");
    expect(r.flatness).toBeLessThan(1e-6);
    checkRecord(r, data, model.params, DEFAULTS);
  });

  it("a point whose loss overflows float64 is never critical: findCriticalPoints on targets of 1e300 returns no point of loss +∞", () => {
    // R = mean((f − y)²)/2 = +∞ at every point, ‖∇R‖ ≈ 2e299 is finite: the relative threshold gtolRel·‖|H|·max(1, |θ|)‖₂
    // summed the squares of rows of ≈ 1e300 to +∞, so every end point passed as a 'critical' saddle of loss +∞.
    const data: Dataset = {
      x: { rows: 4, cols: 1, data: Float64Array.from([-1, -0.3, 0.4, 1]) },
      y: { rows: 4, cols: 1, data: Float64Array.from([1e300, -1e300, 5e299, -2e299]) },
    };
    const found = findCriticalPoints({ widths: [1, 3, 1], activation: "tanh", bias: true }, data, { starts: 4, seed: 1 });
    for (const p of found) expect(Number.isFinite(p.loss), `loss ${p.loss}`).toBe(true);
    expect(found).toHaveLength(0);
  });

  it("findCriticalPoints tells onProgress how every refinement ended: without deflation or descent, refineCriticalPoint's outcome from each start", () => {
    const spec: MlpSpec = { widths: [2, 4, 1], activation: "tanh" };
    const data = gaussian(12, 2, 1, 3);
    const starts = 6;
    const seen: { start: number; outcomes: Record<string, number> }[] = [];
    const found = findCriticalPoints(spec, data, { starts, seed: 5, descend: false, deflate: false, maxIter: 40, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.start)).toEqual([1, 2, 3, 4, 5, 6]);
    const expected: Record<string, number> = { critical: 0, "gradient-flat": 0, escaping: 0, stalled: 0 };
    for (let k = 0; k < starts; k++) {
      expected[refineCriticalPoint({ ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 5 + k }) }, data, { maxIter: 40 }).outcome]++;
      expect(Object.values(seen[k].outcomes).reduce((a, b) => a + b, 0)).toBe(k + 1);
    }
    expect(seen.at(-1)!.outcomes).toEqual(expected);
    // These starts end three ways (1 critical, 3 escaping, 2 stalled), so the tally is not one outcome's count.
    expect(Object.values(expected).filter((c) => c > 0).length).toBeGreaterThanOrEqual(2);
    // Every critical refinement is a point found or a hit on one.
    expect(found.reduce((a, p) => a + p.hits, 0)).toBe(expected.critical);
    // With the descent, two refinements a start.
    const two: number[] = [];
    findCriticalPoints(spec, data, { starts: 2, seed: 5, maxIter: 40, onProgress: (p) => two.push(Object.values(p.outcomes).reduce((a, b) => a + b, 0)) });
    expect(two).toEqual([2, 4]);
  });

  it("refuses options of the wrong type, naming the option", () => {
    const data = gaussian(4, 1, 1, 1);
    const model: Model = { widths: [1, 2, 1], activation: "tanh", params: new Float64Array(7).fill(0.1) };
    expect(() => refineCriticalPoint(model, data, { gtolRel: -1 })).toThrow(/refineCriticalPoint.*gtolRel/);
    expect(() => refineCriticalPoint(model, data, { flatTol: Number.NaN })).toThrow(/refineCriticalPoint.*flatTol/);
    expect(() => refineCriticalPoint(model, data, { signal: {} as AbortSignal })).toThrow(/refineCriticalPoint.*signal/);
    expect(() => findCriticalPoints(model, data, { deflate: "yes" as unknown as boolean })).toThrow(/findCriticalPoints.*deflate/);
  });
});

/** θ with the neurons of every hidden layer permuted and (odd σ) sign-flipped: the same function. */
function symmetricCopy(spec: MlpSpec, theta: Float64Array, seed: number, flip: boolean): Float64Array {
  const net = compileSpec("test", spec);
  const rng = createRng(seed);
  const out = Float64Array.from(theta);
  for (let l = 0; l < net.L - 1; l++) {
    const m = net.widths[l + 1];
    const prev = net.widths[l];
    const next = net.widths[l + 2];
    const perm = Array.from({ length: m }, (_, i) => i);
    for (let i = m - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const sgn = perm.map(() => (flip && rng.next() < 0.5 ? -1 : 1));
    const src = Float64Array.from(out);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < prev; c++) out[net.offW[l] + i * prev + c] = sgn[i] * src[net.offW[l] + perm[i] * prev + c];
      if (net.bias) out[net.offB[l] + i] = sgn[i] * src[net.offB[l] + perm[i]];
      for (let r = 0; r < next; r++) out[net.offW[l + 1] + r * m + i] = sgn[i] * src[net.offW[l + 1] + r * m + perm[i]];
    }
  }
  return out;
}

describe("orbit representatives and deflation", () => {
  it("the representative is a signed permutation of θ, equal for every permuted / sign-flipped copy (tanh; fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.boolean(), (seed, bias) => {
        const spec: MlpSpec = { widths: [2, 4, 3, 2], activation: "tanh", bias };
        const net = compileSpec("test", spec);
        const theta = initParams(spec, { scheme: "normal", std: 1, seed });
        const a = orbitRepresentative(net, theta);
        for (let i = 0; i < theta.length; i++) expect(a.value[i]).toBe(a.sign[i] * theta[a.perm[i]]);
        expect(Array.from(a.perm).sort((x, y) => x - y)).toEqual(Array.from({ length: theta.length }, (_, i) => i));
        const b = orbitRepresentative(net, symmetricCopy(spec, theta, seed + 1, true));
        expect(Array.from(b.value)).toEqual(Array.from(a.value));
      }),
      { numRuns: 40, seed: 3 },
    );
  });

  it("relu: permutations are identified, sign flips are not (relu is not odd)", () => {
    const spec: MlpSpec = { widths: [2, 3, 1], activation: "relu" };
    const net = compileSpec("test", spec);
    const theta = initParams(spec, { scheme: "normal", std: 1, seed: 5 });
    const a = orbitRepresentative(net, theta).value;
    expect(Array.from(orbitRepresentative(net, symmetricCopy(spec, theta, 6, false)).value)).toEqual(Array.from(a));
    expect(Array.from(a)).not.toEqual(Array.from(orbitRepresentative(net, symmetricCopy(spec, theta, 6, true)).value));
  });

  it("m(θ) blows up at a deflated point and at its symmetric copies; ∇log m matches central differences", () => {
    const spec: MlpSpec = { widths: [1, 3, 1], activation: "tanh" };
    const net = compileSpec("test", spec);
    const known = initParams(spec, { scheme: "normal", std: 1, seed: 9 });
    const d = new Deflation(net);
    d.add(known);
    expect(d.factor(known).m).toBe(Infinity);
    expect(d.factor(symmetricCopy(spec, known, 2, true)).m).toBe(Infinity);
    const theta = Float64Array.from(known, (v, i) => v + 0.05 * Math.sin(1.3 * i + 0.4));
    const { m, gradLog } = d.factor(theta);
    expect(m).toBeGreaterThan(1);
    // Central differences of log m with h = 1e-6 (error O(h²)·|∂³ log m| + ε/h): agreement to 1e-6 relative.
    const h = 1e-6;
    for (let i = 0; i < theta.length; i++) {
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[i] += h;
      tm[i] -= h;
      const fd = (Math.log(d.factor(tp).m) - Math.log(d.factor(tm).m)) / (2 * h);
      expect(Math.abs(fd - gradLog[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(gradLog[i])));
    }
  });

  it("with deflation, findCriticalPoints never returns two points of one orbit", () => {
    const rng = createRng(5);
    const xs = new Float64Array(20).map(() => rng.normal());
    const data: Dataset = { x: { rows: 20, cols: 1, data: xs }, y: { rows: 20, cols: 1, data: xs.map((v) => Math.sin(2 * v)) } };
    const spec: MlpSpec = { widths: [1, 3, 1], activation: "tanh" };
    const net = compileSpec("test", spec);
    const found = findCriticalPoints(spec, data, { starts: 6, seed: 1 });
    expect(found.length).toBeGreaterThan(1);
    const reps = found.map((f) => orbitRepresentative(net, f.model.params).value);
    // No two points found with deflation lie in the same orbit (distance between representatives > 1e-6).
    for (let i = 0; i < reps.length; i++) {
      for (let j = 0; j < i; j++) {
        let d2 = 0;
        for (let k = 0; k < reps[i].length; k++) d2 += (reps[i][k] - reps[j][k]) ** 2;
        expect(Math.sqrt(d2)).toBeGreaterThan(1e-6);
      }
    }
  });
});

describe("matrix-free refinement (Newton-MR on Hessian-vector products)", () => {
  it("small nets: converges where the dense path does, with the same loss and inertia (the spectrum is still computed)", () => {
    const rng = createRng(5);
    const xs = new Float64Array(20).map(() => rng.normal());
    const data: Dataset = { x: { rows: 20, cols: 1, data: xs }, y: { rows: 20, cols: 1, data: xs.map((v) => Math.sin(2 * v)) } };
    const spec: MlpSpec = { widths: [1, 3, 1], activation: "tanh" };
    const found = findCriticalPoints(spec, data, { starts: 12, seed: 1 });
    expect(found.filter((p) => p.inertia.negative > 0).length).toBeGreaterThan(0); // saddles as well as the minimum
    for (const cp of found) {
      const start = Float64Array.from(cp.model.params, (v, i) => v + 1e-3 * Math.sin(2.3 * i + 0.7));
      const r = refineCriticalPoint({ ...spec, params: start }, data, { hessian: "matrix-free" });
      expect(r.hessian).toBe("matrix-free");
      expect(r.outcome).toBe("critical");
      expect(r.gradNorm).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(r.loss - cp.loss)).toBeLessThanOrEqual(1e-9 * Math.max(1e-3, cp.loss));
      expect(r.inertia!.negative).toBe(cp.inertia.negative);
      checkRecord(r, data, start, DEFAULTS);
    }
  });

  it("hessian: 'dense' beyond eigh's EIGH_MAX_ORDER is an OutOfMemoryError before any work (it formed the Hessian after the first-order phase)", () => {
    const spec: MlpSpec = { widths: [1, 6000, 1], activation: "tanh" }; // M = 18001
    const data = gaussian(5, 1, 1, 3);
    const params = new Float64Array(18001).map((_, i) => Math.sin(i) / 100);
    expect(() => refineCriticalPoint({ ...spec, params }, data, { hessian: "dense" })).toThrow(
      /^refineCriticalPoint: 'hessian' = 'dense' \(use 'matrix-free' for larger nets\): the Hessian \(18001 × 18001\) needs 12\.1 GiB of WASM memory for its eigendecomposition \(five n × n matrices\); at most n = 10329 fit in the 4 GiB of wasm32$/,
    );
  });

  it("M = 5100 (above the spectrum limit): θ = 0 of a no-bias tanh net is reached from 1e-6 away, a saddle certified by a Lanczos vector", () => {
    const spec: MlpSpec = { widths: [20, 60, 60, 5], activation: "tanh", bias: false };
    const data = gaussian(30, 20, 5, 2);
    const M = 20 * 60 + 60 * 60 + 60 * 5; // 5100
    expect(M).toBeGreaterThan(2048);
    const rng = createRng(4);
    const start = new Float64Array(M).map(() => 1e-6 * rng.normal());
    const r = refineCriticalPoint({ ...spec, params: start }, data, { maxIter: 30 });
    expect(r.hessian).toBe("matrix-free");
    expect(r.outcome).toBe("critical");
    expect(r.gradNorm).toBe(nrm2(gradient(r.model, data)));
    expect(r.gradNorm).toBeLessThanOrEqual(1e-12);
    expect(r.eigenvalues).toBe(null);
    expect(r.inertia).toBe(null);
    expect(r.inertiaStable).toBe(null);
    // θ = 0 couples W¹ and W² only through f's bilinear term: H(0) has ±σ pairs, negative curvature exists
    expect(r.kind).toBe("saddle");
  });

  it("findCriticalPoints refuses nets above the spectrum limit, naming M", () => {
    const spec: MlpSpec = { widths: [20, 60, 60, 5], activation: "tanh", bias: false };
    expect(() => findCriticalPoints(spec, gaussian(30, 20, 5, 2), { starts: 1 })).toThrow(/findCriticalPoints.*M = 5100/);
  });
});

describe("options of the wrong kind (mlp)", () => {
  it("hessian's split, train's signal, initParams without options are refused by name", () => {
    const model: Model = { widths: [1, 2, 1], activation: "tanh", params: new Float64Array(7).fill(0.1) };
    const data = gaussian(4, 1, 1, 1);
    expect(() => hessian(model, data, { split: "yes" as never })).toThrow(/^hessian: 'split' must be true or false; found "yes"/);
    expect(() => train(model, data, { signal: 42 as never })).toThrow(/^train: 'signal' must be an AbortSignal; found 42/);
    expect(() => initParams({ widths: [1, 2, 1], activation: "tanh" }, undefined as never)).toThrow(/^initParams: argument 'options'/);
  });
});

describe("networks too large to hold", () => {
  it("are refused before anything is allocated, naming the caller and M (OutOfMemoryError)", () => {
    const spec: MlpSpec = { widths: [1, 1_000_000_000, 1], activation: "tanh" };
    expect(() => initParams(spec, { scheme: "xavier", seed: 0 })).toThrow(/^initParams: the network has M = 3\.000e\+9 parameters/);
    try {
      initParams(spec, { scheme: "xavier", seed: 0 });
    } catch (e) {
      expect((e as { code: string }).code).toBe("E_OUT_OF_MEMORY");
    }
  });
});
