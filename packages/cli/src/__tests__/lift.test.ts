import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { certifyLift, liftDepth, pruneLayer, strictSaddleLift } from "@losscape/embedding";
import { initParams, parseModel, refineCriticalPoint, serializeModel, train, type Model } from "@losscape/mlp";
import { filesIn, fixtureData, fixtureModel, fx, run, runJson, tempDir } from "./run.js";

// `losscape lift`: the Embedding Principle in depth on the command line, the faithful wrapper of @losscape/embedding's
// liftDepth, certifyLift and pruneLayer, at a relu 1-3-1 critical point of sin 2x on 20 points (made here).

let dir = "";
let cpPath = "";
let cp: Model;

beforeAll(async () => {
  await init();
  const data = fixtureData("sin20.json");
  const spec = { widths: [1, 3, 1], activation: "relu" as const };
  const start = { ...spec, params: initParams(spec, { scheme: "normal", std: 0.7, seed: 3 }) };
  const tr = train(start, data, { optimizer: "lbfgs", epochs: 600, gtol: 1e-10 });
  cp = refineCriticalPoint(tr.model, data, { gtol: 1e-12, gtolRel: 0, maxIter: 100 }).model;
  dir = tempDir();
  cpPath = join(dir, "relu-cp.json");
  writeFileSync(cpPath, JSON.stringify(serializeModel(cp)));
});

describe("losscape lift", () => {
  it("lifts after layer 1 with the API's model and certificate, and writes the deep model and the spectra", async () => {
    const out = join(dir, "deep.json");
    const npy = join(dir, "npy");
    const { out: rec } = await runJson(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--out", out, "--npy", npy]);
    const data = fixtureData("sin20.json");
    const lift = liftDepth(cp, data, { layer: 1 });
    const cert = certifyLift(cp, lift.model, data, { layer: lift.layer });
    expect(cert.certified).toBe(true);
    expect(rec.widthsAfter).toEqual([1, 3, 3, 1]);
    expect(rec.manifoldDimension).toBe(12);
    const check = rec.check as Record<string, unknown>;
    expect(check.maxOutputDiffData).toBe(cert.maxOutputDiffData);
    expect(check.gradNormAfter).toBe(cert.gradNormAfter);
    expect(check.inertiaAfter).toEqual({ negative: cert.inertiaAfter.negative, zero: cert.inertiaAfter.zero, positive: cert.inertiaAfter.positive });
    expect(check.predictionMatches).toBe(true);
    expect(rec.verdict).toMatchObject({ ok: true });
    expect((rec.verdict as { summary: string }).summary).toMatch(/^certified: .* gains exactly ΔN = 12 zeros$/);
    expect(Array.from(parseModel(readFileSync(out, "utf8")).params)).toEqual(Array.from(lift.model.params));
    expect(filesIn(npy)).toEqual(["eigenvalues-after.npy", "eigenvalues-before.npy", "params.npy"]);
    expect(rec.warnings).toEqual([]);
  });

  it("--prune removes the lifted layer again: the critical point back, to rounding", async () => {
    const deep = join(dir, "deep2.json");
    await runJson(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "0", "--scale", "0.5", "--out", deep]);
    const { out: rec } = await runJson(["lift", "--prune", "--model", deep, "--data", fx("sin20.json"), "--layer", "1"]);
    expect(rec.widthsAfter).toEqual([1, 3, 1]);
    const back = parseModel(rec.model as object);
    const ref = pruneLayer(parseModel(readFileSync(deep, "utf8")), fixtureData("sin20.json"), { layer: 1 });
    expect(Array.from(back.params)).toEqual(Array.from(ref.model.params));
    for (let i = 0; i < cp.params.length; i++) expect(Math.abs(back.params[i] - cp.params[i])).toBeLessThanOrEqual(1e-12);
  });

  it("--kind split inserts [σ(αh), σ(−αh)]: the output is kept, the certificate has no inertia prediction and says the point is not critical", async () => {
    const { out: rec } = await runJson(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "0", "--kind", "split"]);
    const data = fixtureData("sin20.json");
    const lift = liftDepth(cp, data, { layer: 0, kind: "split" });
    const cert = certifyLift(cp, lift.model, data, { layer: lift.layer });
    expect(rec.kind).toBe("split");
    expect(rec.width).toBe(2);
    expect(rec.widthsAfter).toEqual([1, 2, 3, 1]);
    expect(Array.from(parseModel(rec.model as object).params)).toEqual(Array.from(lift.model.params));
    const check = rec.check as Record<string, unknown>;
    expect(check.linearNearData).toBe(false);
    expect(check.gradNormAfter).toBe(cert.gradNormAfter);
    expect(check.kinkDistance).toBe(cert.kinkDistance);
    expect((rec.verdict as { summary: string }).summary).toBe(`not certified: ${cert.reasons.join("; ")}`);
    expect(cert.reasons.join()).toMatch(/the lifted point is not critical/);
  });

  it("--kind strict-saddle: the API's strictSaddleLift, verified (λ_min < 0, vᵀHv < 0, a descent), in the record and the human output", async () => {
    const { out: rec } = await runJson(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--kind", "strict-saddle"]);
    const ref = strictSaddleLift(cp, fixtureData("sin20.json"), { layer: 1 })!;
    expect(ref.verified).toBe(true);
    expect(rec.kind).toBe("strict-saddle");
    expect(rec.width).toBe(4);
    const saddle = rec.saddle as Record<string, unknown>;
    expect(saddle.minEigenvalue).toBe(ref.minEigenvalue);
    expect(saddle.lossDrop).toBe(ref.lossDrop);
    expect(saddle.activeRows).toEqual(ref.activeRows);
    expect(saddle.verified).toBe(true);
    expect(Array.from(parseModel(rec.model as object).params)).toEqual(Array.from(ref.lift.model.params));
    expect(rec.verdict).toMatchObject({ ok: true });
    expect((rec.verdict as { summary: string }).summary).toMatch(/^strict saddle: the lifted minimum descends along v: λ_min = -/);
    const human = await run(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--kind", "strict-saddle"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/extra neuron +active on \d+ of 20 rows/);
    expect(human.stdout).toMatch(/verdict: strict saddle: /);
  });

  it("bad input exits 2 with one line naming the problem", async () => {
    const tanh = await run(["lift", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--layer", "1"]);
    expect(tanh.code).toBe(2);
    // Named by the flag that chooses the new layer's activation (not by the library function).
    expect(tanh.stderr).toMatch(/^losscape lift: --new-activation \(not given: the model's activation\): activation 'tanh' is affine on no interval.*\n$/);
    const far = await run(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "2"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/^losscape lift: --layer 2: the new layer reads layer q = 0\.\.1 of 1-3-1\n$/);
    const kink = await run(["lift", "--prune", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--layer", "1"]);
    expect(kink.code).toBe(2);
    // Named by the flags that chose the layer (not by the library function pruneLayer).
    expect(kink.stderr).toMatch(/^losscape lift: --prune --layer 1 \(data .*sin20\.json\): only a layer that is affine on the data is removed exactly; layer 1 is not affine on the data: activation 'tanh'.*\n$/);
    const scale = await run(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--scale", "0"]);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toMatch(/--scale/);
    const kind = await run(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--kind", "wide"]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/^losscape lift: .*--kind.*\n$/);
    const act = await run(["lift", "--model", cpPath, "--data", fx("sin20.json"), "--layer", "1", "--kind", "strict-saddle", "--new-activation", "relu"]);
    expect(act.code).toBe(2);
    expect(act.stderr).toBe("losscape lift: --new-activation relu: --kind strict-saddle uses the model's activation for the new layer\n");
  });

  it("a lifted net too large for the dense Hessian of the certificate: exit 2 before any work, naming --layer and what to change", async () => {
    // relu 1-100-100-1 (M = 10401, whose own Hessian fits): lifted after layer 1 it has M = 20501 > 16384. Before,
    // the affine lift spent minutes on the model's 10401² Hessian first, then failed with the library's message.
    const spec = { widths: [1, 100, 100, 1], activation: "relu" as const };
    const big = join(dir, "relu-100-100.json");
    writeFileSync(big, JSON.stringify(serializeModel({ ...spec, params: initParams(spec, { scheme: "he", seed: 1 }) })));
    const cases = [
      ["affine", "1-100-100-100-1", 20501, /insert the layer after a narrower one \(--layer: the new layer has 100 neurons, layer 1's width\), or lift a smaller model$/],
      ["split", "1-100-200-100-1", 40601, /--layer: the new layer has 2 × 100 neurons, layer 1's width doubled\), or --kind affine \(100 neurons\), or lift a smaller model$/],
      ["strict-saddle", "1-100-101-100-1", 20702, /--layer: the new layer has 100 \+ 1 neurons, layer 1's width\), or lift a smaller model$/],
    ] as const;
    for (const [kind, widths, M, advice] of cases) {
      const r = await run(["lift", "--model", big, "--data", fx("sin20.json"), "--layer", "1", "--kind", kind], { timeout: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`losscape lift: --model ${big} --layer 1${kind === "affine" ? "" : ` --kind ${kind}`}: the certificate takes the lifted net's (${widths}) dense Hessian, M × M with M = ${M} parameters`);
      expect(r.stderr.trim()).toMatch(advice);
    }
  });

  it("warns and does not certify at a point that is not critical (the outputs are still preserved)", async () => {
    const m = fixtureModel("tanh131-min.json");
    const notCp = join(dir, "relu-not-cp.json");
    writeFileSync(notCp, JSON.stringify(serializeModel({ ...m, activation: "relu" })));
    const { out } = await runJson(["lift", "--model", notCp, "--data", fx("sin20.json"), "--layer", "1"]);
    expect((out.warnings as string[]).join()).toMatch(/not a critical point/);
    expect((out.verdict as { summary: string }).summary).toMatch(/^not certified: the shallow model is not a critical point/);
    expect((out.check as { maxOutputDiffData: number }).maxOutputDiffData).toBeLessThanOrEqual(1e-12);
  });
});
