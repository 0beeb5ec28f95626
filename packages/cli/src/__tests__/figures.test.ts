import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { DOMParser } from "linkedom";
import { describe, expect, it } from "vitest";
import { eigenvalueStripFigure, fmtTick, indexEnergyFigure, lossColour, pathFigure, sliceFigure, spectrumFigure } from "../plot.js";
import { fx, run, tempDir } from "./run.js";

// Figures a user can read: colours and scales chosen from the data, a colour bar, and text that is dark (or has a
// white halo) wherever it sits.

const parse = (svg: string) => new DOMParser().parseFromString(svg, "image/svg+xml") as unknown as Document;

/** The fills of a figure's contour bands. */
function contourFills(svg: string): string[] {
  const doc = parse(svg);
  const group = doc.querySelector('g[aria-label="contour"]');
  expect(group).not.toBeNull();
  return Array.from(group!.querySelectorAll("path"), (p) => p.getAttribute("fill") ?? "");
}

/** The colour bar (a threshold legend: one rectangle per band) and its labels. */
function colourBar(svg: string): { rects: string[]; labels: string[]; title: string } {
  const doc = parse(svg);
  const ramp = Array.from(doc.querySelectorAll("svg")).find((s) => /-ramp\b/.test(s.getAttribute("class") ?? ""));
  expect(ramp, "the figure has a colour bar").toBeDefined();
  const rects = Array.from(ramp!.querySelectorAll("rect"), (r) => r.getAttribute("fill") ?? "");
  const labels = Array.from(ramp!.querySelectorAll("g.tick text"), (t) => t.textContent ?? "").filter((s) => s !== "");
  const title = Array.from(ramp!.querySelectorAll("text")).find((t) => t.getAttribute("font-weight") === "bold")?.textContent ?? "";
  return { rects, labels, title };
}

/** Relative luminance (WCAG) of a CSS colour as Plot writes it; currentColor is the figure's black. */
function luminance(colour: string): number {
  const named: Record<string, string> = { black: "#000000", white: "#ffffff", red: "#ff0000", currentcolor: "#000000" };
  let c = named[colour.toLowerCase()] ?? colour;
  if (/^#[0-9a-f]{3}$/i.test(c)) c = "#" + [...c.slice(1)].map((h) => h + h).join("");
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c) ?? /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
  if (!m) throw new Error(`unknown colour ${colour}`);
  const ch = m.slice(1, 4).map((h) => (c.startsWith("#") ? parseInt(h, 16) : Number(h)) / 255);
  const lin = ch.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** Every <text> of the figure with the fill it is drawn in (its own, else its nearest ancestor's, else black). */
function textFills(svg: string): { text: string; fill: string }[] {
  const doc = parse(svg);
  return Array.from(doc.querySelectorAll("text"), (t) => {
    let e: Element | null = t;
    let fill: string | null = null;
    while (e && fill === null) {
      const f = e.getAttribute("fill");
      if (f !== null && f !== "none") fill = f;
      e = e.parentElement;
    }
    return { text: t.textContent ?? "", fill: fill ?? "black" };
  });
}

/** White text on a white page or a yellow band is unreadable: every text is at most mid-grey in luminance. */
function expectReadableText(svg: string): void {
  const texts = textFills(svg);
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(luminance(t.fill), `"${t.text}" drawn in ${t.fill}`).toBeLessThan(0.45);
}

/** A loss grid from a function of (a, b) on n × n points of [−1, 1]². */
function grid(n: number, f: (a: number, b: number) => number) {
  const axis = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  return { grid: axis.map((a) => axis.map((b) => f(a, b))), a: axis, b: axis };
}

describe("slice figures: the colour bands follow the data", () => {
  it("an exact fit (loss 1e-28 at the centre, 8 … 3700 around it: 32 decades) is not one colour", () => {
    // As `slice` finds around tests' tanh1-10-1-fit: the nearest grid points already have R ≈ 8.
    const g = grid(21, (a, b) => (a === 0 && b === 0 ? 1.7e-28 : 8 + 900 * (a * a + 3 * b * b + a * b) + 400 * Math.abs(a)));
    const c = lossColour(g.grid.flat());
    expect(c.transform).toBe("log");
    // The floor is the smallest loss above the minimum, not the 1e-28 of the centre.
    expect(c.floor).toBe(Math.min(...g.grid.flat().filter((v) => v > 1)) - 1.7e-28); // 35, at (0, ±0.1)
    const svg = sliceFigure(g);
    expect(new Set(contourFills(svg)).size).toBeGreaterThanOrEqual(8);
    const bar = colourBar(svg);
    expect(bar.rects.length).toBe(c.edges.length + 1);
    expect(new Set(bar.rects).size).toBe(bar.rects.length);
    expect(bar.title).toMatch(/R − R_min, log scale \(R_min = 1\.7e-28/);
    expectReadableText(svg);
  });

  it("figures of more points than a call's arguments can hold (slice --grid 401, connect --points 200000)", () => {
    // Math.min(...values) overflowed the call stack beyond ≈ 1.2e5 values (RangeError, exit 1 after all the work).
    const g = grid(401, (a, b) => 1 + a * a + b * b + a * b); // 160801 values; 1 at (0, 0), 4 at (±1, ±1)
    const c = lossColour(g.grid.flat());
    expect(c.min).toBe(1);
    expect(c.max).toBe(4);
    const path = Array.from({ length: 200000 }, (_, i) => ({ t: i / 199999, loss: 1 + Math.sin(Math.PI * (i / 199999)) }));
    expect(() => pathFigure([{ label: "a", path }, { label: "b", path }])).not.toThrow();
  });

  it("two slices with ranges 1e6 apart get different band edges, each inside its own range", () => {
    const small = grid(15, (a, b) => a * a + 2 * b * b);
    const large = grid(15, (a, b) => 5 + 1e6 * (a * a + 2 * b * b) ** 2);
    const cs = lossColour(small.grid.flat());
    const cl = lossColour(large.grid.flat());
    for (const [c, g] of [[cs, small], [cl, large]] as const) {
      const values = g.grid.flat();
      const span = Math.max(...values) - Math.min(...values);
      expect(c.edges.length).toBeGreaterThanOrEqual(6);
      expect(c.edges.length).toBeLessThanOrEqual(24);
      for (const e of c.edges) expect(e).toBeGreaterThanOrEqual(c.transform === "log" ? c.floor : c.min);
      for (const e of c.edges) expect(e).toBeLessThan(c.transform === "log" ? span : c.max);
    }
    expect(cl.edges.at(-1)!).toBeGreaterThan(1e5);
    expect(cs.edges.at(-1)!).toBeLessThan(3);
    expect(colourBar(sliceFigure(small)).labels).not.toEqual(colourBar(sliceFigure(large)).labels);
  });

  it("a narrow range (less than two decades above the floor) is coloured linearly in R", () => {
    const g = grid(11, (a, b) => 10 + 0.5 * (a * a + b * b));
    const c = lossColour(g.grid.flat());
    expect(c.transform).toBe("linear");
    expect(c.edges.every((e) => e > 10 && e < 11)).toBe(true);
    const bar = colourBar(sliceFigure(g));
    expect(bar.title).toBe("colour: loss R");
    expect(bar.labels.map(Number).every((v) => v > 10 && v < 11)).toBe(true);
  });

  it("a flat slice is one band (no edges) and still renders", () => {
    const g = grid(5, () => 0.25);
    expect(lossColour(g.grid.flat()).edges).toEqual([]);
    expect(new Set(contourFills(sliceFigure(g))).size).toBe(1);
  });

  it("property: for any losses the edges ascend inside the data's range, 1–24 of them, and the coordinate keeps the order", () => {
    // Losses as R_min + spread·u^p: u uniform in [0, 1], p up to 12, spread over 40 decades; the minimum itself included.
    const losses = fc
      .record({ min: fc.double({ min: 0, max: 1e3, noNaN: true }), spread: fc.integer({ min: -20, max: 20 }), power: fc.double({ min: 0.2, max: 12, noNaN: true }), u: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 60 }) })
      .map(({ min, spread, power, u }) => [min, ...u.map((x) => min + 10 ** spread * x ** power)]);
    fc.assert(
      fc.property(losses, (values) => {
        const c = lossColour(values);
        const span = c.max - c.min;
        const e = c.edges;
        for (let i = 1; i < e.length; i++) expect(e[i]).toBeGreaterThan(e[i - 1]);
        if (span > 0 && c.transform === "log") {
          expect(span / c.floor).toBeGreaterThan(100);
          expect(e.length).toBeGreaterThanOrEqual(1);
          expect(e.length).toBeLessThanOrEqual(24);
          for (const x of e) expect(x >= c.floor && x < span).toBe(true);
        } else if (e.length > 0) {
          expect(e.length).toBeLessThanOrEqual(12);
          for (const x of e) expect(x > c.min && x < c.max).toBe(true);
        }
        const coords = [c.min, ...e.map((x) => (c.transform === "log" ? c.min + x : x)), c.max].map(c.coordinate);
        for (let i = 1; i < coords.length; i++) expect(coords[i]).toBeGreaterThanOrEqual(coords[i - 1]);
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it("losscape slice --plot on the exact fit writes the bands and the colour bar", async () => {
    const dir = tempDir();
    const r = await run(["slice", "--model", fx("tanh1-10-1-fit.json"), "--data", fx("cooper10.json"), "--plot", join(dir, "s.svg"), "--quiet"]);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, "s.svg"), "utf8");
    expect(new Set(contourFills(svg)).size).toBeGreaterThanOrEqual(8);
    expect(colourBar(svg).labels).toEqual(expect.arrayContaining(["10", "100", "1000"]));
    expectReadableText(svg);
  });
});

describe("path figures: the barrier fills the height", () => {
  /** The arrow's length as a share of the frame's height (the frame: y from marginTop 62 to height − 40). */
  function arrowShare(svg: string): number {
    const d = parse(svg).querySelector('g[aria-label="arrow"] path')?.getAttribute("d") ?? "";
    const [, y1, y2] = /^M[\d.]+,([\d.]+)L[\d.]+,([\d.]+)/.exec(d) ?? [];
    expect(y1, "the figure has a barrier arrow").toBeDefined();
    return Math.abs(Number(y1) - Number(y2)) / (420 - 62 - 40);
  }
  const bump = (ends: number, height: number) => Array.from({ length: 21 }, (_, i) => ({ t: i / 20, loss: ends + height * Math.sin((Math.PI * i) / 20) ** 2 }));

  it("ends at 1e-6 and a barrier of 2.2 (six decades): the arrow spans most of the frame", () => {
    const svg = pathFigure([{ label: "linear", path: bump(1e-6, 2.2) }]);
    expect(arrowShare(svg)).toBeGreaterThan(0.7);
    expect(svg).toContain("barrier 2.2 (at t = 0.5)");
    expect(svg).toContain("end points' level max(R(A), R(B)) = 1e-6");
    expectReadableText(svg);
  });

  it("a trained path beside a straight line 20× higher: the scale is the trained path's, the line is clipped and says so", () => {
    const svg = pathFigure([
      { label: "neb", path: bump(1e-28, 1e-3) },
      { label: "linear", path: bump(1e-28, 2e-2) },
    ]);
    expect(arrowShare(svg)).toBeGreaterThan(0.7);
    expect(svg).toContain("barrier 1e-3");
    expect(svg).toContain("linear (clipped: its maximum is 0.02)");
  });

  it("no barrier: said in words, no arrow", () => {
    const flat = Array.from({ length: 5 }, (_, i) => ({ t: i / 4, loss: i === 0 || i === 4 ? 0.5 : 0.4 }));
    const svg = pathFigure([{ label: "neb", path: flat }]);
    expect(parse(svg).querySelector('g[aria-label="arrow"]')).toBeNull();
    expect(svg).toContain("no barrier");
  });
});

describe("every figure's text is readable", () => {
  it("eigenvalue strip, spectrum, index against energy", () => {
    const strip = eigenvalueStripFigure([{ label: "H", values: [-1e-3, 0, 0, 0, 2e-2, 1] }], { title: "t" });
    expect(strip).toContain("3 zero");
    expectReadableText(strip);
    expectReadableText(spectrumFigure({ density: [[0, 0.1], [1, 0.5], [2, 0.1]], histogram: { edges: [0, 1, 2], density: [0.6, 0.4] }, title: "ρ" }));
    expectReadableText(indexEnergyFigure([{ energy: 0.1, index: 0.2, group: "1-3-1" }, { energy: 0.01, index: 0, group: "1-4-1" }], { title: "α(ε)" }));
  });

  it("fmtTick: powers of ten short, ordinary numbers plain", () => {
    expect([1e-3, 0.02, 2.2, 1000, 3e4, 1.5e-28].map(fmtTick)).toEqual(["1e-3", "0.02", "2.2", "1000", "3e4", "1.5e-28"]);
  });
});

describe("path figures for any path", () => {
  it("property: the path's range fills the frame whatever the decades: the arrow's share is barrier / (R_max − R_min) / 1.22", () => {
    // Ends R_A, R_B anywhere from 1e-30 to 1e3, a bump of any height above them, any number of points.
    const paths = fc
      .record({ ea: fc.integer({ min: -30, max: 3 }), eb: fc.integer({ min: -30, max: 3 }), h: fc.integer({ min: -12, max: 4 }), n: fc.integer({ min: 3, max: 61 }) })
      .map(({ ea, eb, h, n }) =>
        Array.from({ length: n }, (_, i) => {
          const t = i / (n - 1);
          return { t, loss: (1 - t) * 10 ** ea + t * 10 ** eb + 10 ** h * Math.sin(Math.PI * t) ** 2 };
        }),
      );
    fc.assert(
      fc.property(paths, (path) => {
        const ends = Math.max(path[0].loss, path[path.length - 1].loss);
        const top = Math.max(...path.map((p) => p.loss));
        fc.pre(top - ends > 1e-12 * top);
        const svg = new DOMParser().parseFromString(pathFigure([{ label: "p", path }]), "image/svg+xml") as unknown as Document;
        const d = svg.querySelector('g[aria-label="arrow"] path')?.getAttribute("d") ?? "";
        const [, y1, y2] = /^M[\d.]+,([\d.]+)L[\d.]+,([\d.]+)/.exec(d) ?? [];
        // The frame: the domain [lo − 6 %, hi + 16 %] of the range; the arrow runs from the ends' level to the top.
        const share = Math.abs(Number(y1) - Number(y2)) / (420 - 62 - 40);
        const lo = Math.min(...path.map((p) => p.loss));
        expect(share).toBeCloseTo((top - ends) / (top - lo) / 1.22, 2);
        if (ends - lo <= 0.5 * (top - lo)) expect(share).toBeGreaterThan(0.4);
      }),
      { numRuns: 60, seed: 17 },
    );
  });
});
