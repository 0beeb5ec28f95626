import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// The MLP kernels (assembly/mlp.ts) in the release builds (shipped, asserts compiled out) and the debug builds
// (asserts on) that the test run loads: the same bits (core's wasm-builds.test.ts does the same for the core kernels).

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Every WASM computation of the package on a seeded net with a layer wide enough for the blocked GEMM (3-70-8-2,
 * tanh then softplus, l2) and a small one (1-3-2 sin, cross-entropy), in a fresh node process with
 * LOSSCAPE_WASM=`variant`, on both builds: each result as the SHA-256 of its f64 bytes.
 */
function mlpResults(variant: "release" | "debug"): Record<string, string> {
  const core = pathToFileURL(join(pkgDir, "../core/dist/index.js")).href;
  const mlp = pathToFileURL(join(pkgDir, "dist/index.js")).href;
  const script = `
import * as c from ${JSON.stringify(core)};
import * as m from ${JSON.stringify(mlp)};
import { createHash } from "node:crypto";
await c.init();
await c.loadWasm("scalar");
let s = 777; // LCG, uniform in [-1, 1)
const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1;
const randMat = (r, k) => c.mat(r, k, Float64Array.from({ length: r * k }, rnd));
const problem = (spec, n) => {
  const d = spec.widths;
  const model = { ...spec, params: m.initParams(spec, { scheme: "xavier", seed: 3 }) };
  const y = spec.loss === "cross-entropy" ? c.mat(n, d.at(-1), Float64Array.from({ length: n * d.at(-1) }, (_, i) => (i % d.at(-1) === (i / d.at(-1) | 0) % d.at(-1) ? 1 : 0))) : randMat(n, d.at(-1));
  return { model, data: { x: randMat(n, d[0]), y } };
};
const nets = {
  wide: problem({ widths: [3, 70, 8, 2], activation: ["tanh", "softplus"], l2: 0.01 }, 40),
  small: problem({ widths: [1, 3, 2], activation: "sin", loss: "cross-entropy" }, 7),
};
const out = {};
const put = (name, v) => { const f = v.data ?? v; out[name] = createHash("sha256").update(new Float64Array(f)).digest("hex"); };
for (const backend of ["simd", "scalar"]) {
  c.setBackend(backend);
  for (const [net, { model, data }] of Object.entries(nets)) {
    const k = (name) => backend + " " + net + " " + name;
    const v = Float64Array.from({ length: model.params.length }, rnd);
    const { loss, gradient } = m.lossAndGradient(model, data);
    put(k("forward"), m.forward(model, data.x));
    put(k("loss"), [loss]); put(k("gradient"), gradient);
    put(k("jacobian"), m.jacobian(model, data.x));
    put(k("hessian"), m.hessian(model, data));
    const split = m.hessian(model, data, { split: true });
    put(k("h0"), split.h0); put(k("h1"), split.h1);
    put(k("hvp"), m.hessianVectorProduct(model, data, v));
    const axis = [-1, -0.25, 0.5];
    put(k("lossPlane"), m.lossPlane(model, data, { directions: [v, gradient], aAxis: axis, bAxis: axis }));
  }
}
process.stdout.write(JSON.stringify(out));
`;
  const env = { ...process.env, LOSSCAPE_WASM: variant };
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8", timeout: 60_000 }));
}

describe("release and debug WASM builds", () => {
  it("give bit-identical results on every MLP kernel, in both builds (simd, scalar)", () => {
    const release = mlpResults("release");
    const debug = mlpResults("debug");
    expect(Object.keys(release).length).toBe(2 * 2 * 9);
    expect(debug).toEqual(release);
  });
});
