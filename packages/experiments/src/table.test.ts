import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import type { ResultRow } from "./results.js";
import { flatTable, toCsv, toParquet } from "./table.js";

// The exports read by DuckDB: a Parquet and CSV reader written apart from ours (C++), the kind pandas and polars
// users' tools are checked against. Doubles must come back bit for bit.
const dir = mkdtempSync(join(tmpdir(), "losscape-table-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (i: number, result: ResultRow["result"], error: string | null = null): ResultRow => ({
  key: `k${i}`,
  params: { phi: [0.25, 0.5, 0.75][i % 3], widths: [16, 16, 16], act: { name: "tanh", bias: i % 2 === 0 } },
  seed: [0, 4294967295, 2 ** 53 - 1][i % 3],
  outcome: error === null ? "ok" : "error",
  result,
  error,
  started: "2026-12-05T12:37:23.997Z",
  seconds: 22.870291444000003,
  host: "vm",
  worker: `pool:vm:30505/${i}`,
  version: "0.1.0",
});

const ROWS: ResultRow[] = [
  row(0, { eps: 0.1 + 0.2, alpha: 5e-324, kind: "saddle, strict", critical: true, inertia: { negative: 130, zero: 0 } }),
  row(1, { eps: 1.7976931348623157e308, alpha: -2.2250738585072014e-308, kind: 'quoted "kind"\nnext line', critical: false, inertia: { negative: 0, zero: 3 } }),
  row(2, null, "task 2 fails: ‖∇R‖ = NaN"),
];

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe("exports read by DuckDB", () => {
  const { columns, values } = flatTable(ROWS);

  it("Parquet: the column types, and every value back exactly (doubles bit for bit, nulls where a row has none)", async () => {
    const file = join(dir, "rows.parquet");
    writeFileSync(file, await toParquet(ROWS));
    const types = Object.fromEntries((await duck(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((r) => [r.column_name, r.column_type]));
    expect(Object.keys(types)).toEqual(columns);
    expect(types).toMatchObject({
      "params.phi": "DOUBLE",
      "params.widths": "VARCHAR",
      "params.act.bias": "BOOLEAN",
      "result.eps": "DOUBLE",
      "result.alpha": "DOUBLE",
      "result.critical": "BOOLEAN",
      "result.inertia.negative": "DOUBLE",
      seed: "DOUBLE",
      error: "VARCHAR",
    });
    const back = await duck(`SELECT * FROM read_parquet('${file}')`);
    expect(back).toHaveLength(ROWS.length);
    for (const c of columns) expect(back.map((r) => r[c])).toEqual(values[c]);
    expect(Object.is(back[1]["result.alpha"], -2.2250738585072014e-308)).toBe(true);
    expect(back[2]["result.eps"]).toBeNull();
  });

  it("CSV (RFC 4180): DuckDB's reader finds the same columns and values, quoted commas, quotes and newlines included", async () => {
    const file = join(dir, "rows.csv");
    writeFileSync(file, toCsv(ROWS));
    const back = await duck(`SELECT * FROM read_csv('${file}', header = true, all_varchar = true)`);
    expect(Object.keys(back[0])).toEqual(columns);
    for (const c of columns) {
      const want = values[c].map((v) => (v === null ? null : String(v)));
      expect(back.map((r) => r[c])).toEqual(want);
    }
    // Doubles printed by String() parse back to the same bits.
    expect(Number(back[0]["result.eps"])).toBe(0.1 + 0.2);
    expect(Number(back[0]["result.alpha"])).toBe(5e-324);
    expect(Number(back[1]["result.eps"])).toBe(1.7976931348623157e308);
  });
});
