/**
 * JSON output of the `losscape` command (docs/cli.md#output-rules): exactly one JSON object on stdout, numbers as plain JSON
 * numbers, non-finite values written as null and named in a `warnings` array.
 */

/**
 * A JSON-safe copy of `value` (typed arrays become arrays; NaN/±Infinity become null) and the warnings.
 * @example
 * toJsonSafe({ loss: Infinity }); // { value: { loss: null }, warnings: ["loss is Infinity (written as null)"] }
 */
export function toJsonSafe(value: unknown): { value: unknown; warnings: string[] } {
  const warnings: string[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "number") {
      if (Number.isFinite(v)) return v;
      warnings.push(`${path || "value"} is ${String(v)} (written as null)`);
      return null;
    }
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (v === undefined) return null;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return Array.from(v as unknown as ArrayLike<number>, (x, i) => walk(Number(x), `${path}[${i}]`));
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === undefined || typeof x === "function") continue;
        o[k] = walk(x, path ? `${path}.${k}` : k);
      }
      return o;
    }
    return String(v);
  };
  return { value: walk(value, ""), warnings };
}

/**
 * The text printed by `--json`: the record with its non-finite numbers as null, plus `warnings` (always present,
 * empty when every number was finite; warnings already in the record are kept first).
 * @example
 * process.stdout.write(jsonOutput({ loss: 0.5 })); // {"loss":0.5,"warnings":[]}
 */
export function jsonOutput(record: Record<string, unknown>): string {
  const { value, warnings } = toJsonSafe(record);
  const o = value as Record<string, unknown>;
  const prior = Array.isArray(o.warnings) ? (o.warnings as unknown[]).map(String) : [];
  return JSON.stringify({ ...o, warnings: [...prior, ...warnings] }) + "\n";
}
