import { hostname } from "node:os";
import type { NoWorkerInfo } from "./queue.js";
import { ResultsFile, VERSION, type ResultRow } from "./results.js";
import { expandTasks, ExperimentSpecError, type ExperimentSpec, type TaskPoint } from "./spec.js";
import { TaskPool } from "./pool.js";
import { loadTask } from "./tasks.js";

/** Where a sweep stands: tasks of the spec finished (ok or error), failed (error rows), running, and the ETA. */
export interface SweepProgress {
  total: number;
  /** Rows of the spec's tasks in the results file, including those read on resuming. */
  done: number;
  failed: number;
  running: number;
  /** Rows written by this run. */
  computed: number;
  /** Seconds left at this run's pace so far (null before the first row). */
  etaSeconds: number | null;
}

/** What runs the tasks: the local pool (default) or the BullMQ queue on Redis. */
export type Runner =
  | { kind: "local"; workers?: number; backend?: "simd" | "scalar" | "ts" }
  | {
      kind: "queue";
      redis: string;
      queue?: string;
      redisTimeoutMs?: number;
      /** After this long with none of the sweep's tasks taken by a worker, `onNoWorker` is called, once (default `DEFAULT_NO_WORKER_NOTE_MS`, 10 s). */
      noWorkerNoteMs?: number;
    };

export interface RunOptions {
  /** The results file (JSONL, append-only): resumed from when it exists. */
  out: string;
  runner?: Runner;
  /** Called on every change of the counts (a task started or finished). */
  onProgress?: (p: SweepProgress) => void;
  /** Stops the sweep: running tasks are dropped (not written), the result has `aborted: true`. */
  signal?: AbortSignal;
  /**
   * The queue runner waited `noWorkerNoteMs` with none of the tasks taken by a worker: called once; the sweep keeps
   * waiting (a worker may be started later). `losscape experiment run --redis` prints how to start one.
   */
  onNoWorker?: (info: NoWorkerInfo) => void;
}

export interface SweepResult {
  progress: SweepProgress;
  /** The rows of the spec's tasks, in the spec's order (stored and new). */
  rows: ResultRow[];
  /** Rows of the file that are not tasks of this spec (a smaller grid than before): kept in the file, left out here. */
  extraRows: number;
  warnings: string[];
  seconds: number;
  aborted: boolean;
}

/** Something that runs the outstanding tasks and hands each row back as it finishes. */
export interface TaskRunner {
  run(spec: ExperimentSpec, todo: TaskPoint[], sink: { row(row: ResultRow): void; started(n: number): void; noWorker?(info: NoWorkerInfo): void }, signal?: AbortSignal): Promise<void>;
}

/**
 * Check every task's parameters (the task's `check`) before anything runs: a bad one is an ExperimentSpecError naming
 * the parameter (and the task, by its parameters).
 * @example
 * const points = await checkTasks(spec);
 */
export async function checkTasks(spec: ExperimentSpec): Promise<TaskPoint[]> {
  const task = await loadTask(spec.task);
  const points = expandTasks(spec);
  if (task.check) {
    for (const p of points) {
      try {
        task.check(p.params);
      } catch (e) {
        if (e instanceof ExperimentSpecError) throw new ExperimentSpecError(e.field, `${e.message.slice(e.field.length + 2)} (task ${p.key})`);
        throw new ExperimentSpecError("params", `the task's check refused ${p.key}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return points;
}

/**
 * Run a sweep (docs/formats.md#experiment-specs): every task of the spec whose row is not yet in `out` runs once,
 * on the local thread pool (default, `workers` = the number of cores) or on `losscape worker` processes through
 * a BullMQ queue on Redis; each row is appended to `out` as it finishes. Resuming never repeats or loses a finished
 * task; a task that throws gives an error row and the sweep goes on.
 * @example
 * const r = await runExperiment(spec, { out: "runs.jsonl", runner: { kind: "local", workers: 2 } });
 * r.progress.done; r.rows.length;
 */
export async function runExperiment(spec: ExperimentSpec, options: RunOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const points = await checkTasks(spec);
  const results = new ResultsFile(options.out, spec);
  const inSpec = new Set(points.map((p) => p.key));
  const todo = points.filter((p) => !results.has(p.key));
  const runner = options.runner ?? { kind: "local" };
  const progress: SweepProgress = {
    total: points.length,
    done: points.length - todo.length,
    failed: results.rows.filter((r) => inSpec.has(r.key) && r.outcome === "error").length,
    running: 0,
    computed: 0,
    etaSeconds: null,
  };
  const report = () => {
    const elapsed = (performance.now() - t0) / 1000;
    progress.etaSeconds = progress.computed > 0 ? (elapsed / progress.computed) * (progress.total - progress.done) : null;
    options.onProgress?.({ ...progress });
  };
  report();
  const sink = {
    row(row: ResultRow) {
      if (!inSpec.has(row.key) || !results.append(row)) return;
      progress.done++;
      progress.computed++;
      if (row.outcome === "error") progress.failed++;
      report();
    },
    started(n: number) {
      progress.running = n;
      report();
    },
    noWorker(info: NoWorkerInfo) {
      options.onNoWorker?.(info);
    },
  };
  try {
    if (todo.length > 0) {
      const impl: TaskRunner = runner.kind === "local" ? localRunner(runner) : await (await import("./queue.js")).queueRunner(runner);
      await impl.run(spec, todo, sink, options.signal);
    }
  } finally {
    results.close();
  }
  progress.running = 0;
  const byKey = new Map(results.rows.map((r) => [r.key, r]));
  const rows = points.flatMap((p) => (byKey.has(p.key) ? [byKey.get(p.key)!] : []));
  return {
    progress,
    rows,
    extraRows: results.rows.length - rows.length,
    warnings: results.warnings,
    seconds: (performance.now() - t0) / 1000,
    aborted: options.signal?.aborted === true && progress.done < progress.total,
  };
}

/** The local runner: a TaskPool of `workers` threads; all tasks are queued at once, rows handed back as they finish. */
function localRunner(o: { workers?: number; backend?: "simd" | "scalar" | "ts" }): TaskRunner {
  return {
    async run(spec, todo, sink, signal) {
      const pool = new TaskPool({ workers: o.workers, backend: o.backend });
      let inFlight = 0;
      const label = `pool:${hostname()}:${process.pid}`;
      try {
        await new Promise<void>((resolve) => {
          let left = todo.length;
          const onAbort = () => resolve();
          signal?.addEventListener("abort", onAbort, { once: true });
          if (signal?.aborted) return resolve();
          for (const point of todo) {
            inFlight++;
            sink.started(Math.min(inFlight, pool.workers));
            pool.run({ task: spec.task, point, seed: spec.seed, worker: label }).then(
              (row) => {
                inFlight--;
                if (signal?.aborted) return;
                sink.row(row);
                sink.started(Math.min(inFlight, pool.workers));
                if (--left === 0) resolve();
              },
              // The thread died (the task exited it, threw outside its promise, ran out of memory): an error row,
              // as the queue runner records a failed job, and the sweep goes on.
              (e) => {
                inFlight--;
                if (signal?.aborted) return;
                sink.row(crashRow(point, spec.seed, label, e));
                sink.started(Math.min(inFlight, pool.workers));
                if (--left === 0) resolve();
              },
            );
          }
        });
      } finally {
        await pool.close().catch(() => {});
      }
    },
  };
}

/** The error row of a task whose pool thread died before it gave a row. */
function crashRow(point: TaskPoint, seed: number, worker: string, e: unknown): ResultRow {
  return {
    key: point.key,
    params: point.params,
    seed,
    outcome: "error",
    result: null,
    error: `the worker thread died: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ")}`,
    started: new Date().toISOString(),
    seconds: 0,
    host: hostname(),
    worker,
    version: VERSION,
  };
}
