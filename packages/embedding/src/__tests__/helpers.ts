// Helpers shared by the test files (not exported from the package index).
import { matFromRows } from "@losscape/core";
import { createRng, initParams, ACTIVATION_TABLE, type Activation, type ActivationEntry, type Dataset, type Model } from "@losscape/mlp";
import { readFileSync } from "node:fs";
import fc from "fast-check";

/**
 * Every activation of mlp's table, in code order; one with a parameter (leaky-relu) with the value 0.2, so that
 * the parameter matters.
 */
export const ALL_ACTIVATIONS: Activation[] = ACTIVATION_TABLE.map((e: ActivationEntry) =>
  e.param ? ({ name: e.name, [e.param.name]: 0.2 } as Activation) : (e.name as Activation),
);

/** A random model and data set, seeded: every parameter N(0, std²), x and y standard normal. */
export function randomProblem(opts: { widths: number[]; activation: Activation | Activation[]; bias?: boolean; n?: number; seed: number; std?: number }): {
  model: Model;
  data: Dataset;
} {
  const spec = { widths: opts.widths, activation: opts.activation, bias: opts.bias ?? true };
  const params = initParams(spec, { scheme: "normal", std: opts.std ?? 0.8, seed: opts.seed });
  const rng = createRng(opts.seed + 1000);
  const n = opts.n ?? 6;
  const dIn = opts.widths[0];
  const dOut = opts.widths[opts.widths.length - 1];
  const x = new Float64Array(n * dIn).map(() => rng.normal());
  const y = new Float64Array(n * dOut).map(() => rng.normal());
  return { model: { ...spec, params }, data: { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: dOut, data: y } } };
}

/** fast-check arbitrary: widths of depth 1–4 hidden layers (each 1–3 wide), d_in, d_out 1–2, and an activation. */
export const netArb = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  dIn: fc.integer({ min: 1, max: 2 }),
  dOut: fc.integer({ min: 1, max: 2 }),
  act: fc.integer({ min: 0, max: ALL_ACTIVATIONS.length - 1 }),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

/** The random net of a `netArb` sample with `n` data points. */
export function netProblem(s: { hidden: number[]; dIn: number; dOut: number; act: number; bias: boolean; seed: number }, n: number): { model: Model; data: Dataset } {
  return randomProblem({ widths: [s.dIn, ...s.hidden, s.dOut], activation: ALL_ACTIVATIONS[s.act], bias: s.bias, seed: s.seed, n });
}

/** A valid one-step split of `model` from raw integers: hidden layer 1 + (li mod (L − 1)), neuron ni mod mₗ. */
export function pickStep(model: Model, li: number, ni: number, alpha: number): { layer: number; neuron: number; alpha: number } {
  const layer = 1 + (li % (model.widths.length - 2));
  return { layer, neuron: ni % model.widths[layer], alpha };
}

/** A real α anywhere in [−3, 3] (negative, in (0, 1), and > 1 all occur). */
export const alphaArb = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });

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

export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** The reference fixture (a copy of /work/shared/reference/embedding-public.json). */
export interface RefEmbedding {
  widths: number[];
  theta: number[];
  hessian_eigenvalues: number[];
  counts_neg_zero_pos: number[];
  embedding: { layer: number; neuron: number; alpha: number };
  loss_minus_base_loss: number;
  counts_never_decrease: boolean;
  split_block_alpha_1malpha_Gamma_eigs: number[];
  predicted_counts_from_split_block: number[];
  prediction_applicable: boolean;
  prediction_matches: boolean;
  zero_tol: number;
}
export interface RefPoint {
  id: string;
  widths: number[];
  theta: number[];
  loss: number;
  hessian_eigenvalues: number[];
  counts_neg_zero_pos: number[];
  embeddings: RefEmbedding[];
}
export interface RefCase {
  name: string;
  widths: number[];
  activation: Activation;
  critical_points: RefPoint[];
  data: { x: number[]; y: number[] };
}

export function loadReference(): RefCase[] {
  const raw = JSON.parse(readFileSync(new URL("../../test/fixtures/embedding-public.json", import.meta.url), "utf8")) as { cases: RefCase[] };
  return raw.cases;
}

export function refData(c: RefCase): Dataset {
  return { x: matFromRows(c.data.x.map((v) => [v])), y: matFromRows(c.data.y.map((v) => [v])) };
}
