// How the live examples print values: `print(...xs)` joins formatValue(x) of each argument with spaces.

/**
 * A number to 8 significant digits, in its shortest form: x rounded to 8 significant digits (toPrecision(8)), then
 * the shortest decimal that reads back as that double (String), so 0.5 prints "0.5" and 1/3 "0.33333333" — never
 * trailing zeros. Integers print whole. Magnitudes below 1e-4 print in exponent notation ("1.2345679e-7"), as do
 * those from 1e21 on (String's own rule).
 */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  const r = Number(x.toPrecision(8));
  return r !== 0 && Math.abs(r) < 1e-4 ? r.toExponential() : String(r);
}

/**
 * A printed value: strings as they are; numbers by formatNumber; arrays of numbers (typed or nested) on one line;
 * records as JSON with numbers to 8 significant digits, on one line when it fits in 120 characters.
 */
export function formatValue(x: unknown): string {
  if (typeof x === "string") return x;
  if (typeof x === "number") return formatNumber(x);
  if (ArrayBuffer.isView(x)) return `[${Array.from(x as Float64Array, formatNumber).join(", ")}]`;
  if (Array.isArray(x) && x.every((v) => typeof v === "number" || Array.isArray(v) || ArrayBuffer.isView(v))) {
    return `[${x.map(formatValue).join(", ")}]`;
  }
  const replacer = (_: string, v: unknown) =>
    ArrayBuffer.isView(v)
      ? Array.from(v as Float64Array)
      : typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v)
        ? Number(v.toPrecision(8))
        : v;
  const flat = JSON.stringify(x, replacer);
  return flat === undefined ? String(x) : flat.length <= 120 ? flat : JSON.stringify(x, replacer, 2);
}
