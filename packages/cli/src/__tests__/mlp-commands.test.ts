import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { eigvalsh, init } from "@losscape/core";
import { hessian, initParams, loss } from "@losscape/mlp";
import { conform, filesIn, fixtureData, fixtureModel, fx, run, runJson, SHAPES, tempDir } from "./run.js";

// The commands that wrap @losscape/mlp, run as child processes on the fixtures (test/gen/make-fixtures.mjs).
// Values are checked against invariants and against the same computation done in this process through the
// package API (the CLI must be a faithful wrapper: same numbers to the last bit unless stated).

const data = () => fixtureData("sin20.json");
const model = fixtureModel;

beforeAll(async () => {
  await init();
});

describe("losscape hessian", () => {
  it("prints the contract's record at the global minimum: ascending eigenvalues, inertia (0, 0, 10)", async () => {
    const { out } = await runJson(["hessian", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json")]);
    expect(conform(out, SHAPES.hessian)).toEqual([]);
    const ev = out.eigenvalues as number[];
    expect(out.paramCount).toBe(10);
    expect(ev).toHaveLength(10);
    for (let i = 1; i < ev.length; i++) expect(ev[i]).toBeGreaterThanOrEqual(ev[i - 1]);
    expect(out.inertia).toEqual({ negative: 0, zero: 0, positive: 10 });
    expect(out.tol).toBe(1e-9);
    expect(out.warnings).toEqual([]);
    // Same numbers as the package API in-process (same backend, same code path: exact equality for the loss;
    // eigenvalues to 1e-12 relative because the CLI and this process may pick different WASM builds).
    const m = model("tanh131-min.json");
    expect(out.loss).toBe(loss(m, data()));
    const ref = eigvalsh(hessian(m, data()));
    const scale = Math.max(...Array.from(ref, Math.abs));
    ev.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(1e-12 * scale));
  });

  it("--split: H₀ = JᵀJ/n is positive semidefinite and tr H = tr H₀ + tr H₁", async () => {
    const { out } = await runJson(["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json"), "--split"]);
    const h = out.eigenvalues as number[];
    const h0 = out.gaussNewtonEigenvalues as number[];
    const h1 = out.residualEigenvalues as number[];
    expect(h0).toHaveLength(10);
    expect(h1).toHaveLength(10);
    const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
    const scale = Math.max(...h.map(Math.abs));
    // PSD up to rounding: eigenvalues of JᵀJ/n are ≥ −1e-12·‖H₀‖ (eigensolver backward error).
    expect(Math.min(...h0)).toBeGreaterThanOrEqual(-1e-12 * Math.max(...h0));
    // Traces add exactly in exact arithmetic; 1e-12·scale·M covers the eigensolver rounding of three spectra.
    expect(Math.abs(sum(h) - sum(h0) - sum(h1))).toBeLessThanOrEqual(1e-12 * scale * 10);
    // A saddle: negative eigenvalues, counted consistently with the reported inertia.
    const neg = h.filter((x) => x < -1e-9 * Math.max(1, scale)).length;
    expect((out.inertia as { negative: number }).negative).toBe(neg);
    expect(neg).toBeGreaterThan(0);
  });

  it("reads CSV data with the same result as JSON", async () => {
    const a = await runJson(["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json")]);
    const b = await runJson(["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.csv"), "--inputs", "1"]);
    expect(b.out).toEqual(a.out);
  });

  it("prints an aligned table without --json, nothing on stderr", async () => {
    const r = await run(["hessian", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/inertia\s+\(0, 0, 10\)/);
    const rows = r.stdout.split("\n").filter((l) => /^\s*\d+\s+-?\d/.test(l));
    expect(rows).toHaveLength(10);
    // Right-aligned numeric columns: every row has the same length.
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
  });

  it("--plot draws H, H₀ and H₁ (with --split) as an SVG", async () => {
    const dir = tempDir();
    const r = await run(["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json"), "--split", "--plot", join(dir, "h.svg")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/figure\s+.*h\.svg/);
    const svg = readFileSync(join(dir, "h.svg"), "utf8");
    for (const label of ["H (2, 1, 7)", "H₀ = JᵀJ/n", "H₁ (residual part)"]) expect(svg).toContain(label);
    expect(filesIn(dir)).toEqual(["h.svg"]);
  });

  it("a model whose dense Hessian exceeds 2^28 entries: exit 2, one line naming --model, M and `losscape curvature`", async () => {
    // M = 3·6000 + 1 = 18001 > 16384. The WASM arena refused it before with "needs 2.41 GiB of WASM memory …",
    // naming neither the file nor M.
    const dir = tempDir();
    const model = join(dir, "wide.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [1, 6000, 1], activation: "tanh", params: Array.from({ length: 18001 }, (_, i) => Math.sin(i) / 100) }));
    const r = await run(["hessian", "--model", model, "--data", fx("sin20.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^losscape hessian: --model .*wide\.json: the exact Hessian is M × M with M = 18001 parameters \(2\.4 GiB\); at most M = 16384 .* `losscape curvature`/);
  });

  it("writes non-finite numbers as null and names them in warnings", async () => {
    const { out } = await runJson(["hessian", "--model", fx("overflow.json"), "--data", fx("sin20.json")]);
    expect(out.loss).toBeNull();
    expect(out.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^loss is Infinity/)]));
  });
});

describe("losscape critical", () => {
  it("--hessian dense on a model whose dense Hessian does not fit: exit 2, one line naming --hessian dense and M", async () => {
    // M = 18001: the dense path's Hessian (2.4 GiB) is refused at the first iteration; the message named neither flag.
    const dir = tempDir();
    const model = join(dir, "wide.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [1, 6000, 1], activation: "tanh", params: Array.from({ length: 18001 }, (_, i) => Math.sin(i) / 100) }));
    const r = await run(["critical", "--model", model, "--data", fx("sin20.json"), "--hessian", "dense"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^losscape critical: --hessian dense: the exact Hessian of .*wide\.json \(M = 18001 parameters\) does not fit \(.*\); use --hessian matrix-free$/m);
  });

  it("refines a perturbed saddle back to it (converged, same loss and inertia) and writes --out", async () => {
    const dir = tempDir();
    const outFile = join(dir, "cp.json");
    const { out } = await runJson(["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--out", outFile]);
    expect(conform(out, SHAPES.critical)).toEqual([]);
    expect(out.converged).toBe(true);
    expect(out.gradNorm as number).toBeLessThanOrEqual(1e-12);
    const saddle = model("tanh131-saddle.json");
    const l0 = loss(saddle, data());
    // Same critical value to 1e-10 relative: the perturbation (1e-3) is inside the basin of this saddle.
    expect(Math.abs((out.loss as number) - l0)).toBeLessThanOrEqual(1e-10 * l0);
    const hs = await runJson(["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json")]);
    expect(out.inertia).toEqual(hs.out.inertia);
    // --out holds the same model as the JSON record, and nothing else was left in the directory.
    expect(JSON.parse(readFileSync(outFile, "utf8"))).toEqual(out.model);
    expect(filesIn(dir)).toEqual(["cp.json"]);
  });

  it("--max-iter bounds every phase of --method gradnorm (L-BFGS and LM together)", async () => {
    const { out } = await runJson(["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--method", "gradnorm", "--max-iter", "50", "--gtol", "0", "--gtol-rel", "0"]);
    expect(out.iterations as number).toBeLessThanOrEqual(50);
    expect(out.outcome).not.toBe("critical"); // ‖∇R‖ ≤ 0 is never reached
    expect(out.kind).toBe(null);
  });

  it("reports a run that does not reach gtol with its outcome, no kind and a warning (exit 0)", async () => {
    const { out } = await runJson(["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--max-iter", "1"]);
    expect(out.converged).toBe(false);
    expect(out.outcome).toBe("stalled");
    expect(out.kind).toBe(null);
    expect(out.iterations).toBe(1);
    expect((out.warnings as string[]).some((w) => /^stalled after 1 iterations: ‖∇R‖ = \S+ > 1e-12; /.test(w))).toBe(true);
  });
});

describe("losscape train", () => {
  it("trains a fresh seeded net: history from epoch 0, loss decreasing, reproducible, --out written", async () => {
    const dir = tempDir();
    const args = ["train", "--data", fx("sin20.json"), "--widths", "1,3,1", "--activation", "tanh", "--optimizer", "lbfgs", "--epochs", "40", "--seed", "3"];
    const { out } = await runJson([...args, "--out", join(dir, "t.json")]);
    expect(conform(out, SHAPES.train)).toEqual([]);
    const hist = out.history as { epoch: number; loss: number }[];
    expect(hist[0].epoch).toBe(0);
    expect(hist).toHaveLength((out.epochs as number) + 1);
    // Epoch 0 is the xavier initialisation with seed 3, computed here independently of the CLI.
    const spec = { widths: [1, 3, 1], activation: "tanh" as const };
    expect(hist[0].loss).toBe(loss({ ...spec, params: initParams(spec, { scheme: "xavier", seed: 3 }) }, data()));
    // L-BFGS with a line search never increases the loss.
    for (let i = 1; i < hist.length; i++) expect(hist[i].loss).toBeLessThanOrEqual(hist[i - 1].loss);
    expect(out.loss).toBe(hist[hist.length - 1].loss);
    expect(JSON.parse(readFileSync(join(dir, "t.json"), "utf8"))).toEqual(out.model);
    const again = await runJson(args);
    expect(again.out.model).toEqual(out.model);
  });

  it("a diverging run (lr 1e200) reports diverged: true with a warning and keeps the last finite model", async () => {
    const { out } = await runJson(["train", "--data", fx("sin20.json"), "--model", fx("tanh131-saddle.json"), "--optimizer", "gd", "--lr", "1e200", "--epochs", "5"]);
    expect(out.diverged).toBe(true);
    expect((out.warnings as string[])[0]).toMatch(/^training diverged after epoch 0/);
    expect((out.model as { params: number[] }).params).toEqual(Array.from(model("tanh131-saddle.json").params));
    expect(out.loss).toBe(loss(model("tanh131-saddle.json"), data()));
  });

  it("continues from a model file with gd", async () => {
    const { out } = await runJson(["train", "--data", fx("sin20.json"), "--model", fx("tanh131-saddle.json"), "--optimizer", "gd", "--lr", "0.05", "--epochs", "5"]);
    expect(out.epochs).toBe(5);
    expect((out.history as unknown[]).length).toBe(6);
  });
});

describe("--backend", () => {
  it.each(["simd", "scalar", "ts"])("hessian on the %s backend agrees with the default", async (backend) => {
    const args = ["hessian", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json")];
    const [a, b] = await Promise.all([runJson(args), runJson([...args, "--backend", backend])]);
    const ea = a.out.eigenvalues as number[];
    const eb = b.out.eigenvalues as number[];
    const scale = Math.max(...ea.map(Math.abs));
    // Different kernels (SIMD/scalar WASM, TS with ml-matrix's eigensolver): eigenvalues agree to 1e-11·max|λ|
    // (backward-stable eigensolvers on a 10 × 10 matrix; a few hundred ulps of headroom).
    ea.forEach((v, i) => expect(Math.abs(v - eb[i])).toBeLessThanOrEqual(1e-11 * scale));
    expect(b.out.inertia).toEqual(a.out.inertia);
    expect(Math.abs((b.out.loss as number) - (a.out.loss as number))).toBeLessThanOrEqual(1e-14 * (a.out.loss as number));
  });
});
