// Builds the docs site, serves it on 127.0.0.1 and runs every live example in headless Chromium: each must finish
// without an error and print what mathematics (or an independent high-precision reference) says it prints. The
// α(ε, φ) heat map must draw, report its time and count exactly the cells that the closed form of ε_c puts at α = 0.
//
// Tolerances: the examples print numbers to 8 significant digits (in their shortest form: 0.5, not 0.50000000), so a
// printed value x̂ of an exact x satisfies |x̂ − x| ≤ 5e-8·|x| (REL8 below) — used wherever the computation itself is
// accurate to far better than that.
//
// The examples run in a module worker: while each runs, the page's main thread runs no task longer than 200 ms.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";
import { penningtonBahri } from "@losscape/spectra";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../../scripts/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import reference from "./fixtures/reference.json" with { type: "json" };
import pytorchRef from "../public/pytorch/classifier.json" with { type: "json" };

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const dist = join(root, ".vitepress", "dist");
const vitepressCli = join(createRequire(import.meta.url).resolve("vitepress/package.json"), "..", "bin", "vitepress.js");
const execFileAsync = promisify(execFile);
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
/** Relative error of a value printed to 8 significant digits (toPrecision(8) rounds to half a unit in the 8th). */
const REL8 = 5e-8;

let server: Server;
let browser: Browser;
let base = "";

beforeAll(async () => {
  // Built by the vitepress command in its own node process, as a user builds the site. Vitest's workers run node with
  // `--conditions development`, so vitepress imported here would render the pages with Vue's development build,
  // whose SSR warns "Invalid watch source" for the default theme's VPSidebar (it watches its props object, which
  // is not reactive during SSR); the production build that `vitepress build` uses does not check.
  await execFileAsync(process.execPath, [vitepressCli, "build", root, "--outDir", dist], { env: { ...process.env, NODE_ENV: "production" } });
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const candidates = path.endsWith("/") ? [join(path, "index.html")] : [path, `${path}.html`];
    for (const c of candidates) {
      try {
        const body = await readFile(join(dist, c));
        res.writeHead(200, { "content-type": TYPES[extname(c)] ?? "application/octet-stream" });
        res.end(body);
        return;
      } catch {}
    }
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((r) => server.close(r));
});

/** Open a page, collecting uncaught page errors. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), `${path} is served`).toBe(200);
  return { page, errors };
}

/** The longest task the page's main thread may run while an example runs (ms). */
const MAX_MAIN_THREAD_TASK = 200;
/** A decimal number with a trailing zero after its point (0.50000000, 1.20e-3), not part of a version like 1.13.0. */
const TRAILING_ZERO = /(?<![\d.])\d+\.\d*0(?![\d.])/g;

/**
 * The page's long tasks (the Long Tasks API: main-thread tasks over 50 ms): longest() is the duration of the longest
 * since reset(), 0 when none. Unlike a timer's gaps, it does not count time the idle main thread waits for a CPU on
 * a loaded machine. Checked on creation: a 250 ms busy loop in a timer of the page is seen.
 */
async function longTasks(page: Page): Promise<{ reset: () => Promise<void>; longest: () => Promise<number> }> {
  type Seen = { longestTask: number };
  await page.evaluate(() => {
    const w = window as unknown as Seen;
    w.longestTask = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longestTask = Math.max(w.longestTask, e.duration);
    }).observe({ type: "longtask" });
  });
  const reset = () => page.evaluate(() => void ((window as unknown as Seen).longestTask = 0));
  // entries arrive after their task ends: give the observer 100 ms before reading
  const longest = () =>
    page.evaluate(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return (window as unknown as Seen).longestTask;
    });
  // a task of the page's own (a timer's): what Playwright evaluates directly is not a page task
  await page.evaluate(
    () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          const t0 = performance.now();
          while (performance.now() - t0 < 250);
          r();
        }, 0),
      ),
  );
  expect(await longest(), "the long-task observer sees a 250 ms busy loop").toBeGreaterThanOrEqual(250);
  await reset();
  return { reset, longest };
}

/**
 * Click every example's Run button on `path`, in order; the outputs keyed by the examples' titles. Each must finish
 * without an error, print no number with a trailing zero after its point, and leave the page responsive: from the
 * click to the end of the output, no main-thread task runs longer than MAX_MAIN_THREAD_TASK.
 */
async function runExamples(path: string): Promise<Record<string, string>> {
  const { page, errors } = await open(path);
  const tasks = await longTasks(page);
  const examples = page.locator(".run-example");
  const count = await examples.count();
  const outputs: Record<string, string> = {};
  const longest: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const ex = examples.nth(i);
    const title = await ex.locator(".run-example-head span").innerText();
    // scrolled into view and painted first: the tasks measured are the run's, not the scroll's
    await ex.scrollIntoViewIfNeeded();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await tasks.reset();
    await ex.locator("button").click();
    const out = ex.locator(".run-example-output");
    await out.filter({ hasText: /\(ran in|Error:/ }).waitFor({ timeout: 60_000 });
    longest[title] = await tasks.longest();
    outputs[title] = await out.innerText();
  }
  await page.close();
  expect(errors).toEqual([]);
  for (const [title, o] of Object.entries(outputs)) {
    expect(o, title).not.toMatch(/Error:/);
    expect(o.match(TRAILING_ZERO), title).toBeNull();
    expect(longest[title], `${title}: longest main-thread task (ms)`).toBeLessThan(MAX_MAIN_THREAD_TASK);
  }
  const report = Object.keys(outputs).map((t) => `${Math.round(ranInMs(outputs[t]))} ms (${Math.round(longest[t])})`);
  console.log(`${path}: each example's running time in the worker, and (the longest main-thread task, ms): ${report.join(", ")}`);
  return outputs;
}

/** The example's own running time, from its last line "(ran in X ms, …)". */
function ranInMs(output: string): number {
  return num(output, "(ran in");
}

/** The text after `label` on the first output line that contains it. */
function after(output: string, label: string): string {
  const line = output.split("\n").find((l) => l.includes(label));
  if (line === undefined) throw new Error(`no line with '${label}' in:\n${output}`);
  return line.slice(line.indexOf(label) + label.length);
}

/** Every number in `s` (decimal or exponent notation, with ASCII or Unicode minus). */
function numbers(s: string): number[] {
  return (s.replace(/−/g, "-").match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi) ?? []).map(Number);
}

function num(output: string, label: string): number {
  const xs = numbers(after(output, label));
  if (xs.length === 0) throw new Error(`no number after '${label}'`);
  return xs[0];
}

function inertiaAfter(output: string, label: string): { negative: number; zero: number; positive: number } {
  const s = after(output, label);
  const m = s.match(/"negative":(\d+),"zero":(\d+),"positive":(\d+)/) ?? s.match(/\((\d+), (\d+), (\d+)\)/);
  if (!m) throw new Error(`no inertia after '${label}': ${s}`);
  return { negative: Number(m[1]), zero: Number(m[2]), positive: Number(m[3]) };
}

function closeRel(printed: number, exact: number, rel = REL8): void {
  expect(Math.abs(printed - exact)).toBeLessThanOrEqual(rel * Math.abs(exact));
}

/** ε_c(φ) closed forms (docs/conventions.md#index-and-critical-energy; σ² = 1, φ < 1). */
function epsCWigner(phi: number): number {
  return (1 - 20 * phi - 8 * phi * phi + Math.pow(1 + 8 * phi, 1.5)) / 16;
}
function epsCRelu(phi: number): number {
  const xi = 1 + 16 * phi - 8 * phi * phi;
  return (27 - 18 * xi - xi * xi + 8 * Math.pow(xi, 1.5)) / (32 * phi * Math.pow(1 - phi, 3));
}

describe("docs site", () => {
  it("every page links the favicon, and the favicon is served", async () => {
    const { page } = await open("/");
    expect(await page.getAttribute('link[rel="icon"]', "href")).toBe("/favicon.svg");
    const res = await page.goto(`${base}/favicon.svg`);
    expect(res?.status()).toBe(200);
    expect(await res?.text()).toMatch(/^<svg /);
    await page.close();
  });

  it("core examples: eigenvalues, SVD, solves, backends and errors", async () => {
    const o = await runExamples("/guide/examples");
    const eig = o["eigh on the WASM core"];
    // the second-difference matrix: eigenvalues 2 − √2, 2, 2 + √2 with eigenvectors [1, √2, 1]/2, [1, 0, −1]/√2
    // (signs: largest-magnitude component positive, the first one on ties)
    numbers(after(eig, "eigenvalues")).forEach((v, i) => closeRel(v, [2 - Math.SQRT2, 2, 2 + Math.SQRT2][i]));
    numbers(after(eig, "v₁ (λ = 2 − √2)")).forEach((v, i) => closeRel(v, [0.5, Math.SQRT1_2, 0.5][i]));
    const v2 = numbers(after(eig, "v₂ (λ = 2)"));
    closeRel(v2[0], Math.SQRT1_2);
    expect(Math.abs(v2[1])).toBeLessThan(1e-15); // rounding of an exact 0: O(ε·‖A‖)
    closeRel(v2[2], -Math.SQRT1_2);
    expect(eig).toContain("backend relaxed"); // Chromium validates relaxed SIMD, so init() picks that build

    const sv = o["svd, rankDetails, nullspace"];
    expect(num(sv, "rank")).toBe(2); // row 2 = 2·row 1, rows 1 and 3 independent
    // null space of [[1,2,3],[2,4,6],[1,0,1]] is span{[1, 1, −1]}; basis entries ±1/√3
    numbers(after(sv, "basis")).forEach((v) => closeRel(Math.abs(v), 1 / Math.sqrt(3)));
    // ‖A·N‖ is rounding: ≤ n·ε·σ_max ≈ 3·2.2e-16·8.4 ≈ 6e-15 (1e-13 leaves room for the SVD's p(n) factor)
    expect(num(sv, "max |A·N|")).toBeLessThan(1e-13);

    const so = o["solve, cholesky, triangularSolve"];
    numbers(after(so, "x = A⁻¹b")).slice(-2).forEach((v, i) => closeRel(v, [0.8, 1.4][i]));
    expect(numbers(after(so, "Cholesky factor L"))).toEqual([2, 0, 1, 2]);
    expect(numbers(after(so, "L·Lᵀ"))).toEqual([4, 2, 2, 5]);
    numbers(after(so, "via L and Lᵀ")).forEach((v) => closeRel(v, 1));

    const be = o["matmul and eigvalsh on simd, scalar and ts"];
    // 60×60 entries in [−1, 1): per-entry GEMM error ≤ k·u·Σ|a||b| ≤ 60·1.1e-16·60 ≈ 4e-13 between any two orders
    expect(num(be, "max |C_simd − C_ts|")).toBeLessThan(1e-12);
    // eigenvalues of AᵀA on two backends: both backward stable, O(n·ε) relative to λ_max
    expect(num(be, "max |λ_scalar − λ_ts| / λ_max")).toBeLessThan(1e-12);
    expect(be).toContain("backend simd"); // the example restores the SIMD backend

    const mem = o["memory size over repeated calls, and a recoverable OutOfMemoryError"];
    const sizes = numbers(after(mem, "(bytes)"));
    expect(sizes).toHaveLength(5);
    expect(new Set(sizes).size).toBe(1); // the arena is reused: no growth over repeated calls of one size
    expect(mem).toContain("OutOfMemoryError E_OUT_OF_MEMORY — syrk: argument 'a' (1 × 25000) with its 25000 × 25000 product needs 4.66 GiB of WASM memory"); // 25000²·8 B + A + work
    expect(num(mem, "  memory")).toBe(sizes[0]); // the failed call grew nothing and the instance still works
    expect(num(mem, "λ_max of the Hilbert-like matrix")).toBeGreaterThan(1); // ≥ the Rayleigh quotient a₀₀ = 1

    const er = o["typed errors"];
    expect(er).toContain("ShapeError E_SHAPE true — matmul: inner dimensions differ: op(a) is 2×3 (a 2×3), op(b) is 2×2 (b 2×2)");
    expect(er).toContain("ValueError E_VALUE true — eigh: argument 'a' must be symmetric");
    expect(er).toContain("ValueError E_VALUE true — eigh: argument 'a' must be finite; found NaN at (0, 1)");
  });

  it("mlp examples: the exact Hessian of the tanh 1-3-1 net and its split", async () => {
    const o = await runExamples("/guide/examples-mlp");
    const ref = reference.tanh131GlobalMinimum;
    const h = o["tanh 1-3-1: critical point, exact Hessian, inertia"];
    expect(num(h, "M")).toBe(10);
    closeRel(num(h, "loss"), ref.loss);
    expect(num(h, "‖∇R‖")).toBeLessThan(1e-10); // refined to gtol 1e-12
    // eigenvalues against the 50-digit reference: the computed ones are within ε·max|λ| ≈ 1e-15 of it, far below
    // the printing error
    numbers(after(h, "Hessian eigenvalues")).forEach((v, i) => closeRel(v, ref.hessianEigenvalues[i]));
    const I = inertiaAfter(h, "inertia");
    expect([I.negative, I.zero, I.positive]).toEqual(ref.inertia);
    // central differences: truncation O(h²·|∇³R|) ≈ 1e-10 plus rounding O(u·|∇R|/h) ≈ 1e-11, relative to max|H| ≈ 4.4
    expect(num(h, "max |H − FD| / max |H|")).toBeLessThan(1e-8);

    const s = o["Gauss–Newton split and the R-operator"];
    const H = inertiaAfter(s, "inertia H ");
    const H0 = inertiaAfter(s, "inertia H₀");
    expect(H.negative + H.zero + H.positive).toBe(10);
    expect(H0.negative).toBe(0); // H₀ = JᵀJ/n is positive semidefinite
    // H = H₀ + H₁ entrywise up to one rounding of the sum (u·max|H| with max|H| = O(10))
    expect(num(s, "max |H − H₀ − H₁|")).toBeLessThan(1e-14);
    // H₀ against JᵀJ/n by core's syrk: two evaluations of the same sums, ≤ n·u·Σ|J||J|/n ≈ 1e-14
    expect(num(s, "max |H₀ − JᵀJ/n|")).toBeLessThan(1e-13);
    // the R-operator and H·v are two exact formulas evaluated in float64: agreement to rounding (M·u ≈ 1e-15)
    expect(num(s, "max |Hv (R-operator) − H·v| / max |H·v|")).toBeLessThan(1e-12);

    const t = o["L-BFGS and Adam on the 1-3-1 net"];
    const lbfgs = numbers(after(t, "lbfgs loss"));
    expect(lbfgs[1]).toBeLessThan(lbfgs[0]);
    // an Armijo line search accepts only decreasing steps: R never increases from one epoch to the next
    expect(numbers(after(t, "lbfgs")).at(-1)!).toBeLessThanOrEqual(0);
    const adam = numbers(after(t, "adam  loss"));
    expect(adam[1]).toBeLessThan(adam[0]);
  });

  it("curvature examples: exact and estimate agree, the index in its interval, 1 and 2 threads give the same bits", async () => {
    const o = await runExamples("/guide/examples-curvature");
    const c = o["exact and estimate: eigenvalues, trace, index"];
    expect(after(c, "methods")).toContain("exact estimate");
    expect(num(c, "M")).toBe(370);
    // block Lanczos stops at ‖Hv − λv‖ ≤ 1e-8·‖H‖, so the Ritz values are far closer (quadratic in the residual)
    expect(num(c, "largest relative difference")).toBeLessThan(1e-10);
    const [exactTop, estTop] = [numbers(after(c, "top exact")), numbers(after(c, "top estimate"))];
    estTop.forEach((v, i) => closeRel(v, exactTop[i]));
    const [exactBottom, estBottom] = [numbers(after(c, "bottom exact")), numbers(after(c, "bottom estimate"))];
    estBottom.forEach((v, i) => closeRel(v, exactBottom[i]));
    const [trace, hpp, se] = numbers(after(c, "trace exact"));
    expect(Math.abs(hpp - trace)).toBeLessThanOrEqual(4 * se);
    const [indexExact, , , lo, hi] = numbers(after(c, "index exact")); // exact, estimate, "95"%, interval
    expect(indexExact).toBeGreaterThanOrEqual(lo);
    expect(indexExact).toBeLessThanOrEqual(hi);

    const t = o["1 and 2 threads"];
    expect(after(t, "chunks")).toMatch(/threads 1 2/);
    expect(after(t, "identical products:")).toContain("true");
    expect(after(t, "identical eigenvalues:")).toContain("true");
  });

  it("embedding examples: a certified embedding, a strict saddle, a reduction", async () => {
    const o = await runExamples("/guide/examples-embedding");
    const c = o["splitting neuron 0 of the global minimum with α = 1/2, certified"];
    expect(numbers(after(c, "parameters"))).toEqual([10, 13]); // one more neuron of a 1-m-1 net: +3 parameters
    // the split preserves the output: α·σ(z) + (1−α)·σ(z) = σ(z) up to rounding (a few u·|f|, |f| ≤ 2)
    expect(num(c, "max |f_wide − f| (data and probes)")).toBeLessThan(1e-12);
    const [lossBefore, lossAfter] = numbers(after(c, "loss"));
    closeRel(lossAfter, lossBefore);
    closeRel(lossBefore, reference.tanh131GlobalMinimum.loss);
    // inertia(after) = inertia(before) + inertia(α(1−α)Γ_s) + (0, 1, 0) at a non-degenerate critical point
    const gamma = numbers(after(c, "eigenvalues of α(1−α)Γ_s"));
    expect(gamma.every((g) => Math.abs(g) > 1e-8)).toBe(true); // far above the zero threshold 1e-9·4.4
    const before = inertiaAfter(c, "inertia before");
    const afterI = inertiaAfter(c, " after");
    expect(before).toEqual({ negative: 0, zero: 0, positive: 10 });
    expect(afterI).toEqual({
      negative: before.negative + gamma.filter((g) => g < 0).length,
      zero: before.zero + 1,
      positive: before.positive + gamma.filter((g) => g > 0).length,
    });
    expect(inertiaAfter(c, "predicted")).toEqual(afterI);
    expect(c).toContain("countsNeverDecrease true  predictionMatches true");

    const s = o["strictSaddleEmbedding"];
    expect(after(s, "verified")).toContain("true");
    const lmin = num(s, "λ_min(H_wide)");
    expect(lmin).toBeLessThan(0);
    // vᵀHv of the unit eigenvector by an independent HVP equals λ_min up to rounding; printed to 8 digits
    closeRel(num(s, "vᵀHv by the R-operator"), lmin, 1e-7);
    expect(inertiaAfter(s, "wide inertia").negative).toBeGreaterThanOrEqual(1);

    const r = o["embedSequence, then reduceNetwork"];
    expect(numbers(after(r, "embedded widths")).slice(0, 3)).toEqual([1, 5, 1]);
    expect(numbers(after(r, "reduced"))).toEqual([1, 5, 1, 1, 3, 1, 3]); // before → after, then m_min
    expect(num(r, "max |Δf|")).toBeLessThan(1e-12); // merging exact copies back: rounding only
  });

  it("depth examples: a certified critical lifting pruned back; the tanh refusal; the shifts shrink with data; the split lifting and a verified strict saddle", async () => {
    const o = await runExamples("/guide/examples-depth");
    const c = o["liftDepth, certifyLift, pruneLayer on a relu 1-3-1 critical point"];
    // ΔN = d² + d for the new d × d layer with biases, d = 3
    expect(numbers(after(c, "widths"))).toEqual([1, 3, 1, 1, 3, 3, 1, 12]);
    expect(num(c, "max |f_deep − f| on the data")).toBeLessThan(1e-13);
    const [lossBefore, lossAfter] = numbers(after(c, "loss"));
    closeRel(lossAfter, lossBefore);
    const before = inertiaAfter(c, "inertia before");
    expect(inertiaAfter(c, " after")).toEqual({ negative: before.negative, zero: before.zero + 12, positive: before.positive });
    expect(inertiaAfter(c, "predicted")).toEqual(inertiaAfter(c, " after"));
    expect(c).toContain("certified true");
    // widths exactly; the parameters to rounding: pruning folds the layer's affine pieces (slope, intercept) into
    // the next layer's weights and bias (observed 0 or 4.4e-16, one ulp of a parameter in [2, 4))
    const [w0, w1, w2, maxDiff] = numbers(after(c, "pruned back to"));
    expect([w0, w1, w2]).toEqual([1, 3, 1]);
    expect(maxDiff).toBeLessThanOrEqual(1e-14);

    const r = o["refusal for tanh; the admissible shifts as rows are added"];
    expect(r).toContain("tanh: ValueError liftDepth: activation 'tanh' is affine on no interval");
    // the new neuron reading x needs c > −min x over the rows: the last 5, 10, 20 of linspace(−2, 2, 20)
    const bound = (n: number) => numbers(after(r, `last ${n} rows: shift lower bounds for a lift at the input`))[0];
    closeRel(bound(5), -(-2 + (4 * 15) / 19));
    closeRel(bound(10), -(-2 + (4 * 10) / 19));
    closeRel(bound(20), 2);

    const k = o["split lifting and strictSaddleLift at a relu 1-3-1 minimum"];
    expect(numbers(after(k, "split widths")).slice(0, 4)).toEqual([1, 2, 3, 1]);
    expect(num(k, "max |Δf| on the data")).toBeLessThan(1e-13);
    // the partial sums over the rows with x > 0 do not vanish: the split point is not critical
    const [gBefore, gAfter] = numbers(after(k, "split ‖∇R‖"));
    expect(gBefore).toBeLessThan(1e-10);
    expect(gAfter).toBeGreaterThan(1e-6);
    expect(numbers(after(k, "saddle widths")).slice(0, 4)).toEqual([1, 3, 4, 1]);
    expect(num(k, "partial sum ‖G_S‖")).toBeGreaterThan(1e-6);
    const [l0, l1] = numbers(after(k, "loss"));
    closeRel(l1, l0);
    expect(inertiaAfter(k, "inertia before").negative).toBe(0);
    expect(inertiaAfter(k, " after").negative).toBeGreaterThanOrEqual(1);
    const lmin = num(k, "λ_min");
    expect(lmin).toBeLessThan(0);
    closeRel(num(k, "vᵀHv by the R-operator"), lmin, 1e-7);
    expect(numbers(after(k, "R(θ + t·v) − R(θ) at t"))[1]).toBeLessThan(0);
    expect(k).toContain("verified true");
  });

  it("spectra examples: Pennington–Bahri density, index, ε_c, ReLU atom, random matrices, SLQ", async () => {
    const o = await runExamples("/guide/examples-spectra");
    const w = o["Wigner model at φ = 1/4, ε = 0.1"];
    const ref = reference.wignerPhi025Eps01;
    closeRel(num(w, "index α"), ref.index); // α exact to rounding vs the 30-digit reference
    numbers(after(w, "support")).slice(0, 2).forEach((v, i) => closeRel(v, ref.support[0][i]));
    closeRel(num(w, "ε_c numeric"), epsCWigner(0.25));
    closeRel(num(w, "closed form"), epsCWigner(0.25));
    closeRel(num(w, "ε_c by hand"), ref.epsC);
    // trapezoid on 2001 points of a density with square-root edges: error O(h^{3/2}) ≈ (2.9/2000)^{1.5} ≈ 6e-5
    expect(Math.abs(num(w, "∫ρ (trapezoid, 2001 points)") - 1)).toBeLessThan(2e-4);

    const a = o["α(ε) around ε_c, and the φ ≥ 1 regime"];
    closeRel(num(a, "ε_c"), reference.epsC["wigner(0.25)"]);
    expect(after(a, "ε = 0.5 · ε_c")).toMatch(/α = 0 eps<epsC/);
    expect(after(a, "ε = 0.99 · ε_c")).toMatch(/α = 0 eps<epsC/);
    // α / (α₀δ^{3/2}) → 1 as δ → 0 (the next term of the expansion is O(δ))
    const ratios = [1e-2, 1e-3, 1e-4].map((d) => numbers(after(a, `δ = ${d}`)).at(-1)!);
    for (let k = 0; k < ratios.length; k++) expect(Math.abs(ratios[k] - 1)).toBeLessThan(2 * [1e-2, 1e-3, 1e-4][k]);
    expect(num(a, "φ = 1.5, ε = 0.001: α =")).toBeGreaterThan(0); // φ ≥ 1: α > 0 for every ε > 0
    expect(after(a, "φ = 1.5")).toContain("phi>=1: epsC=0  ε_c 0  closed form null");

    const relu = o["ReLU model at φ = 4"];
    for (const phi of [0.5, 3, 4]) {
      const line = after(relu, `φ = ${phi}  atom`);
      const atom = numbers(line)[0];
      const expected = numbers(after(line, "1 − 2/φ ="))[0];
      closeRel(expected, Math.max(0, 1 - 2 / phi));
      if (expected === 0) expect(atom).toBe(0);
      else closeRel(atom, 1 - 2 / phi); // the atom 1 − 2/φ at 0 for φ > 2
    }

    const e = o["N = 400 sample vs the Wigner model"];
    // empirical vs limiting index at N = 400: O(1/N) bias plus the fluctuation of the number of eigenvalues below
    // 0 (O(√(log N))/N for a soft edge); 0.02 is > 5 times what seeds 1–5 show
    expect(num(e, "|difference|")).toBeLessThan(0.02);
    closeRel(num(e, "theory"), ref.index);

    const q = o["SLQ of a 1-20-1 Hessian against its exact spectrum"];
    expect(num(q, "Lanczos steps per probe")).toBe(61); // no breakdown: M steps span the whole space
    // with M steps T is similar to H on the Krylov space = ℝᴹ: its eigenvalues are H's, to O(M·u·‖H‖)
    expect(num(q, "max distance of a Gauss node to the exact spectrum / max|λ|")).toBeLessThan(1e-10);
    // seeded Monte Carlo estimates: within 4 standard errors (over the 32 probes) of the exact values
    for (const label of ["index: exact", "tr(H)/M: exact"]) {
      const [exact, estimate, se] = numbers(after(q, label).replace(/SLQ estimate|standard error/g, ""));
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(estimate - exact)).toBeLessThan(4 * se);
    }
  });

  it("manifold examples: Cooper's dimension and the extra degeneracy of a split teacher", async () => {
    const o = await runExamples("/guide/examples-manifold");
    const g = o["globalMinimumDimension of a 1-10-1 exact fit"];
    expect(num(g, "M")).toBe(31); // 1-10-1: 10 + 10 + 10 + 1
    expect(num(g, " n")).toBe(10);
    expect(num(g, "loss")).toBeLessThan(1e-20);
    expect(num(g, "rank J")).toBe(10); // full rank n·r: Cooper's theorem applies
    expect(num(g, "Cooper dimension M − n·r")).toBe(21);
    expect(num(g, "local dimension M − rank J")).toBe(21);
    expect(num(g, "Hessian corank")).toBe(21); // H = JᵀJ/n at zero loss: corank = M − rank J
    expect(after(g, "agrees")).toContain("true");

    const s = o["a split teacher: rank J < n·r"];
    const rankJ = num(s, "rank J");
    expect(numbers(after(s, "M"))[0]).toBe(10);
    expect(num(s, "n·r")).toBe(10);
    expect(rankJ).toBeLessThan(10); // the duplicated neuron makes J rank-deficient
    expect(num(s, "Cooper dimension")).toBe(0);
    expect(num(s, "local dimension")).toBe(10 - rankJ);
    expect(num(s, "Hessian corank")).toBe(10 - rankJ); // zero loss: H = JᵀJ/n
    expect(num(s, "m_total − m_min")).toBe(1);
    expect(after(s, "agrees")).toMatch(/^ false/);

    const m = o["sampleMinimumManifold and localPcaDimension"];
    expect(numbers(after(m, "samples")).slice(0, 2)).toEqual([200, 31]);
    expect(num(m, "max loss")).toBeLessThan(1e-20); // projected to R ≤ 1e-26 (the sampler's default lossTol)
    expect(num(m, "tangent dimension")).toBe(21); // dim ker J = M − rank J
    expect(num(m, "local PCA dimension")).toBe(21); // the samples fill the 21-dimensional manifold
    expect(num(m, "gap s_d / s_{d+1}")).toBeGreaterThanOrEqual(10); // the estimator's own acceptance rule

    const nn = o["TwoNN and Levina–Bickel on designed neighbourhoods"];
    // the heaviest example on the site (0.7–2 s in headless Chromium here): run in the page, it would be one task
    // longer than the allowed one; in the worker, runExamples saw no main-thread task that long
    expect(ranInMs(nn)).toBeGreaterThan(MAX_MAIN_THREAD_TASK);
    expect(numbers(after(nn, "centres"))[0]).toBe(400);
    expect(num(nn, "M − n·r")).toBe(21);
    // Every-point TwoNN on a 21-dimensional ball sample is biased low (measured 14.4–15.8 over 5 seeds).
    expect(num(nn, "TwoNN at every point of the ball sample (boundary-biased)")).toBeLessThan(18);
    // On the designed neighbourhoods both are unbiased MLEs: within 4 standard errors of 21 (TwoNN 21/√398 ≈ 1.05,
    // Levina–Bickel 21/√3600 = 0.35; measured over 5 seeds 20.0–22.1 and 20.5–21.5).
    const [twoNn, seTwoNn] = numbers(after(nn, "TwoNN on the neighbourhoods"));
    expect(Math.abs(twoNn - 21)).toBeLessThan(4 * seTwoNn);
    const [lb, seLb] = numbers(after(nn, "Levina–Bickel (k = 10) on the neighbourhoods").replace("s.e.", ""));
    expect(Math.abs(lb - 21)).toBeLessThan(4 * seLb);

    const ds = o["lossSlice of a 2-8-8-1 net"];
    expect(after(ds, "evaluator")).toMatch(/^ forward-per-point/); // two hidden layers: not the affine-plane path
    expect(numbers(after(ds, "grid")).slice(0, 2)).toEqual([41, 41]);
    // lossPlane and mlp.loss: two float64 evaluations of the same R (the kernel's tanh polynomial ≤ ~5 ulp)
    expect(num(ds, "max relative difference to mlp.loss at 4 grid points")).toBeLessThan(1e-13);
    const [center, lo, hi] = numbers(after(ds, "R at the centre").replace(/min|max/g, ""));
    expect(lo).toBeLessThanOrEqual(center);
    expect(hi).toBeGreaterThan(center);

    const cc = o["two components (relu) and one (quadratic, width > 2N)"];
    expect(numbers(after(cc, "relu: R(A)"))).toEqual([0, 0]); // R(A) and R(B): both exact minima
    // Any path between the components crosses some wᵢ = 0, where R ≥ 1/4 (the analytic bound; the straight line's
    // maximum is exactly 1/2 at t = 1/2).
    for (const method of ["linear", "chain", "bezier", "neb"]) expect(num(cc, `relu barrier ${method}`)).toBeGreaterThanOrEqual(0.25);
    expect(after(cc, "relu: R ≤ 0.1 connected")).toMatch(/^ false/);
    const [ra, rb] = numbers(after(cc, "quadratic: R(A)"));
    expect(Math.max(ra, rb)).toBeLessThanOrEqual(1e-26); // two exact fits (projectToZeroLoss's default lossTol)
    expect(num(cc, "quadratic: straight-line barrier")).toBeGreaterThan(1e-2); // the chord climbs…
    expect(after(cc, "quadratic: R ≤ 1e-4 connected")).toMatch(/^ true/); // …but a path inside R ≤ 1e-4 exists
    expect(num(cc, "max R on the path")).toBeLessThanOrEqual(1e-4);

    const f = o["embeddingLine and lossSlice"];
    expect(numbers(after(f, "widths")).slice(0, 3)).toEqual([1, 11, 1]);
    // T^α(θ) has the same output for every α: R stays at the fit's rounding level (residuals ≲ 1e-14, R ≲ 1e-28)
    expect(num(f, "max |R − R(θ)| along the embedding line (|a| ≤ 2)")).toBeLessThan(1e-20);
    expect(num(f, "max − min of R along a random direction")).toBeGreaterThan(1e-3); // not flat: the contrast
    // the slice's fast plane evaluation and mlp's loss are two float64 evaluations of the same R: rounding apart
    expect(num(f, "max |slice − R(θ + a·d)| / max R")).toBeLessThan(1e-12);
  });

  it("the α(ε, φ) heat map draws, reports its time and redraws on new ranges", async () => {
    const { page, errors } = await open("/guide/heatmap");
    const map = page.locator(".alpha-heatmap");
    const time = page.locator(".alpha-heatmap-time");
    const read = async () => ({
      ms: Number(await map.getAttribute("data-ms")),
      cells: Number(await map.getAttribute("data-cells")),
      zero: Number(await map.getAttribute("data-zero-cells")),
      failed: Number(await map.getAttribute("data-failed-cells")),
      max: Number(await map.getAttribute("data-max-index")),
      maxPhi: Number(await map.getAttribute("data-max-phi")),
      maxEps: Number(await map.getAttribute("data-max-eps")),
      model: await map.getAttribute("data-model"),
      draws: Number(await map.getAttribute("data-draws")),
      text: await time.innerText(),
    });
    /** Wait until the map has been redrawn since draw number `prev` and no redraw is pending (changes coalesce). */
    const settled = (prev: number) =>
      page.waitForFunction(
        (p) => {
          const m = document.querySelector(".alpha-heatmap");
          return Number(m?.getAttribute("data-draws")) > p && m?.getAttribute("data-busy") === "false";
        },
        prev,
        { timeout: 30_000 },
      );
    /** Cells of the 100 × 100 grid below ε_c(φ) (closed form): exactly those with α = 0. */
    const expectedZero = (epsC: (p: number) => number, phi: [number, number], eps: [number, number]) => {
      let count = 0;
      for (let i = 0; i < 100; i++) {
        const p = phi[0] + ((phi[1] - phi[0]) * i) / 99;
        if (p >= 1) continue;
        for (let j = 0; j < 100; j++) {
          const e = eps[0] + ((eps[1] - eps[0]) * j) / 99;
          // no grid point sits within 1e-9 (relative) of the curve, where rounding could decide the side
          expect(Math.abs(e - epsC(p))).toBeGreaterThan(1e-9 * epsC(p));
          if (e < epsC(p)) count++;
        }
      }
      return count;
    };
    const canvasColours = () =>
      page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>(".alpha-heatmap-canvas")!;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let k = 0; k < d.length; k += 4) seen.add((d[k] << 16) | (d[k + 1] << 8) | d[k + 2]);
        return seen.size;
      });

    await time.filter({ hasText: /ms/ }).waitFor({ timeout: 30_000 });
    const first = await read();
    expect(first.model).toBe("wigner");
    expect(first.cells).toBe(10_000);
    expect(first.failed).toBe(0);
    expect(first.ms).toBeGreaterThan(0);
    expect(first.text).toMatch(/10000 cells in \d+ ms/);
    expect(first.zero).toBe(expectedZero(epsCWigner, [0.02, 1.5], [0.001, 0.25]));
    // the largest cell against the same model evaluated in node (another engine; α is exact to rounding, and the
    // page passes the same doubles, so agreement is to a few ulps)
    expect(first.max).toBeGreaterThan(0);
    expect(Math.abs(first.max - penningtonBahri({ model: "wigner", phi: first.maxPhi, eps: first.maxEps }).index)).toBeLessThan(1e-14);
    expect(await canvasColours()).toBeGreaterThan(50); // a drawn colour map, not a blank canvas
    // the pointer read-out: the bottom-left cell (φ = 0.02, ε = 0.001 < ε_c(0.02) ≈ 0.12) has α = 0, the top-right
    // one (φ = 1.5 ≥ 1) has α > 0
    const canvasEl = page.locator(".alpha-heatmap-canvas");
    await canvasEl.scrollIntoViewIfNeeded();
    const box = (await canvasEl.boundingBox())!;
    const hoverText = () => page.locator(".alpha-heatmap-hover").innerText();
    await page.mouse.move(box.x + 66, box.y + 12 + 398); // plot area: 64 px from the left, 12 from the top, 400 wide
    await expect.poll(hoverText).toBe("φ = 0.02000, ε = 0.001000: α = 0");
    await page.mouse.move(box.x + 64 + 398, box.y + 14);
    await expect.poll(hoverText).toMatch(/^φ = 1\.500/);
    const topRight = await hoverText();
    expect(topRight).toMatch(/^φ = 1\.500, ε = 0\.2500: α = 0\.\d+$/);
    expect(Math.abs(numbers(topRight).at(-1)! - penningtonBahri({ model: "wigner", phi: 1.5, eps: 0.25 }).index)).toBeLessThan(1e-6); // 6 digits

    // φ ∈ [0.05, 0.95] only: every column has a critical energy; then the ReLU model on the same ranges
    await page.locator("input.phi-min").fill("0.05");
    await page.locator("input.phi-max").fill("0.95");
    await page.locator("input.phi-max").blur(); // a user's edit commits (fires change) on blur
    await settled(first.draws);
    const wigner = await read();
    expect(wigner.model).toBe("wigner");
    expect(wigner.zero).toBe(expectedZero(epsCWigner, [0.05, 0.95], [0.001, 0.25]));

    // the ReLU model's grid is the slowest (~0.8 s): computed in slices, it leaves no long main-thread task
    const tasks = await longTasks(page);
    await page.locator(".alpha-heatmap select").selectOption("relu");
    await settled(wigner.draws);
    expect(await tasks.longest()).toBeLessThan(MAX_MAIN_THREAD_TASK);
    const relu = await read();
    expect(relu.model).toBe("relu");
    expect(relu.failed).toBe(0);
    expect(relu.zero).toBe(expectedZero(epsCRelu, [0.05, 0.95], [0.001, 0.25]));
    expect(Math.abs(relu.max - penningtonBahri({ model: "relu", phi: relu.maxPhi, eps: relu.maxEps }).index)).toBeLessThan(1e-14);

    // an invalid range is reported, not drawn
    await page.locator("input.phi-min").fill("0");
    await page.locator("input.phi-min").blur();
    await expect.poll(() => page.locator(".alpha-heatmap-error").textContent()).toBe("Error: φ must be > 0");
    expect((await read()).draws).toBe(relu.draws);
    await page.close();
    expect(errors).toEqual([]);
    console.log(`heat map in Chromium: wigner ${first.ms} ms (φ 0.02–1.5) and ${wigner.ms} ms (φ 0.05–0.95); relu ${relu.ms} ms`);
  });

  it("a PyTorch-trained network: read from ONNX, checked against PyTorch, its exact Hessian and where it goes", async () => {
    const o = await runExamples("/guide/pytorch");
    const read = o["readOnnx: PyTorch's network, loss and gradient"];
    expect(read).toContain("widths [4, 16, 3]  activation tanh  M 131  from pytorch 1.13.0");
    // The same float64 formulas summed in other orders: a few ulps of the largest terms (as in @losscape/io's
    // trained.test.ts, which checks every backend against the same reference to 1e-12).
    expect(num(read, "|ΔR| / R")).toBeLessThan(1e-12);
    expect(num(read, "max |Δ∇R| / max |∇R|")).toBeLessThan(1e-12);
    closeRel(num(read, "training accuracy"), pytorchRef.reference.accuracy); // printed to 8 digits
    const hs = o["Hessian spectrum, inertia and the Gauss–Newton split"];
    expect(num(hs, "max |λ − λ_PyTorch| / max |λ|")).toBeLessThan(1e-12);
    // The inertia PyTorch's own eigenvalues give under the same rule, |λ| ≤ 1e-9·max(1, max|λ|) counts as zero.
    const ev = pytorchRef.reference.eigenvalues;
    const thr = 1e-9 * Math.max(1, ...ev.map(Math.abs));
    expect(inertiaAfter(hs, "inertia of H  (tol 1e-9)")).toEqual({
      negative: ev.filter((v) => v < -thr).length,
      zero: ev.filter((v) => Math.abs(v) <= thr).length,
      positive: ev.filter((v) => v > thr).length,
    });
    // H₀ is positive semidefinite: no negative eigenvalue beyond the zero tolerance.
    expect(inertiaAfter(hs, "inertia of H₀ (tol 1e-9)").negative).toBe(0);
    const cp = o["refineCriticalPoint from the PyTorch weights"];
    expect(cp).toContain("outcome escaping  kind null");
    expect(num(cp, "‖∇R‖ at the end")).toBeLessThan(1e-12);
    const norms = numbers(after(cp, "norm ‖θ‖"));
    expect(norms[1]).toBeGreaterThan(1.5 * norms[0]);
  });

  it("serves the guide, the design pages of docs/, the package pages with their READMEs and the benchmark results", async () => {
    for (const [path, text] of [
      ["/packages/core", "Drmač"],
      ["/packages/mlp", "@losscape/mlp"],
      ["/packages/embedding", "@losscape/embedding"],
      ["/packages/spectra", "@losscape/spectra"],
      ["/packages/manifold", "@losscape/manifold"],
      ["/packages/io", "@losscape/io"],
      ["/packages/cli", "losscape"],
      ["/benchmarks/RESULTS", "Benchmark results"],
      ["/guide/getting-started", "await init()"],
      ["/docs/architecture", "The WebAssembly boundary"],
      ["/docs/conventions", "Inertia"],
      ["/docs/formats", "losscape.mlp/1"],
      ["/docs/cli", "Exit status"],
      ["/", "Loss-landscape geometry"],
    ] as const) {
      const { page, errors } = await open(path);
      expect(await page.locator("#app").innerText(), path).toContain(text);
      if (path.startsWith("/packages/")) {
        // the README's formulas are rendered (MathJax, no error), and no pseudo-TeX is left in the prose
        const prose = await page.locator(".vp-doc").evaluate((el) => {
          const copy = el.cloneNode(true) as HTMLElement;
          copy.querySelectorAll("mjx-container, pre, code").forEach((n) => n.remove());
          return copy.textContent ?? "";
        });
        expect(prose.match(/\^\{|_\{|\\[A-Za-z]+|\$/g), path).toBeNull();
        expect(await page.locator(".vp-doc mjx-container merror, .vp-doc mjx-merror").count(), path).toBe(0);
      }
      if (path === "/packages/core") {
        // the README's relative link to benchmarks/RESULTS.md must land on the site's benchmarks page
        const href = await page.locator(".vp-doc a", { hasText: "benchmarks/RESULTS.md" }).first().evaluate((a) => (a as HTMLAnchorElement).href);
        expect(new URL(href).pathname).toBe("/benchmarks/RESULTS");
      }
      if (path === "/packages/mlp") {
        // the README's relative link to docs/conventions.md must land on the site's page of that file
        const href = await page.locator(".vp-doc a", { hasText: "docs/conventions.md" }).first().evaluate((a) => (a as HTMLAnchorElement).href);
        expect(new URL(href).pathname).toBe("/docs/conventions");
      }
      await page.close();
      expect(errors).toEqual([]);
    }
  });
});
