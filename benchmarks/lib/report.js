// Text table for the console and benchmarks/RESULTS.md from suite results (node only).

const fmtMs = (x) => (x === undefined ? "—" : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const fmtRatio = (x) => (x === undefined || !Number.isFinite(x) ? "—" : x >= 10 ? x.toFixed(1) + "×" : x.toFixed(2) + "×");
const fmtSci = (x) => (x === undefined ? "—" : x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(1) : String(+x.toPrecision(3)));

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
        if (t.env && t.env !== env) continue;
        const c = suite.cases.find((x) => x.name === t.case);
        if (!c) continue;
        if (t.kind === "speedup") {
          const got = speedup(c, t.impl, t.peer);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≥ ${t.min}× ${t.peer} (${env})`,
            measured: fmtRatio(got),
            met: got !== undefined && got >= t.min,
            miss: got === undefined ? "not measured" : got >= t.min ? "" : `missed by ${((t.min / got - 1) * 100).toFixed(0)} %`,
          });
        } else if (t.kind === "ratio") {
          // A ceiling on impl median / peer median (e.g. a whole command against a bare `node -e 0`).
          const got = speedup(c, t.peer, t.impl);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≤ ${t.max}× ${t.peer} (${env})`,
            measured: fmtRatio(got),
            met: got !== undefined && got <= t.max,
            miss: got === undefined ? "not measured" : got <= t.max ? "" : `missed by ${((got / t.max - 1) * 100).toFixed(0)} %`,
          });
        } else if (t.kind === "share") {
          // A floor on an implementation's share of the arithmetic ceiling measured in the same run.
          const got = shareOfCeiling(c, t.impl, t.ceiling);
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ≥ ${fmtShare(t.min)} of the ${t.ceiling} (${env})`,
            measured: fmtShare(got),
            met: got !== undefined && got >= t.min,
            miss: got === undefined ? "not measured" : got >= t.min ? "" : `missed: ${fmtShare(got)} of ${fmtShare(t.min)}`,
          });
        } else if (t.kind === "time") {
          // An absolute wall-clock target (e.g. "under 1 s"): the median on this machine.
          const got = row(c, t.impl)?.median;
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} median ≤ ${t.maxMs} ms (${env})`,
            measured: got === undefined ? "—" : `${got.toFixed(got < 10 ? 2 : 0)} ms`,
            met: got !== undefined && got <= t.maxMs,
            miss: got === undefined ? "not measured" : got <= t.maxMs ? "" : `missed by ${((got / t.maxMs - 1) * 100).toFixed(0)} %`,
          });
        } else if (t.kind === "accuracy" && t.min !== undefined) {
          // A floor on a measured quantity (a share of runs, a count of points found).
          const got = row(c, t.impl)?.accuracy?.[t.metric];
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ${t.metric} ≥ ${fmtSci(t.min)} (${env})`,
            measured: fmtSci(got),
            met: got !== undefined && got >= t.min,
            miss: got === undefined ? "not measured" : got >= t.min ? "" : `missed: ${fmtSci(got)} of ${fmtSci(t.min)}`,
          });
        } else if (t.kind === "accuracy") {
          const got = row(c, t.impl)?.accuracy?.[t.metric];
          out.push({
            target: `${suite.name} ${t.case}: ${t.impl} ${t.metric} ≤ ${fmtSci(t.max)} (${env})`,
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
          miss: ratio <= 1.3 ? "" : `missed by ${((ratio / 1.3 - 1) * 100).toFixed(0)} %`,
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

/** benchmarks/RESULTS.md: machine, date, per-suite medians in both environments, targets met or missed. */
export function renderResultsMd(byEnv) {
  const any = byEnv.node ?? byEnv.chromium;
  const m = any.machine;
  const cpuDetail = byEnv.node?.machine.cpuDetail ?? byEnv.chromium?.machine.cpuDetail;
  const lines = [
    "# Benchmark results",
    "",
    "Generated by `npm run bench` (`node benchmarks/run.js`); do not edit by hand. Medians in milliseconds of",
    "repeated runs after warm-up (see each result file for the samples and run counts); ratios are peer median /",
    "losscape median from the same run, so they hold even when other processes load the machine.",
    "",
    `- Machine: ${m.cpu}${cpuDetail ? ` (${cpuDetail})` : ""}, ${m.cores} cores, ${m.os}, ${m.memoryGiB} GiB`,
    `- node: ${byEnv.node ? `${byEnv.node.machine.node}, newest run ${byEnv.node.date}${byEnv.node.quick ? " (quick)" : ""} (each suite says when it ran)` : "not run"}`,
    `- browser: ${byEnv.chromium ? `${byEnv.chromium.machine.browser} headless (crossOriginIsolated: ${byEnv.chromium.crossOriginIsolated}), newest run ${byEnv.chromium.date}${byEnv.chromium.quick ? " (quick)" : ""}` : "not run"}`,
    `- Load average (1, 5, 15 min) at the start: ${m.loadavg?.join(", ") ?? "?"}; at the end of node: ${byEnv.node?.machine.loadavgEnd?.join(", ") ?? "?"}, of Chromium: ${byEnv.chromium?.machine.loadavgEnd?.join(", ") ?? "?"}`,
  ];
  const busiest = Math.max(m.loadavg?.[0] ?? 0, byEnv.node?.machine.loadavgEnd?.[0] ?? 0, byEnv.chromium?.machine.loadavgEnd?.[0] ?? 0);
  if (busiest > m.cores) {
    lines.push(
      `- **The machine was busy** (1-min load ${busiest} > ${m.cores} cores): absolute times are inflated and noisy;`,
      "  compare the ratios, which come from samples taken round-robin in the same run.",
    );
  }
  lines.push("");
  const suites = [];
  for (const run of [byEnv.node, byEnv.chromium]) for (const s of run?.results ?? []) if (!suites.includes(s.name)) suites.push(s.name);
  for (const name of suites) {
    for (const env of ["node", "chromium"]) {
      const s = byEnv[env]?.results.find((x) => x.name === name);
      if (!s || s.skipped) continue;
      if (env === "node" || !byEnv.node?.results.find((x) => x.name === name)) {
        lines.push(`## ${name} — ${s.title}`, "");
        for (const note of s.notes ?? []) lines.push(`- ${note}`);
        if (s.notes?.length) lines.push("");
      }
      const where = `${env === "node" ? "node" : byEnv.chromium.machine.browser}${s.date ? ` (run ${s.date})` : ""}`;
      if (s.error) {
        lines.push(`${where}: **the suite failed**: ${s.error}`, "");
        continue;
      }
      const { header, rows } = tableRows(s);
      lines.push(`${where}:`, "", mdTable(header, rows), "");
    }
  }
  if (byEnv.baseline && byEnv.node) {
    const table = renderBaselineComparison(byEnv.baseline, byEnv.node);
    if (table) {
      lines.push(
        "## Before and after",
        "",
        `Node medians of the main implementation against ${byEnv.baseline.label} (results/baseline/, run on this machine`,
        `on ${byEnv.baseline.date}, load ${byEnv.baseline.machine.loadavg?.join(", ") ?? "?"}). "per peer" divides each run's median by the same`,
        "peer's median in that run, which cancels most of the difference in load; > 1 is slower now.",
        "",
        table,
        "",
      );
    }
  }
  const targets = evaluateTargets(byEnv);
  if (targets.length) {
    lines.push("## Targets", "", mdTable(["target", "measured", "status"], targets.map((t) => [t.target, t.measured, t.met ? "met" : `**${t.miss}**`])), "");
  }
  return lines.join("\n");
}
