import { dot, matmul, nrm2, residentBuffer, ShapeError, wasmActive, withKernels, type WasmBuffer } from "@losscape/core";
import type { Rng } from "@losscape/mlp";

/** k vectors of length M one after another, as `SymmetricOperator.apply` takes them. */
export function pack(vectors: readonly Float64Array[], M: number): Float64Array {
  const V = new Float64Array(vectors.length * M);
  vectors.forEach((v, j) => V.set(v, j * M));
  return V;
}

/** Vector j of a packed block (a view). */
export function vectorOf(V: Float64Array, M: number, j: number): Float64Array {
  return V.subarray(j * M, (j + 1) * M);
}

/** A Rademacher vector: entries ±1 with probability ½ each, from the project's seeded RNG. */
export function rademacher(rng: Rng, M: number): Float64Array {
  const z = new Float64Array(M);
  for (let i = 0; i < M; i++) z[i] = rng.next() < 0.5 ? -1 : 1;
  return z;
}

/**
 * A Gaussian vector: entries N(0, 1) from the project's seeded RNG. Block Krylov methods start from these: a block
 * of b of them has a projection of full rank b on every eigenspace of dimension ≥ b with probability 1, where b
 * Rademacher vectors restricted to a coordinate-aligned eigenspace (a diagonal operator) coincide up to sign half of
 * the time, and the method then finds one copy of a repeated eigenvalue instead of two.
 */
export function gaussian(rng: Rng, M: number): Float64Array {
  const z = new Float64Array(M);
  for (let i = 0; i < M; i++) z[i] = rng.normal();
  return z;
}

/**
 * w ← (I − QQᵀ)w by classical Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005) against the
 * orthonormal vectors of `basis`; returns the summed coefficients Qᵀw of both passes (length basis.length).
 */
export function orthogonalize(w: Float64Array, basis: readonly Float64Array[]): Float64Array {
  const c = new Float64Array(basis.length);
  for (let pass = 0; pass < 2; pass++) {
    const d = basis.map((q) => dot(q, w));
    basis.forEach((q, r) => {
      const a = d[r];
      if (a !== 0) for (let i = 0; i < w.length; i++) w[i] -= a * q[i];
      c[r] += a;
    });
  }
  return c;
}

/** w ← w/‖w‖ (the scaled norm of core's `nrm2`: no overflow or underflow); returns ‖w‖. */
export function normalize(w: Float64Array): number {
  const s = nrm2(w);
  if (s > 0) for (let i = 0; i < w.length; i++) w[i] /= s;
  return s;
}

/** Mean and the standard error of the mean (sample standard deviation/√m) of m ≥ 1 samples (SE 0 for m = 1). */
export function meanAndStandardError(x: ArrayLike<number>): { mean: number; standardError: number } {
  const m = x.length;
  let s = 0;
  for (let i = 0; i < m; i++) s += x[i];
  const mean = s / m;
  if (m < 2) return { mean, standardError: 0 };
  let v = 0;
  for (let i = 0; i < m; i++) v += (x[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(v / (m - 1) / m) };
}

/**
 * Most values a `Basis` may hold: 2²⁸ doubles = 2 GiB, the limit of a dense matrix in @losscape/mlp. On the WASM
 * backends a basis is held twice (the JavaScript rows and the resident copy, in a wasm32 memory of at most 4 GiB),
 * so a larger one fails — or a JavaScript array of more than 2³² values cannot even be made — only after the data
 * are uploaded; it is refused before the work instead.
 */
export const MAX_BASIS_VALUES = 2 ** 28;

/**
 * Refuse a basis of `vectors` vectors of length M beyond MAX_BASIS_VALUES: a ShapeError naming the function, what
 * sets the size (`cause`, e.g. "'steps' = 100000") and the values needed vs the limit.
 * @example
 * checkBasisSize("lanczosQuadratures", "'steps' = 80", 80, 318010); // fine: 2.5e7 values
 */
export function checkBasisSize(fn: string, cause: string, vectors: number, M: number): void {
  const values = vectors * M;
  if (values > MAX_BASIS_VALUES) {
    throw new ShapeError(
      `${fn}: ${cause} needs a basis of ${vectors} vectors of dimension ${M}, ${values.toExponential(3)} values (${((values * 8) / 2 ** 30).toFixed(1)} GiB); at most 2^28 = ${MAX_BASIS_VALUES} values (2 GiB), i.e. ${Math.floor(MAX_BASIS_VALUES / M)} vectors of this dimension`,
    );
  }
}

/**
 * An orthonormal basis q₀ … q_{count−1} of vectors of length M, stored as the rows of one (capacity × M) array, so
 * that projections against it are matrix products. On a WASM backend the basis is also resident in WASM memory
 * (core's `residentBuffer`) and the products are core's `dgemm` kernel on it: a projection copies only the block
 * it projects, never the basis. `dispose()` frees the resident copy.
 */
export class Basis {
  readonly data: Float64Array;
  count = 0;
  private readonly resident: WasmBuffer<"f64"> | undefined;
  constructor(readonly M: number, readonly capacity: number) {
    this.data = new Float64Array(capacity * M);
    this.resident = wasmActive("Basis") ? residentBuffer("Basis", "f64", capacity * M) : undefined;
  }
  /** Row i (a view). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.M, (i + 1) * this.M);
  }
  /** Append the k rows of a packed block. */
  append(V: Float64Array, k: number): void {
    const rows = V.subarray(0, k * this.M);
    this.data.set(rows, this.count * this.M);
    this.resident?.write("Basis.append", rows, this.count * this.M);
    this.count += k;
  }
  /** The basis as a count × M matrix (a view). */
  private matrix() {
    return { rows: this.count, cols: this.M, data: this.data.subarray(0, this.count * this.M) };
  }
  /**
   * W ← (I − QQᵀ)W for the k rows of W, classical Gram–Schmidt applied twice as block products; returns the summed
   * coefficients QᵀW of both passes, count × k row-major.
   */
  orthogonalize(W: Float64Array, k: number): Float64Array {
    const j = this.count;
    const M = this.M;
    const c = new Float64Array(j * k);
    if (j === 0) return c;
    const Q = this.resident;
    if (Q) {
      withKernels("Basis.orthogonalize", (s) => {
        const w = s.put(W.subarray(0, k * M));
        for (let pass = 0; pass < 2; pass++) {
          const C = s.dgemm({ ta: 0, tb: 1, m: j, n: k, k: M, alpha: 1, a: Q, lda: M, b: w, ldb: M, beta: 0, ldc: k }).c;
          s.dgemm({ ta: 1, tb: 0, m: k, n: M, k: j, alpha: -1, a: C, lda: k, b: Q, ldb: M, beta: 1, c: w, ldc: M });
          const cv = s.view(C);
          for (let i = 0; i < j * k; i++) c[i] += cv[i];
        }
        W.set(s.view(w));
      });
      return c;
    }
    const q = this.matrix();
    const w = { rows: k, cols: M, data: W.subarray(0, k * M) };
    for (let pass = 0; pass < 2; pass++) {
      const C = matmul(q, w, { transB: true }).data;
      const QC = matmul({ rows: j, cols: k, data: C }, q, { transA: true }).data;
      for (let i = 0; i < k * M; i++) W[i] -= QC[i];
      for (let i = 0; i < j * k; i++) c[i] += C[i];
    }
    return c;
  }
  /** The r combinations Σ_t coefficients[i·count + t]·q_t (coefficients r × count row-major), packed. */
  combine(coefficients: Float64Array, r: number): Float64Array {
    const Q = this.resident;
    const j = this.count;
    if (Q) return withKernels("Basis.combine", (s) => s.read(s.dgemm({ ta: 0, tb: 0, m: r, n: this.M, k: j, alpha: 1, a: coefficients, lda: j, b: Q, ldb: this.M, beta: 0, ldc: this.M }).c));
    return matmul({ rows: r, cols: j, data: coefficients }, this.matrix()).data;
  }
  /** Replace the basis by the r packed rows V. */
  reset(V: Float64Array, r: number): void {
    this.count = 0;
    this.append(V, r);
  }
  /** Free the resident copy (idempotent). */
  dispose(): void {
    this.resident?.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
