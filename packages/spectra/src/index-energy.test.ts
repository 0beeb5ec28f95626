import { init, ValueError } from "@losscape/core";
import { createRng, initParams, refineCriticalPoint, train, type Dataset, type MlpSpec } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { CRITICAL_OUTCOMES, fitCriticalEnergy, indexEnergyExperiment, indexEnergyRun, indexEnergySeed, type IndexEnergyOptions, type IndexEnergyRun } from "./index-energy.js";
import { criticalEnergy } from "./pennington-bahri.js";

beforeAll(async () => {
  await init();
});

/** k ~ Binomial(M, p) by M Bernoulli draws: the counting noise of α = k/M. */
function binomial(rng: ReturnType<typeof createRng>, M: number, p: number): number {
  let k = 0;
  for (let i = 0; i < M; i++) if (rng.next() < p) k++;
  return k;
}

describe("fitCriticalEnergy", () => {
  it("recovers (ε_c, α₀) exactly from noiseless α = α₀((ε − ε_c)/ε_c)^{3/2}; points outside 0 < α ≤ maxIndex are not used", () => {
    const epsC = 0.12;
    const a0 = 0.3;
    const pts = [0.05, 0.1, 0.125, 0.13, 0.14, 0.15, 0.3].map((eps) => ({ eps, alpha: eps > epsC ? a0 * ((eps - epsC) / epsC) ** 1.5 : 0 }));
    const fit = fitCriticalEnergy(pts, { maxIndex: 0.1, bootstrap: { resamples: 50 } })!;
    // α(0.3) = 0.3·1.5^{1.5} ≈ 0.55 is outside the window, the two α = 0 points too: 4 used.
    expect(fit.used).toBe(4);
    // Exact data: the weighted line through α^{2/3} is exact to rounding.
    expect(Math.abs(fit.epsC! - epsC)).toBeLessThan(1e-12);
    expect(Math.abs(fit.alpha0! - a0)).toBeLessThan(1e-12);
    expect(fit.slope).toBeCloseTo(a0 ** (2 / 3) / epsC, 10);
    expect(fit.warnings).toEqual([]);
  });

  it("binomial noise (α = k/M): ε_c and α₀ within 4 standard errors of the truth, and the 95 % bootstrap intervals cover it", () => {
    const epsC = 0.1;
    const a0 = 0.3;
    const M = 20000;
    const rng = createRng(11);
    const eps = Array.from({ length: 40 }, (_, i) => 0.102 + (0.046 * i) / 39); // α from ≈ 0.0008 to ≈ 0.1
    const truth = (e: number) => a0 * ((e - epsC) / epsC) ** 1.5;
    const pts = eps.map((e) => ({ eps: e, alpha: binomial(rng, M, truth(e)) / M }));
    const fit = fitCriticalEnergy(pts, { maxIndex: 0.12, bootstrap: { resamples: 1000, seed: 3 } })!;
    expect(fit.used).toBe(pts.filter((p) => p.alpha > 0).length);
    // Standard errors of the weighted line y = s·ε + t, y = α^{2/3}, with the noise added here:
    // Var(yᵢ) = (4/9)·αᵢ^{1/3}(1 − αᵢ)/M (binomial variance through the delta method), Cov(s, t) = (XᵀWX)⁻¹.
    let a = 0;
    let b = 0;
    let c = 0;
    for (const e of eps) {
      const al = truth(e);
      const w = 1 / ((4 / 9) * al ** (1 / 3) * (1 - al) / M);
      a += w * e * e;
      b += w * e;
      c += w;
    }
    const det = a * c - b * b;
    const [vss, vst, vtt] = [c / det, -b / det, a / det];
    const s = a0 ** (2 / 3) / epsC;
    const t = -s * epsC;
    // ε_c = −t/s: gradient (t/s², −1/s); α₀ = (s·ε_c)^{3/2} = (−t)^{3/2}: derivative −(3/2)(−t)^{1/2} in t.
    const gs = t / (s * s);
    const gt = -1 / s;
    const seEpsC = Math.sqrt(gs * gs * vss + 2 * gs * gt * vst + gt * gt * vtt);
    const seAlpha0 = 1.5 * Math.sqrt(-t) * Math.sqrt(vtt);
    expect(seEpsC).toBeLessThan(0.01 * epsC); // the test is sharp: the error bars are ~1 % or less
    expect(Math.abs(fit.epsC! - epsC)).toBeLessThan(4 * seEpsC);
    expect(Math.abs(fit.alpha0! - a0)).toBeLessThan(4 * seAlpha0);
    expect(fit.epsCInterval![0]).toBeLessThan(epsC);
    expect(fit.epsCInterval![1]).toBeGreaterThan(epsC);
    expect(fit.alpha0Interval![0]).toBeLessThan(a0);
    expect(fit.alpha0Interval![1]).toBeGreaterThan(a0);
    // The interval has the size of the standard error (not a degenerate or a huge one).
    const width = fit.epsCInterval![1] - fit.epsCInterval![0];
    expect(width).toBeGreaterThan(seEpsC);
    expect(width).toBeLessThan(8 * seEpsC);
    expect(fit.resamples).toBe(1000);
    expect(fit.warnings).toEqual([]);
    // Seeded: the same intervals again; another seed gives other (but close) ones.
    expect(fitCriticalEnergy(pts, { maxIndex: 0.12, bootstrap: { resamples: 1000, seed: 3 } })).toEqual(fit);
    const other = fitCriticalEnergy(pts, { maxIndex: 0.12, bootstrap: { resamples: 1000, seed: 4 } })!;
    expect(other.epsCInterval).not.toEqual(fit.epsCInterval);
    expect(other.epsC).toBe(fit.epsC);
  });

  it("a negative ε_c is returned with a warning; a slope ≤ 0 gives ε_c = null with a warning; < 3 points give null", () => {
    // α^{2/3} = s(ε + 0.05): ε_c = −0.05.
    const neg = fitCriticalEnergy([0.01, 0.02, 0.03, 0.04].map((eps) => ({ eps, alpha: (0.5 * (eps + 0.05)) ** 1.5 })), { bootstrap: { resamples: 100 } })!;
    expect(neg.epsC!).toBeCloseTo(-0.05, 12);
    expect(neg.warnings.join(" ")).toMatch(/ε_c = -0\.05\d* is negative/);
    // α falling with ε: no critical energy.
    const down = fitCriticalEnergy([0.1, 0.2, 0.3].map((eps, i) => ({ eps, alpha: 0.05 - 0.01 * i })), { bootstrap: { resamples: 100 } })!;
    expect(down.epsC).toBeNull();
    expect(down.alpha0).toBeNull();
    expect(down.slope).toBeLessThan(0);
    expect(down.warnings[0]).toMatch(/slope .* ≤ 0/);
    expect(down.warnings[1]).toMatch(/bootstrap resamples .* left out/);
    expect(fitCriticalEnergy([{ eps: 0.1, alpha: 0.01 }, { eps: 0.2, alpha: 0.02 }, { eps: 0.3, alpha: 0.5 }])).toBeNull();
    expect(fitCriticalEnergy([0.1, 0.1, 0.1].map((eps) => ({ eps, alpha: 0.01 })))).toBeNull(); // ε all equal
  });

  it("uniform weights give the ordinary least-squares line", () => {
    const pts = [0.2, 0.25, 0.3, 0.4].map((eps, i) => ({ eps, alpha: [0.01, 0.03, 0.04, 0.09][i] }));
    const fit = fitCriticalEnergy(pts, { weights: "uniform", bootstrap: { resamples: 0 } })!;
    const x = pts.map((p) => p.eps);
    const y = pts.map((p) => p.alpha ** (2 / 3));
    const mx = x.reduce((u, v) => u + v) / 4;
    const my = y.reduce((u, v) => u + v) / 4;
    const s = x.reduce((u, v, i) => u + (v - mx) * (y[i] - my), 0) / x.reduce((u, v) => u + (v - mx) ** 2, 0);
    expect(fit.slope).toBeCloseTo(s, 12);
    expect(fit.epsC).toBeCloseTo(mx - my / s, 12);
    expect(fit.epsCInterval).toBeNull(); // no resamples
  });

  it("bad input is a ValueError naming the function, the argument, expected and found", () => {
    expect(() => fitCriticalEnergy("x" as never)).toThrow(/fitCriticalEnergy: argument 'points' must be an array/);
    expect(() => fitCriticalEnergy([{ eps: 0.1, alpha: 2 }])).toThrow(/fitCriticalEnergy: 'points\[0\]\.alpha' must be ≤ 1; found 2/);
    expect(() => fitCriticalEnergy([], { maxIndex: 1 })).toThrow(/fitCriticalEnergy: 'maxIndex' must be < 1 .*found 1/);
    expect(() => fitCriticalEnergy([], { weights: "w" as never })).toThrow(ValueError);
    expect(() => fitCriticalEnergy([], { bootstrap: { resamples: 1.5 } })).toThrow(/'bootstrap\.resamples' must be an integer/);
    expect(() => fitCriticalEnergy([], { confidence: 1 })).toThrow(/'confidence' must be < 1/);
  });
});

describe("indexEnergyExperiment (Figure 6) on a tiny setup", () => {
  const base: IndexEnergyOptions = {
    widths: [3, 3, 3],
    bias: false,
    data: "gaussian",
    phi: [0.5, 0.75],
    runs: 4,
    descent: { optimizer: "lbfgs", steps: [0, 8] },
    refine: { maxIter: 40 },
    fit: { bootstrap: { resamples: 50 } },
    seed: 7,
  };
  const withoutTime = (r: IndexEnergyRun) => ({ ...r, seconds: 0 });
  let full: Awaited<ReturnType<typeof indexEnergyExperiment>>;
  const streamed: IndexEnergyRun[] = [];

  beforeAll(async () => {
    full = await indexEnergyExperiment({ ...base, onRun: (r) => streamed.push(r) });
  });

  it("records every run with its seed, descent, ε, α, outcome and inertia; the summaries per φ", () => {
    const M = 18; // 3·3 + 3·3, no biases
    expect(full.paramCount).toBe(M);
    expect(full.outputDim).toBe(3);
    expect(full.aborted).toBe(false);
    expect(full.phis.map((p) => p.samples)).toEqual([12, 8]); // m = round(M/(φ·d_out))
    for (const p of full.phis) {
      expect(p.phiEffective).toBe(M / (p.samples * 3));
      expect(p.runs.map((r) => r.run)).toEqual([0, 1, 2, 3]);
      for (const r of p.runs) {
        expect(r.phi).toBe(p.phi);
        expect(r.seed).toBe(indexEnergySeed(7, p.phi, r.run));
        expect(r.descentSteps).toBe([0, 8][r.run % 2]);
        expect(r.inertia.negative + r.inertia.zero + r.inertia.positive).toBe(M);
        expect(r.alpha).toBe(r.inertia.negative / M);
        expect(CRITICAL_OUTCOMES).toContain(r.outcome);
        expect(r.kind === null).toBe(r.outcome !== "critical");
        expect(r.eps).toBeGreaterThan(0);
        expect(r.iterations).toBeLessThanOrEqual(40);
        expect(r.seconds).toBeGreaterThan(0);
      }
      const shares = CRITICAL_OUTCOMES.map((c) => p.outcomes[c]);
      expect(shares.reduce((a, b) => a + b)).toBeCloseTo(1, 14);
      CRITICAL_OUTCOMES.forEach((c) => expect(p.outcomes[c]).toBe(p.runs.filter((r) => r.outcome === c).length / 4));
      expect(p.theoryEpsC).toBe(criticalEnergy("wigner", p.phiEffective));
      expect(p.empiricalEpsC).toBe(0.5 * (1 - p.phiEffective) ** 2);
      // The fit sees the critical runs only (4 runs cannot give 3 points in the window unless all are critical).
      if (p.runs.filter((r) => r.outcome === "critical").length < 3) expect(p.fit).toBeNull();
    }
    expect(streamed.map(withoutTime)).toEqual(full.phis.flatMap((p) => p.runs).map(withoutTime));
  });

  it("a run is the documented recipe: seeded Gaussian data, Xavier init, descent, refinement", () => {
    const phi = 0.75;
    const spec: MlpSpec = { widths: [3, 3, 3], activation: "tanh", bias: false };
    const rng = createRng(indexEnergySeed(7, phi, -1));
    const x = new Float64Array(8 * 3).map(() => rng.normal());
    const y = new Float64Array(8 * 3).map(() => rng.normal());
    const data: Dataset = { x: { rows: 8, cols: 3, data: x }, y: { rows: 8, cols: 3, data: y } };
    const start = { ...spec, params: initParams(spec, { scheme: "xavier", seed: indexEnergySeed(7, phi, 3) }) };
    const cp = refineCriticalPoint(train(start, data, { optimizer: "lbfgs", epochs: 8 }).model, data, { maxIter: 40 });
    const r = full.phis[1].runs[3];
    expect(r.eps).toBe(cp.loss / 3);
    expect(r.gradNorm).toBe(cp.gradNorm);
    expect(r.outcome).toBe(cp.outcome);
    expect(r.inertia).toEqual({ negative: cp.inertia!.negative, zero: cp.inertia!.zero, positive: cp.inertia!.positive });
  });

  it("indexEnergyRun computes one run alone, equal to the experiment's field for field (but seconds)", () => {
    for (const p of full.phis) {
      for (const r of p.runs) {
        const alone = indexEnergyRun({ widths: [3, 3, 3], bias: false, phi: p.phi, run: r.run, descent: base.descent, refine: base.refine, seed: 7 });
        expect(withoutTime(alone)).toEqual(withoutTime(r));
      }
    }
    expect(() => indexEnergyRun({ widths: [3, 3, 3], phi: 0.5, run: -1, descent: base.descent })).toThrow(/indexEnergyRun: .*'run'/);
  });

  it("is reproducible by seed; a φ's runs do not depend on the other φ values; another seed gives other runs", async () => {
    const again = await indexEnergyExperiment({ ...base, phi: [0.75] });
    expect(again.phis[0].runs.map(withoutTime)).toEqual(full.phis[1].runs.map(withoutTime));
    expect(again.phis[0].fit).toEqual(full.phis[1].fit);
    const other = await indexEnergyExperiment({ ...base, phi: [0.75], runs: 1, seed: 8 });
    expect(other.phis[0].runs[0].seed).not.toBe(full.phis[1].runs[0].seed);
    expect(other.phis[0].runs[0].eps).not.toBe(full.phis[1].runs[0].eps);
  });

  it("skip leaves runs out and the others are unchanged (resuming)", async () => {
    const seen: { phi: number; run: number }[] = [];
    const part = await indexEnergyExperiment({
      ...base,
      skip: (key) => {
        seen.push(key);
        return key.phi === 0.5 || key.run < 2;
      },
    });
    expect(seen).toHaveLength(8);
    expect(part.phis[0].runs).toEqual([]);
    expect(part.phis[0].fit).toBeNull();
    expect(part.phis[0].outcomes.critical).toBe(0);
    expect(part.phis[1].runs.map(withoutTime)).toEqual(full.phis[1].runs.slice(2).map(withoutTime));
  });

  it("signal stops between runs: the runs finished before are kept, aborted: true", async () => {
    const ac = new AbortController();
    let n = 0;
    const cut = await indexEnergyExperiment({ ...base, signal: ac.signal, onRun: () => ++n === 3 && ac.abort() });
    expect(cut.aborted).toBe(true);
    expect(cut.phis.map((p) => p.runs.length)).toEqual([3, 0]);
    expect(cut.phis[0].runs.map(withoutTime)).toEqual(full.phis[0].runs.slice(0, 3).map(withoutTime));
    // An abort from a timer is seen too (the experiment yields to the event loop between runs).
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 0);
    const timed = await indexEnergyExperiment({ ...base, runs: 1000, signal: ac2.signal });
    expect(timed.aborted).toBe(true);
    expect(timed.phis[0].runs.length).toBeLessThan(1000);
  });

  it("a Dataset fixes m and so φ; bad options are ValueErrors naming the argument", async () => {
    const rng = createRng(1);
    const data: Dataset = { x: { rows: 9, cols: 3, data: new Float64Array(27).map(() => rng.normal()) }, y: { rows: 9, cols: 3, data: new Float64Array(27).map(() => rng.normal()) } };
    const one = await indexEnergyExperiment({ ...base, data, phi: undefined, runs: 1 });
    expect(one.phis.map((p) => [p.phi, p.samples, p.phiEffective])).toEqual([[18 / 27, 9, 18 / 27]]);
    await expect(indexEnergyExperiment({ ...base, data, phi: [0.5], runs: 1 })).rejects.toThrow(
      /indexEnergyExperiment: 'phi\[0\]' = 0.5 does not match the data set: m = 9 samples give φ = M\/\(m·d_out\) = 0.666/,
    );
    await expect(indexEnergyExperiment({ ...base, data, phi: [0.6, 0.7] })).rejects.toThrow(/'phi' must be omitted or one value with a Dataset/);
    await expect(indexEnergyExperiment({ ...base, widths: [2, 3, 3], data })).rejects.toThrow(/'data' must have d_in = 2 input and d_out = 3 output columns .*found 3 and 3/);
    await expect(indexEnergyExperiment({ ...base, phi: undefined })).rejects.toThrow(/'phi' must be a non-empty array .* with data 'gaussian'/);
    await expect(indexEnergyExperiment({ ...base, phi: [0.5, 0.5] })).rejects.toThrow(/'phi' must not repeat a value/);
    await expect(indexEnergyExperiment({ ...base, phi: [100] })).rejects.toThrow(/'phi\[0\]' = 100 gives m = .* = 0 samples/);
    await expect(indexEnergyExperiment({ ...base, descent: { optimizer: "sgd" as never, steps: [1] } })).rejects.toThrow(/'descent\.optimizer' must be 'lbfgs', 'adam' or 'gd'; found sgd/);
    await expect(indexEnergyExperiment({ ...base, descent: { optimizer: "gd", steps: [] } })).rejects.toThrow(/'descent\.steps' must be a non-empty array/);
    await expect(indexEnergyExperiment({ ...base, runs: -1 })).rejects.toThrow(/'runs' must be ≥ 0; found -1/);
    await expect(indexEnergyExperiment({ ...base, fit: { maxIndex: 2 } })).rejects.toThrow(/fitCriticalEnergy: 'maxIndex' must be < 1/);
    await expect(indexEnergyExperiment({ ...base, data: "uniform" as never })).rejects.toThrow(ValueError);
    expect(() => indexEnergySeed(0, 0, 1)).toThrow(/indexEnergySeed: 'phi' must be > 0/);
  });
});
