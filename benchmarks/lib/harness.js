// The benchmark harness shared by node and the browser page (apps/bench): it runs suites (see ../README.md for
// their format) and returns plain JSON. It imports only '@losscape/core', so the same file runs unchanged in both.
import { BACKENDS, getBackend, init, loadWasm, setBackend } from "@losscape/core";

/** Median of a list of numbers (mean of the two middle ones for even lengths). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Load both WASM builds once; the SIMD build (when the engine validates it) becomes the default backend. */
export async function prepareCore() {
  const best = await init();
  await loadWasm("scalar");
  return best;
}

/** Where the suite runs: 'node' or 'chromium' (any browser). */
export function runtimeName() {
  return typeof process !== "undefined" && process.versions?.node ? "node" : "chromium";
}

const yieldToEventLoop = () => new Promise((r) => setTimeout(r, 0));

/**
 * Time one implementation: `warmup` untimed runs, then `reps` samples; each sample times `inner` back-to-back
 * runs and divides (for sub-millisecond cases, so timer granularity does not matter).
 */
async function timeImpl(impl, ctx, { warmup, reps, inner }) {
  let output;
  for (let i = 0; i < warmup; i++) output = await impl.run(ctx);
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) output = await impl.run(ctx);
    samples.push((performance.now() - t0) / inner);
    if (r % 4 === 3) await yieldToEventLoop();
  }
  return { samples, output };
}

/**
 * Run one suite and return its results:
 * `{ name, title, main, cases: [{ name, params, flops, results: [{ impl, median, min, samples, gflops,
 * accuracy }] }] }`. `options.quick` caps warm-up at 1 and repetitions at 2 (smoke runs);
 * `options.log` receives progress lines.
 */
export async function runSuite(suite, options = {}) {
  const log = options.log ?? (() => {});
  const defaultBackend = getBackend() ?? (await prepareCore());
  const cases = [];
  for (const c of suite.cases) {
    const ctx = (await c.setup?.()) ?? {};
    const results = [];
    for (const [implName, impl] of Object.entries(c.impls)) {
      if (impl.skip) {
        results.push({ impl: implName, skipped: impl.skip });
        continue;
      }
      if (impl.backend !== undefined) {
        if (!BACKENDS.includes(impl.backend)) throw new Error(`suite ${suite.name}: unknown backend ${impl.backend}`);
        setBackend(impl.backend);
      }
      let warmup = impl.warmup ?? c.warmup ?? 1;
      let reps = impl.reps ?? c.reps ?? 5;
      const inner = impl.inner ?? c.inner ?? 1;
      if (options.quick) {
        warmup = Math.min(warmup, 1);
        reps = Math.min(reps, 2);
      }
      try {
        const { samples, output } = await timeImpl(impl, ctx, { warmup, reps, inner });
        setBackend(defaultBackend);
        const med = median(samples);
        const row = {
          impl: implName,
          median: med,
          min: Math.min(...samples),
          samples,
          runs: { warmup, reps, inner },
        };
        if (c.flops) row.gflops = c.flops / med / 1e6;
        if (c.accuracy && impl.accuracy !== false) row.accuracy = await c.accuracy(ctx, output, implName);
        results.push(row);
        log(`${suite.name} ${c.name} ${implName}: median ${med.toFixed(3)} ms`);
      } catch (e) {
        setBackend(defaultBackend);
        results.push({ impl: implName, error: String(e?.message ?? e) });
        log(`${suite.name} ${c.name} ${implName}: ERROR ${e?.message ?? e}`);
      }
      await yieldToEventLoop();
    }
    cases.push({ name: c.name, params: c.params ?? {}, flops: c.flops, results });
  }
  return { name: suite.name, title: suite.title, main: suite.main, peers: suite.peers ?? [], targets: suite.targets ?? [], cases };
}
