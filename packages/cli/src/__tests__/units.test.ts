import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConvergenceError, FormatError, ShapeError, ValueError, WasmError } from "@losscape/core";
import { EXIT_BAD_INPUT, EXIT_INTERNAL, exitCodeOf, InputError, oneLine } from "../errors.js";
import { fmt, table } from "../format.js";
import { parseJsonFile, writeFileAtomic } from "../io.js";
import { jsonOutput, toJsonSafe } from "../json.js";
import { run, tempDir } from "./run.js";
import { parseActivation } from "../io.js";
import { ACTIVATION_TABLE } from "@losscape/mlp";

describe("json: non-finite numbers", () => {
  it("become null and are named by their path in warnings", () => {
    const { value, warnings } = toJsonSafe({ a: 1, b: [2, NaN, { c: Infinity }], d: Float64Array.from([0, -Infinity]) });
    expect(value).toEqual({ a: 1, b: [2, null, { c: null }], d: [0, null] });
    expect(warnings).toEqual(["b[1] is NaN (written as null)", "b[2].c is Infinity (written as null)", "d[1] is -Infinity (written as null)"]);
  });

  it("round-trips every finite double exactly and always prints a warnings array (seeded property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (xs) => {
        const o = JSON.parse(jsonOutput({ xs: Float64Array.from(xs) }));
        expect(o.warnings).toEqual([]);
        expect(o.xs).toEqual(xs.map((x) => (Object.is(x, -0) ? 0 : x)));
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("keeps the record's own warnings first and prints exactly one line", () => {
    const text = jsonOutput({ warnings: ["mine"], x: NaN });
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trimEnd().includes("\n")).toBe(false);
    expect(JSON.parse(text).warnings).toEqual(["mine", "x is NaN (written as null)"]);
  });
});

describe("format", () => {
  it("aligns columns: numeric columns to the right, text to the left", () => {
    const t = table(["name", "value"], [["a", "1"], ["long name", "-12.5"]]).split("\n");
    expect(t[0]).toBe("name       value");
    expect(t[2]).toBe("a              1");
    expect(t[3]).toBe("long name  -12.5");
  });

  it("prints numbers with 6 significant digits, exponents when tiny or huge, integers as they are", () => {
    expect(fmt(0.123456789)).toBe("0.123457");
    expect(fmt(1.5e-9)).toBe("1.50000e-9");
    expect(fmt(42)).toBe("42");
    expect(fmt(null)).toBe("—");
    expect(fmt(NaN)).toBe("NaN");
  });
});

describe("writeFileAtomic", () => {
  it("replaces a file whole and leaves no temporary file", () => {
    const d = tempDir();
    const p = join(d, "f.json");
    writeFileSync(p, "old");
    writeFileAtomic(p, "new content");
    expect(readFileSync(p, "utf8")).toBe("new content");
    expect(readdirSync(d)).toEqual(["f.json"]);
  });

  it("on failure (the target is a directory) throws, removes its temporary file and leaves the target alone", () => {
    const d = tempDir();
    const p = join(d, "target");
    mkdirSync(p);
    writeFileSync(join(p, "inside"), "x");
    expect(() => writeFileAtomic(p, "data")).toThrow(/cannot write/);
    expect(readdirSync(d)).toEqual(["target"]);
    expect(readdirSync(p)).toEqual(["inside"]);
  });
});

describe("exit statuses", () => {
  it("bad input (InputError, E_SHAPE, E_VALUE, E_FORMAT) is 2; everything else is 1", () => {
    expect(exitCodeOf(new InputError("x"))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeOf(new ShapeError("x"))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeOf(new ValueError("x"))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeOf(new FormatError("x"))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeOf(new ConvergenceError("x"))).toBe(EXIT_INTERNAL);
    expect(exitCodeOf(new WasmError("x"))).toBe(EXIT_INTERNAL);
    expect(exitCodeOf(new TypeError("x"))).toBe(EXIT_INTERNAL);
    expect(exitCodeOf("a string")).toBe(EXIT_INTERNAL);
  });

  it("messages are folded to one line", () => {
    expect(oneLine(new Error("first\n  second\n"))).toBe("first second");
    expect(oneLine(42)).toBe("42");
  });
});

describe("--activation: the names of mlp's activation table", () => {
  it("parses every name of the table, name:value for one with a parameter, and one per hidden layer", () => {
    for (const e of ACTIVATION_TABLE) expect(parseActivation(e.name)).toBe(e.name);
    expect(parseActivation("leaky-relu:0.2")).toEqual({ name: "leaky-relu", slope: 0.2 });
    expect(parseActivation("silu,leaky-relu:-0.5")).toEqual(["silu", { name: "leaky-relu", slope: -0.5 }]);
    expect(() => parseActivation("leaky-relu:x")).toThrow(InputError);
    expect(() => parseActivation("leaky-relu:")).toThrow(/leaky-relu slope must be a finite number; found ''/);
  });

  it("train --help lists every activation of the table", async () => {
    const { stdout, code } = await run(["train", "--help"]);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, " ");
    for (const e of ACTIVATION_TABLE) expect(help).toContain(e.name);
    expect(help).toContain("leaky-relu:<slope>");
  });
});

describe("parseJsonFile: Python's NaN / Infinity tokens", () => {
  const field = (text: string) => {
    try {
      parseJsonFile("m.json", text);
    } catch (e) {
      return (e as Error).message;
    }
    return "parsed";
  };

  it("names the first non-finite field, wherever it is; tokens inside strings are text, not numbers", () => {
    expect(field('{"a": [1, -Infinity], "b": NaN}')).toBe("m.json: field 'a[1]' must be a finite number; found -Infinity");
    expect(field('{"note": "NaN and Infinity \\" NaN", "p": [Infinity]}')).toBe("m.json: field 'p[0]' must be a finite number; found Infinity");
    expect(field('{"note": "NaN"}')).toBe("parsed");
    expect(field('{"p": [1, NaX]}')).toMatch(/^m\.json: not valid JSON/);
  });

  it("a long parameter list with one NaN deep inside (fast-check over its position)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999 }), (k) => {
        const params = Array.from({ length: 100_000 }, (_, i) => (i === k ? "NaN" : String(i / 7)));
        expect(field(`{"params": [${params.join(",")}]}`)).toBe(`m.json: field 'params[${k}]' must be a finite number; found NaN`);
      }),
      { numRuns: 5, seed: 2 },
    );
  });
});
