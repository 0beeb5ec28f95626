import { init, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addRational,
  complex,
  empiricalIndex,
  fitCriticalEnergy,
  freeConvolution,
  freeConvolutionSubordination,
  freePoissonG,
  hessianSpectrumSLQ,
  histogram,
  lanczosQuadrature,
  marchenkoPastur,
  modelSpectrumExperiment,
  penningtonBahri,
  rationalMeasure,
  sampleWigner,
  semicircle,
  semicircleG,
  stochasticLanczosQuadrature,
} from "./index.js";

// Options that are not an object or hold an unknown key, and arguments of the wrong type, are refused by name (null
// was a TypeError from inside; unknown keys and NaN were passed on).
beforeAll(async () => {
  await init();
});

describe("options objects are checked: null and unknown keys are refused by name", () => {
  it("histogram, modelSpectrumExperiment, samplers, measures, SLQ, subordination, penningtonBahri, fits", () => {
    expect(() => histogram([1, 2], null as never)).toThrow(/^histogram: argument 'options' must be an object or undefined; found null/);
    expect(() => histogram([1, 2], { bin: 3 } as never)).toThrow(/^histogram: unknown option 'bin'; expected one of 'bins', 'from', 'to'/);
    expect(() => modelSpectrumExperiment(null as never)).toThrow(/^modelSpectrumExperiment: argument 'options' must be an object; found null/);
    expect(() => modelSpectrumExperiment({ model: "wigner", n: 10, phi: 0.5, eps: 0.1, seed: 1, bin: 5 } as never)).toThrow(/^modelSpectrumExperiment: unknown option 'bin'/);
    expect(() => sampleWigner(3, 1, { seed: 1, sed: 2 } as never)).toThrow(/^sampleWigner: unknown option 'sed'/);
    expect(() => semicircle({ variance: 1, mu: 0 } as never)).toThrow(/^semicircle: unknown option 'mu'; expected one of 'variance', 'mean'/);
    expect(() => marchenkoPastur(null as never)).toThrow(/^marchenkoPastur: argument 'options'/);
    expect(() => empiricalIndex([1, -1], { tolerance: 0 } as never)).toThrow(/^empiricalIndex: unknown option 'tolerance'/);
    expect(() => stochasticLanczosQuadrature((v) => v, 3, { seed: 1, probe: 2 } as never)).toThrow(/^stochasticLanczosQuadrature: unknown option 'probe'/);
    expect(() => freeConvolutionSubordination(semicircle({ variance: 1 }), semicircle({ variance: 1 }), { grid: 10 } as never)).toThrow(/^freeConvolutionSubordination: unknown option 'grid'/);
    expect(() => penningtonBahri({ model: "wigner", phi: 0.5, eps: 0.1, seed: 1 } as never)).toThrow(/^penningtonBahri: unknown option 'seed'/);
    expect(() => fitCriticalEnergy([], { maxindex: 0.1 } as never)).toThrow(/^fitCriticalEnergy: unknown option 'maxindex'/);
    expect(histogram([0, 1], { bins: 2 }).counts.length).toBe(2);
  });
  it("hessianSpectrumSLQ passes only its SLQ keys on (its 'part' is not refused by stochasticLanczosQuadrature)", () => {
    const model = { widths: [1, 2, 1], activation: "tanh" as const, params: Float64Array.from([0.3, -0.7, 0.2, -0.4, 0.9, -1.2, 0.1]) };
    const data = { x: [[-1], [0], [1]], y: [[0.5], [0], [-0.5]] };
    expect(hessianSpectrumSLQ(model, data, { steps: 4, probes: 2, seed: 1, part: "gauss-newton" }).probes.length).toBe(2);
    expect(() => hessianSpectrumSLQ(model, data, { steps: 4, seed: 1, prt: "full" } as never)).toThrow(/^hessianSpectrumSLQ: unknown option 'prt'/);
  });
});

describe("measure building blocks refuse arguments that are not measures, descriptors or finite numbers", () => {
  it("freeConvolution, rationalMeasure and addRational (null was a TypeError)", () => {
    expect(() => freeConvolution(null as never)).toThrow(/^freeConvolution: argument 0 must be a SpectralMeasure; found null/);
    expect(() => freeConvolution(semicircle({ variance: 1 }), 3 as never)).toThrow(/^freeConvolution: argument 1 must be a SpectralMeasure; found number/);
    expect(() => rationalMeasure(null as never, "x")).toThrow(/^rationalMeasure: argument 'desc' must be a rational R-transform \{ shift, variance, poles \}; found null/);
    expect(() => rationalMeasure({ shift: 0, variance: NaN, poles: [] }, "x")).toThrow(/^rationalMeasure: 'desc\.variance' must be a finite number; found NaN/);
    expect(() => rationalMeasure({ shift: 0, variance: 1, poles: [{ rate: -1, jump: 1 }] }, "x")).toThrow(/^rationalMeasure: 'desc\.poles\[0\]\.rate' must be ≥ 0/);
    expect(() => addRational(null as never, { shift: 0, variance: 1, poles: [] })).toThrow(/^addRational: argument 'a' must be/);
    expect(() => addRational({ shift: 0, variance: 1, poles: [] }, { shift: "1", variance: 1, poles: [] } as never)).toThrow(/^addRational: 'b\.shift' must be a finite number/);
    expect(addRational({ shift: 1, variance: 1, poles: [] }, { shift: 0, variance: 2, poles: [] })).toEqual({ shift: 1, variance: 3, poles: [] });
  });
  it("complex, semicircleG and freePoissonG (NaN and '1' were passed through)", () => {
    expect(() => complex(NaN)).toThrow(/^complex: 're' must be a finite number; found NaN/);
    expect(() => complex(1, "1" as never)).toThrow(/^complex: 'im' must be a finite number; found 1/);
    expect(complex(0.5, 1e-3)).toEqual({ re: 0.5, im: 1e-3 });
    expect(() => semicircleG(NaN, { re: 0, im: 1 })).toThrow(/^semicircleG: 'v' must be a finite number; found NaN/);
    expect(() => semicircleG("1" as never, { re: 0, im: 1 })).toThrow(ValueError);
    expect(() => semicircleG(1, { re: NaN, im: 0 })).toThrow(/^semicircleG: argument 'z' must be a finite complex number/);
    expect(() => semicircleG(1, null as never)).toThrow(/^semicircleG: argument 'z'/);
    expect(semicircleG(1, { re: 0, im: 0 }).im).toBeCloseTo(-1, 14);
    expect(() => freePoissonG(NaN, 1, { re: 0, im: 1 })).toThrow(/^freePoissonG: 'r' must be a finite number/);
    expect(() => freePoissonG(1, "1" as never, { re: 0, im: 1 })).toThrow(/^freePoissonG: 'a' must be a finite number/);
    expect(() => freePoissonG(1, 1, { re: 0, im: Infinity })).toThrow(/^freePoissonG: argument 'z'/);
  });
});

describe("lanczosQuadrature checks its own arguments and names itself (its errors named lanczos or eigh)", () => {
  it("a null start vector, a bad matvec, a product that is not finite", () => {
    expect(() => lanczosQuadrature((v) => v, null as never, 2)).toThrow(/^lanczosQuadrature: argument 'v0' must be an array of numbers; found null/);
    expect(() => lanczosQuadrature(null as never, [1, 1], 2)).toThrow(/^lanczosQuadrature: argument 'matvec' must be a function; found null/);
    expect(() => lanczosQuadrature((v) => v, [1, NaN], 2)).toThrow(/^lanczosQuadrature: argument 'v0' must be finite; found NaN at \[1\]/);
    expect(() => lanczosQuadrature((v) => v, [1, 1], 0)).toThrow(/^lanczosQuadrature: 'steps' must be ≥ 1/);
    expect(() => lanczosQuadrature(() => null as never, [1, 1], 2)).toThrow(/^lanczosQuadrature: 'matvec' must return an array of 2 numbers; found null/);
    expect(() => lanczosQuadrature((v) => v.map(() => NaN), [1, 1], 2)).toThrow(/^lanczosQuadrature: 'matvec' must return finite values; found NaN at \[0\]/);
    const q = lanczosQuadrature((v) => Float64Array.from([2 * v[0], 3 * v[1]]), [1, 1], 2);
    expect(Array.from(q.nodes).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([2, 3]);
  });
  it("an operator beyond float64's range and a start vector of infinite norm (they failed in core's axpy and lanczos)", () => {
    // A = 1.5e308·sign(v): finite products whose Rayleigh quotient overflows
    expect(() => lanczosQuadrature((v) => v.map((x) => 1.5e308 * Math.sign(x)), [1, 1], 2)).toThrow(/^lanczosQuadrature: 'matvec' returned a product of norm Infinity, beyond float64's range/);
    expect(() => lanczosQuadrature((v) => v, [1.5e308, 1.5e308], 2)).toThrow(/^lanczosQuadrature: argument 'v0' must be non-zero and of finite norm; found norm Infinity/);
  });
});
