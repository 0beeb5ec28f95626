import type { ResultRow } from "./results.js";

/** A flat table of rows: one column per parameter, result field (nested fields joined by '.') and row field. */
export interface FlatTable {
  columns: string[];
  /** Per column: numbers, booleans, strings or null (arrays and objects below the top level as JSON text). */
  values: Record<string, (number | boolean | string | null)[]>;
}

function flatten(prefix: string, v: unknown, into: Record<string, number | boolean | string | null>): void {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, into);
  } else if (Array.isArray(v)) into[prefix] = JSON.stringify(v);
  else into[prefix] = v === undefined ? null : (v as number | boolean | string | null);
}

/**
 * The rows as a flat table for CSV and Parquet: `params.<name>`, `result.<field>` (nested objects flattened with
 * '.', arrays as JSON text), then seed, outcome, error, started, seconds, host, worker, version.
 * @example
 * flatTable(rows).columns; // ["params.phi", "params.run", …, "result.eps", …, "seconds", …]
 */
export function flatTable(rows: readonly ResultRow[]): FlatTable {
  const flat = rows.map((r) => {
    const o: Record<string, number | boolean | string | null> = {};
    flatten("params", r.params, o);
    // An error row's result is null: no column of its own (its fields are null in the columns of the others).
    if (r.result !== null) flatten("result", r.result, o);
    for (const k of ["seed", "outcome", "error", "started", "seconds", "host", "worker", "version"] as const) o[k] = r[k];
    return o;
  });
  // Columns in first-seen order within each group: the parameters, the result's fields, the row's own fields.
  const seen = new Set<string>();
  for (const o of flat) for (const k of Object.keys(o)) seen.add(k);
  const group = (c: string) => (c.startsWith("params.") ? 0 : c === "result" || c.startsWith("result.") ? 1 : 2);
  const columns = [...seen].map((c, i) => ({ c, i })).sort((a, b) => group(a.c) - group(b.c) || a.i - b.i).map((x) => x.c);
  const values = Object.fromEntries(columns.map((c) => [c, flat.map((o) => o[c] ?? null)]));
  return { columns, values };
}

/**
 * The rows as CSV (RFC 4180: a header line, fields with a comma, quote or newline quoted, quotes doubled; null empty).
 * @example
 * writeFileSync("runs.csv", toCsv(rows));
 */
export function toCsv(rows: readonly ResultRow[]): string {
  const { columns, values } = flatTable(rows);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map(cell).join(",")];
  for (let i = 0; i < rows.length; i++) lines.push(columns.map((c) => cell(values[c][i])).join(","));
  return lines.join("\n") + "\n";
}

/**
 * The rows as a Parquet file (hyparquet-writer): a column of all numbers is DOUBLE, of all booleans BOOLEAN,
 * anything else STRING (numbers and booleans among strings written as text); null where a row has no value.
 * @example
 * writeFileSync("runs.parquet", toParquet(rows));
 */
export async function toParquet(rows: readonly ResultRow[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const { columns, values } = flatTable(rows);
  const columnData = columns.map((name) => {
    const vals = values[name];
    const present = vals.filter((v) => v !== null);
    if (present.length > 0 && present.every((v) => typeof v === "number")) return { name, data: vals, type: "DOUBLE" as const };
    if (present.length > 0 && present.every((v) => typeof v === "boolean")) return { name, data: vals, type: "BOOLEAN" as const };
    return { name, data: vals.map((v) => (v === null ? null : String(v))), type: "STRING" as const };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
