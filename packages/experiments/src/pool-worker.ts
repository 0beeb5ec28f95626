import { threadId, workerData } from "node:worker_threads";
import { init } from "@losscape/core";
import { executeTask, type ResultRow } from "./results.js";
import type { TaskRef } from "./spec.js";
import { loadTask, type Task } from "./tasks.js";

/** One job of the pool: the task, the point and the seed; `worker` names the process (the row gets it with the thread's number appended). */
export interface PoolJob {
  task: TaskRef;
  point: { key: string; params: Record<string, unknown> };
  seed: number;
  worker: string;
}

let ready: Promise<unknown> | null = null;
const tasks = new Map<string, Promise<Task>>();

/**
 * The body of a pool thread (piscina's worker file): loads the WASM core once (the backend the pool was made with),
 * the task once per reference, and runs one task into its result row.
 */
export default async function runPoolJob(job: PoolJob): Promise<ResultRow> {
  const backend = (workerData as { backend?: "simd" | "scalar" | "ts" } | undefined)?.backend;
  ready ??= init(backend ? { backend } : undefined);
  await ready;
  const ref = typeof job.task === "string" ? job.task : job.task.module;
  if (!tasks.has(ref)) tasks.set(ref, loadTask(job.task));
  return executeTask(await tasks.get(ref)!, job.point, job.seed, `${job.worker}/${threadId}`);
}
