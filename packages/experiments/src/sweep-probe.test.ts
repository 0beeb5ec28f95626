import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { IndexEnergyRun } from "@losscape/spectra";
import { figure6Aggregate } from "./aggregate.js";
import { executeTask, jsonSafe, readResults, type ResultRow } from "./results.js";
import { runExperiment } from "./run.js";
import { canonicalJson, parseSpec } from "./spec.js";

// What a researcher running sweeps of hundreds of tasks met: two runs started on one new results file, a file that
// holds two versions of a spec, a task that returns a Date.
const TOY = resolve(import.meta.dirname, "../test/fixtures/toy-task.mjs");
const dir = mkdtempSync(join(tmpdir(), "losscape-sweep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("results files written by two runs at once", () => {
  it("two runs started together on a new file: both headers land in it; the file stays readable and resumable, every task once", async () => {
    const spec = parseSpec({ format: "losscape.experiment/1", name: "twice", task: { module: TOY }, params: { ms: 5 }, grid: { i: Array.from({ length: 12 }, (_, i) => i) } });
    const out = join(dir, "twice.jsonl");
    const [a, b] = await Promise.all([
      runExperiment(spec, { out, runner: { kind: "local", workers: 1 } }),
      runExperiment(spec, { out, runner: { kind: "local", workers: 1 } }),
    ]);
    expect(a.progress.done).toBe(12);
    expect(b.progress.done).toBe(12);
    const headers = readFileSync(out, "utf8").trim().split("\n").filter((l) => l.startsWith('{"format"'));
    expect(headers.length).toBe(2); // each run wrote its header: what made the file unreadable before
    // Before: FormatError "line k: expected a result row {key, params, outcome, …}; found {"format": …" on every read.
    const stored = readResults(out);
    expect(stored.rows).toHaveLength(12);
    expect(new Set(stored.rows.map((r) => r.params.i)).size).toBe(12);
    expect(stored.warnings.some((w) => /the experiment's header again \(two runs wrote this file at once\); ignored$/.test(w))).toBe(true);
    const again = await runExperiment(spec, { out, runner: { kind: "local", workers: 1 } });
    expect(again.progress).toMatchObject({ total: 12, done: 12, computed: 0 });
  });

  it("the header of another experiment inside a file is a FormatError naming the line", () => {
    const out = join(dir, "mixed.jsonl");
    const h = (id: string) => JSON.stringify({ format: "losscape.experiment-results/1", name: "x", id, task: "slice", seed: 0, version: "0" });
    writeFileSync(out, `${h("aaaaaaaaaaaaaaaa")}\n${h("bbbbbbbbbbbbbbbb")}\n`);
    expect(() => readResults(out)).toThrow(/mixed\.jsonl line 2: the header of another experiment \(id bbbbbbbbbbbbbbbb; line 1: aaaaaaaaaaaaaaaa\)/);
  });
});

/** A critical-search row of (φ, run) with a given descent, as the task returns it. */
function pbRow(phi: number, run: number, steps: number[], eps: number, alpha: number): ResultRow {
  const params = { widths: [3, 3, 3], bias: false, descent: { optimizer: "lbfgs", steps }, phi, run };
  const result: Omit<IndexEnergyRun, "seconds"> = {
    phi, run, seed: run, descentSteps: steps[0], eps, alpha, gradNorm: 1e-13, outcome: "critical", kind: "saddle",
    inertia: { negative: 1, zero: 0, positive: 17 }, inertiaStable: true, flatness: 0.5, normGrowth: 1, iterations: 3,
  };
  return { key: canonicalJson(params), params, seed: 0, outcome: "ok", result, error: null, started: "", seconds: 0.1, host: "h", worker: "w", version: "0" };
}

describe("figure6Aggregate of a file that holds two versions of a spec", () => {
  it("rows of two descents (the spec changed between runs) are not one Figure 6 with every run twice: null, as for two nets", () => {
    const rows = [0, 1, 2, 3].flatMap((r) => [pbRow(0.5, r, [0, 8], 0.2 + 0.01 * r, 0.05), pbRow(0.5, r, [0, 16], 0.1 + 0.01 * r, 0.02)]);
    // Before: one φ with 8 "runs", run 0 … 3 each twice, fitted as one sample.
    expect(figure6Aggregate(rows, { bootstrap: { seed: 0 } })).toBeNull();
    const one = figure6Aggregate(rows.filter((_, i) => i % 2 === 0), { bootstrap: { seed: 0 } });
    expect(one?.phis.map((p) => p.runs.length)).toEqual([4]);
    // φ differs between rows of one Figure 6, and `activation`/`bias` given or left at their defaults are one net.
    const withDefaults = rows.filter((_, i) => i % 2 === 0).map((r, i) => (i % 2 === 0 ? { ...r, params: { ...r.params, activation: "tanh" } } : r));
    expect(figure6Aggregate([...withDefaults, pbRow(0.75, 0, [0, 8], 0.3, 0.1)], { bootstrap: { seed: 0 } })?.phis.map((p) => p.phi)).toEqual([0.5, 0.75]);
  });
});

describe("jsonSafe of what a user task returns", () => {
  it("a Date is its ISO text (as JSON.stringify writes it), not an empty object", async () => {
    expect(jsonSafe({ when: new Date(0), n: [1, NaN] })).toEqual({ when: "1970-01-01T00:00:00.000Z", n: [1, null] });
    const row = await executeTask({ run: () => ({ at: new Date(86_400_000) }) }, { key: "{}", params: {} }, 0, "w");
    expect(row.result).toEqual({ at: "1970-01-02T00:00:00.000Z" });
  });
});

describe("executeTask of a result too large for one JSON line", () => {
  it("is the task's error row, not an internal error of the whole sweep when the row is written", async () => {
    const half = "x".repeat(2 ** 28);
    // Two halves of 2^28 characters: 2^29 in one line, past V8's longest string (2^29 − 24). Before, the row was "ok",
    // and writing it stopped `losscape experiment run` with "internal error: Invalid string length", on every resume.
    const row = await executeTask({ run: () => ({ a: half, b: half }) }, { key: '{"i":1}', params: { i: 1 } }, 0, "w");
    expect(row.outcome).toBe("error");
    expect(row.result).toBeNull();
    expect(row.error).toBe("executeTask: the task's result cannot be written as one JSON line of the results file (RangeError: Invalid string length)");
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  }, 30_000);
});
