import { mkdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { eigvalsh, getBackend } from "@losscape/core";
import { certifyEmbedding, condensationShowcase, sinData, splitNeuron, tanhShowcase } from "@losscape/embedding";
import { connectMinima, cooperShowcase, landscapeSlice } from "@losscape/manifold";
import { serializeData, serializeModel, type Dataset, type Model } from "@losscape/mlp";
import { histogram, penningtonBahri, samplePenningtonBahri, type PBModel } from "@losscape/spectra";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues } from "../format.js";
import { checkCreatableDir, writeFileAtomic } from "../io.js";
import { eigenvalueStripFigure, indexEnergyFigure, pathFigure, sliceFigure, spectrumFigure, writeFigure } from "../plot.js";
import { progress } from "../progress.js";
import { plotCurve } from "./spectrum.js";

export interface DemoOptions {
  out: string;
  quick?: boolean;
}

/** The sizes of one demo run: the default, and `--quick` (for tests: the same steps, smaller). */
const SETTINGS = {
  full: { starts: 20, alphas: [0.5, 0.25, -1], sample: 600, nebIterations: 300, slicePoints: 41, condWidth: 400, condEpochs: 1500 },
  quick: { starts: 6, alphas: [0.5, -1], sample: 150, nebIterations: 40, slicePoints: 15, condWidth: 60, condEpochs: 300 },
};

/** The (model, φ, ε) at which the demo evaluates the Pennington–Bahri spectrum. */
const PB_POINTS: { model: PBModel; phi: number; eps: number }[] = [
  { model: "wigner", phi: 0.25, eps: 0.01 },
  { model: "wigner", phi: 0.25, eps: 0.1 },
  { model: "wigner", phi: 0.5, eps: 0.1 },
  { model: "relu", phi: 0.5, eps: 0.05 },
  { model: "relu", phi: 0.5, eps: 0.2 },
  { model: "relu", phi: 2, eps: 0.1 },
];
/** The spectra drawn against a sampled matrix's histogram. */
const PB_FIGURES = [1, 4];

const counts3 = (c: number[]) => `(${c.join(", ")})`;
const wid = (w: readonly number[]) => w.join("-");

/**
 * `losscape demo`: the seeds' headline results end to end on the built-in example (the tanh 1-3-1 net on
 * x = linspace(−2, 2, 20), y = sin 2x), written as a report folder (report.md, figures, model and data files).
 * @example
 * await demoCommand({ out: "losscape-report" }, ctx);
 */
export async function demoCommand(o: DemoOptions, ctx: Context): Promise<void> {
  const dir = resolve(o.out);
  // Before anything runs (node's recursive mkdir does not return on /proc): a place where the folder can be made.
  checkCreatableDir(o.out, "--out");
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${o.out}: exists and is not a directory (--out)`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(join(dir, "models"), { recursive: true });
  const S = o.quick ? SETTINGS.quick : SETTINGS.full;
  const t0 = performance.now();
  const steps = 8;
  const bar = progress("losscape demo", steps, ctx.quiet);
  let done = 0;
  const stage = (what: string) => bar.update(done++, what);
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, f: () => T): T => {
    const t = performance.now();
    const r = f();
    timings[name] = (performance.now() - t) / 1000;
    return r;
  };

  // 1–3. Critical points of the 1-3-1 net, their embeddings to widths 4 and 5, the global minimum's escape.
  stage("critical points and embeddings of the tanh 1-3-1 net");
  const data: Dataset = sinData();
  const spec = { widths: [1, 3, 1], activation: "tanh" as const };
  const show = timed("tanh showcase", () => tanhShowcase({ seed: 0, starts: S.starts, alphas: S.alphas }));
  const cpModel = (k: number): Model => ({ ...spec, params: Float64Array.from(show.criticalPoints[k].params) });
  writeFileAtomic(join(dir, "models", "sin20.json"), JSON.stringify(serializeData(data)) + "\n");
  show.criticalPoints.forEach((cp, k) =>
    writeFileAtomic(
      join(dir, "models", `critical-${k}.json`),
      JSON.stringify(serializeModel({ ...cpModel(k), meta: { source: "losscape demo", loss: cp.loss, gradNorm: cp.gradNorm, inertia: cp.inertia } }), null, 1) + "\n",
    ),
  );

  stage("figures: index against energy, the strict saddle");
  const points = [
    ...show.criticalPoints.map((cp) => ({ energy: cp.loss, index: cp.inertia[0] / 10, group: "1-3-1 critical points" })),
    ...show.table.map((r) => ({ energy: r.loss, index: r.inertiaAfter[0] / (r.inertiaAfter[0] + r.inertiaAfter[1] + r.inertiaAfter[2]), group: `embedded to ${wid(r.widths)}` })),
  ];
  writeFigure(join(dir, "index-energy.png"), indexEnergyFigure(points, { title: "Critical points of the tanh 1-3-1 net and their embeddings" }));
  const esc = show.globalMinimum.escape;
  let escapeCert: ReturnType<typeof certifyEmbedding> | null = null;
  if (esc) {
    const step = { layer: esc.layer, neuron: esc.neuron, alpha: esc.alpha };
    const wide = splitNeuron(cpModel(0), step);
    escapeCert = certifyEmbedding(cpModel(0), wide, data, { step });
    writeFileAtomic(join(dir, "models", "global-min-embedded.json"), JSON.stringify(serializeModel({ ...wide, meta: { source: "losscape demo", embedding: step } }), null, 1) + "\n");
    writeFigure(
      join(dir, "strict-saddle.png"),
      eigenvalueStripFigure(
        [
          { label: `global min 1-3-1 ${counts3(show.globalMinimum.inertia)}`, values: escapeCert.eigenvaluesBefore },
          { label: `embedded ${wid(wide.widths)} ${counts3(esc.inertia)}`, values: escapeCert.eigenvaluesAfter },
        ],
        { title: `Global minimum → strict saddle by T^α_{${esc.layer},${esc.neuron}}, α = ${esc.alpha}` },
      ),
    );
  }

  // 4. Pennington–Bahri spectra.
  stage("Pennington–Bahri spectra");
  const spectra = timed("spectra", () =>
    PB_POINTS.map((p, i) => {
      const r = penningtonBahri(p);
      let figure: string | null = null;
      if (PB_FIGURES.includes(i)) {
        const eig = eigvalsh(samplePenningtonBahri({ ...p, n: S.sample, seed: 1 }));
        const curve = plotCurve(r);
        const hist = histogram(eig, { bins: 50, from: Math.min(curve[0][0], eig[0]), to: Math.max(curve[curve.length - 1][0], eig[eig.length - 1]) });
        figure = `spectrum-${p.model}-phi${p.phi}-eps${p.eps}.png`;
        writeFigure(
          join(dir, figure),
          spectrumFigure({
            density: curve,
            histogram: hist,
            atoms: r.measure.support().atoms,
            title: `Pennington–Bahri ${p.model}: φ = ${p.phi}, ε = ${p.eps}, α = ${fmt(r.index, 4)}, ε_c = ${fmt(r.epsC, 4)}`,
            histogramLabel: `eigenvalues of one sampled ${S.sample}×${S.sample} H`,
          }),
        );
      }
      return { ...p, support: r.support, atom: r.atom, index: r.index, epsC: r.epsC, epsCClosedForm: r.epsCClosedForm, regime: r.regime, figure };
    }),
  );

  // 5. Cooper's dimension.
  stage("Cooper's dimension of the minima set");
  const cooper = timed("cooper", () => cooperShowcase({ seed: 0 }));
  writeFileAtomic(join(dir, "models", "cooper-data.json"), JSON.stringify(serializeData(cooper.generic.data)) + "\n");
  writeFileAtomic(join(dir, "models", "cooper-fit.json"), JSON.stringify(serializeModel(cooper.generic.model), null, 1) + "\n");
  const cooperHessian = (d: typeof cooper.generic.dimension) => d.hessian.eigenvalues;
  writeFigure(
    join(dir, "cooper.png"),
    eigenvalueStripFigure(
      [
        { label: `generic ${wid(cooper.generic.model.widths)}, corank ${cooper.generic.dimension.hessianCorank}`, values: cooperHessian(cooper.generic.dimension), threshold: cooper.generic.dimension.hessian.threshold },
        { label: `split ${wid(cooper.split.model.widths)}, corank ${cooper.split.dimension.hessianCorank}`, values: cooperHessian(cooper.split.dimension), threshold: cooper.split.dimension.hessian.threshold },
      ],
      { title: "Hessian eigenvalues at exact fits (grey: zero)" },
    ),
  );

  // 6. Loss along a path between two global minima, and slices.
  stage("mode connectivity and slices");
  const permuted = permuteHidden(cpModel(0));
  writeFileAtomic(join(dir, "models", "critical-0-permuted.json"), JSON.stringify(serializeModel(permuted), null, 1) + "\n");
  const linear = timed("connect linear", () => connectMinima(cpModel(0), permuted, data, { method: "linear", points: 51 }));
  const neb = timed("connect neb", () => connectMinima(cpModel(0), permuted, data, { method: "neb", points: 51, iterations: S.nebIterations }));
  writeFigure(
    join(dir, "path.png"),
    pathFigure(
      [
        { label: "neb", path: neb.path },
        { label: "linear", path: linear.path },
      ],
      { title: "Global minimum → its permuted copy" },
    ),
  );
  const sliceRandom = timed("slice random", () => landscapeSlice(cpModel(0), data, { dirs: "random", points: S.slicePoints, range: 0.5, seed: 0 }));
  const sliceEmb = timed("slice embedding", () => landscapeSlice(cpModel(0), data, { dirs: "embedding", points: S.slicePoints, range: 1, seed: 0 }));
  writeFigure(join(dir, "slice-random.png"), sliceFigure({ grid: sliceRandom.grid, a: sliceRandom.axes[0], b: sliceRandom.axes[1], title: "Loss around the global minimum (random directions)" }));
  writeFigure(
    join(dir, "slice-embedding.png"),
    sliceFigure({
      grid: sliceEmb.grid,
      a: sliceEmb.axes[0],
      b: sliceEmb.axes[1],
      title: "Loss around the global minimum embedded in 1-4-1",
      aLabel: "a (along the embedding line: loss constant)",
    }),
  );

  // 7. A wide trained net reduced to its narrowest equivalent.
  stage("training a wide net and reducing it");
  const cond = timed("condensation", () => condensationShowcase({ seed: 1, width: S.condWidth, epochs: S.condEpochs }));

  stage("writing the report");
  const seconds = (performance.now() - t0) / 1000;
  const certified = show.table.filter((r) => r.countsNeverDecrease && r.maxOutputDiff <= 1e-10 && r.gradNormAfter <= 1e-10).length;
  const summary = {
    reportDir: dir,
    seconds,
    quick: o.quick === true,
    criticalPoints: show.criticalPoints.map((c) => ({ loss: c.loss, gradNorm: c.gradNorm, inertia: { negative: c.inertia[0], zero: c.inertia[1], positive: c.inertia[2] }, hits: c.hits })),
    embeddings: { total: show.table.length, certified, allChecksPass: show.allChecksPass },
    strictSaddle: esc
      ? { layer: esc.layer, neuron: esc.neuron, alpha: esc.alpha, widths: esc.widths, minEigenvalue: esc.minEigenvalue, inertia: { negative: esc.inertia[0], zero: esc.inertia[1], positive: esc.inertia[2] }, verified: esc.verified }
      : null,
    spectra: spectra.map(({ figure: _f, ...s }) => s),
    cooper: {
      generic: pickDimension(cooper.generic.dimension),
      split: pickDimension(cooper.split.dimension),
    },
    connect: { linearBarrier: linear.barrier, nebBarrier: neb.barrier },
    reduction: { widthsBefore: cond.widths, widthsAfter: cond.narrowest.widthsAfter, tol: cond.narrowest.tol, maxOutputDiff: cond.narrowest.maxOutputDiff, lossWide: cond.lossWide, lossReduced: cond.narrowest.lossReduced },
    warnings: [] as string[],
  };
  if (!show.allChecksPass) summary.warnings.push("some embedding checks failed: see the table in report.md");
  if (certified < show.table.length) summary.warnings.push(`${show.table.length - certified} embedding(s) not certified to 1e-10 (output or gradient)`);
  if (esc && !esc.verified) summary.warnings.push("the strict-saddle escape was not verified by the Hessian-vector product");
  const highlights: [string, string][] = [
    ["critical points", `${show.criticalPoints.length} of the tanh 1-3-1 net on sin 2x at ${criticalValues(show.criticalPoints).length} critical values` +
      ` (losses ${criticalValues(show.criticalPoints).map((v) => fmt(v, 4)).join(", ")}; global minimum loss ${fmt(show.globalMinimum.loss)})`],
    ["embeddings", `${certified} of ${show.table.length} to widths 4 and 5 certified (output preserved, still critical, counts never decrease)`],
    ["strict saddle", esc ? `global minimum ${counts3(show.globalMinimum.inertia)} → ${wid(esc.widths)} ${counts3(esc.inertia)} by T^α_{${esc.layer},${esc.neuron}}, α = ${esc.alpha}${esc.verified ? " (verified)" : ""}` : "none (every split block vanishes)"],
    ["spectra", spectra.map((sp) => `${sp.model} φ=${sp.phi} ε=${sp.eps}: α=${fmt(sp.index, 3)}`).join("; ")],
    ["Cooper", `generic fit: dim = ${cooper.generic.dimension.localDimension} = M − n·r ${cooper.generic.dimension.agrees ? "(agrees)" : "(differs)"}; split teacher: corank ${cooper.split.dimension.hessianCorank} > ${cooper.split.dimension.cooperDimension}`],
    ["connectivity", `barrier ${fmt(linear.barrier, 4)} on the straight line, ${fmt(neb.barrier, 4)} along the elastic band`],
    ["reduction", `${wid(cond.widths)} trained on Iris → ${wid(cond.narrowest.widthsAfter)} (tol ${cond.narrowest.tol}, loss ${fmt(cond.lossWide, 4)} → ${fmt(cond.narrowest.lossReduced, 4)})`],
  ];
  const report = renderReport({ dir, show, escapeCert, spectra, cooper, linear, neb, cond, seconds, timings, quick: o.quick === true, certified, highlights });
  writeFileAtomic(join(dir, "report.md"), report);
  bar.end();

  emit(ctx, summary, () => {
    const rel = relative(process.cwd(), dir) || ".";
    return keyValues([...highlights, ["time", `${seconds.toFixed(1)} s`], ["report", `${join(rel, "report.md")}`]]);
  });
}

function pickDimension(d: ReturnType<typeof cooperShowcase>["generic"]["dimension"]) {
  return {
    paramCount: d.paramCount,
    dataCount: d.dataCount,
    outputDim: d.outputDim,
    loss: d.loss,
    jacobianRank: d.jacobianRank,
    localDimension: d.localDimension,
    cooperDimension: d.cooperDimension,
    hessianCorank: d.hessianCorank,
    agrees: d.agrees,
  };
}

/** A [1, h, 1] net with its hidden neurons in reverse order: the same function, another point of θ-space. */
function permuteHidden(m: Model): Model {
  const h = m.widths[1];
  const p = m.params;
  const q = Float64Array.from(p);
  for (let j = 0; j < h; j++) {
    q[j] = p[h - 1 - j];
    q[h + j] = p[2 * h - 1 - j];
    q[2 * h + j] = p[3 * h - 1 - j];
  }
  return { ...m, params: q };
}

/** Rows of the embedding table with the same point, widths and inertias, merged (their steps listed compactly). */
function groupRows(rows: ReturnType<typeof tanhShowcase>["table"]) {
  const groups = new Map<string, { point: number; widths: string; before: string; after: string; predicted: string; never: boolean; grad: number; df: number; steps: { layer: number; neuron: number; alpha: number }[][] }>();
  for (const r of rows) {
    const predicted = r.predicted ? counts3(r.predicted) : "—";
    const key = [r.point, wid(r.widths), counts3(r.inertiaBefore), counts3(r.inertiaAfter), predicted, r.countsNeverDecrease].join("|");
    const g = groups.get(key) ?? { point: r.point, widths: wid(r.widths), before: counts3(r.inertiaBefore), after: counts3(r.inertiaAfter), predicted, never: r.countsNeverDecrease, grad: 0, df: 0, steps: [] };
    g.grad = Math.max(g.grad, r.gradNormAfter);
    g.df = Math.max(g.df, r.maxOutputDiff);
    g.steps.push(r.steps);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const alphas = [...new Set(g.steps.map((st) => st[0].alpha))].join(", ");
    const kinds = [...new Set(g.steps.map((st) => st.map((x) => `T_{${x.layer},${x.neuron}}`).join("∘")))];
    const one = g.steps.every((st) => st.length === 1);
    const steps = one
      ? `${g.steps.length} × T^α_{1,s}: s ∈ {${[...new Set(g.steps.map((st) => st[0].neuron))].join(", ")}}, α ∈ {${alphas}}`
      : `${g.steps.length} × ${kinds.join(", ")} (same α), α ∈ {${alphas}}`;
    return { ...g, steps };
  });
}

function mdTable(header: string[], rows: (string | number)[][]): string {
  const esc = (s: string | number) => String(s).replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n") + "\n";
}

function renderReport(a: {
  dir: string;
  show: ReturnType<typeof tanhShowcase>;
  escapeCert: ReturnType<typeof certifyEmbedding> | null;
  spectra: { model: PBModel; phi: number; eps: number; support: [number, number][]; atom: number; index: number; epsC: number; epsCClosedForm: number | null; regime: string; figure: string | null }[];
  cooper: ReturnType<typeof cooperShowcase>;
  linear: ReturnType<typeof connectMinima>;
  neb: ReturnType<typeof connectMinima>;
  cond: ReturnType<typeof condensationShowcase>;
  seconds: number;
  timings: Record<string, number>;
  quick: boolean;
  certified: number;
  highlights: [string, string][];
}): string {
  const { show, cooper, cond } = a;
  const L: string[] = [];
  const p = (s = "") => L.push(s);
  p("# losscape demo");
  p();
  p(`The headline results of losscape on its built-in example, computed end to end in ${a.seconds.toFixed(1)} s` +
    ` (${new Date().toISOString().slice(0, 19)} UTC, backend \`${getBackend()}\`${a.quick ? ", `--quick` sizes" : ""}).` +
    " Conventions (docs/conventions.md in the losscape repository): R = 1/(2n) Σ (f − y)², energy ε = R / d_out (= R here), inertia = (negative, zero, positive)" +
    " Hessian eigenvalue counts with |λ| ≤ 10⁻⁹·max(1, max|λ|) counted as zero. The model and data files used are in `models/`.");
  p();
  p("The example: a tanh network with widths 1-3-1 (M = 10 parameters) on n = 20 points x = linspace(−2, 2, 20), y = sin 2x.");
  p();
  p("**In short**");
  p();
  for (const [k, v] of a.highlights) p(`- **${k}**: ${v}`);
  p();
  p("## 1. Every critical point of the 1-3-1 net");
  p();
  p(`A seeded multi-start search (${show.criticalPoints.reduce((s, c) => s + c.hits, 0)} converged runs; each start refined directly and after a descent)` +
    ` finds ${show.criticalPoints.length} distinct critical points, sorted by loss (copies under neuron permutations and sign flips are merged),` +
    ` at ${criticalValues(show.criticalPoints).length} distinct critical values (losses equal to a relative 10⁻⁹).` +
    " Points that share a loss and an inertia with zero eigenvalues are typically different points of one degenerate critical set" +
    " (a zero Hessian eigenvalue is a flat direction along it); the table lists each representative the search landed on:");
  p();
  p(mdTable(["#", "loss = ε", "‖∇R‖", "inertia", "index α = neg/M", "hits", "file"], show.criticalPoints.map((c, k) => [k, fmt(c.loss), fmt(c.gradNorm, 2), counts3(c.inertia), fmt(c.inertia[0] / 10, 3), c.hits, `models/critical-${k}.json`])));
  p("## 2. Critical embeddings to widths 4 and 5, certified");
  p();
  p("Each critical point is embedded by the one-step embedding T^α_{1,s} (neuron s split, outgoing weights α·w and (1 − α)·w) for every s and" +
    ` α ∈ {${show.table.length ? [...new Set(show.table.filter((r) => r.steps.length === 1).map((r) => r.steps[0].alpha))].join(", ") : ""}}` +
    " (width 4), and by two steps T^α_{1,0} then T^α_{1,1} (width 5). The certificate checks that the output is preserved (max |f_wide − f| over the data" +
    " and random probe inputs), that the point is still critical (‖∇R‖ after), that no inertia count decreases, and, for one step from a" +
    " non-degenerate point, that the inertia equals the split-block prediction inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0).");
  p();
  p(`**${a.certified} of ${show.table.length} embeddings certified** (max |Δf| ≤ 10⁻¹⁰, ‖∇R‖ ≤ 10⁻¹⁰, counts never decrease); all checks including the predictions: **${show.allChecksPass ? "pass" : "FAIL"}**.`);
  p();
  p(mdTable(
    ["point", "widths", "embeddings", "inertia before", "inertia after", "predicted", "never decrease", "max ‖∇R‖ after", "max |Δf|"],
    groupRows(show.table).map((g) => [g.point, g.widths, g.steps, g.before, g.after, g.predicted, g.never ? "yes" : "**no**", fmt(g.grad, 2), fmt(g.df, 2)]),
  ));
  p("(Embeddings with the same outcome are grouped; s is the split neuron, α the share kept by the original.)");
  p("(— : a two-step embedding, or a degenerate base Hessian: the one-step split-block formula does not apply.)");
  p();
  p("![index against energy](index-energy.png)");
  p();
  p("## 3. The global minimum becomes a strict saddle");
  p();
  const g = show.globalMinimum;
  if (g.escape) {
    p(`The global minimum (loss ${fmt(g.loss)}, inertia ${counts3(g.inertia)}: a strict local minimum) has a split block Γ_s ≠ 0, so it is not "truly bad"` +
      ` in the sense of Zhang et al. (2022): the embedding T^α_{${g.escape.layer},${g.escape.neuron}} with α = ${g.escape.alpha} maps it to a critical point of the` +
      ` ${wid(g.escape.widths)} net with inertia ${counts3(g.escape.inertia)} — a strict saddle. Smallest eigenvalue ${fmt(g.escape.minEigenvalue)};` +
      ` the curvature vᵀHv along its eigenvector recomputed with the Hessian-vector product: ${fmt(g.escape.curvature)} (${g.escape.verified ? "verified" : "NOT verified"}).` +
      " The embedded point is `models/global-min-embedded.json`.");
  } else p("Every split block Γ_s vanishes at the global minimum: no one-step embedding makes it a strict saddle.");
  p();
  if (a.escapeCert) p("![eigenvalues before and after](strict-saddle.png)");
  p();
  p("## 4. The Pennington–Bahri spectrum and ε_c");
  p();
  p("H = H₀ + H₁ with H₀ Marchenko–Pastur of ratio φ (parameters per data-output) and H₁ a semicircle of variance 2ε (Wigner model) or the" +
    " ReLU law (Pennington & Bahri, ICML 2017). α = fraction of negative eigenvalues; ε_c = the energy at which the lower edge reaches 0" +
    " (numerically, and by the paper's closed form, which applies for φ < 1 only).");
  p();
  p(mdTable(
    ["model", "φ", "ε", "support", "atom at 0", "index α", "ε_c (numeric)", "ε_c (closed form)", "regime"],
    a.spectra.map((s) => [s.model, s.phi, s.eps, s.support.map(([x, y]) => `[${fmt(x, 4)}, ${fmt(y, 4)}]`).join(" ∪ "), fmt(s.atom, 4), fmt(s.index), fmt(s.epsC), s.epsCClosedForm === null ? "— (φ ≥ 1)" : fmt(s.epsCClosedForm), `\`${s.regime}\``]),
  ));
  for (const s of a.spectra) if (s.figure) p(`![${s.model} φ=${s.phi} ε=${s.eps}](${s.figure})\n`);
  p("## 5. Cooper's dimension of the set of global minima");
  p();
  const gd = cooper.generic.dimension;
  const sd = cooper.split.dimension;
  p(`An overparameterised tanh net ${wid(cooper.generic.model.widths)} (M = ${gd.paramCount}) fitted exactly (loss ${fmt(gd.loss, 2)}) to n = ${gd.dataCount} random points:` +
    ` the zero-loss set near the fit is a manifold of dimension M − n·r = ${gd.cooperDimension} (Cooper 2021). Measured: rank J = ${gd.jacobianRank},` +
    ` local dimension M − rank J = ${gd.localDimension}, Hessian corank ${gd.hessianCorank} — ${gd.agrees ? "they agree" : "they differ"}.` +
    ` A teacher with a split (redundant) neuron, ${wid(cooper.split.model.widths)}, also fits its data exactly but has rank J = ${sd.jacobianRank} < n·r` +
    ` and Hessian corank ${sd.hessianCorank} > M − n·r = ${sd.cooperDimension}: neuron redundancy adds degeneracy beyond Cooper's count` +
    ` (redundant neurons m_total − m_min = ${sd.embedding.bound}).`);
  p();
  p(mdTable(["fit", "M", "n·r", "rank J", "M − rank J", "M − n·r", "Hessian corank", "agrees"], [
    ["generic", gd.paramCount, gd.dataCount * gd.outputDim, gd.jacobianRank, gd.localDimension, gd.cooperDimension, gd.hessianCorank, gd.agrees ? "yes" : "no"],
    ["split teacher", sd.paramCount, sd.dataCount * sd.outputDim, sd.jacobianRank, sd.localDimension, sd.cooperDimension, sd.hessianCorank, sd.agrees ? "yes" : "no"],
  ]));
  p("![Cooper](cooper.png)");
  p();
  p("## 6. Between and around minima");
  p();
  p(`The global minimum and the same network with its hidden neurons permuted are two global minima. On the straight line between them` +
    ` the loss rises by ${fmt(a.linear.barrier)}; a nudged elastic band (${a.neb.iterations} steps) lowers the barrier to ${fmt(a.neb.barrier)}.`);
  p();
  p("![loss along the path](path.png)");
  p();
  p("Slices of the loss around the global minimum: along two random filter-normalised directions, and, after embedding it into 1-4-1," +
    " along its embedding line (the loss is constant along it: a valley of critical points) against a random direction.");
  p();
  p("![random slice](slice-random.png) ![embedding slice](slice-embedding.png)");
  p();
  p("## 7. A wide trained network reduced to its narrowest equivalent");
  p();
  p(`A tanh net ${wid(cond.widths)} trained on Iris (${cond.dataset}) from a small initialisation (std ${cond.init.std}) for ${cond.epochs} Adam steps` +
    ` (loss ${fmt(cond.lossWide)}) condenses: many hidden neurons end up (nearly) duplicates of each other. Reducing it (merging duplicates, also up to` +
    ` sign, dropping dead and constant neurons) at a ladder of tolerances:`);
  p();
  p(mdTable(["tolerance", "widths after", "max |f_reduced − f|", "loss as reduced", "after 100 L-BFGS steps"], cond.rows.map((r) => [r.tol, wid(r.widthsAfter), fmt(r.maxOutputDiff, 3), fmt(r.lossReduced), fmt(r.lossRefined)])));
  p(`The narrowest reduction whose loss stays within ${cond.lossSlack * 100} % of the wide net's: **${wid(cond.narrowest.widthsAfter)}**` +
    ` (tolerance ${cond.narrowest.tol}; max |f_reduced − f| = ${fmt(cond.narrowest.maxOutputDiff, 3)} on the data and random inputs — equivalent up to that).` +
    " An exact embedding reduces exactly: `losscape reduce` on `models/global-min-embedded.json` gives back 1-3-1 with |Δf| at rounding level.");
  p();
  p("## Reproduce with the command line");
  p();
  p("In this folder (in a clone of the repository: `npx losscape` when the folder is inside the clone, else `node <repo>/packages/cli/bin/losscape.js`):");
  p();
  p("```sh");
  p("losscape hessian  --model models/critical-0.json --data models/sin20.json --split");
  p("losscape critical --model models/critical-1.json --data models/sin20.json");
  p(`losscape embed    --model models/critical-0.json --layer 1 --neuron ${g.escape?.neuron ?? 0} --alpha ${g.escape?.alpha ?? 0.5} --data models/sin20.json --plot embed.png`);
  p("losscape reduce   --model models/global-min-embedded.json --data models/sin20.json");
  p("losscape spectrum --law wigner --phi 0.25 --eps 0.1 --plot spectrum.png");
  p("losscape dimension --model models/cooper-fit.json --data models/cooper-data.json");
  p("losscape connect  --model models/critical-0.json --model models/critical-0-permuted.json --data models/sin20.json --method neb --plot path.png");
  p("losscape slice    --model models/critical-0.json --data models/sin20.json --dirs embedding --plot slice.png");
  p("```");
  p();
  p("Add `--json` to any command for one JSON object on stdout; its fields are listed in the README of @losscape/cli and in docs/cli.md of the losscape repository.");
  p();
  p("Time per step (s): " + Object.entries(a.timings).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ") + ".");
  p();
  p("References: Zhang, Zhang, Luo, Xu, Embedding Principle of Loss Landscape of DNNs (NeurIPS 2021); Zhang, Li, Zhang, Luo, Xu," +
    " Embedding Principle: a hierarchical structure of loss landscape of DNNs (J. Mach. Learn. 2022); Pennington & Bahri, Geometry of" +
    " NN loss surfaces via random matrix theory (ICML 2017); Cooper, Global minima of overparameterized neural networks (SIAM J. Math." +
    " Data Sci. 2021); Draxler et al. 2018 (elastic bands); Li et al. 2018 (filter-normalised slices); Farrugia-Roberts 2023 (lossless compression).");
  return L.join("\n") + "\n";
}

/** The distinct loss values of a list of critical points (equal to a relative 1e-9), ascending. */
function criticalValues(points: readonly { loss: number }[]): number[] {
  const values: number[] = [];
  for (const { loss } of [...points].sort((a, b) => a.loss - b.loss)) {
    const last = values[values.length - 1];
    if (last === undefined || Math.abs(loss - last) > 1e-9 * Math.max(Math.abs(loss), Math.abs(last))) values.push(loss);
  }
  return values;
}
