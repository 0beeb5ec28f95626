import { readFileSync } from "node:fs";
import { BACKENDS, FormatError, ValueError, init, loadWasm, matFromRows, setBackend } from "@losscape/core";
import { ACTIVATION_TABLE, forward, gradient, hessianVectorProduct, loss, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { readOnnx, writeOnnx } from "./index.js";

// Fixtures: test/gen/make-onnx-fixtures.py (PyTorch 1.13.1 and onnx 1.12.0; the file says how to run it).
const dir = new URL("../test/fixtures/onnx/", import.meta.url);
const bytes = (file: string) => new Uint8Array(readFileSync(new URL(file, dir)));
const json = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, dir), "utf8")) as T;

interface Manifest {
  accepted: string[];
  refused: { file: string; expect: string }[];
  exports: string[];
}
interface TorchFixture {
  file: string;
  dtype: "float64" | "float32";
  widths: number[];
  activation: Model["activation"];
  output: string;
  bias: boolean;
  params: number[];
  x: number[][];
  y: number[][];
  f: number[][];
  loss: number;
  gradient: number[];
  v: number[];
  hv: number[];
}
const manifest = json<Manifest>("manifest.json");

/** max |a − b| / max |b|: the error relative to the scale of the reference (entries near 0 are not singled out). */
function normwiseRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe("readOnnx: networks exported by torch.onnx.export", () => {
  it.each(manifest.accepted)("%s: the architecture, and the weights exactly", (name) => {
    const fx = json<TorchFixture>(`${name}.json`);
    const model = readOnnx(bytes(fx.file), { file: fx.file });
    expect(model.widths).toEqual(fx.widths);
    expect(model.activation).toEqual(fx.activation);
    expect(model.output).toBe(fx.output);
    expect(model.bias).toBe(fx.bias);
    expect(model.loss).toBe("mse");
    // FLOAT and DOUBLE initializers are read without rounding (float32 → float64 is exact): the parameters are
    // PyTorch's, bit for bit, in losscape's flat order [W¹, b¹, W², b², …].
    expect(Array.from(model.params)).toEqual(fx.params);
    expect(model.meta).toMatchObject({ source: "onnx", file: fx.file });
  });

  describe.each(BACKENDS)("backend %s", (backend) => {
    beforeAll(() => setBackend(backend));
    // PyTorch's references are float64 at the file's weights. Both sides compute the same sums of products in
    // float64 in a different order (and tanh, exp, erf from different libraries), so they agree to a few ulps
    // of the result's scale: 1e-12 relative to the largest entry leaves room for the ~10-term sums here.
    it.each(manifest.accepted)("%s: f(x), R, ∇R and H·v equal PyTorch's to 1e-12 relative", (name) => {
      setBackend(backend);
      const fx = json<TorchFixture>(`${name}.json`);
      const model = readOnnx(bytes(fx.file), { file: fx.file });
      const data = { x: matFromRows(fx.x), y: matFromRows(fx.y) };
      expect(normwiseRelative(forward(model, data.x).data, fx.f.flat())).toBeLessThan(1e-12);
      expect(Math.abs(loss(model, data) - fx.loss)).toBeLessThan(1e-12 * fx.loss);
      expect(normwiseRelative(gradient(model, data), fx.gradient)).toBeLessThan(1e-12);
      expect(normwiseRelative(hessianVectorProduct(model, data, fx.v), fx.hv)).toBeLessThan(1e-12);
    });
  });

  const pairs = manifest.accepted.filter((n) => n.endsWith("-f32") && manifest.accepted.includes(n.replace(/-f32$/, "-f64")));
  it.each(pairs)("%s: the float32 export is the float64 net with its weights rounded to float32", (name) => {
    const f32 = json<TorchFixture>(`${name}.json`);
    const f64 = json<TorchFixture>(`${name.replace(/-f32$/, "-f64")}.json`);
    const model = readOnnx(bytes(f32.file));
    expect(model.meta).toMatchObject({ dtype: "float32" });
    // The weights are the float32 roundings of the float64 net's, exactly.
    expect(Array.from(model.params)).toEqual(f64.params.map(Math.fround));
    expect(model.params.some((p, i) => p !== f64.params[i])).toBe(true);
    // Each weight moved by ≤ 2⁻²⁴ ≈ 6e-8 relative; through these small nets the outputs move by a few times that,
    // far above float64 rounding (1e-16) and below 1e-6.
    const error = normwiseRelative(forward(model, matFromRows(f64.x)).data, f64.f.flat());
    expect(error).toBeLessThan(1e-6);
    expect(error).toBeGreaterThan(1e-12);
  });

  it("records the provenance in meta", () => {
    const model = readOnnx(bytes("tanh-3-5-2-f64.onnx"), { file: "tanh-3-5-2-f64.onnx" });
    expect(model.meta).toEqual({
      source: "onnx",
      file: "tanh-3-5-2-f64.onnx",
      producer: "pytorch 1.13.0",
      opset: 14,
      graph: "torch_jit",
      input: "x",
      output: "y",
      dtype: "float64",
    });
  });
});

describe("readOnnx refuses what is not a fully connected network", () => {
  it.each(manifest.refused)("$file: FormatError naming the file and '$expect'", ({ file, expect: fragment }) => {
    const read = () => readOnnx(bytes(file), { file });
    expect(read).toThrow(FormatError);
    expect(read).toThrow(`readOnnx: ${file}: `);
    expect(read).toThrow(fragment);
  });

  it("names what is supported when it refuses an operator", () => {
    expect(() => readOnnx(bytes("refused-conv.onnx"))).toThrow(/supported.*Gemm, or MatMul.*Relu, Tanh, Sigmoid, Softplus, LeakyRelu/);
  });

  it.each([1, 10, 0.5, 0.9])("a file truncated to %s of its bytes (or that many bytes) is a FormatError naming the file", (cut) => {
    const whole = bytes("tanh-3-5-2-f64.onnx");
    const length = cut < 1 ? Math.floor(cut * whole.length) : whole.length - cut;
    const read = () => readOnnx(whole.subarray(0, length), { file: "cut.onnx" });
    expect(read).toThrow(FormatError);
    expect(read).toThrow(/^readOnnx: cut\.onnx: /);
  });

  it.each([1, 2, 3, 4, 5])("random bytes (seed %i) are a FormatError naming the file", (seed) => {
    let s = seed;
    const random = Uint8Array.from({ length: 2000 }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s >>> 23;
    });
    const read = () => readOnnx(random, { file: "random.bin" });
    expect(read).toThrow(FormatError);
    expect(read).toThrow(/^readOnnx: random\.bin: /);
  });

  it("empty bytes are a FormatError (no graph); a non-Uint8Array is a ValueError", () => {
    expect(() => readOnnx(new Uint8Array(0), { file: "empty.onnx" })).toThrow("readOnnx: empty.onnx: no graph");
    expect(() => readOnnx([1, 2, 3] as unknown as Uint8Array)).toThrow(ValueError);
  });
});

describe("writeOnnx", () => {
  const exportModel = (name: string) => {
    const { format: _format, ...model } = json<Model & { format: string; params: number[] }>(`${name}.model.json`);
    return { ...model, params: Float64Array.from(model.params) } as Model;
  };
  const files = manifest.exports.flatMap((name) => [
    [name, "f64", "float64"],
    [name, "f32", "float32"],
  ]) as [string, string, "float64" | "float32"][];

  // The committed files passed onnx.checker.check_model (full_check) in make-onnx-fixtures.py; unchanged bytes
  // keep that true.
  it.each(files)("%s as %s: the bytes of the file that onnx.checker accepted", (name, suffix, dtype) => {
    expect(writeOnnx(exportModel(name), { dtype })).toEqual(bytes(`${name}-${suffix}.onnx`));
  });

  // make-onnx-fixtures.py evaluated the committed files with numpy (its own implementation of each operator).
  it.each(files)("%s as %s: a numpy evaluation of the file equals mlp's forward pass", (name, suffix, dtype) => {
    const model = exportModel(name);
    const fx = json<{ x: number[][]; y_onnx: number[][] }>(`${name}-${suffix}.json`);
    const params = dtype === "float64" ? model.params : model.params.map(Math.fround);
    const f = forward({ ...model, params }, matFromRows(fx.x)).data;
    // float64: the same sums in another order, 1e-12. float32: the weights are the float32 roundings (so is
    // `params` here), and the constants of gelu's Erf form are float32 too: x/float32(√2) is off by 1.7e-8 relative.
    expect(normwiseRelative(f, fx.y_onnx.flat())).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-7);
  });

  it.each(manifest.exports)("%s: writeOnnx → readOnnx gives the model back, float64 parameters bit for bit", (name) => {
    const model = exportModel(name);
    const back = readOnnx(writeOnnx(model));
    expect(back.params).toEqual(model.params);
    expect({ ...back, params: undefined, meta: undefined }).toEqual({ ...model, params: undefined, meta: undefined });
    expect(back.meta).toMatchObject({ source: "onnx", producer: "losscape", opset: 13, input: "x", output: "y", dtype: "float64" });
    const back32 = readOnnx(writeOnnx(model, { dtype: "float32" }));
    expect(back32.params).toEqual(model.params.map(Math.fround));
    expect(back32.meta).toMatchObject({ dtype: "float32" });
  });

  it.each(ACTIVATION_TABLE.map((a) => a.name))("round trip of the activation %s, hidden and at the output", (name) => {
    const params = Float64Array.from({ length: 17 }, (_, i) => Math.sin(1 + i) / 2);
    const model: Model = { widths: [2, 3, 2], activation: name, output: name, bias: true, loss: "mse", params };
    const back = readOnnx(writeOnnx(model));
    expect(back.activation).toBe(name);
    expect(back.output).toBe(name);
    expect(back.params).toEqual(params);
  });

  it("a leaky-relu slope that no float32 attribute reads back as is a ValueError; a bad dtype too", () => {
    const params = new Float64Array(17);
    const leaky = (slope: number): Model => ({ widths: [2, 3, 2], activation: { name: "leaky-relu", slope }, params });
    expect(readOnnx(writeOnnx(leaky(0.3))).activation).toEqual({ name: "leaky-relu", slope: 0.3 });
    expect(() => writeOnnx(leaky(0.123456789012))).toThrow(ValueError);
    expect(() => writeOnnx(leaky(0.123456789012))).toThrow("writeOnnx: the leaky-relu slope 0.123456789012");
    expect(() => writeOnnx(leaky(0.3), { dtype: "float16" as "float32" })).toThrow(ValueError);
  });
});
