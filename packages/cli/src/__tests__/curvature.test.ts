import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eigvalsh, init } from "@losscape/core";
import { hessian, serializeModel } from "@losscape/mlp";
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

  it("a net of M < 5 parameters: by default all M top eigenpairs (the exact spectrum), not a refusal of a --top never given", async () => {
    const dir = tempDir();
    const model = join(dir, "m4.json");
    // 1-1-1 tanh with biases: M = 4
    const spec = { widths: [1, 1, 1], activation: "tanh" as const, bias: true };
    const m4 = { ...spec, params: Float64Array.from([0.7, -0.2, 1.3, 0.1]) };
    writeFileSync(model, JSON.stringify(serializeModel(m4)));
    const r = await record(["curvature", "--model", model, "--data", fx("sin20.json")]);
    const exact = eigvalsh(hessian(m4, fixtureData("sin20.json")));
    expect(r.paramCount).toBe(4);
    // the exact path (M ≤ --exact-limit): eigh of the same Hessian, so the same values up to the order of the sums
    expect(r.top.values).toHaveLength(4);
    const descending = Array.from(exact).reverse();
    r.top.values.forEach((v, i) => expect(Math.abs(v - descending[i])).toBeLessThanOrEqual(1e-12 * Math.abs(descending[0])));
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
  it("sizes before the work: a dense Hessian or a Lanczos basis beyond 2^28 values is exit 2 naming the flag, not an internal error", async () => {
    // M = 3·30000 + 1 = 90001 parameters: the dense Hessian has 8.1e9 entries; --top 2000 a basis of 4032 vectors
    // (3.6e8 values); --steps 3000 a basis of 3000 (2.7e8). Without the checks: exit 1, "Invalid typed array
    // length" or a WASM out-of-memory error after the data were uploaded, or a message naming the library's
    // argument ('exactLimit', 'k') instead of the flag.
    const dir = tempDir();
    const model = join(dir, "wide.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [1, 30000, 1], activation: "tanh", loss: "mse", params: Array.from({ length: 90001 }, (_, i) => Math.sin(i) / 100) }));
    const data = join(dir, "d.json");
    writeFileSync(data, JSON.stringify({ format: "losscape.data/1", x: [[-1], [0], [1]], y: [[0.5], [0], [-0.5]] }));
    for (const [extra, message] of [
      [["--exact-limit", "100000"], /^losscape curvature: --exact-limit 100000 asks for the eigendecomposition of the dense Hessian of M = 90001 parameters \(.*wide\.json\), whose WASM memory holds five M × M matrices, 301\.8 GiB; at most M = 10329 \(4 GiB\)/],
      [["--top", "2000"], /^losscape curvature: --top 2000 needs a Lanczos basis of 4032 vectors of M = 90001 parameters \(2\.7 GiB\); .*expected --top of at most 1475; found 2000/],
      [["--bottom", "2000"], /^losscape curvature: --bottom 2000 needs a Lanczos basis/],
      [["--density", "--steps", "3000"], /^losscape curvature: --steps 3000 needs a Lanczos basis of 3000 vectors of M = 90001 parameters per probe \(2\.0 GiB\); .*expected --steps of at most 2982; found 3000/],
    ] as const) {
      const r = await run(["curvature", "--model", model, "--data", data, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    // What fits runs: --top 1 on the same model, matrix-free.
    const ok = await run(["curvature", "--model", model, "--data", data, "--top", "1", "--quiet"]);
    expect(ok.code).toBe(0);
    // M = 12001: its Hessian has fewer than 2^28 entries, but its eigendecomposition's five M × M matrices exceed 4 GiB
    // of WASM memory (before, the flag was accepted and the library refused 'exactLimit' by its own name).
    const mid = join(dir, "mid.json");
    writeFileSync(mid, JSON.stringify({ format: "losscape.mlp/1", widths: [1, 4000, 1], activation: "tanh", loss: "mse", params: Array.from({ length: 12001 }, (_, i) => Math.sin(i) / 100) }));
    const r = await run(["curvature", "--model", mid, "--data", data, "--exact-limit", "20000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape curvature: --exact-limit 20000 asks for the eigendecomposition of the dense Hessian of M = 12001 parameters \(.*mid\.json\), whose WASM memory holds five M × M matrices, 5\.4 GiB; at most M = 10329 \(4 GiB\): use an --exact-limit below 12001/);
  });
});
