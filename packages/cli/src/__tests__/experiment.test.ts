import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { parquetReadObjects } from "hyparquet";
import { startRedis } from "../../../experiments/test/redis-server.js";
import { PKG, run, runJson, specFile, tempDir } from "./run.js";

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

  it("Ctrl-C (SIGINT) and SIGTERM stop the sweep with status 130 and 143 and one line: the rows kept, resume by running again", async () => {
    const dir = tempDir();
    const spec = specFile(dir, { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 300 }, grid: { i: Array.from({ length: 12 }, (_, i) => i) } });
    const out = join(dir, "r.jsonl");
    const rowsIn = () => (existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").length - 1 : 0);
    /** Run the sweep and send `signal` once `rows` rows are in the results file. */
    const interrupt = (signal: NodeJS.Signals, rows: number, extra: string[] = []) =>
      run(["experiment", "run", spec, "--out", out, "--workers", "1", ...extra], {
        onChild: (child) => {
          const poll = setInterval(() => {
            if (rowsIn() >= rows) {
              clearInterval(poll);
              child.kill(signal);
            }
          }, 20);
          child.once("exit", () => clearInterval(poll));
        },
      });
    const first = await interrupt("SIGINT", 2);
    expect(first.code).toBe(130);
    const kept = rowsIn();
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(12);
    expect(first.stderr.trim().split("\n")).toHaveLength(1);
    expect(first.stderr.trim()).toBe(`losscape experiment run: interrupted by SIGINT: ${kept} of 12 tasks done, their rows in ${out}; ${12 - kept} not run; run the same command again to resume`);
    // What was done is still printed: the record says aborted (with --json, stdout is exactly that one object).
    const second = await interrupt("SIGTERM", kept + 2, ["--json"]);
    expect(second.code).toBe(143);
    expect(second.stderr.trim()).toMatch(/^losscape experiment run: interrupted by SIGTERM: \d+ of 12 tasks done, their rows in .*; \d+ not run; run the same command again to resume$/);
    const rec = JSON.parse(second.stdout) as { aborted: boolean; done: number; stored: number; warnings: string[] };
    expect(rec).toMatchObject({ aborted: true, stored: kept, done: rowsIn() });
    expect(rec.warnings).toEqual([]);
    const rest = await runJson(["experiment", "run", spec, "--out", out, "--workers", "2"]);
    expect(rest.out).toMatchObject({ total: 12, done: 12, aborted: false, stored: rec.done, computed: 12 - rec.done });
    expect(rest.result.code).toBe(0);
  });

  it("--redis with no worker: after 10 s one note naming the queue, the Redis and how to start a worker; it keeps waiting until stopped", async () => {
    const redis = await startRedis();
    try {
      const dir = tempDir();
      const spec = specFile(dir, { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0, 1, 2] } });
      const out = join(dir, "r.jsonl");
      let noteAt = 0;
      const t0 = Date.now();
      const r = await run(["experiment", "run", spec, "--out", out, "--redis", redis.url, "--queue", "nobody"], {
        onChild: (child) => {
          let err = "";
          child.stderr!.on("data", (d) => {
            err += d;
            if (!noteAt && err.includes("note:")) {
              noteAt = Date.now();
              // Still waiting 1.5 s after the note (not an error): then Ctrl-C.
              setTimeout(() => child.kill("SIGINT"), 1500);
            }
          });
        },
      });
      expect(noteAt - t0).toBeGreaterThanOrEqual(10_000);
      expect(r.code).toBe(130);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`losscape experiment run: note: no worker has taken any of the 3 tasks from queue "nobody" at ${redis.url} in 10 s (no worker is connected); still waiting. Start one: losscape worker --redis ${redis.url} --queue nobody`);
      expect(lines[1]).toBe(`losscape experiment run: interrupted by SIGINT: 0 of 3 tasks done, their rows in ${out}; 3 not run; run the same command again to resume`);
      // --quiet: no note (as no warnings).
      const q = await run(["experiment", "run", spec, "--out", out, "--redis", redis.url, "--queue", "nobody", "--quiet"], { onChild: (child) => setTimeout(() => child.kill("SIGINT"), 12_000) });
      expect(q.code).toBe(130);
      expect(q.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^losscape experiment run: interrupted by SIGINT: 0 of 3 tasks done/)]);
    } finally {
      await redis.stop();
    }
  }, 60_000);

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

  it("aggregate: the fit on the end points with ‖∇R‖ ≤ τ, apart from the fit on the critical points; --end-point-gtol", async () => {
    // A results file of critical-search rows: per φ, 6 non-critical end points on α = (2(ε − 0.1))^{3/2} with
    // ‖∇R‖ = 1e-4, 3 critical saddles (α = 0.2, not in the window) and 2 steep runs (‖∇R‖ = 0.1) off the law.
    const dir = tempDir();
    const file = join(dir, "r.jsonl");
    const lines = [JSON.stringify({ format: "losscape.experiment-results/1", name: "synthetic", id: "0", task: "critical-search", seed: 0, version: "0" })];
    const row = (phi: number, runNo: number, eps: number, alpha: number, outcome: string, gradNorm: number) => {
      const params = { widths: [3, 3, 3], bias: false, phi, run: runNo };
      const result = { phi, run: runNo, seed: runNo, descentSteps: 0, eps, alpha, gradNorm, outcome, kind: outcome === "critical" ? "saddle" : null, inertia: { negative: 0, zero: 0, positive: 18 }, inertiaStable: true, flatness: 0.5, normGrowth: 1, iterations: 1 };
      lines.push(JSON.stringify({ key: JSON.stringify(params), params, seed: 0, outcome: "ok", result, error: null, started: "2026-01-01T00:00:00Z", seconds: 0.1, host: "h", worker: "w", version: "0" }));
    };
    for (const phi of [0.5, 0.75]) {
      let r = 0;
      for (let i = 1; i <= 6; i++) row(phi, r++, 0.1 + 0.005 * i, Math.pow(2 * 0.005 * i, 1.5), "gradient-flat", 1e-4);
      for (const eps of [0.3, 0.32, 0.34]) row(phi, r++, eps, 0.2, "critical", 1e-13);
      for (const eps of [0.4, 0.45]) row(phi, r++, eps, 0.01, "escaping", 0.1);
    }
    writeFileSync(file, lines.join("\n") + "\n");
    type EndPoints = { phi: number; gradTol: number; points: number; indexZero: number; fit: { epsC: number; used: number; epsCInterval: [number, number] } | null };
    type Agg = { endPointGtol: number; phis: { phi: number; fit: { used: number } | null; endPoints: EndPoints | null }[] };
    const { out: rec } = await runJson(["experiment", "aggregate", file]);
    const agg = rec.aggregate as Agg;
    expect(agg.endPointGtol).toBe(1e-3);
    for (const p of agg.phis) {
      expect(p.fit).toBeNull(); // no critical point in the window 0 < α ≤ 0.1
      expect(p.endPoints).toMatchObject({ phi: p.phi, gradTol: 1e-3, points: 6, indexZero: 0, fit: { used: 6 } });
      expect(p.endPoints!.fit!.epsC).toBeCloseTo(0.1, 12);
      expect(p.endPoints!.fit!.epsCInterval[0]).toBeLessThanOrEqual(p.endPoints!.fit!.epsCInterval[1]);
    }
    // A looser τ takes the steep runs in too (they are off the law: another ε_c).
    const loose = (await runJson(["experiment", "aggregate", file, "--end-point-gtol", "0.5"])).out.aggregate as Agg;
    expect(loose.phis[0].endPoints).toMatchObject({ gradTol: 0.5, points: 8, fit: { used: 8 } });
    expect(Math.abs(loose.phis[0].endPoints!.fit!.epsC - 0.1)).toBeGreaterThan(1e-3);
    for (const off of ["0", "off"]) {
      const o = (await runJson(["experiment", "aggregate", file, "--end-point-gtol", off])).out.aggregate as Agg;
      expect(o.endPointGtol).toBe(0);
      for (const p of o.phis) expect(p.endPoints).toBeNull();
    }
    // The printed report: the critical table first, the end points under their own heading, never called critical.
    const human = await run(["experiment", "aggregate", file, "--quiet"]);
    expect(human.code).toBe(0);
    const at = human.stdout.indexOf("end points with ‖∇R‖ ≤ 0.001 (not certified critical");
    expect(at).toBeGreaterThan(human.stdout.indexOf("on the critical runs with 0 < α ≤ 0.1"));
    expect(human.stdout.slice(at)).toContain("ε_c end-point fit");
    expect(human.stdout.slice(at)).not.toMatch(/critical runs|critical points/);
    const offText = await run(["experiment", "aggregate", file, "--end-point-gtol", "off", "--quiet"]);
    expect(offText.stdout).not.toContain("end points");
    // The figure: end points hollow and their fit dashed, legended as not critical.
    const svg = join(dir, "f.svg");
    await runJson(["experiment", "aggregate", file, "--plot", svg]);
    const text = readFileSync(svg, "utf8");
    expect(text).toContain("end points, ‖∇R‖ ≤ 0.001, NOT critical");
    expect(text).toContain("ε_c fit on end points, ‖∇R‖ ≤ 0.001 (not critical)");
    expect(text).toContain('stroke-dasharray="7,4"');
    // Bad τ: exit 2, one line naming the flag.
    for (const bad of ["-1", "x", ""]) {
      const b = await run(["experiment", "aggregate", file, "--end-point-gtol", bad]);
      expect(b.code).toBe(2);
      expect(b.stderr.trim().split("\n")).toHaveLength(1);
      expect(b.stderr).toMatch(/^losscape experiment aggregate: .*--end-point-gtol/);
    }
  });

  it("--backend is the backend the pool's threads compute with; with --redis it is refused (the workers compute)", async () => {
    const dir = tempDir();
    const core = pathToFileURL(resolve(PKG, "../core/dist/index.js")).href;
    const mod = join(dir, "backend-task.mjs");
    writeFileSync(mod, `import { getBackend } from ${JSON.stringify(core)};\nexport default (p) => ({ i: p.i, backend: getBackend() });\n`);
    const spec = specFile(dir, { format: "losscape.experiment/1", task: { module: mod }, grid: { i: [0, 1] } });
    for (const backend of ["ts", "scalar"]) {
      const out = join(dir, `${backend}.jsonl`);
      await runJson(["experiment", "run", spec, "--out", out, "--workers", "1", "--backend", backend]);
      expect(readFileSync(out, "utf8").trim().split("\n").slice(1).map((l) => JSON.parse(l).result.backend)).toEqual([backend, backend]);
    }
    const r = await run(["experiment", "run", spec, "--out", join(dir, "q.jsonl"), "--backend", "ts", "--redis", "redis://127.0.0.1:1"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("losscape experiment run: --backend is for the local pool; with --redis the tasks run on `losscape worker` processes (give --backend to them)");
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
    // refine options and step counts: one error naming the spec file and the parameter, before any task (before, an
    // error row per task, or a task that never finished).
    expect(await bad({ ...tinyPb, params: { ...tinyPb.params, refine: { method: "nope" } } })).toMatch(/^losscape experiment run: .*\.json: params\.refine\.method: expected "newton" or "gradnorm"; found "nope" \(task /);
    expect(await bad({ ...tinyPb, params: { ...tinyPb.params, descent: { optimizer: "lbfgs", steps: [0, 1e12] } } })).toMatch(/^losscape experiment run: .*\.json: params\.descent\.steps\[1\]: expected an integer 0 … 16777216 \(2\^24: .*\); found 1000000000000 \(task /);
    expect(await bad(tinyPb, ["--redis", "redis://127.0.0.1:1"])).toMatch(/--redis: cannot reach redis:\/\/127\.0\.0\.1:1/);
    expect(await bad(tinyPb, ["--redis", "localhost:6379"])).toMatch(/--redis: expected a URL redis:\/\/host:port/);
    // URLs ioredis cannot read were an internal error (exit 1: "Invalid URL") or an unhandled rejection
    expect(await bad(tinyPb, ["--redis", "redis://127.0.0.1:99999"])).toMatch(/: --redis: expected a URL redis:\/\/host:port\[\/db\] \(not a valid URL; a port is at most 65535\); found redis:\/\/127\.0\.0\.1:99999$/m);
    expect(await bad(tinyPb, ["--redis", "redis://127.0.0.1:6379/x"])).toMatch(/: --redis: expected a URL redis:\/\/host:port\[\/db\] \(the path is a database number\); found redis:\/\/127\.0\.0\.1:6379\/x$/m);
    expect(await bad(tinyPb, ["--redis", "redis://127.0.0.1:1", "--queue", "a:b"])).toMatch(/: --queue: expected a queue name, not empty and without ':'; found "a:b"$/m);
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
    // --plot draws Figure 6: refused for a sweep of another task (it would write nothing), before any task runs.
    const toy = specFile(dir, { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, list: [{ i: 0 }] }, "toy.json");
    const toyPlot = await run(["experiment", "run", toy, "--out", join(dir, "toy.jsonl"), "--plot", join(dir, "toy.svg")]);
    expect(toyPlot.code).toBe(2);
    expect(toyPlot.stderr.trim()).toMatch(/^losscape experiment run: --plot .*toy\.svg: draws Figure 6 of a critical-search sweep; found task \{"module":.*toy-task\.mjs"\}, which has no figure$/);
    expect(existsSync(join(dir, "toy.jsonl"))).toBe(false);
    expect((await run(["experiment", "run", toy, "--out", join(dir, "toy.jsonl"), "--quiet"])).code).toBe(0);
    const aggPlot = await run(["experiment", "aggregate", join(dir, "toy.jsonl"), "--plot", join(dir, "toy.svg")]);
    expect(aggPlot.code).toBe(2);
    expect(aggPlot.stderr).toMatch(/^losscape experiment aggregate: --plot .*: draws Figure 6 of a critical-search sweep/);
    expect(existsSync(join(dir, "toy.svg"))).toBe(false);
    const noFormat = await run(["experiment", "export", join(dir, "none.jsonl")]);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toMatch(/give --csv <F> and\/or --parquet <F>/);
    const typo = await run(["experiment", "run", specFile(dir, tinyPb), "--wokers", "2"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option '--wokers'/);
    expect(existsSync(join(dir, "o.jsonl"))).toBe(false);
  });
});
