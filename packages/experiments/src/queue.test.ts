import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis } from "../test/redis-server.js";
import { readResults } from "./results.js";
import type { NoWorkerInfo } from "./queue.js";
import { runExperiment, type SweepProgress } from "./run.js";
import { parseSpec } from "./spec.js";

// The queue runner with a real redis-server and real `losscape worker` processes (the built CLI): results complete
// and recorded once whatever happens to a worker, the run or Redis.
const BIN = resolve(import.meta.dirname, "../../cli/bin/losscape.js");
const TOY = resolve(import.meta.dirname, "../test/fixtures/toy-task.mjs");
const dir = mkdtempSync(join(tmpdir(), "losscape-queue-"));
let redis: Awaited<ReturnType<typeof startRedis>>;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A `losscape worker` child process on its own queue; `exited` resolves to its status and stderr. */
function worker(queue: string, extra: string[] = []) {
  const child = spawn(process.execPath, [BIN, "worker", "--redis", redis.url, "--queue", queue, "--workers", "1", "--lock-ms", "1000", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  workers.push(child);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => child.on("exit", (code) => r({ code, stderr })));
  /** Resolves once the worker says it serves the queue (it reached Redis). */
  const serving = new Promise<void>((r) => child.stderr!.on("data", () => stderr.includes("serving queue") && r()));
  return { child, exited, serving };
}

/** A sweep of `n` toy tasks of `ms` each, logging every execution to `log`. */
function toySpec(n: number, ms: number, log: string) {
  return parseSpec({ format: "losscape.experiment/1", name: "toy", task: { module: TOY }, params: { ms, log }, grid: { i: Array.from({ length: n }, (_, i) => i) }, seed: 5 });
}

/** Every task of the spec has exactly one row, with the result the task gives (computed here). */
async function expectComplete(out: string, n: number) {
  const { rows, warnings } = readResults(out);
  expect(warnings).toEqual([]);
  expect(rows).toHaveLength(n);
  expect(new Set(rows.map((r) => r.params.i)).size).toBe(n);
  const toy = (await import(TOY)).default as (p: Record<string, unknown>, s: number) => Promise<unknown>;
  for (const r of rows) {
    expect(r.outcome).toBe("ok");
    expect(r.result).toEqual(await toy({ ...r.params, log: undefined }, 5));
  }
  return rows;
}

const executions = (log: string) => readFileSync(log, "utf8").trim().split("\n").map(Number);

describe("the queue runner (BullMQ on a real redis-server, `losscape worker` processes)", () => {
  it("two workers run a sweep; each task once; the rows equal the local pool's", async () => {
    const log = join(dir, "a.log");
    const out = join(dir, "a.jsonl");
    const w1 = worker("qa");
    const w2 = worker("qa");
    await Promise.all([w1.serving, w2.serving]);
    const spec = toySpec(24, 20, log);
    const r = await runExperiment(spec, { out, runner: { kind: "queue", redis: redis.url, queue: "qa" } });
    expect(r.progress).toMatchObject({ total: 24, done: 24, computed: 24, failed: 0 });
    const rows = await expectComplete(out, 24);
    expect(new Set(rows.map((x) => x.worker.replace(/\/\d+$/, ""))).size).toBe(2);
    expect(executions(log).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const local = await runExperiment(spec, { out: join(dir, "a-local.jsonl"), runner: { kind: "local", workers: 1 } });
    expect(local.rows.map((x) => x.result)).toEqual(r.rows.map((x) => x.result));
    w1.child.kill("SIGTERM");
    w2.child.kill("SIGTERM");
    expect((await w1.exited).code).toBe(0);
    expect((await w2.exited).code).toBe(0);
  });

  it("SIGKILL one of two workers mid-run: its task is retried after the lock expires, every result present once", async () => {
    const log = join(dir, "b.log");
    const out = join(dir, "b.jsonl");
    const w1 = worker("qb");
    const w2 = worker("qb");
    await Promise.all([w1.serving, w2.serving]);
    let killed = false;
    const r = await runExperiment(toySpec(30, 100, log), {
      out,
      runner: { kind: "queue", redis: redis.url, queue: "qb" },
      onProgress: (p: SweepProgress) => {
        if (!killed && p.done >= 6) {
          killed = true;
          w1.child.kill("SIGKILL");
        }
      },
    });
    expect(killed).toBe(true);
    expect((await w1.exited).code).toBe(null);
    expect(r.progress).toMatchObject({ total: 30, done: 30, failed: 0 });
    const rows = await expectComplete(out, 30);
    // The task the killed worker held ran twice (once cut short), and is recorded once, by the survivor.
    expect(executions(log).length).toBeGreaterThanOrEqual(30);
    expect(rows.filter((x) => x.worker.includes(`:${w1.child.pid}/`)).length).toBeLessThan(30);
    w2.child.kill("SIGTERM");
    await w2.exited;
  });

  it("stop the run and start it again: nothing repeated, the jobs finished meanwhile are collected", async () => {
    const log = join(dir, "c.log");
    const out = join(dir, "c.jsonl");
    const w1 = worker("qc");
    const w2 = worker("qc");
    await Promise.all([w1.serving, w2.serving]);
    const spec = toySpec(30, 40, log);
    const stop = new AbortController();
    const first = await runExperiment(spec, {
      out,
      runner: { kind: "queue", redis: redis.url, queue: "qc" },
      signal: stop.signal,
      onProgress: (p) => p.done >= 8 && stop.abort(),
    });
    expect(first.aborted).toBe(true);
    expect(first.progress.done).toBeLessThan(30);
    await new Promise((r) => setTimeout(r, 300)); // the workers go on meanwhile
    const second = await runExperiment(spec, { out, runner: { kind: "queue", redis: redis.url, queue: "qc" } });
    expect(second.progress).toMatchObject({ total: 30, done: 30 });
    expect(second.progress.computed).toBe(30 - first.progress.done);
    await expectComplete(out, 30);
    expect(executions(log).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    w1.child.kill("SIGTERM");
    w2.child.kill("SIGTERM");
    await Promise.all([w1.exited, w2.exited]);
  });

  it("Redis restarted mid-run (its data lost): the workers and the run reconnect and finish; nothing lost or duplicated", async () => {
    const log = join(dir, "d.log");
    const out = join(dir, "d.jsonl");
    const w1 = worker("qd");
    const w2 = worker("qd");
    await Promise.all([w1.serving, w2.serving]);
    let restarted: Promise<void> | null = null;
    const r = await runExperiment(toySpec(30, 60, log), {
      out,
      runner: { kind: "queue", redis: redis.url, queue: "qd" },
      onProgress: (p) => {
        if (!restarted && p.done >= 8) restarted = redis.stop().then(() => new Promise((res) => setTimeout(res, 500))).then(() => redis.start());
      },
    });
    await restarted;
    expect(r.progress).toMatchObject({ total: 30, done: 30, failed: 0 });
    await expectComplete(out, 30);
    w1.child.kill("SIGTERM");
    w2.child.kill("SIGTERM");
    expect((await w1.exited).code).toBe(0);
    expect((await w2.exited).code).toBe(0);
  });

  it("no worker takes a task: after noWorkerNoteMs, onNoWorker once (queue, Redis, no worker connected); it keeps waiting, a worker started later finishes the sweep", async () => {
    const log = join(dir, "h.log");
    const out = join(dir, "h.jsonl");
    const notes: NoWorkerInfo[] = [];
    let late: ReturnType<typeof worker> | null = null;
    const t0 = Date.now();
    const r = await runExperiment(toySpec(4, 0, log), {
      out,
      runner: { kind: "queue", redis: redis.url, queue: "qh", noWorkerNoteMs: 600 },
      onNoWorker: (info) => {
        notes.push(info);
        late = worker("qh"); // the run goes on waiting: the late worker's rows complete it
      },
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ queue: "qh", redis: redis.url, workers: 0, tasks: 4 });
    expect(notes[0].seconds).toBeGreaterThanOrEqual(0.6);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(r.progress).toMatchObject({ total: 4, done: 4, failed: 0 });
    await expectComplete(out, 4);
    // A worker serving the queue from the start: the tasks are taken at once, no note however short the delay.
    const w = worker("qi");
    await w.serving;
    const quiet: NoWorkerInfo[] = [];
    await runExperiment(toySpec(4, 400, join(dir, "i.log")), { out: join(dir, "i.jsonl"), runner: { kind: "queue", redis: redis.url, queue: "qi", noWorkerNoteMs: 200 }, onNoWorker: (i) => quiet.push(i) });
    expect(quiet).toEqual([]);
    for (const c of [late!, w]) c.child.kill("SIGTERM");
    await Promise.all([late!.exited, w.exited]);
  });

  it("a queue name BullMQ refuses is bad input, before connecting: the run and the worker stop with one line", async () => {
    const spec = toySpec(2, 0, join(dir, "n.log"));
    await expect(runExperiment(spec, { out: join(dir, "n.jsonl"), runner: { kind: "queue", redis: redis.url, queue: "a:b" } })).rejects.toThrow(
      /^--queue: expected a queue name, not empty and without ':'; found "a:b"$/,
    );
    const w = worker("x:y");
    const { code, stderr } = await w.exited;
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`losscape worker: --queue: expected a queue name, not empty and without ':'; found "x:y"`);
  });

  it("a worker's --backend is the backend its threads compute with", async () => {
    const core = pathToFileURL(resolve(import.meta.dirname, "../../core/dist/index.js")).href;
    const mod = join(dir, "backend-task.mjs");
    writeFileSync(mod, `import { getBackend } from ${JSON.stringify(core)};\nexport default (p) => ({ i: p.i, backend: getBackend() });\n`);
    const w = worker("qg", ["--backend", "ts"]);
    await w.serving;
    const spec = parseSpec({ format: "losscape.experiment/1", task: { module: mod }, grid: { i: [0, 1] } });
    const r = await runExperiment(spec, { out: join(dir, "g.jsonl"), runner: { kind: "queue", redis: redis.url, queue: "qg" } });
    expect(r.rows.map((x) => x.result)).toEqual([{ i: 0, backend: "ts" }, { i: 1, backend: "ts" }]);
    w.child.kill("SIGTERM");
    expect((await w.exited).code).toBe(0);
  });

  it("Redis gone for good: a worker stops with one clear line", async () => {
    const w = worker("qe", ["--redis-timeout", "1.5"]);
    await w.serving;
    await redis.stop();
    const { code, stderr } = await w.exited;
    await redis.start();
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(2); // "serving queue …", then the reason it stopped: no noise while reconnecting
    expect(lines[1]).toMatch(/^losscape worker: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 2 s; stopping$/);
  });
});
