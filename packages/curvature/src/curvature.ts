import { checkBoolean, checkNumber, checkOptions, EIGH_MAX_ORDER, eigh, inCallerName, inertiaThreshold, nrm2, ShapeError, ValueError, type Mat } from "@losscape/core";
import { DEFAULT_SPECTRUM_LIMIT, hessian, paramCount, validateData, validateModel, type DatasetInput, type MlpSpec, type ModelInput } from "@losscape/mlp";
import { chunkRanges, chunkScratchValues, MAX_KERNEL_BLOCK, type HessianPart } from "./chunks.js";
import { broadenedDensity, defaultBatch, indexEstimate, lanczosQuadratures, type IndexEstimate, type SpectralDensity } from "./density.js";
import { checkBasisSize } from "./block.js";
import { DEFAULT_EIGEN_TOL, defaultBlock, eigenpairs, eigenpairsBasisSize } from "./eigenpairs.js";
import { hessianOperator } from "./operator.js";
import { DEFAULT_TRACE_PRODUCTS, hutchinsonTrace, hutchPlusPlusTrace, PROBE_BLOCK, type TraceEstimate } from "./trace.js";

export interface CurvatureOptions {
  part?: HessianPart;
  /** The k largest eigenpairs. */
  top?: number;
  /** The k smallest eigenpairs. */
  bottom?: number;
  /** The trace: Hutch++ with `traceProducts` products (default 99), or exact. */
  trace?: boolean;
  traceProducts?: number;
  /** The SLQ density (PyHessian's broadened form) and the index estimate. */
  density?: boolean;
  probes?: number;
  steps?: number;
  bins?: number;
  sigmaSquared?: number;
  tol?: number;
  seed?: number;
  threads?: number;
  chunkRows?: number;
  /** Dense exact answers up to this many parameters (default mlp's DEFAULT_SPECTRUM_LIMIT, 2048); 0: always estimate. */
  exactLimit?: number;
  /** Progress of the current stage, fraction in [0, 1]. */
  onProgress?: (stage: string, fraction: number) => void;
}

export interface EigenpairReport {
  values: number[];
  /** ‖Hv − λv‖ of each pair. */
  residuals: number[];
  vectors: Float64Array[];
  converged: boolean;
}

export interface CurvatureReport {
  /** "exact": from the dense Hessian's eigendecomposition; "estimate": matrix-free. */
  method: "exact" | "estimate";
  part: HessianPart;
  M: number;
  n: number;
  threads: number;
  top?: EigenpairReport;
  bottom?: EigenpairReport;
  trace?: { value: number; standardError: number; method: "exact" | TraceEstimate["method"] };
  density?: SpectralDensity;
  /** Fraction of eigenvalues below −τ, τ = core's inertia threshold (1e-9·max|λ|). */
  index?: IndexEstimate;
  /** Operator products (vectors) used (0 on the exact path). */
  products: number;
}

/**
 * Curvature of a network's loss at its parameters: top and bottom eigenpairs with residuals, the trace, the
 * spectral density and the index. Up to `exactLimit` parameters from the dense Hessian (@losscape/mlp's `hessian`:
 * H alone for `part: 'full'`, its split H = H₀ + H₁ for 'gauss-newton' and 'residual') and labelled "exact"; above it matrix-free through `hessianOperator` (block Lanczos
 * `eigenpairs`, `hutchPlusPlusTrace`, `lanczosQuadratures` + `broadenedDensity` + `indexEstimate`) and labelled
 * "estimate". The exact density is the same broadening of the exact eigenvalues (weights 1/M); the exact index is
 * the count below −τ over M.
 *
 * Memory of the exact path, in M × M float64 matrices (8M² bytes each, 32 MiB at M = 2048): in JavaScript, H and its
 * eigenvectors for 'full' (2), H, H₀, H₁ and the eigenvectors for the split parts (4); in WASM memory, core's `eigh`
 * holds 5 (the copy of H, the divide-and-conquer eigenvectors, their 2M² workspace and the eigenvectors returned),
 * more than the Hessian kernel (1 for 'full', 2 for the split, plus the Jacobian). That arena must fit the 4 GiB
 * wasm32 addresses: M ≤ EIGH_MAX_ORDER = 10329 for every part; beyond, a ShapeError naming 'exactLimit' before any
 * work.
 * @example
 * const r = await curvature(model, data, { top: 5, trace: true, density: true, seed: 1 });
 * r.top.values; r.trace.value; r.index.interval;
 */
export async function curvature(model: ModelInput, data: DatasetInput, options: CurvatureOptions = {}): Promise<CurvatureReport> {
  try {
    return await curvatureOf(model, data, options);
  } catch (e) {
    // The inner calls refuse a NaN Hessian or H·V (outputs overflowing float64) in their own names: in the name of
    // the function the user called instead.
    throw inCallerName(e, "curvature", INNER_NAMES);
  }
}

/** The inner functions whose errors `curvature` reports in its own name: mlp's `hessian` and `Problem`'s products, core's `eigh`. */
const INNER_NAMES = /^(hessian|Problem\.hvpBlock|Problem\.hvp|eigh): /;

async function curvatureOf(model: ModelInput, data: DatasetInput, options: CurvatureOptions): Promise<CurvatureReport> {
  const fn = "curvature";
  options = checkOptions(fn, options, ["part", "top", "bottom", "trace", "traceProducts", "density", "probes", "steps", "bins", "sigmaSquared", "tol", "seed", "threads", "chunkRows", "exactLimit", "onProgress"]);
  checkBoolean(fn, "trace", options.trace);
  checkBoolean(fn, "density", options.density);
  const m = validateModel(model, fn);
  const d = validateData(m, data, fn);
  const M = m.params.length;
  const part = options.part ?? "full";
  if (part !== "full" && part !== "gauss-newton" && part !== "residual") throw new ValueError(`${fn}: 'part' must be 'full', 'gauss-newton' or 'residual'; found ${String(part)}`);
  for (const key of ["top", "bottom"] as const) if (options[key] !== undefined) checkNumber(fn, key, options[key], { min: 1, max: M, integer: true });
  const traceProducts = options.traceProducts ?? DEFAULT_TRACE_PRODUCTS;
  checkNumber(fn, "traceProducts", traceProducts, { min: 6, integer: true });
  const exactLimit = options.exactLimit ?? DEFAULT_SPECTRUM_LIMIT;
  checkNumber(fn, "exactLimit", exactLimit, { min: 0, integer: true });
  const progress = options.onProgress ?? (() => {});
  const seed = options.seed ?? 0;
  // Sizes before the work: the dense M × M Hessian of the exact path (mlp's limit, 2²⁸ entries), else the bases of
  // the eigenpairs and of SLQ's probes (`checkBasisSize`) — refused by the option that sets them, not after the data
  // are uploaded (an eigenpairs basis of `eigenpairsBasisSize` vectors; `steps` vectors per probe).
  if (M <= exactLimit) {
    if (M > EIGH_MAX_ORDER) {
      throw new ShapeError(
        `${fn}: 'exactLimit' = ${exactLimit} asks for the eigendecomposition of the dense Hessian at M = ${M} parameters, whose WASM memory holds five M × M matrices (the copy of H, its eigenvectors, their divide-and-conquer workspace, the eigenvectors returned), ${((5 * M * M * 8) / 2 ** 30).toFixed(1)} GiB; at most M = ${EIGH_MAX_ORDER} (4 GiB, what wasm32 addresses; core's EIGH_MAX_ORDER): set 'exactLimit' below ${M} for the matrix-free estimate`,
      );
    }
  } else {
    for (const key of ["top", "bottom"] as const) if (options[key]) checkBasisSize(fn, `'${key}' = ${options[key]}`, eigenpairsBasisSize(M, options[key]), M);
    if (options.density) checkBasisSize(fn, `'steps' = ${options.steps ?? 80}`, Math.min(options.steps ?? 80, M), M);
    // Hutch++ holds its sketch, the sketch's basis and the deflated probes together: m vectors of M (hutchPlusPlusTrace)
    if (options.trace) checkBasisSize(fn, `'trace' with 'traceProducts' = ${traceProducts}`, traceProducts, M);
  }
  if (M <= exactLimit) {
    progress("exact Hessian", 0);
    // 'full' needs H only: mlp's kernel accumulates H₀ + H₁ into one M × M result (the same as `hessian(model, data)`,
    // and as the split's h to rounding: ≤ 1e-16·max|H| entrywise on WASM for deep nets, bit for bit otherwise).
    let H: Mat;
    if (part === "full") H = hessian(m, d);
    else {
      const split = hessian(m, d, { split: true });
      H = part === "gauss-newton" ? split.h0 : split.h1;
    }
    const { values, vectors } = eigh(H);
    progress("exact Hessian", 1);
    const pairs = (idx: number[]): EigenpairReport => {
      const vs = idx.map((i) => Float64Array.from({ length: M }, (_, r) => vectors.data[r * M + i]));
      const residuals = vs.map((v, j) => {
        const lam = values[idx[j]];
        const res = new Float64Array(M);
        for (let r = 0; r < M; r++) {
          let s = 0;
          for (let c = 0; c < M; c++) s += H.data[r * M + c] * v[c];
          res[r] = s - lam * v[r];
        }
        return nrm2(res);
      });
      return { values: idx.map((i) => values[i]), residuals, vectors: vs, converged: true };
    };
    const report: CurvatureReport = { method: "exact", part, M, n: d.x.rows, threads: 1, products: 0 };
    if (options.top) report.top = pairs(Array.from({ length: options.top }, (_, i) => M - 1 - i));
    if (options.bottom) report.bottom = pairs(Array.from({ length: options.bottom }, (_, i) => i));
    if (options.trace) {
      let t = 0;
      for (let i = 0; i < M; i++) t += H.data[i * M + i];
      report.trace = { value: t, standardError: 0, method: "exact" };
    }
    if (options.density) {
      const w = new Float64Array(M).fill(1 / M);
      report.density = broadenedDensity([{ nodes: values, weights: w }], { bins: options.bins, sigmaSquared: options.sigmaSquared });
      const tau = inertiaThreshold(values);
      let neg = 0;
      for (const v of values) if (v < -tau) neg++;
      report.index = { fraction: neg / M, count: neg, standardError: 0, interval: [neg / M, neg / M], threshold: -tau };
    }
    return report;
  }
  using op = await hessianOperator(m, d, { part, threads: options.threads, chunkRows: options.chunkRows });
  const report: CurvatureReport = { method: "estimate", part, M, n: d.x.rows, threads: op.threads, products: 0 };
  const tol = options.tol ?? DEFAULT_EIGEN_TOL;
  let scale = 0;
  for (const [key, which] of [["top", "largest"], ["bottom", "smallest"]] as const) {
    const k = options[key];
    if (!k) continue;
    progress(`${key} eigenpairs`, 0);
    const e = await eigenpairs(op, k, { which, tol, seed, onProgress: (p) => progress(`${key} eigenpairs`, Math.min(1, Math.log(p.residual) / Math.log(tol))) });
    report[key] = { values: Array.from(e.values), residuals: Array.from(e.residuals), vectors: e.vectors, converged: e.converged };
    report.products += e.products;
    scale = Math.max(scale, e.scale);
  }
  if (options.trace) {
    const t = await hutchPlusPlusTrace(op, { products: traceProducts, seed: seed + 1, onProgress: (done) => progress("trace", done / traceProducts) });
    report.trace = { value: t.value, standardError: t.standardError, method: t.method };
    report.products += t.products;
  }
  if (options.density) {
    const probes = options.probes ?? 10;
    const steps = options.steps ?? 80;
    const q = await lanczosQuadratures(op, { probes, steps, seed: seed + 2, onProgress: (done, total) => progress("density", done / total) });
    report.products += q.products;
    report.density = broadenedDensity(q.probes, { bins: options.bins, sigmaSquared: options.sigmaSquared });
    for (const p of q.probes) for (const t of p.nodes) scale = Math.max(scale, Math.abs(t));
    report.index = indexEstimate(q, -inertiaThreshold([scale]));
  }
  return report;
}

/** The options of `curvature` that set the matrix-free path's memory (`matrixFreeMemory`). */
export type MatrixFreeMemoryOptions = Pick<CurvatureOptions, "top" | "bottom" | "trace" | "traceProducts" | "density" | "probes" | "steps" | "chunkRows">;

/**
 * The float64 values of WASM memory that the matrix-free path of `curvature` (M > `exactLimit`) holds at least, on one
 * thread (`threads: 1`: the chunks, the bases and the products share one WASM instance), at its largest stage:
 * - resident throughout, each chunk's θ and rows of the data (`chunkRanges`): C·M + n·(d_in + d_out);
 * - the stage's basis, resident beside them: `eigenpairsBasisSize(M, k)` vectors for `top` = k (and `bottom`),
 *   ⌊traceProducts/3⌋ for Hutch++'s sketch (`trace`), `steps` for each probe of SLQ's first batch (`density`);
 * - the stage's first product of a block of k directions with the largest chunk of n_c rows (kernel mlpHvpBlock): the
 *   k directions in and their k products out (2k·M) and its scratch, (8 + 4k)·n_c·T (T the sum of the widths after
 *   the input); k is the stage's block (eigenpairs' min(k, 16), 16 probes for the trace, SLQ's batch).
 * The kernels' GEMM workspace and the arena's alignment and base (a few MiB) come on top. Core's WASM memory holds at
 * most 2²⁹ values (`MAX_F64_VALUES`, the 4 GiB of wasm32): beyond, the stage fails with an OutOfMemoryError, after the
 * data were uploaded and the stages before it ran. The sizes each option sets alone are refused by `curvature` before
 * any work (a basis of at most `MAX_BASIS_VALUES`).
 * @example
 * matrixFreeMemory({ widths: [784, 32, 10], activation: "tanh" }, 60000, { top: 5, trace: true, density: true }); // 83832600 (0.6 GiB; SLQ's batch is the largest stage)
 */
export function matrixFreeMemory(spec: MlpSpec, n: number, options: MatrixFreeMemoryOptions = {}): number {
  const fn = "matrixFreeMemory";
  options = checkOptions(fn, options, ["top", "bottom", "trace", "traceProducts", "density", "probes", "steps", "chunkRows"]);
  const M = paramCount(spec);
  checkNumber(fn, "n", n, { min: 1, integer: true });
  for (const key of ["top", "bottom"] as const) if (options[key] !== undefined) checkNumber(fn, key, options[key], { min: 1, max: M, integer: true });
  checkBoolean(fn, "trace", options.trace);
  checkBoolean(fn, "density", options.density);
  const products = options.traceProducts ?? DEFAULT_TRACE_PRODUCTS;
  checkNumber(fn, "traceProducts", products, { min: 6, integer: true });
  const probes = options.probes ?? 10;
  checkNumber(fn, "probes", probes, { min: 2, integer: true });
  const steps = Math.min(options.steps ?? 80, M);
  checkNumber(fn, "steps", steps, { min: 1, integer: true });
  if (options.chunkRows !== undefined) checkNumber(fn, "chunkRows", options.chunkRows, { min: 1, integer: true });
  const w = spec.widths;
  const T = w.slice(1).reduce((a, b) => a + b, 0);
  const chunks = chunkRanges(n, T, options.chunkRows);
  let rows = 0;
  for (const [r0, r1] of chunks) rows = Math.max(rows, r1 - r0);
  const resident = chunks.length * M + n * (w[0] + w[w.length - 1]);
  // A stage: its basis of `vectors` vectors and a product of k directions (in kernel calls of at most MAX_KERNEL_BLOCK).
  const stage = (vectors: number, k: number) => {
    const kb = Math.min(k, MAX_KERNEL_BLOCK);
    return resident + vectors * M + 2 * kb * M + chunkScratchValues(rows, T, kb);
  };
  let most = resident;
  for (const key of ["top", "bottom"] as const) {
    const k = options[key];
    if (k) most = Math.max(most, stage(eigenpairsBasisSize(M, k), defaultBlock(k, M)));
  }
  if (options.trace) {
    const s = Math.min(Math.floor(products / 3), M);
    most = Math.max(most, stage(s, Math.min(PROBE_BLOCK, s)));
  }
  if (options.density) {
    const batch = Math.min(defaultBatch(probes, steps, M), probes);
    most = Math.max(most, stage(batch * steps, batch));
  }
  return most;
}
