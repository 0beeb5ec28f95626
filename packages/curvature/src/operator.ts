import {
  checkNumber,
  checkOptions,
  ConvergenceError,
  getBackend,
  LosscapeError,
  NotInitializedError,
  OutOfMemoryError,
  ShapeError,
  StaleHandleError,
  ValueError,
  WasmError,
  type BackendName,
} from "@losscape/core";
import { validateData, validateModel, type Dataset, type DatasetInput, type Model, type ModelInput, type Problem } from "@losscape/mlp";
import { chunkProblem, chunkProducts, chunkRanges, dataRows, type HessianPart } from "./chunks.js";
import type { FromWorker, ToWorker } from "./protocol.js";

/**
 * A symmetric linear operator A of dimension `dim`, known through products with blocks of vectors: the algorithms
 * of this package (eigenpairs, traces, SLQ) take one.
 */
export interface SymmetricOperator {
  readonly dim: number;
  /** A·V for k vectors V (k·dim values, vector after vector): k·dim values in the same layout. */
  apply(V: Float64Array, k: number): Promise<Float64Array>;
}

/** The Hessian (or H₀, H₁) of a network's loss over a data set as a matrix-free operator; see `hessianOperator`. */
export interface HessianOperator extends SymmetricOperator {
  readonly part: HessianPart;
  /** Samples n. */
  readonly n: number;
  /** Row ranges of the chunks, in the order their products are summed. */
  readonly chunks: readonly [number, number][];
  /** Threads evaluating the chunks (1: the calling thread). */
  readonly threads: number;
  /** Free the chunks' resident data and stop the workers (idempotent). */
  dispose(): void;
  [Symbol.dispose](): void;
}

let defaultThreads = 1;

/**
 * The number of threads new operators use by default (1 at start: the calling thread only). Each further thread is
 * a worker (node worker_threads, a browser Web Worker) with its own WASM instance holding its chunks of the data.
 * @example
 * setThreads(2); // then hessianOperator(model, data) evaluates its chunks on 2 workers
 */
export function setThreads(n: number): void {
  checkNumber("setThreads", "n", n, { min: 1, integer: true });
  defaultThreads = n;
}

/** The default thread count of new operators (`setThreads`). */
export function getThreads(): number {
  return defaultThreads;
}

/**
 * The Hessian of the loss R(θ) = (1/n)Σᵢℓᵢ (+ (l2/2)‖θ‖²) as a matrix-free operator V ↦ HV (`part`: H, the
 * Gauss–Newton part H₀ = JᵀΛJ/n — for cross-entropy the generalised Gauss–Newton with Λᵢ = sᵢ(diag pᵢ − pᵢpᵢᵀ) —
 * or H₁ = H − H₀; docs/conventions.md#hessian-split), by the R-operator (Pearlmutter 1994) of @losscape/mlp's
 * `Problem.hvpBlock`: the data in chunks of rows, H·V = Σ_c (n_c/n)·H_c·V summed in chunk order, so memory is
 * O(M·k + chunk) whatever n and the result is the same bits whatever the thread count. With `threads` > 1 the
 * chunks are spread over worker threads (chunk c on thread c mod threads).
 * @example
 * using op = await hessianOperator(model, data, { threads: 2 });
 * const HV = await op.apply(V, 4); // 4 products at once
 */
export async function hessianOperator(
  model: ModelInput,
  data: DatasetInput,
  options: { part?: HessianPart; threads?: number; chunkRows?: number } = {},
): Promise<HessianOperator> {
  const fn = "hessianOperator";
  options = checkOptions(fn, options, ["part", "threads", "chunkRows"]);
  const m = validateModel(model, fn);
  const d = validateData(m, data, fn);
  const part = options.part ?? "full";
  if (part !== "full" && part !== "gauss-newton" && part !== "residual") {
    throw new ValueError(`${fn}: 'part' must be 'full', 'gauss-newton' or 'residual'; found ${String(part)}`);
  }
  const threads = options.threads ?? defaultThreads;
  checkNumber(fn, "threads", threads, { min: 1, integer: true });
  if (options.chunkRows !== undefined) checkNumber(fn, "chunkRows", options.chunkRows, { min: 1, integer: true });
  const backend = getBackend();
  if (backend === undefined) throw new NotInitializedError(`${fn}: losscape core is not initialised; call 'await init()' (or initSync) first`);
  const T = m.widths.slice(1).reduce((a, b) => a + b, 0);
  const n = d.x.rows;
  const chunks = chunkRanges(n, T, options.chunkRows);
  const used = Math.min(threads, chunks.length);
  const op = used === 1 ? new LocalOperator(m, d, part, chunks) : await WorkerOperator.start(m, d, part, chunks, used, backend);
  return op;
}

/** H·V = Σ_c (n_c/n)·(H_c·V), c in chunk order: `add(c, hv)` in any order, the sum always in order. */
class ChunkSum {
  private readonly pending = new Map<number, Float64Array>();
  private next = 0;
  readonly out: Float64Array;
  constructor(private readonly chunks: readonly [number, number][], private readonly n: number, size: number) {
    this.out = new Float64Array(size);
  }
  add(c: number, hv: Float64Array): boolean {
    this.pending.set(c, hv);
    while (this.pending.has(this.next)) {
      const h = this.pending.get(this.next)!;
      this.pending.delete(this.next);
      const [r0, r1] = this.chunks[this.next];
      const w = (r1 - r0) / this.n;
      const o = this.out;
      if (this.next === 0) for (let i = 0; i < o.length; i++) o[i] = w * h[i];
      else for (let i = 0; i < o.length; i++) o[i] += w * h[i];
      this.next++;
    }
    return this.next === this.chunks.length;
  }
}

function checkBlock(fn: string, dim: number, V: Float64Array, k: number): void {
  checkNumber(fn, "k", k, { min: 1, integer: true });
  if (!(V instanceof Float64Array) || V.length !== k * dim) {
    throw new ValueError(`${fn}: argument 'V' must be a Float64Array of k·dim = ${k * dim} values; found ${V instanceof Float64Array ? `length ${V.length}` : typeof V}`);
  }
}

/** The operator on the calling thread: one resident problem per chunk. */
class LocalOperator implements HessianOperator {
  readonly dim: number;
  readonly n: number;
  readonly threads = 1;
  private readonly problems: Problem[];
  constructor(model: Model, data: Dataset, readonly part: HessianPart, readonly chunks: readonly [number, number][]) {
    this.dim = model.params.length;
    this.n = data.x.rows;
    this.problems = chunks.map(([r0, r1]) => chunkProblem(model, dataRows(data, r0, r1)));
  }
  async apply(V: Float64Array, k: number): Promise<Float64Array> {
    checkBlock("HessianOperator.apply", this.dim, V, k);
    const sum = new ChunkSum(this.chunks, this.n, k * this.dim);
    this.problems.forEach((p, c) => sum.add(c, chunkProducts(p, V, k, this.part)));
    return sum.out;
  }
  dispose(): void {
    for (const p of this.problems) p.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A worker thread as the operator sees it (node worker_threads or a browser Web Worker). */
interface WorkerPort {
  post(msg: ToWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (msg: FromWorker) => void): void;
  onError(handler: (e: Error) => void): void;
  terminate(): void;
  /** Node: keep the process alive while a product is running (workers are unref'd when idle). */
  hold(busy: boolean): void;
}

/** The compiled worker script beside this module (from the sources, as the repository's tests run them: dist/). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../dist/worker.js", here) : new URL("./worker.js", here);
}

async function spawn(): Promise<WorkerPort> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node) {
    const name = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    const w = new Worker(workerUrl());
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (h) => w.on("message", h),
      onError: (h) => w.on("error", h),
      terminate: () => void w.terminate(),
      hold: (busy) => (busy ? w.ref() : w.unref()),
    };
  }
  // The literal form bundlers (Vite, webpack) recognise, so the worker script is emitted with the page's assets.
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  return {
    post: (m, t) => w.postMessage(m, t),
    onMessage: (h) => (w.onmessage = (e) => h(e.data as FromWorker)),
    onError: (h) => (w.onerror = (e) => h(new Error(e.message))),
    terminate: () => w.terminate(),
    hold: () => {},
  };
}

/** An error a worker reported, re-thrown on the calling thread as the same losscape error class (else WasmError). */
const WORKER_ERRORS: Record<string, new (message: string) => LosscapeError> = {
  ShapeError, ValueError, NotInitializedError, OutOfMemoryError, ConvergenceError, WasmError, StaleHandleError,
};
function workerError(name: string, message: string): LosscapeError {
  const E = WORKER_ERRORS[name] ?? WasmError;
  return new E(E === WasmError && name !== "WasmError" ? `a worker thread failed: ${name}: ${message}` : message);
}

/** The operator over worker threads: chunk c lives on worker c mod threads. */
class WorkerOperator implements HessianOperator {
  readonly dim: number;
  readonly n: number;
  private nextId = 0;
  private readonly calls = new Map<number, { sum: ChunkSum; resolve: (v: Float64Array) => void; reject: (e: Error) => void }>();
  private disposed = false;

  private constructor(model: Model, data: Dataset, readonly part: HessianPart, readonly chunks: readonly [number, number][], private readonly workers: WorkerPort[]) {
    this.dim = model.params.length;
    this.n = data.x.rows;
  }
  get threads(): number {
    return this.workers.length;
  }

  static async start(model: Model, data: Dataset, part: HessianPart, chunks: readonly [number, number][], threads: number, backend: BackendName): Promise<WorkerOperator> {
    const workers = await Promise.all(Array.from({ length: threads }, () => spawn()));
    const op = new WorkerOperator(model, data, part, chunks, workers);
    const { params, meta: _meta, ...spec } = model;
    const ready = workers.map(
      (w, t) =>
        new Promise<void>((resolve, reject) => {
          w.onError(reject);
          w.onMessage((msg) => {
            if (msg.type === "alive") {
              const mine = chunks.flatMap(([r0, r1], index) => {
                if (index % threads !== t) return [];
                const rows = dataRows(data, r0, r1);
                return [{ index, rows: r1 - r0, x: rows.x.data.slice(), y: rows.y.data.slice() }];
              });
              w.post({ type: "init", backend, spec, params: params.slice(), part, chunks: mine, dx: data.x.cols, dy: data.y.cols }, []);
            } else if (msg.type === "ready") {
              w.onMessage((m) => op.receive(m));
              w.onError((e) => op.fail(e));
              resolve();
            } else if (msg.type === "error") {
              reject(workerError(msg.name, msg.message));
            }
          });
        }),
    );
    try {
      await Promise.all(ready);
      for (const w of workers) w.hold(false);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return op;
  }

  apply(V: Float64Array, k: number): Promise<Float64Array> {
    checkBlock("HessianOperator.apply", this.dim, V, k);
    if (this.disposed) return Promise.reject(new ValueError("HessianOperator.apply: the operator was used after dispose()"));
    const id = this.nextId++;
    const settle = () => {
      if (this.calls.size === 0) for (const w of this.workers) w.hold(false);
    };
    return new Promise<Float64Array>((resolve, reject) => {
      this.calls.set(id, {
        sum: new ChunkSum(this.chunks, this.n, k * this.dim),
        resolve: (v) => (resolve(v), settle()),
        reject: (e) => (reject(e), settle()),
      });
      for (const w of this.workers) {
        w.hold(true);
        w.post({ type: "apply", id, V, k }, []);
      }
    });
  }

  private receive(msg: FromWorker): void {
    if (msg.type !== "result" && msg.type !== "error") return;
    const call = this.calls.get(msg.id);
    if (!call) return;
    if (msg.type === "error") {
      this.calls.delete(msg.id);
      call.reject(workerError(msg.name, msg.message));
      return;
    }
    if (call.sum.add(msg.chunk, msg.hv)) {
      this.calls.delete(msg.id);
      call.resolve(call.sum.out);
    }
  }

  private fail(e: Error): void {
    for (const c of this.calls.values()) c.reject(e);
    this.calls.clear();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.workers) w.terminate();
    this.fail(new ValueError("HessianOperator: disposed while a product was running"));
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
