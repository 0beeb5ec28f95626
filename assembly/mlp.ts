// Kernels of @losscape/mlp: fully connected networks batched over n samples, f64, row-major.
// No allocation, no validation (packages/mlp validates at its TypeScript boundary and reserves every buffer).
//
// A network is described by: L (weight layers), widths (i32[L+1]: d_in, m_1, …, d_out), codes (i32[L]: activation
// code per layer, the last one is the output activation), cparams (f64[L]: leaky-relu slope, else unused), bias
// (0/1), loss (0 mse, 1 softmax cross-entropy). θ follows docs/conventions.md#flat-parameter-order: [W¹ (m₁ × d_in row-major), b¹, …, W^L, b^L].
// Activation codes and formulas: packages/mlp/src/activation-table.ts (activations.generated.ts: `activate`,
// `activateValue`, `sigma`; an unknown code aborts naming it).
//
// Scratch `s` holds per-layer arrays, array-major: array a of layer l (1-based) starts at
//   s + 8·(a·n·T + n·Σ_{t<l} m_t), T = Σ_l m_l,
// in this order: Z, A, S1 = σ'(Z), GA = ∂R/∂A, D = ∂R/∂Z, P (softmax, last layer), MASS (sᵢ = Σₖ yᵢₖ in layer 1's
// slot), S2 = σ''(Z), RD, RGA, RZ, RA. So a forward pass needs the first 3 arrays, loss and gradient 6, the
// Jacobian 10, the R-operator and the Hessian all 12 (packages/mlp/src/engine-wasm.ts reserves exactly that).
// Dense products go through the GEMM/SYRK kernels of blas.ts (`work` = their packing workspace).
//
// The algorithms are those of packages/mlp/src/engine-ts.ts (the oracle); see its comments for the formulas.

import { dgemm, dsyrk } from "./blas";
import { gemmSmallNT, SMALL_NT } from "./gemm-small";
import { activate, activateValue, sigma, ACTIVATION_LINEAR } from "./activations.generated";

const Z_: i32 = 0;
const A_: i32 = 1;
const S1_: i32 = 2;
const GA_: i32 = 3;
const D_: i32 = 4;
const P_: i32 = 5; // softmax probabilities (last layer, cross-entropy)
const MASS_: i32 = 6; // sᵢ = Σₖ yᵢₖ (n entries, stored in layer 1's slot)
const S2_: i32 = 7;
const RD_: i32 = 8;
const RGA_: i32 = 9;
const RZ_: i32 = 10;
const RA_: i32 = 11;

/**
 * The network and buffers of one kernel call, passed to every pass: L, bias, n, T = Σₗmₗ, M = paramCount and the
 * pointers widths, codes, cparams, the scratch s and the GEMM workspace. Each exported kernel fills one with
 * `netOf` on entry. Its bytes are a static cell (`NET_CELL`), since kernels never allocate; nothing reads it after
 * the kernel returns.
 */
@final @unmanaged class Net {
  L: i32;
  bias: i32;
  n: i32;
  T: i32;
  M: i32;
  widths: usize;
  codes: usize;
  cp: usize;
  s: usize;
  work: usize;
}

const NET_CELL: usize = memory.data(offsetof<Net>(), 8);

@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline function width(net: Net, l: i32): i32 {
  return load<i32>(net.widths + (<usize>l << 2));
}
@inline function codeOf(net: Net, l: i32): i32 {
  return load<i32>(net.codes + (<usize>(l - 1) << 2));
}
@inline function cpOf(net: Net, l: i32): f64 {
  return load<f64>(net.cp + (<usize>(l - 1) << 3));
}

/** The `Net` of a kernel call (in NET_CELL): T and M from the widths. */
function netOf(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, n: i32, s: usize, work: usize): Net {
  const net = changetype<Net>(NET_CELL);
  net.L = L;
  net.widths = widths;
  net.codes = codes;
  net.cp = cparams;
  net.bias = bias;
  net.n = n;
  net.s = s;
  net.work = work;
  let t = 0;
  let m = 0;
  for (let l = 1; l <= L; l++) {
    t += width(net, l);
    m += width(net, l) * width(net, l - 1) + (bias ? width(net, l) : 0);
  }
  net.T = t;
  net.M = m;
  return net;
}

/** Pointer to array `a` of layer l. */
function arr(net: Net, a: i32, l: i32): usize {
  let cum = 0;
  for (let t = 1; t < l; t++) cum += width(net, t);
  return net.s + ((<usize>a * <usize>net.n * <usize>net.T + <usize>net.n * <usize>cum) << 3);
}
/** Offset of Wˡ in θ. */
function offW(net: Net, l: i32): i32 {
  let o = 0;
  for (let t = 1; t < l; t++) o += width(net, t) * width(net, t - 1) + (net.bias ? width(net, t) : 0);
  return o;
}
@inline function offB(net: Net, l: i32): i32 {
  return offW(net, l) + width(net, l) * width(net, l - 1);
}
/** Activations of layer l − 1 (X for l = 1). */
@inline function aPrev(net: Net, l: i32, x: usize): usize {
  return l == 1 ? x : arr(net, A_, l - 1);
}

// ---- passes -------------------------------------------------------------------------------------------------

/**
 * z (n × mₗ) = A^{l−1}Wˡᵀ + 1bˡᵀ with the weights of θ = p (A⁰ = X). Narrow layers (≤ 64 in and out, SIMD build)
 * by dgemm's small-product path with the bias row as its addend (no copy of b into every row); the others by the
 * bias rows, then dgemm with beta = 1. Both give the same bits (gemm-small.ts).
 */
function preActivation(net: Net, p: usize, x: usize, l: i32, z: usize): void {
  const n = net.n;
  const m = width(net, l);
  const k = width(net, l - 1);
  const w = p + (<usize>offW(net, l) << 3);
  const b = net.bias ? p + (<usize>offB(net, l) << 3) : 0;
  if (ASC_FEATURE_SIMD) {
    if (m <= SMALL_NT && k <= SMALL_NT) {
      gemmSmallNT(n, m, k, 1, aPrev(net, l, x), k, w, k, z, m, net.work, b, 0);
      return;
    }
  }
  if (b) for (let i = 0; i < n; i++) memory.copy(z + (<usize>(i * m) << 3), b, <usize>m << 3);
  dgemm(0, 1, n, m, k, 1, aPrev(net, l, x), k, w, k, b ? 1 : 0, z, m, net.work);
}

/** Forward pass: Z, A, S1 (and S2 when want2) of every layer. */
function forwardPass(net: Net, p: usize, x: usize, want2: i32): void {
  const n = net.n;
  for (let l = 1; l <= net.L; l++) {
    const z = arr(net, Z_, l);
    preActivation(net, p, x, l, z);
    activate(codeOf(net, l), cpOf(net, l), z, arr(net, A_, l), arr(net, S1_, l), arr(net, S2_, l), n * width(net, l), want2);
  }
}

/**
 * Loss on the outputs A^L; writes G = ∂R/∂f into GA^L (and softmax P for cross-entropy) when wantG = 1 (the
 * default; `mlpLossPlane` passes 0 and needs no GA/P scratch). Without L2.
 */
function outputLoss(net: Net, lossCode: i32, y: usize, wantG: i32 = 1): f64 {
  const n = net.n;
  const r = width(net, net.L);
  const f = arr(net, A_, net.L);
  const g = arr(net, GA_, net.L);
  const inv = 1.0 / <f64>n;
  let loss: f64 = 0;
  if (lossCode == 0) {
    for (let q = 0; q < n * r; q++) {
      const e = ldf(f, q) - ldf(y, q);
      loss += e * e;
      if (wantG) stf(g, q, e * inv);
    }
    return loss * 0.5 * inv;
  }
  const pp = arr(net, P_, net.L);
  for (let i = 0; i < n; i++) {
    const o = i * r;
    let mx = -Infinity;
    for (let k = 0; k < r; k++) mx = Math.max(mx, ldf(f, o + k));
    let se: f64 = 0;
    for (let k = 0; k < r; k++) se += Math.exp(ldf(f, o + k) - mx);
    const lse = mx + Math.log(se);
    let s: f64 = 0;
    let yf: f64 = 0;
    for (let k = 0; k < r; k++) {
      const yk = ldf(y, o + k);
      s += yk;
      yf += yk * ldf(f, o + k);
      if (wantG) stf(pp, o + k, Math.exp(ldf(f, o + k) - lse));
    }
    loss += s * lse - yf;
    if (wantG) for (let k = 0; k < r; k++) stf(g, o + k, (s * ldf(pp, o + k) - ldf(y, o + k)) * inv);
  }
  return loss * inv;
}

/** Backward pass from GA^L: D, GA of every layer; the gradient into grad (when grad ≠ 0). */
function backwardPass(net: Net, p: usize, x: usize, grad: usize): void {
  const n = net.n;
  for (let l = net.L; l >= 1; l--) {
    const m = width(net, l);
    const k = width(net, l - 1);
    const ga = arr(net, GA_, l);
    const d = arr(net, D_, l);
    const s1 = arr(net, S1_, l);
    for (let q = 0; q < n * m; q++) stf(d, q, ldf(ga, q) * ldf(s1, q));
    if (grad) {
      dgemm(1, 0, m, k, n, 1, d, m, aPrev(net, l, x), k, 0, grad + (<usize>offW(net, l) << 3), k, net.work);
      if (net.bias) colSums(d, n, m, grad + (<usize>offB(net, l) << 3));
    }
    if (l > 1) dgemm(0, 0, n, k, m, 1, d, m, p + (<usize>offW(net, l) << 3), k, 0, arr(net, GA_, l - 1), k, net.work);
  }
}

function colSums(d: usize, n: i32, m: i32, out: usize): void {
  for (let j = 0; j < m; j++) stf(out, j, 0);
  for (let i = 0; i < n; i++) {
    const row = d + (<usize>(i * m) << 3);
    for (let j = 0; j < m; j++) stf(out, j, ldf(out, j) + ldf(row, j));
  }
}

/**
 * The R-operator (Pearlmutter 1994) after forwardPass(want2 = 1), outputLoss and backwardPass:
 * hv = H·v (part 0), H₀·v (part 1, Gauss–Newton) or H₁·v (part 2, residual); without L2.
 */
function rop(net: Net, lossCode: i32, p: usize, x: usize, v: usize, part: i32, hv: usize): void {
  const n = net.n;
  const gn = part != 2;
  const res = part != 1;
  for (let l = 1; l <= net.L; l++) {
    const m = width(net, l);
    const k = width(net, l - 1);
    const rz = arr(net, RZ_, l);
    const oW = offW(net, l);
    if (net.bias) {
      const vb = v + (<usize>offB(net, l) << 3);
      for (let i = 0; i < n; i++) memory.copy(rz + (<usize>(i * m) << 3), vb, <usize>m << 3);
    }
    dgemm(0, 1, n, m, k, 1, aPrev(net, l, x), k, v + (<usize>oW << 3), k, net.bias ? 1 : 0, rz, m, net.work);
    if (l > 1) dgemm(0, 1, n, m, k, 1, arr(net, RA_, l - 1), k, p + (<usize>oW << 3), k, 1, rz, m, net.work);
    const ra = arr(net, RA_, l);
    const s1 = arr(net, S1_, l);
    for (let q = 0; q < n * m; q++) stf(ra, q, ldf(s1, q) * ldf(rz, q));
  }
  const r = width(net, net.L);
  const inv = 1.0 / <f64>n;
  const rgaL = arr(net, RGA_, net.L);
  const raL = arr(net, RA_, net.L);
  if (!gn) {
    for (let q = 0; q < n * r; q++) stf(rgaL, q, 0);
  } else if (lossCode == 0) {
    for (let q = 0; q < n * r; q++) stf(rgaL, q, ldf(raL, q) * inv);
  } else {
    const pp = arr(net, P_, net.L);
    const smass = arr(net, MASS_, 1);
    for (let i = 0; i < n; i++) {
      const o = i * r;
      let pu: f64 = 0;
      for (let k = 0; k < r; k++) pu += ldf(pp, o + k) * ldf(raL, o + k);
      const si = ldf(smass, i);
      for (let k = 0; k < r; k++) stf(rgaL, o + k, si * ldf(pp, o + k) * (ldf(raL, o + k) - pu) * inv);
    }
  }
  for (let l = net.L; l >= 1; l--) {
    const m = width(net, l);
    const k = width(net, l - 1);
    const rga = arr(net, RGA_, l);
    const rd = arr(net, RD_, l);
    const s1 = arr(net, S1_, l);
    const s2 = arr(net, S2_, l);
    const ga = arr(net, GA_, l);
    const rz = arr(net, RZ_, l);
    for (let q = 0; q < n * m; q++) {
      let t = ldf(rga, q) * ldf(s1, q);
      if (res) t += ldf(ga, q) * ldf(s2, q) * ldf(rz, q);
      stf(rd, q, t);
    }
    const oW = offW(net, l);
    const hvW = hv + (<usize>oW << 3);
    dgemm(1, 0, m, k, n, 1, rd, m, aPrev(net, l, x), k, 0, hvW, k, net.work);
    if (res && l > 1) dgemm(1, 0, m, k, n, 1, arr(net, D_, l), m, arr(net, RA_, l - 1), k, 1, hvW, k, net.work);
    if (net.bias) colSums(rd, n, m, hv + (<usize>offB(net, l) << 3));
    if (l > 1) {
      const prev = arr(net, RGA_, l - 1);
      dgemm(0, 0, n, k, m, 1, rd, m, p + (<usize>oW << 3), k, 0, prev, k, net.work);
      if (res) dgemm(0, 0, n, k, m, 1, arr(net, D_, l), m, v + (<usize>oW << 3), k, 1, prev, k, net.work);
    }
  }
}

/** sᵢ = Σₖ yᵢₖ into MASS (cross-entropy's Λᵢ = sᵢ(diag pᵢ − pᵢpᵢᵀ) needs it). */
function softmaxMass(net: Net, y: usize): void {
  const n = net.n;
  const r = width(net, net.L);
  const sm = arr(net, MASS_, 1);
  for (let i = 0; i < n; i++) {
    let s: f64 = 0;
    for (let k = 0; k < r; k++) s += ldf(y, i * r + k);
    stf(sm, i, s);
  }
}

/** J ((n·r) × M) after forwardPass: per-sample backpropagation of each output unit vector. Uses RD/RGA. */
function jacobianInto(net: Net, p: usize, x: usize, J: usize): void {
  const n = net.n;
  const r = width(net, net.L);
  const M = net.M;
  const bias = net.bias; // a local: the loop below stores to memory, so a field load would be repeated
  // No zero-fill: for every output ko, the layer loop below writes each W and b entry of row (i, ko).
  for (let ko = 0; ko < r; ko++) {
    let d = outputDelta(net, ko);
    for (let l = net.L; l >= 1; l--) {
      const m = width(net, l);
      const k = width(net, l - 1);
      const ap = aPrev(net, l, x);
      const oW = offW(net, l);
      const oB = offB(net, l);
      for (let i = 0; i < n; i++) {
        const row = J + (<usize>((i * r + ko) * M) << 3);
        const arow = ap + (<usize>(i * k) << 3);
        for (let j = 0; j < m; j++) {
          const dij = ldf(d, i * m + j);
          const dst = row + (<usize>(oW + j * k) << 3);
          if (ASC_FEATURE_SIMD) {
            const vd = f64x2.splat(dij);
            let a = 0;
            for (; a + 2 <= k; a += 2) v128.store(dst + (<usize>a << 3), f64x2.mul(vd, v128.load(arow + (<usize>a << 3))));
            for (; a < k; a++) stf(dst, a, dij * ldf(arow, a));
          } else {
            for (let a = 0; a < k; a++) stf(dst, a, dij * ldf(arow, a));
          }
          if (bias) stf(row, oB + j, dij);
        }
      }
      if (l > 1) d = deltaBelow(net, p, l, d);
    }
  }
}

/** δ^L of output ko (n × r, in RD of layer L): column ko = σ_L′(Z^L), the others 0. */
function outputDelta(net: Net, ko: i32): usize {
  const n = net.n;
  const r = width(net, net.L);
  const d = arr(net, RD_, net.L);
  const s1L = arr(net, S1_, net.L);
  for (let q = 0; q < n * r; q++) stf(d, q, 0);
  for (let i = 0; i < n; i++) stf(d, i * r + ko, ldf(s1L, i * r + ko));
  return d;
}

/** δ^{l−1} = (δ^l·W^l) ⊙ σ′(Z^{l−1}) (n × m_{l−1}, in RGA of layer l − 1) from δ^l (n × m_l) at d. */
function deltaBelow(net: Net, p: usize, l: i32, d: usize): usize {
  const n = net.n;
  const m = width(net, l);
  const k = width(net, l - 1);
  const prev = arr(net, RGA_, l - 1);
  dgemm(0, 0, n, k, m, 1, d, m, p + (<usize>offW(net, l) << 3), k, 0, prev, k, net.work);
  const s1 = arr(net, S1_, l - 1);
  for (let q = 0; q < n * k; q++) stf(prev, q, ldf(prev, q) * ldf(s1, q));
  return prev;
}

/** Cross-entropy: J ← J̃ with rows √sᵢ(diag √pᵢ − √pᵢpᵢᵀ)Jᵢ, so H₀ = J̃ᵀJ̃/n. `mix` has M doubles. */
function gaussNewtonFactor(net: Net, J: usize, mix: usize): void {
  const n = net.n;
  const r = width(net, net.L);
  const M = net.M;
  const pp = arr(net, P_, net.L);
  const sm = arr(net, MASS_, 1);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < M; c++) stf(mix, c, 0);
    for (let k = 0; k < r; k++) {
      const pk = ldf(pp, i * r + k);
      const row = J + (<usize>((i * r + k) * M) << 3);
      for (let c = 0; c < M; c++) stf(mix, c, ldf(mix, c) + pk * ldf(row, c));
    }
    const rs = Math.sqrt(ldf(sm, i));
    for (let k = 0; k < r; k++) {
      const f = rs * Math.sqrt(ldf(pp, i * r + k));
      const row = J + (<usize>((i * r + k) * M) << 3);
      for (let c = 0; c < M; c++) stf(row, c, f * (ldf(row, c) - ldf(mix, c)));
    }
  }
}

/**
 * H += H₁ of a one-hidden-layer net with linear output, from its block structure (engine-ts.ts), into H's upper
 * triangle (the caller mirrors it). Neuron j's blocks, with cᵢ = gᵢⱼσ''(zᵢⱼ) (g = ∂R/∂a¹) and eₖᵢ = Gᵢₖσ'(zᵢⱼ)
 * (G = ∂R/∂z²), x̃ = [x, 1]:
 *   (W¹ⱼ, W¹ⱼ) += Xᵀ·diag(c)·X   one GEMM (d × d, depth n) with U = diag(c)·X in `u` (n × d: J's space, free
 *                                 after H₀'s SYRK), instead of d²/2 dot products down X's strided columns;
 *   (W¹ⱼ, b¹ⱼ) += Uᵀ·1,  (b¹ⱼ, b¹ⱼ) += Σᵢ cᵢ;
 *   (W²ₖⱼ, W¹ⱼ) += Eᵀ·X  one GEMM (r × d) into the lower triangle (row stride m·M), then moved to the upper one;
 *   (W²ₖⱼ, b¹ⱼ) += Σᵢ eₖᵢ.
 * c and e are gathered into the (here unused) RZ/RA scratch.
 */
function addResidualShallow(net: Net, x: usize, H: usize, u: usize): void {
  const n = net.n;
  const M = net.M;
  const d = width(net, 0);
  const m = width(net, 1);
  const r = width(net, 2);
  const s1 = arr(net, S1_, 1);
  const s2 = arr(net, S2_, 1);
  const G = arr(net, GA_, 2);
  const ga1 = arr(net, GA_, 1); // gᵢⱼ = Σₖ Gᵢₖ W²ₖⱼ, already computed by backwardPass
  const cv = arr(net, RZ_, 1); // n doubles
  const ev = cv + (<usize>n << 3); // r·n doubles (RZ and RA together hold 2·n·(m + r) ≥ n·(1 + r))
  const oB1 = m * d;
  const oW2 = offW(net, 2);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const q = i * m + j;
      const ci = ldf(ga1, q) * ldf(s2, q);
      stf(cv, i, ci);
      const sj = ldf(s1, q);
      for (let k = 0; k < r; k++) stf(ev, k * n + i, ldf(G, i * r + k) * sj);
      for (let a = 0; a < d; a++) stf(u, i * d + a, ci * ldf(x, i * d + a));
    }
    const jd = j * d;
    dgemm(1, 0, d, d, n, 1, x, d, u, d, 1, H + (<usize>(jd * M + jd) << 3), M, net.work);
    // The cross block (W²ₖⱼ, W¹ⱼ) lies in the lower triangle: rows oW2 + k·m + j, columns jd … jd + d − 1.
    const low = H + (<usize>((oW2 + j) * M + jd) << 3);
    dgemm(0, 0, r, d, n, 1, ev, n, x, d, 1, low, m * M, net.work);
    for (let k = 0; k < r; k++) {
      const row = oW2 + k * m + j;
      for (let a = 0; a < d; a++) stf(H, (jd + a) * M + row, ldf(H, row * M + jd + a));
    }
    if (net.bias) {
      const b = oB1 + j;
      for (let a = 0; a < d; a++) {
        let t: f64 = 0;
        for (let i = 0; i < n; i++) t += ldf(u, i * d + a);
        stf(H, (jd + a) * M + b, ldf(H, (jd + a) * M + b) + t);
      }
      let cs: f64 = 0;
      for (let i = 0; i < n; i++) cs += ldf(cv, i);
      stf(H, b * M + b, ldf(H, b * M + b) + cs);
      for (let k = 0; k < r; k++) {
        let t: f64 = 0;
        for (let i = 0; i < n; i++) t += ldf(ev, k * n + i);
        const row = oW2 + k * m + j;
        stf(H, b * M + row, ldf(H, b * M + row) + t);
      }
    }
  }
}

/**
 * out (n × c·k): row i is [w[i, 0]·x[i, ·], …, w[i, c − 1]·x[i, ·]] with w (n × c) and x (n × k), row-major (f64x2 in
 * the SIMD build, the same product per entry).
 */
function scaleRowsBy(n: i32, c: i32, k: i32, w: usize, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const src = x + (<usize>(i * k) << 3);
    for (let b = 0; b < c; b++) {
      const wi = ldf(w, i * c + b);
      const dst = out + (<usize>((i * c + b) * k) << 3);
      let a = 0;
      if (ASC_FEATURE_SIMD) {
        const vw = f64x2.splat(wi);
        for (; a + 2 <= k; a += 2) v128.store(dst + (<usize>a << 3), f64x2.mul(vw, v128.load(src + (<usize>a << 3))));
      }
      for (; a < k; a++) stf(dst, a, wi * ldf(src, a));
    }
  }
}

/**
 * G (n·r·Tₕ doubles, unit-major: G[(t·n + i)·r + o]) = ∂fₒ(xᵢ)/∂z_t for every hidden unit t (Tₕ = T − d_out of them,
 * layer by layer, layer l's from Σ_{s<l} m_s): for each output o, δ^L = eₒ ⊙ σ_L′(Z^L) propagated down as jacobianInto
 * does (outputDelta, deltaBelow). After forwardPass.
 */
function outputSensitivities(net: Net, p: usize, G: usize): void {
  const n = net.n;
  const L = net.L;
  const r = width(net, L);
  for (let ko = 0; ko < r; ko++) {
    let d = outputDelta(net, ko);
    let t0 = net.T - r;
    for (let l = L; l > 1; l--) {
      const k = width(net, l - 1);
      d = deltaBelow(net, p, l, d);
      t0 -= k;
      for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) stf(G, ((t0 + j) * n + i) * r + ko, ldf(d, i * k + j));
    }
  }
}

/**
 * H₀ = JᵀΛJ/n, into the upper triangle of H, without the Jacobian J ((n·r) × M). Jᵢ's entries for the weights of unit
 * t (layer l, unit j) are G[i, ·, t]·a^{l−1}ᵢ (G = ∂f/∂z; a⁰ = x), so with Λᵢ = ∇²_f ℓᵢ/n (I/n for mse,
 * sᵢ(diag pᵢ − pᵢpᵢᵀ)/n for cross-entropy) the block of units t ≤ u (layers l ≤ l′) is
 *   (Wᵗ, Wᵘ) = A^{l−1}ᵀ·diag(wₜᵤ)·A^{l′−1},   wₜᵤ,ᵢ = (GᵢᵀΛᵢGᵢ)ₜᵤ,
 * and the bias rows and columns are the same sums with 1 in place of a. The blocks of unit t with the units u of one
 * layer l′ lie side by side in H's rows of Wᵗ, so they are one GEMM: A^{l−1}ᵀ·U with U's row i the concatenation of
 * wₜᵤ,ᵢ·a^{l′−1}ᵢ over u (n × m_{l′}m_{l′−1}); and (Wᵗ, b^{l′}) = A^{l−1}ᵀ·W with W (n × m_{l′}) the weights. The weights:
 * Σₒ Gᵢₒₜ Sᵢₒᵤ with Sᵢ = ΛᵢGᵢ for two hidden units (outputSensitivities); σ_L′ᵢₖ Sᵢₖₜ for hidden t and output k (an
 * output's G column is eₖσ_L′ᵢₖ); σ_L′ᵢⱼσ_L′ᵢₖΛᵢⱼₖ for outputs j, k. This is the SYRK's sum JᵀΛJ regrouped by sample,
 * about n·M²/2 multiply–adds against the SYRK's n·r·M²/2 (r = d_out), in 2·T·L GEMMs at most, and no J (n·r·M doubles).
 * With foldResidual (one hidden layer, linear output) H₁ is added in the same products: gᵢⱼσ″ᵢⱼ (g = ∂R/∂a¹) to the weight
 * of the pair (j, j) of layer 1, and Gᵢₖσ′ᵢⱼ (G = ∂R/∂f) to U's entry (output k, input j) for unit j of layer 1 —
 * addResidualShallow's blocks.
 * F: 2·n·r·Tₕ + n·(Q + m) doubles (Tₕ = T − r hidden units, Q the largest mₗmₗ₋₁, m the widest layer).
 */
function gaussNewtonByUnits(net: Net, lossCode: i32, p: usize, x: usize, H: usize, F: usize, foldResidual: i32): void {
  const n = net.n;
  const M = net.M;
  const L = net.L;
  const r = width(net, L);
  const Th = net.T - r;
  const bias = net.bias;
  const inv = 1.0 / <f64>n;
  let Q = 0;
  for (let l = 1; l <= L; l++) Q = max(Q, width(net, l) * width(net, l - 1));
  const G = F; // Tₕ × n × r
  const S = G + (<usize>(n * r * Th) << 3); // Tₕ × n × r
  const U = S + (<usize>(n * r * Th) << 3); // n × Q
  const W = U + (<usize>(n * Q) << 3); // n × m
  outputSensitivities(net, p, G);
  // Sᵢ = ΛᵢGᵢ: G/n (mse); (sᵢ/n)·pᵢₒ(Gᵢₒ − pᵢᵀGᵢ) (cross-entropy)
  const pp = arr(net, P_, L);
  const sm = arr(net, MASS_, 1);
  const s1L = arr(net, S1_, L);
  for (let t = 0; t < Th; t++) {
    for (let i = 0; i < n; i++) {
      const q0 = (t * n + i) * r;
      if (lossCode == 0) {
        for (let o = 0; o < r; o++) stf(S, q0 + o, ldf(G, q0 + o) * inv);
      } else {
        let mu: f64 = 0;
        for (let o = 0; o < r; o++) mu += ldf(pp, i * r + o) * ldf(G, q0 + o);
        const f = ldf(sm, i) * inv;
        for (let o = 0; o < r; o++) stf(S, q0 + o, f * ldf(pp, i * r + o) * (ldf(G, q0 + o) - mu));
      }
    }
  }
  // residual terms (foldResidual: L = 2, linear output)
  const s1 = arr(net, S1_, 1);
  const s2 = arr(net, S2_, 1);
  const ga1 = arr(net, GA_, 1);
  const gOut = arr(net, GA_, 2);
  let t1 = 0;
  for (let l = 1; l <= L; l++) {
    const ml = width(net, l);
    const dl = width(net, l - 1);
    const Al = aPrev(net, l, x);
    const oWl = offW(net, l);
    const oBl = offB(net, l);
    for (let j = 0; j < ml; j++) {
      const tt = t1 + j;
      let t2 = t1;
      for (let l2 = l; l2 <= L; l2++) {
        const m2 = width(net, l2);
        const d2 = width(net, l2 - 1);
        const A2 = aPrev(net, l2, x);
        const oW2 = offW(net, l2);
        const oB2 = offB(net, l2);
        const k0 = l2 == l ? j : 0;
        const mk = m2 - k0;
        // W (n × mk): the weights of (t, u) for the units u = k0 … m2 − 1 of layer l2
        for (let i = 0; i < n; i++) {
          for (let kk = 0; kk < mk; kk++) {
            const k = k0 + kk;
            let q: f64 = 0;
            if (l2 < L) {
              const g = (tt * n + i) * r;
              const h = ((t2 + k) * n + i) * r;
              for (let o = 0; o < r; o++) q += ldf(G, g + o) * ldf(S, h + o);
            } else if (l < L) {
              q = ldf(s1L, i * r + k) * ldf(S, (tt * n + i) * r + k);
            } else {
              const pk = lossCode == 0 ? 0 : ldf(pp, i * r + k);
              const lam = lossCode == 0 ? (k == j ? inv : 0) : ldf(sm, i) * inv * ((k == j ? pk : 0) - pk * ldf(pp, i * r + j));
              q = ldf(s1L, i * r + j) * ldf(s1L, i * r + k) * lam;
            }
            if (foldResidual && l2 == 1 && k == j) q += ldf(ga1, i * ml + j) * ldf(s2, i * ml + j);
            stf(W, i * mk + kk, q);
          }
        }
        // U (n × mk·d2): row i = [w_{k0}ᵢ·a²ᵢ, …, w_{m2−1}ᵢ·a²ᵢ] (a² = A2's row i)
        const cols = mk * d2;
        scaleRowsBy(n, mk, d2, W, A2, U);
        if (foldResidual && l == 1 && l2 == 2) {
          for (let i = 0; i < n; i++) {
            for (let k = 0; k < m2; k++) stf(U, i * cols + k * d2 + j, ldf(U, i * cols + k * d2 + j) + ldf(gOut, i * m2 + k) * ldf(s1, i * ml + j));
          }
        }
        dgemm(1, 0, dl, cols, n, 1, Al, dl, U, cols, 0, H + (<usize>((oWl + j * dl) * M + oW2 + k0 * d2) << 3), M, net.work);
        if (bias) {
          // (Wᵗ, b^{l2}ₖ) = A^{l−1}ᵀ·W; the same column for (W^l_k, b^l_j), k > j, in layer l; (bᵗ, W^{l2}) = 1ᵀU for l2 > l
          dgemm(1, 0, dl, mk, n, 1, Al, dl, W, mk, 0, H + (<usize>((oWl + j * dl) * M + oB2 + k0) << 3), M, net.work);
          if (l2 == l) {
            for (let kk = 1; kk < mk; kk++) {
              for (let a = 0; a < dl; a++) stf(H, (oWl + (j + kk) * dl + a) * M + oBl + j, ldf(H, (oWl + j * dl + a) * M + oB2 + j + kk));
            }
          } else colSums(U, n, cols, H + (<usize>((oBl + j) * M + oW2) << 3));
          colSums(W, n, mk, H + (<usize>((oBl + j) * M + oB2 + k0) << 3));
        }
        t2 += m2;
      }
    }
    t1 += ml;
  }
}

// ---- the residual part H₁ of deep nets, assembled with GEMMs ------------------------------------------------

/** Parameters of layer l: mₗ(mₗ₋₁ + bias). */
@inline function layerParams(net: Net, l: i32): i32 {
  return width(net, l) * (width(net, l - 1) + net.bias);
}

/**
 * H₁'s block of rows θ_q and columns θ_p (p ≤ q), for samples i0 … i0 + nc − 1, added transposed into H's upper
 * triangle (row stride M; for p = q the columns (a, ·) with a ≥ c of row group c, and the bias columns: they cover
 * the block's upper triangle):
 *   H[(θ_p)_(c,d), (W_q)_ab] += Σᵢ ã_{p−1,i,d}·Uᵢ[(a, b)],  Uᵢ[(a, b)] = a_{q−1,i,b}·Cᵢ[a, c] + g_{q,i,a}·Fᵢ[b, c],
 *   H[(θ_p)_(c,d), (b_q)_a]  += Σᵢ ã_{p−1,i,d}·Cᵢ[a, c],
 * with ã = [a, 1] (d = m_{p−1} is θ_p's bias b_p,c), C = K_q·∂z_q/∂z_p (nc × m_q × m_p), F = ∂a_{q−1}/∂z_p
 * (nc × m_{q−1} × m_p; 0 when p = q) and g_q = ∂R/∂z_q. Per row group c: U (nc × M_q, in θ_q's flat order), then
 * one GEMM A_{p−1}ᵀ·U for the weight rows and U's column sums for the bias row.
 */
function residualBlock(net: Net, x: usize, i0: i32, nc: i32, q: i32, p: i32, C: usize, F: usize, U: usize, fRow: usize, H: usize): void {
  const M = net.M;
  const mq = width(net, q);
  const kq = width(net, q - 1);
  const mp = width(net, p);
  const kp = width(net, p - 1);
  const Mq = layerParams(net, q);
  const aq = aPrev(net, q, x) + (<usize>(i0 * kq) << 3);
  const ap = aPrev(net, p, x) + (<usize>(i0 * kp) << 3);
  const g = arr(net, D_, q) + (<usize>(i0 * mq) << 3);
  const rowH = offW(net, q);
  const colW = offW(net, p);
  const colB = offB(net, p);
  const bias = net.bias;
  for (let c = 0; c < mp; c++) {
    const a0 = p == q ? c : 0;
    const start = a0 * kq;
    for (let i = 0; i < nc; i++) {
      const urow = U + (<usize>(i * Mq) << 3);
      const arow = aq + (<usize>(i * kq) << 3);
      const ci = C + (<usize>(i * mq * mp + c) << 3); // Cᵢ[a, c] at ci + 8·a·mp
      if (F) {
        const fi = F + (<usize>(i * kq * mp + c) << 3);
        for (let b = 0; b < kq; b++) stf(fRow, b, ldf(fi, b * mp));
      } else memory.fill(fRow, 0, <usize>kq << 3);
      for (let a = a0; a < mq; a++) {
        const cac = ldf(ci, a * mp);
        const ga = F ? ldf(g, i * mq + a) : 0;
        const dst = urow + (<usize>(a * kq) << 3);
        let b = 0;
        if (ASC_FEATURE_SIMD) {
          const vc = f64x2.splat(cac);
          const vg = f64x2.splat(ga);
          for (; b + 2 <= kq; b += 2) {
            const o = <usize>b << 3;
            v128.store(dst + o, f64x2.add(f64x2.mul(v128.load(arow + o), vc), f64x2.mul(vg, v128.load(fRow + o))));
          }
        }
        for (; b < kq; b++) stf(dst, b, ldf(arow, b) * cac + ga * ldf(fRow, b));
      }
      if (bias) for (let a = 0; a < mq; a++) stf(urow, mq * kq + a, ldf(ci, a * mp));
    }
    // the transposed block, rows θ_p (c, ·) and columns θ_q from `start`: A_{p−1}ᵀ·U, then the bias row Σᵢ Uᵢ
    const cols = Mq - start;
    const hw = H + (<usize>((colW + c * kp) * M + rowH + start) << 3);
    dgemm(1, 0, kp, cols, nc, 1, ap, kp, U + (<usize>start << 3), Mq, 1, hw, M, net.work);
    if (bias) {
      const hb = H + (<usize>((colB + c) * M + rowH + start) << 3);
      for (let i = 0; i < nc; i++) {
        const urow = U + (<usize>(i * Mq + start) << 3);
        for (let t = 0; t < cols; t++) stf(hb, t, ldf(hb, t) + ldf(urow, t));
      }
    }
  }
}

/**
 * next (nc × rows × m_p) = cur (nc × rows × m_{p+1}) · W_{p+1} · diag(σ′_p), per sample i (σ′_p at sample i0 + i):
 * one step down of ∂z_q/∂z_p (∂z_{p+1}/∂z_p = W_{p+1}·diag σ′_p), as one GEMM over the stacked samples.
 */
function chainDown(net: Net, par: usize, i0: i32, nc: i32, rows: i32, p: i32, cur: usize, next: usize): void {
  const mp = width(net, p);
  const mp1 = width(net, p + 1);
  dgemm(0, 0, nc * rows, mp, mp1, 1, cur, mp1, par + (<usize>offW(net, p + 1) << 3), mp, 0, next, mp, net.work);
  const s1 = arr(net, S1_, p) + (<usize>(i0 * mp) << 3);
  for (let i = 0; i < nc; i++) {
    const srow = s1 + (<usize>(i * mp) << 3);
    for (let r = 0; r < rows; r++) {
      const row = next + (<usize>((i * rows + r) * mp) << 3);
      for (let c = 0; c < mp; c++) stf(row, c, ldf(row, c) * ldf(srow, c));
    }
  }
}

/**
 * H += H₁, the residual part of the exact Hessian (without L2), for any depth: its upper triangle (and part of the
 * diagonal blocks' lower one) by GEMMs over chunks of `chunk` samples; `mirrorUpper` completes it. Per sample i
 * (zₗ = Wₗaₗ₋₁ + bₗ, aₗ = σₗ(zₗ), a₀ = x, gₗ = ∂R/∂zₗ from the backward pass):
 *  - the residual pre-activation Hessians by Hessian backpropagation (Dangel, Harmeling & Hennig 2020, "Modular
 *    block-diagonal curvature approximations for feedforward architectures", AISTATS), without the loss's Λ (that
 *    is H₀): K_L = diag(∂R/∂a_L ⊙ σ_L″) (0 for a linear output),
 *    Kₗ = diag(σₗ′)·Wₗ₊₁ᵀ·Kₗ₊₁·Wₗ₊₁·diag(σₗ′) + diag((Wₗ₊₁ᵀgₗ₊₁) ⊙ σₗ″);
 *  - with B_{q←p} = ∂z_q/∂z_p (B_{p←p} = I, B_{q←p} = B_{q←p+1}·W_{p+1}·diag σ′_p), block (θ_q, θ_p), p ≤ q, is
 *      Σᵢ (∂z_q/∂θ_q)ᵀ·K_q·B_{q←p}·(∂z_p/∂θ_p)  +  [p < q] Σᵢ g_{q,a}·∂a_{q−1,b}/∂(θ_p)   at row (W_q)_ab,
 *    ∂a_{q−1}/∂z_p = diag(σ′_{q−1})·B_{q−1←p}, ∂z_p/∂(W_p)_cd = a_{p−1,d}·e_c, ∂z_p/∂(b_p)_c = e_c
 *    (`residualBlock` forms both terms of a group of rows of θ_p as one GEMM).
 * Flops ≈ n·M²/2 for the GEMMs, as the SYRK of H₀. Cross-entropy changes only g and ∂R/∂a_L. Needs forwardPass
 * (want2 = 1), outputLoss and backwardPass. e: 5·chunk·m² + chunk·P + w doubles (m the widest layer l ≥ 1, P the
 * largest layer's parameter count, w the widest of all, inputs included): C twice, K of the next layer, F twice, U,
 * one row of F.
 */
function addResidualDeep(net: Net, p: usize, x: usize, chunk: i32, e: usize, H: usize): void {
  const L = net.L;
  const n = net.n;
  let mMax = 0;
  let PMax = 0;
  for (let l = 1; l <= L; l++) {
    mMax = max(mMax, width(net, l));
    PMax = max(PMax, layerParams(net, l));
  }
  const stack = (<usize>chunk * <usize>mMax * <usize>mMax) << 3;
  let cA = e; // K_q = C_{q←q}, then every other C_{q←p}
  const cB = cA + stack; // the other C_{q←p}
  let kNext = cB + stack; // K_{q−1}
  const fA = kNext + stack;
  const fB = fA + stack;
  const U = fB + stack;
  const fRow = U + ((<usize>chunk * <usize>PMax) << 3);
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const nc = min(chunk, n - i0);
    // K_L = diag(∂R/∂a_L ⊙ σ_L″)
    const r = width(net, L);
    const gaL = arr(net, GA_, L) + (<usize>(i0 * r) << 3);
    const s2L = arr(net, S2_, L) + (<usize>(i0 * r) << 3);
    memory.fill(cA, 0, (<usize>(nc * r * r)) << 3);
    for (let i = 0; i < nc; i++) for (let a = 0; a < r; a++) stf(cA, (i * r + a) * r + a, ldf(gaL, i * r + a) * ldf(s2L, i * r + a));
    for (let q = L; q >= 1; q--) {
      const mq = width(net, q);
      const kq = width(net, q - 1);
      let C = cA;
      let F: usize = 0;
      for (let pl = q; pl >= 1; pl--) {
        if (pl < q) {
          const Cn = C == cA ? cB : cA;
          chainDown(net, p, i0, nc, mq, pl, C, Cn);
          C = Cn;
          if (pl == q - 1) {
            // F = ∂a_{q−1}/∂z_{q−1} = diag σ′_{q−1}; and K_{q−1} = diag(σ′)·W_qᵀ·C_{q←q−1} + diag(∂R/∂a_{q−1} ⊙ σ″)
            const s1 = arr(net, S1_, pl) + (<usize>(i0 * kq) << 3);
            const s2 = arr(net, S2_, pl) + (<usize>(i0 * kq) << 3);
            const ga = arr(net, GA_, pl) + (<usize>(i0 * kq) << 3);
            memory.fill(fA, 0, (<usize>(nc * kq * kq)) << 3);
            for (let i = 0; i < nc; i++) {
              for (let b = 0; b < kq; b++) stf(fA, (i * kq + b) * kq + b, ldf(s1, i * kq + b));
              const Ki = kNext + (<usize>(i * kq * kq) << 3);
              dgemm(1, 0, kq, kq, mq, 1, p + (<usize>offW(net, q) << 3), kq, C + (<usize>(i * mq * kq) << 3), kq, 0, Ki, kq, net.work);
              for (let b = 0; b < kq; b++) {
                const sb = ldf(s1, i * kq + b);
                for (let c = 0; c < kq; c++) stf(Ki, b * kq + c, sb * ldf(Ki, b * kq + c));
                stf(Ki, b * kq + b, ldf(Ki, b * kq + b) + ldf(ga, i * kq + b) * ldf(s2, i * kq + b));
              }
            }
            F = fA;
          } else {
            const Fn = F == fA ? fB : fA;
            chainDown(net, p, i0, nc, kq, pl, F, Fn);
            F = Fn;
          }
        }
        residualBlock(net, x, i0, nc, q, pl, C, F, U, fRow, H);
      }
      // K_{q−1} becomes the next layer's C_{q−1←q−1}; the old cA is free
      const t = cA;
      cA = kNext;
      kNext = t;
    }
  }
}

/** H (M × M) ← its upper triangle mirrored: H[i, j] = H[j, i] for j < i, in tiles of 32 × 32. */
function mirrorUpper(H: usize, M: i32): void {
  const TILE = 32;
  for (let i0 = 0; i0 < M; i0 += TILE) {
    const i1 = min(M, i0 + TILE);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = min(i, j0 + TILE);
        for (let j = j0; j < j1; j++) stf(H, i * M + j, ldf(H, j * M + i));
      }
    }
  }
}

// ---- exported kernels --------------------------------------------------------------------------------------

/** F (n × d_out) = f(X). */
export function mlpForward(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, n: i32, p: usize, x: usize, s: usize, work: usize, f: usize): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 0);
  memory.copy(f, arr(net, A_, L), <usize>(n * width(net, L)) << 3);
}

/** zaOut (2·n·Σₗmₗ doubles) = [Z of layers 1..L, A of layers 1..L], each n × mₗ, layer after layer. */
export function mlpLayers(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, n: i32, p: usize, x: usize, s: usize, work: usize, zaOut: usize): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 0);
  const bytes = (<usize>n * <usize>net.T) << 3;
  memory.copy(zaOut, arr(net, Z_, 1), bytes);
  memory.copy(zaOut + bytes, arr(net, A_, 1), bytes);
}

/** Returns R (without L2); writes ∇R into grad when wantGrad = 1. */
export function mlpLossGrad(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, lossCode: i32, n: i32, p: usize, x: usize, y: usize, s: usize, work: usize, grad: usize, wantGrad: i32): f64 {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 0);
  const loss = outputLoss(net, lossCode, y);
  if (wantGrad) backwardPass(net, p, x, grad);
  return loss;
}

/** hv = H·v, H₀·v or H₁·v (part 0, 1, 2) by the R-operator; without L2. */
export function mlpHvp(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, lossCode: i32, n: i32, p: usize, x: usize, y: usize, v: usize, part: i32, s: usize, work: usize, hv: usize): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 1);
  outputLoss(net, lossCode, y);
  backwardPass(net, p, x, 0);
  if (lossCode == 1) softmaxMass(net, y);
  rop(net, lossCode, p, x, v, part, hv);
}

/** J ((n·r) × M), row i·r + k = ∂f_k(x_i)/∂θ. */
export function mlpJacobian(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, n: i32, p: usize, x: usize, s: usize, work: usize, J: usize): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 0);
  jacobianInto(net, p, x, J);
}

/**
 * Exact Hessian without L2. split = 0: H (M × M) into h0. split = 1: H₀ = JᵀΛJ/n into h0 and H₁ into h1.
 * H₀ by SYRK of J (cross-entropy: of J̃; factored = 0), or unit pair by unit pair without J (`gaussNewtonByUnits`;
 * factored = 1, J then points at its scratch); H₁ from its block structure (L = 2, linear output: `addResidualShallow`,
 * or folded into gaussNewtonByUnits' products when factored and not split) or by GEMMs over chunks of `chunk` samples
 * (`addResidualDeep`). H (and H₁) are assembled in their upper triangle and mirrored, so they are exactly symmetric.
 * J: (n·r·M) doubles (factored = 0); e: max(M, addResidualDeep's scratch) doubles. Every entry of h0 (and h1) is
 * written, so none needs zeroing.
 */
export function mlpHessian(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, lossCode: i32, n: i32, p: usize, x: usize, y: usize, s: usize, work: usize, J: usize, e: usize, chunk: i32, split: i32, factored: i32, h0: usize, h1: usize): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  const M = net.M;
  const r = width(net, L);
  const shallow = L == 2 && codeOf(net, 2) == ACTIVATION_LINEAR;
  forwardPass(net, p, x, 1);
  outputLoss(net, lossCode, y);
  backwardPass(net, p, x, 0);
  if (lossCode == 1) softmaxMass(net, y);
  // H₁ folded into H₀'s products (by units, one hidden layer, linear output, not split), else added after them
  const fold = factored && shallow && !split;
  if (factored) {
    gaussNewtonByUnits(net, lossCode, p, x, h0, J, fold ? 1 : 0);
    if (split) mirrorUpper(h0, M); // the SYRK's H₀ is symmetric as written
  } else {
    jacobianInto(net, p, x, J);
    if (lossCode == 1) gaussNewtonFactor(net, J, e);
    dsyrk(1, n * r, M, 1.0 / <f64>n, J, M, 0, h0, M, work);
  }
  const target = split ? h1 : h0;
  if (split) memory.fill(h1, 0, <usize>M * <usize>M << 3);
  if (!fold) {
    if (shallow) addResidualShallow(net, x, target, J);
    else {
      assert(chunk >= 1, "mlpHessian: chunk must be >= 1");
      addResidualDeep(net, p, x, chunk, e, target);
    }
  }
  mirrorUpper(target, M);
}

// ---- Hessian–vector products for a block of k vectors ---------------------------------------------------------

/**
 * Array `a` (0 RZ, 1 RA, 2 RD, 3 RGA) of layer l for a block of k directions: (n·k) × mₗ row-major, row i·k + j
 * holding sample i under direction j. They follow the 8 per-layer arrays Z … S2 in `s` (blockArr's layout:
 * s + 8·(8·n·T + a·n·k·T + n·k·Σ_{t<l} m_t)).
 */
function blockArr(net: Net, k: i32, a: i32, l: i32): usize {
  let cum = 0;
  for (let t = 1; t < l; t++) cum += width(net, t);
  const nT = <usize>net.n * <usize>net.T;
  return net.s + ((<usize>8 * nT + <usize>a * <usize>k * nT + <usize>net.n * <usize>k * <usize>cum) << 3);
}

/**
 * The R-operator of `rop` for k directions at once: V and HV are k vectors of M doubles, one after another.
 * The forward and backward passes are shared; each layer's products over all directions are GEMMs: the ones
 * with θ's weights over (n·k) rows, the ones with a direction's weights per direction (strided blocks).
 * HV_j = H·V_j, H₀·V_j or H₁·V_j (part 0, 1, 2), without L2 — per direction the formulas of `rop`.
 */
function ropBlock(net: Net, lossCode: i32, p: usize, x: usize, V: usize, k: i32, part: i32, HV: usize): void {
  const n = net.n;
  const nk = n * k;
  const M = net.M;
  const gn = part != 2;
  const res = part != 1;
  for (let l = 1; l <= net.L; l++) {
    const m = width(net, l);
    const kin = width(net, l - 1);
    const rz = blockArr(net, k, 0, l);
    const oW = offW(net, l);
    if (net.bias) {
      const oB = offB(net, l);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) memory.copy(rz + (<usize>((i * k + j) * m) << 3), V + (<usize>(j * M + oB) << 3), <usize>m << 3);
      }
    }
    for (let j = 0; j < k; j++) {
      dgemm(0, 1, n, m, kin, 1, aPrev(net, l, x), kin, V + (<usize>(j * M + oW) << 3), kin, net.bias ? 1 : 0, rz + (<usize>(j * m) << 3), k * m, net.work);
    }
    if (l > 1) dgemm(0, 1, nk, m, kin, 1, blockArr(net, k, 1, l - 1), kin, p + (<usize>oW << 3), kin, 1, rz, m, net.work);
    const ra = blockArr(net, k, 1, l);
    const s1 = arr(net, S1_, l);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const o = (i * k + j) * m;
        for (let a = 0; a < m; a++) stf(ra, o + a, ldf(s1, i * m + a) * ldf(rz, o + a));
      }
    }
  }
  const r = width(net, net.L);
  const inv = 1.0 / <f64>n;
  const rgaL = blockArr(net, k, 3, net.L);
  const raL = blockArr(net, k, 1, net.L);
  if (!gn) {
    for (let q = 0; q < nk * r; q++) stf(rgaL, q, 0);
  } else if (lossCode == 0) {
    for (let q = 0; q < nk * r; q++) stf(rgaL, q, ldf(raL, q) * inv);
  } else {
    const pp = arr(net, P_, net.L);
    const smass = arr(net, MASS_, 1);
    for (let i = 0; i < n; i++) {
      const si = ldf(smass, i);
      for (let j = 0; j < k; j++) {
        const o = (i * k + j) * r;
        let pu: f64 = 0;
        for (let c = 0; c < r; c++) pu += ldf(pp, i * r + c) * ldf(raL, o + c);
        for (let c = 0; c < r; c++) stf(rgaL, o + c, si * ldf(pp, i * r + c) * (ldf(raL, o + c) - pu) * inv);
      }
    }
  }
  for (let l = net.L; l >= 1; l--) {
    const m = width(net, l);
    const kin = width(net, l - 1);
    const rga = blockArr(net, k, 3, l);
    const rd = blockArr(net, k, 2, l);
    const rz = blockArr(net, k, 0, l);
    const s1 = arr(net, S1_, l);
    const s2 = arr(net, S2_, l);
    const ga = arr(net, GA_, l);
    const d = arr(net, D_, l);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const o = (i * k + j) * m;
        for (let a = 0; a < m; a++) {
          const q = i * m + a;
          let t = ldf(rga, o + a) * ldf(s1, q);
          if (res) t += ldf(ga, q) * ldf(s2, q) * ldf(rz, o + a);
          stf(rd, o + a, t);
        }
      }
    }
    const oW = offW(net, l);
    for (let j = 0; j < k; j++) {
      const hvW = HV + (<usize>(j * M + oW) << 3);
      const rdj = rd + (<usize>(j * m) << 3);
      dgemm(1, 0, m, kin, n, 1, rdj, k * m, aPrev(net, l, x), kin, 0, hvW, kin, net.work);
      if (res && l > 1) dgemm(1, 0, m, kin, n, 1, d, m, blockArr(net, k, 1, l - 1) + (<usize>(j * kin) << 3), k * kin, 1, hvW, kin, net.work);
      if (net.bias) {
        const hb = HV + (<usize>(j * M + offB(net, l)) << 3);
        for (let a = 0; a < m; a++) stf(hb, a, 0);
        for (let i = 0; i < n; i++) {
          const row = rdj + (<usize>(i * k * m) << 3);
          for (let a = 0; a < m; a++) stf(hb, a, ldf(hb, a) + ldf(row, a));
        }
      }
    }
    if (l > 1) {
      const prev = blockArr(net, k, 3, l - 1);
      dgemm(0, 0, nk, kin, m, 1, rd, m, p + (<usize>oW << 3), kin, 0, prev, kin, net.work);
      if (res) {
        for (let j = 0; j < k; j++) {
          dgemm(0, 0, n, kin, m, 1, d, m, V + (<usize>(j * M + oW) << 3), kin, 1, prev + (<usize>(j * kin) << 3), k * kin, net.work);
        }
      }
    }
  }
}

/**
 * HV (k·M) = H·V, H₀·V or H₁·V (part 0, 1, 2) for k directions V (k·M: direction j at j·M), without L2: one
 * forward and backward pass, then the R-operator of all k directions batched into GEMMs (`ropBlock`).
 * s: (8 + 4k)·n·T doubles (Z … S2, then RZ, RA, RD, RGA of the block).
 */
export function mlpHvpBlock(L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, lossCode: i32, n: i32, p: usize, x: usize, y: usize, v: usize, k: i32, part: i32, s: usize, work: usize, hv: usize): void {
  assert(k >= 1, "mlpHvpBlock: k must be >= 1");
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  forwardPass(net, p, x, 1);
  outputLoss(net, lossCode, y);
  backwardPass(net, p, x, 0);
  if (lossCode == 1) softmaxMass(net, y);
  ropBlock(net, lossCode, p, x, v, k, part, hv);
}

// ---- the loss on a plane of parameter space (mlp's lossPlane, manifold's slices) ---------------------------

/**
 * σ(x) for activation `code` with parameter p (the leaky-relu slope), one point: the table's formula
 * (activations.generated.ts). Exported for tests of the kernels' activations against activations.ts.
 */
export function mlpActivation(code: i32, p: f64, x: f64): f64 {
  return sigma(code, p, x);
}

/**
 * out = (u0 + a·u1) + b·u2 over cnt entries (f64x2 in the SIMD build; the same operations per entry as the scalar
 * loop, and in the order TypeScript forms θ + a·d₁ + b·d₂, so the results are identical).
 */
function planeCombination(cnt: i32, u0: usize, u1: usize, u2: usize, a: f64, b: f64, out: usize): void {
  let q = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(a);
    const vb = f64x2.splat(b);
    for (; q + 2 <= cnt; q += 2) {
      const o = <usize>q << 3;
      const t = f64x2.add(v128.load(u0 + o), f64x2.mul(va, v128.load(u1 + o)));
      v128.store(out + o, f64x2.add(t, f64x2.mul(vb, v128.load(u2 + o))));
    }
  }
  for (; q < cnt; q++) stf(out, q, ldf(u0, q) + a * ldf(u1, q) + b * ldf(u2, q));
}

/**
 * The loss on a grid of a plane through parameter space:
 *   grid[i·nB + j] = R(θ(aᵢ, bⱼ)) + (l2/2)‖θ(aᵢ, bⱼ)‖²,  θ(a, b) = p0 + a·d1 + b·d2,
 * for aᵢ in aAxis (nA values) and bⱼ in bAxis (nB values): R as `mlpLossGrad` computes it, the L2 term as
 * network.ts's l2Term (‖θ‖² summed in index order; omitted when l2 = 0). Per grid point: θ(a, b) into `theta`,
 * a forward pass of values only (no σ'), the loss without its gradient. Layer 1 needs no product per point: its
 * pre-activations are affine in (a, b), Z¹(a, b) = Z¹₀ + a·Z¹₁ + b·Z¹₂ with Z¹₀, Z¹₁, Z¹₂ = X·W¹ᵀ + 1b¹ᵀ of the
 * first-layer blocks of p0, d1, d2 (three GEMMs for the whole grid), so a point costs n·m₁ multiply-adds there
 * instead of n·m₁·d_in (the sums differ from a direct product by rounding only).
 * s: 2·n·Σₗmₗ + 3·n·m₁ doubles (Z and A of every layer, then Z¹₀, Z¹₁, Z¹₂); theta: M doubles; grid: nA·nB.
 */
export function mlpLossPlane(
  L: i32, widths: usize, codes: usize, cparams: usize, bias: i32, lossCode: i32, l2: f64, n: i32,
  p0: usize, d1: usize, d2: usize, aAxis: usize, nA: i32, bAxis: usize, nB: i32,
  x: usize, y: usize, s: usize, work: usize, theta: usize, grid: usize,
): void {
  const net = netOf(L, widths, codes, cparams, bias, n, s, work);
  const M = net.M;
  const nm1 = n * width(net, 1);
  const z10 = net.s + ((<usize>2 * <usize>n * <usize>net.T) << 3);
  const z11 = z10 + (<usize>nm1 << 3);
  const z12 = z11 + (<usize>nm1 << 3);
  preActivation(net, p0, x, 1, z10);
  preActivation(net, d1, x, 1, z11);
  preActivation(net, d2, x, 1, z12);
  const z1 = arr(net, Z_, 1);
  const a1 = arr(net, A_, 1);
  for (let ia = 0; ia < nA; ia++) {
    const a = ldf(aAxis, ia);
    for (let jb = 0; jb < nB; jb++) {
      const b = ldf(bAxis, jb);
      planeCombination(M, p0, d1, d2, a, b, theta);
      planeCombination(nm1, z10, z11, z12, a, b, z1);
      activateValue(codeOf(net, 1), cpOf(net, 1), z1, a1, nm1);
      for (let l = 2; l <= L; l++) {
        const z = arr(net, Z_, l);
        preActivation(net, theta, x, l, z);
        activateValue(codeOf(net, l), cpOf(net, l), z, arr(net, A_, l), n * width(net, l));
      }
      let R = outputLoss(net, lossCode, y, 0);
      if (l2 != 0) {
        let ss: f64 = 0;
        for (let q = 0; q < M; q++) {
          const t = ldf(theta, q);
          ss += t * t;
        }
        R += 0.5 * l2 * ss;
      }
      stf(grid, ia * nB + jb, R);
    }
  }
}
