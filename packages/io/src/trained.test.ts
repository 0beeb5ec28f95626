import { readFileSync } from "node:fs";
import { eigvalsh, init, loadWasm, matFromRows, setBackend, BACKENDS } from "@losscape/core";
import { forward, gradient, hessian, loss, type Model } from "@losscape/mlp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneHot, readOnnx } from "./index.js";

// A network trained in PyTorch and exported with torch.onnx.export (test/gen/make-trained-mlp.py: a 4-16-3 tanh
// classifier, 131 parameters, cross-entropy, float64), analysed by losscape: the loss, gradient, exact Hessian and
// its spectrum of the imported network equal PyTorch's float64 values (autograd; numpy's eigvalsh).
//
// Tolerances: both sides evaluate the same float64 formulas with sums in different orders, so each value carries a
// few ulps of rounding of the largest terms it sums: 1e-12 relative to the largest entry of the quantity (the loss,
// the gradient, the Hessian, the spectrum) bounds that with a margin of ~100× (the sums have ≤ 150 terms of similar
// magnitude). The eigenvalues add the eigensolvers' backward errors, ≤ n·ε·‖H‖ ≈ 3e-14·‖H‖.
const dir = new URL("../test/fixtures/trained/", import.meta.url);
const ref = JSON.parse(readFileSync(new URL("classifier.json", dir), "utf8")) as {
  x: number[][];
  labels: number[];
  reference: { loss: number; gradient: number[]; hessian: number[]; eigenvalues: number[]; logits5: number[][] };
};
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const data = { x: matFromRows(ref.x), y: oneHot(ref.labels, 3) };
const maxAbs = (xs: ArrayLike<number>) => Math.max(...Array.from(xs, Math.abs));

let model: Model;
beforeAll(async () => {
  await init();
  await loadWasm("scalar");
  model = { ...readOnnx(bytes("classifier.onnx"), { file: "classifier.onnx" }), loss: "cross-entropy" };
});
afterAll(() => setBackend("simd"));

describe("a PyTorch-trained classifier read from ONNX", () => {
  it("has the layout PyTorch exported: 4-16-3, tanh, bias", () => {
    expect(model.widths).toEqual([4, 16, 3]);
    expect(model.activation).toBe("tanh");
    expect(model.bias ?? true).toBe(true);
    expect(model.params).toHaveLength(131);
  });

  describe.each(BACKENDS)("on the %s backend", (backend) => {
    beforeAll(() => setBackend(backend));

    it("gives PyTorch's logits, loss and gradient", () => {
      const logits = forward(model, matFromRows(ref.x.slice(0, 5)));
      const want = ref.reference.logits5.flat();
      const scale = maxAbs(want);
      Array.from(logits.data).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-12 * scale));
      expect(Math.abs(loss(model, data) - ref.reference.loss)).toBeLessThanOrEqual(1e-12 * ref.reference.loss);
      const g = gradient(model, data);
      const gs = maxAbs(ref.reference.gradient);
      Array.from(g).forEach((v, i) => expect(Math.abs(v - ref.reference.gradient[i])).toBeLessThanOrEqual(1e-12 * gs));
    });

    it("gives PyTorch's exact Hessian and its spectrum", () => {
      const H = hessian(model, data);
      const hs = maxAbs(ref.reference.hessian);
      let err = 0;
      for (let k = 0; k < H.data.length; k++) err = Math.max(err, Math.abs(H.data[k] - ref.reference.hessian[k]));
      expect(err).toBeLessThanOrEqual(1e-12 * hs);
      const ev = eigvalsh(H);
      const es = maxAbs(ref.reference.eigenvalues);
      Array.from(ev).forEach((v, i) => expect(Math.abs(v - ref.reference.eigenvalues[i])).toBeLessThanOrEqual(1e-12 * es));
    });
  });

  it("the float32 export holds PyTorch's float32 weights: the float64 weights rounded to float32, exactly", () => {
    const m32 = readOnnx(bytes("classifier-f32.onnx"), { file: "classifier-f32.onnx" });
    expect(m32.widths).toEqual([4, 16, 3]);
    Array.from(m32.params).forEach((v, i) => expect(v).toBe(Math.fround(model.params[i])));
  });
});
