import { checkVector, ShapeError, ValueError, wasmActive, checkOptions } from "@losscape/core";
import { wasmLossPlane } from "./engine-wasm.js";
import { lossRaw } from "./network.js";
import { asModel, checkData, checkModel, type Net } from "./spec.js";
import type { Dataset, DatasetInput, Model, ModelInput } from "./types.js";

/** Options of `lossPlane`. */
export interface LossPlaneOptions {
  /** [d₁] (a line) or [d₁, d₂] (a plane), each of length M = paramCount(model). */
  directions: ArrayLike<number>[];
  /** The coefficients a of d₁ (nA ≥ 1 finite values, any order and spacing). */
  aAxis: ArrayLike<number>;
  /** The coefficients b of d₂ (nB ≥ 1 finite values); required with two directions, not allowed with one. */
  bAxis?: ArrayLike<number>;
}

/** Largest grid we return: 2²⁸ values (2 GiB), as for the other dense results of mlp. */
const MAX_GRID = 2 ** 28;

/**
 * The loss on a line or a plane through θ in parameter space, for loss-landscape slices (Li, Xu, Taylor, Studer,
 * Goldstein, Visualizing the loss landscape of neural nets, NeurIPS 2018):
 *   grid[i·nB + j] = R(θ + aᵢ·d₁ + bⱼ·d₂)   (R exactly as `loss`, including (l2/2)‖·‖² when `l2` is set),
 * for aᵢ in `aAxis` (nA values) and bⱼ in `bAxis` (nB values); with one direction nB = 1 and
 * grid[i] = R(θ + aᵢ·d₁). Returns a Float64Array of nA·nB values, row-major (row i is aᵢ). The point is formed as
 * (θ + a·d₁) + b·d₂ entry by entry, the order of `withParams(model, θ.map((v, q) => v + a·d₁[q] + b·d₂[q]))`.
 *
 * On a WASM backend the whole grid is one kernel call (`mlpLossPlane`, assembly/mlp.ts): per grid point a forward
 * pass of values only and the loss without gradient, with the first layer's pre-activations taken from the plane
 * Z¹(a, b) = Z¹₀ + a·Z¹₁ + b·Z¹₂ (three products for the whole grid, since Z¹ is affine in (a, b)), the other
 * layers' products bit-identical to `loss`'s, and tanh (and, in the simd build, sigmoid) by f64x2 polynomials
 * (≤ ~5 ulp); the results equal `loss` at each point up to rounding (≤ 1e-13 relative in the tests; simd build,
 * 5 × 5 grids of 400 random nets, depths 1–4, widths ≤ 24, all activations: ≤ 2.9e-14 — from the first-layer
 * plane on one sigmoid net, 2.7e-14 there on the scalar build, whose sigmoid is `loss`'s — bit-identical at 47 %
 * of the 10⁴ points). On the `ts` backend each point is the TypeScript forward pass of `loss` (identical results).
 * Where R is NaN at a grid point (outputs that overflow float64 meet ∞ − ∞ or 0·∞), a ValueError names the point,
 * as `loss` refuses that NaN; R = +∞ is returned.
 * @example
 * const d1 = new Float64Array(paramCount(model)).fill(0.1);
 * const axis = [-1, -0.5, 0, 0.5, 1];
 * const line = lossPlane(model, data, { directions: [d1], aAxis: axis });            // 5 values
 * const plane = lossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis }); // 5 × 5, row-major
 */
export function lossPlane(model: ModelInput, data: DatasetInput, options: LossPlaneOptions): Float64Array {
  const fn = "lossPlane";
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  const { d1, d2, aAxis, bAxis } = planeArguments(fn, net, options);
  const nA = aAxis.length;
  const nB = bAxis.length;
  const p = model.params;
  const n = data.x.rows;
  if (wasmActive(fn)) return notNaNOnGrid(fn, wasmLossPlane(fn, net, p, d1, d2, aAxis, bAxis, data.x.data, data.y.data, n), aAxis, bAxis);
  const grid = new Float64Array(nA * nB);
  const theta = new Float64Array(net.M);
  for (let i = 0; i < nA; i++) {
    const a = aAxis[i];
    for (let j = 0; j < nB; j++) {
      const b = bAxis[j];
      for (let q = 0; q < theta.length; q++) theta[q] = p[q] + a * d1[q] + b * d2[q];
      grid[i * nB + j] = lossRaw(net, theta, data);
    }
  }
  return notNaNOnGrid(fn, grid, aAxis, bAxis);
}

/**
 * The grid, unless a point of it is NaN: as `loss` refuses R = NaN (outputs that overflow float64 meet ∞ − ∞ or
 * 0·∞), so do `lossPlane` and `affineLossPlane`, naming the first such grid point; R = +∞ is returned.
 */
export function notNaNOnGrid(fn: string, grid: Float64Array, aAxis: Float64Array, bAxis: Float64Array): Float64Array {
  const nB = bAxis.length;
  for (let q = 0; q < grid.length; q++) {
    if (Number.isNaN(grid[q])) {
      const i = Math.floor(q / nB);
      const j = q - i * nB;
      throw new ValueError(
        `${fn}: the loss is NaN at grid point (${i}, ${j}) (a = ${aAxis[i]}, b = ${bAxis[j]}): the network's outputs overflow float64 (∞ − ∞ or 0·∞)`,
      );
    }
  }
  return grid;
}

/**
 * The checked arguments of a plane: the directions d₁ and d₂ (d₂ = 0 for a line) and the axes as Float64Arrays
 * (bAxis = [0] for a line). Throws the typed errors of `lossPlane` (and `affineLossPlane`) named after `fn`.
 */
export function planeArguments(
  fn: string,
  net: Net,
  options: LossPlaneOptions,
): { d1: Float64Array; d2: Float64Array; aAxis: Float64Array; bAxis: Float64Array } {
  if (typeof options !== "object" || options === null) {
    throw new ValueError(`${fn}: 'options' must be an object {directions, aAxis, bAxis?}; found ${String(options)}`);
  }
  checkOptions(fn, options, ["directions", "aAxis", "bAxis"], { required: true });
  const dirs = options.directions as unknown;
  if (!Array.isArray(dirs) || dirs.length < 1 || dirs.length > 2) {
    throw new ShapeError(
      `${fn}: 'directions' must be an array of 1 or 2 vectors of length M = ${net.M}; found ${Array.isArray(dirs) ? `an array of length ${dirs.length}` : String(dirs)}`,
    );
  }
  dirs.forEach((d, i) => checkVector(fn, `directions[${i}]`, d as ArrayLike<number>, net.M));
  checkVector(fn, "aAxis", options.aAxis);
  if (options.aAxis.length < 1) throw new ShapeError(`${fn}: 'aAxis' must have at least 1 value; found 0`);
  let bAxis: Float64Array;
  if (dirs.length === 2) {
    if (options.bAxis === undefined) throw new ShapeError(`${fn}: 'bAxis' is required with 2 directions; found undefined`);
    checkVector(fn, "bAxis", options.bAxis);
    if (options.bAxis.length < 1) throw new ShapeError(`${fn}: 'bAxis' must have at least 1 value; found 0`);
    bAxis = Float64Array.from(options.bAxis);
  } else {
    if (options.bAxis !== undefined) {
      throw new ShapeError(`${fn}: 'bAxis' needs a second direction (directions has length 1); found an axis of length ${options.bAxis.length}`);
    }
    bAxis = new Float64Array(1);
  }
  const aAxis = Float64Array.from(options.aAxis);
  const nA = aAxis.length;
  const nB = bAxis.length;
  if (nA * nB > MAX_GRID) {
    throw new ShapeError(`${fn}: the grid nA × nB = ${nA} × ${nB} would have more than ${MAX_GRID} (2²⁸) values; use fewer axis values`);
  }
  const d1 = Float64Array.from(dirs[0] as ArrayLike<number>);
  const d2 = dirs.length === 2 ? Float64Array.from(dirs[1] as ArrayLike<number>) : new Float64Array(net.M);
  return { d1, d2, aAxis, bAxis };
}
