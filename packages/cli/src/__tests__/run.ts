import { execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach } from "vitest";
import { parseData, parseModel, type Dataset, type Model } from "@losscape/mlp";

/** Helpers for running the built `losscape` binary as a child process, as a user would. */
const here = dirname(fileURLToPath(import.meta.url));
export const PKG = resolve(here, "../..");
/** The command npm links (`bin` in package.json): a launcher that imports the compiled dist/bin.js. */
export const BIN = join(PKG, "bin/losscape.js");
export const FIX = join(PKG, "test/fixtures");
export const fx = (name: string) => join(FIX, name);
/** A fixture model file, parsed in this process (for the same computation through the package API). */
export const fixtureModel = (name: string): Model => parseModel(readFileSync(fx(name), "utf8"));
/** A fixture data file, parsed in this process. */
export const fixtureData = (name: string): Dataset => parseData(readFileSync(fx(name), "utf8"));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The children `run` started that have not exited. */
const live = new Set<ChildProcess>();
// A test that failed or timed out while its child still runs would leave the child computing (or hanging) through the
// rest of the suite: after each test, whatever it started is killed.
afterEach(() => {
  for (const c of live) c.kill("SIGKILL");
  live.clear();
});

/**
 * Run `node bin/losscape.js …args` and collect its exit status and output (never throws on a non-zero exit);
 * `onChild` gets the child process (to send it a signal).
 */
export function run(args: string[], options: { cwd?: string; timeout?: number; onChild?: (child: ChildProcess) => void } = {}): Promise<RunResult> {
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? PKG, timeout: options.timeout ?? 120_000, maxBuffer: 64 << 20, env: { ...process.env, LOSSCAPE_DEBUG: "" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
        res({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    live.add(child);
    child.once("exit", () => live.delete(child));
    // The child, for a test that signals it (Ctrl-C is SIGINT): still killed after the test like any other.
    options.onChild?.(child);
  });
}

/** Run with --json and parse stdout, which must be exactly one JSON object. */
export async function runJson(args: string[], options: { cwd?: string } = {}): Promise<{ out: Record<string, unknown>; result: RunResult }> {
  const result = await run([...args, "--json"], options);
  if (result.code !== 0) throw new Error(`losscape ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  const text = result.stdout.trim();
  const out = JSON.parse(text) as Record<string, unknown>;
  if (typeof out !== "object" || out === null || Array.isArray(out)) throw new Error("stdout is not one JSON object");
  return { out, result };
}

const made: string[] = [];
// Every test file that imports these helpers removes its temporary directories at the end.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory (removed after the test file). */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "losscape-cli-"));
  made.push(d);
  return d;
}

/** Files left in a directory (to check that no temporary files remain). */
export const filesIn = (dir: string) => readdirSync(dir).sort();

/** Write `spec` as JSON to dir/name (an experiment spec file) and return its path. */
export function specFile(dir: string, spec: object, name = "spec.json"): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(spec));
  return f;
}

type Shape = "number" | "integer" | "string" | "boolean" | "null" | "number|null" | "string|null" | "object|null" | readonly Shape[] | { readonly [k: string]: Shape } | "array" | "object";

/**
 * Check a value against a shape written from docs/cli.md: "number", "integer", ["number"] (array of), {field: shape}
 * (every listed field present with its type; extra fields allowed: the contract may be extended by adding).
 * Returns the list of mismatches (empty when it conforms).
 */
export function conform(v: unknown, shape: Shape, path = "$"): string[] {
  if (typeof shape === "string") {
    const alts = shape.split("|");
    const ok = alts.some((t) => {
      switch (t) {
        case "number":
          return typeof v === "number" && Number.isFinite(v);
        case "integer":
          return Number.isInteger(v);
        case "string":
          return typeof v === "string";
        case "boolean":
          return typeof v === "boolean";
        case "null":
          return v === null;
        case "array":
          return Array.isArray(v);
        case "object":
          return typeof v === "object" && v !== null && !Array.isArray(v);
        default:
          return false;
      }
    });
    return ok ? [] : [`${path}: expected ${shape}, found ${JSON.stringify(v)?.slice(0, 40)}`];
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(v)) return [`${path}: expected an array, found ${typeof v}`];
    return v.flatMap((x, i) => conform(x, shape[0], `${path}[${i}]`));
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [`${path}: expected an object, found ${JSON.stringify(v)?.slice(0, 40)}`];
  return Object.entries(shape).flatMap(([k, s]) =>
    k in (v as object) ? conform((v as Record<string, unknown>)[k], s, `${path}.${k}`) : [`${path}.${k}: missing`],
  );
}

/** The shapes of the `--json` records of docs/cli.md. */
export const INERTIA: Shape = { negative: "integer", zero: "integer", positive: "integer" };
export const MODEL_FILE: Shape = { format: "string", widths: ["integer"], activation: "string", params: ["number"] };
/** One line of an `index-energy --out` file after the header (docs/formats.md#index-energy-runs-jsonl). */
export const INDEX_ENERGY_RUN: Shape = {
  phi: "number",
  run: "integer",
  seed: "integer",
  descentSteps: "integer",
  eps: "number",
  alpha: "number",
  gradNorm: "number",
  outcome: "string",
  kind: "string|null",
  inertia: INERTIA,
  inertiaStable: "boolean",
  flatness: "number",
  normGrowth: "number|null",
  iterations: "integer",
  seconds: "number",
};
export const SHAPES = {
  hessian: { paramCount: "integer", loss: "number", gradNorm: "number", eigenvalues: ["number"], inertia: INERTIA, tol: "number", warnings: ["string"] },
  critical: { model: MODEL_FILE, loss: "number", gradNorm: "number", gtol: "number", iterations: "integer", outcome: "string", converged: "boolean", flatness: "number", normGrowth: "number", inertia: INERTIA, tol: "number", inertiaRange: { tight: INERTIA, loose: INERTIA }, inertiaStable: "boolean", warnings: ["string"] },
  train: { model: MODEL_FILE, loss: "number", gradNorm: "number", epochs: "integer", history: [{ epoch: "integer", loss: "number" }], warnings: ["string"] },
  spectrum: {
    model: "string",
    phi: "number",
    eps: "number",
    support: [["number"]],
    atom: "number",
    index: "number",
    epsC: "number",
    epsCClosedForm: "number|null",
    regime: "string",
    density: [["number"]],
    warnings: ["string"],
  },
  dimension: {
    paramCount: "integer",
    dataCount: "integer",
    outputDim: "integer",
    loss: "number",
    jacobianRank: "integer",
    jacobianSingularValues: ["number"],
    localDimension: "integer",
    cooperDimension: "integer",
    hessianCorank: "integer",
    agrees: "boolean",
    warnings: ["string"],
  },
  connect: { barrier: "number", path: [{ t: "number", loss: "number" }], method: "string", warnings: ["string"] },
  slice: { grid: [["number"]], axes: [["number"]], dirs: "string", warnings: ["string"] },
  "index-energy": {
    settings: { widths: ["integer"], activation: "string", bias: "boolean", optimizer: "string", steps: ["integer"], method: "string", seed: "integer" },
    paramCount: "integer",
    outputDim: "integer",
    maxIndex: "number",
    endPointGtol: "number",
    out: "string|null",
    runsComputed: "integer",
    runsStored: "integer",
    seconds: "number",
    phis: [
      {
        phi: "number",
        samples: "integer",
        phiEffective: "number",
        runs: "integer",
        outcomes: { critical: "number", "gradient-flat": "number", escaping: "number", stalled: "number" },
        medianSeconds: "number|null",
        fit: "object|null",
        theoryEpsC: "number",
        empiricalEpsC: "number",
        endPoints: "object|null",
      },
    ],
    runs: [INDEX_ENERGY_RUN],
    warnings: ["string"],
  },
} satisfies Record<string, Shape>;
