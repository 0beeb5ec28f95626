import { readFileSync } from "node:fs";
import { FormatError, init, matFromRows } from "@losscape/core";
import { forward } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { normwiseRelative } from "./__tests__/helpers.js";
import { readOnnx } from "./index.js";
import { ModelProto } from "./onnx-proto.js";

// Fixtures: test/gen/make-onnx-reshape-fixtures.py (PyTorch 1.13.1 and onnx 1.12.0): nets whose forward flattens its
// (n, 3, 4) input with x.view(x.size(0), -1) or x.reshape(-1, 12), exported by torch.onnx.export.
const dir = new URL("../test/fixtures/onnx/reshape/", import.meta.url);
const bytes = (file: string) => new Uint8Array(readFileSync(new URL(file, dir)));
interface Fixture {
  file: string;
  widths: number[];
  params: number[];
  x: number[][];
  f: number[][];
}
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8")) as Fixture;

beforeAll(async () => {
  await init();
});

describe("readOnnx: a Reshape that flattens each row, as torch.onnx.export writes x.view(x.size(0), -1)", () => {
  it.each(["view-dynamic-opset13", "view-dynamic-opset9", "view-static-opset13", "reshape-static-opset17"])("%s: the net, its weights exactly, PyTorch's outputs", (name) => {
    const fx = fixture(name);
    const model = readOnnx(bytes(fx.file), { file: fx.file });
    expect(model).toMatchObject({ widths: fx.widths, activation: "relu", output: "linear", bias: true });
    expect(Array.from(model.params)).toEqual(fx.params);
    expect(normwiseRelative(forward(model, matFromRows(fx.x)).data, fx.f.flat())).toBeLessThan(1e-14);
  });
});

// Hand-built graphs: input x of shape [n, 2, 3] (6 features a row), Reshape to a constant shape, then Gemm 6 → 1.
const DOUBLE = 11;
const INT64 = 7;
const doubles = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: DOUBLE, raw_data: new Uint8Array(Float64Array.from(values).buffer) });
const int64s = (name: string, values: number[]) => ({ name, dims: [values.length], data_type: INT64, raw_data: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensor_type: { elem_type: DOUBLE, shape: { dim: dims.map((d) => (typeof d === "string" ? { dim_param: d } : { dim_value: d })) } } },
});
function reshapeThenGemm(target: number[], inputDims: (number | string)[] = ["n", 2, 3], w = 6): Uint8Array {
  return ModelProto.encode({
    ir_version: 7,
    opset_import: [{ domain: "", version: 13 }],
    graph: {
      name: "hand-built",
      node: [
        { name: "flat", op_type: "Reshape", input: ["x", "shape"], output: ["x2"] },
        { name: "g1", op_type: "Gemm", input: ["x2", "W1", "b1"], output: ["y"], attribute: [{ name: "transB", type: 2, i: 1 }] },
      ],
      initializer: [int64s("shape", target), doubles("W1", [1, w], Array.from({ length: w }, (_, k) => k + 1)), doubles("b1", [1], [0.5])],
      input: [valueInfo("x", inputDims)],
      output: [valueInfo("y", ["n", 1])],
    },
  }).finish();
}

describe("readOnnx: a Reshape on hand-built graphs", () => {
  it("reads [0, -1], [-1, 6] and [n, 6] at a static batch as flattening each row", () => {
    for (const [target, dims] of [[[0, -1], ["n", 2, 3]], [[-1, 6], ["n", 2, 3]], [[5, 6], [5, 2, 3]], [[5, -1], [5, 2, 3]]] as [number[], (number | string)[]][]) {
      expect(readOnnx(reshapeThenGemm(target, dims))).toMatchObject({ widths: [6, 1], params: Float64Array.from([1, 2, 3, 4, 5, 6, 0.5]) });
    }
  });

  it.each([
    ["splits each row in two", [-1, 3], ["n", 2, 3], 3, "node 'flat' (op_type Reshape) reshapes the input to [-1, 3]; only a reshape that flattens each row (x.view(x.size(0), -1), x.reshape(-1, 6)) is supported"],
    ["merges rows", [2, -1], ["n", 2, 3], 6, "node 'flat' (op_type Reshape) reshapes the input to [2, -1]"],
    ["keeps three dimensions", [0, 2, 3], ["n", 2, 3], 6, "node 'flat' (op_type Reshape) reshapes the input to [0, 2, 3]"],
    ["does not know the row length", [-1, 6], ["n", "h", 3], 6, "node 'flat' (op_type Reshape) reshapes the input to [-1, 6]"],
  ] as [string, number[], (number | string)[], number, string][])("refuses a Reshape that %s, naming the node and the shape", (_what, target, dims, w, message) => {
    const read = () => readOnnx(reshapeThenGemm(target, dims, w), { file: "hand.onnx" });
    expect(read).toThrow(FormatError);
    expect(read).toThrow(`readOnnx: hand.onnx: ${message}`);
  });
});
