import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { certifyEmbedding, checkCriticalSubspace, strictSaddleEmbedding, widenTo } from "@losscape/embedding";
import { findCriticalPoints, parseModel } from "@losscape/mlp";
import { filesIn, fixtureData, fixtureModel, fx, run, runJson, tempDir } from "./run.js";

// The Embedding Principle's toolbox on the command line: widen, subspace, saddle and search, each the faithful wrapper
// of its @losscape/embedding or @losscape/mlp function (the same numbers as the package API in this process), on the
// tanh 1-3-1 critical points of the fixtures (sin 2x on 20 points).

const sin = () => fixtureData("sin20.json");

beforeAll(async () => {
  await init();
});

describe("losscape widen", () => {
  it("widens the global minimum to 1-5-1 with the API's steps and certificate, and writes the wide model", async () => {
    const dir = tempDir();
    const out = join(dir, "wide.json");
    const { out: rec } = await runJson(["widen", "--model", fx("tanh131-min.json"), "--to", "1,5,1", "--data", fx("sin20.json"), "--out", out]);
    const m = fixtureModel("tanh131-min.json");
    const { model: wide, steps } = widenTo(m, [1, 5, 1], { alpha: 0.5 });
    expect(rec.steps).toEqual(steps);
    expect(rec.widthsAfter).toEqual([1, 5, 1]);
    const cert = certifyEmbedding(m, wide, sin(), { tol: 1e-9 });
    const check = rec.check as Record<string, unknown>;
    expect(check.countsNeverDecrease).toBe(true);
    expect(rec.verdict).toMatchObject({ ok: true });
    expect((rec.verdict as { summary: string }).summary).toMatch(/^certified: /);
    expect(check.maxOutputDiff).toBe(cert.maxOutputDiff);
    expect(check.inertiaAfter).toEqual({ negative: cert.inertiaAfter.negative, zero: cert.inertiaAfter.zero, positive: cert.inertiaAfter.positive });
    expect(Array.from(parseModel(readFileSync(out, "utf8")).params)).toEqual(Array.from(wide.params));
    expect(rec.warnings).toEqual([]);
  });

  it("refuses narrower widths by name, and warns at a point that is not critical", async () => {
    const r = await run(["widen", "--model", fx("tanh131-min.json"), "--to", "1,2,1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape widen: --to 1,2,1: .*\n$/);
    const { out } = await runJson(["widen", "--model", fx("tanh131-near-saddle.json"), "--to", "1,4,1", "--data", fx("sin20.json")]);
    expect((out.warnings as string[]).join()).toMatch(/not a critical point/);
    expect(out.verdict).toMatchObject({ ok: false });
    expect((out.verdict as { summary: string }).summary).toMatch(/^not certified: the model is not a critical point/);
  });
});

describe("losscape subspace", () => {
  it("samples the 2-dimensional critical subspace: the API's checks, every point critical with the narrow output", async () => {
    const { out } = await runJson(["subspace", "--model", fx("tanh131-min.json"), "--copies", "1:0,1:2", "--data", fx("sin20.json"), "--samples", "5"]);
    const ref = checkCriticalSubspace(fixtureModel("tanh131-min.json"), sin(), [{ layer: 1, neuron: 0 }, { layer: 1, neuron: 2 }], { samples: 5, seed: 0, scale: 1 });
    expect(out.dimension).toBe(2);
    expect(out.widths).toEqual([1, 5, 1]);
    const check = out.check as Record<string, number>;
    expect(check.maxGradNorm).toBe(ref.maxGradNorm);
    expect(check.maxOutputDiff).toBe(ref.maxOutputDiff);
    // At a refined critical point (‖∇R‖ ≈ 3e-16) the sampled points stay critical to rounding.
    expect(check.maxGradNorm).toBeLessThan(1e-12);
    expect(check.maxOutputDiff).toBeLessThan(1e-12);
  });

  it("refuses malformed --copies by name", async () => {
    for (const copies of ["1-0", "2:0", "1:7"]) {
      const r = await run(["subspace", "--model", fx("tanh131-min.json"), "--copies", copies]);
      expect(r.code, copies).toBe(2);
      expect(r.stderr).toContain("--copies");
    }
  });
});

describe("losscape saddle", () => {
  it("turns the global minimum into a verified strict saddle of a wider net, as the API does, and writes it", async () => {
    const dir = tempDir();
    const out = join(dir, "saddle.json");
    const { out: rec } = await runJson(["saddle", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--out", out, "--npy", join(dir, "arr")]);
    const ref = strictSaddleEmbedding(fixtureModel("tanh131-min.json"), sin());
    const e = rec.escape as Record<string, unknown>;
    expect(e.verified).toBe(true);
    expect(e.minEigenvalue).toBe(ref.escape!.minEigenvalue);
    expect(e.minEigenvalue as number).toBeLessThan(0);
    expect([e.layer, e.neuron, e.alpha]).toEqual([ref.escape!.layer, ref.escape!.neuron, ref.escape!.alpha]);
    expect(rec.verdict).toMatchObject({ ok: true });
    expect((rec.verdict as { summary: string }).summary).toMatch(/^strict saddle of the 1-4-1 net/);
    expect(Array.from(parseModel(readFileSync(out, "utf8")).params)).toEqual(Array.from(ref.escape!.model.params));
    expect(filesIn(join(dir, "arr"))).toEqual(["direction.npy", "params.npy"]);
  });
});

describe("losscape search", () => {
  it("finds the API's critical points (same losses and inertias), writes them and their spectra", async () => {
    const dir = tempDir();
    const { out } = await runJson(["search", "--widths", "1,3,1", "--data", fx("sin20.json"), "--starts", "6", "--out", join(dir, "cps"), "--plot", join(dir, "s.svg")]);
    const ref = findCriticalPoints({ widths: [1, 3, 1], activation: "tanh", bias: true }, sin(), { starts: 6, seed: 0, init: "normal", method: "newton", tol: 1e-9 });
    const pts = out.points as { loss: number; inertia: unknown; kind: string }[];
    expect(pts.map((p) => p.loss)).toEqual(ref.map((p) => p.loss));
    expect(pts.map((p) => p.kind)).toEqual(ref.map((p) => p.kind));
    expect(pts[0].kind).toBe("minimum");
    expect(filesIn(join(dir, "cps"))).toEqual(ref.map((_, k) => `cp-${String(k + 1).padStart(2, "0")}.json`));
    expect(readFileSync(join(dir, "s.svg"), "utf8")).toMatch(/<svg[\s>]/);
  });

  it("refuses a network too large for the search's dense spectra, by its flag", async () => {
    const r = await run(["search", "--widths", "1,60,40,1", "--data", fx("sin20.json"), "--starts", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape search: --widths 1,60,40,1: /);
  });
});
