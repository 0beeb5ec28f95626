/** Human-readable output: numbers and aligned tables. */

/**
 * A number for people: integers as they are, others with 6 significant digits (exponent when tiny or huge).
 * @example
 * fmt(0.123456789); // "0.123457"
 */
export function fmt(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined) return "—";
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/**
 * Inertia as "(negative, zero, positive)".
 * @example
 * fmtInertia({ negative: 1, zero: 0, positive: 9 }); // "(1, 0, 9)"
 */
export function fmtInertia(i: { negative: number; zero: number; positive: number }): string {
  return `(${i.negative}, ${i.zero}, ${i.positive})`;
}

const isNumeric = (s: string) => /^[-+−]?(\d|\.\d|NaN|Infinity)/.test(s) || s === "—" || s === "⋮";

/**
 * An aligned table: a header row, a rule, then the rows. Columns whose cells all look numeric are right-aligned.
 * @example
 * table(["k", "loss"], [["1", "0.5"], ["2", "0.25"]])
 */
export function table(header: string[], rows: string[][]): string {
  const ncol = header.length;
  const width = header.map((h, j) => Math.max(len(h), ...rows.map((r) => len(r[j] ?? ""))));
  const right = header.map((_, j) => rows.length > 0 && rows.every((r) => isNumeric(r[j] ?? "")));
  const line = (cells: string[]) =>
    cells
      .slice(0, ncol)
      .map((c, j) => (right[j] ? pad(c, width[j], true) : pad(c, width[j], false)))
      .join("  ")
      .trimEnd();
  return [line(header), width.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

/**
 * Key–value lines with the keys aligned.
 * @example
 * keyValues([["loss", "0.5"], ["‖∇R‖", "1e-12"]]);
 */
export function keyValues(pairs: [string, string][]): string {
  const w = Math.max(0, ...pairs.map(([k]) => len(k)));
  return pairs.map(([k, v]) => `${pad(k, w, false)}  ${v}`).join("\n") + "\n";
}

/**
 * A list of numbers wrapped into lines of `perLine`, each number right-aligned.
 * @example
 * numberBlock([3, 2.5, 1e-9], 6);
 */
export function numberBlock(values: ArrayLike<number>, perLine = 6, indent = "  "): string {
  const cells = Array.from(values, (v) => fmt(v));
  const w = Math.max(0, ...cells.map(len));
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += perLine) lines.push(indent + cells.slice(i, i + perLine).map((c) => pad(c, w, true)).join("  "));
  return lines.join("\n") + (lines.length ? "\n" : "");
}

function len(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, right: boolean): string {
  const n = w - len(s);
  if (n <= 0) return s;
  return right ? " ".repeat(n) + s : s + " ".repeat(n);
}
