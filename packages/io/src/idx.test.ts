import { readFileSync } from "node:fs";
import { gzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { errorOf } from "./__tests__/helpers.js";
import { readIdx } from "./idx.js";

/** Made-up IDX files in MNIST's layout, written by numpy + gzip: test/gen/make-tensor-fixtures.py. */
const dir = new URL("../test/fixtures/idx/", import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const EXPECTED = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, { dtype: string; shape: number[]; data: number[] }>;

describe("readIdx", () => {
  it("reads gzipped and plain IDX files of every type exactly (u8, i8, i16, i32, f32, f64; big-endian)", () => {
    expect(Object.keys(EXPECTED)).toHaveLength(8);
    for (const [name, e] of Object.entries(EXPECTED)) {
      const a = readIdx(read(name), { file: name });
      expect({ dtype: a.dtype, shape: a.shape }, name).toEqual({ dtype: e.dtype, shape: e.shape });
      expect(Array.from(a.data), name).toEqual(e.data);
    }
    expect(readIdx(read("images-idx3-ubyte.gz")).shape).toEqual([5, 28, 28]);
    expect(Array.from(readIdx(read("labels-idx1-ubyte.gz")).data)).toEqual([7, 2, 1, 0, 4]);
  });

  it("refuses truncated data and extra bytes with expected vs found bytes", () => {
    const raw = read("labels-idx1-ubyte");
    expect(errorOf(() => readIdx(raw.subarray(0, raw.length - 2), { file: "l.idx" })).message).toMatch(
      /^readIdx: file 'l.idx': shape \[5\] of u1 needs 5 bytes of data; found 3 \(truncated\)/,
    );
    const longer = new Uint8Array(raw.length + 1);
    longer.set(raw);
    expect(errorOf(() => readIdx(longer)).message).toMatch(/needs 5 bytes of data; found 6 \(extra bytes after the data\)/);
    expect(errorOf(() => readIdx(raw.subarray(0, 6))).message).toMatch(/truncated header: 1 dimensions need 8 bytes; found 6/);
    const images = readIdx(read("images-idx3-ubyte.gz"));
    expect(images.data.length).toBe(5 * 784);
    const cut = gzipSync(read("labels-idx1-ubyte").subarray(0, 10));
    expect(errorOf(() => readIdx(cut)).message).toMatch(/needs 5 bytes of data; found 2 \(truncated\)/);
  });

  it("refuses unknown magic and types", () => {
    expect(errorOf(() => readIdx(new Uint8Array([1, 0, 8, 1]))).message).toMatch(/not an IDX file: it must start with 00 00 type ndim; found 01 00 08 01/);
    expect(errorOf(() => readIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]))).message).toMatch(/IDX type 0x0a is not one of/);
  });

  it("gunzips into the declared size only: beyond maxBytes, or data longer/shorter than the gzip trailer says, is refused", () => {
    const gz = read("images-idx3-ubyte.gz");
    expect(errorOf(() => readIdx(gz, { file: "i.gz", maxBytes: 1000 })).message).toMatch(
      /^readIdx: file 'i.gz': the gzip stream declares 3936 bytes uncompressed; at most 1000 are inflated \(option 'maxBytes'\)/,
    );
    const lie = (bytes: Uint8Array, size: number) => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(b.length - 4, size, true);
      return b;
    };
    expect(errorOf(() => readIdx(lie(gz, 100))).message).toMatch(/declares 100 bytes uncompressed; its data is longer/);
    expect(errorOf(() => readIdx(lie(gz, 4000))).message).toMatch(/declares 4000 bytes uncompressed; its data is 3936 bytes/);
    expect(errorOf(() => readIdx(gz.subarray(0, 40))).message).toMatch(/^readIdx: gzip data does not inflate|declares/);
  });
});
