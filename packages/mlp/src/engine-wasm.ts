import { out, outWritten, runKernel, scratch } from "@losscape/core";
import type { HvpPart } from "./engine-ts.js";
import type { Net } from "./spec.js";

/**
 * Calls of the WASM kernels in assembly/mlp.ts through core's `runKernel` (no pointers here). Buffers the kernels
 * only use as scratch are reserved in core's arena with `scratch(n)` (uninitialised, never copied in or out; every
 * kernel writes its scratch before reading it). Scratch `s` holds 3 (forward), 6 (loss and gradient),
 * 10 (Jacobian) or 12 (R-operator, Hessian) arrays of n·Σₗmₗ doubles, in the order documented in assembly/mlp.ts.
 * Internal: inputs are validated by the public functions.
 */
const netArgsCache = new WeakMap<Net, [number, Int32Array, Int32Array, Float64Array, number]>();
function netArgs(net: Net): [number, Int32Array, Int32Array, Float64Array, number] {
  let a = netArgsCache.get(net);
  if (!a) {
    a = [net.L, Int32Array.from(net.widths), net.codes, net.cparams, net.bias ? 1 : 0];
    netArgsCache.set(net, a);
  }
  return a;
}

function totalWidth(net: Net): number {
  let t = 0;
  for (let l = 1; l <= net.L; l++) t += net.widths[l];
  return t;
}

const workCache = new Map<number, number>();
/** GEMM/SYRK packing workspace for products whose dimensions are all ≤ d (monotone in each), as arena scratch. */
function workFor(fn: string, d: number) {
  let w = workCache.get(d);
  if (w === undefined) {
    w = runKernel(fn, "dgemmWorkSize", [d, d, d]).result;
    workCache.set(d, w);
  }
  return scratch(w);
}

function maxDim(net: Net, n: number, extra = 0): number {
  return Math.max(n, extra, ...net.widths);
}

export function wasmForward(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): Float64Array {
  const s = scratch(3 * n * totalWidth(net));
  const r = net.widths[net.L];
  return runKernel(fn, "mlpForward", [...netArgs(net), n, p, X, s, workFor(fn, maxDim(net, n)), out(n * r)]).outputs[0];
}

/** Pre-activations Zˡ and activations Aˡ of every layer l = 1..L (each n × mₗ). */
export function wasmLayers(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): { Z: Float64Array[]; A: Float64Array[] } {
  const T = totalWidth(net);
  const s = scratch(3 * n * T);
  const za = runKernel(fn, "mlpLayers", [...netArgs(net), n, p, X, s, workFor(fn, maxDim(net, n)), out(2 * n * T)]).outputs[0];
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

export function wasmLossGrad(fn: string, net: Net, p: Float64Array, X: Float64Array, Y: Float64Array, n: number): { loss: number; grad: Float64Array } {
  const s = scratch(6 * n * totalWidth(net));
  const { result, outputs } = runKernel(fn, "mlpLossGrad", [
    ...netArgs(net), net.loss, n, p, X, Y, s, workFor(fn, maxDim(net, n)), out(net.M), 1,
  ]);
  return { loss: result, grad: outputs[0] };
}

export function wasmLoss(fn: string, net: Net, p: Float64Array, X: Float64Array, Y: Float64Array, n: number): number {
  const s = scratch(6 * n * totalWidth(net));
  return runKernel(fn, "mlpLossGrad", [...netArgs(net), net.loss, n, p, X, Y, s, workFor(fn, maxDim(net, n)), out(0), 0]).result;
}

export function wasmHvp(fn: string, net: Net, p: Float64Array, X: Float64Array, Y: Float64Array, n: number, v: Float64Array, part: HvpPart): Float64Array {
  const s = scratch(12 * n * totalWidth(net));
  return runKernel(fn, "mlpHvp", [...netArgs(net), net.loss, n, p, X, Y, v, part, s, workFor(fn, maxDim(net, n)), out(net.M)]).outputs[0];
}

export function wasmJacobian(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): Float64Array {
  const s = scratch(10 * n * totalWidth(net));
  const r = net.widths[net.L];
  return runKernel(fn, "mlpJacobian", [...netArgs(net), n, p, X, s, workFor(fn, maxDim(net, n)), outWritten(n * r * net.M)]).outputs[0];
}

/**
 * split = false: { h0: H }; split = true: { h0: H₀, h1: H₁ } (without L2). The kernel's scratch (s, J, e and the
 * SYRK packing workspace, ≈ 9 MB at M = 901, n = 200) is reserved in the arena uninitialised rather than copied
 * in, and it overwrites every entry of h0 and h1, so they are not zero-filled first.
 */
export function wasmHessian(fn: string, net: Net, p: Float64Array, X: Float64Array, Y: Float64Array, n: number, split: boolean): { h0: Float64Array; h1?: Float64Array } {
  const M = net.M;
  const r = net.widths[net.L];
  const { outputs } = runKernel(fn, "mlpHessian", [
    ...netArgs(net), net.loss, n, p, X, Y, scratch(12 * n * totalWidth(net)), workFor(fn, maxDim(net, n * r, M)), scratch(n * r * M), scratch(2 * M),
    split ? 1 : 0, outWritten(M * M), outWritten(split ? M * M : 0),
  ]);
  return split ? { h0: outputs[0], h1: outputs[1] } : { h0: outputs[0] };
}

/**
 * grid (nA × nB row-major) = R(p + a·d1 + b·d2) + (l2/2)‖p + a·d1 + b·d2‖² for a in aAxis, b in bAxis: one call of
 * the kernel `mlpLossPlane` for the whole grid. Scratch: Z and A of every layer plus the three first-layer
 * pre-activation planes (2·n·Σₗmₗ + 3·n·m₁ doubles), θ (M doubles), the GEMM packing workspace (which also holds
 * the packed Wᵀ, m·k ≤ 64² doubles, of the kernel's small-layer products).
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
  const s = scratch(2 * n * totalWidth(net) + 3 * n * net.widths[1]);
  return runKernel(fn, "mlpLossPlane", [
    ...netArgs(net), net.loss, net.l2, n, p, d1, d2, aAxis, aAxis.length, bAxis, bAxis.length,
    X, Y, s, workFor(fn, maxDim(net, n)), scratch(net.M), outWritten(aAxis.length * bAxis.length),
  ]).outputs[0];
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
 * `sliceAffinePlane`. Its scratch (r·m·nbp + r·nbp + 2·nbp + r·m + r + 4 doubles) is never read back.
 */
export function wasmAffinePlane(fn: string, a: AffinePlaneArgs): Float64Array {
  const { n, m, r, nA, nb, nbp } = a;
  const scratchLength = r * m * nbp + r * nbp + 2 * nbp + r * m + r + 4;
  return runKernel(fn, "sliceAffinePlane", [
    n, m, r, nA, nb, nbp, a.code, a.slope, a.z0, a.z1, a.z2, a.w0, a.w1, a.w2, a.c0, a.c1, a.c2,
    a.y, a.aAxis, a.bAxis, a.db, scratch(scratchLength), out(nA * nbp),
  ]).outputs[0];
}
