import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis } from "../test/redis-server.js";
import { readResults } from "./results.js";
import { RedisLostError } from "./queue.js";
import { runExperiment } from "./run.js";
import { parseSpec } from "./spec.js";

// The queue runner when Redis goes away for good while the run waits for its tasks: the run must stop with
// RedisLostError after redisTimeoutMs, not wait forever on BullMQ's close (which needs Redis). Before, runExperiment
// never settled; `losscape experiment run --redis` then exited with node's status 13 and no message.
const TOY = resolve(import.meta.dirname, "../test/fixtures/toy-task.mjs");
const dir = mkdtempSync(join(tmpdir(), "losscape-queue-gone-"));
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("queue runner, Redis gone for good", () => {
  it("the run rejects with RedisLostError soon after redisTimeoutMs; the results file stays resumable", async () => {
    const spec = parseSpec({ format: "losscape.experiment/1", name: "gone", task: { module: TOY }, params: { ms: 10 }, grid: { i: [0, 1, 2, 3] } });
    const out = join(dir, "gone.jsonl");
    const t0 = Date.now();
    const run = runExperiment(spec, { out, runner: { kind: "queue", redis: redis.url, queue: "gone", redisTimeoutMs: 1000, noWorkerNoteMs: 60_000 } });
    // No worker: the run waits for its tasks; then Redis goes away and does not come back.
    setTimeout(() => void redis.stop(), 800);
    const settled = await Promise.race([run.then(() => "resolved", (e: unknown) => e), new Promise((r) => setTimeout(() => r("still waiting"), 12_000))]);
    expect(settled).toBeInstanceOf(RedisLostError);
    expect((settled as Error).message).toMatch(/^lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 1 s; stopping$/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readResults(out).rows).toEqual([]);
  }, 30_000);
});
