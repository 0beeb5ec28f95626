import { eigvalshInArena, kernels, withKernels, type WasmBuffer } from "@losscape/core";
import type { HvpPart } from "./engine-ts.js";
import { ACTIVATION_CODES } from "./activations.js";
import type { Net } from "./spec.js";

/**
 * Calls of the WASM kernels in assembly/mlp.ts through core's typed `kernels` (no pointers here). Their scratch
 * and output sizes are declared once, in core's kernel declarations (packages/core/src/kernels.ts): scratch is
 * reserved in core's arena uninitialised and never copied. Internal: inputs are validated by the public functions.
 */
const netArgsCache = new WeakMap<Net, NetArgs>();
/** The network arguments every mlp kernel begins with. */
interface NetArgs {
  readonly L: number;
  readonly widths: Int32Array;
  readonly codes: Int32Array;
  readonly cparams: Float64Array;
  readonly bias: number;
}
/** θ, X or Y: copied in per call (an array) or resident in WASM memory (a buffer). */
export type F64 = Float64Array | WasmBuffer<"f64">;

function netArgs(net: Net): NetArgs {
  let a = netArgsCache.get(net);
  if (!a) {
    a = { L: net.L, widths: Int32Array.from(net.widths), codes: net.codes, cparams: net.cparams, bias: net.bias ? 1 : 0 };
    netArgsCache.set(net, a);
  }
  return a;
}

export function wasmForward(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return kernels.mlpForward(fn, { L, widths, codes, cparams, bias, n, p, x: X }).f;
}

/** Pre-activations Zˡ and activations Aˡ of every layer l = 1..L (each n × mₗ). */
export function wasmLayers(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): { Z: Float64Array[]; A: Float64Array[] } {
  let T = 0;
  for (let l = 1; l <= net.L; l++) T += net.widths[l];
  const { L, widths, codes, cparams, bias } = netArgs(net);
  const za = kernels.mlpLayers(fn, { L, widths, codes, cparams, bias, n, p, x: X }).zaOut;
  const Z: Float64Array[] = [];
  const A: Float64Array[] = [];
  let o = 0;
  for (let l = 1; l <= net.L; l++) {
    const len = n * net.widths[l];
    Z.push(za.slice(o, o + len));
    A.push(za.slice(n * T + o, n * T + o + len));
    o += len;
  }
  return { Z, A };
}

/** R and ∇R (without L2); the gradient is copied into `out` when given (training's steps: no M-sized allocation). */
export function wasmLossGrad(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number, out?: Float64Array): { loss: number; grad: Float64Array } {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return withKernels(fn, (k) => {
    const r = k.mlpLossGrad({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, wantGrad: 1 });
    if (out) out.set(k.view(r.grad));
    return { loss: r.result, grad: out ?? k.read(r.grad) };
  });
}

export function wasmLoss(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number): number {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return withKernels(fn, (k) => k.mlpLossGrad({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, wantGrad: 0 }).result);
}

export function wasmHvp(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number, v: Float64Array, part: HvpPart): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return withKernels(fn, (k) => k.read(k.mlpHvp({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, v, part }).hv));
}

/** HV = H·V (or H₀·V, H₁·V) for k directions, direction after direction (k·M values in and out), without L2. */
export function wasmHvpBlock(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number, V: Float64Array, k: number, part: HvpPart): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return withKernels(fn, (k2) => k2.read(k2.mlpHvpBlock({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, v: V, k, part }).hv));
}

export function wasmJacobian(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return kernels.mlpJacobian(fn, { L, widths, codes, cparams, bias, n, p, x: X }).J;
}

/** Doubles the per-sample stacks of the deep residual assembly may take: 2²³ (64 MiB). */
const RESIDUAL_STACK_BUDGET = 2 ** 23;

/**
 * Samples per chunk of `mlpHessian`'s GEMM assembly of H₁ (deep nets, or a non-linear output): 256 (the GEMM's
 * depth block, so each product is one full pass), fewer when its five per-sample stacks of m² doubles (m the
 * widest layer) would pass RESIDUAL_STACK_BUDGET; 0 for one hidden layer with linear output (assembled without them).
 */
function residualChunk(net: Net, n: number): number {
  if (net.L === 2 && net.codes[1] === ACTIVATION_CODES.linear) return 0;
  let m = 0;
  for (let l = 1; l <= net.L; l++) m = Math.max(m, net.widths[l]);
  return Math.max(1, Math.min(n, 256, Math.floor(RESIDUAL_STACK_BUDGET / (5 * m * m))));
}

/**
 * Whether `mlpHessian` assembles H₀ without the Jacobian (assembly/mlp.ts, gaussNewtonByUnits): for d_out = r ≥ 2 when
 * its estimated cost is below two thirds of the SYRK's. Per sample, the SYRK of J takes r·M²/2 multiply–adds; the
 * assembly by units takes, for layers l ≤ l′ (half for l = l′), mₗmₗ′ weights of r multiply–adds and mₗmₗ′mₗ′₋₁ entries of
 * GEMM output rows of length mₗ₋₁, counted as at least 32: a GEMM with fewer rows runs at the speed of packing its
 * operand, not of its multiply–adds (4-400-3, n = 150: 2.9 s against the SYRK's 1.1 s; 2-50-50-2, n = 200: 2.8 s
 * against 1.9 s; 784-6-10, n = 2000: 5.5 s against 37 s; Zen 3, node 20).
 */
export function factoredHessian(net: Net): boolean {
  const w = net.widths;
  const L = net.L;
  const r = w[L];
  if (r < 2) return false;
  let units = 0;
  for (let l = 1; l <= L; l++) {
    for (let l2 = l; l2 <= L; l2++) units += (l2 === l ? 0.5 : 1) * w[l] * w[l2] * (w[l2 - 1] * Math.max(w[l - 1], 32) + r);
  }
  return 1.5 * units < (r * net.M * net.M) / 2;
}

/**
 * split = false: { h0: H }; split = true: { h0: H₀, h1: H₁ } (without L2). The kernel's scratch (s, J, e and the
 * SYRK packing workspace, ≈ 9 MB at M = 901, n = 200; e grows with `residualChunk`) is reserved in the arena
 * uninitialised rather than copied in, and it overwrites every entry of h0 and h1, so they are not zero-filled first.
 */
export function wasmHessian(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number, split: boolean): { h0: Float64Array; h1?: Float64Array } {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  const chunk = residualChunk(net, n);
  return withKernels(fn, (k) => {
    const { h0, h1 } = k.mlpHessian({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, chunk, split: split ? 1 : 0, factored: factoredHessian(net) ? 1 : 0 });
    return split ? { h0: k.read(h0), h1: k.read(h1) } : { h0: k.read(h0) };
  });
}

/**
 * The eigenvalues (ascending) of H + l2·I, H the exact Hessian without L2: H is computed into the arena and its
 * eigenvalues taken there (core's `eigvalshInArena`), so it is never copied out and back; the same operations as
 * `eigvalsh(hessian(…))`, so the same values bit for bit.
 */
export function wasmHessianEigenvalues(fn: string, net: Net, p: F64, X: F64, Y: F64, n: number): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  const M = net.M;
  const chunk = residualChunk(net, n);
  return withKernels(fn, (k) => {
    const { h0 } = k.mlpHessian({ L, widths, codes, cparams, bias, lossCode: net.loss, n, p, x: X, y: Y, chunk, split: 0, factored: factoredHessian(net) ? 1 : 0 });
    if (net.l2 !== 0) {
      const h = k.view(h0);
      for (let i = 0; i < M; i++) h[i * M + i] += net.l2;
    }
    return eigvalshInArena(k, h0, M);
  });
}

/**
 * grid (nA × nB row-major) = R(p + a·d1 + b·d2) + (l2/2)‖p + a·d1 + b·d2‖² for a in aAxis, b in bAxis: one call of
 * the kernel `mlpLossPlane` for the whole grid.
 */
export function wasmLossPlane(
  fn: string,
  net: Net,
  p: Float64Array,
  d1: Float64Array,
  d2: Float64Array,
  aAxis: Float64Array,
  bAxis: Float64Array,
  X: Float64Array,
  Y: Float64Array,
  n: number,
): Float64Array {
  const { L, widths, codes, cparams, bias } = netArgs(net);
  return kernels.mlpLossPlane(fn, { L, widths, codes, cparams, bias, lossCode: net.loss, l2: net.l2, n, p0: p, d1, d2, aAxis, nA: aAxis.length, bAxis, nB: bAxis.length, x: X, y: Y,
  }).grid;
}

/** The inputs of the kernel `sliceAffinePlane` (assembly/slice.ts; see `affineLossPlane` in plane-affine.ts). */
export interface AffinePlaneArgs {
  n: number;
  m: number;
  r: number;
  nA: number;
  nb: number;
  /** nb rounded up to even: the kernel works on column pairs. */
  nbp: number;
  code: number;
  slope: number;
  /** Z₀, Z₁, Z₂ (n × m): the hidden pre-activations at θ and along d₁, d₂. */
  z0: Float64Array;
  z1: Float64Array;
  z2: Float64Array;
  /** W², E², F² (r × m) and b², e², f² (r; zeros without bias): the output layer at θ and along d₁, d₂. */
  w0: Float64Array;
  w1: Float64Array;
  w2: Float64Array;
  c0: Float64Array;
  c1: Float64Array;
  c2: Float64Array;
  y: Float64Array;
  aAxis: Float64Array;
  /** nbp values (the last one repeated when nb is odd). */
  bAxis: Float64Array;
  db: number;
}

/**
 * The loss grid (nA × nbp row-major; padding columns are junk) of a one-hidden-layer net on the plane: one call of
 * `sliceAffinePlane` (its scratch, declared in core's kernels.ts, is never read back).
 */
export function wasmAffinePlane(fn: string, a: AffinePlaneArgs): Float64Array {
  return kernels.sliceAffinePlane(fn, a).grid;
}
