import { ValueError, checkOptions } from "@losscape/core";
import { gunzipSync } from "fflate";
import { decodeElements, formatError, inflateExactly, sizeOf, type ElementKind, type NdArray } from "./ndarray.js";
import { DEFAULT_MAX_BYTES } from "./npy.js";

/** IDX type codes (third magic byte) → dtype; values are big-endian. */
const IDX_TYPES: Record<number, { dtype: string; kind: ElementKind; size: number }> = {
  0x08: { dtype: "u1", kind: "u", size: 1 },
  0x09: { dtype: "i1", kind: "i", size: 1 },
  0x0b: { dtype: "i2", kind: "i", size: 2 },
  0x0c: { dtype: "i4", kind: "i", size: 4 },
  0x0d: { dtype: "f4", kind: "f", size: 4 },
  0x0e: { dtype: "f8", kind: "f", size: 8 },
};

/**
 * Gunzip `bytes` into a buffer of the size the gzip trailer declares (ISIZE), refused beyond `maxBytes` before
 * inflating and refused when the data is longer or shorter than declared.
 */
function gunzipBounded(fn: string, file: string | undefined, bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length < 18) formatError(fn, file, `truncated gzip stream: ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = dv.getUint32(bytes.length - 4, true);
  if (declared > maxBytes) formatError(fn, file, `the gzip stream declares ${declared} bytes uncompressed; at most ${maxBytes} are inflated (option 'maxBytes')`);
  return inflateExactly(fn, file, gunzipSync, bytes, declared, { doesNotInflate: "gzip data", declares: "the gzip stream" });
}

/**
 * Read an IDX file, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): magic bytes
 * `00 00 type ndim`, ndim big-endian u32 dimensions, then big-endian values of type 0x08 u8, 0x09 i8, 0x0B i16,
 * 0x0C i32, 0x0D f32 or 0x0E f64. Gzipped files (magic 1f 8b, the `.gz` downloads) are gunzipped first, refused
 * when they declare more than `options.maxBytes` (default 2^31) uncompressed. Values come back as float64 (exact).
 * @example
 * const images = readIdx(new Uint8Array(fs.readFileSync("train-images-idx3-ubyte.gz"))); // shape [60000, 28, 28], dtype "u1"
 * const x = { rows: images.shape[0], cols: 784, data: images.data.map((v) => v / 255) };
 */
export function readIdx(bytes: Uint8Array, options: { file?: string; maxBytes?: number } = {}): NdArray {
  const fn = "readIdx";
  options = checkOptions(fn, options, ["file", "maxBytes"]);
  const file = options.file;
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${fn}: 'bytes' must be a Uint8Array; found ${typeof bytes}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throw new ValueError(`${fn}: option 'maxBytes' must be a number ≥ 0; found ${String(maxBytes)}`);
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipBounded(fn, file, bytes, maxBytes) : bytes;
  const hex = (k: number) => `0x${raw[k]?.toString(16).padStart(2, "0")}`;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    formatError(fn, file, `not an IDX file: it must start with 00 00 type ndim; found ${Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  }
  const type = IDX_TYPES[raw[2]];
  if (!type) formatError(fn, file, `IDX type ${hex(2)} is not one of 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32), 0x0e (f64)`);
  const ndim = raw[3];
  const dataOffset = 4 + 4 * ndim;
  if (raw.length < dataOffset) formatError(fn, file, `truncated header: ${ndim} dimensions need ${dataOffset} bytes; found ${raw.length}`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape = Array.from({ length: ndim }, (_, k) => dv.getUint32(4 + 4 * k, false));
  const count = sizeOf(shape);
  const want = count * type.size;
  const found = raw.length - dataOffset;
  if (want !== found) {
    formatError(fn, file, `shape [${shape.join(", ")}] of ${type.dtype} needs ${want} bytes of data; found ${found} (${found < want ? "truncated" : "extra bytes after the data"})`);
  }
  const data = decodeElements(raw, dataOffset, count, type.kind, type.size, false, () => formatError(fn, file, "unreachable"));
  return { dtype: type.dtype, shape, data };
}
