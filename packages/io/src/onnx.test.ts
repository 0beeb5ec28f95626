import { readFileSync } from "node:fs";
import { BACKENDS, FormatError, ValueError, init, loadWasm, matFromRows, setBackend } from "@losscape/core";
import { ACTIVATION_TABLE, forward, gradient, hessianVectorProduct, loss, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { normwiseRelative } from "./__tests__/helpers.js";
import { readOnnx, writeOnnx } from "./index.js";
import { ModelProto } from "./onnx-proto.js";

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

// Hand-built graphs: a 2-3-1 net, x → Gemm(W1, b1) → Tanh → Gemm(W2, b2) → y, and variations of it.
const W1 = [0.5, -0.25, 1, 0.75, -1.5, 0.125];
const b1 = [0.1, -0.2, 0.3];
const W2 = [1, -2, 0.5];
const b2 = [0.25];
const DOUBLE = 11;
const tensor = (name: string, dims: number[], values: number[], data_type = DOUBLE) => ({
  name,
  dims,
  data_type,
  raw_data: new Uint8Array((data_type === DOUBLE ? Float64Array.from(values) : Float32Array.from(values)).buffer),
});
const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensor_type: { elem_type: DOUBLE, shape: { dim: dims.map((d) => (typeof d === "string" ? { dim_param: d } : { dim_value: d })) } } },
});
const gemm = (name: string, input: string[], output: string, attribute: object[] = [{ name: "transB", type: 2, i: 1 }]) => ({
  name,
  op_type: "Gemm",
  input,
  output: [output],
  attribute,
});
const unary = (name: string, op_type: string, input: string, output: string, attribute: object[] = []) => ({ name, op_type, input: [input], output: [output], attribute });
interface GraphParts {
  node?: object[];
  initializer?: object[];
  input?: object[];
  output?: object[];
  metadata_props?: object[];
  opset_import?: object[];
}
function build(parts: GraphParts = {}): Uint8Array {
  return ModelProto.encode({
    ir_version: 7,
    opset_import: parts.opset_import ?? [{ domain: "", version: 13 }],
    graph: {
      name: "hand-built",
      node: parts.node ?? [gemm("g1", ["x", "W1", "b1"], "z1"), unary("t1", "Tanh", "z1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y")],
      initializer: parts.initializer ?? [tensor("W1", [3, 2], W1), tensor("b1", [3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1], b2)],
      input: parts.input ?? [valueInfo("x", ["n", 2])],
      output: parts.output ?? [valueInfo("y", ["n", 1])],
    },
    metadata_props: parts.metadata_props ?? [],
  }).finish();
}

describe("readOnnx on hand-built graphs", () => {
  it("reads the 2-3-1 net: W = B for transB = 1, the bias of shape [out] or [1, out]", () => {
    const expected = [...W1, ...b1, ...W2, ...b2];
    const model = readOnnx(build());
    expect(model).toMatchObject({ widths: [2, 3, 1], activation: "tanh", output: "linear", bias: true, loss: "mse" });
    expect(Array.from(model.params)).toEqual(expected);
    const rowBias = build({ initializer: [tensor("W1", [3, 2], W1), tensor("b1", [1, 3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1, 1], b2)] });
    expect(Array.from(readOnnx(rowBias).params)).toEqual(expected);
  });

  it("reads the loss and l2 from metadata_props, and refuses unknown values there", () => {
    const props = (loss: string, l2: string) => [{ key: "losscape.loss", value: loss }, { key: "losscape.l2", value: l2 }];
    expect(readOnnx(build({ metadata_props: props("cross-entropy", "0.5") }))).toMatchObject({ loss: "cross-entropy", l2: 0.5 });
    expect(() => readOnnx(build({ metadata_props: props("hinge", "0") }), { file: "m.onnx" })).toThrow("readOnnx: m.onnx: metadata 'losscape.loss' must be 'mse' or 'cross-entropy'; found 'hinge'");
    expect(() => readOnnx(build({ metadata_props: props("mse", "-1") }))).toThrow(FormatError);
  });

  const refusals: [string, GraphParts, string][] = [
    ["Gemm with transA = 1", { node: [gemm("g1", ["x", "W1", "b1"], "z1", [{ name: "transA", type: 2, i: 1 }, { name: "transB", type: 2, i: 1 }]), unary("t1", "Tanh", "z1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 'g1' (op_type Gemm) is not supported (transA = 1"],
    ["a FLOAT16 weight", { initializer: [{ ...tensor("W1", [3, 2], W1), data_type: 10, raw_data: new Uint8Array(12) }, tensor("b1", [3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1], b2)] }, "the initializer 'W1' has data_type FLOAT16; expected FLOAT or DOUBLE"],
    ["a NaN weight", { initializer: [tensor("W1", [3, 2], [0, 0, NaN, 0, 0, 0]), tensor("b1", [3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1], b2)] }, "the initializer 'W1' has a non-finite entry at index 2"],
    ["a bias of the wrong length", { initializer: [tensor("W1", [3, 2], W1), tensor("b1", [2], [0, 0]), tensor("W2", [1, 3], W2), tensor("b2", [1], b2)] }, "the bias 'b1' of node 'g1' (op_type Gemm) has shape [2]; expected [3]"],
    ["layers that do not chain", { initializer: [tensor("W1", [3, 2], W1), tensor("b1", [3], b1), tensor("W2", [1, 2], [1, 2]), tensor("b2", [1], b2)] }, "layer 2 (node 'g2' (op_type Gemm)) takes 2 inputs but layer 1 has 3 outputs"],
    ["an input shape that does not fit", { input: [valueInfo("x", [4, 5])] }, "the input 'x' has shape [4, 5], which gives 5 features, but the first layer takes 2"],
    ["two outputs", { output: [valueInfo("y", ["n", 1]), valueInfo("h1", ["n", 3])] }, "the graph has 2 outputs ('y', 'h1'); expected 1"],
    ["two inputs", { input: [valueInfo("x", ["n", 2]), valueInfo("x2", ["n", 2])] }, "the graph has 2 inputs that are not initializers ('x', 'x2')"],
    ["a weight that is not an initializer", { initializer: [tensor("b1", [3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1], b2)] }, "node 'g1' (op_type Gemm) is not supported (its weight input 'W1' is not an initializer)"],
    ["a node of another domain", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), { ...unary("t1", "Tanh", "z1", "h1"), domain: "com.example" }, gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 't1' (op_type Tanh) is in operator domain 'com.example'"],
    ["Gelu with approximate = 'tanh'", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), unary("t1", "Gelu", "z1", "h1", [{ name: "approximate", type: 3, s: new TextEncoder().encode("tanh") }]), gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 't1' (op_type Gelu) has approximate = 'tanh'"],
    ["two activations in a row", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), unary("t1", "Tanh", "z1", "a1"), unary("r1", "Relu", "a1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 't1' (op_type Tanh), node 'r1' (op_type Relu) after layer 1 do not compute a supported activation"],
    ["a Mul by a vector", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), { name: "m1", op_type: "Mul", input: ["z1", "b1"], output: ["h1"] }, gemm("g2", ["h1", "W2", "b2"], "y")] }, "the initializer 'b1' is used by node 'g1' (op_type Gemm) and node 'm1' (op_type Mul)"],
    ["an activation before the first layer", { node: [unary("t0", "Tanh", "x", "x1"), gemm("g1", ["x1", "W1", "b1"], "z1"), unary("t1", "Tanh", "z1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 't0' (op_type Tanh) is not supported (only Identity, Flatten, Reshape and Dropout may come before the first Gemm or MatMul)"],
    ["a node off the chain", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), unary("t1", "Tanh", "z1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y"), unary("dead", "Relu", "extra", "unused")], initializer: [tensor("W1", [3, 2], W1), tensor("b1", [3], b1), tensor("W2", [1, 3], W2), tensor("b2", [1], b2), tensor("extra", [2], [1, 2])] }, "node 'dead' (op_type Relu) is not on the chain from the input to the output"],
    ["a value computed twice", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), unary("t1", "Tanh", "z1", "z1"), gemm("g2", ["z1", "W2", "b2"], "y")] }, "the value 'z1' is computed twice"],
    ["a Mul with one input", { node: [gemm("g1", ["x", "W1", "b1"], "z1"), { name: "m1", op_type: "Mul", input: ["z1"], output: ["h1"] }, gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 'm1' (op_type Mul) has 1 inputs and 1 outputs; Mul takes 2 inputs"],
    ["a Gemm without weight", { node: [gemm("g1", ["x"], "z1"), unary("t1", "Tanh", "z1", "h1"), gemm("g2", ["h1", "W2", "b2"], "y")] }, "node 'g1' (op_type Gemm) has 1 inputs and 1 outputs; Gemm takes 2 to 3 inputs"],
    ["no opset_import", { opset_import: [] }, "no opset_import of the default ONNX domain"],
    ["no layer", { node: [unary("t1", "Identity", "x", "y")], output: [valueInfo("y", ["n", 2])] }, "no Gemm or MatMul layer between the input 'x' and the output 'y'"],
  ];
  it.each(refusals)("refuses %s with a FormatError that says so", (_what, parts, message) => {
    const read = () => readOnnx(build(parts), { file: "hand.onnx" });
    expect(read).toThrow(FormatError);
    expect(read).toThrow(`readOnnx: hand.onnx: ${message}`);
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
  it("refuses options that are null or hold an unknown key, naming writeOnnx", () => {
    const model = exportModel(manifest.exports[0]);
    expect(() => writeOnnx(model, null as never)).toThrow(/^writeOnnx: argument 'options' must be an object or undefined; found null/);
    expect(() => writeOnnx(model, { type: "float32" } as never)).toThrow(/^writeOnnx: unknown option 'type'; expected one of 'dtype'/);
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
