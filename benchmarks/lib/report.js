// Text table for the console and benchmarks/RESULTS.md from suite results (node only).
import { CEILING, CEILING_CODING } from "./ceiling.js";

const fmtMs = (x) => (x === undefined ? "—" : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const fmtRatio = (x) => (x === undefined || !Number.isFinite(x) ? "—" : x >= 10 ? x.toFixed(1) + "×" : x.toFixed(2) + "×");
const fmtSci = (x) => (x === undefined ? "—" : x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(1) : String(+x.toPrecision(3)));

/**
 * The environments results are kept apart by: node whose engine validates only strict SIMD (node 20), node whose
 * engine also runs the relaxed build (node ≥ 22: its suites fill the relaxed columns), and Chromium.
 */
export const ENVS = ["node", "node-relaxed", "chromium"];

/** How targets name the environments. */
const ENV_LABEL = { node: "node", "node-relaxed": "node with relaxed SIMD", chromium: "chromium" };

/** The runtime an environment runs in ('node' or 'chromium'): what a target's or a suite's `env` names. */
const runtimeOf = (env) => (env.startsWith("node") ? "node" : env);

/** Whether shares of `ceiling` measured in `env` with the ceiling loop coded as `coding` hold (see CEILING_CODING). */
function ceilingTrusted(coding, env, ceiling) {
  return ceiling !== CEILING || runtimeOf(env) !== "node" || coding === CEILING_CODING;
}

function row(caseResult, impl) {
  return caseResult.results.find((r) => r.impl === impl);
}

/** Speed-up of the suite's main implementation over `peer` in one case: peer median / main median. */
export function speedup(caseResult, main, peer) {
  const a = row(caseResult, main);
  const b = row(caseResult, peer);
  return a?.median && b?.median ? b.median / a.median : undefined;
}

function implNames(suite) {
  const names = [];
  for (const c of suite.cases) for (const r of c.results) if (!names.includes(r.impl)) names.push(r.impl);
  return names;
}

function accuracyMetrics(suite) {
  const names = new Set();
  for (const c of suite.cases) for (const r of c.results) for (const k of Object.keys(r.accuracy ?? {})) names.add(k);
  return [...names];
}

function cell(r) {
  if (!r) return "—";
  if (r.skipped) return "skipped";
  if (r.error) return "error";
  return fmtMs(r.median);
}

/**
 * An implementation's share of the arithmetic ceiling in one case: the ceiling impl's median (the time the ceiling
 * needs for the case's flops, benchmarks/lib/ceiling.js) over the implementation's median, both from the same run.
 */
export function shareOfCeiling(caseResult, impl, ceiling) {
  return speedup(caseResult, impl, ceiling);
}

const fmtShare = (x) => (x === undefined ? "—" : `${(100 * x).toFixed(0)} %`);

/**
 * How far a measurement is past its target, in per cent of the target (`over` = measured/target − 1 for a ceiling,
 * target/measured − 1 for a floor): whole per cents, or one significant digit below 1 % ("missed by 0.3 %"), so that
 * a near miss never reads "missed by 0 %".
 */
const missedBy = (over) => `missed by ${over >= 0.01 ? (over * 100).toFixed(0) : (over * 100).toPrecision(1)} %`;

/**
 * A share below its floor, e.g. "missed: 84 % of 85 %": with as many decimals (up to 3) as it takes for the share
 * not to print as the floor itself ("missed: 84.7 % of 85 %").
 */
function missedShare(got, min) {
  let digits = 0;
  while (digits < 3 && (100 * got).toFixed(digits) === (100 * min).toFixed(digits)) digits++;
  return `missed: ${(100 * got).toFixed(digits)} % of ${fmtShare(min)}`;
}

/**
 * Columns: case, median ms per implementation, GFLOP/s of main, shares of the ceiling, peer/main ratios, accuracy
 * of main.
 */
function tableRows(suite) {
  const impls = implNames(suite);
  const peers = suite.peers.filter((p) => impls.includes(p));
  const shares = (suite.shares ?? []).filter((s) => impls.includes(s.impl) && impls.includes(s.ceiling));
  const metrics = accuracyMetrics(suite);
  const hasFlops = suite.cases.some((c) => c.flops);
  const header = ["case", ...impls.map((i) => `${i} ms`)];
  if (hasFlops) header.push(`${suite.main} GFLOP/s`);
  header.push(...shares.map((s) => `${s.impl} share of ${s.ceiling}`));
  header.push(...peers.map((p) => `${p} / ${suite.main}`));
  header.push(...metrics.map((m) => `${suite.main} ${m}`));
  const rows = suite.cases.map((c) => {
    const main = row(c, suite.main);
    const r = [c.name, ...impls.map((i) => cell(row(c, i)))];
    if (hasFlops) r.push(main?.gflops ? main.gflops.toFixed(1) : "—");
    r.push(...shares.map((s) => fmtShare(shareOfCeiling(c, s.impl, s.ceiling))));
    r.push(...peers.map((p) => fmtRatio(speedup(c, suite.main, p))));
    r.push(...metrics.map((m) => fmtSci(main?.accuracy?.[m])));
    return r;
  });
  return { header, rows };
}

/** A fixed-width console table of one suite (medians in ms). */
export function renderTable(suite) {
  if (suite.skipped) return `${suite.title}\nskipped: ${suite.skipped}`;
  const { header, rows } = tableRows(suite);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join("  ");
  if (suite.error) return `${suite.title}\nERROR: ${suite.error}`;
  return [`${suite.title}`, line(header), ...rows.map(line)].join("\n");
}

function mdTable(header, rows) {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Every target of every suite, plus "browser within 1.3× of node" for each case's main implementation. */
export function evaluateTargets(byEnv) {
  const out = [];
  for (const [env, run] of Object.entries(byEnv)) {
    if (!run) continue;
    for (const suite of run.results) {
      for (const t of suite.targets) {
        if (t.env && t.env !== runtimeOf(env)) continue;
        const c = suite.cases.find((x) => x.name === t.case);
        if (!c) continue;
        if (t.kind === "speedup") {
          const got = speedup(c, t.impl, t.peer);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≥ ${t.min}× ${t.peer} (${ENV_LABEL[env]})`,
            measured: fmtRatio(got),
            met: got !== undefined && got >= t.min,
            miss: got === undefined ? "not measured" : got >= t.min ? "" : missedBy(t.min / got - 1),
          });
        } else if (t.kind === "ratio") {
          // A ceiling on impl median / peer median (e.g. a whole command against a bare `node -e 0`).
          const got = speedup(c, t.peer, t.impl);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≤ ${t.max}× ${t.peer} (${ENV_LABEL[env]})`,
            measured: fmtRatio(got),
            met: got !== undefined && got <= t.max,
            miss: got === undefined ? "not measured" : got <= t.max ? "" : missedBy(got / t.max - 1),
          });
        } else if (t.kind === "share") {
          // A floor on an implementation's share of the arithmetic ceiling measured in the same run.
          const got = shareOfCeiling(c, t.impl, t.ceiling);
          const trusted = ceilingTrusted(suite.ceilingCoding ?? run.ceilingCoding, env, t.ceiling);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≥ ${fmtShare(t.min)} of the ${t.ceiling} (${ENV_LABEL[env]})`,
            measured: fmtShare(got),
            met: trusted && got !== undefined && got >= t.min,
            miss: !trusted
              ? `not judged: the run's ${CEILING} read low in node (before peakMulAdd took m and a as arguments)`
              : got === undefined
                ? "not measured"
                : got >= t.min
                  ? ""
                  : missedShare(got, t.min),
          });
        } else if (t.kind === "time") {
          // An absolute wall-clock target (e.g. "under 1 s"): the median on this machine.
          const got = row(c, t.impl)?.median;
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} median ≤ ${t.maxMs} ms (${ENV_LABEL[env]})`,
            measured: got === undefined ? "—" : `${got.toFixed(got < 10 ? 2 : 0)} ms`,
            met: got !== undefined && got <= t.maxMs,
            miss: got === undefined ? "not measured" : got <= t.maxMs ? "" : missedBy(got / t.maxMs - 1),
          });
        } else if (t.kind === "accuracy" && t.min !== undefined) {
          // A floor on a measured quantity (a share of runs, a count of points found).
          const got = row(c, t.impl)?.accuracy?.[t.metric];
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ${t.metric} ≥ ${fmtSci(t.min)} (${ENV_LABEL[env]})`,
            measured: fmtSci(got),
            met: got !== undefined && got >= t.min,
            miss: got === undefined ? "not measured" : got >= t.min ? "" : `missed: ${fmtSci(got)} of ${fmtSci(t.min)}`,
          });
        } else if (t.kind === "accuracy") {
          const got = row(c, t.impl)?.accuracy?.[t.metric];
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ${t.metric} ≤ ${fmtSci(t.max)} (${ENV_LABEL[env]})`,
            measured: fmtSci(got),
            met: got !== undefined && got <= t.max,
            miss: got === undefined ? "not measured" : got <= t.max ? "" : `missed by ${(got / t.max).toFixed(1)}×`,
          });
        }
      }
    }
  }
  if (byEnv.node && byEnv.chromium) {
    for (const suite of byEnv.node.results) {
      const bs = byEnv.chromium.results.find((s) => s.name === suite.name);
      if (!bs) continue;
      for (const c of suite.cases) {
        const n = row(c, suite.main)?.median;
        const b = bs.cases.find((x) => x.name === c.name);
        const bm = b && row(b, suite.main)?.median;
        if (!n || !bm) continue;
        const ratio = bm / n;
        out.push({
          target: `${suite.name} ${c.name}: ${suite.main} in Chromium within 1.3× of node`,
          measured: fmtRatio(ratio),
          met: ratio <= 1.3,
          miss: ratio <= 1.3 ? "" : missedBy(ratio / 1.3 - 1),
        });
      }
    }
  }
  return out;
}

/**
 * "Before and after": every node case of the current results that the baseline (a results file of an earlier
 * commit, run on the same machine) also has — the main implementation's median then and now, their ratio, and
 * the same ratio normalised by the suite's first peer measured in both runs ((now/peer now) / (then/peer then)),
 * which cancels most of the difference in machine load between the two runs. Ratios > 1 mean slower now.
 */
export function renderBaselineComparison(baseline, current) {
  const rows = [];
  for (const s of current?.results ?? []) {
    const b = baseline.results.find((x) => x.name === s.name);
    if (!b || s.skipped || b.skipped || s.error || b.error) continue;
    for (const c of s.cases) {
      const cb = b.cases.find((x) => x.name === c.name);
      const now = row(c, s.main)?.median;
      const then = cb && row(cb, s.main)?.median;
      if (!now || !then) continue;
      const peer = s.peers.find((p) => row(c, p)?.median && row(cb, p)?.median);
      const normalised = peer ? now / row(c, peer).median / (then / row(cb, peer).median) : undefined;
      rows.push([`${s.name} ${c.name}`, fmtMs(then), fmtMs(now), fmtRatio(now / then), peer ? `${fmtRatio(normalised)} (${peer})` : "—"]);
    }
  }
  return rows.length
    ? mdTable([`case (${baseline.label})`, "before ms", "after ms", "after / before", "after / before, per peer"], rows)
    : "";
}

/** [family, model] from a results file's cpuDetail ("x86 family 25 model 1; …"), or undefined when not recorded. */
function familyModel(machine) {
  const m = machine.cpuDetail?.match(/family (\d+) model (\d+)/);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** A CPU's identity for grouping results: model name plus x86 family and model (cpuDetail), e.g. "AMD EPYC|25|1". */
export function cpuKey(machine) {
  const fm = familyModel(machine);
  return fm ? `${machine.cpu}|${fm[0]}|${fm[1]}` : machine.cpu;
}

/**
 * A CPU as RESULTS.md names it: model name, AMD's core generation where the family and model say it (AMD's
 * family/model numbering: 23 Zen and Zen 2, 25 Zen 3 or Zen 4 by model, 26 Zen 5), and cpuDetail.
 */
export function cpuLabel(machine) {
  const fm = familyModel(machine);
  if (!fm) return `${machine.cpu} (family and model not recorded)`;
  const [family, model] = fm;
  const zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || (model >= 0xa0 && model <= 0xaf);
  const generation = /AMD/.test(machine.cpu) ? { 23: "Zen or Zen 2", 25: zen4 ? "Zen 4" : "Zen 3", 26: "Zen 5" }[family] : undefined;
  return `${machine.cpu}${generation ? ` ${generation}` : ""} (${machine.cpuDetail})`;
}

/**
 * For the suites that state shares of the ceiling: the GEMM tiles and blocks their products ran with (recorded by
 * the harness at the end of the suite), e.g. "; GEMM tile simd 2x8, relaxed 2x12 (calibrated), mc 128 (calibrated)".
 */
function gemmChoices(g) {
  if (!g) return "";
  const tiles = Object.entries(g.tiles).map(([build, t]) => `${build} ${t.tile} (${t.source})`).join(", ");
  return `; GEMM tile ${tiles}, mc ${g.blocking.mc}, nc ${g.blocking.nc} (${g.blocking.source})`;
}

/** ", pinned to CPU 1" when the run could use fewer CPUs than the machine has (taskset -c 1), else "". */
function pinned(m) {
  const all = m.cores === 1 ? "0" : `0-${m.cores - 1}`;
  return m.cpusAllowed && m.cpusAllowed !== all ? `, pinned to CPU ${m.cpusAllowed}` : "";
}

/**
 * The groups RESULTS.md reports, one per CPU: each CPU's newest results (store.byCpu, see run.js addRecord) and,
 * for files that do not record the CPU's family and model, the suites whose newest result overall comes from such a
 * file. Newest run first.
 */
function cpuGroups(store) {
  const groups = [...store.byCpu.values()];
  const unrecorded = {};
  for (const env of ENVS) {
    const run = store.newest[env];
    const results = run?.results.filter((s) => !s.machine?.cpuDetail) ?? [];
    const newest = results.reduce((a, b) => (b.date > a.date ? b : a), results[0]);
    unrecorded[env] = newest ? { ...run, date: newest.date, machine: newest.machine, results } : null;
  }
  if (ENVS.some((env) => unrecorded[env])) groups.push(unrecorded);
  const newestDate = (g) => ENVS.flatMap((env) => g[env]?.results.map((s) => s.date) ?? []).sort().at(-1) ?? "";
  const machine = (g) => ENVS.map((env) => g[env]).find(Boolean).machine;
  return groups.map((g) => ({ ...g, machine: machine(g) })).sort((x, y) => newestDate(y).localeCompare(newestDate(x)));
}

/**
 * benchmarks/RESULTS.md: the CPUs, per-suite medians in both environments on each CPU a suite ran on, targets met
 * or missed on each CPU. `store` as run.js latestResults returns it; `baseline` for "Before and after".
 */
export function renderResultsMd(store, baseline) {
  const groups = cpuGroups(store);
  const lines = [
    "# Benchmark results",
    "",
    "Generated by `npm run bench` (`node benchmarks/run.js`); do not edit by hand. Medians in milliseconds of",
    "repeated runs after warm-up (see each result file for the samples and run counts); ratios are peer median /",
    "losscape median from the same run, so they hold even when other processes load the machine. Each suite shows",
    "its newest result on every CPU it ran on, headed by the CPU.",
    "",
  ];
  for (const g of groups) {
    const m = g.machine;
    const busiest = Math.max(m.loadavg?.[0] ?? 0, ...ENVS.map((env) => g[env]?.machine.loadavgEnd?.[0] ?? 0));
    lines.push(
      `- CPU: ${cpuLabel(m)}, ${m.cores} cores, ${m.os}, ${m.memoryGiB} GiB`,
      `  - node: ${g.node ? `${g.node.machine.node}, newest run ${g.node.date}` : "not run"}`,
      ...(g["node-relaxed"] ? [`  - node with relaxed SIMD: ${g["node-relaxed"].machine.node}, newest run ${g["node-relaxed"].date}`] : []),
      `  - browser: ${g.chromium ? `${g.chromium.machine.browser} headless (crossOriginIsolated: ${g.chromium.crossOriginIsolated}), newest run ${g.chromium.date}` : "not run"}`,
      `  - load average (1, 5, 15 min) at the start of the newest run: ${m.loadavg?.join(", ") ?? "?"}; at the end of node: ${g.node?.machine.loadavgEnd?.join(", ") ?? "?"}${g["node-relaxed"] ? `, of node with relaxed SIMD: ${g["node-relaxed"].machine.loadavgEnd?.join(", ") ?? "?"}` : ""}, of Chromium: ${g.chromium?.machine.loadavgEnd?.join(", ") ?? "?"}`,
    );
    if (busiest > m.cores) {
      lines.push(
        `  - **the machine was busy** (1-min load ${busiest} > ${m.cores} cores): absolute times are inflated and noisy;`,
        "    compare the ratios, which come from samples taken round-robin in the same run.",
      );
    }
  }
  lines.push("");
  const suites = [];
  for (const env of ENVS) for (const s of store.newest[env]?.results ?? []) if (!suites.includes(s.name)) suites.push(s.name);
  for (const name of suites) {
    let titled = false;
    for (const g of groups) {
      for (const env of ENVS) {
        const s = g[env]?.results.find((x) => x.name === name);
        if (!s || s.skipped) continue;
        if (!titled) {
          lines.push(`## ${name} — ${s.title}`, "");
          for (const note of s.notes ?? []) lines.push(`- ${note}`);
          if (s.notes?.length) lines.push("");
          titled = true;
        }
        const lowCeiling = s.shares?.some((x) => !ceilingTrusted(s.ceilingCoding, env, x.ceiling))
          ? `; its ${CEILING} read low in node (constants rematerialised; fixed since), so shares of it are overstated`
          : "";
        const where = `${runtimeOf(env) === "node" ? `node ${s.machine.node}` : s.machine.browser}, ${cpuLabel(s.machine)}${pinned(s.machine)}${s.date ? ` (run ${s.date})` : ""}${s.shares?.length ? gemmChoices(s.gemm) : ""}${lowCeiling}`;
        if (s.error) {
          lines.push(`${where}: **the suite failed**: ${s.error}`, "");
          continue;
        }
        const { header, rows } = tableRows(s);
        lines.push(`${where}:`, "", mdTable(header, rows), "");
      }
    }
  }
  const baselineGroup = baseline && groups.find((g) => g.node && cpuKey(g.machine) === cpuKey(baseline.machine));
  if (baselineGroup) {
    const table = renderBaselineComparison(baseline, baselineGroup.node);
    if (table) {
      lines.push(
        "## Before and after",
        "",
        `Node medians of the main implementation against ${baseline.label} (results/baseline/, run on ${cpuLabel(baseline.machine)}`,
        `on ${baseline.date}, load ${baseline.machine.loadavg?.join(", ") ?? "?"}), for the suites whose newest result comes from the same CPU. "per peer"`,
        "divides each run's median by the same peer's median in that run, which cancels most of the difference in load; > 1 is slower now.",
        "",
        table,
        "",
      );
    }
  }
  const targets = groups.flatMap((g) => evaluateTargets(Object.fromEntries(ENVS.map((env) => [env, g[env]]))).map((t) => ({ ...t, cpu: cpuLabel(g.machine) })));
  if (targets.length) {
    lines.push("## Targets", "", mdTable(["target", "CPU", "measured", "status"], targets.map((t) => [t.target, t.cpu, t.measured, t.met ? "met" : `**${t.miss}**`])), "");
  }
  return lines.join("\n");
}
