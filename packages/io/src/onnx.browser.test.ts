import { init, matFromRows } from "@losscape/core";
import { forward, gradient, loss, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { normwiseRelative } from "./__tests__/helpers.js";
import { readOnnx, writeOnnx } from "./index.js";
import tanh from "../test/fixtures/onnx/tanh-3-5-2-f32.json" with { type: "json" };
import exportA from "../test/fixtures/onnx/losscape-export-a.model.json" with { type: "json" };

// Runs in headless Chromium (vitest browser mode, project io-browser): protobufjs's static ONNX code without node's
// Buffer, the fixture bytes fetched over HTTP.
const fetchBytes = async (file: string) =>
  new Uint8Array(await (await fetch(new URL(`../test/fixtures/onnx/${file}`, import.meta.url))).arrayBuffer());

beforeAll(async () => {
  expect(typeof window).toBe("object");
  await init();
});

describe("ONNX in a browser page", () => {
  it("readOnnx reads PyTorch's float32 export: its weights exactly, f, R and ∇R as in node (1e-12)", async () => {
    const model = readOnnx(await fetchBytes(tanh.file), { file: tanh.file });
    expect(Array.from(model.params)).toEqual(tanh.params);
    const data = { x: matFromRows(tanh.x), y: matFromRows(tanh.y) };
    expect(normwiseRelative(forward(model, data.x).data, tanh.f.flat())).toBeLessThan(1e-12);
    expect(Math.abs(loss(model, data) - tanh.loss)).toBeLessThan(1e-12 * tanh.loss);
    expect(normwiseRelative(gradient(model, data), tanh.gradient)).toBeLessThan(1e-12);
  });

  it("writeOnnx writes the same bytes as in node (a plain Uint8Array), and reads them back", async () => {
    const { format: _format, ...spec } = exportA;
    const model = { ...spec, params: Float64Array.from(spec.params) } as Model;
    const written = writeOnnx(model);
    expect(written.constructor).toBe(Uint8Array);
    expect(written).toEqual(await fetchBytes("losscape-export-a-f64.onnx"));
    expect(readOnnx(written).params).toEqual(model.params);
  });

  it("a truncated file is a FormatError naming it", async () => {
    const bytes = await fetchBytes(tanh.file);
    expect(() => readOnnx(bytes.subarray(0, bytes.length >> 1), { file: "cut.onnx" })).toThrow(/^readOnnx: cut\.onnx: /);
  });
});
