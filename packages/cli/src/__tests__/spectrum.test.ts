import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conform, filesIn, run, runJson, SHAPES, tempDir } from "./run.js";

// `losscape spectrum` against the closed forms of docs/conventions.md#index-and-critical-energy (written out here independently of @losscape/spectra).
const wignerEpsC = (phi: number) => (1 / 16) * (1 - 20 * phi - 8 * phi * phi + Math.pow(1 + 8 * phi, 1.5));
const reluEpsC = (phi: number) => {
  const xi = 1 + 16 * phi - 8 * phi * phi;
  return (27 - 18 * xi - xi * xi + 8 * Math.pow(xi, 1.5)) / (32 * phi * Math.pow(1 - phi, 3));
};

describe("losscape spectrum", () => {
  it("--law names the model; --model, its earlier name, gives the same record; neither or both disagreeing: exit 2", async () => {
    const args = ["--phi", "0.5", "--eps", "0.1", "--lambda", "-0.01,0.5,2"];
    const viaLaw = await runJson(["spectrum", "--law", "relu", ...args]);
    const viaModel = await runJson(["spectrum", "--model", "relu", ...args]);
    expect(viaLaw.out).toEqual(viaModel.out);
    expect(viaLaw.out.model).toBe("relu");
    const missing = await run(["spectrum", ...args]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("losscape spectrum: --law is required: wigner or relu");
    const clash = await run(["spectrum", "--law", "relu", "--model", "wigner", ...args]);
    expect(clash.code).toBe(2);
    expect(clash.stderr.trim().split("\n")).toHaveLength(1);
    expect(clash.stderr).toMatch(/--law relu and --model wigner disagree/);
    const help = await run(["spectrum", "--help"]);
    expect(help.stdout).toMatch(/--law <m>/);
    expect(help.stdout).not.toMatch(/--model <m>/);
  });

  it.each([
    ["wigner", 0.25, 0.1, wignerEpsC],
    ["relu", 0.5, 0.05, reluEpsC],
  ] as const)("%s φ = %s, ε = %s: the contract's record, ε_c as the closed form, density of mass 1", async (model, phi, eps, closed) => {
    const { out } = await runJson(["spectrum", "--law", model, "--phi", String(phi), "--eps", String(eps), "--grid", "2001"]);
    expect(conform(out, SHAPES.spectrum)).toEqual([]);
    expect(out.model).toBe(model);
    // ε_c: the numerical edge search and the closed form agree to 1e-9 relative (both near machine precision;
    // the numerical one is a root find on the edge condition).
    expect(Math.abs((out.epsC as number) - closed(phi))).toBeLessThanOrEqual(1e-9 * closed(phi));
    expect(Math.abs((out.epsCClosedForm as number) - closed(phi))).toBeLessThanOrEqual(1e-12 * closed(phi));
    expect(out.regime).toBe(eps < closed(phi) ? "eps<epsC" : "eps>=epsC");
    if (eps < closed(phi)) expect(out.index).toBe(0);
    else expect(out.index as number).toBeGreaterThan(0);
    // Trapezoid rule over 2001 points of the support hull: the square-root edges limit it to O(h^{3/2}) ≈ 1e-4;
    // 2e-3 leaves room for the edge cells.
    const d = out.density as [number, number][];
    let mass = 0;
    for (let i = 1; i < d.length; i++) mass += 0.5 * (d[i][1] + d[i - 1][1]) * (d[i][0] - d[i - 1][0]);
    expect(Math.abs(mass + (out.atom as number) - 1)).toBeLessThanOrEqual(2e-3);
    expect(d.every(([, r]) => r >= 0)).toBe(true);
  });

  it("φ ≥ 1: ε_c = 0, no closed form (null), regime named; ReLU atom 1 − 2/φ", async () => {
    const { out } = await runJson(["spectrum", "--model", "relu", "--phi", "4", "--eps", "0.1", "--lambda", "-0.1,0.5"]);
    expect(out.epsC).toBe(0);
    expect(out.epsCClosedForm).toBeNull();
    expect(out.regime).toBe("phi>=1: epsC=0");
    // Atom mass exact to rounding.
    expect(Math.abs((out.atom as number) - (1 - 2 / 4))).toBeLessThanOrEqual(1e-12);
    expect(out.index as number).toBeGreaterThan(0);
    const d = out.density as [number, number][];
    expect(d.map(([l]) => l)).toEqual([-0.1, 0.5]);
  });

  it("--plot writes an SVG or a PNG by the file's ending, atomically", async () => {
    const dir = tempDir();
    const svg = join(dir, "rho.svg");
    const png = join(dir, "rho.png");
    const a = await run(["spectrum", "--model", "wigner", "--phi", "0.5", "--eps", "0.2", "--plot", svg, "--sample", "200", "--quiet"]);
    const b = await run(["spectrum", "--model", "relu", "--phi", "0.5", "--eps", "0.2", "--plot", png, "--sample", "200", "--quiet"]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toMatch(/<\/svg>\s*$/);
    // PNG signature.
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(filesIn(dir)).toEqual(["rho.png", "rho.svg"]);
  });

  it("human output: key–value lines and a density table", async () => {
    const r = await run(["spectrum", "--model", "wigner", "--phi", "2", "--eps", "0.1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ε_c closed form\s+— \(does not apply for φ ≥ 1\)/);
    expect(r.stdout).toMatch(/\(21 of 200 grid points; --json prints all\)/);
  });
});
