import { readFileSync } from "node:fs";
import { matFromRows } from "@losscape/core";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { errorOf } from "./__tests__/helpers.js";
import { readNpy, readNpz, writeNpy } from "./npy.js";

/** Fixtures written by numpy 1.24: test/gen/make-tensor-fixtures.py. */
const dir = new URL("../test/fixtures/npy/", import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
type Expected = { dtype: string; shape: number[]; data: number[] };
const EXPECTED = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, Expected> & { "xy.npz": Record<string, Expected> };

/** A .npy file with the given header text (format 1.0) and data bytes. */
function npy(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = header + "\n";
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let k = 0; k < text.length; k++) out[10 + k] = text.charCodeAt(k);
  out.set(data, 10 + text.length);
  return out;
}

describe("readNpy", () => {
  const names = Object.keys(EXPECTED).filter((n) => n.endsWith(".npy"));

  it("reads every dtype, byte order, C/Fortran order, 0-d to 3-d and format versions 1.0–3.0 exactly as numpy wrote them", () => {
    expect(names.length).toBeGreaterThan(45);
    for (const name of names) {
      const a = readNpy(read(name), { file: name });
      const e = EXPECTED[name];
      expect({ dtype: a.dtype, shape: a.shape }, name).toEqual({ dtype: e.dtype, shape: e.shape });
      expect(a.data, name).toBeInstanceOf(Float64Array);
      expect(Array.from(a.data), name).toEqual(e.data); // exact, −0 included
    }
  });

  it("reads a subarray at an odd byte offset (unaligned source) the same", () => {
    for (const name of ["f8_le_c.npy", "f4_le_f.npy", "i2_be_c.npy", "u8_le_c.npy"]) {
      const bytes = read(name);
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      expect(Array.from(readNpy(shifted.subarray(3)).data), name).toEqual(EXPECTED[name].data);
    }
  });

  it("refuses object arrays (pickle) saying losscape never unpickles", () => {
    const e = errorOf(() => readNpy(read("object.npy"), { file: "object.npy" }));
    expect(e.code).toBe("E_FORMAT");
    expect(e.message).toMatch(/^readNpy: file 'object.npy': dtype '\|O' holds Python objects, stored with pickle; losscape never unpickles/);
  });

  it("refuses int64/uint64 values beyond 2^53 (not exact in float64), structured and string dtypes", () => {
    expect(errorOf(() => readNpy(read("i8_beyond_2_53.npy"), { file: "i8.npy" })).message).toMatch(/file 'i8.npy': element 1 of the '<i8' array is beyond ±2\^53/);
    expect(errorOf(() => readNpy(read("u8_beyond_2_53.npy"))).message).toMatch(/^readNpy: element 2 of the '<u8' array is beyond ±2\^53/);
    expect(errorOf(() => readNpy(read("structured.npy"))).message).toMatch(/structured dtype/);
    expect(errorOf(() => readNpy(read("unicode.npy"))).message).toMatch(/dtype '<U2' is not supported; expected one of f8 f4/);
    // 2^53 itself and −2^53 are exact (they are in i8_le_c.npy); 2^53 + 1 is not
    expect(EXPECTED["i8_le_c.npy"].data).toContain(2 ** 53);
    expect(EXPECTED["i8_le_c.npy"].data).toContain(-(2 ** 53));
  });

  it("refuses truncated data and extra bytes, naming expected vs found", () => {
    const bytes = read("f8_le_c.npy");
    expect(errorOf(() => readNpy(bytes.subarray(0, bytes.length - 1), { file: "a.npy" })).message).toMatch(
      /file 'a.npy': shape \(3, 4\) of '<f8' needs 96 bytes of data; found 95 \(truncated\)/,
    );
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(errorOf(() => readNpy(longer)).message).toMatch(/needs 96 bytes of data; found 104 \(extra bytes after the array\)/);
    expect(errorOf(() => readNpy(bytes.subarray(0, 40))).message).toMatch(/header length 118 goes beyond the end of the file \(40 bytes\)/);
    expect(errorOf(() => readNpy(bytes.subarray(0, 5))).message).toMatch(/not a .npy file/);
    expect(errorOf(() => readNpy(new TextEncoder().encode("x,y\n1,2\n"))).message).toMatch(/must start with \\x93NUMPY; found 78 2c 79 0a 31 2c/);
  });

  it("parses the header dict strictly (a literal, never evaluated)", () => {
    const eight = new Uint8Array(8);
    expect(readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight)).shape).toEqual([1]);
    expect(readNpy(npy('{"shape": (), "descr": "<f8", "fortran_order": True}', eight)).shape).toEqual([]);
    const bad: [string, RegExp][] = [
      ["{'descr': '<f8', 'fortran_order': False}", /key 'shape' is missing/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", /unknown key 'x'/],
      ["{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", /key 'descr' given twice/],
      ["{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", /'fortran_order' must be True or False/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (1)}", /a one-entry 'shape' is written \(n,\)/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", /'shape' must be a tuple of integers/],
      ["{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,)}", /expected a string, found '_'/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}; x", /only spaces and a newline may follow/],
      ["{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", /dtype '<c16' is not supported/],
      ["{'descr': '|f8', 'fortran_order': False, 'shape': (1,)}", /byte order '\|' \(not applicable\) is for one-byte types/],
    ];
    for (const [h, re] of bad) {
      const e = errorOf(() => readNpy(npy(h, eight)));
      expect(e.code, h).toBe("E_FORMAT");
      expect(e.message, h).toMatch(re);
    }
    const v4 = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight);
    v4[6] = 4;
    expect(errorOf(() => readNpy(v4)).message).toMatch(/format version 4.0 is not supported; expected 1.0, 2.0 or 3.0/);
  });
});

describe("writeNpy", () => {
  it("writes the bytes numpy's np.save writes ('<f8', C order, format 1.0), 0-d to 3-d", () => {
    for (const name of ["written_0d.npy", "written_1d.npy", "written_2d.npy", "written_3d.npy"]) {
      const e = EXPECTED[name];
      expect(writeNpy({ shape: e.shape, data: e.data }), name).toEqual(read(name));
    }
    const m = matFromRows([[0.5, -1, 3], [1e-300, 2 ** -1074, -0]]);
    expect(writeNpy(m)).toEqual(read("written_2d.npy"));
    // A plain vector (typed or not) is a 1-d array.
    const v = EXPECTED["written_1d.npy"].data;
    expect(writeNpy(Float64Array.from(v))).toEqual(read("written_1d.npy"));
    expect(writeNpy(Array.from(v))).toEqual(read("written_1d.npy"));
  });

  it("round-trips through readNpy bit for bit", () => {
    const data = Float64Array.from([NaN, -0, Infinity, 2 ** -1074, Math.PI, -1e308]);
    const back = readNpy(writeNpy({ shape: [2, 3], data }));
    expect(back.shape).toEqual([2, 3]);
    expect(new Uint8Array(back.data.buffer)).toEqual(new Uint8Array(data.buffer));
  });

  it("refuses a shape that does not match the data", () => {
    expect(errorOf(() => writeNpy({ shape: [2, 2], data: [1, 2, 3] })).message).toMatch(/writeNpy: 'array.data' must have 4 entries .*found 3/);
    expect(errorOf(() => writeNpy({ shape: [-1], data: [] })).code).toBe("E_SHAPE");
  });
});

describe("readNpz", () => {
  it("reads np.savez and np.savez_compressed archives by member name", () => {
    for (const name of ["xy_savez.npz", "xy_savez_compressed.npz"]) {
      const { x, y, ...rest } = readNpz(read(name), { file: name });
      expect(rest, name).toEqual({});
      const e = EXPECTED["xy.npz"];
      expect({ ...x, data: Array.from(x.data) }, name).toEqual(e.x);
      expect({ ...y, data: Array.from(y.data) }, name).toEqual(e.y);
    }
  });

  it("refuses an archive whose declared sizes sum beyond maxBytes, before inflating", () => {
    const bytes = read("xy_savez_compressed.npz");
    expect(readNpz(bytes, { maxBytes: 10_000 }).x.shape).toEqual([4, 3]);
    const e = errorOf(() => readNpz(bytes, { file: "b.npz", maxBytes: 200 }));
    expect(e.code).toBe("E_FORMAT");
    expect(e.message).toMatch(/^readNpz: file 'b.npz': the archive declares \d+ bytes uncompressed; at most 200 are inflated \(option 'maxBytes'\)/);
  });

  /** A zip of one member (deflated, or stored at level 0) whose declared uncompressed size (local and central headers) is replaced by `size`. */
  function lyingZip(content: Uint8Array, size: number, level: 0 | 9 = 9): Uint8Array {
    const zip = zipSync({ "x.npy": [content, { level }] });
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let k = 0; k + 4 <= zip.length; k++) {
      const sig = dv.getUint32(k, true);
      if (sig === 0x04034b50) dv.setUint32(k + 22, size, true);
      if (sig === 0x02014b50) dv.setUint32(k + 24, size, true);
    }
    return zip;
  }

  it("refuses a member whose data is longer or shorter than its header declares (a zip bomb lies low)", () => {
    const content = writeNpy({ shape: [1000], data: new Float64Array(1000) }); // 8128 bytes, deflating to a few dozen
    expect(readNpz(lyingZip(content, content.length)).x.shape).toEqual([1000]);
    const longer = errorOf(() => readNpz(lyingZip(content, 100), { file: "bomb.npz" }));
    expect(longer.code).toBe("E_FORMAT");
    expect(longer.message).toMatch(/file 'bomb.npz': member 'x.npy' declares 100 bytes uncompressed; its data is longer/);
    expect(errorOf(() => readNpz(lyingZip(content, content.length + 5))).message).toMatch(/member 'x.npy' declares 8133 bytes uncompressed; its data is 8128 bytes/);
    // Incompressible data deflates to stored blocks, which overflow a short buffer differently (RangeError inside fflate).
    const noise = new Uint8Array(5000);
    for (let k = 0, s = 12345; k < noise.length; k++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      noise[k] = s & 255;
    }
    expect(errorOf(() => readNpz(lyingZip(noise, 100))).message).toMatch(/member 'x.npy' declares 100 bytes uncompressed; its data is longer/);
    // A zip member stored without compression must declare the same size twice.
    expect(readNpz(lyingZip(content, content.length, 0)).x.shape).toEqual([1000]);
    expect(errorOf(() => readNpz(lyingZip(content, 100, 0))).message).toMatch(/member 'x.npy' is stored \(not compressed\) yet declares 8128 bytes stored and 100 uncompressed/);
  });

  it("refuses what is not an archive of .npy files", () => {
    expect(errorOf(() => readNpz(new Uint8Array(100), { file: "z.npz" })).message).toMatch(/^readNpz: file 'z.npz': not a zip archive/);
    expect(errorOf(() => readNpz(zipSync({ "a.txt": new Uint8Array(3) }))).message).toMatch(/member 'a.txt' is not a .npy file/);
    const bad = zipSync({ "a.npy": new TextEncoder().encode("not npy at all") });
    expect(errorOf(() => readNpz(bad, { file: "z.npz" })).message).toMatch(/readNpz: file 'z.npz\/a.npy': not a .npy file/);
  });
});
