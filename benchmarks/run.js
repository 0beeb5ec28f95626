#!/usr/bin/env node
// Benchmark runner: `npm run bench` (build first) or `node benchmarks/run.js [options]`.
//   --filter <s>     only suites whose name contains s (repeatable; comma-separated also works)
//   --node-only      skip the browser run        --browser-only   skip the node run
//   --quick          at most 1 warm-up and 2 repetitions per measurement (smoke run)
//   --no-write       print only; do not write results/ or RESULTS.md
// Node first (then, with LOSSCAPE_NODE22 naming a node ≥ 22, the node suites under it too), then headless Chromium
// (/usr/bin/chromium, or $CHROMIUM) on the apps/bench page, which is served on 127.0.0.1 with COOP/COEP headers.
// Prints a table per suite, writes benchmarks/results/<timestamp>-<env>.json and regenerates benchmarks/RESULTS.md
// from the latest node and browser results.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { relaxedSimdSupported } from "@losscape/core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../scripts/chromium.js";
import { node22Version } from "../scripts/node22.js";
import { CEILING_CODING } from "./lib/ceiling.js";
import { prepareCore, runSuite } from "./lib/harness.js";
import { startPythonPeer, stopPythonPeers } from "./lib/python-peer.js";
import { ENVS, cpuKey, evaluateTargets, renderResultsMd, renderTable } from "./lib/report.js";

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, "results");

function parseArgs(argv) {
  const opts = { filters: [], node: true, browser: true, quick: false, write: true, report: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--filter") opts.filters.push(...String(argv[++i] ?? "").split(",").filter(Boolean));
    else if (a.startsWith("--filter=")) opts.filters.push(...a.slice(9).split(",").filter(Boolean));
    else if (a === "--node-only") opts.browser = false;
    else if (a === "--browser-only") opts.node = false;
    else if (a === "--quick") opts.quick = true;
    else if (a === "--no-write") opts.write = false;
    else if (a === "--report") opts.report = true;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node benchmarks/run.js [--filter gemm] [--node-only|--browser-only] [--quick] [--no-write] | --report");
      process.exit(0);
    } else {
      console.error(`bench: unknown option ${a} (try --help)`);
      process.exit(2);
    }
  }
  return opts;
}

async function suiteNames(filters) {
  const files = (await readdir(join(here, "suites"))).filter((f) => f.endsWith(".js")).sort();
  const names = files.map((f) => f.slice(0, -3));
  return filters.length ? names.filter((n) => filters.some((f) => n.includes(f))) : names;
}

/**
 * The CPU's family, model and vector extensions from /proc/cpuinfo (Linux x86), e.g. "x86 family 25 model 1;
 * avx2, fma; no avx512f": a model name such as "AMD EPYC" does not say which generation the figures come from.
 */
function cpuDetail() {
  if (!existsSync("/proc/cpuinfo")) return undefined;
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const field = (name) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1];
  const family = field("cpu family");
  const flags = new Set((field("flags") ?? "").split(/\s+/));
  if (family === undefined) return undefined;
  const has = ["avx2", "fma", "avx512f"].filter((f) => flags.has(f));
  const lacks = ["avx2", "fma", "avx512f"].filter((f) => !flags.has(f));
  return [`x86 family ${family} model ${field("model")}`, has.join(", "), lacks.length ? `no ${lacks.join(", ")}` : ""].filter(Boolean).join("; ");
}

/** The CPUs this process may run on (Linux: /proc/self/status Cpus_allowed_list, e.g. "1" under `taskset -c 1`). */
function cpusAllowed() {
  if (!existsSync("/proc/self/status")) return undefined;
  return readFileSync("/proc/self/status", "utf8").match(/^Cpus_allowed_list:\s*(.*)$/m)?.[1];
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cpuDetail: cpuDetail(),
    cores: cpus.length,
    cpusAllowed: cpusAllowed(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/**
 * The environment node's results are kept under: "node-relaxed" where the engine validates relaxed SIMD without
 * flags (node ≥ 22; the suites then fill their relaxed columns), else "node" (node 20: strict SIMD only).
 */
const NODE_ENV = relaxedSimdSupported() ? "node-relaxed" : "node";

async function runNode(names, opts) {
  const backend = await prepareCore();
  const results = [];
  for (const name of names) {
    try {
      const suite = (await import(pathToFileURL(join(here, "suites", `${name}.js`)).href)).default;
      results.push(await runSuite(suite, { quick: opts.quick, log: (l) => console.log(`  [node] ${l}`) }));
    } catch (e) {
      console.error(`  [node] ${name}: ERROR ${e?.stack ?? e}`);
      results.push({ name, title: name, error: String(e?.message ?? e), notes: [], peers: [], targets: [], cases: [] });
    }
  }
  return { env: NODE_ENV, backend, results, loadavgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) };
}

/**
 * With LOSSCAPE_NODE22 naming a node ≥ 22 binary (as for npm test), a node 20 run also runs its node suites under that
 * node, as a run of its own (results kept as node-relaxed; it writes them before this run reads them).
 */
function runNode22(opts) {
  const bin = process.env.LOSSCAPE_NODE22;
  if (!bin || NODE_ENV !== "node") return;
  if (node22Version(bin) === null) {
    console.error(`bench: LOSSCAPE_NODE22=${bin} is not a node ≥ 22; its run is skipped`);
    return;
  }
  const args = [fileURLToPath(import.meta.url), "--node-only", ...opts.filters.flatMap((f) => ["--filter", f])];
  if (opts.quick) args.push("--quick");
  if (!opts.write) args.push("--no-write");
  console.log(`bench: the node suites again under LOSSCAPE_NODE22=${bin}`);
  const r = spawnSync(bin, args, { stdio: "inherit", env: { ...process.env, LOSSCAPE_NODE22: "" } });
  if (r.status !== 0) console.error(`bench: the run under LOSSCAPE_NODE22=${bin} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

async function runBrowser(names, opts) {
  const executablePath = process.env.CHROMIUM ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    console.error(`bench: ${executablePath} not found; install Debian's chromium (apt-get install chromium) or pass --node-only`);
    return null;
  }
  const { chromium } = await import("playwright-core");
  const { startServer } = await import("../apps/bench/server.js");
  const { server, url } = await startServer();
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => console.log(`  [chromium] ${m.text()}`));
    page.on("pageerror", (e) => console.error(`  [chromium] page error: ${e.message}`));
    // A page cannot start processes: its suites reach the Python peers through these two functions (see
    // lib/python-peer.js); the peers run in node's subprocesses, exactly as for the node run.
    await page.exposeFunction("pythonPeerStart", async (script, env) => {
      const p = await startPythonPeer(script, { env });
      return p.reason ? { reason: p.reason } : { hello: p.hello };
    });
    await page.exposeFunction("pythonPeerRequest", async (script, env, obj) => (await startPythonPeer(script, { env })).request(obj));
    await page.goto(url);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });
    const out = await page.evaluate(({ names, quick }) => window.runSuites(names, { quick }), { names, quick: opts.quick });
    if (!out.crossOriginIsolated) console.warn("bench: the page is not crossOriginIsolated (COOP/COEP headers missing?)");
    const loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
    return { env: "chromium", browser: `Chromium ${browser.version()}`, loadavgEnd, ...out };
  } finally {
    await browser.close();
    server.close();
    stopPythonPeers();
  }
}

/**
 * Adds a results file's suites to `store`: `newest` keeps the newest result of every suite per environment
 * (whatever the CPU), `byCpu` the newest per CPU (cpuKey) and environment, for files that record the CPU's family
 * and model (cpuDetail; older files do not).
 */
function addRecord(store, env, record) {
  store.newest[env] = merge(store.newest[env], record);
  if (!record.machine.cpuDetail) return;
  const key = cpuKey(record.machine);
  if (!store.byCpu.has(key)) store.byCpu.set(key, Object.fromEntries(ENVS.map((e) => [e, null])));
  const group = store.byCpu.get(key);
  group[env] = merge(group[env], record);
}

/**
 * The newest results across all result files (oldest first, each suite replaced by later runs of it; quick runs
 * are skipped), each suite tagged with the date and machine of the run it came from; see addRecord.
 */
async function latestResults() {
  const store = { newest: Object.fromEntries(ENVS.map((e) => [e, null])), byCpu: new Map() };
  if (!existsSync(resultsDir)) return store;
  const envOf = (f) => ENVS.find((e) => f.endsWith(`Z-${e}.json`));
  const files = (await readdir(resultsDir)).filter(envOf).sort();
  for (const f of files) {
    const record = JSON.parse(await readFile(join(resultsDir, f), "utf8"));
    if (!record.quick) addRecord(store, envOf(f), record);
  }
  return store;
}

/**
 * The baseline for "Before and after" in RESULTS.md: the newest `results/baseline/<label>-node.json` (a node
 * results file of an earlier commit, run on the same machine; <label> names the commit), or null.
 */
async function baselineResults() {
  const dir = join(resultsDir, "baseline");
  if (!existsSync(dir)) return null;
  const files = (await readdir(dir)).filter((f) => f.endsWith("-node.json")).sort();
  if (!files.length) return null;
  const f = files[files.length - 1];
  return { ...JSON.parse(await readFile(join(dir, f), "utf8")), label: f.replace(/-node\.json$/, "") };
}

/** Merge suites: suites of `fresh` replace those with the same name in `old` (so a filtered run keeps the rest). */
function merge(old, fresh) {
  if (!fresh) return old;
  const results = fresh.results.map((s) => ({ ...s, date: s.date ?? fresh.date, machine: s.machine ?? fresh.machine, ceilingCoding: s.ceilingCoding ?? fresh.ceilingCoding }));
  if (!old) return { ...fresh, results };
  const names = new Set(results.map((s) => s.name));
  return { ...fresh, results: [...old.results.filter((s) => !names.has(s.name)), ...results] };
}

const opts = parseArgs(process.argv.slice(2));
if (process.env.LOSSCAPE_WASM === "debug") {
  console.error("bench: LOSSCAPE_WASM=debug is set; the benchmarks time the release builds of the WASM core (unset it)");
  process.exit(2);
}
if (opts.report) {
  // Rewrite RESULTS.md from the result files already written; run nothing.
  await writeFile(join(here, "RESULTS.md"), renderResultsMd(await latestResults(), await baselineResults()));
  console.log("bench: rewrote benchmarks/RESULTS.md from benchmarks/results/");
  process.exit(0);
}
const names = await suiteNames(opts.filters);
if (!names.length) {
  console.error(`bench: no suite matches ${opts.filters.join(", ")}`);
  process.exit(2);
}
const machine = machineInfo();
const date = new Date().toISOString();
console.log(`bench: suites ${names.join(", ")} on ${machine.cpu} (${machine.cores} cores), node ${machine.node}`);

const runs = [];
if (opts.node) runs.push(await runNode(names, opts));
stopPythonPeers();
if (opts.node) runNode22(opts);
if (opts.browser) {
  const b = await runBrowser(names, opts);
  if (b) runs.push(b);
  else if (!opts.node) process.exit(1);
}

// The newest earlier results, read before this run writes its own (RESULTS.md merges suites across runs).
const previous = await latestResults();
const stamp = date.replace(/[:.]/g, "-");
for (const run of runs) {
  const record = { date, ceilingCoding: CEILING_CODING, machine: { ...machine, browser: run.browser, loadavgEnd: run.loadavgEnd }, quick: opts.quick, ...run };
  console.log(`\n${run.env}${run.browser ? ` (${run.browser})` : ""}, backend ${run.backend}`);
  for (const s of run.results) console.log(renderTable(s) + "\n");
  if (opts.write) {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, `${stamp}-${run.env}.json`), JSON.stringify(record, null, 2) + "\n");
  }
  run.record = record;
}

// The targets of the suites just run (and "Chromium within 1.3× of node" when both ran), met or missed.
const thisRun = Object.fromEntries(runs.map((r) => [r.env, r.record]));
for (const t of evaluateTargets(thisRun)) console.log(`${t.met ? "met   " : "MISSED"}  ${t.target}: ${t.measured}${t.miss ? ` (${t.miss})` : ""}`);

if (opts.write) {
  // RESULTS.md shows the newest result of every suite in each environment, on each CPU it ran on.
  for (const run of runs) addRecord(previous, run.env, run.record);
  await writeFile(join(here, "RESULTS.md"), renderResultsMd(previous, await baselineResults()));
  console.log(`bench: wrote benchmarks/results/${stamp}-*.json and benchmarks/RESULTS.md`);
}
