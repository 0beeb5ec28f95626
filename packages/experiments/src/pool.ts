import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { checkNumber } from "@losscape/core";
import type { PoolJob } from "./pool-worker.js";
import type { ResultRow } from "./results.js";

/** The pool's thread file: next to this module in dist/; from the sources (tests), the built one. */
function workerFile(): string {
  const here = new URL("./pool-worker.js", import.meta.url);
  return existsSync(fileURLToPath(here)) ? here.href : new URL("../dist/pool-worker.js", import.meta.url).href;
}

/**
 * A pool of `workers` threads (piscina over worker_threads, default: the number of cores) that run tasks into result
 * rows. Each thread loads the WASM core and each task module once.
 * @example
 * const pool = new TaskPool({ workers: 2 });
 * const row = await pool.run({ task: "critical-search", point, seed: 0, worker: "pool" });
 * await pool.close();
 */
export class TaskPool {
  readonly workers: number;
  private readonly piscina: Piscina;

  constructor(options: { workers?: number; backend?: "simd" | "scalar" | "ts" } = {}) {
    const workers = options.workers ?? availableParallelism();
    checkNumber("TaskPool", "workers", workers, { min: 1, integer: true });
    this.workers = workers;
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Infinity,
      workerData: { backend: options.backend },
    });
  }

  /** Run one job on a free thread (queued while all are busy). */
  run(job: PoolJob): Promise<ResultRow> {
    return this.piscina.run(job) as Promise<ResultRow>;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
