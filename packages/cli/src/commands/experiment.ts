import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, resolve } from "node:path";
import {
  checkRedisUrl,
  checkResultsOf,
  checkTasks,
  figure6Aggregate,
  figure6ParamSets,
  readResults,
  runExperiment,
  summarizeGroups,
  toCsv,
  toParquet,
  parseSpec,
  ExperimentSpecError,
  RedisLostError,
  type ExperimentSpec,
  type ResultRow,
  type SweepProgress,
} from "@losscape/experiments";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError, InterruptedError, UnavailableError } from "../errors.js";
import { figure6Summary, figure6Text, figure6Warnings, writeFigure6 } from "../figure6-report.js";
import { fmt, table } from "../format.js";
import { checkInputFile, checkPlotPath, checkWritable } from "../io.js";
import { progress } from "../progress.js";

/** The spec file, parsed and checked; a bad field is bad input naming the file and the field. */
function loadSpec(path: string, quick: boolean): ExperimentSpec {
  checkInputFile(path, "the experiment spec");
  let spec: ExperimentSpec;
  try {
    spec = parseSpec(readFileSync(path, "utf8"), { baseDir: dirname(resolve(path)), quick });
  } catch (e) {
    if (e instanceof ExperimentSpecError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
  // Every task's parameters are held in memory (and checked) before the first runs: sized first.
  const tasks = spec.list.length * Object.values(spec.grid).reduce((p, v) => p * v.length, 1) * (spec.runs ?? 1);
  if (tasks > MAX_TASKS) {
    const field = quick && spec.quick?.runs !== undefined ? "quick.runs" : "runs";
    throw new InputError(`${path}: ${field} × grid × list = ${tasks.toExponential(3)} tasks; at most ${MAX_TASKS} (2^22) are supported (each task's parameters are held in memory)`);
  }
  return spec;
}

/** `--plot` draws Figure 6, which only a critical-search sweep has: for another task it would write nothing. */
function checkPlotTask(plot: string | undefined, task: unknown): void {
  if (plot !== undefined && task !== "critical-search") {
    throw new InputError(`--plot ${plot}: draws Figure 6 of a critical-search sweep; found task ${typeof task === "string" ? task : JSON.stringify(task)}, which has no figure`);
  }
}

/** The most tasks a spec may have. */
const MAX_TASKS = 2 ** 22;

/** `--out` when not given: `<spec name>.results.jsonl` (with --quick `<name>.quick.results.jsonl`) in the working directory. */
const defaultOut = (spec: ExperimentSpec, quick: boolean) => `${spec.name}${quick ? ".quick" : ""}.results.jsonl`;

/** "12 m 5 s", "3.2 s". */
function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "—";
  if (s < 60) return `${fmt(s, 2)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} m ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} m`;
}

/** The aggregate of a sweep's rows: Figure 6 for critical-search (fit, table, figure), else a table per parameter set. */
async function aggregate(rows: ResultRow[], task: unknown, o: { plot?: string; maxIndex: number; endPointGtol: number; seed: number; title: string }) {
  const fig = task === "critical-search" ? figure6Aggregate(rows, { maxIndex: o.maxIndex, bootstrap: { seed: o.seed } }, o.endPointGtol) : null;
  if (fig) {
    if (o.plot) await writeFigure6(o.plot, fig.phis, { maxIndex: o.maxIndex, title: `${o.title}: ${fig.spec.widths.join("-")}, M = ${fig.paramCount}`, endPoints: fig.endPoints });
    const phis = fig.phis.map((p, k) => figure6Summary(p, fig.endPoints?.[k] ?? null));
    return {
      record: { kind: "figure6", paramCount: fig.paramCount, outputDim: fig.outputDim, maxIndex: o.maxIndex, endPointGtol: o.endPointGtol, phis, figure: o.plot ?? null },
      warnings: figure6Warnings(fig.phis, o.maxIndex, fig.endPoints),
      text: `${figure6Text(phis, o.maxIndex)}${o.plot ? `\nfigure  ${o.plot}\n` : ""}`,
    };
  }
  // critical-search rows of several parameter sets (a spec changed between runs, a grid over the descent): their runs
  // are not pooled into one Figure 6; the table per parameter set shows them apart, and says why.
  const sets = task === "critical-search" ? figure6ParamSets(rows.filter((r) => r.outcome === "ok")) : 0;
  const why = sets > 1 ? [`no Figure 6: the critical-search rows are of ${sets} parameter sets (but φ and run); a table per parameter set instead (one results file per spec gives one Figure 6 each)`] : [];
  const groups = summarizeGroups(rows);
  const shown = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
  return {
    record: { kind: "groups", groups },
    warnings: why,
    text: table(["parameters (but run)", "tasks", "ok", "errors", "median s"], groups.map((g) => [shown(g.params), String(g.tasks), String(g.ok), String(g.errors), g.medianSeconds === null ? "—" : fmt(g.medianSeconds, 3)])),
  };
}

export interface ExperimentRunOptions {
  args: string[];
  out?: string;
  workers?: number;
  redis?: string;
  queue?: string;
  quick?: boolean;
  plot?: string;
  maxIndex: number;
  /** τ of the end-point fit (`--end-point-gtol`; 0: off). */
  endPointGtol: number;
  /** `--backend`: the compute backend of the local pool's threads. */
  backend?: "simd" | "scalar" | "ts";
}

/**
 * `losscape experiment run <spec>`: every task of the spec not yet in `--out` runs once, on the local thread pool
 * (`--workers`, default the number of cores) or on `losscape worker` processes through Redis (`--redis`); rows are
 * appended as they finish, a live bar shows done / failed / running and the ETA, then the aggregate (Figure 6 for
 * critical-search sweeps, with the figure) is printed. Ctrl-C (SIGINT) or SIGTERM stops: the finished rows stay, the
 * aggregate of those is printed, then one line "interrupted by SIGINT: …" and exit status 130 (143 for SIGTERM); a rerun
 * resumes.
 * @example
 * await experimentRunCommand({ args: ["examples/pb-figure6.json"], quick: true, maxIndex: 0.1, endPointGtol: 1e-3 }, ctx);
 */
export async function experimentRunCommand(o: ExperimentRunOptions, ctx: Context): Promise<void> {
  const quick = o.quick === true;
  const spec = loadSpec(o.args[0], quick);
  const out = o.out ?? defaultOut(spec, quick);
  checkWritable(out, "--out");
  if (o.workers !== undefined && o.redis !== undefined) throw new InputError("--workers is for the local pool; with --redis the workers are `losscape worker` processes (give --workers to them)");
  if (o.queue !== undefined && o.redis === undefined) throw new InputError("--queue needs --redis");
  if (o.queue !== undefined && (o.queue === "" || o.queue.includes(":"))) throw new InputError(`--queue: expected a queue name, not empty and without ':'; found ${JSON.stringify(o.queue)}`);
  if (o.backend !== undefined && o.redis !== undefined) throw new InputError("--backend is for the local pool; with --redis the tasks run on `losscape worker` processes (give --backend to them)");
  // Checked here, not first when a task is queued: a sweep with nothing left to run would take any --redis.
  if (o.redis !== undefined) checkRedisUrl(o.redis);
  checkPlotTask(o.plot, spec.task);
  const plot = spec.aggregate === "figure6" || spec.task === "critical-search" ? (o.plot ?? out.replace(/\.jsonl$/, "") + ".figure6.svg") : o.plot;
  if (plot) checkPlotPath(plot);
  const runner = o.redis !== undefined ? { kind: "queue" as const, redis: o.redis, queue: o.queue } : { kind: "local" as const, workers: o.workers ?? availableParallelism(), backend: o.backend };

  // SIGINT (Ctrl-C) and SIGTERM (a job scheduler's stop) end the sweep cleanly: the rows so far stay, and the status is
  // 130 or 143 (InterruptedError), so a script can tell a stopped sweep from a finished one. A second signal, once
  // these handlers are removed, kills the process as usual.
  const controller = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | null = null;
  const onSigint = () => {
    stoppedBy ??= "SIGINT";
    controller.abort();
  };
  const onSigterm = () => {
    stoppedBy ??= "SIGTERM";
    controller.abort();
  };
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  let bar: ReturnType<typeof progress> | null = null;
  const note = (p: SweepProgress) => `failed ${p.failed} · running ${p.running} · ETA ${duration(p.etaSeconds)}`;
  let result;
  try {
    result = await runExperiment(spec, {
      out,
      runner,
      signal: controller.signal,
      // No worker took a task within 10 s: one note (not with --quiet, like the warnings); the run keeps waiting.
      onNoWorker: ctx.quiet
        ? undefined
        : (i) =>
            process.stderr.write(
              `${process.stderr.isTTY ? "\r\x1b[2K" : ""}losscape experiment run: note: no worker has taken any of the ${i.tasks} tasks from queue "${i.queue}" at ${i.redis} in ${Math.round(i.seconds)} s` +
                `${i.workers === null ? "" : i.workers === 0 ? " (no worker is connected)" : ` (${i.workers} connected, busy with other jobs?)`}; still waiting. Start one: losscape worker --redis ${i.redis} --queue ${i.queue}\n`,
            ),
      onProgress: (p) => {
        bar ??= progress("experiment", p.total, ctx.quiet);
        bar.update(p.done, note(p));
      },
    });
  } catch (e) {
    if (e instanceof ExperimentSpecError) throw new InputError(`${o.args[0]}: ${e.message}`);
    if (e instanceof RedisLostError) throw new UnavailableError(`${e.message} (the finished rows are in ${out}; run again to resume)`);
    throw e;
  } finally {
    (bar as ReturnType<typeof progress> | null)?.end();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
  const agg = await aggregate(result.rows, spec.task, { plot, maxIndex: o.maxIndex, endPointGtol: o.endPointGtol, seed: spec.seed, title: spec.name });
  const p = result.progress;
  const record = {
    name: spec.name,
    task: spec.task,
    out,
    runner: runner.kind,
    ...(runner.kind === "local" ? { workers: runner.workers } : { redis: runner.redis, queue: runner.queue ?? "losscape" }),
    total: p.total,
    done: p.done,
    failed: p.failed,
    computed: p.computed,
    stored: p.done - p.computed,
    aborted: result.aborted,
    seconds: result.seconds,
    aggregate: agg.record,
    // A stopped sweep says so in the one line of its exit status 130/143 below, not in a warning as well.
    warnings: [
      ...result.warnings,
      // Rows of tasks this spec no longer has (its grid or params changed): kept in the file, left out here; said once.
      ...(result.extraRows > 0 ? [`${out}: ${result.extraRows} rows of tasks not in this spec (another grid, list, runs or params before) are kept there and left out of this aggregate`] : []),
      ...agg.warnings,
      ...(result.aborted && stoppedBy === null ? [`stopped: ${p.total - p.done} tasks not run; run again to resume from ${out}`] : []),
    ],
  };
  emit(ctx, record, () => {
    const where = runner.kind === "local" ? `local pool, ${runner.workers} worker${runner.workers === 1 ? "" : "s"}` : `queue "${runner.queue ?? "losscape"}" at ${runner.redis}`;
    return (
      `experiment ${spec.name}: task ${typeof spec.task === "string" ? spec.task : spec.task.module}; ${where}\n` +
      `tasks   ${p.done} of ${p.total} done (${p.computed} now, ${p.done - p.computed} read from ${out}), ${p.failed} failed; ${duration(result.seconds)}\n\n` +
      agg.text
    );
  });
  if (result.aborted && stoppedBy !== null) {
    throw new InterruptedError(stoppedBy, `interrupted by ${stoppedBy}: ${p.done} of ${p.total} tasks done, their rows in ${out}; ${p.total - p.done} not run; run the same command again to resume`);
  }
}

/**
 * `losscape experiment status <spec>`: how far its results file is: tasks done, failed, pending, and rows of tasks
 * the spec no longer has.
 * @example
 * await experimentStatusCommand({ args: ["examples/pb-figure6.json"] }, ctx);
 */
export async function experimentStatusCommand(o: { args: string[]; out?: string; quick?: boolean }, ctx: Context): Promise<void> {
  const quick = o.quick === true;
  const spec = loadSpec(o.args[0], quick);
  const out = o.out ?? defaultOut(spec, quick);
  if (existsSync(out)) checkInputFile(out, o.out !== undefined ? "--out" : "the results file");
  let points;
  try {
    points = await checkTasks(spec);
  } catch (e) {
    if (e instanceof ExperimentSpecError) throw new InputError(`${o.args[0]}: ${e.message}`);
    throw e;
  }
  const stored = readResults(out);
  // A file of another task or seed: refused as `run` refuses it (its rows are not this spec's, whatever their keys).
  checkResultsOf(out, stored.header, spec);
  const byKey = new Map(stored.rows.map((r) => [r.key, r]));
  const rows = points.flatMap((p) => (byKey.has(p.key) ? [byKey.get(p.key)!] : []));
  const failed = rows.filter((r) => r.outcome === "error");
  const seconds = rows.reduce((s, r) => s + r.seconds, 0);
  const record = {
    name: spec.name,
    out,
    exists: existsSync(out),
    total: points.length,
    done: rows.length,
    failed: failed.length,
    pending: points.length - rows.length,
    extraRows: stored.rows.length - rows.length,
    taskSeconds: seconds,
    hosts: [...new Set(rows.map((r) => r.host))],
    errors: failed.slice(0, 10).map((r) => ({ params: r.params, error: r.error })),
    warnings: stored.warnings,
  };
  emit(ctx, record, () => {
    let s =
      `experiment ${spec.name}: ${out}${record.exists ? "" : " (not started)"}\n` +
      `tasks   ${record.done} of ${record.total} done, ${record.failed} failed, ${record.pending} pending` +
      (record.extraRows > 0 ? `; ${record.extraRows} rows of tasks not in this spec` : "") +
      `\ntime    ${duration(seconds)} of task time${record.hosts.length > 0 ? ` on ${record.hosts.join(", ")}` : ""}\n`;
    for (const e of record.errors) s += `error   ${JSON.stringify(e.params)}: ${e.error}\n`;
    return s;
  });
}

/**
 * `losscape experiment aggregate <results.jsonl>`: the aggregate step alone on a results file (Figure 6 with its
 * figure for critical-search results, else a table per parameter set).
 * @example
 * await experimentAggregateCommand({ args: ["pb-figure6.results.jsonl"], plot: "fig6.svg", maxIndex: 0.1, endPointGtol: 1e-3 }, ctx);
 */
export async function experimentAggregateCommand(o: { args: string[]; plot?: string; maxIndex: number; endPointGtol: number }, ctx: Context): Promise<void> {
  const path = o.args[0];
  checkInputFile(path, "the results file");
  if (o.plot) checkPlotPath(o.plot);
  const stored = readResults(path);
  if (!stored.header) throw new InputError(`${path}: empty: no results yet`);
  checkPlotTask(o.plot, stored.header.task);
  const agg = await aggregate(stored.rows, stored.header.task, { plot: o.plot, maxIndex: o.maxIndex, endPointGtol: o.endPointGtol, seed: stored.header.seed, title: stored.header.name });
  const record = { name: stored.header.name, task: stored.header.task, rows: stored.rows.length, aggregate: agg.record, warnings: [...stored.warnings, ...agg.warnings] };
  emit(ctx, record, () => `experiment ${stored.header!.name}: ${stored.rows.length} rows of ${path}\n\n${agg.text}`);
}

/**
 * `losscape experiment export <results.jsonl> --csv F --parquet F`: the rows as a flat table (a column per parameter
 * and result field) for pandas and polars.
 * @example
 * await experimentExportCommand({ args: ["runs.jsonl"], csv: "runs.csv" }, ctx);
 */
export async function experimentExportCommand(o: { args: string[]; csv?: string; parquet?: string }, ctx: Context): Promise<void> {
  const path = o.args[0];
  if (!o.csv && !o.parquet) throw new InputError("give --csv <F> and/or --parquet <F>");
  checkInputFile(path, "the results file");
  if (o.csv) checkWritable(o.csv, "--csv");
  if (o.parquet) checkWritable(o.parquet, "--parquet");
  const { header, rows, warnings } = readResults(path);
  // A table of no rows has no columns either (a Parquet file without a schema): refused, as `aggregate` refuses an empty file.
  if (rows.length === 0) throw new InputError(`${path}: ${header ? "no result rows yet" : "empty: no results yet"}: nothing to export`);
  if (o.csv) writeFileSync(o.csv, toCsv(rows));
  if (o.parquet) writeFileSync(o.parquet, await toParquet(rows));
  const record = { rows: rows.length, csv: o.csv ?? null, parquet: o.parquet ?? null, warnings };
  emit(ctx, record, () => `${rows.length} rows of ${basename(path)}${o.csv ? ` → ${o.csv}` : ""}${o.parquet ? ` → ${o.parquet}` : ""}\n`);
}
