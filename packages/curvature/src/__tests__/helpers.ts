import { createRng, initParams, type Activation, type Dataset, type LossName, type Model } from "@losscape/mlp";
import type { SymmetricOperator } from "../operator.js";

/** A network with N(0, 0.6²) parameters and a random data set (cross-entropy: one-hot and soft labels). */
export function randomProblem(opts: { widths: number[]; activation: Activation; loss?: LossName; l2?: number; n: number; seed: number }): { model: Model; data: Dataset } {
  const { widths, seed, n } = opts;
  const spec = { widths, activation: opts.activation, loss: opts.loss ?? "mse", l2: opts.l2 ?? 0 };
  const params = initParams(spec, { scheme: "normal", std: 0.6, seed });
  const rng = createRng(seed + 1000);
  const dIn = widths[0];
  const dOut = widths[widths.length - 1];
  const x = new Float64Array(n * dIn).map(() => rng.normal());
  const y = new Float64Array(n * dOut);
  if (spec.loss === "cross-entropy") {
    for (let i = 0; i < n; i++) {
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

/** A dense symmetric matrix (row-major, M × M) as an operator. */
export function denseOperator(A: Float64Array, M: number): SymmetricOperator & { products: number } {
  const op = {
    dim: M,
    products: 0,
    apply: async (V: Float64Array, k: number) => {
      op.products += k;
      const out = new Float64Array(k * M);
      for (let j = 0; j < k; j++) {
        for (let r = 0; r < M; r++) {
          let s = 0;
          for (let c = 0; c < M; c++) s += A[r * M + c] * V[j * M + c];
          out[j * M + r] = s;
        }
      }
      return out;
    },
  };
  return op;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
