// Deterministic benchmark inputs (the same matrices in node and the browser) and small accuracy helpers.
import { Matrix } from "ml-matrix";
import { matmul, syrk } from "@losscape/core";
import { createRng } from "@losscape/mlp";

/** Uniform entries in [-1, 1) from a xorshift32 stream: a rows×cols losscape Mat. */
export function randomMat(rows, cols, seed = 1) {
  let s = seed >>> 0 || 0x9e3779b9;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return { rows, cols, data };
}

/** (B + Bᵀ)/2 for a random B: a symmetric n×n Mat (exactly symmetric). */
export function randomSymmetric(n, seed = 1) {
  const b = randomMat(n, n, seed);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) d[i * n + j] = d[j * n + i] = (b.data[i * n + j] + b.data[j * n + i]) / 2;
  return { rows: n, cols: n, data: d };
}

/** The same matrix as an ml-matrix `Matrix`. */
export function toMl(a) {
  const rows = [];
  for (let i = 0; i < a.rows; i++) rows.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return new Matrix(rows);
}

/** Frobenius norm of a Float64Array. */
export function frobenius(x) {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** Eigendecomposition quality: ‖AV − VΛ‖_F/‖A‖_F and ‖VᵀV − I‖_F (uses the active backend's matmul/syrk). */
export function eighAccuracy(a, { values, vectors }) {
  const n = a.rows;
  const av = matmul(a, vectors);
  const r = av.data;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] -= vectors.data[i * n + j] * values[j];
  const vtv = syrk(vectors).data;
  for (let i = 0; i < n; i++) vtv[i * n + i] -= 1;
  return { residual: frobenius(r) / frobenius(a.data), orthogonality: frobenius(vtv) };
}

/** SVD quality: ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F. */
export function svdAccuracy(a, { u, s, vt }) {
  const us = { rows: u.rows, cols: u.cols, data: u.data.slice() };
  for (let i = 0; i < us.rows; i++) for (let j = 0; j < us.cols; j++) us.data[i * us.cols + j] *= s[j];
  const r = matmul(us, vt).data;
  for (let i = 0; i < r.length; i++) r[i] -= a.data[i];
  return { residual: frobenius(r) / frobenius(a.data) };
}

/** n rows of MNIST-shaped data: x uniform in [0, 1), one-hot y over `classes` classes (mlp's createRng(seed)). */
export function mnistShaped(n, dIn, classes, seed) {
  const rng = createRng(seed);
  const x = new Float64Array(n * dIn);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + rng.int(classes)] = 1;
  return { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: classes, data: y } };
}
