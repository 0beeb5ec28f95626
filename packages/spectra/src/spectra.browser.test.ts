import { eigvalsh, getBackend, init } from "@losscape/core";
import { describe, expect, it } from "vitest";
import pub from "../test/fixtures/spectra-public.json" with { type: "json" };
import { penningtonBahri, penningtonBahriMeasure } from "./pennington-bahri.js";
import { empiricalIndex, samplePenningtonBahri } from "./samplers.js";

// Runs in headless Chromium (vitest browser mode, project spectra-browser): the same reference values as in node,
// and the WASM eigensolver behind a small Monte Carlo check.

describe("@losscape/spectra in a browser page", () => {
  it("reproduces the public reference values (ρ, edges, α to 1e-9)", () => {
    expect(typeof window).toBe("object");
    for (const c of pub.cases) {
      const model = c.model === "wishart_wigner" ? "wigner" : "relu";
      const r = penningtonBahri({ model, phi: c.phi, eps: c.eps });
      expect(Math.abs(r.index - c.alpha_a)).toBeLessThan(1e-9);
      c.support_intervals.forEach((iv: number[], i: number) => {
        expect(Math.abs(r.support[i][0] - iv[0])).toBeLessThan(1e-9);
        expect(Math.abs(r.support[i][1] - iv[1])).toBeLessThan(1e-9);
      });
      for (const p of c.density) expect(Math.abs(r.density(p.lambda) - p.rho)).toBeLessThan(1e-9);
    }
  });
  it("computes a 100 × 100 α heat map (values in [0, 1))", () => {
    let s = 0;
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 100; j++) {
        const a = penningtonBahriMeasure("relu", 0.02 + (2.98 * i) / 99, 0.001 + (0.999 * j) / 99).massBelow(0);
        expect(a >= 0 && a < 1).toBe(true);
        s += a;
      }
    }
    expect(s).toBeGreaterThan(0);
  });
  it("Monte Carlo at N = 400 through the WASM eigensolver agrees with the theory's index within 0.03", async () => {
    await init();
    expect(getBackend()).toBe("relaxed"); // Chromium validates relaxed SIMD, so init() picks that build
    // At N = 400 the index fluctuates by O(1/N) plus edge effects; 0.03 is a loose bound for this smoke test.
    const h = samplePenningtonBahri({ model: "wigner", n: 400, phi: 0.5, eps: 0.1, seed: 3 });
    const idx = empiricalIndex(eigvalsh(h));
    expect(Math.abs(idx - penningtonBahri({ model: "wigner", phi: 0.5, eps: 0.1 }).index)).toBeLessThan(0.03);
  });
});
