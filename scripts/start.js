// The main job of `npm start`. Until the `losscape` command lands, a short linear-algebra showcase of
// @losscape/core on real inputs: which build was loaded, eigh of a symmetric matrix with its residuals, inertia.
import { eigh, getBackend, identity, inertia, init, matmul, mat, transpose } from "@losscape/core";

const backend = await init();
console.log(`losscape core: WASM build '${backend}' (active backend: ${getBackend()})`);

// A symmetric test matrix with known spectrum: A = Q·diag(λ)·Qᵀ, Q a Householder reflection.
const n = 6;
const lambdas = [-2, -0.5, 0, 0, 1, 3];
const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
const vv = v.reduce((s, x) => s + x * x, 0);
const q = identity(n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q.data[i * n + j] -= (2 * v[i] * v[j]) / vv;
const d = mat(n, n);
lambdas.forEach((l, i) => (d.data[i * n + i] = l));
const a = matmul(matmul(q, d), transpose(q));

const { values, vectors } = eigh(a);
const av = matmul(a, vectors);
let res = 0;
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) res = Math.max(res, Math.abs(av.data[i * n + j] - vectors.data[i * n + j] * values[j]));
console.log(`eigh of a ${n}×${n} matrix with spectrum [${lambdas.join(", ")}]:`);
console.log(`  eigenvalues   ${Array.from(values, (x) => x.toExponential(6)).join("  ")}`);
console.log(`  max|AV − VΛ|  ${res.toExponential(2)}`);
const inr = inertia(a);
console.log(`  inertia       negative ${inr.negative}, zero ${inr.zero}, positive ${inr.positive} (tol ${inr.tol})`);
