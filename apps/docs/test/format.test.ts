// How the live examples print values (.vitepress/theme/format.ts): 8 significant digits in the shortest form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNumber, formatValue } from "../.vitepress/theme/format.js";

describe("formatNumber", () => {
  it("prints the shortest form of the value rounded to 8 significant digits", () => {
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(1 / 3)).toBe("0.33333333");
    expect(formatNumber(2 - Math.SQRT2)).toBe("0.58578644");
    expect(formatNumber(-0.99)).toBe("-0.99");
    expect(formatNumber(0.0001)).toBe("0.0001");
    expect(formatNumber(1.2345678912e-7)).toBe("1.2345679e-7");
    expect(formatNumber(-3e-17)).toBe("-3e-17");
    expect(formatNumber(123456789.4)).toBe("123456790");
    expect(formatNumber(1.5e300)).toBe("1.5e+300");
    expect(formatNumber(42)).toBe("42");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(Number.NaN)).toBe("NaN");
    expect(formatNumber(-Infinity)).toBe("-Infinity");
  });

  it("reads back as toPrecision(8) of the value, with no trailing zero after the point", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = formatNumber(x);
        const rounded = Number.isInteger(x) ? x : Number(x.toPrecision(8));
        expect(Number(s)).toBe(rounded === 0 ? 0 : rounded); // −0 prints "0"
        const mantissa = s.split("e")[0];
        if (mantissa.includes(".")) expect(mantissa).not.toMatch(/0$/);
        // significant digits: the mantissa's digits without leading and trailing zeros
        if (!Number.isInteger(x)) expect(mantissa.replace(/[-.]/g, "").replace(/^0+/, "").replace(/0+$/, "").length).toBeLessThanOrEqual(8);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe("formatValue", () => {
  it("prints arrays on one line and records as JSON with numbers to 8 digits", () => {
    expect(formatValue("text")).toBe("text");
    expect(formatValue(Float64Array.from([0.5, 1 / 3, 2]))).toBe("[0.5, 0.33333333, 2]");
    expect(formatValue([[1, 0.25], Float64Array.from([1e-9])])).toBe("[[1, 0.25], [1e-9]]");
    expect(formatValue({ negative: 0, zero: 1, positive: 9, ratio: 2 / 3 })).toBe('{"negative":0,"zero":1,"positive":9,"ratio":0.66666667}');
    expect(formatValue({ v: Float64Array.from([0.1 + 0.2]) })).toBe('{"v":[0.3]}');
  });
});
