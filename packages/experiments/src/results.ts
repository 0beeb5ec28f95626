import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { FormatError, ValueError, checkOptions } from "@losscape/core";
import type { ExperimentSpec } from "./spec.js";
import { experimentId, type TaskRef } from "./spec.js";
import type { Task } from "./tasks.js";

/** The tag of a results file's first line (docs/formats.md#experiment-results-jsonl). */
export const RESULTS_FORMAT = "losscape.experiment-results/1";

/** The version of @losscape/experiments, written in every row. */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The first line of a results file: which experiment its rows belong to. */
export interface ResultsHeader {
  format: typeof RESULTS_FORMAT;
  name: string;
  /** `experimentId(spec)`: rows of another task or seed are refused. */
  id: string;
  task: TaskRef;
  seed: number;
  version: string;
}

/** One finished task: one line of the results file. */
export interface ResultRow {
  /** `TaskPoint.key`: canonical JSON of the parameters. */
  key: string;
  params: Record<string, unknown>;
  /** The experiment's seed the task got. */
  seed: number;
  /** "ok": `result` holds the task's value; "error": the task threw, `error` holds the message. */
  outcome: "ok" | "error";
  result: unknown;
  error: string | null;
  /** When the task started (ISO 8601, UTC) and its wall time in seconds. */
  started: string;
  seconds: number;
  /** Where it ran: the machine's host name and the worker ("pool-3", "queue:<pid>-2"). */
  host: string;
  worker: string;
  /** @losscape/experiments version of the worker. */
  version: string;
}

/**
 * A JSON-safe copy (typed arrays become arrays, NaN and ±Infinity become null, an object with `toJSON` such as a Date
 * what that returns), so a row is one valid JSON line.
 * @example
 * jsonSafe({ a: new Float64Array([1, NaN]) }); // { a: [1, null] }
 */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => jsonSafe(Number(x)));
  if (Array.isArray(v)) return v.map(jsonSafe);
  // What JSON.stringify would write for an object with toJSON (a Date: its ISO text), not its own fields ({} for a Date).
  if (typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") return jsonSafe((v as { toJSON(): unknown }).toJSON());
  if (typeof v === "object") return Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== undefined && typeof x !== "function").map(([k, x]) => [k, jsonSafe(x)]));
  return v === undefined ? null : String(v);
}

/**
 * Run one task and make its row: a task that throws, or whose result is too large for one JSON line, gives an "error"
 * row with its message (the sweep goes on).
 * @example
 * const row = await executeTask(task, { key, params }, 0, "pool-1");
 */
export async function executeTask(task: Task, point: { key: string; params: Record<string, unknown> }, seed: number, worker: string): Promise<ResultRow> {
  const started = new Date().toISOString();
  const t0 = performance.now();
  let result: unknown = null;
  let error: string | null = null;
  try {
    result = jsonSafe(await task.run(point.params, seed));
  } catch (e) {
    error = errorText(e);
  }
  const row: ResultRow = {
    key: point.key,
    params: point.params,
    seed,
    outcome: error === null ? "ok" : "error",
    result,
    error,
    started,
    seconds: (performance.now() - t0) / 1000,
    host: hostname(),
    worker,
    version: VERSION,
  };
  // The row is written as one JSON line: a result beyond V8's longest string (2^29 − 24 characters) would stop the
  // whole sweep when it is written (an internal error), and again on every resume. It is the task's error row instead.
  try {
    JSON.stringify(row);
  } catch (e) {
    return { ...row, outcome: "error", result: null, error: `executeTask: the task's result cannot be written as one JSON line of the results file (${errorText(e)})` };
  }
  return row;
}

/** A thrown value as one line: "TypeError: message" (a plain Error: its message). */
const errorText = (e: unknown): string => (e instanceof Error ? `${e.name === "Error" ? "" : e.name + ": "}${e.message}` : String(e)).replace(/\s*\n\s*/g, " ");

/** What a results file holds. */
export interface StoredResults {
  header: ResultsHeader | null;
  rows: ResultRow[];
  /** An incomplete last line removed, a repeated key ignored. */
  warnings: string[];
}

const isRow = (v: unknown): v is ResultRow => {
  const o = v as Record<string, unknown>;
  return typeof o === "object" && o !== null && typeof o.key === "string" && typeof o.params === "object" && (o.outcome === "ok" || o.outcome === "error");
};

const isHeader = (v: unknown): v is ResultsHeader => typeof v === "object" && v !== null && (v as Record<string, unknown>).format === RESULTS_FORMAT;

/**
 * Read a results file (missing or empty: no header, no rows). With `repair`, an incomplete last line (a write cut
 * short by a crash) is cut off the file, so the next row starts on a line of its own; without, it is skipped. A row
 * whose key is already on an earlier line is ignored with a warning (the first stays), and so is the header again (two
 * runs that started the file at once). A line that is not JSON, a first line that is not a results header, or the
 * header of another experiment further down, is a FormatError naming the file and line.
 * @example
 * const { header, rows } = readResults("runs.jsonl");
 */
export function readResults(path: string, options: { repair?: boolean } = {}): StoredResults {
  options = checkOptions("readResults", options, ["repair"]);
  if (!existsSync(path) || statSync(path).size === 0) return { header: null, rows: [], warnings: [] };
  let text = readFileSync(path, "utf8");
  const warnings: string[] = [];
  const complete = text.lastIndexOf("\n") + 1;
  if (complete < text.length) {
    const lineNo = text.slice(0, complete).split("\n").length;
    if (options.repair) {
      truncateSync(path, Buffer.byteLength(text.slice(0, complete), "utf8"));
      warnings.push(`${path}: line ${lineNo} was incomplete (an interrupted write) and was removed; its task runs again`);
    } else warnings.push(`${path}: line ${lineNo} is incomplete (an interrupted write) and was skipped`);
    text = text.slice(0, complete);
  }
  if (text === "") return { header: null, rows: [], warnings };
  const lines = text.slice(0, -1).split("\n");
  const parse = (k: number): unknown => {
    try {
      return JSON.parse(lines[k]);
    } catch {
      throw new FormatError(`${path} line ${k + 1}: not valid JSON`);
    }
  };
  const header = parse(0);
  if (!isHeader(header)) {
    throw new FormatError(`${path} line 1: expected the header {"format": "${RESULTS_FORMAT}", …} of an experiment's results; found ${lines[0].slice(0, 60)}`);
  }
  const rows: ResultRow[] = [];
  const seen = new Set<string>();
  for (let k = 1; k < lines.length; k++) {
    const r = parse(k);
    if (isHeader(r)) {
      // Two runs that started the file at once each wrote the header: the second one is no row.
      if (r.id !== header.id) throw new FormatError(`${path} line ${k + 1}: the header of another experiment (id ${r.id}; line 1: ${header.id}): two experiments wrote this file`);
      warnings.push(`${path} line ${k + 1}: the experiment's header again (two runs wrote this file at once); ignored`);
      continue;
    }
    if (!isRow(r)) throw new FormatError(`${path} line ${k + 1}: expected a result row {key, params, outcome, …}; found ${lines[k].slice(0, 60)}`);
    if (seen.has(r.key)) {
      warnings.push(`${path} line ${k + 1}: task ${r.key} is already on an earlier line; ignored`);
      continue;
    }
    seen.add(r.key);
    rows.push(r);
  }
  return { header, rows, warnings };
}

/** The header a spec's results file carries. */
export function resultsHeader(spec: ExperimentSpec): ResultsHeader {
  return { format: RESULTS_FORMAT, name: spec.name, id: experimentId(spec), task: spec.task, seed: spec.seed, version: VERSION };
}

/**
 * Refuse the results of another experiment: a header whose id is not the spec's (another task or seed) is a
 * ValueError naming the file and both tasks and seeds. No header (a new or empty file) is fine.
 * @example
 * checkResultsOf("runs.jsonl", readResults("runs.jsonl").header, spec);
 */
export function checkResultsOf(path: string, header: ResultsHeader | null, spec: ExperimentSpec): void {
  if (header && header.id !== experimentId(spec)) {
    throw new ValueError(
      `${path} holds results of another experiment (task ${JSON.stringify(header.task)}, seed ${header.seed}; this spec: task ${JSON.stringify(spec.task)}, seed ${spec.seed}): give another --out`,
    );
  }
}

/**
 * An append-only results file. Opening it reads the rows already there (resuming; an incomplete last line is cut
 * off) and refuses a file of another experiment (another task or seed: a ValueError naming the file). `append`
 * writes one row as one line at once (a crash loses no finished row: the bytes are in the operating system's
 * cache), skips a key already written (so a task is recorded once whatever runs it twice), and fsyncs at most once
 * a second and on `close`.
 */
export class ResultsFile {
  readonly path: string;
  readonly rows: ResultRow[];
  readonly warnings: string[];
  private readonly keys: Set<string>;
  private fd: number | null = null;
  private needsHeader: boolean;
  private lastSync = 0;
  private readonly header: ResultsHeader;

  constructor(path: string, spec: ExperimentSpec) {
    this.path = path;
    this.header = resultsHeader(spec);
    const stored = readResults(path, { repair: true });
    checkResultsOf(path, stored.header, spec);
    this.rows = stored.rows;
    this.warnings = stored.warnings;
    this.keys = new Set(stored.rows.map((r) => r.key));
    this.needsHeader = stored.header === null;
  }

  /** Whether a row with this key is in the file. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Append a row (false when its key is already there: nothing written). */
  append(row: ResultRow): boolean {
    if (this.keys.has(row.key)) return false;
    this.fd ??= openSync(this.path, "a");
    let text = "";
    if (this.needsHeader) {
      text += JSON.stringify(this.header) + "\n";
      this.needsHeader = false;
    }
    text += JSON.stringify(row) + "\n";
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.keys.add(row.key);
    this.rows.push(row);
    const now = Date.now();
    if (now - this.lastSync > 1000) {
      fsyncSync(this.fd);
      this.lastSync = now;
    }
    return true;
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
