import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parquetReadObjects } from "hyparquet";
import { PKG, run, runJson, tempDir } from "./run.js";

// `losscape experiment run|status|aggregate|export` on the local pool (the queue runner and `losscape worker` are
// tested with a real redis-server in @losscape/experiments).
const TOY = resolve(PKG, "../experiments/test/fixtures/toy-task.mjs");
const tinyPb = {
  format: "losscape.experiment/1",
  name: "tiny",
  task: "critical-search",
  params: { widths: [3, 3, 3], bias: false, descent: { optimizer: "lbfgs", steps: [0, 8, 64] } },
  grid: { phi: [0.5, 0.75] },
  runs: 6,
  quick: { grid: { phi: [0.75] }, runs: 2 },
};

function specFile(dir: string, spec: object, name = "spec.json"): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(spec));
  return f;
}

describe("losscape experiment", () => {
  it("run: the sweep on the local pool, Figure 6 aggregate and figure; status; rerun resumes; aggregate alone", async () => {
    const dir = tempDir();
    const spec = specFile(dir, tinyPb);
    const out = join(dir, "r.jsonl");
    const { out: rec } = await runJson(["experiment", "run", spec, "--out", out, "--workers", "2"]);
    expect(rec).toMatchObject({ name: "tiny", task: "critical-search", runner: "local", workers: 2, total: 12, done: 12, computed: 12, stored: 0, failed: 0, aborted: false });
    const agg = rec.aggregate as { kind: string; paramCount: number; phis: { phi: number; runs: number }[]; figure: string };
    expect(agg.kind).toBe("figure6");
    expect(agg.paramCount).toBe(18);
    expect(agg.phis.map((p) => [p.phi, p.runs])).toEqual([[0.5, 6], [0.75, 6]]);
    expect(agg.figure).toBe(join(dir, "r.figure6.svg"));
    expect(readFileSync(agg.figure, "utf8")).toContain("<svg");
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(13);

    const { out: st } = await runJson(["experiment", "status", spec, "--out", out]);
    expect(st).toMatchObject({ total: 12, done: 12, failed: 0, pending: 0, extraRows: 0 });
    const { out: quick } = await runJson(["experiment", "status", spec, "--out", out, "--quick"]);
    expect(quick).toMatchObject({ total: 2, done: 2, pending: 0, extraRows: 10 });

    const again = await runJson(["experiment", "run", spec, "--out", out, "--workers", "1"]);
    expect(again.out).toMatchObject({ total: 12, done: 12, computed: 0, stored: 12 });
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(13);

    const fig = join(dir, "f.png");
    const { out: ag } = await runJson(["experiment", "aggregate", out, "--plot", fig]);
    expect((ag.aggregate as { phis: unknown[] }).phis).toEqual(agg.phis);
    expect(readFileSync(fig).subarray(1, 4).toString()).toBe("PNG");

    const human = await run(["experiment", "run", spec, "--out", out, "--quiet"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/tasks {3}12 of 12 done \(0 now, 12 read from/);
    expect(human.stdout).toContain("Wigner ε_c");
  });

  it("export: CSV and Parquet with a column per parameter and result field", async () => {
    const dir = tempDir();
    const spec = specFile(dir, { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, list: [{ i: 0 }, { i: 1, fail: true }, { i: 2 }] });
    const out = join(dir, "r.jsonl");
    const { out: rec } = await runJson(["experiment", "run", spec, "--out", out, "--workers", "2"]);
    expect(rec).toMatchObject({ total: 3, done: 3, failed: 1 });
    expect((rec.aggregate as { kind: string }).kind).toBe("groups");
    const { out: ex } = await runJson(["experiment", "export", out, "--csv", join(dir, "r.csv"), "--parquet", join(dir, "r.parquet")]);
    expect(ex).toMatchObject({ rows: 3 });
    const csv = readFileSync(join(dir, "r.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(4);
    expect(csv[0].split(",").slice(0, 3)).toEqual(["params.ms", "params.i", "params.fail"]);
    const buf = readFileSync(join(dir, "r.parquet"));
    const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer });
    expect(rows.map((r) => r.outcome).sort()).toEqual(["error", "ok", "ok"]);
  });

  it("bad input exits 2 with one line naming the field or flag", async () => {
    const dir = tempDir();
    const bad = async (spec: object | string, extra: string[] = []) => {
      const f = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(f, typeof spec === "string" ? spec : JSON.stringify(spec));
      const r = await run(["experiment", "run", f, "--out", join(dir, "o.jsonl"), ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      return r.stderr;
    };
    expect(await bad({ ...tinyPb, task: "nope" })).toMatch(/^losscape experiment run: .*: task: unknown task "nope"/);
    expect(await bad({ ...tinyPb, grid: { phi: [] } })).toMatch(/grid\.phi: is empty/);
    expect(await bad({ ...tinyPb, grid: { phi: 0.5 } })).toMatch(/grid\.phi: expected an array/);
    expect(await bad("{ nope")).toMatch(/spec: not valid JSON/);
    expect(await bad({ ...tinyPb, grid: { phi: [0.5, "x"] } })).toMatch(/params\.phi: expected a number > 0; found "x"/);
    expect(await bad(tinyPb, ["--redis", "redis://127.0.0.1:1"])).toMatch(/--redis: cannot reach redis:\/\/127\.0\.0\.1:1/);
    expect(await bad(tinyPb, ["--redis", "localhost:6379"])).toMatch(/--redis: expected a URL redis:\/\/host:port/);
    const ro = join(dir, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const r = await run(["experiment", "run", specFile(dir, tinyPb), "--out", join(ro, "o.jsonl")]);
    if (process.getuid?.() !== 0) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out/);
    }
    const missing = await run(["experiment", "run", join(dir, "none.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/none\.json: no such file/);
    const noFormat = await run(["experiment", "export", join(dir, "none.jsonl")]);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toMatch(/give --csv <F> and\/or --parquet <F>/);
    const typo = await run(["experiment", "run", specFile(dir, tinyPb), "--wokers", "2"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option '--wokers'/);
    expect(existsSync(join(dir, "o.jsonl"))).toBe(false);
  });
});
