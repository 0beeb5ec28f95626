import { FormatError, matFromRows, ShapeError, ValueError, type Mat, checkOptions } from "@losscape/core";
import { checkData, checkModel, compileSpec } from "./spec.js";
import type { Activation, Dataset, Model } from "./types.js";

/** The format tags of docs/formats.md. */
export const MODEL_FORMAT = "losscape.mlp/1";
export const DATA_FORMAT = "losscape.data/1";

/** How deep a model or data file may nest (they need 3 levels: object → rows → numbers). */
export const MAX_JSON_DEPTH = 64;

/** JSON text without a leading UTF-8 byte-order mark (editors on Windows write one). */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(fn: string, text: string): unknown {
  try {
    return JSON.parse(withoutBom(text));
  } catch (e) {
    throw new FormatError(`${fn}: input is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Refuse a parsed value nested deeper than `MAX_JSON_DEPTH` (checked with an explicit stack, so a hostile file
 * cannot overflow the call stack of this check or of the messages that print parts of it).
 */
function checkDepth(fn: string, root: unknown): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_JSON_DEPTH) throw new FormatError(`${fn}: input must nest at most ${MAX_JSON_DEPTH} levels deep; found deeper nesting`);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (typeof c === "object" && c !== null) stack.push([c, depth + 1]);
  }
}

/**
 * Read a `losscape.mlp/1` model (docs/formats.md#models) from JSON text or an already parsed object, with validation:
 * `format` must be "losscape.mlp/1"; widths, activation (one name or one per hidden layer; leaky-relu as a name or
 * `{name, slope}`), output (default linear), bias (default true), loss (default mse), optional l2, `params` of
 * length paramCount with finite numbers; `meta` is kept.
 * @example
 * parseModel('{"format":"losscape.mlp/1","widths":[1,1],"activation":"tanh","params":[2,0]}')
 */
export function parseModel(source: string | object): Model {
  const fn = "parseModel";
  const o = typeof source === "string" ? parseJson(fn, source) : source;
  checkDepth(fn, o);
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new FormatError(`${fn}: a model must be a JSON object; found ${JSON.stringify(o)}`);
  const r = o as Record<string, unknown>;
  if (r.format !== MODEL_FORMAT) {
    throw new FormatError(`${fn}: field 'format' must be "${MODEL_FORMAT}"; found ${JSON.stringify(r.format)}`);
  }
  if (!Array.isArray(r.params)) throw new FormatError(`${fn}: field 'params' must be an array of numbers; found ${JSON.stringify(r.params)?.slice(0, 60)}`);
  r.params.forEach((v, i) => {
    if (typeof v !== "number") throw new FormatError(`${fn}: field 'params[${i}]' must be a number; found ${JSON.stringify(v)}`);
  });
  if (r.meta !== undefined && (typeof r.meta !== "object" || r.meta === null || Array.isArray(r.meta))) {
    throw new FormatError(`${fn}: field 'meta' must be an object when present; found ${JSON.stringify(r.meta)}`);
  }
  const model: Model = {
    widths: r.widths as number[],
    activation: r.activation as Activation,
    ...(r.output !== undefined ? { output: r.output as Model["output"] } : {}),
    ...(r.bias !== undefined ? { bias: r.bias as boolean } : {}),
    ...(r.loss !== undefined ? { loss: r.loss as Model["loss"] } : {}),
    ...(r.l2 !== undefined ? { l2: r.l2 as number } : {}),
    params: Float64Array.from(r.params as number[]),
    ...(r.meta !== undefined ? { meta: r.meta as Record<string, unknown> } : {}),
  };
  checkModel(fn, model);
  return model;
}

/**
 * A model as a plain `losscape.mlp/1` object (JSON.stringify it to write a file); `meta` is kept, defaults are
 * written explicitly (output, bias, loss), l2 only when set.
 * @example
 * JSON.stringify(serializeModel(model))
 */
export function serializeModel(model: Model): Record<string, unknown> {
  checkModel("serializeModel", model);
  const o: Record<string, unknown> = {
    format: MODEL_FORMAT,
    widths: [...model.widths],
    activation: Array.isArray(model.activation) ? [...model.activation] : model.activation,
    output: model.output ?? "linear",
    bias: model.bias ?? true,
    loss: model.loss ?? "mse",
  };
  if (model.l2 !== undefined && model.l2 !== 0) o.l2 = model.l2;
  o.params = Array.from(model.params);
  if (model.meta !== undefined) o.meta = model.meta;
  return o;
}

function rowsOf(fn: string, field: string, v: unknown): Mat {
  if (!Array.isArray(v)) throw new FormatError(`${fn}: field '${field}' must be an array of rows; found ${JSON.stringify(v)?.slice(0, 60)}`);
  const rows = v.map((row, i) => {
    const arr = typeof row === "number" ? [row] : row;
    if (!Array.isArray(arr)) throw new FormatError(`${fn}: field '${field}[${i}]' must be an array of numbers; found ${JSON.stringify(row)}`);
    arr.forEach((x, j) => {
      if (typeof x !== "number") throw new FormatError(`${fn}: field '${field}[${i}][${j}]' must be a number; found ${JSON.stringify(x)}`);
    });
    return arr as number[];
  });
  if (rows.length === 0) return { rows: 0, cols: 0, data: new Float64Array(0) };
  const c = rows[0].length;
  rows.forEach((row, i) => {
    if (row.length !== c) throw new ShapeError(`${fn}: field '${field}[${i}]' must have length ${c} like '${field}[0]'; found ${row.length}`);
  });
  return matFromRows(rows);
}

/** The CSV options of `parseData` and `parseCsvData`. */
export interface CsvOptions {
  /** How many leading columns are x (d_in); default all but the last. */
  inputs?: number;
  /** The field separator; default: detected (`,`, `;` or tab). */
  separator?: CsvSeparator;
  /** Whether the first line is a header row; default: detected (a header when any of its cells is not a number). */
  header?: boolean;
}

/** The field separators of CSV files that `parseCsvData` detects. */
export type CsvSeparator = "," | ";" | "\t";

const CSV_SEPARATORS: readonly CsvSeparator[] = [",", ";", "\t"];

/** A data set read from CSV text, with what was detected (or given): the header row's cells (null: none) and the separator. */
export interface CsvData {
  data: Dataset;
  header: string[] | null;
  separator: CsvSeparator;
}

/**
 * Read a `losscape.data/1` data set (docs/formats.md#data-sets). JSON: `{"format": "losscape.data/1", "x": [[…], …], "y": [[…], …]}`
 * (a bare number is accepted as a one-entry row). CSV: as `parseCsvData` (separator and header row detected unless
 * given; the first `inputs` columns are x, default all but the last). The format is guessed from the first
 * character unless given. Checks: rectangular rows, numbers only, x and y with the same n ≥ 1. Matching against a
 * model is `validateData`.
 * @example
 * parseData("x,y\n0,0\n1,2\n", { format: "csv", inputs: 1 }) // x 2×1, y 2×1
 */
export function parseData(source: string | object, options: { format?: "json" | "csv" } & CsvOptions = {}): Dataset {
  const fn = "parseData";
  options = checkOptions(fn, options, ["format", "inputs", "separator", "header"]);
  const format = options.format ?? (typeof source === "string" && !/^\s*\{/.test(source) ? "csv" : "json");
  let data: Dataset;
  if (format === "csv") {
    if (typeof source !== "string") throw new FormatError(`${fn}: CSV input must be text; found ${typeof source}`);
    data = parseCsv(fn, source, options).data;
  } else if (format === "json") {
    const o = typeof source === "string" ? parseJson(fn, source) : source;
    checkDepth(fn, o);
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw new FormatError(`${fn}: data must be a JSON object; found ${JSON.stringify(o)?.slice(0, 60)}`);
    const r = o as Record<string, unknown>;
    if (r.format !== DATA_FORMAT) throw new FormatError(`${fn}: field 'format' must be "${DATA_FORMAT}"; found ${JSON.stringify(r.format)}`);
    data = { x: rowsOf(fn, "x", r.x), y: rowsOf(fn, "y", r.y) };
  } else {
    throw new FormatError(`${fn}: option 'format' must be 'json' or 'csv'; found ${String(format)}`);
  }
  checkRows(fn, data);
  return data;
}

/** n ≥ 1 rows, as many in y as in x, at least one y column. */
function checkRows(fn: string, data: Dataset): void {
  if (data.x.rows === 0) throw new ShapeError(`${fn}: field 'x' must have at least one row (n ≥ 1); found n = 0`);
  if (data.y.rows !== data.x.rows) throw new ShapeError(`${fn}: field 'y' must have as many rows as 'x' (${data.x.rows}); found ${data.y.rows}`);
  if (data.y.cols === 0) throw new ShapeError(`${fn}: field 'y' must have at least one column; found 0`);
}

/**
 * Read a data set from CSV text (docs/formats.md#csv) and say how it was read. The separator is `,`, `;` or tab:
 * the one that splits the first lines into the same number of fields, the most fields (`options.separator`
 * overrides). The first line is a header row when any of its cells is not a number (`options.header` overrides).
 * Every other line is a sample; the first `inputs` columns are x (default: all but the last), the rest y.
 * Cells are decimal numbers; empty lines are skipped; a leading byte-order mark too.
 * @example
 * parseCsvData("x0;x1;y\n1;2;3\n") // { data: {x: 1×2, y: 1×1}, header: ["x0", "x1", "y"], separator: ";" }
 * parseCsvData("1\t2\n3\t4\n")   // { data: {x: 2×1, y: 2×1}, header: null, separator: "\t" }
 */
export function parseCsvData(text: string, options: CsvOptions = {}): CsvData {
  const fn = "parseCsvData";
  options = checkOptions(fn, options, ["inputs", "separator", "header"]);
  if (typeof text !== "string") throw new FormatError(`${fn}: CSV input must be text; found ${typeof text}`);
  const csv = parseCsv(fn, text, options);
  checkRows(fn, csv.data);
  return csv;
}

/** A CSV cell that is a number: decimal (optional sign, digits with an optional point, optional exponent) or ±Infinity (refused later as non-finite, by name); not hex, binary, octal or blank. */
const CSV_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$/;

/** How many of the first lines the separator and header detection look at. */
const CSV_SNIFF_LINES = 20;

/**
 * The separator that splits the first lines into the same number (> 1) of fields, the most fields; when none is
 * consistent, the one that splits the first line most (a row-length error then names the line); `,` for one column.
 */
function detectSeparator(lines: readonly string[]): CsvSeparator {
  const first = lines.slice(0, CSV_SNIFF_LINES);
  let best: CsvSeparator = ",";
  let bestScore = 1;
  for (const consistentOnly of [true, false]) {
    for (const sep of CSV_SEPARATORS) {
      const counts = first.map((l) => l.split(sep).length);
      if (consistentOnly && counts.some((c) => c !== counts[0])) continue;
      if (counts[0] > bestScore) [best, bestScore] = [sep, counts[0]];
    }
    if (bestScore > 1) break;
  }
  return best;
}

function parseCsv(fn: string, text: string, options: CsvOptions): CsvData {
  if (options.separator !== undefined && !CSV_SEPARATORS.includes(options.separator)) {
    throw new ValueError(`${fn}: option 'separator' must be ',', ';' or '\\t'; found ${JSON.stringify(options.separator)}`);
  }
  if (options.header !== undefined && typeof options.header !== "boolean") {
    throw new ValueError(`${fn}: option 'header' must be true or false; found ${String(options.header)}`);
  }
  // Lines with their line numbers in the file (empty lines skipped).
  const lines: { text: string; no: number }[] = [];
  withoutBom(text)
    .split(/\r?\n/)
    .forEach((l, k) => {
      if (l.trim() !== "") lines.push({ text: l, no: k + 1 });
    });
  if (lines.length === 0) throw new FormatError(`${fn}: CSV needs at least one data row; found no non-empty line`);
  const separator = options.separator ?? detectSeparator(lines.map((l) => l.text));
  const firstCells = lines[0].text.split(separator);
  const hasHeader = options.header ?? firstCells.some((cell) => !CSV_NUMBER.test(cell.trim()));
  const header = hasHeader ? firstCells.map((cell) => cell.trim()) : null;
  const c = firstCells.length;
  const sepName = separator === "\t" ? "tab" : `'${separator}'`;
  if (c < 2) {
    throw new FormatError(`${fn}: CSV needs at least 2 columns (x, then y); found 1 on line ${lines[0].no} with separator ${sepName} (',', ';' and tab are detected)`);
  }
  const dIn = options.inputs ?? c - 1;
  if (!Number.isInteger(dIn) || dIn < 1 || dIn >= c) {
    throw new ShapeError(`${fn}: option 'inputs' must be an integer in 1..${c - 1} (the CSV has ${c} columns); found ${String(options.inputs)}`);
  }
  const rows = hasHeader ? lines.slice(1) : lines;
  if (rows.length === 0) throw new FormatError(`${fn}: CSV needs at least one data row after the header row; found none`);
  const n = rows.length;
  const x = new Float64Array(n * dIn);
  const y = new Float64Array(n * (c - dIn));
  const column = (j: number) => (header ? `column '${header[j]}'` : `column ${j + 1}`);
  for (let i = 0; i < n; i++) {
    const cells = rows[i].text.split(separator);
    if (cells.length !== c) {
      throw new FormatError(`${fn}: CSV line ${rows[i].no} must have ${c} fields (${sepName}-separated) like ${header ? "the header" : "the first line"}; found ${cells.length}`);
    }
    for (let j = 0; j < c; j++) {
      const s = cells[j].trim();
      if (!CSV_NUMBER.test(s)) throw new FormatError(`${fn}: CSV line ${rows[i].no}, ${column(j)} must be a number; found '${s}'`);
      const v = Number(s);
      if (j < dIn) x[i * dIn + j] = v;
      else y[i * (c - dIn) + j - dIn] = v;
    }
  }
  return { data: { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: c - dIn, data: y } }, header, separator };
}

/**
 * Write a data set as a `losscape.data/1` JSON object, or as CSV text (`{ format: 'csv' }`: header x0,…,y0,…).
 * @example
 * JSON.stringify(serializeData(data))
 */
export function serializeData(data: Dataset): Record<string, unknown>;
export function serializeData(data: Dataset, options: { format: "csv" }): string;
export function serializeData(data: Dataset, options: { format?: "json" | "csv" } = {}): Record<string, unknown> | string {
  const fn = "serializeData";
  options = checkOptions(fn, options, ["format"]);
  if (options.format !== undefined && options.format !== "json" && options.format !== "csv") {
    throw new ValueError(`${fn}: option 'format' must be 'json' or 'csv'; found ${JSON.stringify(options.format) ?? String(options.format)}`);
  }
  // Shape and finiteness checks against a spec with the data's own widths.
  checkData(fn, compileSpec(fn, { widths: [data.x?.cols ?? 0, data.y?.cols ?? 0], activation: "linear" }), data);
  const rows = (m: Mat) => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  if (options.format === "csv") {
    const head = [...Array.from({ length: data.x.cols }, (_, j) => `x${j}`), ...Array.from({ length: data.y.cols }, (_, j) => `y${j}`)];
    const xr = rows(data.x);
    const yr = rows(data.y);
    return [head.join(","), ...xr.map((r, i) => [...r, ...yr[i]].map((v) => String(v)).join(","))].join("\n") + "\n";
  }
  return { format: DATA_FORMAT, x: rows(data.x), y: rows(data.y) };
}
