// Sweeps of @losscape/experiments (node only): the local worker pool's scaling, 1 against 2 threads on a 200-task
// sweep, and the BullMQ queue's overhead per task on a local redis-server with two `losscape worker` processes.
// Every sample is a whole `runExperiment` into a fresh results file: pool start, WASM load, tasks, rows written.
// The tasks are the test fixture toy-task.mjs: `busy` spins the CPU for `ms` (a CPU-bound task of known length).
// Node modules and the package are imported inside `setup`, so the page can load this file and skip the suite.

const TOY = "../../packages/experiments/test/fixtures/toy-task.mjs";
const BIN = "../../packages/cli/bin/losscape.js";

/** 200 busy tasks of `ms` each. */
const sweep = (toy, ms) => ({
  format: "losscape.experiment/1",
  name: "bench",
  task: { module: toy },
  params: { ms, busy: ms > 0 },
  grid: { i: Array.from({ length: 200 }, (_, i) => i) },
});

/** What setup needs from node: a temporary results file per sample, and the package. */
async function nodeContext() {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const exp = await import("@losscape/experiments");
  const dir = mkdtempSync(join(tmpdir(), "losscape-bench-exp-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  let k = 0;
  const out = () => join(dir, `r${k++}.jsonl`);
  const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
  return { exp, out, path };
}

export default {
  name: "experiments",
  title: "Experiment sweeps: local pool scaling and BullMQ queue overhead (200 tasks)",
  env: "node",
  main: "2 workers",
  peers: ["1 worker"],
  notes: [
    "Local pool: 200 CPU-bound tasks of 15 ms (toy-task.mjs, busy) on 1 and on 2 worker threads; each sample is a whole runExperiment (pool start, WASM load, rows written). Target: 2 workers ≥ 1.8× 1 worker. Needs 2 free cores: a loaded machine lowers it.",
    "Queue: 200 empty tasks through BullMQ on a local redis-server (started by the suite) and two `losscape worker --workers 1` processes; the median ÷ 200 is the overhead per task. Target: ≤ 1000 ms for 200 (5 ms per task).",
  ],
  cases: [
    {
      name: "pool 200×15ms",
      params: { tasks: 200, taskMs: 15 },
      warmup: 1,
      reps: 5,
      async setup() {
        const c = await nodeContext();
        return { ...c, spec: c.exp.parseSpec(sweep(c.path(TOY), 15)) };
      },
      impls: {
        "2 workers": { run: ({ exp, spec, out }) => exp.runExperiment(spec, { out: out(), runner: { kind: "local", workers: 2 } }) },
        "1 worker": { run: ({ exp, spec, out }) => exp.runExperiment(spec, { out: out(), runner: { kind: "local", workers: 1 } }) },
      },
      accuracy: (_ctx, output) => ({ done: output.progress.done }),
    },
    {
      name: "queue 200×0ms",
      params: { tasks: 200, taskMs: 0, workers: "2 processes × 1 thread" },
      warmup: 1,
      reps: 7,
      async setup() {
        const c = await nodeContext();
        const { spawn } = await import("node:child_process");
        const { startRedis } = await import("../../packages/experiments/test/redis-server.js");
        const redis = await startRedis();
        const workers = [0, 1].map(() =>
          spawn(process.execPath, [c.path(BIN), "worker", "--redis", redis.url, "--queue", "bench", "--workers", "1", "--quiet"], { stdio: "ignore" }),
        );
        // Unreferenced, so the run ends when the suites do; killed at exit.
        for (const w of workers) w.unref();
        process.once("exit", () => {
          for (const w of workers) w.kill("SIGKILL");
          redis.kill();
        });
        return { ...c, redis, spec: c.exp.parseSpec(sweep(c.path(TOY), 0)) };
      },
      impls: {
        "2 workers": { run: ({ exp, spec, out, redis }) => exp.runExperiment(spec, { out: out(), runner: { kind: "queue", redis: redis.url, queue: "bench" } }) },
        "1 worker": { skip: "the queue case times 2 worker processes only" },
      },
      accuracy: (_ctx, output) => ({ done: output.progress.done }),
    },
  ],
  targets: [
    { kind: "speedup", case: "pool 200×15ms", impl: "2 workers", peer: "1 worker", min: 1.8, env: "node" },
    { kind: "accuracy", case: "pool 200×15ms", impl: "2 workers", metric: "done", min: 200 },
    { kind: "time", case: "queue 200×0ms", impl: "2 workers", maxMs: 1000, env: "node" },
    { kind: "accuracy", case: "queue 200×0ms", impl: "2 workers", metric: "done", min: 200 },
  ],
};
