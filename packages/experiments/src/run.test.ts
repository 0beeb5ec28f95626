import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { indexEnergyExperiment, type IndexEnergyRun } from "@losscape/spectra";
import { parquetReadObjects } from "hyparquet";
import { figure6Aggregate, summarizeGroups } from "./aggregate.js";
import { readResults, RESULTS_FORMAT } from "./results.js";
import { checkTasks, runExperiment } from "./run.js";
import { ExperimentSpecError, parseSpec } from "./spec.js";
import { toCsv, toParquet } from "./table.js";
import { BUILTIN_TASKS, loadTask } from "./tasks.js";

const TOY = resolve(import.meta.dirname, "../test/fixtures/toy-task.mjs");
const dir = mkdtempSync(join(tmpdir(), "losscape-exp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await init();
});

const pbSpec = {
  format: "losscape.experiment/1",
  name: "pb-tiny",
  task: "critical-search",
  params: { widths: [3, 3, 3], bias: false, descent: { optimizer: "lbfgs", steps: [0, 8] }, refine: { maxIter: 40 } },
  grid: { phi: [0.5, 0.75] },
  runs: 3,
  seed: 7,
};
const withoutTime = (r: IndexEnergyRun) => ({ ...r, seconds: 0 });

describe("runExperiment on the local pool", () => {
  it("critical-search rows equal indexEnergyExperiment's runs bit for bit; rerunning computes nothing", async () => {
    const out = join(dir, "pb.jsonl");
    const spec = parseSpec(pbSpec);
    const r = await runExperiment(spec, { out, runner: { kind: "local", workers: 2 } });
    expect(r.progress).toMatchObject({ total: 6, done: 6, computed: 6, failed: 0 });
    const exp = await indexEnergyExperiment({ ...pbSpec.params, data: "gaussian", phi: [0.5, 0.75], runs: 3, seed: 7, descent: { optimizer: "lbfgs", steps: [0, 8] } });
    const expected = exp.phis.flatMap((p) => p.runs).map(withoutTime);
    expect(r.rows.map((row) => withoutTime({ ...(row.result as IndexEnergyRun), normGrowth: (row.result as IndexEnergyRun).normGrowth ?? Infinity }))).toEqual(expected);
    for (const row of r.rows) {
      expect(row.outcome).toBe("ok");
      expect(row.seed).toBe(7);
      expect(row.worker).toMatch(/^pool:/);
      expect(row.seconds).toBeGreaterThan(0);
      expect(row.host.length).toBeGreaterThan(0);
    }
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(JSON.parse(lines[0])).toMatchObject({ format: RESULTS_FORMAT, name: "pb-tiny", task: "critical-search", seed: 7 });
    expect(lines).toHaveLength(7);
    // The aggregate is indexEnergySummary on the same runs.
    const fig = figure6Aggregate(r.rows)!;
    expect(fig.paramCount).toBe(18);
    expect(fig.phis.map((p) => p.runs.map(withoutTime))).toEqual(exp.phis.map((p) => p.runs.map(withoutTime)));
    expect(fig.phis.map((p) => p.outcomes)).toEqual(exp.phis.map((p) => p.outcomes));

    const again = await runExperiment(spec, { out, runner: { kind: "local", workers: 1 } });
    expect(again.progress).toMatchObject({ total: 6, done: 6, computed: 0 });
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(7);
  });

  it("resumes after a crash: the incomplete last line is cut, only the missing tasks run, none twice", async () => {
    const out = join(dir, "toy.jsonl");
    const spec = parseSpec({ format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0, 1, 2, 3, 4, 5, 6, 7] }, seed: 3 });
    const first = await runExperiment(spec, { out, runner: { kind: "local", workers: 2 } });
    const text = readFileSync(out, "utf8");
    const lines = text.trim().split("\n");
    // Keep the header and 3 rows, then half of the 4th (a write cut short).
    writeFileSync(out, lines.slice(0, 4).join("\n") + "\n" + lines[4].slice(0, 20));
    const second = await runExperiment(spec, { out, runner: { kind: "local", workers: 2 } });
    expect(second.progress.computed).toBe(5);
    expect(second.warnings[0]).toMatch(/line 5 was incomplete/);
    const stored = readResults(out);
    expect(stored.rows).toHaveLength(8);
    expect(new Set(stored.rows.map((r) => r.key)).size).toBe(8);
    expect(stored.rows.map((r) => r.result).sort((a, b) => (a as { i: number }).i - (b as { i: number }).i)).toEqual(first.rows.map((r) => r.result));
    // A bigger grid resumes the same file: only the new tasks run.
    const bigger = parseSpec({ format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, seed: 3 });
    expect((await runExperiment(bigger, { out, runner: { kind: "local", workers: 1 } })).progress.computed).toBe(2);
    // Another seed is another experiment: refused.
    const otherSeed = parseSpec({ format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0] }, seed: 4 });
    await expect(runExperiment(otherSeed, { out })).rejects.toThrow(/holds results of another experiment/);
    expect(statSync(out).size).toBeGreaterThan(0);
  });

  it("a task that throws is an error row and the sweep goes on; errors are not run again on resuming", async () => {
    const out = join(dir, "fail.jsonl");
    const spec = parseSpec({ format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, list: [{ i: 0 }, { i: 1, fail: true }, { i: 2 }] });
    const r = await runExperiment(spec, { out, runner: { kind: "local", workers: 2 } });
    expect(r.progress).toMatchObject({ done: 3, failed: 1 });
    expect(r.rows[1]).toMatchObject({ outcome: "error", result: null, error: "task 1 fails on purpose" });
    expect(r.rows[0].outcome).toBe("ok");
    expect((await runExperiment(spec, { out })).progress).toMatchObject({ computed: 0, failed: 1 });
    expect(summarizeGroups(r.rows).map((g) => [g.ok, g.errors])).toEqual([[1, 0], [0, 1], [1, 0]]);
  });

  it("a task that kills its pool thread is an error row; the other tasks still run (the sweep is not stopped)", async () => {
    const mod = join(dir, "crash.mjs");
    writeFileSync(mod, "export default (p) => { if (p.i === 1) process.exit(3); return { i: p.i }; };\n");
    const out = join(dir, "crash.jsonl");
    const spec = parseSpec({ format: "losscape.experiment/1", task: { module: mod }, grid: { i: [0, 1, 2, 3] } });
    const r = await runExperiment(spec, { out, runner: { kind: "local", workers: 2 } });
    expect(r.progress).toMatchObject({ total: 4, done: 4, failed: 1 });
    expect(r.rows.map((x) => x.outcome)).toEqual(["ok", "error", "ok", "ok"]);
    expect(r.rows[1].error).toMatch(/^the worker thread died: .*code: 3/);
    expect(readResults(out).rows).toHaveLength(4);
  });

  it("every task's parameters are checked before anything runs", async () => {
    const bad = (over: object) => checkTasks(parseSpec({ ...pbSpec, ...over }));
    await expect(bad({ task: "no-such-task" })).rejects.toThrow(/^task: unknown task "no-such-task"/);
    await expect(bad({ params: { ...pbSpec.params, widths: [3] } })).rejects.toThrow(/^params\.widths: /);
    await expect(bad({ grid: { phi: [0.5, -1] } })).rejects.toThrow(/^params\.phi: expected a number > 0; found -1 \(task /);
    // Parameters the task itself would refuse are refused here too, not an error row for every task of the sweep.
    await expect(bad({ params: { ...pbSpec.params, activation: "tanhh" } })).rejects.toThrow(/^params\.activation: expected one of linear, tanh, .*; found 'tanhh' \(task /);
    await expect(bad({ params: { ...pbSpec.params, activation: ["tanh", "tanh"] } })).rejects.toThrow(/^params\.activation: expected one entry per hidden layer \(1\); found 2/);
    await expect(bad({ params: { ...pbSpec.params, descent: { optimizer: "lbfgs", steps: [0, "8"] } } })).rejects.toThrow(/^params\.descent\.steps\[1\]: expected an integer ≥ 0; found "8"/);
    await expect(bad({ params: { ...pbSpec.params, descent: { optimizer: "adam", steps: [8], lr: -1 } } })).rejects.toThrow(/^params\.descent\.lr: expected a number > 0; found -1/);
    await expect(bad({ params: { ...pbSpec.params, descent: { optimizer: "lbfgs", steps: [8], step: 2 } } })).rejects.toThrow(/^params\.descent\.step: unknown field/);
    await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task: "cooper-dimension", params: { widths: [1, 2, 1], samples: 2, activation: "relu6" }, runs: 1 }))).rejects.toThrow(/^params\.activation: /);
    // A parameter the task does not read (a typo) would be ignored and every task run with the default instead.
    await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task: "cooper-dimension", params: { widths: [1, 2, 1], sampels: 2 }, runs: 1 }))).rejects.toThrow(
      /^params\.sampels: unknown parameter of this task \(expected widths, activation, bias, run, samples\)/,
    );
    await expect(bad({ grid: { phi: [0.5], step: [1, 2] } })).rejects.toThrow(/^params\.step: unknown parameter of this task \(expected widths, activation, bias, run, phi, descent, refine\)/);
    for (const [task, params] of [["slice", { widths: [1, 2, 1], samples: 5, point: 3 }], ["curvature", { widths: [2, 4, 1], samples: 8, steps_: 2 }]] as const) {
      await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task, params, runs: 1 }))).rejects.toThrow(/^params\.(point|steps_): unknown parameter of this task/);
    }
    await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task: { module: TOY }, list: [{ ms: "x" }] }))).rejects.toBeInstanceOf(ExperimentSpecError);
    await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task: { module: "/nope.mjs" }, runs: 1 }))).rejects.toThrow(/^task\.module: cannot import/);
  });

  it("refine options are checked as refineCriticalPoint checks them, before the sweep: one error, no rows", async () => {
    const withRefine = (refine: unknown) => parseSpec({ ...pbSpec, params: { ...pbSpec.params, refine } });
    const cases: [unknown, RegExp][] = [
      [{ method: "nope" }, /^params\.refine\.method: expected "newton" or "gradnorm"; found "nope" \(task /],
      [{ maxIter: -1 }, /^params\.refine\.maxIter: expected an integer 0 … 16777216 \(2\^24: the refinement keeps a ≈ 64-byte trace row per iteration\); found -1 \(task /],
      [{ maxIter: 2.5 }, /^params\.refine\.maxIter: expected an integer 0 … 16777216/],
      [{ maxIter: 1e12 }, /^params\.refine\.maxIter: expected an integer 0 … 16777216 .*; found 1000000000000 /],
      [{ gtol: -1e-12 }, /^params\.refine\.gtol: expected a finite number ≥ 0; found -1e-12 /],
      [{ gtolRel: "x" }, /^params\.refine\.gtolRel: expected a finite number ≥ 0; found "x" /],
      [{ tol: null }, /^params\.refine\.tol: expected a finite number ≥ 0; found null /],
      [{ flatTol: -1 }, /^params\.refine\.flatTol: expected a finite number ≥ 0/],
      [{ hessian: "sparse" }, /^params\.refine\.hessian: expected "dense" or "matrix-free"; found "sparse" /],
      [{ maxiter: 40 }, /^params\.refine\.maxiter: unknown option of refineCriticalPoint \(expected method, gtol, gtolRel, maxIter, tol, flatTol, hessian\)/],
      [{ signal: {} }, /^params\.refine\.signal: unknown option of refineCriticalPoint/],
      [[1], /^params\.refine: expected an object of refineCriticalPoint's options; found \[1\]/],
    ];
    for (const [refine, message] of cases) {
      const out = join(dir, "refine-bad.jsonl");
      await expect(runExperiment(withRefine(refine), { out, runner: { kind: "local", workers: 1 } })).rejects.toThrow(message);
      expect(() => statSync(out)).toThrow(); // refused before the results file was opened, before any task
    }
    // What refineCriticalPoint takes is taken.
    await checkTasks(withRefine({ method: "gradnorm", gtol: 0, gtolRel: 1e-15, maxIter: 16777216, tol: 1e-9, flatTol: 1e-3, hessian: "matrix-free" }));
  });

  it("sizes that cannot finish or fit are refused before the sweep, naming the parameter and the bound", async () => {
    const spec = (task: string, params: object) => parseSpec({ format: "losscape.experiment/1", task, params, runs: 1 });
    const refuses = (task: string, params: object, message: RegExp) => expect(checkTasks(spec(task, params))).rejects.toThrow(message);
    // descent.steps: [1e12] ran until the thread died (train keeps a history row per step).
    await refuses("critical-search", { ...pbSpec.params, phi: 0.5, descent: { optimizer: "gd", steps: [0, 1e12] } }, /^params\.descent\.steps\[1\]: expected an integer 0 … 16777216 \(2\^24: the descent keeps a ≈ 64-byte history row per step\); found 1000000000000 \(task /);
    await checkTasks(spec("critical-search", { ...pbSpec.params, phi: 0.5, descent: { optimizer: "gd", steps: [2 ** 24] } }));
    for (const task of ["embed-certify", "slice", "hessian-spectrum", "curvature"]) {
      await refuses(task, { widths: [1, 2, 1], samples: 4, steps: 2 ** 24 + 1 }, /^params\.steps: expected an integer 0 … 16777216 \(2\^24: /);
    }
    // indexEnergyRun's limits: M ≤ 2048 (the index needs the spectrum), m = round(M/(φ·d_out)) ≥ 1, the data in 2^29 values.
    await refuses("critical-search", { ...pbSpec.params, widths: [40, 40, 40], phi: 0.5 }, /^params\.widths: expected a net of M ≤ 2048 parameters .*; M = 3200; found \[40,40,40\]/);
    await refuses("critical-search", { ...pbSpec.params, phi: 100 }, /^params\.phi: expected φ ≤ 12: m = round\(M\/\(φ·d_out\)\) = round\(18\/\(φ·3\)\) samples must be ≥ 1; found 100/);
    await refuses("critical-search", { ...pbSpec.params, phi: 1e-9 }, /^params\.phi: expected at most 89478485 samples of 6 values \(d_in \+ d_out\) for this net: 2\^29 float64 values/);
    // samples: spectra's gaussianDataset holds at most 2^29 values.
    for (const task of ["embed-certify", "cooper-dimension", "slice", "hessian-spectrum", "curvature"]) {
      await refuses(task, { widths: [1, 2, 1], samples: 2 ** 28 + 1 }, /^params\.samples: expected at most 268435456 samples of 2 values/);
    }
    // Dense Hessians: at most 2^28 entries (M ≤ 16384).
    await refuses("hessian-spectrum", { widths: [1, 130, 130, 1], samples: 4 }, /^params\.widths: expected a net of M ≤ 16384 parameters \(a dense Hessian of at most 2\^28 entries, 2 GiB, as mlp's hessian\), not M = 17421; found \[1,130,130,1\] \(task /);
    // 1-100-158-1 has M = 16317, but with a neuron of layer 1 split (one more in, bias and 158 out) M = 16477.
    await refuses("embed-certify", { widths: [1, 100, 158, 1], samples: 4 }, /^params\.widths: expected a net that has, with neuron 0 of layer 1 split \(certifyEmbedding's dense Hessian\), M ≤ 16384 parameters .*, not M = 16477; found \[1,100,158,1\]/);
    await checkTasks(spec("embed-certify", { widths: [1, 100, 150, 1], samples: 4 }));
    await refuses("curvature", { widths: [1, 130, 130, 1], samples: 4, exactLimit: 20000 }, /^params\.exactLimit: expected below M = 17421 \(the matrix-free estimate\), or a net of M ≤ 10329 parameters .*, not M = 17421; found 20000/);
    await checkTasks(spec("curvature", { widths: [1, 130, 130, 1], samples: 4 }));
    // slice: the grid is held in the row (one JSON line): at most 2^23 losses.
    await refuses("slice", { widths: [1, 2, 1], samples: 4, points: 2897 }, /^params\.points: expected an integer 2 … 2896 \(a points × points grid of at most 2\^23 losses, held in the task's row\); found 2897/);
  });

  // What the library functions a task calls refuse when the task runs, or cannot hold in WASM memory, is refused by the
  // task's check, at the bound: the largest value that passes, the smallest refused. (Only `check` runs: no task.)
  describe("sizes the library functions refuse or cannot hold in WASM memory are refused before the sweep", () => {
    const check = (task: string, params: Record<string, unknown>) => () => BUILTIN_TASKS[task].check!(params);
    const WASM = "; 2\\^29 \\(4 GiB, the wasm32 address space\\) fit in WASM memory; found";

    it("curvature's exact path: M ≤ EIGH_MAX_ORDER, as curvature refuses exactLimit; the dense Hessian of the samples in WASM memory", async () => {
      // 2-2582-1 has M = 10329; 1-5165-1 without biases M = 10330 (≤ 16384: passed before).
      expect(check("curvature", { widths: [2, 2582, 1], samples: 4, exactLimit: 20000 })).not.toThrow();
      expect(check("curvature", { widths: [1, 5165, 1], bias: false, samples: 4, exactLimit: 20000 })).toThrow(
        /^params\.exactLimit: expected below M = 10330 \(the matrix-free estimate\), or a net of M ≤ 10329 parameters \(the exact path takes the eigenvectors of the dense Hessian: core's eigh holds five M × M matrices in the 4 GiB of WASM memory, EIGH_MAX_ORDER\), not M = 10330; found 20000$/,
      );
      // 1-100-1 (M = 301, T = 101): θ, x, y, 12·n·T of scratch, J and H: 1515n + 91,203 values ≤ 2^29.
      expect(check("curvature", { widths: [1, 100, 1], samples: 354310 })).not.toThrow();
      expect(check("curvature", { widths: [1, 100, 1], samples: 354311 })).toThrow(
        new RegExp(`^params\\.samples: expected at most 354310 samples for this net: the exact path forms the dense Hessian \\(mlp's hessian\\), which holds θ, the data, 12·n·T values of scratch \\(T the units\\), the Jacobian \\(\\(n·d_out\\) × M\\) and H \\(M × M\\) in WASM memory, 5\\.369e\\+8 float64 values at 354311${WASM} 354311$`),
      );
      // The split parts hold H₀ and H₁.
      expect(check("curvature", { widths: [1, 100, 1], samples: 354250, part: "residual" })).not.toThrow();
      expect(check("curvature", { widths: [1, 100, 1], samples: 354251, part: "residual" })).toThrow(/^params\.samples: expected at most 354250 samples for this net: .* and H₀ and H₁ \(M × M\) in WASM memory/);
      // Through the sweep's entry point: one error naming the task.
      await expect(checkTasks(parseSpec({ format: "losscape.experiment/1", task: "curvature", params: { widths: [1, 100, 1], samples: 354311 }, runs: 1 }))).rejects.toThrow(/^params\.samples: expected at most 354310 samples .*; found 354311 \(task /);
    });

    it("curvature's matrix-free path: its Lanczos bases within curvature's MAX_BASIS_VALUES, two SLQ probes, and the data, bases and products in WASM memory", () => {
      // 1-10000-1: M = 30001 > exactLimit 0. top k: eigenpairsBasisSize(M, k) = 2k + 32 vectors of M, ≤ 2^28 values.
      const wide = { widths: [1, 10000, 1], samples: 4, exactLimit: 0 };
      expect(check("curvature", { ...wide, top: 4457 })).not.toThrow();
      expect(check("curvature", { ...wide, top: 4458 })).toThrow(
        /^params\.top: expected an integer 1 … 4457 for this net on the matrix-free path \(M = 30001 > exactLimit\): eigenpairs' Lanczos basis of eigenpairsBasisSize\(M, top\) = 8948 vectors of M values, at most 2\^28 values \(2 GiB, curvature's MAX_BASIS_VALUES\); found 4458$/,
      );
      // SLQ: lanczosSteps vectors of M per probe.
      expect(check("curvature", { ...wide, lanczosSteps: 8947 })).not.toThrow();
      expect(check("curvature", { ...wide, lanczosSteps: 8948 })).toThrow(/^params\.lanczosSteps: expected an integer 2 … 8947 for this net on the matrix-free path \(M = 30001 > exactLimit\): SLQ's Lanczos basis of lanczosSteps vectors of M values, at most 2\^28 values/);
      // Hutch++'s 99 products are held together: M ≤ ⌊2^28/99⌋ = 2711469 (2-677867-1), not 2711470 (1-903823-1).
      expect(check("curvature", { widths: [2, 677867, 1], samples: 4 })).not.toThrow();
      expect(check("curvature", { widths: [1, 903823, 1], samples: 4 })).toThrow(
        /^params\.widths: expected a net of M ≤ 2711469 parameters on the matrix-free path \(Hutch\+\+'s trace holds its 99 products together: 99 vectors of M values, at most 2\^28 values, 2 GiB, curvature's MAX_BASIS_VALUES\), not M = 2711470; found \[1,903823,1\]$/,
      );
      // SLQ's interval needs two probes (lanczosQuadratures); the exact path takes no probes.
      expect(check("curvature", { widths: [1, 2, 1], samples: 4, exactLimit: 0, probes: 2 })).not.toThrow();
      expect(check("curvature", { widths: [1, 2, 1], samples: 4, exactLimit: 0, probes: 1 })).toThrow(/^params\.probes: expected an integer ≥ 2 on the matrix-free path \(M = 7 > exactLimit\): SLQ's interval of the index needs two probes \(lanczosQuadratures\); found 1$/);
      expect(check("curvature", { widths: [1, 2, 1], samples: 4, probes: 1 })).not.toThrow();
      // WASM memory: 1-2-1 on 2^28 − 11,164,901 samples: the data (2n), θ per chunk, SLQ's batch of 10 probes of 7 steps and their
      // scratch (curvature's matrixFreeMemory) reach 2^29 values, within the 2^29 data values that checkSamples allows.
      expect(check("curvature", { widths: [1, 2, 1], samples: 257270555, exactLimit: 0 })).not.toThrow();
      expect(check("curvature", { widths: [1, 2, 1], samples: 257270556, exactLimit: 0 })).toThrow(
        new RegExp(`^params\\.samples: expected at most 257270555 samples for this net: the matrix-free path holds the data and θ of each chunk of rows, its largest Lanczos basis and a block of Hessian-vector products with their scratch in WASM memory \\(curvature's matrixFreeMemory\\), 5\\.369e\\+8 float64 values at 257270556${WASM} 257270556$`),
      );
    });

    it("cooper-dimension: the dense Hessian (M ≤ 16384), the Jacobian (2^28 entries), and J, its SVD and the Hessian in WASM memory", () => {
      // hessianDegeneracy's dense Hessian: 1-5461-1 has M = 16384, 1-5462-1 M = 16387.
      expect(check("cooper-dimension", { widths: [1, 5461, 1], samples: 2 })).not.toThrow();
      expect(check("cooper-dimension", { widths: [1, 5462, 1], samples: 2 })).toThrow(/^params\.widths: expected a net of M ≤ 16384 parameters \(a dense Hessian of at most 2\^28 entries, 2 GiB, as mlp's hessian\), not M = 16387; found \[1,5462,1\]$/);
      // 1-64-64-64-64-1 (M = 12673): J of at most 2^28 entries is n ≤ 21181; its SVD (J twice, 3·min(n, M)²) binds first,
      // at n ≤ 9803.
      const deep = [1, 64, 64, 64, 64, 1];
      expect(check("cooper-dimension", { widths: deep, samples: 21182 })).toThrow(/^params\.samples: expected at most 21181 samples for this net: globalMinimumDimension builds the Jacobian \(\(n·d_out\) × M = 21182 × 12673\) of at most 2\^28 entries \(2 GiB, mlp's limit\); found 21182$/);
      expect(check("cooper-dimension", { widths: deep, samples: 9803 })).not.toThrow();
      expect(check("cooper-dimension", { widths: deep, samples: 9804 })).toThrow(
        new RegExp(`^params\\.samples: expected at most 9803 samples for this net: the rank of the Jacobian: core's svd\\(J, \\{ vectors: false \\}\\) holds J twice and three min\\(n·d_out, M\\)² matrices in WASM memory, 5\\.369e\\+8 float64 values at 9804${WASM} 9804$`),
      );
      // 1-5000-1 (T = 5001): mlp's jacobian (10·n·T of scratch and J) holds 8257 samples, its Hessian (12·n·T, J and H) fewer.
      expect(check("cooper-dimension", { widths: [1, 5000, 1], samples: 8258 })).toThrow(/^params\.samples: expected at most 8257 samples for this net: globalMinimumDimension's Jacobian holds θ, the inputs, 10·n·T values of scratch \(T the units\) and J \(\(n·d_out\) × M\) in WASM memory \(mlp's jacobian\), /);
      expect(check("cooper-dimension", { widths: [1, 5000, 1], samples: 8257 })).toThrow(/^params\.samples: expected at most \d+ samples for this net: globalMinimumDimension forms the dense Hessian/);
      // 1-100-1: the Hessian binds (as for the other tasks below).
      expect(check("cooper-dimension", { widths: [1, 100, 1], samples: 354310 })).not.toThrow();
      expect(check("cooper-dimension", { widths: [1, 100, 1], samples: 354311 })).toThrow(/^params\.samples: expected at most 354310 samples for this net: globalMinimumDimension forms the dense Hessian \(mlp's hessian\), which holds /);
    });

    it("slice with dirs \"hessian\" (M ≤ EIGH_MAX_ORDER, as hessianDirections refuses), hessian-spectrum, embed-certify and critical-search: the dense Hessian of the samples", () => {
      expect(check("slice", { widths: [2, 2582, 1], samples: 4, dirs: "hessian" })).not.toThrow();
      expect(check("slice", { widths: [1, 5165, 1], bias: false, samples: 4, dirs: "hessian" })).toThrow(
        /^params\.widths: expected a net \(dirs "hessian"\) of M ≤ 10329 parameters \(hessianDirections takes the eigenvectors of the dense Hessian: core's eigh holds five M × M matrices in the 4 GiB of WASM memory, EIGH_MAX_ORDER\), not M = 10330; found \[1,5165,1\]$/,
      );
      expect(check("slice", { widths: [1, 5165, 1], bias: false, samples: 4 })).not.toThrow(); // random directions: no Hessian
      expect(check("slice", { widths: [1, 100, 1], samples: 354310, dirs: "hessian" })).not.toThrow();
      expect(check("slice", { widths: [1, 100, 1], samples: 354311, dirs: "hessian" })).toThrow(/^params\.samples: expected at most 354310 samples for this net: dirs "hessian" \(hessianDirections\) forms the dense Hessian/);
      expect(check("slice", { widths: [1, 100, 1], samples: 354311 })).not.toThrow();
      expect(check("hessian-spectrum", { widths: [1, 100, 1], samples: 354310 })).not.toThrow();
      expect(check("hessian-spectrum", { widths: [1, 100, 1], samples: 354311 })).toThrow(/^params\.samples: expected at most 354310 samples for this net: hessian-spectrum forms the dense Hessian \(mlp's hessian\)/);
      // mlp's hessian refuses a Jacobian beyond 2^28 entries: 1-64-64-64-64-1 (M = 12673) at n ≤ 21181, within WASM memory.
      expect(check("hessian-spectrum", { widths: [1, 64, 64, 64, 64, 1], samples: 21181 })).not.toThrow();
      expect(check("hessian-spectrum", { widths: [1, 64, 64, 64, 64, 1], samples: 21182 })).toThrow(/^params\.samples: expected at most 21181 samples for this net: hessian-spectrum builds the Jacobian \(\(n·d_out\) × M = 21182 × 12673\) of at most 2\^28 entries/);
      // 40-2-50 is assembled without the Jacobian (mlp's hessianWithoutJacobian): M = 232, T = 52, it passes J's 2^28
      // entries at n = 23141, and holds 232 + 90n + 12·52n + 2·50·2n + (150 + 50)n + 232 + 232² = 1114n + 54,288 values:
      // n ≤ 481882.
      expect(check("hessian-spectrum", { widths: [40, 2, 50], samples: 30000 })).not.toThrow();
      expect(check("hessian-spectrum", { widths: [40, 2, 50], samples: 481882 })).not.toThrow();
      expect(check("hessian-spectrum", { widths: [40, 2, 50], samples: 481883 })).toThrow(
        new RegExp(`^params\\.samples: expected at most 481882 samples for this net: hessian-spectrum forms the dense Hessian \\(mlp's hessian\\), which holds θ, the data, 12·n·T values of scratch \\(T the units\\), 2·n·d_out·\\(T − d_out\\) \\+ n·\\(P \\+ m\\) more \\(no Jacobian; P the largest layer's parameters, m the widest layer\\) and H \\(M × M\\) in WASM memory, 5\\.369e\\+8 float64 values at 481883${WASM} 481883$`),
      );
      // certifyEmbedding's Hessian is the split net's, 1-101-1.
      expect(check("embed-certify", { widths: [1, 100, 1], samples: 350835 })).not.toThrow();
      expect(check("embed-certify", { widths: [1, 100, 1], samples: 350836 })).toThrow(/^params\.samples: expected at most 350835 samples for this net: certifyEmbedding \(on the net with the split neuron\) forms the dense Hessian/);
      // critical-search: the index takes the end point's Hessian on m = round(M/(φ·d_out)) samples: 16-16-16 without biases
      // (M = 512, T = 32, no Jacobian), m = round(32/φ), 512 + 32m + 384m + 2·16·16m + (256 + 16)m + 512 + 512² values: m ≤ 447173.
      const pb = { widths: [16, 16, 16], bias: false, run: 0, descent: { optimizer: "lbfgs", steps: [0] } };
      expect(check("critical-search", { ...pb, phi: 32 / 447173 })).not.toThrow();
      expect(check("critical-search", { ...pb, phi: 32 / 447174 })).toThrow(/^params\.phi: expected at most 447173 samples \(m = round\(M\/\(φ·d_out\)\) = 447174 here\) for this net: refineCriticalPoint \(for the index\) forms the dense Hessian \(mlp's hessian\), which holds /);
      // 16-16-16-1 (d_out = 1) forms J: M = 528, m = round(528/φ), 528 + 17m + 12·33m + 528m + 528 + 528² values: m ≤ 570234.
      const one = { ...pb, widths: [16, 16, 16, 1] };
      expect(check("critical-search", { ...one, phi: 528 / 570234 })).not.toThrow();
      expect(check("critical-search", { ...one, phi: 528 / 570235 })).toThrow(/^params\.phi: expected at most 570234 samples \(m = round\(M\/\(φ·d_out\)\) = 570235 here\) for this net: refineCriticalPoint \(for the index\) forms the dense Hessian \(mlp's hessian\), which holds θ, the data, 12·n·T values of scratch \(T the units\), the Jacobian /);
    });
  });

  it("the other built-in tasks run and are deterministic", async () => {
    // The dimension record of another planted minimum can be the same numbers: only the other tasks must differ.
    const cases: [string, Record<string, unknown>, boolean][] = [
      ["embed-certify", { widths: [1, 2, 1], samples: 6, steps: 50 }, true],
      ["cooper-dimension", { widths: [1, 3, 1], samples: 4 }, false],
      ["slice", { widths: [1, 2, 1], samples: 5, points: 3 }, true],
      ["hessian-spectrum", { widths: [1, 2, 1], samples: 5 }, true],
      ["curvature", { widths: [2, 4, 1], samples: 8, top: 2, exactLimit: 0, lanczosSteps: 10 }, true],
    ];
    for (const [name, params, seedMatters] of cases) {
      const task = await loadTask(name);
      task.check!(params);
      const a = JSON.stringify(await task.run(params, 1));
      expect(JSON.stringify(await BUILTIN_TASKS[name].run(params, 1))).toBe(a);
      if (seedMatters) expect(JSON.stringify(await task.run(params, 2))).not.toBe(a);
    }
    // The curvature task's matrix-free estimate against its exact path on the same net (M = 17; the estimator settings
    // do not enter the task seed, so both see one net and data set): the top eigenvalues
    // from block Lanczos to the eigensolver's relative residual 1e-8, hence to ≈ 1e-8 relative (Weyl: |Δλ| ≤ ‖r‖); the
    // trace of Hutch++ with 99 ≥ M products is exact up to rounding.
    const exact = (await BUILTIN_TASKS.curvature.run({ widths: [2, 4, 1], samples: 8, top: 2 }, 1)) as { method: string; top: number[]; trace: number };
    const est = (await BUILTIN_TASKS.curvature.run({ widths: [2, 4, 1], samples: 8, top: 2, exactLimit: 0 }, 1)) as { method: string; top: number[]; trace: number };
    expect([exact.method, est.method]).toEqual(["exact", "estimate"]);
    for (let i = 0; i < 2; i++) expect(Math.abs(est.top[i] - exact.top[i])).toBeLessThanOrEqual(1e-8 * Math.abs(exact.top[0]));
    expect(Math.abs(est.trace - exact.trace)).toBeLessThanOrEqual(1e-10 * Math.abs(exact.top[0]) * 17);
    expect(() => BUILTIN_TASKS.curvature.check!({ widths: [2, 4, 1], samples: 8, part: "hessian" })).toThrow(/^params\.part: expected "full", "gauss-newton" or "residual"/);
    const dim = (await BUILTIN_TASKS["cooper-dimension"].run({ widths: [1, 3, 1], samples: 4 }, 0)) as Record<string, number>;
    expect(dim.paramCount).toBe(10);
    expect(dim.cooperDimension).toBe(10 - 4);
    expect(dim.loss).toBe(0);
  });

  it("exports CSV and Parquet (read back with hyparquet)", async () => {
    // In the spec's order (the file holds them in the order they finished).
    const rows = readResults(join(dir, "fail.jsonl")).rows.sort((a, b) => (a.params.i as number) - (b.params.i as number));
    const csv = toCsv(rows).trim().split("\n");
    const header = csv[0].split(",");
    expect(header).toEqual(["params.ms", "params.i", "params.fail", "result.i", "result.seed", "result.value", "seed", "outcome", "error", "started", "seconds", "host", "worker", "version"]);
    expect(csv).toHaveLength(4);
    const pq = await toParquet(rows);
    const buf = pq.buffer.slice(pq.byteOffset, pq.byteOffset + pq.byteLength) as ArrayBuffer;
    const back = await parquetReadObjects({ file: buf });
    expect(back).toHaveLength(3);
    expect(back.map((o) => o["params.i"])).toEqual([0, 1, 2]);
    expect(back.map((o) => o.outcome)).toEqual(["ok", "error", "ok"]);
    expect(back[0]["result.value"]).toBe((rows[0].result as { value: number }).value);
    expect(back[1]["result.value"]).toBeNull();
    expect(back[1].error).toBe("task 1 fails on purpose");
  });
});
