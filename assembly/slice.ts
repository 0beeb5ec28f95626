// Kernel of @losscape/mlp's `affineLossPlane` (manifold's loss slices): the loss of a one-hidden-layer network
// (linear output, mse) on a whole grid of a plane θ(a, b) = θ + a·d₁ + b·d₂ through parameter space. No allocation,
// no validation (packages/mlp/src/plane-affine.ts validates, computes the pre-activation planes and reserves the
// scratch).
//
// Along the plane the hidden pre-activations are affine, Z(a, b) = Z₀ + a·Z₁ + b·Z₂ (n × m, precomputed), and the
// output layer is W²(a, b) = W²₀ + a·W²₁ + b·W²₂ (r × m), b²(a, b) = b²₀ + a·b²₁ + b·b²₂. For grid row a and
// column b_j:  f_i(a, b_j) = W²(a, b_j)·σ(z_i(a, b_j)) + b²(a, b_j),  R(a, b_j) = 1/(2n) Σᵢ ‖f_i − y_i‖².
// Activation codes are mlp's (packages/mlp/src/activation-table.ts). sigmoid is 1/(1 + u), u = e^{−z} carried along
// the row by products like tanh's (below); linear, relu, leaky-relu and quadratic in f64x2, tanh as below; every
// other activation point by point with the table's σ (`sigma`, which aborts on an unknown code).
//
// tanh z = (u − 1)/(u + 1) with u = exp(2z). Along a grid row z_j = z_r + b_j·z₂ is affine in j, so
// u_{j+2} = u_j·q² with q = exp(2Δb·z₂): the kernel works on column pairs (j, j+1) (one f64x2) and re-anchors u
// with a fresh exp every ANCHOR pairs, so a value carries at most ANCHOR − 1 rounded products (relative error
// ≤ ~2·ANCHOR ulp in u, ≤ ~ANCHOR ulp absolute in tanh; ANCHOR = 26 anchors a 101-point row twice). Rows with
// |z| > 300 at an end use exp at every point (z clamped to ±300, where tanh = ±1 in f64). With one output,
// `tanhPair` fuses two neurons and shares one division between them.
// `expF`/`expV` (elementary.ts): exp by range reduction and a degree-13 Taylor polynomial, ≈ 1–2 ulp.
//
// Layout: the b axis is padded to an even length nbp (the caller repeats its last value); scratch s (f64) holds
// C (r·m·nbp: C[k, s, j] = W²(a, b_j)[k, s]), ACC (r·nbp), H (nbp), ROW (nbp), WA (r·m), BA (r), Q (4). The grid
// out is nA × nbp row-major (padding columns are junk).

import { expF, expV, sigmoidF, sigmoidV } from "./elementary";
import {
  sigma, ACTIVATION_LEAKY_RELU, ACTIVATION_LINEAR, ACTIVATION_QUADRATIC, ACTIVATION_RELU, ACTIVATION_SIGMOID, ACTIVATION_TANH,
} from "./activations.generated";

const ANCHOR: i32 = 26; // pairs between fresh exp evaluations
const Z_MAX: f64 = 300.0;

@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/**
 * sigmoid along a row: σ(z_j) = 1/(1 + u_j) with u_j = exp(−z_j) = u₀·Q^j, Q = exp(−Δb·z₂) — the recurrence of
 * tanh in `activateRow` with u = e^{−z}: re-anchored with a fresh exp every ANCHOR column pairs, so u carries at most
 * 2·ANCHOR − 1 rounded products (≤ ~ANCHOR ulp relative in σ). Rows with |z| > Z_MAX at an end use the exp at every
 * column (elementary.ts's `sigmoidF`/`sigmoidV`).
 */
function sigmoidRow(zr: f64, z2: f64, nb: i32, nbp: i32, bAxis: usize, db: f64, h: usize): void {
  const zS = zr + ldf(bAxis, 0) * z2;
  const zE = zr + ldf(bAxis, nb - 1) * z2;
  const recur = max(abs(zS), abs(zE)) <= Z_MAX;
  if (ASC_FEATURE_SIMD) {
    const vzr = f64x2.splat(zr);
    const vz2 = f64x2.splat(z2);
    const one = f64x2.splat(1.0);
    if (recur) {
      v128.store(gQ, expV(f64x2.splat(-2.0 * db * z2))); // Q², two columns on; in memory (see activateRow)
      let u = one;
      for (let j = 0, c = 0; j < nbp; j += 2, c++) {
        if (c == ANCHOR) c = 0;
        if (c == 0) {
          u = expV(f64x2.neg(f64x2.add(vzr, f64x2.mul(v128.load(at(bAxis, j)), vz2))));
        } else {
          u = f64x2.mul(u, v128.load(gQ));
        }
        v128.store(at(h, j), f64x2.div(one, f64x2.add(one, u)));
      }
    } else {
      for (let j = 0; j < nbp; j += 2) v128.store(at(h, j), sigmoidV(f64x2.add(vzr, f64x2.mul(v128.load(at(bAxis, j)), vz2))));
    }
  } else {
    if (recur) {
      store<f64>(gQ, expF(-db * z2)); // in memory, as above
      let u = 1.0;
      for (let j = 0, c = 0; j < nbp; j++, c++) {
        if (c == 2 * ANCHOR) c = 0;
        if (c == 0) {
          u = expF(-(zr + ldf(bAxis, j) * z2));
        } else {
          u *= load<f64>(gQ);
        }
        stf(h, j, 1.0 / (1.0 + u));
      }
    } else {
      for (let j = 0; j < nbp; j++) stf(h, j, sigmoidF(zr + ldf(bAxis, j) * z2));
    }
  }
}

/** H[j] = σ(z_r + b_j·z₂), j < nbp. */
function activateRow(code: i32, slope: f64, zr: f64, z2: f64, nb: i32, nbp: i32, bAxis: usize, db: f64, h: usize): void {
  if (code == ACTIVATION_TANH) {
    const zS = zr + ldf(bAxis, 0) * z2;
    const zE = zr + ldf(bAxis, nb - 1) * z2;
    const recur = max(abs(zS), abs(zE)) <= Z_MAX;
    if (ASC_FEATURE_SIMD) {
      const vzr = f64x2.splat(zr);
      const vz2 = f64x2.splat(z2);
      const one = f64x2.splat(1.0);
      if (recur) {
        // q² = exp(2·(2Δb)·z₂), two columns on. Kept in memory: as a value, V8's TurboFan scheduled the whole exp
        // into the loop's branch that uses it (once per pair, ≈ 7× slower); a load stays a load.
        v128.store(gQ, expV(f64x2.splat(4.0 * db * z2)));
        let u = one;
        for (let j = 0, c = 0; j < nbp; j += 2, c++) {
          if (c == ANCHOR) c = 0;
          if (c == 0) {
            const z = f64x2.add(vzr, f64x2.mul(v128.load(at(bAxis, j)), vz2));
            u = expV(f64x2.add(z, z));
          } else {
            u = f64x2.mul(u, v128.load(gQ));
          }
          v128.store(at(h, j), f64x2.div(f64x2.sub(u, one), f64x2.add(u, one)));
        }
      } else {
        const lo = f64x2.splat(-Z_MAX);
        const hi = f64x2.splat(Z_MAX);
        for (let j = 0; j < nbp; j += 2) {
          const z = f64x2.min(f64x2.max(f64x2.add(vzr, f64x2.mul(v128.load(at(bAxis, j)), vz2)), lo), hi);
          const u = expV(f64x2.add(z, z));
          v128.store(at(h, j), f64x2.div(f64x2.sub(u, one), f64x2.add(u, one)));
        }
      }
    } else {
      if (recur) {
        store<f64>(gQ, expF(2.0 * db * z2)); // in memory, as above
        let u = 1.0;
        for (let j = 0, c = 0; j < nbp; j++, c++) {
          if (c == 2 * ANCHOR) c = 0;
          if (c == 0) {
            const z = zr + ldf(bAxis, j) * z2;
            u = expF(z + z);
          } else {
            u *= load<f64>(gQ);
          }
          stf(h, j, (u - 1.0) / (u + 1.0));
        }
      } else {
        for (let j = 0; j < nbp; j++) {
          const z = min(max(zr + ldf(bAxis, j) * z2, -Z_MAX), Z_MAX);
          const u = expF(z + z);
          stf(h, j, (u - 1.0) / (u + 1.0));
        }
      }
    }
    return;
  }
  if (code == ACTIVATION_SIGMOID) {
    sigmoidRow(zr, z2, nb, nbp, bAxis, db, h);
    return;
  }
  if (code != ACTIVATION_LINEAR && code != ACTIVATION_RELU && code != ACTIVATION_LEAKY_RELU && code != ACTIVATION_QUADRATIC) {
    // no shortcut along the row: σ at every column with the table's formula (softplus, gelu, sin, …)
    for (let j = 0; j < nbp; j++) stf(h, j, sigma(code, slope, zr + ldf(bAxis, j) * z2));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vzr = f64x2.splat(zr);
    const vz2 = f64x2.splat(z2);
    const zero = f64x2.splat(0.0);
    const vs = f64x2.splat(slope);
    for (let j = 0; j < nbp; j += 2) {
      const z = f64x2.add(vzr, f64x2.mul(v128.load(at(bAxis, j)), vz2));
      let v = z;
      if (code == ACTIVATION_RELU) v = v128.bitselect(z, zero, f64x2.gt(z, zero));
      else if (code == ACTIVATION_LEAKY_RELU) v = v128.bitselect(z, f64x2.mul(vs, z), f64x2.gt(z, zero));
      else if (code == ACTIVATION_QUADRATIC) v = f64x2.mul(z, z);
      v128.store(at(h, j), v);
    }
  } else {
    for (let j = 0; j < nbp; j++) {
      const z = zr + ldf(bAxis, j) * z2;
      let v = z;
      if (code == ACTIVATION_RELU) v = z > 0 ? z : 0.0;
      else if (code == ACTIVATION_LEAKY_RELU) v = z > 0 ? z : slope * z;
      else if (code == ACTIVATION_QUADRATIC) v = z * z;
      stf(h, j, v);
    }
  }
}

/** ACC[j] += C[j]·H[j], j < nbp. */
function axpyRow(nbp: i32, c: usize, h: usize, acc: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let j = 0; j < nbp; j += 2) {
      v128.store(at(acc, j), f64x2.add(v128.load(at(acc, j)), f64x2.mul(v128.load(at(c, j)), v128.load(at(h, j)))));
    }
  } else {
    for (let j = 0; j < nbp; j++) stf(acc, j, ldf(acc, j) + ldf(c, j) * ldf(h, j));
  }
}

/**
 * The dimensions and buffers of one `sliceAffinePlane` call, passed to the per-sample functions: m, r, nb, nbp, the
 * activation (code, slope), Δb, the inputs z0, z1, z2 (n × m), c2 (r), y, the b axis, and the scratch arrays C, ACC,
 * H, ROW, BA and Q (4 f64: the row ratios q or q² of `activateRow` and `tanhPair`). Filled on entry to the kernel;
 * its bytes are a static cell (`PLANE_CELL`), since kernels never allocate.
 */
@final @unmanaged class Plane {
  m: i32;
  r: i32;
  nb: i32;
  nbp: i32;
  code: i32;
  slope: f64;
  db: f64;
  z0: usize;
  z1: usize;
  z2: usize;
  c2: usize;
  y: usize;
  b: usize;
  c: usize;
  acc: usize;
  h: usize;
  row: usize;
  ba: usize;
  q: usize;
}

const PLANE_CELL: usize = memory.data(offsetof<Plane>(), 8);

// The one module global left: the address of Q (= Plane.q) for `activateRow` and `sigmoidRow`, set by the kernel.
// Read through a global, the address is opaque to V8; as a parameter or a Plane field it is not, V8 forwards the
// stored q² into a value and TurboFan schedules its exp into the row loop (sigmoid 30-31-1 1.5–1.7× slower, measured).
let gQ: usize = 0;

const Z_PAIR: f64 = 150.0; // |z| bound of `tanhPair`: (u_a + 1)(u_b + 1) ≤ e^600 stays finite

/**
 * tanh, one output: ACC[j] += C[s, j]·tanh z_s(a, b_j) + C[s+1, j]·tanh z_{s+1}(a, b_j) for neurons s, s+1 of
 * sample i, fused (no H round trip), the two exp recurrences interleaved, and one division for both:
 * with v = 1/((u_s + 1)(u_{s+1} + 1)), tanh z_s = (u_s − 1)(u_{s+1} + 1)·v (≤ ~3 ulp more than one division each).
 * Returns false (nothing done) when |z| > Z_PAIR at an end of the row for either neuron.
 */
function tanhPair(pl: Plane, i: i32, a: f64, s: i32): bool {
  const m = pl.m, nbp = pl.nbp;
  const q = i * m + s;
  const zrA = ldf(pl.z0, q) + a * ldf(pl.z1, q);
  const zrB = ldf(pl.z0, q + 1) + a * ldf(pl.z1, q + 1);
  const z2A = ldf(pl.z2, q);
  const z2B = ldf(pl.z2, q + 1);
  const b0 = ldf(pl.b, 0);
  const b1 = ldf(pl.b, pl.nb - 1);
  if (max(max(abs(zrA + b0 * z2A), abs(zrA + b1 * z2A)), max(abs(zrB + b0 * z2B), abs(zrB + b1 * z2B))) > Z_PAIR) return false;
  const cA = at(pl.c, s * nbp);
  const cB = at(pl.c, (s + 1) * nbp);
  const acc = pl.acc;
  const db = pl.db;
  if (ASC_FEATURE_SIMD) {
    // q² of each neuron in memory (see activateRow)
    v128.store(pl.q, expV(f64x2.splat(4.0 * db * z2A)));
    v128.store(pl.q, expV(f64x2.splat(4.0 * db * z2B)), 16);
    const one = f64x2.splat(1.0);
    const qA = v128.load(pl.q);
    const qB = v128.load(pl.q, 16);
    for (let j0 = 0; j0 < nbp; j0 += 2 * ANCHOR) {
      // a block of ANCHOR column pairs: a fresh exp at its start, then products (no branch in the inner loop)
      const b = v128.load(at(pl.b, j0));
      const zA = f64x2.add(f64x2.splat(zrA), f64x2.mul(b, f64x2.splat(z2A)));
      const zB = f64x2.add(f64x2.splat(zrB), f64x2.mul(b, f64x2.splat(z2B)));
      let uA = expV(f64x2.add(zA, zA));
      let uB = expV(f64x2.add(zB, zB));
      const j1 = min(j0 + 2 * ANCHOR, nbp);
      for (let j = j0; j < j1; j += 2) {
        const pA = f64x2.add(uA, one);
        const pB = f64x2.add(uB, one);
        const v = f64x2.div(one, f64x2.mul(pA, pB));
        const tA = f64x2.mul(f64x2.mul(f64x2.sub(uA, one), pB), v);
        const tB = f64x2.mul(f64x2.mul(f64x2.sub(uB, one), pA), v);
        const sum = f64x2.add(f64x2.mul(v128.load(at(cA, j)), tA), f64x2.mul(v128.load(at(cB, j)), tB));
        v128.store(at(acc, j), f64x2.add(v128.load(at(acc, j)), sum));
        uA = f64x2.mul(uA, qA);
        uB = f64x2.mul(uB, qB);
      }
    }
  } else {
    store<f64>(pl.q, expF(2.0 * db * z2A));
    store<f64>(pl.q + 8, expF(2.0 * db * z2B));
    const qA = load<f64>(pl.q);
    const qB = load<f64>(pl.q + 8);
    for (let j0 = 0; j0 < nbp; j0 += 2 * ANCHOR) {
      const b = ldf(pl.b, j0);
      const zA = zrA + b * z2A;
      const zB = zrB + b * z2B;
      let uA = expF(zA + zA);
      let uB = expF(zB + zB);
      const j1 = min(j0 + 2 * ANCHOR, nbp);
      for (let j = j0; j < j1; j++) {
        const pA = uA + 1.0;
        const pB = uB + 1.0;
        const v = 1.0 / (pA * pB);
        stf(acc, j, ldf(acc, j) + (ldf(cA, j) * ((uA - 1.0) * pB * v) + ldf(cB, j) * ((uB - 1.0) * pA * v)));
        uA *= qA;
        uB *= qB;
      }
    }
  }
  return true;
}

/** One neuron s of sample i: H = σ(z_s(a, ·)), then ACC[k, ·] += C[k, s, ·]·H for every output k. */
@inline function addNeuron(pl: Plane, i: i32, a: f64, s: i32): void {
  const m = pl.m, r = pl.r, nbp = pl.nbp;
  const zr = ldf(pl.z0, i * m + s) + a * ldf(pl.z1, i * m + s);
  activateRow(pl.code, pl.slope, zr, ldf(pl.z2, i * m + s), pl.nb, nbp, pl.b, pl.db, pl.h);
  for (let k = 0; k < r; k++) axpyRow(nbp, at(pl.c, (k * m + s) * nbp), pl.h, at(pl.acc, k * nbp));
}

/**
 * ROW[j] += ‖f_i(a, b_j) − y_i‖² for sample i on grid row a. A separate function with two call sites, so binaryen
 * does not inline it into the exported kernel: V8 tiers a wasm function up only between calls, and the kernel
 * itself is called once.
 */
function addSample(pl: Plane, i: i32, a: f64): void {
  const m = pl.m, r = pl.r, nbp = pl.nbp;
  memory.fill(pl.acc, 0, <usize>(r * nbp) << 3);
  let s = 0;
  if (pl.code == ACTIVATION_TANH && r == 1) {
    for (; s + 1 < m; s += 2) {
      if (!tanhPair(pl, i, a, s)) {
        addNeuron(pl, i, a, s);
        addNeuron(pl, i, a, s + 1);
      }
    }
  }
  for (; s < m; s++) addNeuron(pl, i, a, s);
  for (let j = 0; j < nbp; j++) {
    const b = ldf(pl.b, j);
    let e = 0.0;
    for (let k = 0; k < r; k++) {
      const res = ldf(pl.acc, k * nbp + j) + ldf(pl.ba, k) + b * ldf(pl.c2, k) - ldf(pl.y, i * r + k);
      e += res * res;
    }
    stf(pl.row, j, ldf(pl.row, j) + e);
  }
}

/**
 * The loss on an nA × nb grid of the plane (see the file comment). z0, z1, z2: n × m; w0, w1, w2: r × m (output
 * weights at θ, along d₁, along d₂); c0, c1, c2: r (output biases likewise; zeros without bias); y: n × r;
 * aAxis: nA; bAxis: nbp (even, padded by repeating the last value); db = b₁ − b₀ (0 when nb = 1);
 * s: scratch of r·m·nbp + r·nbp + 2·nbp + r·m + r + 4 f64; grid: nA·nbp.
 */
export function sliceAffinePlane(
  n: i32, m: i32, r: i32, nA: i32, nb: i32, nbp: i32, code: i32, slope: f64,
  z0: usize, z1: usize, z2: usize, w0: usize, w1: usize, w2: usize, c0: usize, c1: usize, c2: usize,
  y: usize, aAxis: usize, bAxis: usize, db: f64, s: usize, grid: usize,
): void {
  const pl = changetype<Plane>(PLANE_CELL);
  pl.m = m; pl.r = r; pl.nb = nb; pl.nbp = nbp; pl.code = code; pl.slope = slope; pl.db = db;
  pl.z0 = z0; pl.z1 = z1; pl.z2 = z2; pl.c2 = c2; pl.y = y; pl.b = bAxis;
  pl.c = s;
  pl.acc = at(pl.c, r * m * nbp);
  pl.h = at(pl.acc, r * nbp);
  pl.row = at(pl.h, nbp);
  const WA = at(pl.row, nbp);
  pl.ba = at(WA, r * m);
  pl.q = at(pl.ba, r);
  gQ = pl.q;
  for (let ia = 0; ia < nA; ia++) {
    const a = ldf(aAxis, ia);
    for (let q = 0; q < r * m; q++) stf(WA, q, ldf(w0, q) + a * ldf(w1, q));
    for (let k = 0; k < r; k++) stf(pl.ba, k, ldf(c0, k) + a * ldf(c1, k));
    for (let q = 0; q < r * m; q++) {
      const w = ldf(WA, q);
      const f = ldf(w2, q);
      const cq = at(pl.c, q * nbp);
      for (let j = 0; j < nbp; j++) stf(cq, j, w + ldf(bAxis, j) * f);
    }
    memory.fill(pl.row, 0, <usize>nbp << 3);
    addSample(pl, 0, a);
    for (let i = 1; i < n; i++) addSample(pl, i, a);
    const twoN = 2.0 * <f64>n;
    for (let j = 0; j < nbp; j++) stf(grid, ia * nbp + j, ldf(pl.row, j) / twoN);
  }
}
