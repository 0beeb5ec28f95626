import { createHash } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import { ValueError, checkOptions } from "@losscape/core";

/** The tag of an experiment spec (docs/formats.md#experiment-specs). */
export const EXPERIMENT_FORMAT = "losscape.experiment/1";

/**
 * A bad experiment spec: the message names the field (`grid.phi`, `task`, …) and `field` holds it. A ValueError, so
 * the command line exits 2 with one line.
 */
export class ExperimentSpecError extends ValueError {
  /** The spec field at fault, as a path: "task", "grid.phi", "list[2]", "params.widths". */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "ExperimentSpecError";
    this.field = field;
  }
}

/** What a task runs: a built-in task by name, or a user ES module (its `default` or `run` export). */
export type TaskRef = string | { module: string };

/** A parsed and checked experiment spec. */
export interface ExperimentSpec {
  format: typeof EXPERIMENT_FORMAT;
  /** A name for reports and the queue's job ids (default "experiment"). */
  name: string;
  /** The task; a module path is made absolute (relative to the spec file's folder). */
  task: TaskRef;
  /** Parameters shared by every task. */
  params: Record<string, unknown>;
  /** Each key a non-empty array of values: the tasks are the Cartesian product (keys in order, the last fastest). */
  grid: Record<string, unknown[]>;
  /** Explicit parameter sets, each crossed with the grid (default one empty set). */
  list: Record<string, unknown>[];
  /** Repetitions of each parameter set: the parameter `run` = 0, …, runs − 1 (default 1, no `run` parameter). */
  runs: number | null;
  /** The seed every task gets (default 0): a task derives its randomness from (params, seed) only. */
  seed: number;
  /** The aggregate step (`figure6` for critical-search sweeps), or null. */
  aggregate: string | null;
  /** Overrides by `--quick`: the same fields, smaller. */
  quick: Partial<Pick<ExperimentSpec, "params" | "grid" | "list" | "runs">> | null;
}

/** One task of a sweep: its parameters and the key that identifies it in the results file. */
export interface TaskPoint {
  /** Canonical JSON of `params` (keys sorted at every level): equal parameters, equal keys. */
  key: string;
  params: Record<string, unknown>;
}

const KNOWN = new Set(["format", "name", "task", "params", "grid", "list", "runs", "seed", "aggregate", "quick", "description"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/**
 * Parse and check an experiment spec (docs/formats.md#experiment-specs): JSON text or an object. `baseDir` is the
 * folder a task module path is relative to. Every problem is an `ExperimentSpecError` naming the field.
 * @example
 * const spec = parseSpec('{"format":"losscape.experiment/1","task":"critical-search","grid":{"phi":[0.5]},"runs":4,
 *   "params":{"widths":[3,3,3],"bias":false,"descent":{"optimizer":"lbfgs","steps":[0,8]}}}');
 * expandTasks(spec).length; // 4
 */
export function parseSpec(source: string | unknown, options: { baseDir?: string; quick?: boolean } = {}): ExperimentSpec {
  options = checkOptions("parseSpec", options, ["baseDir", "quick"]);
  let v: unknown = source;
  if (typeof source === "string") {
    try {
      v = JSON.parse(source);
    } catch (e) {
      throw new ExperimentSpecError("spec", `not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(v)) throw new ExperimentSpecError("spec", `expected a JSON object {"format": "${EXPERIMENT_FORMAT}", "task", …}; found ${show(v)}`);
  if (v.format !== EXPERIMENT_FORMAT) throw new ExperimentSpecError("format", `expected "${EXPERIMENT_FORMAT}"; found ${show(v.format)}`);
  for (const k of Object.keys(v)) if (!KNOWN.has(k)) throw new ExperimentSpecError(k, `unknown field (expected one of ${[...KNOWN].join(", ")})`);
  const name = v.name ?? "experiment";
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ExperimentSpecError("name", `expected 1–64 letters, digits, '.', '_' or '-'; found ${show(name)}`);
  const task = parseTask(v.task, options.baseDir ?? process.cwd());
  const seed = v.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new ExperimentSpecError("seed", `expected an integer; found ${show(seed)}`);
  const aggregate = v.aggregate ?? null;
  if (aggregate !== null && aggregate !== "figure6") throw new ExperimentSpecError("aggregate", `expected "figure6" or nothing; found ${show(aggregate)}`);
  let quick: ExperimentSpec["quick"] = null;
  if (v.quick !== undefined) {
    if (!isObject(v.quick)) throw new ExperimentSpecError("quick", `expected an object of overrides {params, grid, list, runs}; found ${show(v.quick)}`);
    for (const k of Object.keys(v.quick)) if (!["params", "grid", "list", "runs"].includes(k)) throw new ExperimentSpecError(`quick.${k}`, "unknown field (expected params, grid, list or runs)");
    // Checked with or without --quick: a spec is valid or not whichever way it runs.
    if (v.quick.params !== undefined) parseParams(v.quick.params, "quick.params");
    if (v.quick.grid !== undefined) parseGrid(v.quick.grid, "quick.grid");
    if (v.quick.list !== undefined) parseList(v.quick.list, "quick.list");
    if (v.quick.runs !== undefined) parseRuns(v.quick.runs, "quick.runs");
    quick = v.quick as ExperimentSpec["quick"];
  }
  const q = options.quick ? (quick ?? {}) : {};
  const params = parseParams(v.params, "params");
  const spec: ExperimentSpec = {
    format: EXPERIMENT_FORMAT,
    name,
    task,
    params: q.params ? { ...params, ...parseParams(q.params, "quick.params") } : params,
    grid: parseGrid(q.grid ?? v.grid, q.grid ? "quick.grid" : "grid"),
    list: parseList(q.list ?? v.list, q.list ? "quick.list" : "list"),
    runs: parseRuns(q.runs ?? v.runs, q.runs !== undefined ? "quick.runs" : "runs"),
    seed: seed as number,
    aggregate,
    quick,
  };
  if (v.grid === undefined && v.list === undefined && v.runs === undefined) {
    throw new ExperimentSpecError("grid", "a spec needs a grid, a list or runs (else it has one task: give \"runs\": 1)");
  }
  return spec;
}

function parseTask(t: unknown, baseDir: string): TaskRef {
  if (typeof t === "string" && t.length > 0) return t;
  if (isObject(t) && typeof t.module === "string" && t.module.length > 0 && Object.keys(t).length === 1) {
    return { module: isAbsolute(t.module) ? t.module : resolve(baseDir, t.module) };
  }
  throw new ExperimentSpecError("task", `expected a built-in task name or {"module": "path/to/task.mjs"}; found ${show(t)}`);
}

function parseParams(p: unknown, field: string): Record<string, unknown> {
  if (p === undefined) return {};
  if (!isObject(p)) throw new ExperimentSpecError(field, `expected an object of parameters; found ${show(p)}`);
  return p;
}

function parseGrid(g: unknown, field: string): Record<string, unknown[]> {
  if (g === undefined) return {};
  if (!isObject(g)) throw new ExperimentSpecError(field, `expected an object {name: [values, …]}; found ${show(g)}`);
  for (const [k, vals] of Object.entries(g)) {
    if (!Array.isArray(vals)) throw new ExperimentSpecError(`${field}.${k}`, `expected an array of values; found ${show(vals)}`);
    if (vals.length === 0) throw new ExperimentSpecError(`${field}.${k}`, "is empty: a grid axis needs at least one value");
    if (k === "run") throw new ExperimentSpecError(`${field}.run`, "'run' is set by 'runs'; give \"runs\": N instead");
  }
  return g as Record<string, unknown[]>;
}

function parseList(l: unknown, field: string): Record<string, unknown>[] {
  if (l === undefined) return [{}];
  if (!Array.isArray(l)) throw new ExperimentSpecError(field, `expected an array of parameter objects; found ${show(l)}`);
  if (l.length === 0) throw new ExperimentSpecError(field, "is empty: give at least one parameter set, or leave it out");
  l.forEach((p, i) => {
    if (!isObject(p)) throw new ExperimentSpecError(`${field}[${i}]`, `expected an object of parameters; found ${show(p)}`);
    if ("run" in p) throw new ExperimentSpecError(`${field}[${i}].run`, "'run' is set by 'runs'");
  });
  return l as Record<string, unknown>[];
}

function parseRuns(r: unknown, field: string): number | null {
  if (r === undefined) return null;
  if (!Number.isSafeInteger(r) || (r as number) < 1) throw new ExperimentSpecError(field, `expected an integer ≥ 1; found ${show(r)}`);
  return r as number;
}

/**
 * JSON with the keys of every object sorted: the same value gives the same text, whatever the order it was written in.
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/**
 * The tasks of a spec, in order: every `list` entry × the grid's Cartesian product (keys in order, the last fastest)
 * × `run` = 0 … runs − 1, each merged over `params` (later wins: params < list entry < grid < run). Two tasks with
 * the same parameters are one task.
 * @example
 * expandTasks(spec).map((t) => t.params);
 */
export function expandTasks(spec: ExperimentSpec): TaskPoint[] {
  let points: Record<string, unknown>[] = spec.list.map((p) => ({ ...spec.params, ...p }));
  for (const [k, vals] of Object.entries(spec.grid)) points = points.flatMap((p) => vals.map((x) => ({ ...p, [k]: x })));
  if (spec.runs !== null) points = points.flatMap((p) => Array.from({ length: spec.runs! }, (_, r) => ({ ...p, run: r })));
  const seen = new Set<string>();
  const tasks: TaskPoint[] = [];
  for (const params of points) {
    const key = canonicalJson(params);
    if (seen.has(key)) continue;
    seen.add(key);
    tasks.push({ key, params });
  }
  return tasks;
}

/**
 * What makes two runs of a spec the same experiment, so that one results file can hold both (a resumed run, a
 * larger grid): the task and the seed. 16 hex digits of their SHA-256.
 * @example
 * experimentId(spec); // "3f1c…"
 */
export function experimentId(spec: Pick<ExperimentSpec, "task" | "seed">): string {
  return createHash("sha256").update(canonicalJson({ task: spec.task, seed: spec.seed })).digest("hex").slice(0, 16);
}
