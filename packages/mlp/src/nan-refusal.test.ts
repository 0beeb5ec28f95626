import { BACKENDS, init, loadWasm, setBackend, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { affineLossPlane, hessian, loss, lossPlane } from "./index.js";
import type { Model } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

// README, Conventions: "finite parameters whose outputs overflow give R = +∞ (returned) or NaN (refused with a
// ValueError naming the function); a gradient, Hessian, H·v or Jacobian that would hold NaN is refused the same way".
// No tolerance anywhere below: the checks are on which error is thrown and on exact (non-)finiteness.
describe.each(BACKENDS)("NaN results are refused by name (%s)", (backend) => {
  beforeAll(() => setBackend(backend));

  // 1 → 2 → 1, quadratic hidden layer, θ = [W¹ = (1e200, 1), b¹ = (0, 0), W² = (0, 1), b² = 0]: the first unit's
  // σ(z) = (1e200·x)² overflows to +∞ and meets its output weight 0, so f = 0·∞ + … = NaN at every sample.
  const nanNet: Model = { widths: [1, 2, 1], activation: "quadratic", params: Float64Array.of(1e200, 1, 0, 0, 0, 1, 0) };
  const data = { x: [[1], [2]], y: [[0], [1]] };
  const still = new Float64Array(7); // a zero direction: every grid point is θ itself

  it("loss refuses R = NaN (the reference behaviour)", () => {
    expect(() => loss(nanNet, data)).toThrow(/^loss: the loss is NaN at these parameters/);
  });

  it("lossPlane refuses a NaN grid point instead of returning it, naming the point", () => {
    expect(() => lossPlane(nanNet, data, { directions: [still], aAxis: [0, 1] })).toThrow(ValueError);
    expect(() => lossPlane(nanNet, data, { directions: [still], aAxis: [0, 1] })).toThrow(
      /^lossPlane: the loss is NaN at grid point \(0, 0\) \(a = 0, b = 0\)/,
    );
  });

  it("affineLossPlane refuses a NaN grid point the same way", () => {
    expect(() => affineLossPlane(nanNet, data, { directions: [still, still], aAxis: [0.5], bAxis: [0, 1, 2] })).toThrow(
      /^affineLossPlane: the loss is NaN at grid point \(0, 0\) \(a = 0.5, b = 0\)/,
    );
  });

  it("R = +∞ is still returned by both planes (only NaN is refused)", () => {
    // W² = (1, 1): f = ∞ + 1 = +∞, R = +∞ at every point
    const infNet: Model = { ...nanNet, params: Float64Array.of(1e200, 1, 0, 0, 1, 1, 0) };
    expect(loss(infNet, data)).toBe(Infinity);
    expect(Array.from(lossPlane(infNet, data, { directions: [still], aAxis: [0, 1] }))).toEqual([Infinity, Infinity]);
    expect(Array.from(affineLossPlane(infNet, data, { directions: [still], aAxis: [0, 1] }))).toEqual([Infinity, Infinity]);
    // two outputs, a plane: the affine evaluator's f = (W² + aE² + bF²)σ + … must not form 0·∞ from the zero F²
    // (the ts evaluator summed F²·σ apart and returned NaN, now refused, where `loss` gives +∞)
    const wide: Model = { widths: [1, 2, 2], activation: "quadratic", params: Float64Array.of(1e200, 1, 0, 0, 1, 1, 1, 1, 0, 0) };
    const data2 = { x: [[1], [2]], y: [[0, 1], [1, 0]] };
    const zero = new Float64Array(10);
    expect(loss(wide, data2)).toBe(Infinity);
    expect(Array.from(affineLossPlane(wide, data2, { directions: [zero, zero], aAxis: [0], bAxis: [0, 1, 2] }))).toEqual([Infinity, Infinity, Infinity]);
  });

  it("hessian refuses a NaN Hessian in its own name, on every backend (the ts backend named core's syrk before)", () => {
    // 1 → 1 → 1 → 1 quadratic: z¹ = 1e100·x, h¹ = 1e200x², z² = 1e300x², h² overflows; the Jacobian holds ±∞ and
    // its Gauss–Newton product ∞·0 entries.
    const deep: Model = { widths: [1, 1, 1, 1], activation: "quadratic", params: Float64Array.of(1e100, 0, 1e100, 0, 1, 0) };
    expect(() => hessian(deep, data)).toThrow(/^hessian: the Hessian is NaN at these parameters/);
    expect(() => hessian(deep, data, { split: true })).toThrow(/^hessian: the Hessian is NaN at these parameters/);
  });
});
