// Symmetric eigensolver kernels on raw pointers (f64). One source, two builds: f64x2 SIMD and scalar.
//
// Storage: the working matrices are n×n COLUMN-major (element (r, c) at p + 8·(c·n + r)). A symmetric input in
// row-major order is the same array, so core passes it unchanged. Column-major makes every O(n³) loop below
// (the fused symmetric matrix-vector product and rank-2 update of the reduction, the reflector accumulation and
// the QL rotations) unit-stride and f64x2-friendly.
//
//   dsytrdLower    A = Q·T·Qᵀ, T tridiagonal (Householder, lower triangle; Golub & Van Loan §8.3.1)
//   dorgtrLower    forms Q from the reflectors dsytrdLower left in A
//   dsterfQL       eigenvalues of T (implicit-shift QL, EISPACK tql1 / Golub & Van Loan §8.3.5)
//   dsteqrQL       eigenvalues of T and Z ← Z·(rotations) (EISPACK tql2), rotations applied in row blocks
//
// Kernels never allocate: every workspace comes from core's arena. No validation here (core validated).

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Reflector tails with max|x| ≤ TINY = 2⁻⁹⁰⁰ are taken as zero. */
const TINY: f64 = 1.1830521861667747e-271;

/** Address of column c of an n×n column-major matrix. */
@inline function col(a: usize, n: i32, c: i32): usize {
  return a + ((<usize>c * <usize>n) << 3);
}

/**
 * Householder tridiagonalisation of a symmetric n×n matrix (column-major, lower triangle referenced):
 * Qᵀ·A·Q = T with Q = H₀·H₁⋯H_{n−2}, H_k = I − τ_k·v_k·v_kᵀ, v_k[k+1] = 1, v_k[r] = A[r, k] (r ≥ k+2) on exit.
 * d (n) gets diag(T), e (n) the subdiagonal e[k] = T[k+1, k] (e[n−1] = 0), tau (n) the τ_k.
 * work: 4n doubles. Each column of the trailing matrix is read and written once per step: the rank-2 update
 * A ← A − v·wᵀ − w·vᵀ of step k−1 is fused with the product p = A·v of step k (Dongarra, Hammarling & Sorensen 1989).
 */
export function dsytrdLower(n: i32, a: usize, d: usize, e: usize, tau: usize, work: usize): void {
  const nn = <usize>n << 3;
  let v = work; // reflector of the pending update (global row index)
  let w = work + nn; // its w vector
  let vn = work + 2 * nn; // reflector being built
  let pn = work + 3 * nn; // A·vn, then wn
  let pending = false;
  for (let k = 0; k < n; k++) {
    const ck = col(a, n, k);
    if (pending) rank2Column(ck, k, n, v, w);
    st(d, k, ld(ck, k));
    if (k == n - 1) {
      st(e, k, 0);
      st(tau, k, 0);
      break;
    }
    // Reflector from x = A[k+1:n, k]: H·x = β·e₁ (LAPACK dlarfg conventions).
    const alpha = ld(ck, k + 1);
    let scale: f64 = 0;
    for (let r = k + 2; r < n; r++) scale = Math.max(scale, Math.abs(ld(ck, r)));
    let t: f64 = 0;
    // Below 2⁻⁹⁰⁰ the tail is treated as zero (H = I): 1/scale and 1/(α − β) then stay finite, and the backward
    // error, ≤ √n·2⁻⁹⁰⁰, is negligible because core scales inputs to max|a| ≥ 2⁻²⁵⁶.
    if (scale > TINY) {
      let ss: f64 = 0;
      const inv = 1 / scale;
      for (let r = k + 2; r < n; r++) {
        const x = ld(ck, r) * inv;
        ss += x * x;
      }
      const xnorm = scale * Math.sqrt(ss);
      let beta = hypot2(alpha, xnorm);
      if (alpha >= 0) beta = -beta;
      t = (beta - alpha) / beta;
      const f = 1 / (alpha - beta);
      for (let r = k + 2; r < n; r++) {
        const x = ld(ck, r) * f;
        st(ck, r, x);
        st(vn, r, x);
      }
      st(vn, k + 1, 1);
      st(e, k, beta);
    } else {
      st(e, k, alpha);
    }
    st(tau, k, t);
    // Fused pass over the trailing columns: apply the pending update, accumulate pn = A·vn (lower triangle).
    if (t != 0) {
      for (let r = k + 1; r < n; r++) st(pn, r, 0);
      for (let j = k + 1; j < n; j++) {
        fusedColumn(col(a, n, j), j, n, pending, v, w, vn, pn);
      }
      // pn ← τ·A·v; wn = pn − ½τ(pnᵀv)·v
      let dot: f64 = 0;
      for (let r = k + 1; r < n; r++) {
        const p = t * ld(pn, r);
        st(pn, r, p);
        dot += p * ld(vn, r);
      }
      const c = -0.5 * t * dot;
      for (let r = k + 1; r < n; r++) st(pn, r, ld(pn, r) + c * ld(vn, r));
      // rotate roles: the new pending update is (vn, pn)
      const tv = v;
      const tw = w;
      v = vn;
      w = pn;
      vn = tv;
      pn = tw;
      pending = true;
    } else {
      if (pending) for (let j = k + 1; j < n; j++) rank2Column(col(a, n, j), j, n, v, w);
      pending = false;
    }
  }
}

/** A[j:n, j] −= v[j:n]·w_j + w[j:n]·v_j (one column of the lower-triangle rank-2 update). */
function rank2Column(cj: usize, j: i32, n: i32, v: usize, w: usize): void {
  const vj = ld(v, j);
  const wj = ld(w, j);
  let r = j;
  if (ASC_FEATURE_SIMD) {
    const vv = f64x2.splat(vj);
    const ww = f64x2.splat(wj);
    for (; r + 1 < n; r += 2) {
      const o = <usize>r << 3;
      const x = v128.load(cj + o);
      const y = f64x2.sub(x, f64x2.add(f64x2.mul(v128.load(v + o), ww), f64x2.mul(v128.load(w + o), vv)));
      v128.store(cj + o, y);
    }
  }
  for (; r < n; r++) st(cj, r, ld(cj, r) - ld(v, r) * wj - ld(w, r) * vj);
}

/**
 * Column j of the fused reduction pass: optionally apply the pending rank-2 update (v, w) to A[j:n, j], then
 * accumulate its contribution to p = A·vn over the lower triangle: p[j] += A[j:n, j]ᵀ·vn[j:n],
 * p[j+1:n] += A[j+1:n, j]·vn[j].
 */
function fusedColumn(cj: usize, j: i32, n: i32, pending: bool, v: usize, w: usize, vn: usize, pn: usize): void {
  const vj: f64 = pending ? ld(v, j) : 0;
  const wj: f64 = pending ? ld(w, j) : 0;
  const vnj = ld(vn, j);
  // diagonal element
  let ajj = ld(cj, j);
  if (pending) {
    ajj = ajj - ld(v, j) * wj - ld(w, j) * vj;
    st(cj, j, ajj);
  }
  let s: f64 = ajj * vnj;
  let r = j + 1;
  if (ASC_FEATURE_SIMD) {
    const vv = f64x2.splat(vj);
    const ww = f64x2.splat(wj);
    const xn = f64x2.splat(vnj);
    let acc = f64x2.splat(0);
    if (pending) {
      for (; r + 1 < n; r += 2) {
        const o = <usize>r << 3;
        const x = f64x2.sub(v128.load(cj + o), f64x2.add(f64x2.mul(v128.load(v + o), ww), f64x2.mul(v128.load(w + o), vv)));
        v128.store(cj + o, x);
        acc = f64x2.add(acc, f64x2.mul(x, v128.load(vn + o)));
        v128.store(pn + o, f64x2.add(v128.load(pn + o), f64x2.mul(x, xn)));
      }
    } else {
      for (; r + 1 < n; r += 2) {
        const o = <usize>r << 3;
        const x = v128.load(cj + o);
        acc = f64x2.add(acc, f64x2.mul(x, v128.load(vn + o)));
        v128.store(pn + o, f64x2.add(v128.load(pn + o), f64x2.mul(x, xn)));
      }
    }
    s += f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  }
  for (; r < n; r++) {
    let x = ld(cj, r);
    if (pending) {
      x = x - ld(v, r) * wj - ld(w, r) * vj;
      st(cj, r, x);
    }
    s += x * ld(vn, r);
    st(pn, r, ld(pn, r) + x * vnj);
  }
  st(pn, j, ld(pn, j) + s);
}

/**
 * Q = H₀·H₁⋯H_{n−2} (n×n, column-major, into z) from the reflectors dsytrdLower left in a and tau.
 * Backward accumulation (LAPACK dorg2l order): z ← H_k·z on the trailing block, k = n−2 … 0; each column of the
 * block is updated with one fused dot-and-axpy pass.
 */
export function dorgtrLower(n: i32, a: usize, tau: usize, z: usize): void {
  for (let j = 0; j < n; j++) {
    const cz = col(z, n, j);
    for (let r = 0; r < n; r++) st(cz, r, r == j ? 1 : 0);
  }
  // Reflectors in blocks of NB (descending k): each column of z gets all NB reflectors of a block while it sits
  // in L1, so z streams from memory once per block instead of once per reflector. Columns are independent, so
  // the arithmetic is exactly that of applying H_{n−2}, …, H₀ one at a time.
  const NB = 8;
  for (let hi = n - 2; hi >= 0; hi -= NB) {
    const lo = hi - NB + 1 > 0 ? hi - NB + 1 : 0;
    for (let j = lo + 1; j < n; j++) {
      const cz = col(z, n, j);
      const top = j - 1 < hi ? j - 1 : hi; // H_k touches column j only when j ≥ k+1
      for (let k = top; k >= lo; k--) {
        const t = ld(tau, k);
        if (t != 0) applyReflectorColumn(col(a, n, k), cz, k, n, t);
      }
    }
  }
}

/** z[k+1:n] ← (I − τ·v·vᵀ)·z[k+1:n] with v[k+1] = 1, v[r] = ck[r] (r ≥ k+2). */
function applyReflectorColumn(ck: usize, cz: usize, k: i32, n: i32, t: f64): void {
  let s = ld(cz, k + 1);
  let r = k + 2;
  if (ASC_FEATURE_SIMD) {
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    for (; r + 3 < n; r += 4) {
      const o = <usize>r << 3;
      acc0 = f64x2.add(acc0, f64x2.mul(v128.load(ck + o), v128.load(cz + o)));
      acc1 = f64x2.add(acc1, f64x2.mul(v128.load(ck + o, 16), v128.load(cz + o, 16)));
    }
    acc0 = f64x2.add(acc0, acc1);
    s += f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  }
  for (; r < n; r++) s += ld(ck, r) * ld(cz, r);
  if (s == 0) return;
  const g = -t * s;
  st(cz, k + 1, ld(cz, k + 1) + g);
  r = k + 2;
  if (ASC_FEATURE_SIMD) {
    const gg = f64x2.splat(g);
    for (; r + 1 < n; r += 2) {
      const o = <usize>r << 3;
      v128.store(cz + o, f64x2.add(v128.load(cz + o), f64x2.mul(gg, v128.load(ck + o))));
    }
  }
  for (; r < n; r++) st(cz, r, ld(cz, r) + g * ld(ck, r));
}

/** √(a² + b²) without destructive overflow or underflow. */
@inline function hypot2(a: f64, b: f64): f64 {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const m = Math.max(x, y);
  if (m == 0) return 0;
  const q = Math.min(x, y) / m;
  return m * Math.sqrt(1 + q * q);
}

const EPS: f64 = 2.220446049250313e-16;
const MAX_ITER_PER_VALUE: i32 = 60;

/**
 * Eigenvalues of the symmetric tridiagonal T (d diagonal, e[k] = T[k+1, k], n each) by implicit-shift QL with
 * Wilkinson-type shifts (EISPACK tql1; Golub & Van Loan §8.3). Overwrites d with the eigenvalues (unordered) and
 * e with zeros. Returns 0, or k+1 when the k-th eigenvalue did not converge in 60 iterations.
 */
export function dsterfQL(n: i32, d: usize, e: usize): i32 {
  return tridiagQL(n, d, e, 0, 0, 0, 0, 0, 0);
}

/**
 * Eigenvalues of T as dsterfQL, and z (n×n, column-major) ← z·G where G is the product of the QL rotations, so
 * z = Q on entry gives the eigenvectors of A = Q·T·Qᵀ as the columns of z (EISPACK tql2).
 * The rotations are recorded (rot: 2·rotCap doubles for (c, s); sweeps: 3·sweepCap i32 for (l, m, offset)) and
 * applied to z in row blocks whenever the log is full and at the end: each row block of z stays in L1 while a
 * whole batch of sweeps passes over it (the arithmetic is identical to applying each rotation at once).
 * rotCap ≥ n is required. Returns 0, or k+1 when the k-th eigenvalue did not converge.
 */
export function dsteqrQL(n: i32, d: usize, e: usize, z: usize, rot: usize, rotCap: i32, sweeps: usize, sweepCap: i32): i32 {
  return tridiagQL(n, d, e, z, rot, rotCap, sweeps, sweepCap, 1);
}

function tridiagQL(n: i32, d: usize, e: usize, z: usize, rot: usize, rotCap: i32, sweeps: usize, sweepCap: i32, wantz: i32): i32 {
  if (n <= 1) return 0;
  st(e, n - 1, 0);
  let f: f64 = 0;
  let tst1: f64 = 0;
  let nrot = 0;
  let nsweep = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(ld(d, l)) + Math.abs(ld(e, l)));
    let m = l;
    while (m < n) {
      if (Math.abs(ld(e, m)) <= EPS * tst1) break;
      m++;
    }
    if (m == n) m = n - 1; // e[n−1] = 0 always stops the search; kept for safety
    if (m > l) {
      let iter = 0;
      do {
        iter++;
        if (iter > MAX_ITER_PER_VALUE) {
          if (wantz && nsweep > 0) applyRotations(n, z, rot, sweeps, nsweep);
          return l + 1;
        }
        // Shift: the eigenvalue of the leading 2×2 block closer to d[l].
        let g = ld(d, l);
        let p = (ld(d, l + 1) - g) / (2 * ld(e, l));
        let r = hypot2(p, 1);
        if (p < 0) r = -r;
        st(d, l, ld(e, l) / (p + r));
        st(d, l + 1, ld(e, l) * (p + r));
        const dl1 = ld(d, l + 1);
        let h = g - ld(d, l);
        for (let i = l + 2; i < n; i++) st(d, i, ld(d, i) - h);
        f += h;
        // Implicit QL sweep from m−1 down to l.
        if (wantz) {
          if (nrot + (m - l) > rotCap || nsweep >= sweepCap) {
            applyRotations(n, z, rot, sweeps, nsweep);
            nrot = 0;
            nsweep = 0;
          }
          const sw = sweeps + (<usize>nsweep * 12);
          store<i32>(sw, l);
          store<i32>(sw + 4, m);
          store<i32>(sw + 8, nrot);
          nsweep++;
        }
        p = ld(d, m);
        let c: f64 = 1;
        let c2: f64 = 1;
        let c3: f64 = 1;
        const el1 = ld(e, l + 1);
        let s: f64 = 0;
        let s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = ld(e, i);
          g = c * ei;
          h = c * p;
          r = hypot2(p, ei);
          st(e, i + 1, s * r);
          s = ei / r;
          c = p / r;
          const di = ld(d, i);
          p = c * di - s * g;
          st(d, i + 1, h + s * (c * g + s * di));
          if (wantz) {
            const q = rot + (<usize>nrot << 4);
            store<f64>(q, c);
            store<f64>(q + 8, s);
            nrot++;
          }
        }
        p = (-s * s2 * c3 * el1 * ld(e, l)) / dl1;
        st(e, l, s * p);
        st(d, l, c * p);
      } while (Math.abs(ld(e, l)) > EPS * tst1);
    }
    st(d, l, ld(d, l) + f);
    st(e, l, 0);
  }
  if (wantz && nsweep > 0) applyRotations(n, z, rot, sweeps, nsweep);
  return 0;
}

/**
 * Apply the logged sweeps to z in blocks of rows. Sweep (l, m, off) holds rotations i = m−1 … l (c, s at
 * rot[off + (m−1−i)]) acting on columns (i, i+1): z[:, i+1] ← s·z[:, i] + c·z[:, i+1],
 * z[:, i] ← c·z[:, i] − s·z[:, i+1]. Going down in i, column i+1 is final after rotation i and column i is
 * carried in registers to the next rotation: one load and one store per element and rotation.
 */
function applyRotations(n: i32, z: usize, rot: usize, sweeps: usize, nsweep: i32): void {
  const RB = 8;
  let r0 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r0 + RB <= n; r0 += RB) {
      const base = z + (<usize>r0 << 3);
      for (let q = 0; q < nsweep; q++) {
        const sw = sweeps + (<usize>q * 12);
        const l = load<i32>(sw);
        const m = load<i32>(sw + 4);
        let rp = rot + (<usize>load<i32>(sw + 8) << 4);
        let pc = base + ((<usize>m * <usize>n) << 3);
        let k0 = v128.load(pc);
        let k1 = v128.load(pc, 16);
        let k2 = v128.load(pc, 32);
        let k3 = v128.load(pc, 48);
        const stride = <usize>n << 3;
        for (let i = m - 1; i >= l; i--) {
          const c = f64x2.splat(load<f64>(rp));
          const s = f64x2.splat(load<f64>(rp, 8));
          rp += 16;
          const pi = pc - stride;
          const x0 = v128.load(pi);
          const x1 = v128.load(pi, 16);
          const x2 = v128.load(pi, 32);
          const x3 = v128.load(pi, 48);
          v128.store(pc, f64x2.add(f64x2.mul(s, x0), f64x2.mul(c, k0)));
          v128.store(pc, f64x2.add(f64x2.mul(s, x1), f64x2.mul(c, k1)), 16);
          v128.store(pc, f64x2.add(f64x2.mul(s, x2), f64x2.mul(c, k2)), 32);
          v128.store(pc, f64x2.add(f64x2.mul(s, x3), f64x2.mul(c, k3)), 48);
          k0 = f64x2.sub(f64x2.mul(c, x0), f64x2.mul(s, k0));
          k1 = f64x2.sub(f64x2.mul(c, x1), f64x2.mul(s, k1));
          k2 = f64x2.sub(f64x2.mul(c, x2), f64x2.mul(s, k2));
          k3 = f64x2.sub(f64x2.mul(c, x3), f64x2.mul(s, k3));
          pc = pi;
        }
        v128.store(pc, k0);
        v128.store(pc, k1, 16);
        v128.store(pc, k2, 32);
        v128.store(pc, k3, 48);
      }
    }
  }
  // Remaining rows (all rows in the scalar build): blocks of four rows with scalar carries, then single rows.
  const stride = <usize>n << 3;
  for (; r0 + 4 <= n; r0 += 4) {
    const base = z + (<usize>r0 << 3);
    for (let q = 0; q < nsweep; q++) {
      const sw = sweeps + (<usize>q * 12);
      const l = load<i32>(sw);
      const m = load<i32>(sw + 4);
      let rp = rot + (<usize>load<i32>(sw + 8) << 4);
      let pc = base + <usize>m * stride;
      let k0 = load<f64>(pc);
      let k1 = load<f64>(pc, 8);
      let k2 = load<f64>(pc, 16);
      let k3 = load<f64>(pc, 24);
      for (let i = m - 1; i >= l; i--) {
        const c = load<f64>(rp);
        const s = load<f64>(rp, 8);
        rp += 16;
        const pi = pc - stride;
        const x0 = load<f64>(pi);
        const x1 = load<f64>(pi, 8);
        const x2 = load<f64>(pi, 16);
        const x3 = load<f64>(pi, 24);
        store<f64>(pc, s * x0 + c * k0);
        store<f64>(pc, s * x1 + c * k1, 8);
        store<f64>(pc, s * x2 + c * k2, 16);
        store<f64>(pc, s * x3 + c * k3, 24);
        k0 = c * x0 - s * k0;
        k1 = c * x1 - s * k1;
        k2 = c * x2 - s * k2;
        k3 = c * x3 - s * k3;
        pc = pi;
      }
      store<f64>(pc, k0);
      store<f64>(pc, k1, 8);
      store<f64>(pc, k2, 16);
      store<f64>(pc, k3, 24);
    }
  }
  for (let r = r0; r < n; r++) {
    const base = z + (<usize>r << 3);
    for (let q = 0; q < nsweep; q++) {
      const sw = sweeps + (<usize>q * 12);
      const l = load<i32>(sw);
      const m = load<i32>(sw + 4);
      let rp = rot + (<usize>load<i32>(sw + 8) << 4);
      let pc = base + <usize>m * stride;
      let k = load<f64>(pc);
      for (let i = m - 1; i >= l; i--) {
        const c = load<f64>(rp);
        const s = load<f64>(rp, 8);
        rp += 16;
        const pi = pc - stride;
        const x = load<f64>(pi);
        store<f64>(pc, s * x + c * k);
        k = c * x - s * k;
        pc = pi;
      }
      store<f64>(pc, k);
    }
  }
}
