import { BACKENDS, eigh, init, loadWasm, setBackend, ShapeError, type BackendName } from "@losscape/core";
import { hessian, initParams, type Dataset, type MlpSpec, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { curvature } from "./index.js";

// The exact path of `curvature` for part 'full' forms H alone (mlp's `hessian(model, data)`), not the split
// H = H₀ + H₁ (three M × M matrices); its size limit is the WASM memory of the eigendecomposition (core's EIGH_MAX_ORDER),
// checked before any work.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

function problem(spec: MlpSpec, n: number, seed: number): { model: Model; data: Dataset } {
  const params = initParams(spec, { scheme: "normal", std: 0.7, seed });
  const dIn = spec.widths[0];
  const dOut = spec.widths[spec.widths.length - 1];
  const x = { rows: n, cols: dIn, data: Float64Array.from({ length: n * dIn }, (_, i) => Math.sin(1.3 * i + 0.2)) };
  const y = {
    rows: n,
    cols: dOut,
    data: Float64Array.from({ length: n * dOut }, (_, i) => (spec.loss === "cross-entropy" ? (i % dOut === Math.floor(i / dOut) % dOut ? 1 : 0) : Math.cos(i))),
  };
  return { model: { ...spec, params }, data: { x, y } };
}

const cases: [MlpSpec, number][] = [
  [{ widths: [2, 7, 1], activation: "tanh" }, 13],
  [{ widths: [3, 4, 3, 2], activation: "softplus", loss: "cross-entropy", l2: 0.01 }, 9],
  [{ widths: [2, 5, 5, 2], activation: "sin", bias: false, l2: 0.1 }, 11],
];

describe.each(BACKENDS)("curvature's exact path — backend %s", (backend: BackendName) => {
  it.each(cases)("part 'full' is eigh(hessian(model, data)) bit for bit, and the split's H to 1e-14·max|λ| (%o)", async (spec, n) => {
    setBackend(backend);
    const { model, data } = problem(spec, n, 3);
    const M = model.params.length;
    const r = await curvature(model, data, { part: "full", top: 2, bottom: 2, trace: true });
    expect(r.method).toBe("exact");
    const H = hessian(model, data);
    const { values } = eigh(H);
    expect(r.top!.values).toEqual([values[M - 1], values[M - 2]]);
    expect(r.bottom!.values).toEqual([values[0], values[1]]);
    let trace = 0;
    for (let i = 0; i < M; i++) trace += H.data[i * M + i];
    expect(r.trace!.value).toBe(trace);
    // Against the split's h = h0 + h1 (what the exact path used for 'full' before): the kernel's fused sum differs by
    // rounding only (≤ 1e-16·max|H| entrywise on WASM for deep nets, nothing for one hidden layer or on `ts`).
    const split = eigh(hessian(model, data, { split: true }).h).values;
    const scale = Math.max(Math.abs(split[0]), Math.abs(split[M - 1]));
    for (const [got, i] of [[r.top!.values[0], M - 1], [r.top!.values[1], M - 2], [r.bottom!.values[0], 0], [r.bottom!.values[1], 1]] as const) {
      expect(Math.abs(got - split[i])).toBeLessThanOrEqual(1e-14 * scale);
    }
  });

  it.each(["gauss-newton", "residual"] as const)("part '%s' is still the split's block, bit for bit", async (part) => {
    setBackend(backend);
    const { model, data } = problem(cases[1][0], cases[1][1], 5);
    const M = model.params.length;
    const r = await curvature(model, data, { part, top: 1, bottom: 1 });
    const s = hessian(model, data, { split: true });
    const { values } = eigh(part === "gauss-newton" ? s.h0 : s.h1);
    expect([r.top!.values[0], r.bottom!.values[0]]).toEqual([values[M - 1], values[0]]);
  });
});

describe("the exact path's size limit is the WASM memory of its eigendecomposition", () => {
  // core's eigh holds 5 M × M matrices in WASM memory (the copy of H, the eigenvectors, their 2M² divide-and-conquer
  // workspace, the eigenvectors returned): M ≤ EIGH_MAX_ORDER = 10329. M = 12001 is refused before any work (before,
  // only eigh refused it, after the Hessian was built); M = 10000 starts (the progress callback at the first stage
  // stops it).
  const net = (w: number): Model => ({ widths: [1, w, 1], activation: "tanh", params: Float64Array.from({ length: 3 * w + 1 }, (_, i) => Math.sin(i) * 0.01) });
  const data = { x: [[-1], [0], [1]], y: [[0.5], [0], [-0.5]] };
  const stop = (stage: string) => {
    throw new Error(`started: ${stage}`);
  };

  it.each(["full", "gauss-newton", "residual"] as const)("'%s' at M = 10000 starts the exact path", async (part) => {
    await expect(curvature(net(3333), data, { part, top: 1, exactLimit: 20000, onProgress: stop })).rejects.toThrow(/^started: exact Hessian$/);
  });

  it.each(["full", "gauss-newton", "residual"] as const)("'%s' at M = 12001 is a ShapeError naming 'exactLimit', the need and the limit, before any work", async (part) => {
    const r = curvature(net(4000), data, { part, top: 1, exactLimit: 20000, onProgress: stop });
    await expect(r).rejects.toThrow(ShapeError);
    await expect(curvature(net(4000), data, { part, top: 1, exactLimit: 20000, onProgress: stop })).rejects.toThrow(
      /^curvature: 'exactLimit' = 20000 asks for the eigendecomposition of the dense Hessian at M = 12001 parameters, whose WASM memory holds five M × M matrices \(the copy of H, its eigenvectors, their divide-and-conquer workspace, the eigenvectors returned\), 5\.4 GiB; at most M = 10329 \(4 GiB, what wasm32 addresses; core's EIGH_MAX_ORDER\): set 'exactLimit' below 12001 for the matrix-free estimate$/,
    );
  });
});

describe("a NaN Hessian is refused in curvature's name", () => {
  // The softmax of ±∞ logits (±1e200 weights through a linear layer) meets ∞ − ∞: mlp's `hessian` (exact path) and
  // `Problem.hvpBlock` (the operator) refuse the NaN in their names; the user called curvature.
  const model: Model = { widths: [1, 2, 2], activation: "linear", loss: "cross-entropy", params: new Float64Array(10).fill(1e200) };
  const data = { x: [[1], [-1]], y: [[1, 0], [0, 1]] };
  it.each([100, 0])("exactLimit %s", async (exactLimit) => {
    await expect(curvature(model, data, { top: 1, exactLimit })).rejects.toThrow(/^curvature: the Hessian(-vector product)? is NaN at these parameters/);
  });
});
