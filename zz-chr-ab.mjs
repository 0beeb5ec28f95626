import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
// node chr-ab.mjs n dir:tile ...  (BUILD env) same as ab2.mjs, inside headless Chromium
const n = +process.argv[2];
const build = process.env.BUILD || "relaxed";
const specs = process.argv.slice(3).map((s) => { const [v, tile] = s.split(":"); return { spec: s, tile: +tile, b64: readFileSync(`/tmp/ab/${v}/losscape-${build}.wasm`).toString("base64") }; });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
const out = await page.evaluate(async ({ n, specs, rounds }) => {
  const mods = [];
  for (const s of specs) {
    const bytes = Uint8Array.from(atob(s.b64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() {}, seed: () => 1, trace() {} }, Math, Date });
    const ex = instance.exports; if (ex._initialize) ex._initialize();
    const mem = ex.memory; const base = mem.buffer.byteLength;
    mem.grow(Math.ceil((3 * n * n * 8 + ex.dgemmWorkSize(n, n, n) * 8 + (1 << 20)) / 65536) + 2);
    const A = base, B = A + n * n * 8, C = B + n * n * 8, W = C + n * n * 8 + 64;
    const f = new Float64Array(mem.buffer);
    for (let i = 0; i < 2 * n * n; i++) f[A / 8 + i] = Math.sin(i * 0.7);
    ex.setGemmBlocking(128, 1024); ex.setGemmTile(s.tile);
    mods.push({ v: s.spec, gemm: () => ex.dgemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n, W), syrk: () => ex.dsyrk(1, n, n, 1, A, n, 0, C, n, W), tg: [], ts: [] });
  }
  for (const m of mods) { m.gemm(); m.syrk(); m.gemm(); m.syrk(); }
  for (let r = 0; r < rounds; r++) for (const m of mods) {
    let t = performance.now(); m.gemm(); m.tg.push(performance.now() - t);
    t = performance.now(); m.syrk(); m.ts.push(performance.now() - t);
  }
  const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  return mods.map((m) => `${m.v.padEnd(10)} gemm GF/s med ${(2 * n ** 3 / med(m.tg) / 1e6).toFixed(2)} best ${(2 * n ** 3 / Math.min(...m.tg) / 1e6).toFixed(2)}  syrk med ${((n ** 3 + n * n) / med(m.ts) / 1e6).toFixed(2)}`);
}, { n, specs, rounds: +(process.env.ROUNDS || 15) });
console.log(out.join("\n"));
await browser.close();
