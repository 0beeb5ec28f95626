// BLAS-style kernels on raw pointers: f64, row-major, explicit leading dimensions.
// Simple reference loops for now; the packed, blocked SIMD versions replace them.

@inline function at(p: usize, i: i32, j: i32, ld: i32): usize {
  return p + ((<usize>i * <usize>ld + <usize>j) << 3);
}

/** C (m×n) = alpha·op(A)·op(B) + beta·C; op(A) is m×k, op(B) is k×n; ta/tb = 1 transposes. */
export function dgemm(ta: i32, tb: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f64 = 0;
      for (let p = 0; p < k; p++) {
        const x = ta ? load<f64>(at(a, p, i, lda)) : load<f64>(at(a, i, p, lda));
        const y = tb ? load<f64>(at(b, j, p, ldb)) : load<f64>(at(b, p, j, ldb));
        s += x * y;
      }
      const cij = at(c, i, j, ldc);
      store<f64>(cij, alpha * s + (beta == 0 ? 0 : beta * load<f64>(cij)));
    }
  }
}

/** C = alpha·AᵀA + beta·C (ata = 1, A m×n, C n×n) or alpha·AAᵀ + beta·C (ata = 0, C m×m); both triangles. */
export function dsyrk(ata: i32, m: i32, n: i32, alpha: f64, a: usize, lda: i32, beta: f64, c: usize, ldc: i32): void {
  const dim = ata ? n : m;
  const kk = ata ? m : n;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let s: f64 = 0;
      for (let p = 0; p < kk; p++) {
        s += ata ? load<f64>(at(a, p, i, lda)) * load<f64>(at(a, p, j, lda)) : load<f64>(at(a, i, p, lda)) * load<f64>(at(a, j, p, lda));
      }
      const v = alpha * s + (beta == 0 ? 0 : beta * load<f64>(at(c, i, j, ldc)));
      store<f64>(at(c, i, j, ldc), v);
      store<f64>(at(c, j, i, ldc), v);
    }
  }
}

/** y = alpha·op(A)·x + beta·y; A is m×n; trans = 1 uses Aᵀ. */
export function dgemv(trans: i32, m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  if (trans) {
    for (let j = 0; j < n; j++) store<f64>(y + (<usize>j << 3), beta == 0 ? 0 : beta * load<f64>(y + (<usize>j << 3)));
    for (let i = 0; i < m; i++) {
      const xi = alpha * load<f64>(x + (<usize>i << 3));
      for (let j = 0; j < n; j++) {
        const yj = y + (<usize>j << 3);
        store<f64>(yj, load<f64>(yj) + xi * load<f64>(at(a, i, j, lda)));
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      let s: f64 = 0;
      for (let j = 0; j < n; j++) s += load<f64>(at(a, i, j, lda)) * load<f64>(x + (<usize>j << 3));
      const yi = y + (<usize>i << 3);
      store<f64>(yi, alpha * s + (beta == 0 ? 0 : beta * load<f64>(yi)));
    }
  }
}
