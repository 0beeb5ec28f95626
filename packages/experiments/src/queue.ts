import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { Queue, QueueEvents, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { checkNumber, ValueError } from "@losscape/core";
import { TaskPool } from "./pool.js";
import type { PoolJob } from "./pool-worker.js";
import { VERSION, type ResultRow } from "./results.js";
import type { TaskRunner } from "./run.js";
import { experimentId, type TaskPoint, type TaskRef } from "./spec.js";

/** The queue `losscape experiment run --redis` and `losscape worker` use unless told another (`--queue`). */
export const DEFAULT_QUEUE = "losscape";

/** How long a connection may stay lost before the run or worker stops (default one minute). */
export const DEFAULT_REDIS_TIMEOUT_MS = 60_000;

/**
 * How long `experiment run --redis` waits with none of its tasks taken by a worker before it says so (once; it keeps
 * waiting): 10 s. A worker that serves the queue takes a job within a few hundred ms of its being added (BullMQ
 * blocks on the queue), so 10 s without one means no worker serves it (or every one is busy with other jobs).
 */
export const DEFAULT_NO_WORKER_NOTE_MS = 10_000;

/** What `onNoWorker` is told: the queue, the Redis, how long it waited, and how many workers BullMQ sees (null: unknown). */
export interface NoWorkerInfo {
  queue: string;
  redis: string;
  seconds: number;
  /** Workers connected to the queue (BullMQ's `getWorkersCount`, from Redis's CLIENT LIST); null where that is not allowed. */
  workers: number | null;
  tasks: number;
}

/** A job's data: the experiment, the task and the point. */
interface JobData {
  id: string;
  task: TaskRef;
  seed: number;
  point: TaskPoint;
}

/** The job id of a task: `<experiment id>-<16 hex digits of SHA-256(key)>`, so adding it twice adds it once. */
const jobIdOf = (id: string, key: string) => `${id}-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;

/**
 * Check a Redis URL as ioredis reads it, redis[s]://[user:password@]host[:port][/db]: a ValueError naming --redis
 * otherwise (before, a port beyond 65535 or a path that is not a database number failed inside ioredis as an
 * internal error).
 * @example
 * checkRedisUrl("redis://127.0.0.1:6379/0"); // fine
 */
export function checkRedisUrl(url: unknown): void {
  const bad = (why: string) => new ValueError(`--redis: expected a URL redis://host:port[/db]${why}; found ${String(url)}`);
  if (typeof url !== "string" || !/^rediss?:\/\/[^\s]+$/.test(url)) throw bad("");
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(" (not a valid URL; a port is at most 65535)");
  }
  if (u.hostname === "") throw bad(" (no host)");
  if (!/^\/?\d*$/.test(u.pathname)) throw bad(` (the path is a database number)`);
}

/** BullMQ's rule for a queue name (its ':' separates the parts of its Redis keys), checked before connecting. */
function checkQueueName(name: unknown): void {
  if (typeof name !== "string" || name.length === 0 || name.includes(":")) {
    throw new ValueError(`--queue: expected a queue name, not empty and without ':'; found ${JSON.stringify(name) ?? String(name)}`);
  }
}

/**
 * Whether Redis answers at `url` (one PING, 3 s to connect, no retries): else a ValueError "--redis: cannot reach …".
 * @example
 * await probeRedis("redis://127.0.0.1:6379");
 */
export async function probeRedis(url: string): Promise<void> {
  checkRedisUrl(url);
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on("error", () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new ValueError(`--redis: cannot reach ${url}: ${(e as Error).message}`);
  } finally {
    r.disconnect();
  }
}

/**
 * A connection that reconnects (every 0.2–1 s) while Redis is away, and gives up after `timeoutMs` without it:
 * `lost` then rejects with one line saying so. Whether Redis is away is checked every 100 ms from the connection's
 * status (not only when ioredis asks whether to retry), so a connection stuck in any state is noticed.
 */
function connect(url: string, timeoutMs: number): { redis: Redis; lost: Promise<never> } {
  let downSince: number | null = null;
  let gaveUp = false;
  let giveUp: (e: Error) => void = () => {};
  const lost = new Promise<never>((_, reject) => (giveUp = reject));
  lost.catch(() => {});
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: 3000,
    retryStrategy: (times) => (gaveUp ? null : Math.min(200 * times, 1000)),
  });
  redis.on("error", () => {});
  const watch = setInterval(() => {
    if (redis.status === "ready") {
      downSince = null;
      return;
    }
    downSince ??= Date.now();
    if (Date.now() - downSince > timeoutMs) {
      gaveUp = true;
      clearInterval(watch);
      giveUp(new RedisLostError(`lost the connection to Redis at ${url} for ${Math.round(timeoutMs / 1000)} s; stopping`));
    }
  }, 100);
  watch.unref();
  redis.once("end", () => clearInterval(watch));
  return { redis, lost };
}

/** Redis stayed unreachable longer than the timeout: the run or worker stopped (the results so far are kept). */
export class RedisLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisLostError";
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The queue runner: every outstanding task becomes one BullMQ job (id from the experiment and the task's key, so a
 * task is queued once) executed by `losscape worker` processes; rows come back as the jobs' return values, are
 * handed to the sink once, and the collected jobs are removed. A worker that dies mid-task leaves its job locked
 * until the lock expires; BullMQ's stalled-job check then queues it again. After Redis comes back from a restart
 * the outstanding tasks are queued again (a restarted Redis without persistence has lost them).
 */
export async function queueRunner(o: { redis: string; queue?: string; redisTimeoutMs?: number; noWorkerNoteMs?: number }): Promise<TaskRunner> {
  checkQueueName(o.queue ?? DEFAULT_QUEUE);
  if (o.noWorkerNoteMs !== undefined) checkNumber("queueRunner", "noWorkerNoteMs", o.noWorkerNoteMs, { min: 0 });
  await probeRedis(o.redis);
  return {
    async run(spec, todo, sink, signal) {
      const name = o.queue ?? DEFAULT_QUEUE;
      const { redis, lost } = connect(o.redis, o.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
      let gone = false;
      lost.catch(() => (gone = true));
      const queue = new Queue<JobData, ResultRow>(name, { connection: redis });
      const eventsConnection = redis.duplicate();
      eventsConnection.on("error", () => {});
      const events = new QueueEvents(name, { connection: eventsConnection });
      queue.on("error", () => {});
      events.on("error", () => {});
      const id = experimentId(spec);
      const outstanding = new Map(todo.map((p) => [jobIdOf(id, p.key), p]));
      let wake: () => void = () => {};
      const woken = () => new Promise<void>((r) => (wake = r));
      const finished: { jobId: string; row: ResultRow | null; reason?: string }[] = [];
      events.on("completed", ({ jobId, returnvalue }) => {
        if (!outstanding.has(jobId)) return;
        const row = (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as ResultRow;
        finished.push({ jobId, row });
        wake();
      });
      events.on("failed", ({ jobId, failedReason }) => {
        if (!outstanding.has(jobId)) return;
        finished.push({ jobId, row: null, reason: failedReason });
        wake();
      });
      const add = async () => {
        const list = [...outstanding.entries()];
        for (let i = 0; i < list.length; i += 500) {
          await queue.addBulk(
            list.slice(i, i + 500).map(([jobId, point]) => ({
              name: spec.name,
              data: { id, task: spec.task, seed: spec.seed, point },
              opts: { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false },
            })),
          );
        }
      };
      const record = (jobId: string, row: ResultRow | null, reason?: string) => {
        const point = outstanding.get(jobId);
        if (!point) return;
        outstanding.delete(jobId);
        sink.row(
          row ?? {
            key: point.key,
            params: point.params,
            seed: spec.seed,
            outcome: "error",
            result: null,
            error: `the queue failed the job: ${reason ?? "no reason given"}`,
            started: new Date().toISOString(),
            seconds: 0,
            host: "",
            worker: "",
            version: VERSION,
          },
        );
      };
      // Jobs finished while no one listened (a resumed run): their rows are in Redis.
      const sweep = async () => {
        for (const state of ["completed", "failed"] as const) {
          for (let start = 0; ; ) {
            const jobs = (await queue.getJobs([state], start, start + 499, true)).filter(Boolean) as Job<JobData, ResultRow>[];
            if (jobs.length === 0) break;
            let kept = 0;
            for (const job of jobs) {
              if (!outstanding.has(job.id!)) {
                kept++;
                continue;
              }
              record(job.id!, state === "completed" ? job.returnvalue : null, job.failedReason);
              await job.remove().catch(() => {});
            }
            start += kept;
            if (jobs.length < 500) break;
          }
        }
      };
      try {
        await events.waitUntilReady();
        await Promise.race([sweep(), lost]);
        await Promise.race([add(), lost]);
        let first = true;
        redis.on("ready", () => {
          if (first) return;
          add().catch(() => {});
        });
        first = false;
        let lastSweep = Date.now();
        // No task taken (none running, none finished) for noWorkerNoteMs after the jobs were added: said once.
        const waitingSince = Date.now();
        const noWorkerMs = o.noWorkerNoteMs ?? DEFAULT_NO_WORKER_NOTE_MS;
        let taken = false;
        const aborted = new Promise<void>((r) => signal?.addEventListener("abort", () => r(), { once: true }));
        while (outstanding.size > 0 && !signal?.aborted) {
          await Promise.race([woken(), sleep(250), lost, aborted]);
          for (const f of finished.splice(0)) {
            record(f.jobId, f.row, f.reason);
            await queue.remove(f.jobId).catch(() => 0);
          }
          if (Date.now() - lastSweep > 2000) {
            await Promise.race([sweep(), lost]);
            lastSweep = Date.now();
          }
          const active = await Promise.race([queue.getActiveCount(), lost]);
          sink.started(active);
          taken ||= active > 0 || outstanding.size < todo.length;
          if (!taken && outstanding.size > 0 && !signal?.aborted && Date.now() - waitingSince >= noWorkerMs) {
            taken = true; // said once
            const workers = await Promise.race([queue.getWorkersCount().catch(() => null), lost]);
            sink.noWorker?.({ queue: name, redis: o.redis, seconds: (Date.now() - waitingSince) / 1000, workers, tasks: outstanding.size });
          }
        }
      } finally {
        // BullMQ's close talks to Redis: with Redis gone for good (`lost`) it would never settle, and the run would
        // hang (then node exits with status 13 and no message). Then, and in any case after 5 s, it is not waited for.
        const closed = Promise.allSettled([events.close(), queue.close()]);
        if (!gone) await Promise.race([closed, sleep(5000)]);
        redis.disconnect();
        eventsConnection.disconnect();
      }
    },
  };
}

export interface WorkerOptions {
  redis: string;
  queue?: string;
  /** Threads of the local pool (default: the number of cores); also the jobs taken at once. */
  workers?: number;
  backend?: "simd" | "scalar" | "ts";
  /**
   * BullMQ's lock duration and stalled-job check interval in ms (default 30 000): a job whose worker died is queued
   * again between one and two of these after its last lock renewal.
   */
  lockMs?: number;
  redisTimeoutMs?: number;
}

/**
 * A queue worker (`losscape worker`): takes jobs of `queue` from Redis and runs them on a local pool of threads, so
 * the main thread stays free to renew the jobs' locks. `done` resolves after `close()` and rejects when Redis stays
 * away longer than `redisTimeoutMs`.
 * @example
 * const w = await startWorker({ redis: "redis://127.0.0.1:6379", workers: 2 });
 * process.on("SIGTERM", () => w.close());
 * await w.done;
 */
export async function startWorker(o: WorkerOptions): Promise<{ done: Promise<void>; close(): Promise<void>; processed(): number }> {
  checkQueueName(o.queue ?? DEFAULT_QUEUE);
  await probeRedis(o.redis);
  const pool = new TaskPool({ workers: o.workers, backend: o.backend });
  const { redis, lost } = connect(o.redis, o.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
  const label = `queue:${hostname()}:${process.pid}`;
  let processed = 0;
  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker<JobData, ResultRow>(
    o.queue ?? DEFAULT_QUEUE,
    async (job) => {
      const row = await pool.run({ task: job.data.task, point: job.data.point, seed: job.data.seed, worker: label } satisfies PoolJob);
      processed++;
      return row;
    },
    { connection: redis, concurrency: pool.workers, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 3 },
  );
  // Lost locks and connection drops while Redis restarts: the jobs are queued again; nothing to report per event.
  worker.on("error", () => {});
  // Closing lets the jobs in hand finish (worker.close waits for them), then stops the threads. With Redis gone
  // (`force`) their results could not be reported anyway: BullMQ is not waited for, and the close takes at most 5 s.
  let closing: Promise<void> | null = null;
  const close = (force = false) =>
    (closing ??= (async () => {
      await (force ? Promise.race([worker.close(true).catch(() => {}), sleep(5000)]) : worker.close().catch(() => {}));
      await pool.close();
      redis.disconnect();
    })());
  // `done`: resolves when closed; rejects (after closing) when Redis stayed away too long.
  const done = new Promise<void>((resolve, reject) => {
    let lostError: Error | null = null;
    worker.once("closed", () => void close().then(() => (lostError ? reject(lostError) : resolve())));
    lost.catch((e: Error) => {
      lostError = e;
      void close(true).then(() => reject(e));
    });
  });
  await worker.waitUntilReady();
  return { done, close, processed: () => processed };
}
