import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// The two variants of each WASM build: the release builds (wasm/, shipped, asserts compiled out) and the debug
// builds (wasm-debug/, asserts on) that the test run loads (LOSSCAPE_WASM=debug, vitest.config.ts). Asserts only
// check; they must not change a single bit of any result.

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wasmFile = (variant: "release" | "debug", build: "simd" | "scalar") =>
  join(pkgDir, variant === "release" ? "wasm" : "wasm-debug", `losscape-${build}.wasm`);

/**
 * Every WASM kernel of the core on seeded inputs, through the public API of the built package in a fresh node
 * process with LOSSCAPE_WASM=`variant`, on both builds: each result as the hex of its f64 bytes.
 */
function coreResults(variant: "release" | "debug"): Record<string, string> {
  const core = pathToFileURL(join(pkgDir, "dist/index.js")).href;
  const script = `
import * as c from ${JSON.stringify(core)};
await c.init();
await c.loadWasm("scalar");
let s = 12345; // LCG, uniform in [-1, 1)
const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1;
const randMat = (m, n) => c.mat(m, n, Float64Array.from({ length: m * n }, rnd));
const a = randMat(37, 23), b = randMat(23, 29), x = Float64Array.from({ length: 23 }, rnd);
const spd = c.syrk(a); for (let i = 0; i < 23; i++) spd.data[i * 23 + i] += 1;
const g = randMat(40, 40), sym = c.mat(40, 40, g.data.map((v, k) => v + g.data[(k % 40) * 40 + Math.floor(k / 40)]));
const sq = randMat(23, 23), rhs = randMat(23, 5);
const out = {};
const put = (name, v) => { const f = v.data ?? v; out[name] = Buffer.from(new Float64Array(f).buffer).toString("hex"); };
for (const backend of ["simd", "scalar"]) {
  c.setBackend(backend);
  const k = (name) => backend + " " + name;
  put(k("matmul"), c.matmul(a, b));
  put(k("matmul transA"), c.matmul(a, a, { transA: true, alpha: 0.5 }));
  put(k("syrk AAt"), c.syrk(a, { form: "AAt" }));
  put(k("gemv"), c.gemv(a, x));
  put(k("gemv trans"), c.gemv(b, x, { trans: true }));
  const e = c.eigh(sym);
  put(k("eigh values"), e.values); put(k("eigh vectors"), e.vectors);
  put(k("eigvalsh"), c.eigvalsh(sym));
  const d = c.svd(a); put(k("svd u"), d.u); put(k("svd s"), d.s); put(k("svd vt"), d.vt);
  const dw = c.svd(b); put(k("svd wide u"), dw.u); put(k("svd wide s"), dw.s); put(k("svd wide vt"), dw.vt);
  put(k("cholesky"), c.cholesky(spd));
  const f = c.lu(sq); put(k("lu"), f.lu); put(k("lu pivots"), Float64Array.from(f.pivots));
  const q = c.qr(a); put(k("qr q"), q.q); put(k("qr r"), q.r);
  put(k("solve"), c.solve(sq, rhs));
  put(k("triangularSolve"), c.triangularSolve(c.cholesky(spd), c.mat(23, 1, x), { lower: true, transpose: true }));
}
process.stdout.write(JSON.stringify(out));
`;
  const env = { ...process.env, LOSSCAPE_WASM: variant };
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 60_000 }));
}

/** Instantiate a .wasm file with an `abort` that throws the assert's message. */
function instantiate(file: string): WebAssembly.Exports {
  let memory: WebAssembly.Memory | undefined;
  const text = (ptr: number) => (ptr ? String.fromCharCode(...new Uint16Array(memory!.buffer, ptr, new Uint32Array(memory!.buffer, ptr - 4, 1)[0] >>> 1)) : "");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {
    env: { abort: (msg: number) => { throw new Error(text(msg)); } },
  });
  memory = instance.exports.memory as WebAssembly.Memory;
  (instance.exports._initialize as (() => void) | undefined)?.();
  return instance.exports;
}

describe("release and debug WASM builds", () => {
  it("give bit-identical results on every core kernel, in both builds (simd, scalar)", () => {
    const release = coreResults("release");
    const debug = coreResults("debug");
    expect(Object.keys(release).length).toBe(2 * 21);
    expect(debug).toEqual(release);
  });

  it("the debug builds check kernel preconditions (an assert aborts); the release builds carry no assert", () => {
    for (const build of ["simd", "scalar"] as const) {
      const debug = instantiate(wasmFile("debug", build));
      const dgemm = debug.dgemm as (...args: number[]) => void;
      // dgemm(ta, tb, m = −1, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work): a negative dimension.
      expect(() => dgemm(0, 0, -1, 1, 1, 1, 64, 1, 64, 1, 0, 64, 1, 64)).toThrow("dgemm: m, n, k must be >= 0");
      // cholFactor(n = 3, a, lda = 2): a leading dimension shorter than a row.
      expect(() => (debug.cholFactor as (...args: number[]) => number)(3, 64, 2)).toThrow("cholFactor: n must be >= 0, lda >= n");
      // The messages are data of the debug build only: the release build compiled every assert out.
      const utf16 = (s: string) => Buffer.from(s, "utf16le");
      expect(readFileSync(wasmFile("debug", build)).includes(utf16("dgemm: m, n, k must be >= 0"))).toBe(true);
      expect(readFileSync(wasmFile("release", build)).includes(utf16("dgemm: m, n, k must be >= 0"))).toBe(false);
    }
  });
});
