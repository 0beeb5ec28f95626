import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, conform, fx, INDEX_ENERGY_RUN, PKG, run, runJson, SHAPES, tempDir } from "./run.js";

// `losscape index-energy` on a tiny net (3-3-3 tanh without biases, M = 18): runs of ~0.05 s, so every test stays
// within a few seconds. The runs' numbers themselves are @losscape/spectra's (tested there); here: the file, the
// resume, the settings check, the figure and the record.

const TINY = ["index-energy", "--widths", "3,3,3", "--no-bias", "--phi", "0.5,0.75", "--steps", "0,8", "--max-iter", "30", "--quiet"];
const lines = (path: string) => readFileSync(path, "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
const withoutTime = (r: Record<string, unknown>) => ({ ...r, seconds: 0 });

describe("losscape index-energy", () => {
  it("streams every run to --out as one JSON line after a header, and prints the record", async () => {
    const dir = tempDir();
    const out = join(dir, "runs.jsonl");
    const { out: rec } = await runJson([...TINY, "--runs", "3", "--out", out]);
    expect(conform(rec, SHAPES["index-energy"])).toEqual([]);
    const file = lines(out);
    expect(file).toHaveLength(1 + 6);
    expect(file[0]).toMatchObject({ format: "losscape.index-energy/1", settings: { widths: [3, 3, 3], bias: false, data: "gaussian", optimizer: "lbfgs", steps: [0, 8], method: "newton", maxIter: 30, seed: 0 } });
    for (const l of file.slice(1)) expect(conform(l, INDEX_ENERGY_RUN)).toEqual([]);
    expect(file.slice(1).map((l) => [l.phi, l.run])).toEqual([[0.5, 0], [0.5, 1], [0.5, 2], [0.75, 0], [0.75, 1], [0.75, 2]]);
    expect(rec.runs).toEqual(file.slice(1));
    expect(rec.runsComputed).toBe(6);
    expect(rec.runsStored).toBe(0);
    const phis = rec.phis as { phi: number; samples: number; runs: number; outcomes: Record<string, number>; empiricalEpsC: number }[];
    expect(phis.map((p) => [p.phi, p.samples, p.runs])).toEqual([[0.5, 12, 3], [0.75, 8, 3]]);
    for (const p of phis) expect(Object.values(p.outcomes).reduce((a, b) => a + b)).toBeCloseTo(1, 14);
    expect(phis[0].empiricalEpsC).toBe(0.125);
    // The end-point fit, apart from the critical one: at the default τ = 1e-3, counted among the non-critical runs.
    expect(rec.endPointGtol).toBe(1e-3);
    const runs = rec.runs as { phi: number; outcome: string; gradNorm: number }[];
    for (const p of rec.phis as { phi: number; endPoints: { phi: number; gradTol: number; points: number } }[]) {
      const kept = runs.filter((r) => r.phi === p.phi && r.outcome !== "critical" && r.gradNorm <= 1e-3).length;
      expect(p.endPoints).toMatchObject({ phi: p.phi, gradTol: 1e-3, points: kept });
    }
    const { out: off } = await runJson([...TINY, "--runs", "3", "--out", out, "--end-point-gtol", "off"]);
    expect(off.endPointGtol).toBe(0);
    for (const p of off.phis as { endPoints: unknown }[]) expect(p.endPoints).toBeNull();
  });

  it("resumes: a truncated last line is dropped and recomputed, --runs can grow, the result equals one uninterrupted run", async () => {
    const dir = tempDir();
    const ref = join(dir, "ref.jsonl");
    await runJson([...TINY, "--runs", "3", "--out", ref]);
    const out = join(dir, "runs.jsonl");
    await runJson([...TINY, "--runs", "2", "--out", out]);
    const text = readFileSync(out, "utf8");
    writeFileSync(out, text.slice(0, text.length - 40)); // the last run's line cut short
    const { out: rec } = await runJson([...TINY, "--runs", "3", "--out", out]);
    expect(rec.runsComputed).toBe(3); // the cut run of φ = 0.75 and run 2 of both φ
    expect(rec.runsStored).toBe(3);
    expect((rec.warnings as string[]).some((w) => /line 5 was incomplete .* computed again/.test(w))).toBe(true);
    const key = (l: Record<string, unknown>) => `${l.phi}:${l.run}`;
    const sorted = (ls: Record<string, unknown>[]) => [...ls].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(withoutTime);
    expect(lines(out)[0]).toEqual(lines(ref)[0]);
    expect(sorted(lines(out).slice(1))).toEqual(sorted(lines(ref).slice(1)));
    // Everything done: nothing computed; the fit window may change without recomputing.
    const again = await runJson([...TINY, "--runs", "3", "--out", out, "--max-index", "0.3"]);
    expect(again.out.runsComputed).toBe(0);
    expect(again.out.runsStored).toBe(6);
  });

  it("the lines are on disk while the command runs: killed mid-way, it resumes to the same runs", async () => {
    const dir = tempDir();
    const out = join(dir, "runs.jsonl");
    const args = [...TINY, "--runs", "20", "--out", out];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PKG, stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    // Wait for the header and 3 runs, then kill the process (no chance to flush anything more).
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !(existsSync(out) && readFileSync(out, "utf8").split("\n").length > 4)) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await exited;
    const partial = lines(out).length;
    expect(partial).toBeGreaterThan(3);
    expect(partial).toBeLessThan(41); // killed before the end
    const size = statSync(out).size;
    const { out: rec } = await runJson(args);
    expect(statSync(out).size).toBeGreaterThan(size);
    expect((rec.runsStored as number) + (rec.runsComputed as number)).toBe(40);
    const file = lines(out).slice(1);
    expect(new Set(file.map((l) => `${l.phi}:${l.run}`)).size).toBe(40);
    const ref = join(dir, "ref.jsonl");
    await runJson([...TINY, "--runs", "20", "--out", ref]);
    const key = (l: Record<string, unknown>) => `${l.phi}:${String(l.run).padStart(3)}`;
    const sorted = (ls: Record<string, unknown>[]) => [...ls].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(withoutTime);
    expect(sorted(file)).toEqual(sorted(lines(ref).slice(1)));
  });

  it("refuses other settings, a foreign file and bad lines with exit 2, naming the file and the line", async () => {
    const dir = tempDir();
    const out = join(dir, "runs.jsonl");
    await runJson([...TINY, "--runs", "1", "--out", out]);
    const before = readFileSync(out, "utf8");
    const other = await run([...TINY, "--runs", "1", "--out", out, "--seed", "3", "--optimizer", "adam"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^losscape index-energy: .*runs\.jsonl holds runs of other settings \(--optimizer lbfgs there, adam here; --seed 0 there, 3 here\)/);
    expect(other.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(out, "utf8")).toBe(before); // untouched
    const lns = before.split("\n");
    writeFileSync(out, [lns[0], lns[1], "{not json", lns[2], ""].join("\n"));
    const bad = await run([...TINY, "--runs", "1", "--out", out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/runs\.jsonl line 3: not valid JSON/);
    writeFileSync(out, [lns[0], JSON.stringify({ ...JSON.parse(lns[1]), alpha: 3 }), ""].join("\n"));
    const field = await run([...TINY, "--runs", "1", "--out", out]);
    expect(field.code).toBe(2);
    expect(field.stderr).toMatch(/runs\.jsonl line 2: field 'alpha' must be a number in \[0, 1\]; found 3/);
    const foreign = join(dir, "model.json");
    writeFileSync(foreign, '{"format": "losscape.mlp/1"}\n');
    const f = await run([...TINY, "--runs", "1", "--out", foreign]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/model\.json line 1: expected the header .*losscape\.index-energy\/1/);
  });

  it("fits the critical runs of a stored file and draws Figure 6 (a and b) as SVG and PNG", async () => {
    // A file whose runs are all stored (nothing is computed): critical points on α = α₀((ε − ε_c)/ε_c)^{3/2} with
    // ε_c = ½(1 − φ)² and α = k/M, M = 128 (8-8-8 without biases).
    const dir = tempDir();
    const out = join(dir, "runs.jsonl");
    const settings = { widths: [8, 8, 8], activation: "tanh", bias: false, data: "gaussian", optimizer: "lbfgs", steps: [0, 4, 16, 64, 256, 1024], method: "newton", maxIter: null, seed: 0 };
    const rows = [JSON.stringify({ format: "losscape.index-energy/1", settings, version: "0" })];
    for (const phi of [0.5, 0.75]) {
      const epsC = 0.5 * (1 - phi) ** 2;
      for (let r = 0; r < 8; r++) {
        const eps = epsC * (1 + 0.05 * (r + 1));
        const k = Math.round(128 * 0.3 * (0.05 * (r + 1)) ** 1.5);
        const alpha = k / 128;
        rows.push(JSON.stringify({ phi, run: r, seed: 1, descentSteps: 0, eps, alpha, gradNorm: 1e-13, outcome: r === 7 ? "stalled" : "critical", kind: r === 7 ? null : "saddle", inertia: { negative: k, zero: 0, positive: 128 - k }, inertiaStable: true, flatness: 0.5, normGrowth: 1, iterations: 5, seconds: 0.01 }));
      }
    }
    writeFileSync(out, rows.join("\n") + "\n");
    const args = ["index-energy", "--widths", "8,8,8", "--no-bias", "--phi", "0.5,0.75", "--runs", "8", "--out", out, "--quiet"];
    const { out: rec } = await runJson([...args, "--plot", join(dir, "fig6.svg")]);
    expect(rec.runsComputed).toBe(0);
    const phis = rec.phis as { phi: number; outcomes: { critical: number }; fit: { epsC: number; epsCInterval: [number, number]; used: number } }[];
    for (const p of phis) {
      expect(p.outcomes.critical).toBe(7 / 8);
      expect(p.fit.used).toBeGreaterThanOrEqual(3);
      // α = k/M rounds the law: ε_c within 10 % (of the run spacing) of the truth, and inside its interval's reach.
      const epsC = 0.5 * (1 - p.phi) ** 2;
      expect(Math.abs(p.fit.epsC - epsC)).toBeLessThan(0.1 * epsC);
      expect(p.fit.epsCInterval[0]).toBeLessThanOrEqual(p.fit.epsC);
      expect(p.fit.epsCInterval[1]).toBeGreaterThanOrEqual(p.fit.epsC);
    }
    const svg = readFileSync(join(dir, "fig6.svg"), "utf8");
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain("(a) index against energy");
    expect(svg).toContain("(b) fitted ε_c against φ");
    expect(svg).toContain("½(1 − φ)²");
    expect(svg).toContain("not critical (not fitted)");
    // The human table: one row per φ with the references.
    const human = await run([...args, "--plot", join(dir, "fig6.png")]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\s*0\.5\s+32\s+8\s+88%\s+0%\s+0%\s+13%.*0\.125\s+0\.01127\s*$/m);
    expect(readFileSync(join(dir, "fig6.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("--data fixes m and so φ; a --phi that does not match it is bad input", async () => {
    // sin20: 20 samples, 1 → 1; the 1-3-1 net with biases has M = 10, so φ = 10/20.
    const { out: rec } = await runJson(["index-energy", "--widths", "1,3,1", "--data", fx("sin20.json"), "--runs", "2", "--steps", "0", "--quiet"]);
    expect((rec.phis as { phi: number; samples: number }[]).map((p) => [p.phi, p.samples])).toEqual([[0.5, 20]]);
    expect((rec.settings as { data: { sha256: string } }).data.sha256).toMatch(/^[0-9a-f]{64}$/);
    const bad = await run(["index-energy", "--widths", "1,3,1", "--data", fx("sin20.json"), "--phi", "0.3", "--runs", "1", "--quiet"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'phi\[0\]' = 0.3 does not match the data set: m = 20 samples give φ = M\/\(m·d_out\) = 0.5/);
  });

  it("checks --out and --plot before the work; --phi is required without --data; --help", async () => {
    const dir = tempDir();
    const noDir = await run([...TINY, "--out", join(dir, "missing", "runs.jsonl")]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/directory .* does not exist \(--out\)/);
    const badPlot = await run([...TINY, "--plot", join(dir, "f.pdf")]);
    expect(badPlot.code).toBe(2);
    expect(badPlot.stderr).toMatch(/--plot must end in \.svg or \.png/);
    const window = await run([...TINY, "--max-index", "1"]);
    expect(window.code).toBe(2);
    expect(window.stderr).toMatch(/--max-index must be < 1 .*found 1/);
    for (const tau of ["-1", "x"]) {
      const badTau = await run([...TINY, "--end-point-gtol", tau]);
      expect(badTau.code).toBe(2);
      expect(badTau.stderr.trim().split("\n")).toHaveLength(1);
      expect(badTau.stderr).toMatch(/--end-point-gtol/);
    }
    const noPhi = await run(["index-energy", "--widths", "3,3,3"]);
    expect(noPhi.code).toBe(2);
    expect(noPhi.stderr).toMatch(/--phi is required with Gaussian data/);
    expect(existsSync(join(dir, "runs.jsonl"))).toBe(false);
    const help = await run(["index-energy", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--widths", "--no-bias", "--phi", "--runs", "--steps", "--optimizer", "--method", "--max-iter", "--seed", "--max-index", "--end-point-gtol", "--data", "--out", "--plot"]) expect(help.stdout).toContain(flag);
    expect((await run(["--help"])).stdout).toMatch(/index-energy/);
  });
});
