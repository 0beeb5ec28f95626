import { availableParallelism } from "node:os";
import { DEFAULT_QUEUE, startWorker } from "@losscape/experiments";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { UnavailableError } from "../errors.js";

export interface WorkerCliOptions {
  redis: string;
  queue?: string;
  workers?: number;
  lockMs: number;
  redisTimeout: number;
  /** `--backend`: the compute backend of the pool's threads. */
  backend?: "simd" | "scalar" | "ts";
}

/**
 * `losscape worker --redis redis://host:port`: runs the tasks `losscape experiment run --redis` puts into the queue,
 * on `--workers` threads (default: the number of cores), until SIGINT or SIGTERM (it finishes the jobs in hand
 * first); a job of a worker that died is queued again by BullMQ's stalled-job check after `--lock-ms`. Stops with one
 * line when Redis stays unreachable for `--redis-timeout` seconds.
 * @example
 * await workerCommand({ redis: "redis://127.0.0.1:6379", lockMs: 30000, redisTimeout: 60 }, ctx);
 */
export async function workerCommand(o: WorkerCliOptions, ctx: Context): Promise<void> {
  const t0 = performance.now();
  const workers = o.workers ?? availableParallelism();
  const queue = o.queue ?? DEFAULT_QUEUE;
  const w = await startWorker({ redis: o.redis, queue, workers, backend: o.backend, lockMs: o.lockMs, redisTimeoutMs: o.redisTimeout * 1000 });
  if (!ctx.quiet) process.stderr.write(`losscape worker: serving queue "${queue}" at ${o.redis} with ${workers} threads (Ctrl-C to stop)\n`);
  const stop = () => void w.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await w.done;
  } catch (e) {
    throw new UnavailableError((e as Error).message);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  emit(ctx, { redis: o.redis, queue, workers, processed: w.processed(), seconds: (performance.now() - t0) / 1000, warnings: [] }, () => `worker  ${w.processed()} tasks run; stopped\n`);
}
