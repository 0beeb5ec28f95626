import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eigvalsh, init } from "@losscape/core";
import { hessian } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureData, fixtureModel, fx, run, runJson, tempDir } from "./run.js";

// `losscape curvature` against the dense spectrum of `losscape hessian`'s model: the exact path (small M) and the
// matrix-free estimate (--exact-limit 0) on one and two threads.

beforeAll(async () => {
  await init();
});

/** The record of `losscape curvature --json` (docs/cli.md). */
interface Pairs {
  values: number[];
  residuals: number[];
  relativeResiduals: number[];
  converged: boolean;
}
interface CurvatureRecord {
  method: string;
  paramCount: number;
  threads: number;
  products: number;
  top: Pairs;
  bottom: Pairs;
  trace: { value: number; standardError: number; method: string };
  index: { fraction: number; count: number; interval: [number, number] };
  density: { grid: number[]; density: number[] };
}
const record = async (a: string[]) => (await runJson(a)).out as unknown as CurvatureRecord;

const args = ["--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json")];

describe("losscape curvature", () => {
  it("exact below --exact-limit, estimate above it: the same top and bottom eigenvalues, residuals, trace and index", async () => {
    const values = eigvalsh(hessian(fixtureModel("tanh131-saddle.json"), fixtureData("sin20.json")));
    const M = values.length;
    const norm = Math.max(...values.map(Math.abs));
    const exact = await record(["curvature", ...args, "--top", "2", "--bottom", "1", "--trace", "--density", "--bins", "50"]);
    expect(exact.method).toBe("exact");
    expect(exact.paramCount).toBe(M);
    expect(exact.top.values[0]).toBeCloseTo(values[M - 1], 12);
    expect(exact.bottom.values[0]).toBeCloseTo(values[0], 12);
    expect(exact.trace.method).toBe("exact");
    expect(Math.abs(exact.trace.value - values.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-12 * M * norm);
    expect(exact.index.count).toBe(values.filter((v) => v < -1e-9 * norm).length);
    expect(exact.density.grid).toHaveLength(50);
    for (const threads of ["1", "2"]) {
      const est = await record(["curvature", ...args, "--top", "2", "--bottom", "1", "--exact-limit", "0", "--threads", threads, "--seed", "3"]);
      expect(est.method).toBe("estimate");
      expect(est.threads).toBe(1); // one chunk (n = 20 < 2·500 rows): one thread whatever --threads
      expect(est.products).toBeGreaterThan(0);
      for (let i = 0; i < 2; i++) expect(Math.abs(est.top.values[i] - values[M - 1 - i])).toBeLessThanOrEqual(1e-10 * norm);
      expect(Math.abs(est.bottom.values[0] - values[0])).toBeLessThanOrEqual(1e-10 * norm);
      for (const r of est.top.relativeResiduals) expect(r).toBeLessThanOrEqual(1e-8);
    }
  });

  it("--plot and --npy write the figure and the arrays; the human output names the method", async () => {
    const dir = tempDir();
    const plot = join(dir, "esd.svg");
    const npy = join(dir, "arrays");
    const r = await run(["curvature", ...args, "--top", "3", "--plot", plot, "--npy", npy, "--exact-limit", "0", "--probes", "4", "--steps", "10"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/method\s+estimate \(matrix-free, \d+ Hessian-vector products on 1 thread\)/);
    expect(r.stdout).toMatch(/index\s+[\d.]+ of M, 95% interval/);
    expect(readFileSync(plot, "utf8")).toMatch(/<svg/);
    for (const f of ["top-values", "top-vectors", "density-grid", "density"]) expect(existsSync(join(npy, `${f}.npy`))).toBe(true);
  });

  it("bad input: exit 2 with one line naming the flag", async () => {
    for (const [extra, flag] of [
      [["--top", "0"], "--top"],
      [["--threads", "0"], "--threads"],
      [["--part", "half"], "--part"],
      [["--top", "1000"], "--top"],
    ] as const) {
      const r = await run(["curvature", ...args, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(flag);
    }
    const help = await run(["curvature", "--help"]);
    expect(help.stdout).toMatch(/--threads <N>/);
    expect(help.stdout).toContain("docs/cli.md");
  });
});
