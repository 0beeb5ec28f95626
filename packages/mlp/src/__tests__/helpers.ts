// Helpers shared by the test files (not exported from the package index).
import { isLosscapeError, type Mat } from "@losscape/core";
import { expect } from "vitest";
import { createRng } from "../rng.js";
import { initParams } from "../init.js";
import type { Activation, Dataset, LossName, Model } from "../types.js";
import { ACTIVATION_TABLE, type ActivationEntry } from "../activation-table.js";

/**
 * Every activation of the table (activation-table.ts), in code order; one with a parameter (leaky-relu) with the
 * value 0.2, so that the parameter matters (the default slope 0.01 is close to relu).
 */
export const ALL_ACTIVATIONS: Activation[] = ACTIVATION_TABLE.map((e: ActivationEntry) =>
  e.param ? ({ name: e.name, [e.param.name]: 0.2 } as Activation) : (e.name as Activation),
);

/** A random model and data set, seeded. Depth L = widths.length − 1. */
export function randomProblem(opts: {
  widths: number[];
  activation: Activation | Activation[];
  loss?: LossName;
  bias?: boolean;
  l2?: number;
  n?: number;
  seed: number;
  std?: number;
}): { model: Model; data: Dataset } {
  const { widths, seed } = opts;
  const spec = { widths, activation: opts.activation, loss: opts.loss ?? "mse", bias: opts.bias ?? true, l2: opts.l2 ?? 0 };
  const params = initParams(spec, { scheme: "normal", std: opts.std ?? 0.6, seed });
  const rng = createRng(seed + 1000);
  const n = opts.n ?? 5;
  const dIn = widths[0];
  const dOut = widths[widths.length - 1];
  const x = new Float64Array(n * dIn).map(() => rng.normal());
  const y = new Float64Array(n * dOut);
  if (spec.loss === "cross-entropy") {
    for (let i = 0; i < n; i++) {
      // class probabilities (not one-hot) exercise the general sᵢ = Σₖyᵢₖ form; every 2nd row one-hot
      if (i % 2 === 0) y[i * dOut + rng.int(dOut)] = 1;
      else {
        let s = 0;
        for (let k = 0; k < dOut; k++) s += y[i * dOut + k] = rng.next() + 0.1;
        for (let k = 0; k < dOut; k++) y[i * dOut + k] /= s;
      }
    }
  } else for (let q = 0; q < y.length; q++) y[q] = rng.normal();
  return { model: { ...spec, params }, data: { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: dOut, data: y } } };
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function matVec(a: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Central finite difference of a vector-valued function along each coordinate: column j = (f(θ+heⱼ) − f(θ−heⱼ))/2h. */
export function centralDiff(f: (p: Float64Array) => ArrayLike<number>, p: Float64Array, h: number): { rows: number; cols: number; data: Float64Array } {
  const M = p.length;
  const q = Float64Array.from(p);
  let rows = 0;
  let data = new Float64Array(0);
  for (let j = 0; j < M; j++) {
    q[j] = p[j] + h;
    const fp = f(q);
    q[j] = p[j] - h;
    const fm = f(q);
    q[j] = p[j];
    if (j === 0) {
      rows = fp.length;
      data = new Float64Array(rows * M);
    }
    for (let i = 0; i < rows; i++) data[i * M + j] = (fp[i] - fm[i]) / (2 * h);
  }
  return { rows, cols: M, data };
}

/** `f` throws a LosscapeError (never a TypeError from inside, never a silent result) whose message matches `pattern`. */
export function refuses(f: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(isLosscapeError(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}
