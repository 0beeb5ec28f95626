// Helpers shared by the test files (not exported from the package index).
import { readFileSync } from "node:fs";
import type { Mat } from "@losscape/core";
import { createRng, initParams, type Dataset, type MlpSpec, type Model } from "@losscape/mlp";
import { projectToZeroLoss } from "../sampling.js";

export interface RefCase {
  label: string;
  widths: number[];
  activation: "tanh";
  n_params_M: number;
  n_data_d: number;
  r_out: number;
  x: number[];
  y: number[];
  theta: number[];
  loss: number;
  jacobian_singular_values: number[];
  jacobian_rank: number;
  rank_tol: number;
  generic_manifold_dim_M_minus_d_r: number;
  local_dim_M_minus_rank: number;
  hessian_eigenvalues_float64: number[];
  gauss_newton_eigenvalues_mp: number[];
  hessian_corank_float64: number;
  gauss_newton_corank_mp: number;
  agrees_with_generic_formula: boolean;
}

export const REFERENCE: { cases: RefCase[] } = JSON.parse(
  readFileSync(new URL("../../test/fixtures/manifold-public.json", import.meta.url), "utf8"),
);

export function column(values: ArrayLike<number>): Mat {
  return { rows: values.length, cols: 1, data: Float64Array.from(values) };
}

export function refProblem(c: RefCase): { model: Model; data: Dataset } {
  return {
    model: { widths: c.widths, activation: c.activation, params: Float64Array.from(c.theta) },
    data: { x: column(c.x), y: column(c.y) },
  };
}

/** n points x uniform in [−2, 2] (d_in columns), y standard normal (r columns); seeded. */
export function randomData(n: number, dIn: number, r: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    x: { rows: n, cols: dIn, data: Float64Array.from({ length: n * dIn }, () => -2 + 4 * rng.next()) },
    y: { rows: n, cols: r, data: Float64Array.from({ length: n * r }, () => rng.normal()) },
  };
}

/** An exact fit (R ≤ lossTol) by damped minimum-norm Gauss–Newton from seeded starts; null if 20 starts fail. */
export function exactFit(spec: MlpSpec, data: Dataset, seed: number, lossTol = 1e-26): Model | null {
  for (let s = 0; s < 20; s++) {
    const start: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1.2, seed: seed * 100 + s }) };
    const r = projectToZeroLoss(start, data, { maxIter: 300, lossTol });
    if (r.converged) return r.model;
  }
  return null;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
