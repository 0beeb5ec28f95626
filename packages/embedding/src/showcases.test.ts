import { init } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { condensationShowcase, irisData, sinData, tanhShowcase } from "./index.js";
import { loadReference, maxAbsDiff } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

describe("tanhShowcase (the tanh 1-3-1 net on sin 2x)", () => {
  const ref = loadReference()[0];
  it("uses the reference data", () => {
    const d = sinData();
    expect(maxAbsDiff(d.x.data, ref.data.x)).toBeLessThanOrEqual(1e-15); // linspace rounding
    expect(maxAbsDiff(d.y.data, ref.data.y)).toBeLessThanOrEqual(1e-15);
  });
  it("finds the reference's four critical points, embeds them, and turns the global minimum into a strict saddle", () => {
    const s = tanhShowcase({ seed: 0 });
    // Losses of refined points agree with the 50-digit ones to rounding (R ≥ 1e-6, errors ≈ 1e-16·√R).
    const sameLoss = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(b, 1e-6);
    // Every found point is critical and lies at one of the reference's four critical values: the search may land on
    // more than one point of a degenerate critical set (same loss, zero eigenvalues), never on a new critical value.
    for (const cp of s.criticalPoints) {
      expect(cp.gradNorm).toBeLessThanOrEqual(1e-12);
      expect(ref.critical_points.some((r) => sameLoss(cp.loss, r.loss)), `loss ${cp.loss}`).toBe(true);
    }
    // Each reference point is found: the same loss and the same inertia.
    const match = ref.critical_points.map((r) =>
      s.criticalPoints.findIndex((cp) => sameLoss(cp.loss, r.loss) && cp.inertia.join() === r.counts_neg_zero_pos.join()),
    );
    expect(match.every((k) => k >= 0), `matches ${match}`).toBe(true);
    expect(s.table).toHaveLength(s.criticalPoints.length * (3 * 3 + 3));
    expect(s.allChecksPass).toBe(true);
    for (const row of s.table) {
      expect(row.countsNeverDecrease).toBe(true);
      expect(row.gradNormAfter).toBeLessThanOrEqual(1e-10);
      expect(row.widths[1]).toBe(3 + row.steps.length);
    }
    // the width-4 rows reproduce the reference's inertias
    for (const [j, r] of ref.critical_points.entries()) {
      const i = s.criticalPoints[match[j]].point;
      for (const e of r.embeddings) {
        const row = s.table.find((t) => t.point === i && t.steps.length === 1 && t.steps[0].neuron === e.embedding.neuron && t.steps[0].alpha === e.embedding.alpha);
        // neuron order may differ from the reference's (permutation symmetry), so compare the multiset per point
        expect(row).toBeDefined();
      }
      const ours = s.table.filter((t) => t.point === i && t.steps.length === 1).map((t) => t.inertiaAfter.join()).sort();
      const theirs = r.embeddings.map((e) => e.counts_neg_zero_pos.join()).sort();
      expect(ours).toEqual(theirs);
    }
    const g = s.globalMinimum;
    expect(g.inertia).toEqual([0, 0, 10]);
    expect(g.trulyBadNecessaryCondition).toBe(false);
    expect(g.escape!.verified).toBe(true);
    expect(g.escape!.minEigenvalue).toBeLessThan(0);
    expect(g.escape!.widths).toEqual([1, 4, 1]);
  });
  it("is seedable: the same seed gives the same table", () => {
    const a = tanhShowcase({ seed: 3, starts: 4 });
    const b = tanhShowcase({ seed: 3, starts: 4 });
    expect(b).toEqual(a);
  });
});

describe("condensationShowcase (a width-400 tanh net on Iris, reduced by condensation)", () => {
  it("Iris is standardised, one-hot", () => {
    const d = irisData();
    expect([d.x.rows, d.x.cols, d.y.cols]).toEqual([150, 4, 3]);
    let mean = 0;
    for (let i = 0; i < 150; i++) mean += d.x.data[i * 4] / 150;
    expect(Math.abs(mean)).toBeLessThanOrEqual(1e-12);
  });
  it("reduces the trained width-400 net to a much narrower equivalent within 1 % of its loss", () => {
    const s = condensationShowcase({ seed: 1 });
    expect(s.widths).toEqual([4, 400, 3]);
    expect(s.rows.length).toBe(4);
    // widths shrink as the tolerance grows
    for (let i = 1; i < s.rows.length; i++) expect(s.rows[i].widthsAfter[1]).toBeLessThanOrEqual(s.rows[i - 1].widthsAfter[1]);
    expect(s.narrowest.widthsAfter[1]).toBeLessThan(200);
    expect(s.narrowest.lossReduced).toBeLessThanOrEqual(s.lossWide * (1 + s.lossSlack));
    expect(s.narrowest.lossRefined).toBeLessThanOrEqual(s.narrowest.lossReduced);
  });
  it("is seedable (small version)", () => {
    const a = condensationShowcase({ seed: 4, width: 40, epochs: 100, refineIter: 10 });
    const b = condensationShowcase({ seed: 4, width: 40, epochs: 100, refineIter: 10 });
    expect(b).toEqual(a);
  });
});
