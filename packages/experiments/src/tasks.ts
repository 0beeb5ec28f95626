import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { EIGH_MAX_ORDER, eigvalsh, inertiaFromEigenvalues, MAX_F64_VALUES } from "@losscape/core";
import { curvature as curvatureOf, DEFAULT_TRACE_PRODUCTS, eigenpairsBasisSize, MAX_BASIS_VALUES, matrixFreeMemory } from "@losscape/curvature";
import { certifyEmbedding, splitNeuron } from "@losscape/embedding";
import { globalMinimumDimension, landscapeSlice } from "@losscape/manifold";
import { DEFAULT_SPECTRUM_LIMIT, MAX_DENSE_ENTRIES, forward, hessian, hessianWithoutJacobian, initParams, paramCount, refineCriticalPoint, train, type Activation, type Dataset, type MlpSpec, type Model } from "@losscape/mlp";
import { gaussianDataset, indexEnergyRun, type IndexEnergyRunOptions } from "@losscape/spectra";
import { canonicalJson, ExperimentSpecError, type TaskRef } from "./spec.js";
import { MAX_STEPS } from "./defaults.js";

/**
 * A task: a pure function of its parameters and the experiment's seed, returning a JSON value. The same
 * (params, seed) give the same result, bit for bit, in any process, thread or machine. `check` is called on every
 * task's parameters before the sweep starts and throws an `ExperimentSpecError` naming the parameter.
 */
export interface Task {
  run(params: Record<string, unknown>, seed: number): unknown | Promise<unknown>;
  check?(params: Record<string, unknown>): void;
}

/**
 * A task's own 32-bit seed from the experiment's seed and its parameters: the first 4 bytes of
 * SHA-256(canonical JSON of {params, seed}). Tasks that are not a run of a published recipe take their data and
 * initialisation from it.
 * @example
 * taskSeed({ widths: [2, 3, 1], samples: 8 }, 0);
 */
export function taskSeed(params: Record<string, unknown>, seed: number): number {
  return createHash("sha256").update(canonicalJson({ params, seed })).digest().readUInt32BE(0);
}

// ─── Parameter checks ───────────────────────────────────────────────────────────────────────────────────────────

const fail = (name: string, expected: string, found: unknown) => new ExperimentSpecError(`params.${name}`, `expected ${expected}; found ${(JSON.stringify(found) ?? String(found)).slice(0, 60)}`);

function int(p: Record<string, unknown>, name: string, min: number, dflt?: number, max?: { value: number; why: string }): number {
  const v = p[name] ?? dflt;
  if (!Number.isSafeInteger(v) || (v as number) < min) throw fail(name, `an integer ≥ ${min}`, p[name]);
  if (max !== undefined && (v as number) > max.value) throw fail(name, `an integer ${min} … ${max.value} (${max.why})`, p[name]);
  return v as number;
}

// ─── Upper bounds: a task that cannot finish or cannot fit is refused before the sweep ──────────────────────────
// Each bound is a memory size or the limit the library function itself enforces (there, only when the task runs: an
// error row per task, minutes into the sweep, or no row at all).

const STEPS_BOUND = { value: MAX_STEPS, why: "2^24: the descent keeps a ≈ 64-byte history row per step" };

/** The data of a task: n Gaussian samples of d_in + d_out values, at most 2^29 values (spectra's `gaussianDataset`, the wasm32 address space). */
function checkSamples(name: string, found: unknown, n: number, spec: MlpSpec): void {
  const per = spec.widths[0] + spec.widths[spec.widths.length - 1];
  if (n * per > MAX_F64_VALUES) {
    throw fail(name, `at most ${Math.floor(MAX_F64_VALUES / per)} samples of ${per} values (d_in + d_out) for this net: 2^29 float64 values (4 GiB, the wasm32 address space) at most`, found);
  }
}

/** A dense M × M Hessian: at most 2^28 entries, M ≤ 16384 (mlp's `hessian`). */
function checkDense(name: string, M: number, what: string, found: unknown): void {
  if (M * M > MAX_DENSE_ENTRIES) throw fail(name, `${what} M ≤ ${Math.sqrt(MAX_DENSE_ENTRIES)} parameters (a dense Hessian of at most 2^28 entries, 2 GiB, as mlp's hessian), not M = ${M}`, found);
}

/**
 * The eigenvectors of a dense M × M Hessian: M ≤ EIGH_MAX_ORDER = 10329 (core's `eigh` holds five M × M matrices in
 * the 4 GiB of WASM memory; the functions that take them check it before the work: manifold's `hessianDirections`,
 * curvature's exact path).
 */
function checkEigh(name: string, M: number, what: string, who: string, found: unknown): void {
  if (M > EIGH_MAX_ORDER) throw fail(name, `${what} M ≤ ${EIGH_MAX_ORDER} parameters (${who} takes the eigenvectors of the dense Hessian: core's eigh holds five M × M matrices in the 4 GiB of WASM memory, EIGH_MAX_ORDER), not M = ${M}`, found);
}

/**
 * The sizes of a net the memory counts take: M, T = Σ widths after the input (its units), d_in, d_out, the largest layer
 * parameter count mₗ(mₗ₋₁ + bias) and the widest layer (as core sizes the mlp kernels: kernels.ts netDims).
 */
function netSizes(spec: MlpSpec): { M: number; T: number; dIn: number; dOut: number; largestLayer: number; widestLayer: number } {
  const w = spec.widths;
  const b = spec.bias === false ? 0 : 1;
  const layers = w.slice(1);
  return {
    M: paramCount(spec),
    T: layers.reduce((a, c) => a + c, 0),
    dIn: w[0],
    dOut: w[w.length - 1],
    largestLayer: Math.max(...layers.map((m, l) => m * (w[l] + b))),
    widestLayer: Math.max(...layers),
  };
}

/**
 * The (n·d_out) × M Jacobian of n samples: at most 2^28 entries. mlp's `hessian` and `jacobian` build it and refuse
 * more (as manifold's `jacobianRank` and `hessianDegeneracy` do).
 */
function checkJacobian(name: string, found: unknown, n: number, spec: MlpSpec, who: string): void {
  const { M, dOut } = netSizes(spec);
  if (n * dOut * M > MAX_DENSE_ENTRIES) {
    throw fail(name, `at most ${Math.floor(MAX_DENSE_ENTRIES / (dOut * M))} samples for this net: ${who} builds the Jacobian ((n·d_out) × M = ${n * dOut} × ${M}) of at most 2^28 entries (2 GiB, mlp's limit)`, found);
  }
}

// WASM memory. A call's arrays are in core's WASM memory beside the buffers resident there: at most MAX_F64_VALUES =
// 2^29 float64 values (the 4 GiB wasm32 addresses); a call that needs more is refused by core when the task runs
// (an OutOfMemoryError, an error row per task). The counts are the arrays core declares for the call's kernels
// (core's kernels.ts) and the resident buffers, without the kernels' GEMM and QR workspaces and the arena's alignment
// and base: what the call needs at least, so a spec refused here cannot run on a WASM backend (the default). One within
// those workspaces of 4 GiB can still be refused when it runs: measured, mlp's jacobian of a 1-5000-1 net fits
// 8247 samples where this count allows 8257 (a GEMM's packing, 5 MiB), core's svd of a 9782 × 12673 J where it
// allows 9803 rows (the pivoted QR's panels too, 13.5 MiB), curvature's matrix-free SLQ of a 100-2-100 net about
// 3000 samples fewer than matrixFreeMemory allows (5 MiB). Each count's first refused size failed there, as it must.

/**
 * mlp's `hessian` (kernel mlpHessian): θ, x and y, 12 scratch arrays of n·T, J ((n·d_out) × M) or, where it is built
 * without J (`hessianWithoutJacobian`), 2·n·d_out·(T − d_out) + n·(P + m) of scratch (P the largest layer's parameter
 * count, m the widest layer), e (≥ M), H (and H₁ when split).
 */
function hessianValues(spec: MlpSpec, n: number, split = false): number {
  const { M, T, dIn, dOut, largestLayer, widestLayer } = netSizes(spec);
  const jacobian = hessianWithoutJacobian(spec) ? 2 * n * dOut * (T - dOut) + n * (largestLayer + widestLayer) : n * dOut * M;
  return M + n * (dIn + dOut) + 12 * n * T + jacobian + M + (split ? 2 : 1) * M * M;
}

/** mlp's `jacobian` (kernel mlpJacobian): θ, x, 10 scratch arrays of n·T and J ((n·d_out) × M). */
function jacobianValues(spec: MlpSpec, n: number): number {
  const { M, T, dIn, dOut } = netSizes(spec);
  return M + n * dIn + 10 * n * T + n * dOut * M;
}

/**
 * core's `svd(a, { vectors: false })` of a rows × cols matrix (kernel svdJacobi on its tall form m × k, m ≥ k): the
 * copy of a (m·k), the k singular values and the kernel's arrays (assembly/svd.ts svdArraysSize: m·k + 3k² + 6k + 2m).
 */
function svdValues(rows: number, cols: number): number {
  const m = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  return 2 * m * k + 3 * k * k + 7 * k + 2 * m;
}

/**
 * Refuse n samples when `need(n)` float64 values do not fit in WASM memory (need grows with n), naming the largest n
 * that fits (by bisection; `unit` says what n counts). `what` is the call and what it holds.
 */
function checkMemory(name: string, found: unknown, n: number, need: (n: number) => number, what: string, unit = "samples"): void {
  const values = need(n);
  if (values <= MAX_F64_VALUES) return;
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (need(mid) <= MAX_F64_VALUES) lo = mid;
    else hi = mid;
  }
  throw fail(name, `at most ${lo} ${unit} for this net: ${what}, ${values.toExponential(3)} float64 values at ${n}; 2^29 (4 GiB, the wasm32 address space) fit in WASM memory`, found);
}

/**
 * The dense Hessian of n samples (mlp's `hessian`, through `who`): its Jacobian (2^28 entries, unless it is built
 * without one) and its WASM memory.
 */
function checkHessianSamples(name: string, found: unknown, n: number, spec: MlpSpec, who: string, split = false): void {
  if (!hessianWithoutJacobian(spec)) checkJacobian(name, found, n, spec, who);
  checkMemory(name, found, n, (k) => hessianValues(spec, k, split), hessianWhat(who, spec, split));
}

const hessianWhat = (who: string, spec: MlpSpec, split = false) =>
  `${who} forms the dense Hessian (mlp's hessian), which holds θ, the data, 12·n·T values of scratch (T the units), ${hessianWithoutJacobian(spec) ? "2·n·d_out·(T − d_out) + n·(P + m) more (no Jacobian; P the largest layer's parameters, m the widest layer)" : "the Jacobian ((n·d_out) × M)"} and ${split ? "H₀ and H₁" : "H"} (M × M) in WASM memory`;

/**
 * A grid the task returns in its row: at most 2^23 values. The row is one JSON line (and one message from its
 * thread): 2^23 numbers of ≤ 24 characters stay below V8's string limit of 2^29 − 24 characters; `losscape slice
 * --json` lists at most as many.
 */
const MAX_ROW_VALUES = 2 ** 23;

function positive(p: Record<string, unknown>, name: string, dflt?: number): number {
  const v = p[name] ?? dflt;
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw fail(name, "a number > 0", p[name]);
  return v;
}

/** The parameters every built-in task takes: its net's, and `run`, the replicate index a spec's `runs` adds. */
const NET_PARAMS = ["widths", "activation", "bias", "run"] as const;

/**
 * Refuse a parameter the task does not read (`sampels`, `step`): it would be ignored, and every task of the sweep would
 * run with the default instead, silently.
 */
function onlyKnown(p: Record<string, unknown>, own: readonly string[]): void {
  const known = [...NET_PARAMS, ...own];
  const unknown = Object.keys(p).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new ExperimentSpecError(`params.${unknown}`, `unknown parameter of this task (expected ${known.join(", ")})`);
}

/** The net of a task: `widths` (required), `activation` (default tanh), `bias` (default true). */
function net(p: Record<string, unknown>): MlpSpec {
  const w = p.widths;
  if (!Array.isArray(w) || w.length < 2 || !w.every((x) => Number.isSafeInteger(x) && x >= 1)) throw fail("widths", "an array [d_in, …, d_out] of ≥ 2 positive integers", w);
  const activation = p.activation ?? "tanh";
  if (typeof activation !== "string" && !(Array.isArray(activation) && activation.every((a) => typeof a === "string"))) throw fail("activation", "an activation name or one per hidden layer", activation);
  const bias = p.bias ?? true;
  if (typeof bias !== "boolean") throw fail("bias", "true or false", bias);
  const spec: MlpSpec = { widths: w as number[], activation: activation as Activation, bias };
  try {
    paramCount(spec);
  } catch (e) {
    // An unknown activation name, or not one per hidden layer: refused before the sweep, not an error row per task.
    throw new ExperimentSpecError("params.activation", (e as Error).message.replace(/^paramCount: 'activation' must (be|have) /, "expected "));
  }
  return spec;
}

/** n samples of x, y i.i.d. N(0, 1) from createRng(seed) (spectra's `gaussianDataset`). */
const gaussianData = (spec: MlpSpec, n: number, seed: number): Dataset => gaussianDataset(spec.widths[0], spec.widths[spec.widths.length - 1], n, seed);

/**
 * A task's data and net: `samples` Gaussian samples from `seed`, a Xavier start from `seed`, then `steps` (default
 * `defaultSteps`) L-BFGS steps on the data (0: the start itself).
 */
function descended(spec: MlpSpec, p: Record<string, unknown>, seed: number, defaultSteps: number): { data: Dataset; model: Model } {
  const data = gaussianData(spec, p.samples as number, seed);
  const steps = (p.steps as number | undefined) ?? defaultSteps;
  const start: Model = { ...spec, params: initParams(spec, { scheme: "xavier", seed }) };
  return { data, model: steps === 0 ? start : train(start, data, { optimizer: "lbfgs", epochs: steps }).model };
}

const counts = (i: { negative: number; zero: number; positive: number }) => ({ negative: i.negative, zero: i.zero, positive: i.positive });

// ─── The built-in tasks ─────────────────────────────────────────────────────────────────────────────────────────

/** The options of mlp's `refineCriticalPoint` a spec's `refine` may give (JSON values; not `signal`, `onProgress`). */
const REFINE_OPTIONS = ["method", "gtol", "gtolRel", "maxIter", "tol", "flatTol", "hessian"];

/**
 * `refine` of critical-search, checked as `refineCriticalPoint` checks its options (names, types, ranges), before the
 * sweep: before, a bad one gave an error row per task. `maxIter` is bounded as a descent's steps (MAX_STEPS).
 */
function checkRefine(r: unknown): void {
  if (r === undefined) return;
  if (typeof r !== "object" || r === null || Array.isArray(r)) throw fail("refine", "an object of refineCriticalPoint's options", r);
  const o = r as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !REFINE_OPTIONS.includes(k));
  if (unknown !== undefined) throw new ExperimentSpecError(`params.refine.${unknown}`, `unknown option of refineCriticalPoint (expected ${REFINE_OPTIONS.join(", ")})`);
  if (o.method !== undefined && o.method !== "newton" && o.method !== "gradnorm") throw fail("refine.method", '"newton" or "gradnorm"', o.method);
  if (o.hessian !== undefined && o.hessian !== "dense" && o.hessian !== "matrix-free") throw fail("refine.hessian", '"dense" or "matrix-free"', o.hessian);
  for (const k of ["gtol", "gtolRel", "tol", "flatTol"]) {
    const v = o[k];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) throw fail(`refine.${k}`, "a finite number ≥ 0", v);
  }
  const mi = o.maxIter;
  if (mi !== undefined && (!Number.isSafeInteger(mi) || (mi as number) < 0 || (mi as number) > MAX_STEPS)) {
    throw fail("refine.maxIter", `an integer 0 … ${MAX_STEPS} (2^24: the refinement keeps a ≈ 64-byte trace row per iteration)`, mi);
  }
}

/** `critical-search`: one run of Pennington & Bahri's Figure 6 (spectra's `indexEnergyRun`), without its timing. */
const criticalSearch: Task = {
  check(p) {
    onlyKnown(p, ["phi", "descent", "refine"]);
    const spec = net(p);
    positive(p, "phi");
    int(p, "run", 0);
    const d = p.descent as Record<string, unknown> | undefined;
    if (typeof d !== "object" || d === null || !["lbfgs", "adam", "gd"].includes(d.optimizer as string) || !Array.isArray(d.steps) || d.steps.length === 0) {
      throw fail("descent", '{"optimizer": "lbfgs" | "adam" | "gd", "steps": [k, …]}', d);
    }
    const unknown = Object.keys(d).find((k) => !["optimizer", "steps", "lr"].includes(k));
    if (unknown !== undefined) throw new ExperimentSpecError(`params.descent.${unknown}`, "unknown field (expected optimizer, steps or lr)");
    (d.steps as unknown[]).forEach((k, i) => {
      if (!Number.isSafeInteger(k) || (k as number) < 0) throw fail(`descent.steps[${i}]`, "an integer ≥ 0", k);
      if ((k as number) > MAX_STEPS) throw fail(`descent.steps[${i}]`, `an integer 0 … ${MAX_STEPS} (${STEPS_BOUND.why})`, k);
    });
    if (d.lr !== undefined && (typeof d.lr !== "number" || !(d.lr > 0) || !Number.isFinite(d.lr))) throw fail("descent.lr", "a number > 0", d.lr);
    checkRefine(p.refine);
    // indexEnergyRun's own limits, known from the parameters: refused here rather than in every task's row.
    const M = paramCount(spec);
    if (M > DEFAULT_SPECTRUM_LIMIT) throw fail("widths", `a net of M ≤ ${DEFAULT_SPECTRUM_LIMIT} parameters (the index needs each end point's Hessian spectrum, computed up to M = ${DEFAULT_SPECTRUM_LIMIT}); M = ${M}`, p.widths);
    const dOut = spec.widths[spec.widths.length - 1];
    const m = Math.round(M / ((p.phi as number) * dOut));
    if (m < 1) throw fail("phi", `φ ≤ ${(2 * M) / dOut}: m = round(M/(φ·d_out)) = round(${M}/(φ·${dOut})) samples must be ≥ 1`, p.phi);
    checkSamples("phi", p.phi, m, spec);
    // The index: refineCriticalPoint takes the end point's dense Hessian on the m samples (M ≤ 2048).
    checkMemory("phi", p.phi, m, (k) => hessianValues(spec, k), hessianWhat("refineCriticalPoint (for the index)", spec), `samples (m = round(M/(φ·d_out)) = ${m} here)`);
  },
  run(p, seed) {
    const spec = net(p);
    const { seconds: _, ...record } = indexEnergyRun({
      widths: spec.widths,
      activation: spec.activation as IndexEnergyRunOptions["activation"],
      bias: spec.bias,
      phi: p.phi as number,
      run: p.run as number,
      descent: p.descent as IndexEnergyRunOptions["descent"],
      refine: (p.refine ?? {}) as IndexEnergyRunOptions["refine"],
      seed,
    });
    return record;
  },
};

/**
 * `embed-certify`: a critical point of the net on `samples` Gaussian samples (Xavier start, `steps` L-BFGS steps,
 * `refineCriticalPoint`), split neuron `neuron` of hidden layer `layer` with share `alpha` (embedding's
 * `splitNeuron`), and embedding's `certifyEmbedding` of the pair.
 */
const embedCertify: Task = {
  check(p) {
    onlyKnown(p, ["samples", "steps", "layer", "neuron", "alpha"]);
    const spec = net(p);
    checkSamples("samples", p.samples, int(p, "samples", 1), spec);
    int(p, "steps", 0, 200, STEPS_BOUND);
    const layer = int(p, "layer", 1, 1);
    if (layer > spec.widths.length - 2) throw fail("layer", `a hidden layer 1 … ${spec.widths.length - 2}`, p.layer);
    const neuron = int(p, "neuron", 0, 0);
    if (neuron >= spec.widths[layer]) throw fail("neuron", `a neuron 0 … ${spec.widths[layer] - 1} of layer ${layer}`, p.neuron);
    if (p.alpha !== undefined && typeof p.alpha !== "number") throw fail("alpha", "a number", p.alpha);
    // certifyEmbedding takes the dense Hessian of the wide net (layer `layer` one neuron wider) on the samples.
    const wide: MlpSpec = { ...spec, widths: spec.widths.map((w, l) => (l === layer ? w + 1 : w)) };
    checkDense("widths", paramCount(wide), `a net that has, with neuron ${neuron} of layer ${layer} split (certifyEmbedding's dense Hessian),`, p.widths);
    checkHessianSamples("samples", p.samples, p.samples as number, wide, "certifyEmbedding (on the net with the split neuron)");
  },
  run(p, seed) {
    const spec = net(p);
    const s = taskSeed(p, seed);
    const { data, model } = descended(spec, p, s, 200);
    const cp = refineCriticalPoint(model, data);
    const step = { layer: (p.layer as number | undefined) ?? 1, neuron: (p.neuron as number | undefined) ?? 0, alpha: (p.alpha as number | undefined) ?? 0.5 };
    const c = certifyEmbedding(cp.model, splitNeuron(cp.model, step), data, { step });
    return {
      outcome: cp.outcome,
      certified: c.certified,
      reasons: c.reasons,
      lossBefore: c.lossBefore,
      lossAfter: c.lossAfter,
      gradNormBefore: c.gradNormBefore,
      gradNormAfter: c.gradNormAfter,
      maxOutputDiff: c.maxOutputDiff,
      inertiaBefore: counts(c.inertiaBefore),
      inertiaAfter: counts(c.inertiaAfter),
      countsNeverDecrease: c.countsNeverDecrease,
      predictionMatches: c.predictionMatches,
    };
  },
};

/**
 * `cooper-dimension`: the dimension of the set of global minima (Cooper: M − n·r) at a planted zero-loss point:
 * a Xavier teacher θ* and n Gaussian inputs with targets f_θ*(x), so R(θ*) = 0; manifold's `globalMinimumDimension`.
 */
const cooperDimension: Task = {
  check(p) {
    onlyKnown(p, ["samples"]);
    const spec = net(p);
    const n = int(p, "samples", 1);
    checkSamples("samples", p.samples, n, spec);
    // globalMinimumDimension: the rank of the Jacobian J ((n·d_out) × M; manifold's jacobianRank: mlp's jacobian, then
    // core's svd of its singular values) and the corank of the dense Hessian (hessianDegeneracy: mlp's hessian, eigvalsh).
    checkDense("widths", paramCount(spec), "a net of", p.widths);
    checkJacobian("samples", p.samples, n, spec, "globalMinimumDimension");
    checkMemory("samples", p.samples, n, (k) => jacobianValues(spec, k), "globalMinimumDimension's Jacobian holds θ, the inputs, 10·n·T values of scratch (T the units) and J ((n·d_out) × M) in WASM memory (mlp's jacobian)");
    const { M, dOut } = netSizes(spec);
    checkMemory("samples", p.samples, n, (k) => svdValues(k * dOut, M), "the rank of the Jacobian: core's svd(J, { vectors: false }) holds J twice and three min(n·d_out, M)² matrices in WASM memory");
    checkMemory("samples", p.samples, n, (k) => hessianValues(spec, k), hessianWhat("globalMinimumDimension", spec));
  },
  run(p, seed) {
    const spec = net(p);
    const s = taskSeed(p, seed);
    const inputs = gaussianData(spec, p.samples as number, s).x;
    const teacher: Model = { ...spec, params: initParams(spec, { scheme: "xavier", seed: s }) };
    const d = globalMinimumDimension(teacher, { x: inputs, y: forward(teacher, inputs) });
    return Object.fromEntries(Object.entries(d).filter(([, v]) => typeof v === "number" || typeof v === "boolean" || typeof v === "string"));
  },
};

/**
 * `slice`: manifold's `landscapeSlice` through the net after `steps` L-BFGS steps from a Xavier start on `samples`
 * Gaussian samples: a `points` × `points` grid over [−range, range]² along `dirs` ("random" or "hessian").
 */
const slice: Task = {
  check(p) {
    onlyKnown(p, ["samples", "steps", "points", "range", "dirs"]);
    const spec = net(p);
    checkSamples("samples", p.samples, int(p, "samples", 1), spec);
    int(p, "steps", 0, 0, STEPS_BOUND);
    int(p, "points", 2, 21, { value: Math.floor(Math.sqrt(MAX_ROW_VALUES)), why: "a points × points grid of at most 2^23 losses, held in the task's row" });
    positive(p, "range", 1);
    if (p.dirs !== undefined && p.dirs !== "random" && p.dirs !== "hessian") throw fail("dirs", '"random" or "hessian"', p.dirs);
    if (p.dirs === "hessian") {
      // manifold's hessianDirections: the eigenvectors of the dense Hessian on the samples.
      checkEigh("widths", paramCount(spec), 'a net (dirs "hessian") of', "hessianDirections", p.widths);
      checkHessianSamples("samples", p.samples, p.samples as number, spec, 'dirs "hessian" (hessianDirections)');
    }
  },
  run(p, seed) {
    const spec = net(p);
    const s = taskSeed(p, seed);
    const { data, model } = descended(spec, p, s, 0);
    const sl = landscapeSlice(model, data, { dirs: (p.dirs as "random" | "hessian" | undefined) ?? "random", points: (p.points as number | undefined) ?? 21, range: (p.range as number | undefined) ?? 1, seed: s });
    const values = sl.grid.flat();
    // min and max by reduce: a spread of points² values overflows the call stack beyond ≈ 1.2e5 (points > 346)
    return { grid: sl.grid, axes: sl.axes, min: values.reduce((m, v) => Math.min(m, v), Infinity), max: values.reduce((m, v) => Math.max(m, v), -Infinity), evaluator: sl.evaluator };
  },
};

/**
 * `hessian-spectrum`: the exact Hessian's eigenvalues (mlp's `hessian`, core's `eigvalsh`) and inertia after `steps`
 * L-BFGS steps from a Xavier start on `samples` Gaussian samples. (A dense M × M spectrum: small nets.)
 */
const hessianSpectrum: Task = {
  check(p) {
    onlyKnown(p, ["samples", "steps"]);
    const spec = net(p);
    checkSamples("samples", p.samples, int(p, "samples", 1), spec);
    int(p, "steps", 0, 0, STEPS_BOUND);
    checkDense("widths", paramCount(spec), "a net of", p.widths);
    checkHessianSamples("samples", p.samples, p.samples as number, spec, "hessian-spectrum");
  },
  run(p, seed) {
    const spec = net(p);
    const s = taskSeed(p, seed);
    const { data, model } = descended(spec, p, s, 0);
    const eig = eigvalsh(hessian(model, data));
    return { eigenvalues: Array.from(eig), inertia: counts(inertiaFromEigenvalues(eig)) };
  },
};

/**
 * `curvature`: @losscape/curvature's `curvature` after `steps` L-BFGS steps from a Xavier start on `samples` Gaussian
 * samples: the `top` (5) largest eigenvalues with their residuals ‖Hv − λv‖, the Hutch++ trace with its standard
 * error, and the SLQ index with its 95 % interval (`probes` 10, `lanczosSteps` 80) of `part` (full, gauss-newton or
 * residual); exact (dense) up to `exactLimit` (2048) parameters, matrix-free above, on one thread (the sweep's
 * workers are the parallelism). The net and data come from the task seed of the parameters without these estimator
 * settings, so a grid over them compares estimates of one Hessian.
 */
const CURVATURE_SETTINGS = ["part", "top", "probes", "lanczosSteps", "exactLimit"];
const curvature: Task = {
  check(p) {
    onlyKnown(p, ["samples", "steps", "part", "top", "probes", "lanczosSteps", "exactLimit"]);
    const spec = net(p);
    const n = int(p, "samples", 1);
    checkSamples("samples", p.samples, n, spec);
    int(p, "steps", 0, 0, STEPS_BOUND);
    const top = int(p, "top", 1, 5);
    const probes = int(p, "probes", 1, 10);
    const steps = int(p, "lanczosSteps", 2, 80);
    if (p.part !== undefined && p.part !== "full" && p.part !== "gauss-newton" && p.part !== "residual") throw fail("part", '"full", "gauss-newton" or "residual"', p.part);
    const M = paramCount(spec);
    const exactLimit = int(p, "exactLimit", 0, 2048);
    if (M <= exactLimit) {
      // curvature's exact path: the eigendecomposition of the dense Hessian (curvature refuses M > EIGH_MAX_ORDER naming
      // 'exactLimit'), formed by mlp's hessian (H, or H₀ and H₁ for the split parts) on the samples.
      checkEigh("exactLimit", M, `below M = ${M} (the matrix-free estimate), or a net of`, "the exact path", p.exactLimit ?? 2048);
      checkHessianSamples("samples", p.samples, n, spec, "the exact path", (p.part ?? "full") !== "full");
      return;
    }
    // The matrix-free path, as curvature sizes it: its bases at most MAX_BASIS_VALUES = 2^28 values (eigenpairs' basis
    // for `top` and SLQ's per probe before any work; Hutch++'s 99 products in hutchPlusPlusTrace), SLQ's probes ≥ 2
    // (lanczosQuadratures), and the data, bases and products together in WASM memory (matrixFreeMemory).
    const k = Math.min(top, M);
    const basis = eigenpairsBasisSize(M, k);
    if (basis * M > MAX_BASIS_VALUES) {
      let most = 1;
      while (most < k && eigenpairsBasisSize(M, most + 1) * M <= MAX_BASIS_VALUES) most++;
      throw fail("top", `an integer 1 … ${most} for this net on the matrix-free path (M = ${M} > exactLimit): eigenpairs' Lanczos basis of eigenpairsBasisSize(M, top) = ${basis} vectors of M values, at most 2^28 values (2 GiB, curvature's MAX_BASIS_VALUES)`, p.top);
    }
    if (Math.min(steps, M) * M > MAX_BASIS_VALUES) {
      throw fail("lanczosSteps", `an integer 2 … ${Math.floor(MAX_BASIS_VALUES / M)} for this net on the matrix-free path (M = ${M} > exactLimit): SLQ's Lanczos basis of lanczosSteps vectors of M values, at most 2^28 values (2 GiB, curvature's MAX_BASIS_VALUES)`, p.lanczosSteps);
    }
    if (DEFAULT_TRACE_PRODUCTS * M > MAX_BASIS_VALUES) {
      throw fail("widths", `a net of M ≤ ${Math.floor(MAX_BASIS_VALUES / DEFAULT_TRACE_PRODUCTS)} parameters on the matrix-free path (Hutch++'s trace holds its ${DEFAULT_TRACE_PRODUCTS} products together: ${DEFAULT_TRACE_PRODUCTS} vectors of M values, at most 2^28 values, 2 GiB, curvature's MAX_BASIS_VALUES), not M = ${M}`, p.widths);
    }
    if (probes < 2) throw fail("probes", `an integer ≥ 2 on the matrix-free path (M = ${M} > exactLimit): SLQ's interval of the index needs two probes (lanczosQuadratures)`, p.probes);
    checkMemory("samples", p.samples, n, (rows) => matrixFreeMemory(spec, rows, { top: k, trace: true, density: true, probes, steps }), "the matrix-free path holds the data and θ of each chunk of rows, its largest Lanczos basis and a block of Hessian-vector products with their scratch in WASM memory (curvature's matrixFreeMemory)");
  },
  async run(p, seed) {
    const spec = net(p);
    const s = taskSeed(Object.fromEntries(Object.entries(p).filter(([k]) => !CURVATURE_SETTINGS.includes(k))), seed);
    const { data, model } = descended(spec, p, s, 0);
    const r = await curvatureOf(model, data, {
      part: (p.part as "full" | "gauss-newton" | "residual" | undefined) ?? "full",
      top: Math.min((p.top as number | undefined) ?? 5, model.params.length),
      trace: true,
      density: true,
      probes: (p.probes as number | undefined) ?? 10,
      steps: (p.lanczosSteps as number | undefined) ?? 80,
      exactLimit: (p.exactLimit as number | undefined) ?? 2048,
      seed: s,
      threads: 1,
    });
    return {
      method: r.method,
      M: r.M,
      top: r.top!.values,
      residuals: r.top!.residuals,
      trace: r.trace!.value,
      traceStandardError: r.trace!.standardError,
      index: r.index!.fraction,
      indexInterval: r.index!.interval,
      products: r.products,
    };
  },
};

/** The built-in tasks by name. */
export const BUILTIN_TASKS: Readonly<Record<string, Task>> = {
  "critical-search": criticalSearch,
  "embed-certify": embedCertify,
  "cooper-dimension": cooperDimension,
  slice,
  "hessian-spectrum": hessianSpectrum,
  curvature,
};

/**
 * The task a spec names: a built-in one, or the `default` (else `run`) export of a user ES module, with its optional
 * `check` export. An unknown name or a module without such a function is an `ExperimentSpecError` on `task`.
 * @example
 * const task = await loadTask("critical-search");
 */
export async function loadTask(ref: TaskRef): Promise<Task> {
  if (typeof ref === "string") {
    const t = BUILTIN_TASKS[ref];
    if (!t) throw new ExperimentSpecError("task", `unknown task "${ref}" (built-in: ${Object.keys(BUILTIN_TASKS).join(", ")}; or {"module": "path.mjs"})`);
    return t;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(ref.module).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ExperimentSpecError("task.module", `cannot import ${ref.module}: ${(e as Error).message.split("\n")[0]}`);
  }
  const run = typeof mod.default === "function" ? mod.default : mod.run;
  if (typeof run !== "function") throw new ExperimentSpecError("task.module", `${ref.module} exports no function: expected a default export or 'run' (params, seed) => result`);
  const check = typeof mod.check === "function" ? (mod.check as Task["check"]) : undefined;
  return { run: run as Task["run"], check };
}
