import * as Plot from "@observablehq/plot";
import { Resvg } from "@resvg/resvg-js";
import { inertiaThreshold } from "@losscape/core";
import { parseHTML } from "linkedom";
import { plotKind, writeFileAtomic } from "./io.js";

/**
 * Figures rendered in node: Observable Plot with linkedom as the DOM gives SVG text; PNG goes through resvg once
 * the SVG carries its xmlns. Only marks that work without a browser are used (no `raster`, no continuous legends:
 * a colour bar is a threshold scale's legend, drawn as rectangles). Text is dark, or coloured with a white halo, so it
 * reads on any background.
 * The figure libraries take longer to load than a small command takes to run, so commands import this module
 * only when `--plot` is given (`await import("../plot.js")`); `--plot` paths are checked by io.ts `checkPlotPath`.
 */

const WIDTH = 720;
const HEIGHT = 420;

/**
 * Render Plot options to standalone SVG text (white background, xmlns set, the page's fonts).
 * @example
 * renderSvg({ marks: [Plot.line([[0, 0], [1, 1]])] });
 */
export function renderSvg(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const fig = Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 60,
    marginBottom: 40,
    style: { background: "white", color: "black", fontSize: "12px" },
    ...options,
    document: document as unknown as Document,
  });
  // With a legend Plot returns a <figure> holding the legend's <svg> and the plot's <svg>: the plot goes on top and
  // the colour bar below it, aligned with the frame, in one svg.
  if (fig.tagName.toLowerCase() === "svg") return withXmlns((fig as Element).outerHTML);
  const parts = Array.from((fig as Element).children);
  const isRamp = (e: Element) => e.tagName.toLowerCase() === "svg" && /-ramp\b/.test(e.getAttribute("class") ?? "");
  const plot = parts.find((e) => e.tagName.toLowerCase() === "svg" && !isRamp(e));
  if (!plot || parts.some((e) => e !== plot && !isRamp(e))) throw new Error("renderSvg: only a plot and colour-bar legends can be rendered to SVG");
  const legends = parts.filter(isRamp);
  return stackVertically([(plot as Element).outerHTML, ...legends.map((l) => l.outerHTML)], Number(options.marginLeft ?? 60));
}

const withXmlns = (svg: string) => (/^<svg[^>]*\sxmlns=/.test(svg) ? svg : svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"'));

/** SVG figures stacked top to bottom in one SVG; the ones after the first are indented by `indent` (the frame's left). */
function stackVertically(svgs: string[], indent: number): string {
  let y = 0;
  let width = 0;
  const parts = svgs.map((s, i) => {
    const w = Number(/\swidth="([\d.]+)"/.exec(s)?.[1] ?? WIDTH);
    const h = Number(/\sheight="([\d.]+)"/.exec(s)?.[1] ?? HEIGHT);
    const x = i === 0 ? 0 : indent;
    const placed = s.replace(/^<svg /, `<svg x="${x}" y="${y}" `);
    y += h;
    width = Math.max(width, x + w);
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" color="black"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
}

/**
 * Write a figure to `path` as SVG or PNG by its ending (atomically).
 * @example
 * writeFigure("rho.png", spectrumFigure({ density }));
 */
export function writeFigure(path: string, svg: string): void {
  const kind = plotKind(path);
  if (kind === "svg") {
    writeFileAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    return;
  }
  const png = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  })
    .render()
    .asPng();
  writeFileAtomic(path, png);
}

/** Tick labels of a log axis: powers of ten as 1e-3, other ticks unlabelled. */
function logTick(d: number): string {
  const e = Math.log10(d);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `1e${Math.round(e)}` : "";
}

/** Text that reads on any background: its own colour (dark by default) over a white halo. */
const HALO = { stroke: "white", strokeWidth: 3.5, strokeOpacity: 0.9 } as const;

/** A title drawn as text inside the plot area (Plot's own title is HTML outside the svg). */
function titleMark(title: string): Plot.Markish {
  return Plot.text([title], { frameAnchor: "top", dy: -32, fontSize: 14, fontWeight: "bold", fill: "black", text: (d: string) => d });
}

/** A caption line in a corner of the frame, dark text on a white halo. */
function caption(text: string, frameAnchor: "top-right" | "top-left", fill = "#222"): Plot.Markish {
  const right = frameAnchor === "top-right";
  return Plot.text([text], { frameAnchor, dx: right ? -6 : 6, dy: 6, textAnchor: right ? "end" : "start", fill, ...HALO, text: (d: string) => d });
}

/** Category colours (d3's category10), used for legends drawn as text. */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** A legend drawn as text lines in the top-right corner (continuous/ramp legends need a browser). */
function legendMarks(items: { label: string; color: string; symbol: string }[], corner: "top-right" | "top-left" = "top-right"): Plot.Markish[] {
  const left = corner === "top-left";
  return items.map((it, i) =>
    Plot.text([`${it.symbol} ${it.label}`], { frameAnchor: corner, dx: left ? 8 : -8, dy: 8 + 15 * i, fill: it.color, ...HALO, textAnchor: left ? "start" : "end", text: (d: string) => d }),
  );
}

/**
 * A key on one line just above the frame's right end, each entry in its colour (for figures whose data may fill
 * any corner of the frame). Entries are spaced by an estimate of their width (7 px a character at 12 px).
 */
function keyAbove(items: { label: string; color: string }[]): Plot.Markish[] {
  let right = 0;
  return items
    .slice()
    .reverse()
    .map((it) => {
      const dx = -4 - right;
      right += 7 * it.label.length + 18;
      return Plot.text([it.label], { frameAnchor: "top-right", dy: -12, dx, textAnchor: "end", fill: it.color, text: (d: string) => d });
    });
}

const withTitle = (title: string | undefined, marks: Plot.Markish[]) => (title ? [...marks, titleMark(title)] : marks);

/**
 * Spectral density ρ(λ) (a line) against the histogram of sampled eigenvalues (bars normalised as a density).
 * @example
 * spectrumFigure({ density: [[0, 0.1], [1, 0.3]], histogram: { edges: [0, 1], density: [0.2] } })
 */
export function spectrumFigure(o: {
  density: [number, number][];
  histogram?: { edges: ArrayLike<number>; density: ArrayLike<number> };
  title?: string;
  histogramLabel?: string;
  /** Point masses of the theory, drawn as labelled vertical rules (the bars of their bins are clipped). */
  atoms?: { at: number; mass: number }[];
}): string {
  const bars = o.histogram
    ? Array.from(o.histogram.density, (d, i) => ({ x1: o.histogram!.edges[i], x2: o.histogram!.edges[i + 1], y: d }))
    : [];
  const line = o.density.map(([x, y]) => ({ x, y }));
  const atoms = (o.atoms ?? []).filter((a) => a.mass > 0);
  // With an atom, its bin's bar is a spike of height mass/width: keep the y axis on the continuous part.
  const top = maxOf(line.map((p) => p.y), 1e-12) * 1.35;
  const yDomain = atoms.length > 0 ? [0, top] : undefined;
  return renderSvg({
    marginTop: 62,
    x: { label: "λ (eigenvalue)" },
    // insetTop keeps the caption line above the tallest bar.
    y: { label: "ρ(λ)", grid: true, insetTop: 24, ...(yDomain ? { domain: yDomain } : {}) },
    marks: withTitle(o.title, [
      Plot.rectY(bars, { x1: "x1", x2: "x2", y: "y", fill: "#f2a93b", fillOpacity: 0.55, inset: 0.3, clip: true }),
      Plot.line(line, { x: "x", y: "y", stroke: "#1f5fa8", strokeWidth: 2 }),
      Plot.ruleY([0]),
      Plot.ruleX([0], { stroke: "#888", strokeDasharray: "3,3" }),
      Plot.ruleX(atoms, { x: "at", stroke: "#c0392b", strokeWidth: 2 }),
      Plot.text(atoms, { x: "at", frameAnchor: "top", dy: 22, dx: 6, textAnchor: "start", fill: "#c0392b", ...HALO, text: (a: { at: number; mass: number }) => `atom of mass ${Number(a.mass.toPrecision(4))} at λ = ${a.at}` }),
      ...(o.histogram
        ? [caption(`bars: ${o.histogramLabel ?? "sampled eigenvalues"}; line: theory`, "top-right")]
        : []),
    ]),
  });
}

/**
 * Hessian eigenvalues of several models (one row each, e.g. before and after an embedding) on a symlog axis, with
 * each row's inertia in its label.
 * @example
 * eigenvalueStripFigure([{ label: "1-3-1", values: [-1, 0, 2] }, { label: "1-4-1", values: [-1, 0, 0, 2] }])
 */
export function eigenvalueStripFigure(rows: { label: string; values: ArrayLike<number>; threshold?: number }[], o: { title?: string } = {}): string {
  const all = rows.flatMap((r) => Array.from(r.values));
  const maxAbs = Math.max(1e-300, ...all.map(Math.abs));
  // Each row's zero threshold: its own, else the inertia rule's default DEFAULT_INERTIA_TOL·max(1, max|λ|) of that row.
  const thrOf = (r: (typeof rows)[number]) => r.threshold ?? inertiaThreshold(r.values);
  const pts = rows.flatMap((r) => {
    const thr = thrOf(r);
    return Array.from(r.values, (v) => ({ row: r.label, v, sign: v < -thr ? "negative" : v > thr ? "positive" : "zero" }));
  });
  // symlog: linear within ±c, logarithmic beyond; c one decade below the smallest |λ| that is not zero.
  const nonzero = pts.filter((q) => q.sign !== "zero").map((q) => Math.abs(q.v));
  const smallest = nonzero.length ? minOf(nonzero) : maxAbs;
  const c = Math.max(10 ** Math.floor(Math.log10(smallest)) / 10, maxAbs * 1e-14);
  const maxPos = maxOf(pts.map((q) => q.v), 0);
  const maxNeg = maxOf(pts.map((q) => -q.v), 0);
  // The domain: the data, widened by 8 % in the symlog coordinate s(x) = sign(x)·log1p(|x|/c).
  const s = (x: number) => Math.sign(x) * Math.log1p(Math.abs(x) / c);
  const sInv = (y: number) => Math.sign(y) * c * Math.expm1(Math.abs(y));
  const lo = s(-maxNeg);
  const hi = s(maxPos);
  // Powers of ten on each side, at most ~6 over the whole axis (each side in proportion to its length).
  const decadesUpTo = (top: number, share: number): number[] => {
    if (top <= c) return [];
    const maxTicks = Math.max(1, Math.round(6 * share));
    const hiE = Math.floor(Math.log10(top));
    const loE = Math.ceil(Math.log10(c * 10));
    const every = Math.max(1, Math.ceil((hiE - loE + 1) / maxTicks));
    const out: number[] = [];
    for (let e = hiE; e >= loE; e -= every) out.push(10 ** e);
    return out;
  };
  const span = hi - lo || 1;
  const ticks = [0, ...decadesUpTo(maxPos, hi / span), ...decadesUpTo(maxNeg, -lo / span).map((d) => -d)];
  const pad = 0.08 * (hi - lo || 1);
  const domain = [sInv(lo - pad), sInv(hi + pad)];
  // Equal eigenvalues draw one circle: each row's zero eigenvalues are counted beside theirs.
  const zeros = rows.map((r) => ({ row: r.label, n: pts.filter((q) => q.row === r.label && q.sign === "zero").length })).filter((z) => z.n > 1);
  return renderSvg({
    marginTop: 62,
    marginLeft: 190,
    marginRight: 30,
    height: Math.max(220, 100 + 60 * rows.length),
    x: { type: "symlog", constant: c, domain, label: "Hessian eigenvalue λ (signed log axis; linear within ±" + fmtExp(c) + ")", grid: true, ticks, tickFormat: (d: number) => (d === 0 ? "0" : `${d < 0 ? "−" : ""}${fmtExp(Math.abs(d))}`) },
    y: { label: null, domain: rows.map((r) => r.label) },
    color: { domain: ["negative", "zero", "positive"], range: ["#c0392b", "#7f8c8d", "#1f5fa8"], legend: false },
    marks: withTitle(o.title, [
      Plot.ruleX([0], { stroke: "#555" }),
      Plot.dot(pts, { x: "v", y: "row", stroke: "sign", r: 4.5, strokeWidth: 1.8 }),
      Plot.text(zeros, { x: () => 0, y: "row", dy: -14, fill: "#555", ...HALO, text: (z: { n: number }) => `${z.n} zero` }),
      // The key, above the frame's right end, each word in its colour.
      ...keyAbove([
        { label: "● negative", color: "#c0392b" },
        { label: "● zero", color: "#7f8c8d" },
        { label: "● positive", color: "#1f5fa8" },
      ]),
    ]),
  });
}

/** 1e-3 style for powers of ten, else 3 significant digits. */
function fmtExp(x: number): string {
  const e = Math.log10(x);
  if (Math.abs(e - Math.round(e)) < 1e-9) return Math.round(e) === 0 ? "1" : `1e${Math.round(e)}`;
  return x.toPrecision(3);
}

/**
 * Critical points as index (fraction of negative Hessian eigenvalues) against energy ε = loss/d_out, one dot per
 * point, coloured by width.
 * @example
 * indexEnergyFigure([{ energy: 0.1, index: 0.2, group: "1-3-1" }])
 */
export function indexEnergyFigure(points: { energy: number; index: number; group: string }[], o: { title?: string } = {}): string {
  const positive = points.every((p) => p.energy > 0);
  const groups = [...new Set(points.map((p) => p.group))];
  return renderSvg({
    marginTop: 62,
    x: { type: positive ? "log" : "linear", label: "energy ε = loss / d_out" + (positive ? " (log axis)" : ""), grid: true, inset: 24, ...(positive ? { tickFormat: logTick } : {}) },
    y: { label: "index α (fraction of negative eigenvalues)", grid: true, inset: 12, domain: [0, Math.max(0.05, ...points.map((p) => p.index)) * 1.1] },
    color: { domain: groups, range: PALETTE, legend: false },
    marks: withTitle(o.title, [
      Plot.dot(points, { x: "energy", y: "index", stroke: "group", fill: "group", fillOpacity: 0.3, r: 5 }),
      ...legendMarks(groups.map((g, i) => ({ label: g, color: PALETTE[i % PALETTE.length], symbol: "●" })), "top-left"),
    ]),
  });
}

/**
 * The loss along paths t ∈ [0, 1] between two models, on a linear axis scaled to the first path: its end points'
 * level max(R(A), R(B)) is a dashed line and its barrier (the maximum above that level) an arrow. A further path
 * (e.g. the straight line beside a trained one) that rises far above it is clipped, and its maximum is stated.
 * @example
 * pathFigure([{ label: "neb", path: [{ t: 0, loss: 0.1 }, { t: 0.5, loss: 0.2 }, { t: 1, loss: 0.1 }] }])
 */
export function pathFigure(paths: { label: string; path: { t: number; loss: number }[] }[], o: { title?: string } = {}): string {
  // The scale comes from the finite losses (a non-finite one leaves a gap in its line).
  const finite = (path: { t: number; loss: number }[]) => path.filter((q) => Number.isFinite(q.loss));
  const main = paths[0].path;
  const ends = Math.max(main[0].loss, main[main.length - 1].loss);
  const top = finite(main).reduce((best, p) => (p.loss > best.loss ? p : best), finite(main)[0] ?? main[0]);
  const lo = minOf(finite(main).map((p) => p.loss));
  // Others are drawn in full when they stay within 5 spans of the first path, else clipped at its scale.
  const span0 = top.loss - lo || Math.max(Math.abs(lo), 1e-300) * 1e-3;
  const others = paths.slice(1).map((p) => ({ ...p, max: maxOf(finite(p.path).map((q) => q.loss)), min: minOf(finite(p.path).map((q) => q.loss)) }));
  const shown = others.filter((p) => p.max <= top.loss + 5 * span0);
  const yLo = minOf(shown.map((p) => p.min), lo);
  const yHi = maxOf(shown.map((p) => p.max), top.loss);
  const span = yHi - yLo || span0;
  const domain = [yLo - 0.06 * span, yHi + 0.16 * span];
  const pts = paths.flatMap((p) => p.path.map((q) => ({ ...q, label: p.label })));
  const barrier = top.loss - ends;
  const colour = (i: number) => PALETTE[i % PALETTE.length];
  const clipped = others.filter((p) => !shown.includes(p));
  return renderSvg({
    marginTop: 62,
    marginRight: 30,
    x: { label: "t (position along the path from A to B)", domain: [0, 1] },
    y: { label: "loss R(θ(t))", grid: true, domain, tickFormat: fmtTick },
    color: { domain: paths.map((p) => p.label), range: PALETTE, legend: false },
    marks: withTitle(o.title, [
      Plot.ruleY([ends], { stroke: "#777", strokeDasharray: "5,4" }),
      Plot.line(pts, { x: "t", y: "loss", stroke: "label", strokeWidth: 2, clip: true }),
      Plot.dot(pts, { x: "t", y: "loss", fill: "label", r: 2, clip: true }),
      Plot.dot([main[0], main[main.length - 1]], { x: "t", y: "loss", r: 5, fill: "black" }),
      Plot.text([main[0]], { x: "t", y: "loss", dy: 14, dx: 10, fill: "black", ...HALO, text: () => "A" }),
      Plot.text([main[main.length - 1]], { x: "t", y: "loss", dy: 14, dx: -10, fill: "black", ...HALO, text: () => "B" }),
      Plot.text([ends], { y: (d: number) => d, frameAnchor: "left", dx: 24, dy: -8, textAnchor: "start", fill: "#444", ...HALO, text: () => `end points' level max(R(A), R(B)) = ${fmtTick(ends)}` }),
      ...(!Number.isFinite(barrier)
        ? []
        : barrier > 0
        ? [
            Plot.arrow([top], { x1: "t", x2: "t", y1: () => ends, y2: "loss", stroke: "#c0392b", strokeWidth: 1.5, headLength: 8 }),
            Plot.text([top], { x: "t", y: "loss", dy: -12, textAnchor: top.t > 0.7 ? "end" : top.t < 0.3 ? "start" : "middle", fill: "#c0392b", fontWeight: "bold", ...HALO, text: () => `barrier ${fmtTick(barrier)} (at t = ${Number(top.t.toFixed(3))})` }),
          ]
        : [caption("no barrier: the loss never rises above the end points", "top-right", "#c0392b")]),
      ...(paths.length > 1
        ? keyAbove(
            paths.map((p, i) => {
              const c = clipped.find((q) => q.label === p.label);
              return { label: `— ${p.label}${c ? ` (clipped: its maximum is ${fmtTick(c.max)})` : ""}`, color: colour(i) };
            }),
          )
        : []),
    ]),
  });
}

/** Axis and colour-bar numbers: 3 significant digits, powers of ten as 1e-3 (plain between 0.01 and 10⁴). */
export function fmtTick(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1e4) return String(Number(x.toPrecision(3)));
  const [m, e] = x.toExponential(2).split("e");
  return `${String(Number(m))}e${Number(e)}`;
}

/** How `sliceFigure` colours losses, chosen from the data (see `lossColour`). */
export interface LossColour {
  /** `log`: bands of log₁₀(R − R_min + floor); `linear`: bands of R. */
  transform: "log" | "linear";
  /** The lowest and highest finite loss on the grid. */
  min: number;
  max: number;
  /** The log transform's floor: the smallest R − R_min above rounding (1e-12 of the range); 0 when linear. */
  floor: number;
  /** The band edges, ascending: values of R − R_min (log) or of R (linear). */
  edges: number[];
  /** The coordinate the contours are drawn in: log₁₀(R − R_min + floor), or R. */
  coordinate: (loss: number) => number;
  /** What the colour bar shows. */
  label: string;
}

/**
 * The colour bands of a loss slice, from its values. The floor is the smallest R − R_min above 1e-12·(R_max − R_min)
 * (below that is rounding: an exact fit's 1e-28 at the centre is not a scale); a slice whose losses differ by no
 * more than 1e-12 of their size is flat (one band). When R − R_min spans more than two
 * decades above the floor, the bands are log-spaced values of R − R_min, at 1-1.5-2-3-5-7, 1-2-5, 1-3 or 1 per decade
 * as the decades grow, so there are 8–20 of them and every band holds losses that occur; otherwise they are evenly
 * spaced values of R (1-2-5 steps).
 * @example
 * lossColour([1e-28, 8.3, 40, 3700]).transform; // "log"
 */
export function lossColour(values: number[]): LossColour {
  const finite = values.filter(Number.isFinite);
  const min = minOf(finite);
  const max = maxOf(finite);
  const span = max - min;
  let floor = Infinity;
  for (const v of finite) if (v - min > 1e-12 * span && v - min < floor) floor = v - min;
  // Differences below 1e-12 of the losses themselves are rounding: such a slice is flat (one band).
  const flat = !(span > 1e-12 * Math.max(Math.abs(min), Math.abs(max)));
  if (flat || !Number.isFinite(floor) || span / floor <= 100) {
    return { transform: "linear", min, max, floor: 0, edges: flat ? [] : niceSteps(min, max, 12), coordinate: (r) => r, label: "loss R" };
  }
  const decades = Math.log10(span / floor);
  const mantissas = decades <= 3 ? [1, 1.5, 2, 3, 5, 7] : decades <= 6 ? [1, 2, 5] : decades <= 8 ? [1, 3] : [1];
  const every = decades <= 16 ? 1 : Math.ceil(decades / 16);
  const edges: number[] = [];
  for (let e = Math.floor(Math.log10(floor)); e <= Math.ceil(Math.log10(span)); e += every) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= floor && v < span) edges.push(v);
    }
  }
  return {
    transform: "log",
    min,
    max,
    floor,
    edges,
    coordinate: (r) => Math.log10(r - min + floor),
    label: `R − R_min, log scale (R_min = ${fmtTick(min)}: the lowest loss shown)`,
  };
}

/** Values a·10^k with a ∈ {1, 2, 5} strictly between lo and hi, at the largest such step giving at least n/2 of them. */
function niceSteps(lo: number, hi: number, n: number): number[] {
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => (hi - lo) / s <= n) ?? 10 * p;
  const out: number[] = [];
  const first = Math.floor(lo / step) + 1;
  for (let i = 0; i <= n; i++) {
    const v = Number(((first + i) * step).toPrecision(12));
    if (v >= hi) break;
    if (v > lo && (out.length === 0 || v > out[out.length - 1])) out.push(v);
  }
  return out;
}

/**
 * A 2-D slice of the loss, R(θ + a·u + b·v) on a grid, as filled contours with the centre marked and a colour bar
 * below. The bands come from the data (`lossColour`): log-spaced values of R − R_min when the losses span many
 * decades, else evenly spaced values of R. `grid[i][j]` is the loss at (a[i], b[j]) (the layout of
 * @losscape/manifold's `lossSlice`).
 * @example
 * sliceFigure({ grid: [[1, 2], [2, 3]], a: [-1, 1], b: [-1, 1] })
 */
export function sliceFigure(o: { grid: number[][]; a: number[]; b: number[]; title?: string; aLabel?: string; bLabel?: string }): string {
  const nx = o.a.length;
  const ny = o.b.length;
  const scale = lossColour(o.grid.flat());
  // Plot's contour reads value k at column k mod width, row ⌊k / width⌋: x runs over a, y over b. The grid gets a
  // ring of copies of its edge values, one cell outside the frame, so the bands reach the frame's corners.
  const flat: number[] = [];
  const at = (i: number, j: number) => scale.coordinate(o.grid[Math.min(nx - 1, Math.max(0, i))][Math.min(ny - 1, Math.max(0, j))]);
  for (let j = -1; j <= ny; j++) for (let i = -1; i <= nx; i++) flat.push(at(i, j));
  const a0 = o.a[0];
  const a1 = o.a[nx - 1];
  const b0 = o.b[0];
  const b1 = o.b[ny - 1];
  // The samples sit at cell centres: the frame reaches half a cell beyond the outer samples.
  const dx = nx > 1 ? (a1 - a0) / (nx - 1) / 2 : 0.5;
  const dy = ny > 1 ? (b1 - b0) / (ny - 1) / 2 : 0.5;
  // The edges in the contour coordinate (edges of the log scale are values of R − R_min).
  const cut = scale.edges.map((e) => (scale.transform === "log" ? Math.log10(e + scale.floor) : e));
  const lowest = scale.coordinate(scale.min);
  // Colour-bar labels: at most ~9; for a log scale the powers of ten first.
  const decadesOnly = scale.transform === "log" && scale.edges.filter(isPowerOfTen).length >= 3;
  const every = Math.max(1, Math.ceil((decadesOnly ? scale.edges.filter(isPowerOfTen).length : scale.edges.length) / 9));
  let shownCount = 0;
  const labelled = scale.edges.map((e) => (!decadesOnly || isPowerOfTen(e) ? shownCount++ % every === 0 : false));
  const width = 600;
  return renderSvg({
    marginTop: 62,
    marginRight: 30,
    width,
    height: 560,
    x: { label: o.aLabel ?? "a (first direction)", domain: [a0 - dx, a1 + dx] },
    y: { label: o.bLabel ?? "b (second direction)", domain: [b0 - dy, b1 + dy] },
    // The legend's width is a legend option given with the scale (Plot reads it there; its types do not list it).
    color: {
      type: "threshold",
      domain: cut.length > 0 ? cut : [lowest + 1],
      scheme: "viridis",
      legend: true,
      label: `colour: ${scale.label}`,
      width: width - 60 - 30,
      tickFormat: (_: number, i: number) => (labelled[i] ? fmtTick(scale.edges[i]) : ""),
    } as Plot.ScaleOptions,
    marks: withTitle(o.title, [
      Plot.contour(flat, {
        width: nx + 2,
        height: ny + 2,
        x1: a0 - 3 * dx,
        x2: a1 + 3 * dx,
        y1: b0 - 3 * dy,
        y2: b1 + 3 * dy,
        value: Plot.identity,
        fill: "value",
        stroke: "white",
        strokeOpacity: 0.4,
        thresholds: [lowest, ...cut],
        clip: true,
      }),
      Plot.dot([[0, 0]], { x: (d: number[]) => d[0], y: (d: number[]) => d[1], r: 4.5, fill: "red", stroke: "white", strokeWidth: 1.5 }),
      Plot.text(["● the model"], { frameAnchor: "top-right", dy: -12, textAnchor: "end", fill: "red", text: (d: string) => d }),
    ]),
  });
}

const isPowerOfTen = (x: number) => Math.abs(Math.log10(x) - Math.round(Math.log10(x))) < 1e-9;

/** One φ of Figure 6: its runs, the fit on its critical runs, the fit on its end points and the Wigner model's α(ε). */
export interface Figure6Phi {
  phi: number;
  phiEffective: number;
  /** `endPoint`: a non-critical run kept by the end-point fit (‖∇R‖ ≤ τ). */
  runs: { eps: number; alpha: number; outcome: string; endPoint?: boolean }[];
  fit: Figure6Fit | null;
  /** The fit on the end points (not critical points); absent or null: none drawn. */
  endPointFit?: Figure6Fit | null;
  /** [ε, α] of the Wigner model at φ_effective. */
  theory: [number, number][];
}

type Figure6Fit = { epsC: number | null; slope: number; epsCInterval: [number, number] | null };

/**
 * Pennington & Bahri's Figure 6, two panels side by side. (a) The index α against the energy ε of every run, one
 * colour per φ: certified critical runs as filled dots and their fitted law α = (s·(ε − ε_c))^{3/2} solid; with
 * `endPointGradTol`, the non-critical end points with ‖∇R‖ ≤ τ as hollow circles and their fit dashed; the other
 * runs faint and small (not fitted); the Wigner model's α(ε, φ) dotted and the window α = maxIndex a grey dotted rule.
 * (b) The fitted ε_c against φ with its interval (critical: filled; end points: hollow, dashed bar, drawn just right
 * of φ), beside ½(1 − φ)², the linear network's ½(1 − φ) and the Wigner model's ε_c(φ) (`references`, computed by
 * the caller).
 * @example
 * figure6([{ phi: 0.5, phiEffective: 0.5, runs, fit, theory }], { maxIndex: 0.1, references })
 */
export function figure6(
  phis: Figure6Phi[],
  o: { maxIndex: number; title?: string; references: { label: string; points: [number, number][]; dash?: string }[]; endPointGradTol?: number | null },
): string {
  const colour = (k: number) => PALETTE[k % PALETTE.length];
  const all = phis.flatMap((p, k) => p.runs.map((r) => ({ eps: r.eps, alpha: r.alpha, critical: r.outcome === "critical", endPoint: r.endPoint === true, k })));
  const xTop = Math.max(1e-3, ...all.map((r) => r.eps)) * 1.05;
  const yTop = Math.max(o.maxIndex * 1.5, ...all.map((r) => r.alpha)) * 1.05;
  const curve = (f: Figure6Fit | null | undefined, k: number) => {
    if (!f || f.epsC === null) return [];
    const from = Math.max(0, f.epsC);
    const to = Math.min(xTop, f.epsC + Math.pow(yTop, 2 / 3) / f.slope);
    return Array.from({ length: 61 }, (_, i) => {
      const eps = from + ((to - from) * i) / 60;
      return { eps, alpha: Math.pow(Math.max(0, f.slope * (eps - f.epsC!)), 1.5), k };
    });
  };
  const fitted = phis.flatMap((p, k) => curve(p.fit, k));
  const endFitted = phis.flatMap((p, k) => curve(p.endPointFit, k));
  const theory = phis.flatMap((p, k) => p.theory.filter(([e]) => e <= xTop).map(([eps, alpha]) => ({ eps, alpha, k })));
  const byColour = (k: number) => colour(k);
  const tau = o.endPointGradTol ?? null;
  const count = (p: Figure6Phi) =>
    `φ = ${p.phi}: ${p.runs.filter((r) => r.outcome === "critical").length} critical` +
    (tau === null ? "" : `, ${p.runs.filter((r) => r.endPoint).length} end points`) +
    ` of ${p.runs.length} runs`;
  const legendA = legendMarks(
    [
      ...phis.map((p, k) => ({ label: count(p), color: colour(k), symbol: "" })),
      { label: `certified critical points; — their fit (α ≤ ${o.maxIndex})`, color: "#444", symbol: "●" },
      ...(tau === null ? [] : [{ label: `end points, ‖∇R‖ ≤ ${tau}, NOT critical; - - their fit`, color: "#444", symbol: "○" }]),
      { label: tau === null ? "faint: not critical (not fitted)" : "faint: other runs, not critical (not fitted)", color: "#777", symbol: "·" },
      { label: `··· Wigner model α(ε, φ); grey ···: α = ${o.maxIndex}`, color: "#444", symbol: "" },
    ],
    "top-left",
  );
  const panelA = renderSvg({
    marginTop: 62,
    x: { label: "energy ε = R / d_out", domain: [0, xTop], grid: true },
    y: { label: "index α (fraction of negative eigenvalues)", domain: [0, yTop], grid: true },
    marks: withTitle(`(a) index against energy${o.title ? ": " + o.title : ""}`, [
      Plot.ruleY([o.maxIndex], { stroke: "#999", strokeDasharray: "2,3" }),
      Plot.dot(all.filter((r) => !r.critical && !r.endPoint), { x: "eps", y: "alpha", fill: (d: { k: number }) => byColour(d.k), fillOpacity: 0.25, r: 1.5 }),
      Plot.dot(all.filter((r) => r.endPoint), { x: "eps", y: "alpha", stroke: (d: { k: number }) => byColour(d.k), strokeOpacity: 0.8, strokeWidth: 1.2, r: 3 }),
      Plot.dot(all.filter((r) => r.critical), { x: "eps", y: "alpha", fill: (d: { k: number }) => byColour(d.k), fillOpacity: 0.8, r: 3.5 }),
      Plot.line(theory, { x: "eps", y: "alpha", z: "k", stroke: (d: { k: number }) => byColour(d.k), strokeDasharray: "1,3", strokeWidth: 1.5, clip: true }),
      Plot.line(endFitted, { x: "eps", y: "alpha", z: "k", stroke: (d: { k: number }) => byColour(d.k), strokeDasharray: "7,4", strokeWidth: 2, clip: true }),
      Plot.line(fitted, { x: "eps", y: "alpha", z: "k", stroke: (d: { k: number }) => byColour(d.k), strokeWidth: 2, clip: true }),
      ...legendA,
    ]),
  });

  const estimatesOf = (fitOf: (p: Figure6Phi) => Figure6Fit | null | undefined, dx: number) =>
    phis.flatMap((p, k) => {
      const f = fitOf(p);
      return f && f.epsC !== null ? [{ phi: p.phiEffective + dx, epsC: f.epsC, lo: f.epsCInterval?.[0] ?? f.epsC, hi: f.epsCInterval?.[1] ?? f.epsC, k }] : [];
    });
  const estimates = estimatesOf((p) => p.fit, 0);
  // The end points' ε_c just right of φ, so that both intervals stay visible.
  const endEstimates = estimatesOf((p) => p.endPointFit, 0.015);
  const both = [...estimates, ...endEstimates];
  const phiMin = Math.min(1, ...phis.map((p) => p.phiEffective));
  // The y axis covers the estimates and the references over the φ of the runs (not their values towards φ = 0).
  const referenceTop = o.references.flatMap((r) => r.points.filter(([phi]) => phi >= 0.9 * phiMin).map(([, e]) => e));
  const yHi = Math.max(0.05, 0.5 * (1 - phiMin) ** 2, ...referenceTop, ...both.map((e) => e.hi)) * 1.2;
  const yLo = Math.min(0, ...both.map((e) => e.lo)) * 1.2;
  const noFit = tau === null ? "no fitted ε_c: fewer than 3 critical runs in the window at every φ" : "no fitted ε_c: fewer than 3 critical runs or end points in the window at every φ";
  const panelB = renderSvg({
    marginTop: 62,
    x: { label: "φ = M / (m·d_out)", domain: [0, Math.max(1, ...both.map((e) => e.phi * 1.05))], grid: true },
    y: { label: "critical energy ε_c", domain: [yLo, yHi], grid: true },
    marks: withTitle("(b) fitted ε_c against φ (bars: 95 % bootstrap interval)", [
      Plot.ruleY([0], { stroke: "#555" }),
      ...o.references.map((r) => Plot.line(r.points, { x: (d: [number, number]) => d[0], y: (d: [number, number]) => d[1], stroke: "#555", strokeWidth: 1.5, clip: true, ...(r.dash ? { strokeDasharray: r.dash } : {}) })),
      Plot.ruleX(estimates, { x: "phi", y1: "lo", y2: "hi", stroke: (d: { k: number }) => byColour(d.k), strokeWidth: 2 }),
      Plot.dot(estimates, { x: "phi", y: "epsC", fill: (d: { k: number }) => byColour(d.k), r: 4.5 }),
      Plot.ruleX(endEstimates, { x: "phi", y1: "lo", y2: "hi", stroke: (d: { k: number }) => byColour(d.k), strokeWidth: 1.5, strokeDasharray: "3,2" }),
      Plot.dot(endEstimates, { x: "phi", y: "epsC", fill: "white", stroke: (d: { k: number }) => byColour(d.k), strokeWidth: 1.8, r: 4.5 }),
      ...(both.length === 0 ? [Plot.text([noFit], { frameAnchor: "middle", fill: "#444", ...HALO, text: (d: string) => d })] : []),
      ...legendMarks([
        { label: `ε_c fit on certified critical points${estimates.length === 0 ? " (none: too few in the window)" : ""}`, color: "#444", symbol: "●" },
        ...(tau === null ? [] : [{ label: `ε_c fit on end points, ‖∇R‖ ≤ ${tau} (not critical)`, color: "#444", symbol: "○" }]),
        ...o.references.map((r) => ({ label: r.label, color: "#444", symbol: r.dash === undefined ? "—" : r.dash.startsWith("1,") ? "···" : "- -" })),
      ]),
    ]),
  });
  return sideBySide([panelA, panelB]);
}

/** SVG figures placed side by side in one SVG (each keeps its own size). */
function sideBySide(svgs: string[]): string {
  let x = 0;
  let height = 0;
  const parts = svgs.map((s) => {
    const w = Number(/\swidth="([\d.]+)"/.exec(s)?.[1] ?? WIDTH);
    const h = Number(/\sheight="([\d.]+)"/.exec(s)?.[1] ?? HEIGHT);
    const placed = s.replace(/^<svg /, `<svg x="${x}" y="0" `);
    x += w;
    height = Math.max(height, h);
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${height}" viewBox="0 0 ${x} ${height}"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
}

/**
 * The least of `values` and `start` (default +∞) by a loop: `Math.min(...values)` passes every value as an argument
 * and overflows the call stack beyond ≈ 1.2e5 values, fewer than the points a figure may hold (`--points`, `--grid`).
 */
function minOf(values: readonly number[], start = Infinity): number {
  let m = start;
  for (const v of values) m = Math.min(m, v);
  return m;
}

/** The greatest of `values` and `start` (default −∞) by a loop (see minOf). */
function maxOf(values: readonly number[], start = -Infinity): number {
  let m = start;
  for (const v of values) m = Math.max(m, v);
  return m;
}
