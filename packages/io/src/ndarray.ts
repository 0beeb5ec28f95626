import { FormatError } from "@losscape/core";

/** A numeric n-d array: dtype as read ('f8', 'f4', 'i8', 'u1', …), shape, values converted to float64 in C order. */
export interface NdArray {
  dtype: string;
  shape: number[];
  data: Float64Array;
}

/** The element kinds the readers decode: IEEE floats, two's-complement and unsigned integers, booleans (one byte). */
export type ElementKind = "f" | "i" | "u" | "b" | "bf";

/** True on a little-endian host (every platform that node and the browsers run on today; checked, not assumed). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The float64 value of the IEEE half-precision number with bits `h` (exact: every half is a double; subnormals too). */
export function halfToFloat64(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // ±0 and subnormals: frac · 2^-24
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25); // (1 + frac/1024) · 2^(exp-15)
}

/** The float64 value of the bfloat16 with bits `h`: the high 16 bits of a float32 (exact). */
function bfloatToFloat64(h: number, scratch: DataView): number {
  scratch.setUint32(0, h << 16, true);
  return scratch.getFloat32(0, true);
}

/**
 * Decode `count` elements of `size` bytes from `bytes` starting at `offset` into float64 (element order kept).
 * Little-endian float64 on a little-endian host is one copy; other kinds go through typed-array views of an
 * aligned copy, or a DataView for the other byte order. 64-bit integers beyond ±2^53 are not exact in float64:
 * `onInexact(index)` is called for the first one (it must throw).
 */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  kind: ElementKind,
  size: number,
  littleEndian: boolean,
  onInexact: (index: number) => never,
): Float64Array {
  const out = new Float64Array(count);
  const src = bytes.subarray(offset, offset + count * size);
  if (kind === "f" && size === 8 && littleEndian === HOST_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(src); // a single copy into the aligned result
    return out;
  }
  if (size === 1 || (size < 8 && kind !== "bf" && littleEndian === HOST_LITTLE_ENDIAN)) {
    // An aligned copy (the source offset is arbitrary) viewed with the element type, converted by the engine.
    const aligned = src.byteOffset % size === 0 ? src : src.slice();
    const buf = aligned.buffer;
    const at = aligned.byteOffset;
    let view: ArrayLike<number>;
    if (kind === "f") view = size === 4 ? new Float32Array(buf, at, count) : new Uint16Array(buf, at, count);
    else if (kind === "i") view = size === 1 ? new Int8Array(buf, at, count) : size === 2 ? new Int16Array(buf, at, count) : new Int32Array(buf, at, count);
    else view = size === 1 ? new Uint8Array(buf, at, count) : size === 2 ? new Uint16Array(buf, at, count) : new Uint32Array(buf, at, count);
    if (kind === "f" && size === 2) for (let k = 0; k < count; k++) out[k] = halfToFloat64(view[k]);
    else if (kind === "b") for (let k = 0; k < count; k++) out[k] = view[k] === 0 ? 0 : 1;
    else out.set(view);
    return out;
  }
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const le = littleEndian;
  if (kind === "f") {
    if (size === 8) for (let k = 0; k < count; k++) out[k] = dv.getFloat64(8 * k, le);
    else if (size === 4) for (let k = 0; k < count; k++) out[k] = dv.getFloat32(4 * k, le);
    else for (let k = 0; k < count; k++) out[k] = halfToFloat64(dv.getUint16(2 * k, le));
  } else if (kind === "bf") {
    const scratch = new DataView(new ArrayBuffer(4));
    for (let k = 0; k < count; k++) out[k] = bfloatToFloat64(dv.getUint16(2 * k, le), scratch);
  } else if (size === 2) {
    for (let k = 0; k < count; k++) out[k] = kind === "i" ? dv.getInt16(2 * k, le) : dv.getUint16(2 * k, le);
  } else if (size === 4) {
    for (let k = 0; k < count; k++) out[k] = kind === "i" ? dv.getInt32(4 * k, le) : dv.getUint32(4 * k, le);
  } else {
    // 64-bit integers: v = hi·2^32 + lo, exact in float64 while |v| ≤ 2^53, i.e. hi ∈ [−2^21, 2^21) or v = 2^53.
    for (let k = 0; k < count; k++) {
      const lo = dv.getUint32(8 * k + (le ? 0 : 4), le);
      const hi = kind === "i" ? dv.getInt32(8 * k + (le ? 4 : 0), le) : dv.getUint32(8 * k + (le ? 4 : 0), le);
      if (hi < -(2 ** 21) || hi > 2 ** 21 || (hi === 2 ** 21 && lo !== 0)) onInexact(k);
      out[k] = hi * 2 ** 32 + lo;
    }
  }
  return out;
}

/** Reorder the column-major (Fortran order) values of an array of `shape` into row-major (C) order. */
export function fortranToC(data: Float64Array, shape: readonly number[]): Float64Array {
  const n = shape.length;
  if (n < 2 || data.length === 0) return data;
  const out = new Float64Array(data.length);
  if (n === 2) {
    const [r, c] = shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = data[j * r + i];
    return out;
  }
  // Fortran strides: stride[0] = 1, stride[k] = stride[k−1]·shape[k−1]; walk the C-order indices like an odometer.
  const stride = new Array<number>(n);
  stride[0] = 1;
  for (let k = 1; k < n; k++) stride[k] = stride[k - 1] * shape[k - 1];
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  for (let dst = 0; dst < data.length; dst++) {
    out[dst] = data[src];
    for (let k = n - 1; k >= 0; k--) {
      idx[k]++;
      src += stride[k];
      if (idx[k] < shape[k]) break;
      src -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** `fn: file 'name': ` (or `fn: `) — the start of every FormatError message of the readers. */
export function where(fn: string, file: string | undefined): string {
  return file === undefined ? `${fn}: ` : `${fn}: file '${file}': `;
}

/** Throw a FormatError starting with `where(fn, file)`. */
export function formatError(fn: string, file: string | undefined, message: string): never {
  throw new FormatError(where(fn, file) + message);
}

/**
 * Inflate `data` (fflate's `inflate` or `gunzip`) into a buffer of the `declared` size, refusing data longer or
 * shorter than declared (zip-bomb safe: nothing beyond declared + 1 bytes is ever written). fflate stops at the end of
 * a given `out` buffer, so one spare byte filled means "longer"; a stored block that overflows it is a RangeError.
 * `name` starts the messages: "member 'x.npy'", "the gzip stream".
 */
export function inflateExactly(
  fn: string,
  file: string | undefined,
  inflate: (data: Uint8Array, opts: { out: Uint8Array }) => Uint8Array,
  data: Uint8Array,
  declared: number,
  name: { doesNotInflate: string; declares: string },
): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflate(data, { out: new Uint8Array(declared + 1) });
  } catch (e) {
    out = e instanceof RangeError ? new Uint8Array(declared + 1) : formatError(fn, file, `${name.doesNotInflate} does not inflate: ${(e as Error).message}`);
  }
  if (out.length !== declared) formatError(fn, file, `${name.declares} declares ${declared} bytes uncompressed; its data is ${out.length > declared ? "longer" : `${out.length} bytes`}`);
  return out;
}

/** The product of the dimensions (1 for a 0-d array). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Write `data` as little-endian float64 into `out` at byte `offset` (a multiple of 8): one typed-array copy on a
 * little-endian host, a DataView otherwise.
 */
export function writeFloat64LE(out: Uint8Array, offset: number, data: ArrayLike<number>): void {
  if (HOST_LITTLE_ENDIAN && (out.byteOffset + offset) % 8 === 0) {
    new Float64Array(out.buffer, out.byteOffset + offset, data.length).set(data);
    return;
  }
  const dv = new DataView(out.buffer, out.byteOffset + offset, 8 * data.length);
  for (let k = 0; k < data.length; k++) dv.setFloat64(8 * k, data[k], true);
}
