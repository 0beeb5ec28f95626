import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { BACKENDS, init, kernels, loadWasm, setBackend, ValueError, WasmError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATION_TABLE, type ActivationEntry } from "./activation-table.js";
import { act, act1, act2, ACTIVATION_CODES, activationCode, activationDerivatives, activationEntry, DEFAULT_LEAKY_SLOPE } from "./activations.js";
import { ALL_ACTIVATIONS } from "./__tests__/helpers.js";
import { parseModel, serializeModel } from "./io.js";
import type { Activation } from "./types.js";

const ROOT = new URL("../../../", import.meta.url);
const TABLE: readonly ActivationEntry[] = ACTIVATION_TABLE;

/** mpmath (50 digits) values of σ, σ′, σ″: test/gen/make-activation-fixtures.py. Rows [z, σ, σ′, σ″]. */
const FIXTURES = JSON.parse(readFileSync(new URL("../test/fixtures/activations.json", import.meta.url), "utf8")) as {
  param: Record<string, number>;
  activations: Record<string, [number, number, number, number][]>;
};

/** The activation with the fixtures' parameter (leaky-relu's default slope). */
const withFixtureParam = (e: ActivationEntry): Activation =>
  (e.param ? { name: e.name, [e.param.name]: FIXTURES.param[e.name] } : e.name) as Activation;

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe("the activation table", () => {
  it("the generated dispatch (TypeScript and AssemblyScript) is what the table generates", () => {
    // exits 1, naming the stale file, when activations.generated.ts or assembly/activations.generated.ts differ
    expect(() => execFileSync(process.execPath, ["scripts/gen-activations.mjs", "--check"], { cwd: ROOT, stdio: "pipe" })).not.toThrow();
  });

  it("has unique names and codes, and ACTIVATION_CODES, DEFAULT_LEAKY_SLOPE and activationCode come from it", () => {
    expect(new Set(TABLE.map((e) => e.name)).size).toBe(TABLE.length);
    expect(new Set(TABLE.map((e) => e.code)).size).toBe(TABLE.length);
    expect(Object.entries(ACTIVATION_CODES)).toEqual(TABLE.map((e) => [e.name, e.code]));
    expect(DEFAULT_LEAKY_SLOPE).toBe(activationEntry("leaky-relu")?.param?.default);
    for (const e of TABLE) {
      expect(activationCode("f", "activation", e.name)).toEqual({ code: e.code, param: e.param?.default ?? 0 });
      expect(activationEntry(e.name as Activation)).toBe(e);
    }
  });

  it("σ, σ′, σ″ of every activation equal mpmath's (≤ 2e-15·max(1, |ref|))", () => {
    // The formulas are accurate to a few ulp relative, except where they subtract: 1 − σ(z) in sigmoid's, softplus'
    // and silu's derivatives and 1 − tanh²(z) carry an absolute error ≈ 2⁻⁵³ that |z| (silu's σ″ at z = 35:
    // 1.2e-15 observed) can multiply; hence a bound absolute below 1, relative above.
    for (const e of TABLE) {
      const rows = FIXTURES.activations[e.name];
      expect(rows, `fixtures for '${e.name}' (run test/gen/make-activation-fixtures.py)`).toBeDefined();
      for (const [z, ...ref] of rows) {
        const d = activationDerivatives(withFixtureParam(e), z);
        [d.value, d.first, d.second].forEach((got, k) => {
          expect(Math.abs(got - ref[k]), `${e.name} σ^(${k})(${z})`).toBeLessThanOrEqual(2e-15 * Math.max(1, Math.abs(ref[k])));
        });
      }
    }
  });

  it("σ′ and σ″ agree with central differences of σ and σ′ for every activation", () => {
    const h = 1e-5;
    for (const a of ALL_ACTIVATIONS) {
      for (const z of [-2.3, -0.7, 0.4, 1.9]) {
        const d = activationDerivatives(a, z);
        const f = (t: number) => activationDerivatives(a, t);
        // central differences: error ≈ h²/6·|σ'''| + 1e-16/h ≈ 1e-10
        expect(Math.abs((f(z + h).value - f(z - h).value) / (2 * h) - d.first)).toBeLessThan(1e-9);
        expect(Math.abs((f(z + h).first - f(z - h).first) / (2 * h) - d.second)).toBeLessThan(1e-9);
      }
    }
    expect(activationDerivatives({ name: "leaky-relu", slope: 0.3 }, -2).value).toBeCloseTo(-0.6, 15);
  });

  it("the symmetries it states hold: σ(−z) = s·σ(z) + c, and σ(cz) = c·σ(z) for c > 0 when positively homogeneous", () => {
    const zs = [-3.1, -1, -0.2, 0, 0.45, 1.7, 4];
    for (const e of TABLE) {
      const a = withFixtureParam(e);
      const sigma = (z: number) => activationDerivatives(a, z).value;
      if (e.reflection) {
        const { s, c } = e.reflection;
        for (const z of zs) expect(Math.abs(sigma(-z) - (s * sigma(z) + c)), `${e.name} at ${z}`).toBeLessThanOrEqual(4.5e-16 * (1 + Math.abs(sigma(z)))); // 2 ulp of O(1) values
      } else {
        // no reflection: some z breaks every (s, c) = (±1, σ(−z₀) ∓ σ(z₀)) fitted at z₀ = 0.45
        const fits = [-1, 1].some((s) => zs.every((z) => Math.abs(sigma(-z) - s * sigma(z) - (sigma(-0.45) - s * sigma(0.45))) < 1e-12));
        expect(fits, e.name).toBe(false);
      }
      const homogeneous = [0.3, 2.5].every((c) => zs.every((z) => Math.abs(sigma(c * z) - c * sigma(z)) <= 1e-15 * (1 + Math.abs(c * z))));
      expect(homogeneous, e.name).toBe(e.positivelyHomogeneous);
    }
  });

  it("every activation of the table is accepted by the model format (hidden and output) and round-trips", () => {
    for (const a of ALL_ACTIVATIONS) {
      const name = typeof a === "string" ? a : a.name;
      const text = JSON.stringify({ format: "losscape.mlp/1", widths: [1, 2, 1], activation: a, output: name, params: [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7] });
      const m = parseModel(text);
      expect(m.activation).toEqual(a);
      const back = parseModel(JSON.stringify(serializeModel(m)));
      expect([back.activation, back.output, back.params]).toEqual([a, name, m.params]);
    }
  });

  it("an unknown code is a ValueError naming it (no default activation)", () => {
    for (const code of [TABLE.length + 90, -1, 2.5]) {
      for (const f of [act, act1, act2]) {
        expect(() => f(code, 0, 0.5)).toThrow(ValueError);
        expect(() => f(code, 0, 0.5)).toThrow(new RegExp(`activation code ${code} is not in the activation table`));
      }
    }
    expect(() => activationCode("f", "activation", "swish")).toThrow(/'activation' must be one of linear, tanh, .*silu; found 'swish'/);
    expect(() => activationCode("f", "activation", { name: "tanh", slope: 1 })).toThrow(ValueError);
    expect(() => activationCode("f", "activation", { name: "leaky-relu", slope: NaN })).toThrow(/'activation.slope' must be a finite number/);
  });
});

describe.each(BACKENDS.filter((b) => b !== "ts"))("the kernels' activations (%s)", (build) => {
  beforeAll(() => setBackend(build));

  it("σ at one point (mlpActivation) equals mpmath's for every activation of the table", () => {
    // tanh, sin: AssemblyScript's libm (≤ 1 ulp); the rest as in TypeScript (see above)
    for (const e of TABLE) {
      const param = e.param ? FIXTURES.param[e.name] : 0;
      for (const [z, ref] of FIXTURES.activations[e.name]) {
        const got = kernels.mlpActivation("test", { code: e.code, p: param, x: z }).result;
        expect(Math.abs(got - ref), `${e.name}(${z})`).toBeLessThanOrEqual(2e-15 * Math.max(1, Math.abs(ref)));
      }
    }
  });

  it("an unknown code aborts with a WasmError naming it, in σ (mlpActivation) and in a forward pass (mlpForward)", () => {
    for (const code of [TABLE.length + 90, -7, 2147483647]) {
      expect(() => kernels.mlpActivation("test", { code, p: 0, x: 0.5 })).toThrow(WasmError);
      expect(() => kernels.mlpActivation("test", { code, p: 0, x: 0.5 })).toThrow(new RegExp(`unknown activation code ${code} \\(not in packages/mlp/src/activation-table.ts\\)`));
    }
    // one layer 1 → 1, n = 1, with bias: θ = [w, b] = [2, 0.5], x = 0.25
    const forward = (code: number) =>
      kernels.mlpForward("test", { L: 1, widths: Int32Array.of(1, 1), codes: Int32Array.of(code), cparams: Float64Array.of(0), bias: 1, n: 1, p: Float64Array.of(2, 0.5), x: Float64Array.of(0.25) });
    expect(() => forward(42)).toThrow(/unknown activation code 42/);
    expect(forward(ACTIVATION_CODES.tanh).f[0]).toBeCloseTo(Math.tanh(1), 15); // the instance stays usable
  });
});
