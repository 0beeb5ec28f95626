import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { certifyEmbedding, checkCriticalSubspace, criticalEmbeddingSubspace, strictSaddleEmbedding, widenTo } from "@losscape/embedding";
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

  it("sizes --npy's K × M directions before the work: more than 2^28 entries is bad input naming --copies", async () => {
    // A 200-2-1 net (zero parameters: only the shapes matter) and K = 1500 copies: the wide net has M = 303 405
    // parameters, so K·M = 4.55e8 > 2^28 = 2.68e8 entries (3.4 GiB). It used to build them and fail (exit 1).
    const dir = tempDir();
    const model = join(dir, "m.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [200, 2, 1], activation: "tanh", params: new Array(200 * 2 + 2 + 2 + 1).fill(0) }));
    const copies = Array.from({ length: 1500 }, (_, i) => `1:${i % 2}`).join(",");
    const r = await run(["subspace", "--model", model, "--copies", copies, "--npy", join(dir, "arr")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape subspace: --copies 1:0,1:1,.*: --npy writes the K × M directions, K = 1500 copies .* M = 303405 parameters: 4\.551e\+8 entries/);
    expect(filesIn(dir)).toEqual(["m.json"]);
  });

  it("--npy writes the directions as a K × M array: row i is vᵢ", async () => {
    const dir = tempDir();
    const { out } = await runJson(["subspace", "--model", fx("tanh131-min.json"), "--copies", "1:0,1:2", "--npy", join(dir, "arr")]);
    const ref = criticalEmbeddingSubspace(fixtureModel("tanh131-min.json"), [{ layer: 1, neuron: 0 }, { layer: 1, neuron: 2 }]);
    const bytes = readFileSync(join(dir, "arr", "directions.npy"));
    const headerLen = bytes.readUInt16LE(8);
    expect(bytes.subarray(10, 10 + headerLen).toString("latin1")).toContain(`'shape': (2, ${ref.base.params.length})`);
    const data = new Float64Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLen, bytes.byteOffset + bytes.length));
    expect(Array.from(data)).toEqual([...ref.directions[0], ...ref.directions[1]]);
    expect(out.dimension).toBe(2);
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

  it("l2 > 0: the split of a critical point is not critical, so it is no strict saddle (verdict not verified)", async () => {
    // tanh131-min with l2 = 1e-2, refined by `critical` to ‖∇R‖ ≤ 1e-12; the split's ‖∇R‖ ≈ (1 − α)·l2·|w_in| ≫ 1e-12.
    const dir = tempDir();
    const start = join(dir, "l2.json");
    writeFileSync(start, JSON.stringify({ ...JSON.parse(readFileSync(fx("tanh131-min.json"), "utf8")), l2: 1e-2 }));
    const cp = join(dir, "cp.json");
    const { out: crit } = await runJson(["critical", "--model", start, "--data", fx("sin20.json"), "--out", cp]);
    expect(crit.outcome).toBe("critical");
    const { out: rec } = await runJson(["saddle", "--model", cp, "--data", fx("sin20.json")]);
    const e = rec.escape as Record<string, number | boolean>;
    expect(e.minEigenvalue as number).toBeLessThan(0);
    expect(e.gradNorm as number).toBeGreaterThan(1e-6);
    expect(e.verified).toBe(false);
    expect(rec.verdict).toMatchObject({ ok: false });
    expect((rec.verdict as { summary: string }).summary).toMatch(/^not verified: the embedded point .* is not critical .*l2 = 0\.01/);
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
    // How the 2 × 6 refinements ended (direct and after descent): each critical one is a point found or a hit.
    const outcomes = out.outcomes as Record<string, number>;
    expect(out.refinements).toBe(12);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(12);
    expect(outcomes.critical).toBe((out.points as { hits: number }[]).reduce((a, p) => a + p.hits, 0));
  });

  it("prints how the refinements ended, one count per outcome", async () => {
    const r = await run(["search", "--widths", "1,3,1", "--data", fx("sin20.json"), "--starts", "6", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^refinements\s+12: (\d+ (critical|escaping|gradient-flat|stalled)(, )?)+\n/m);
  });

  it("refuses a network too large for the search's dense spectra, by its flag", async () => {
    const r = await run(["search", "--widths", "1,60,40,1", "--data", fx("sin20.json"), "--starts", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape search: --widths 1,60,40,1: /);
  });
});

describe("the dense Hessians of embed --data and saddle are sized before the work, naming --model", () => {
  // A 784-24-10 net (M = 19 090; the split adds 795): its Hessian needs M > 16 384 = 2^14, i.e. more than 2^28
  // entries. The library refused it too, but in its own words ("hessian: … use hessianVectorProduct"), naming no flag.
  const bigNet = () => {
    const dir = tempDir();
    const model = join(dir, "m.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [784, 24, 10], activation: "tanh", params: new Array(784 * 24 + 24 + 24 * 10 + 10).fill(0) }));
    const data = join(dir, "d.json");
    writeFileSync(data, JSON.stringify({ format: "losscape.data/1", x: [new Array(784).fill(0.5)], y: [new Array(10).fill(0.1)] }));
    return { model, data };
  };
  it("embed --data", async () => {
    const { model, data } = bigNet();
    const r = await run(["embed", "--model", model, "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape embed: --model .*m\.json: the certificate \(--data\) takes the embedded net's dense Hessian, M × M with M = 19885 parameters/);
    // Without --data there is no Hessian: the split is written.
    expect((await run(["embed", "--model", model, "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--json"])).code).toBe(0);
  });
  it("saddle", async () => {
    const { model, data } = bigNet();
    const r = await run(["saddle", "--model", model, "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape saddle: --model .*m\.json: the split blocks are checked on the embedded net's dense Hessian, M × M with M = 19885 parameters/);
  });
  it("saddle below 2^28 Hessian entries but beyond what its eigendecomposition fits in (M > EIGH_MAX_ORDER = 10329)", async () => {
    // 784-14-10: M = 11 140, the split adds 795: 11 935 ≤ 16 384, but eigh's five M × M matrices need 5.3 GiB
    const dir = tempDir();
    const model = join(dir, "m.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [784, 14, 10], activation: "tanh", params: new Array(784 * 14 + 14 + 14 * 10 + 10).fill(0) }));
    const data = join(dir, "d.json");
    writeFileSync(data, JSON.stringify({ format: "losscape.data/1", x: [new Array(784).fill(0.5)], y: [new Array(10).fill(0.1)] }));
    const r = await run(["saddle", "--model", model, "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape saddle: --model .*m\.json: the split blocks are checked on the embedded net's dense Hessian, M × M with M = 11935 parameters, and its eigendecomposition five such matrices \(5\.3 GiB\); at most M = 10329 fit in the 4 GiB of WASM memory$/m);
  });
});

