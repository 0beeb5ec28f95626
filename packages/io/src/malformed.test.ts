import { readFileSync } from "node:fs";
import fc from "fast-check";
import { isLosscapeError } from "@losscape/core";
import { describe, expect, it } from "vitest";
import { parseData, parseModel } from "@losscape/mlp";
import { readIdx, readNpy, readNpz, readOnnx, readSafetensors } from "./index.js";

// Random malformed files: every reader, given a valid file with bytes changed, inserted, deleted or cut off, either
// reads something or throws a LosscapeError (FormatError, ShapeError, ValueError) — never a TypeError, RangeError,
// a protobufjs or fflate error, an out-of-memory crash or a hang. Seeded (fast-check's seed below), so a failure
// reproduces.
const fixture = (path: string) => new Uint8Array(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url)));

/** A mutation of a file: k byte edits (overwrite, insert, delete) and possibly a cut at the end. */
const mutation = fc.record({
  edits: fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom("set", "insert", "delete"), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});

function mutate(bytes: Uint8Array, m: { edits: { at: number; kind: string; byte: number }[]; cut?: number }): Uint8Array {
  const b = Array.from(bytes);
  for (const e of m.edits) {
    const at = b.length ? e.at % b.length : 0;
    if (e.kind === "set") b[at] = e.byte;
    else if (e.kind === "insert") b.splice(at, 0, e.byte);
    else b.splice(at, 1);
  }
  const out = Uint8Array.from(b);
  return m.cut === undefined ? out : out.subarray(0, m.cut % (out.length + 1));
}

const READERS: [string, string, (b: Uint8Array) => unknown][] = [
  ["readOnnx", "onnx/tanh-3-5-2-f64.onnx", (b) => readOnnx(b, { file: "m.onnx" })],
  ["readOnnx (a PyTorch-trained classifier)", "trained/classifier.onnx", (b) => readOnnx(b, { file: "m.onnx" })],
  ["readSafetensors", "safetensors/mlp_f32.safetensors", (b) => readSafetensors(b, { file: "m.safetensors", spec: { activation: "tanh" } })],
  ["readNpy", "npy/f8_le_c.npy", (b) => readNpy(b, { file: "x.npy" })],
  ["readNpz (savez_compressed)", "npy/xy_savez_compressed.npz", (b) => readNpz(b, { file: "d.npz", maxBytes: 1 << 20 })],
  ["readIdx (gzipped)", "idx/images-idx3-ubyte.gz", (b) => readIdx(b, { file: "x.gz", maxBytes: 1 << 20 })],
  // mlp's text formats, damaged byte-wise as UTF-8 text: losscape.mlp/1 JSON and CSV.
  ["parseModel", "../../../cli/test/fixtures/tanh131-min.json", (b) => parseModel(new TextDecoder().decode(b))],
  ["parseData (CSV)", "../../../cli/test/fixtures/sin20.csv", (b) => parseData(new TextDecoder().decode(b))],
];

describe.each(READERS)("%s on randomly damaged files", (_name, path, read) => {
  it("reads or throws a LosscapeError, nothing else", () => {
    const bytes = fixture(path);
    expect(() => read(bytes)).not.toThrow(); // the undamaged file reads
    fc.assert(
      fc.property(mutation, (m) => {
        try {
          read(mutate(bytes, m));
        } catch (e) {
          if (!isLosscapeError(e)) throw new Error(`not a LosscapeError: ${String(e)}`);
        }
      }),
      { numRuns: 1000, seed: 20261205 },
    );
  });
});

describe("the readers check their options", () => {
  it("null and an unknown key are a ValueError naming the reader (a misspelt 'file' or 'maxBytes' was ignored)", () => {
    const bytes = new Uint8Array(16);
    for (const [name, f] of [
      ["readIdx", (o: never) => readIdx(bytes, o)],
      ["readNpy", (o: never) => readNpy(bytes, o)],
      ["readNpz", (o: never) => readNpz(bytes, o)],
      ["readOnnx", (o: never) => readOnnx(bytes, o)],
      ["readSafetensors", (o: never) => readSafetensors(bytes, o)],
    ] as const) {
      expect(() => f(null as never)).toThrow(new RegExp(`^${name}: argument 'options' must be an object or undefined; found null`));
      expect(() => f({ maxbytes: 1 } as never)).toThrow(new RegExp(`^${name}: unknown option 'maxbytes'`));
    }
  });
});
