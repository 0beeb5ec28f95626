import { ShapeError, ValueError, checkOptions, type Mat } from "@losscape/core";
import { inflateSync, Unzip, unzipSync, type AsyncFlateStreamHandler, type UnzipDecoder } from "fflate";
import { decodeElements, formatError, fortranToC, inflateExactly, sizeOf, writeFloat64LE, type ElementKind, type NdArray } from "./ndarray.js";

/** The 6 bytes every .npy file starts with: \x93NUMPY. */
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** The largest uncompressed size `readNpz` inflates by default: 2^31 bytes (2 GiB), the sum over the archive's members. */
export const DEFAULT_MAX_BYTES = 2 ** 31;

/** The parsed header dict of a .npy file. */
interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * Parse the header of a .npy file: a Python dict literal with exactly the keys 'descr' (a string), 'fortran_order'
 * (True/False) and 'shape' (a tuple of integers), e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`,
 * padded with spaces and ended by a newline. A strict parser of that literal, never an evaluator.
 */
function parseHeader(fn: string, file: string | undefined, text: string): NpyHeader {
  let i = 0;
  const fail = (what: string): never => formatError(fn, file, `header must be a dict {'descr': …, 'fortran_order': …, 'shape': (…)}; ${what} at character ${i} of ${JSON.stringify(text.slice(0, 120))}`);
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) fail(`expected '${c}', found ${text[i] === undefined ? "the end" : `'${text[i]}'`}`);
    i++;
  };
  const string = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') return fail(`expected a string, found ${q === undefined ? "the end" : `'${q}'`}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail("unterminated string");
    const s = text.slice(i + 1, end);
    if (s.includes("\\")) fail("escapes are not part of a .npy header");
    i = end + 1;
    return s;
  };
  const values: Partial<NpyHeader> = {};
  const seen = new Set<string>();
  expect("{");
  for (;;) {
    ws();
    if (text[i] === "}") break;
    const key = string();
    if (key !== "descr" && key !== "fortran_order" && key !== "shape") fail(`unknown key '${key}' (only 'descr', 'fortran_order', 'shape')`);
    if (seen.has(key)) fail(`key '${key}' given twice`);
    seen.add(key);
    expect(":");
    ws();
    if (key === "descr") {
      if (text[i] === "[") formatError(fn, file, "a structured dtype (a list of fields as 'descr') is not supported: save a plain numeric array");
      values.descr = string();
    } else if (key === "fortran_order") {
      const m = /^(True|False)/.exec(text.slice(i));
      if (!m) fail("'fortran_order' must be True or False");
      values.fortranOrder = m![1] === "True";
      i += m![1].length;
    } else {
      expect("(");
      const shape: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ")") break;
        const m = /^\d+/.exec(text.slice(i));
        if (!m) fail("'shape' must be a tuple of integers");
        shape.push(Number(m![0]));
        i += m![0].length;
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== ")") fail("expected ',' or ')' in 'shape'");
        else if (shape.length === 1) fail("a one-entry 'shape' is written (n,)");
      }
      i++;
      if (shape.some((d) => !Number.isSafeInteger(d))) fail("'shape' entries must be integers below 2^53");
      values.shape = shape;
    }
    ws();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail("expected ',' or '}'");
  }
  i++;
  if (!/^[ \t]*\n?$/.test(text.slice(i))) fail("only spaces and a newline may follow the dict");
  for (const k of ["descr", "fortran_order", "shape"]) if (!seen.has(k)) fail(`key '${k}' is missing`);
  return values as NpyHeader;
}

/** The element kinds of a .npy 'descr': kind letter → allowed item sizes. */
const NPY_KINDS: Record<string, readonly number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

/** Byte order, kind and size of a 'descr' like '<f8', '>i4', '|u1'; anything else is a FormatError saying why. */
function parseDescr(fn: string, file: string | undefined, descr: string): { kind: ElementKind; size: number; littleEndian: boolean } {
  if (/^[<>|=]?O\d*$/.test(descr)) {
    formatError(fn, file, `dtype '${descr}' holds Python objects, stored with pickle; losscape never unpickles (save a numeric array, e.g. a.astype(numpy.float64))`);
  }
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m || !NPY_KINDS[m[2]]?.includes(Number(m[3]))) {
    formatError(fn, file, `dtype '${descr}' is not supported; expected one of f8 f4 f2 i1 i2 i4 i8 u1 u2 u4 u8 b1 with byte order '<', '>', '|' or '='`);
  }
  const size = Number(m![3]);
  if (m![1] === "|" && size > 1) formatError(fn, file, `dtype '${descr}': byte order '|' (not applicable) is for one-byte types; expected '<' or '>'`);
  return { kind: m![2] as ElementKind, size, littleEndian: m![1] !== ">" };
}

/**
 * Read a numpy `.npy` file (format versions 1.0, 2.0 and 3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * dtypes f8 f4 f2 i1 i2 i4 i8 u1 u2 u4 u8 b1 in either byte order, C or Fortran order, any number of dimensions.
 * The values come back as float64 in C order (exact for every one of these dtypes; int64/uint64 values beyond
 * ±2^53 are refused, as not exact). The header dict is parsed as a literal, never evaluated; object arrays (pickle)
 * are refused. Errors are `FormatError`s naming `options.file` and what was expected vs found.
 * @example
 * // numpy: np.save("x.npy", x)
 * const x = readNpy(new Uint8Array(fs.readFileSync("x.npy")), { file: "x.npy" }); // { dtype: "f8", shape: [n, d], data }
 */
export function readNpy(bytes: Uint8Array, options: { file?: string } = {}): NdArray {
  return readNpyAs("readNpy", bytes, checkOptions("readNpy", options, ["file"]).file);
}

function readNpyAs(fn: string, bytes: Uint8Array, file: string | undefined): NdArray {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${fn}: 'bytes' must be a Uint8Array; found ${typeof bytes}`);
  if (bytes.length < 10 || NPY_MAGIC.some((b, k) => bytes[k] !== b)) {
    formatError(fn, file, `not a .npy file: it must start with \\x93NUMPY; found ${Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) formatError(fn, file, `format version ${major}.${minor} is not supported; expected 1.0, 2.0 or 3.0`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) formatError(fn, file, `truncated header: ${bytes.length} bytes`);
  const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLength;
  if (dataOffset > bytes.length) formatError(fn, file, `header length ${headerLength} goes beyond the end of the file (${bytes.length} bytes)`);
  // Versions 1.0 and 2.0 are latin-1, 3.0 UTF-8; a valid header is ASCII in either, so bytes map to characters 1:1.
  let text = "";
  for (let k = 8 + lenBytes; k < dataOffset; k++) text += String.fromCharCode(bytes[k]);
  const header = parseHeader(fn, file, text);
  const { kind, size, littleEndian } = parseDescr(fn, file, header.descr);
  const count = sizeOf(header.shape);
  const want = count * size;
  const found = bytes.length - dataOffset;
  if (want !== found) {
    formatError(fn, file, `shape (${header.shape.join(", ")}) of '${header.descr}' needs ${want} bytes of data; found ${found} (${found < want ? "truncated" : "extra bytes after the array"})`);
  }
  const flat = decodeElements(bytes, dataOffset, count, kind, size, littleEndian, (k) =>
    formatError(fn, file, `element ${k} of the '${header.descr}' array is beyond ±2^53, not exact in float64`),
  );
  return { dtype: `${kind}${size}`, shape: header.shape, data: header.fortranOrder ? fortranToC(flat, header.shape) : flat };
}

/** The header numpy 1.24 writes for a '<f8' C-order array of `shape` (format 1.0, padded to 64 bytes; byte for byte). */
function npyHeader(shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  // numpy leaves room for the first dimension to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS) without rewriting the file.
  const growth = shape.length > 0 ? " ".repeat(Math.max(0, 21 - String(shape[0]).length)) : "";
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${tuple}, }${growth}`;
  const hlen = dict.length + 1;
  const pad = 64 - ((10 + hlen) % 64);
  const text = dict + " ".repeat(pad) + "\n";
  const out = new Uint8Array(10 + text.length);
  out.set(NPY_MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let k = 0; k < text.length; k++) out[10 + k] = text.charCodeAt(k);
  return out;
}

/**
 * Write a `.npy` file (format 1.0, '<f8', C order; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * the bytes numpy's `np.save` writes for the same float64 array, so `np.load` reads it back. A `Mat` is written with
 * shape (rows, cols), a plain vector (a Float64Array or an array of numbers) with shape (length,).
 * @example
 * fs.writeFileSync("theta.npy", writeNpy(theta)); // numpy: np.load("theta.npy"), shape (M,)
 * fs.writeFileSync("h.npy", writeNpy(hessian(model, data))); // shape (M, M)
 */
export function writeNpy(array: { shape: readonly number[]; data: ArrayLike<number> } | Mat | ArrayLike<number>): Uint8Array {
  const fn = "writeNpy";
  if (typeof array !== "object" || array === null) throw new ValueError(`${fn}: 'array' must be {shape, data}, a Mat or a vector; found ${String(array)}`);
  if (ArrayBuffer.isView(array) || Array.isArray(array)) return writeNpy({ shape: [(array as ArrayLike<number>).length], data: array as ArrayLike<number> });
  const shape = "shape" in array ? array.shape : "rows" in array ? [array.rows, array.cols] : undefined;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ShapeError(`${fn}: 'array.shape' must be an array of integers ≥ 0; found ${JSON.stringify(shape)}`);
  }
  const data = (array as { data: ArrayLike<number> }).data;
  const count = sizeOf(shape);
  if (data === null || typeof data !== "object" || data.length !== count) {
    throw new ShapeError(`${fn}: 'array.data' must have ${count} entries (the product of shape [${shape.join(", ")}]); found ${data === null || typeof data !== "object" ? String(data) : data.length}`);
  }
  const head = npyHeader(shape);
  const out = new Uint8Array(head.length + 8 * count);
  out.set(head);
  writeFloat64LE(out, head.length, data); // head.length is a multiple of 64: aligned
  return out;
}

/** An fflate decoder for deflated zip members that hands back the compressed bytes, to inflate with a size bound. */
class RawDeflate implements UnzipDecoder {
  static readonly compression = 8;
  ondata: AsyncFlateStreamHandler = () => {};
  private readonly chunks: Uint8Array[] = [];
  push(data: Uint8Array, final?: boolean): void {
    if (data.length) this.chunks.push(data);
    if (final) this.ondata(null, concat(this.chunks) as Uint8Array<ArrayBuffer>, true); // views of the input, whatever its buffer
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Read a numpy `.npz` archive (`np.savez` / `np.savez_compressed`: a zip of .npy files, read with fflate;
 * https://numpy.org/doc/stable/reference/generated/numpy.savez.html): the
 * arrays by name (the member names without `.npy`). Zip-bomb safe: the uncompressed sizes the archive declares
 * must sum to at most `options.maxBytes` (default `DEFAULT_MAX_BYTES` = 2^31 bytes), checked before anything is
 * inflated; each member is inflated into a buffer of its declared size and refused when its data is longer or
 * shorter than declared. Each member is read as by `readNpy`.
 * @example
 * // numpy: np.savez("train.npz", x=x, y=y)
 * const { x, y } = readNpz(new Uint8Array(fs.readFileSync("train.npz")), { file: "train.npz" });
 */
export function readNpz(bytes: Uint8Array, options: { file?: string; maxBytes?: number } = {}): Record<string, NdArray> {
  const fn = "readNpz";
  options = checkOptions(fn, options, ["file", "maxBytes"]);
  const file = options.file;
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${fn}: 'bytes' must be a Uint8Array; found ${typeof bytes}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throw new ValueError(`${fn}: option 'maxBytes' must be a number ≥ 0; found ${String(maxBytes)}`);
  // 1. The central directory: names, methods and declared sizes, without inflating anything.
  const members: { name: string; compression: number; size: number; originalSize: number }[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        members.push({ name: f.name, compression: f.compression, size: f.size, originalSize: f.originalSize });
        return false;
      },
    });
  } catch (e) {
    formatError(fn, file, `not a zip archive (.npz is the zip numpy.savez writes): ${(e as Error).message}`);
  }
  const total = members.reduce((a, m) => a + m.originalSize, 0);
  if (total > maxBytes) {
    formatError(fn, file, `the archive declares ${total} bytes uncompressed; at most ${maxBytes} are inflated (option 'maxBytes')`);
  }
  const names = new Set<string>();
  for (const m of members) {
    if (!m.name.endsWith(".npy")) formatError(fn, file, `member '${m.name}' is not a .npy file`);
    if (names.has(m.name)) formatError(fn, file, `member '${m.name}' appears twice`);
    names.add(m.name);
    if (m.compression !== 0 && m.compression !== 8) formatError(fn, file, `member '${m.name}': compression method ${m.compression} is not supported; expected 0 (stored) or 8 (deflate)`);
    if (m.compression === 0 && m.size !== m.originalSize) formatError(fn, file, `member '${m.name}' is stored (not compressed) yet declares ${m.size} bytes stored and ${m.originalSize} uncompressed`);
  }
  // 2. Each member's stored bytes (still compressed), from the local entries.
  const raw = new Map<string, Uint8Array>();
  try {
    const unzip = new Unzip((f) => {
      const chunks: Uint8Array[] = [];
      f.ondata = (err, data, final) => {
        if (err) throw err;
        if (data.length) chunks.push(data);
        if (final) raw.set(f.name, concat(chunks));
      };
      f.start();
    });
    unzip.register(RawDeflate);
    unzip.push(bytes, true);
  } catch (e) {
    formatError(fn, file, `not a readable zip archive: ${(e as Error).message}`);
  }
  // 3. Inflate each into a buffer of its declared size (inflateExactly); a stored member is checked against it too.
  const out: Record<string, NdArray> = {};
  for (const m of members) {
    const stored = raw.get(m.name);
    if (stored === undefined) formatError(fn, file, `member '${m.name}' of the central directory has no data in the archive`);
    const member = `member '${m.name}'`;
    const data = m.compression === 0 ? stored! : inflateExactly(fn, file, inflateSync, stored!, m.originalSize, { doesNotInflate: member, declares: member });
    if (data.length !== m.originalSize) formatError(fn, file, `${member} declares ${m.originalSize} bytes uncompressed; its data is ${data.length > m.originalSize ? "longer" : `${data.length} bytes`}`);
    const array = readNpyAs(fn, data, file === undefined ? m.name : `${file}/${m.name}`);
    Object.defineProperty(out, m.name.slice(0, -4), { value: array, enumerable: true, writable: true, configurable: true }); // even '__proto__'.npy
  }
  return out;
}
