// The benchmark harness shared by node and the browser page (apps/bench): it runs suites (see ../README.md for
// their format) and returns plain JSON. It imports only '@losscape/core', so the same file runs unchanged in both.
import { BACKENDS, getBackend, getGemmBlocking, getGemmTile, init, loadWasm, relaxedSimdSupported, setBackend } from "@losscape/core";

/** Median of a list of numbers (mean of the two middle ones for even lengths). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Load the WASM builds once (the relaxed-SIMD one too where the engine validates it); the strict SIMD build (when
 * the engine validates it) becomes the default backend, so every suite times the same build in node and browsers.
 */
export async function prepareCore() {
  let best = await init();
  await loadWasm("scalar");
  if (best === "relaxed") {
    await loadWasm("simd");
    setBackend("simd");
    best = "simd";
  }
  return best;
}

/** The backends an impl may name: the reproducible ones, and `relaxed` where it runs. */
const RUNNABLE = relaxedSimdSupported() ? [...BACKENDS, "relaxed"] : BACKENDS;

/** Where the suite runs: 'node' or 'chromium' (any browser). */
export function runtimeName() {
  return typeof process !== "undefined" && process.versions?.node ? "node" : "chromium";
}

const yieldToEventLoop = () => new Promise((r) => setTimeout(r, 0));

/**
 * Time `inner` back-to-back runs of `impl` and return the time per run (ms) and the last output. A `selfTimed` impl
 * reports each run's time as `output.ms` (a peer process timed inside itself), and those are used instead.
 */
async function sample(impl, ctx, inner) {
  let output;
  let reported = 0;
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) {
    output = await impl.run(ctx);
    if (impl.selfTimed) {
      if (!Number.isFinite(output?.ms)) throw new Error(`a selfTimed impl must return { ms } (a finite time in ms); found ${output?.ms}`);
      reported += output.ms;
    }
  }
  return { ms: (impl.selfTimed ? reported : performance.now() - t0) / inner, output };
}

/**
 * Run one suite and return its results:
 * `{ name, title, main, cases: [{ name, params, flops, results: [{ impl, median, min, samples, gflops,
 * accuracy }] }] }` (`{ name, title, skipped, cases: [] }` when `suite.env` names another environment).
 * `options.quick` caps warm-up at 1 and repetitions at 2 (smoke runs);
 * `options.log` receives progress lines.
 */
export async function runSuite(suite, options = {}) {
  const log = options.log ?? (() => {});
  if (suite.env && suite.env !== runtimeName()) {
    // A suite tied to one environment (e.g. whole-process timings, node only) is listed as skipped elsewhere.
    return { name: suite.name, title: suite.title, skipped: `runs in ${suite.env} only`, notes: [], main: suite.main, peers: [], targets: [], cases: [] };
  }
  const defaultBackend = getBackend() ?? (await prepareCore());
  const cases = [];
  for (const c of suite.cases) {
    const ctx = (await c.setup?.()) ?? {};
    // Warm up every implementation, then take samples round-robin (one per implementation per round), so load
    // from other processes falls on all of them alike and the ratios of one run stay comparable.
    const active = [];
    const results = [];
    for (const [implName, impl] of Object.entries(c.impls)) {
      if (impl.skip) {
        results.push({ impl: implName, skipped: impl.skip });
        continue;
      }
      if (impl.backend !== undefined && !RUNNABLE.includes(impl.backend)) {
        throw new Error(`suite ${suite.name}: unknown backend ${impl.backend}`);
      }
      let warmup = impl.warmup ?? c.warmup ?? 1;
      let reps = impl.reps ?? c.reps ?? 5;
      const inner = impl.inner ?? c.inner ?? 1;
      if (options.quick) {
        warmup = Math.min(warmup, 1);
        reps = Math.min(reps, 2);
      }
      const entry = { implName, impl, warmup, reps, inner, samples: [], output: undefined, error: undefined };
      results.push(entry);
      active.push(entry);
    }
    const withBackend = async (e, body) => {
      if (e.error) return;
      try {
        if (e.impl.backend !== undefined) setBackend(e.impl.backend);
        await body();
      } catch (err) {
        e.error = String(err?.message ?? err);
        log(`${suite.name} ${c.name} ${e.implName}: ERROR ${e.error}`);
      } finally {
        setBackend(defaultBackend);
      }
    };
    for (const e of active) {
      await withBackend(e, async () => {
        for (let i = 0; i < e.warmup; i++) e.output = await e.impl.run(ctx);
      });
      await yieldToEventLoop();
    }
    const rounds = Math.max(0, ...active.map((e) => e.reps));
    for (let r = 0; r < rounds; r++) {
      for (const e of active) {
        if (r >= e.reps) continue;
        await withBackend(e, async () => {
          const { ms, output } = await sample(e.impl, ctx, e.inner);
          e.samples.push(ms);
          e.output = output;
        });
      }
      await yieldToEventLoop();
    }
    for (let i = 0; i < results.length; i++) {
      const e = results[i];
      if (e.skipped) continue;
      if (e.error) {
        results[i] = { impl: e.implName, error: e.error };
        continue;
      }
      const med = median(e.samples);
      const row = {
        impl: e.implName,
        median: med,
        min: Math.min(...e.samples),
        samples: e.samples,
        runs: { warmup: e.warmup, reps: e.reps, inner: e.inner },
      };
      if (c.flops) row.gflops = c.flops / med / 1e6;
      if (c.accuracy && e.impl.accuracy !== false) row.accuracy = await c.accuracy(ctx, e.output, e.implName);
      results[i] = row;
      log(`${suite.name} ${c.name} ${e.implName}: median ${med.toFixed(3)} ms (${e.samples.length} samples)`);
    }
    cases.push({ name: c.name, params: c.params ?? {}, flops: c.flops, results });
  }
  return {
    name: suite.name,
    title: suite.title,
    notes: suite.notes ?? [],
    main: suite.main,
    peers: suite.peers ?? [],
    shares: suite.shares ?? [],
    targets: suite.targets ?? [],
    gemm: gemmChoices(defaultBackend),
    cases,
  };
}

/**
 * The GEMM register tile of each SIMD build that runs here (core calibrates it per build at first use) and the
 * cache blocks, as they stood at the end of a suite: which tile and blocks its products ran with.
 */
function gemmChoices(defaultBackend) {
  const tiles = {};
  for (const build of ["simd", "relaxed"].filter((b) => RUNNABLE.includes(b))) {
    setBackend(build);
    tiles[build] = getGemmTile();
  }
  setBackend(defaultBackend);
  return { tiles, blocking: getGemmBlocking() };
}
