import { readFileSync } from "node:fs";
import { initParams, type Model } from "@losscape/mlp";
import { describe, expect, it } from "vitest";
import { errorOf } from "./__tests__/helpers.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";

/** PyTorch state_dicts in safetensors layout: test/gen/make-tensor-fixtures.py. */
const dir = new URL("../test/fixtures/safetensors/", import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const EXPECTED = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, { spec: Record<string, unknown>; params: number[] }>;

/** A safetensors file from a header object (written as JSON) and a byte buffer; `length` overrides the header length. */
function st(header: unknown, buffer: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(buffer, 8 + text.length);
  return out;
}

/** A valid F64 file of widths [2, 1]: 0.weight [1, 2], 0.bias [1]. */
const W = { dtype: "F64", shape: [1, 2], data_offsets: [0, 16] };
const B = { dtype: "F64", shape: [1], data_offsets: [16, 24] };
const buf24 = new Uint8Array(new Float64Array([0.5, -1, 2]).buffer);

describe("readSafetensors", () => {
  it("reads PyTorch state_dicts in F64, F32, F16 and BF16 exactly (F16 subnormals too), the spec from metadata or options", () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      const hasMeta = name === "mlp_f64.safetensors";
      const m = readSafetensors(read(name), { file: name, ...(hasMeta ? {} : { spec: { activation: e.spec.activation as "tanh" } }) });
      expect(m.widths, name).toEqual(e.spec.widths);
      expect(m.activation, name).toBe(e.spec.activation);
      expect(m.bias, name).toBe(e.spec.bias ?? true);
      expect(Array.from(m.params), name).toEqual(e.params);
    }
    const f16 = readSafetensors(read("mlp_f16.safetensors"), { spec: { activation: "tanh" } });
    expect(f16.params[0]).toBe(2 ** -20);
    expect(f16.params[1]).toBe(-(2 ** -24));
  });

  it("options.spec overrides the metadata; given widths are checked against the shapes, naming the tensor", () => {
    const bytes = read("mlp_f64.safetensors");
    expect(readSafetensors(bytes, { spec: { activation: "sin", loss: "cross-entropy" } })).toMatchObject({ activation: "sin", loss: "cross-entropy", widths: [3, 4, 2] });
    const e = errorOf(() => readSafetensors(bytes, { file: "m.st", spec: { widths: [3, 5, 2] } }));
    expect(e.code).toBe("E_FORMAT");
    expect(e.message).toBe("readSafetensors: file 'm.st': tensor '0.weight' must have shape [5, 3] (widths[1] × widths[0] of widths [3, 5, 2]); found [4, 3]");
    expect(errorOf(() => readSafetensors(bytes, { spec: { widths: [3, 2] } })).message).toMatch(/widths \[3,2\] give 1 layers; the file has 2 Linear layers \('0.weight', '2.weight'\)/);
    expect(errorOf(() => readSafetensors(bytes, { spec: { bias: false } })).message).toMatch(/tensor '0.bias' is a bias; the spec has bias: false/);
    expect(errorOf(() => readSafetensors(read("mlp_f32.safetensors"), { file: "f.st" })).message).toMatch(/^readSafetensors: file 'f.st': gives no activation/);
    expect(errorOf(() => readSafetensors(read("mlp_f32.safetensors"), { spec: { activation: "swish" as "tanh" } })).message).toMatch(/readSafetensors: 'activation' must be one of/);
  });

  it("refuses tensors that are not Linear layers (BatchNorm's running statistics), naming them", () => {
    const e = errorOf(() => readSafetensors(read("batchnorm_f32.safetensors"), { file: "bn.st", spec: { activation: "relu" } }));
    expect(e.code).toBe("E_FORMAT");
    expect(e.message).toMatch(/^readSafetensors: file 'bn.st': tensors '1.running_mean', '1.running_var', '1.num_batches_tracked' are not the weight or bias of a Linear layer/);
  });

  it("refuses non-finite values by tensor and index", () => {
    expect(errorOf(() => readSafetensors(read("inf_f16.safetensors"), { file: "i.st", spec: { activation: "tanh" } })).message).toBe(
      "readSafetensors: file 'i.st': tensor '2.bias' holds Infinity at [1]; parameters must be finite",
    );
  });

  it("refuses bad headers and buffers, naming the file and the tensor", () => {
    const ok = st({ "0.weight": W, "0.bias": B }, buf24);
    expect(Array.from(readSafetensors(ok).params)).toEqual([0.5, -1, 2]);
    expect(readSafetensors(st({ weight: W, bias: B }, buf24)).widths).toEqual([2, 1]); // a lone nn.Linear
    const prefixed = st({ "model.layers.0.bias": B, "model.layers.0.weight": W }, buf24);
    expect(readSafetensors(prefixed)).toEqual({ widths: [2, 1], activation: undefined, bias: true, params: Float64Array.from([0.5, -1, 2]) });
    const cases: [Uint8Array, RegExp][] = [
      [st({ "0.weight": W, "0.bias": B }, buf24, 2n ** 63n), /header length 9223372036854775808 \(the first 8 bytes, little-endian\) goes beyond the end of the file \(\d+ bytes\)/],
      [st({ "0.weight": W }, buf24, 10_000n), /header length 10000 .*goes beyond the end of the file/],
      [new Uint8Array(5), /not a safetensors file: it must start with an 8-byte header length; found 5 bytes/],
      [st("{not json", buf24), /the 9-byte header is not JSON/],
      [st("[1, 2]"), /the header must be a JSON object/],
      [st({ "0.weight": W, "0.bias": { ...B, data_offsets: [16, 32] } }, buf24), /tensor '0.bias': data_offsets \[16, 32\] must satisfy begin ≤ end ≤ 24/],
      [st({ "0.weight": W, "0.bias": { ...B, data_offsets: [8, 24] } }, buf24), /tensor '0.bias' \(bytes 8..24\) overlaps tensor '0.weight' \(bytes 0..16\)/],
      [st({ "0.weight": { ...W, data_offsets: [8, 24] }, "0.bias": { ...B, data_offsets: [0, 0] } }, buf24), /a hole in the byte buffer: bytes 0..8 belong to no tensor \(before '0.weight'\)/],
      [st({ "0.weight": W }, buf24), /a hole in the byte buffer: bytes 16..24 after the last tensor/],
      [st({ "0.weight": W, "0.bias": { ...B, dtype: "F32", data_offsets: [16, 24] } }, buf24), /tensor '0.bias': data_offsets \[16, 24\] hold 8 bytes; shape \[1\] of F32 needs 4/],
      [st({ "0.weight": W, "0.bias": { ...B, dtype: "I64" } }, buf24), /tensor '0.bias': dtype 'I64' is not supported; expected F64, F32, F16 or BF16/],
      [st({ "0.weight": { ...W, shape: [2] }, "0.bias": B }, buf24), /tensor '0.weight' must be a 2-d Linear weight \[out, in\]; found shape \[2\]/],
      [st({ "0.weight": W, "0.bias": { ...B, shape: [1, 1] } }, buf24), /tensor '0.bias' must have shape \[1\]; found \[1, 1\]/],
      [st({ "0.bias": { ...B, data_offsets: [0, 8] } }, buf24.subarray(0, 8)), /tensor '0.weight' is missing \('0.bias' is there\)/],
      [st({ "a.0.weight": W, "b.0.bias": B }, buf24), /the layer names have several prefixes \('a.', 'b.'\)/],
      [st({ __metadata__: { losscape: 3 } }), /'__metadata__.losscape' must be a string; found 3/],
      [st({ "0.weight": W, "0.bias": B, __metadata__: { losscape: "{x" } }, buf24), /'__metadata__.losscape' must be the network's spec as JSON text; it is not JSON/],
      [st({}), /holds no tensors/],
    ];
    for (const [bytes, re] of cases) {
      const e = errorOf(() => readSafetensors(bytes, { file: "t.st" }));
      expect(e.code, re.source).toBe("E_FORMAT");
      expect(e.message, re.source).toMatch(new RegExp(`^readSafetensors: file 't.st': ${re.source}`));
    }
    // Missing tensors against the spec: a layer's bias in a file with biases elsewhere.
    const W2 = { dtype: "F64", shape: [1, 1], data_offsets: [24, 32] };
    const buf32 = new Uint8Array(new Float64Array([0.5, -1, 2, 3]).buffer);
    expect(errorOf(() => readSafetensors(st({ "0.weight": W, "0.bias": B, "2.weight": W2 }, buf32), { spec: { activation: "tanh" } })).message).toMatch(
      /tensor '2.bias' is missing \(other layers have biases\)/,
    );
    expect(errorOf(() => readSafetensors(st({ "0.weight": W }, buf24.subarray(0, 16)), { spec: { bias: true } })).message).toMatch(/tensor '0.bias' is missing \(the spec has bias: true\)/);
  });
});

describe("writeSafetensors", () => {
  it("round-trips a model bit for bit through readSafetensors, spec from the metadata", () => {
    const spec = { widths: [3, 5, 4, 2], activation: ["tanh", { name: "leaky-relu", slope: 0.2 }], output: "linear", bias: true, loss: "cross-entropy", l2: 0.01 } as const;
    const model: Model = { ...spec, params: initParams(spec, { scheme: "xavier", seed: 3 }) };
    const back = readSafetensors(writeSafetensors(model));
    expect(back).toEqual({ ...spec, params: model.params });
    expect(new Uint8Array(back.params.buffer)).toEqual(new Uint8Array(model.params.buffer));
    const noBias: Model = { widths: [2, 1], activation: "tanh", bias: false, params: Float64Array.from([-0, 5e-324]) };
    expect(Object.is(readSafetensors(writeSafetensors(noBias)).params[0], -0)).toBe(true);
  });

  it("writes PyTorch's names, F64 tensors, string metadata and an 8-byte aligned buffer", () => {
    const model: Model = { widths: [3, 4, 2], activation: "tanh", params: Float64Array.from(EXPECTED["mlp_f64.safetensors"].params) };
    const bytes = writeSafetensors(model);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["0.weight"]).toEqual({ dtype: "F64", shape: [4, 3], data_offsets: [0, 96] });
    expect(header["2.bias"]).toEqual({ dtype: "F64", shape: [2], data_offsets: [192, 208] });
    expect(JSON.parse(header.__metadata__.losscape)).toEqual({ widths: [3, 4, 2], activation: "tanh", output: "linear", bias: true, loss: "mse" });
    // The same tensors as PyTorch's state_dict written by the fixture script (bytes after the headers agree).
    const torch = read("mlp_f64.safetensors");
    const tn = Number(new DataView(torch.buffer, torch.byteOffset).getBigUint64(0, true));
    expect(bytes.subarray(8 + n)).toEqual(torch.subarray(8 + tn));
  });

  it("refuses an invalid model", () => {
    expect(errorOf(() => writeSafetensors({ widths: [2, 1], activation: "tanh", params: new Float64Array(2) })).message).toMatch(/^writeSafetensors: 'params' must have length 3/);
  });
});
