import { BACKENDS, init, isLosscapeError, loadWasm, matFromRows, setBackend } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createRng,
  erf,
  forward,
  gradient,
  hessian,
  initParams,
  loss,
  packParams,
  paramCount,
  parseCsvData,
  parseData,
  parseModel,
  MAX_JSON_DEPTH,
  serializeData,
  serializeModel,
  unpackParams,
  validateData,
  validateModel,
} from "./index.js";
import type { Model } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const spec = { widths: [1, 3, 1], activation: "tanh" as const };
const model: Model = { ...spec, params: Float64Array.from([0.1, -0.2, 0.3, 0, 0, 0, 1, 1, 1, 0]) };
const data = { x: matFromRows([[0.5], [-1]]), y: matFromRows([[1], [0]]) };

function errorOf(f: () => unknown): { code: string; message: string; name: string } {
  try {
    f();
  } catch (e) {
    expect(isLosscapeError(e)).toBe(true);
    return e as { code: string; message: string; name: string };
  }
  throw new Error("expected an error");
}

describe("parameters", () => {
  it("paramCount follows the layout of docs/conventions.md#flat-parameter-order", () => {
    expect(paramCount(spec)).toBe(10);
    expect(paramCount({ widths: [784, 256, 10], activation: "relu" })).toBe(784 * 256 + 256 + 256 * 10 + 10);
    expect(paramCount({ widths: [2, 3, 4], activation: "relu", bias: false })).toBe(2 * 3 + 3 * 4);
  });

  it("unpack/pack round trip and the flat order [W¹, b¹, W², b²]", () => {
    const layers = unpackParams(spec, model.params);
    expect(Array.from(layers[0].W.data)).toEqual([0.1, -0.2, 0.3]);
    expect(Array.from(layers[1].W.data)).toEqual([1, 1, 1]);
    expect(Array.from(layers[1].b)).toEqual([0]);
    expect(Array.from(packParams(spec, layers))).toEqual(Array.from(model.params));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }), fc.boolean(), (widths, bias) => {
        const s = { widths, activation: "sin" as const, bias };
        const p = initParams(s, { scheme: "normal", std: 1, seed: widths.length });
        expect(Array.from(packParams(s, unpackParams(s, p)))).toEqual(Array.from(p));
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it("initialisers are seeded and have the documented scale", () => {
    const s = { widths: [200, 300, 1], activation: "tanh" as const };
    const a = initParams(s, { scheme: "he", seed: 7 });
    expect(Array.from(initParams(s, { scheme: "he", seed: 7 }))).toEqual(Array.from(a));
    expect(Array.from(initParams(s, { scheme: "he", seed: 8 }))).not.toEqual(Array.from(a));
    const w1 = a.subarray(0, 200 * 300);
    const v = w1.reduce((t, x) => t + x * x, 0) / w1.length;
    // 60000 draws of N(0, 2/200): the sample variance has relative sd √(2/60000) ≈ 0.6 %; allow 3 %.
    expect(Math.abs(v / (2 / 200) - 1)).toBeLessThan(0.03);
    const x = initParams(s, { scheme: "xavier", seed: 1 }).subarray(0, 60000);
    expect(Math.abs(x.reduce((t, q) => t + q * q, 0) / 60000 / (2 / 500) - 1)).toBeLessThan(0.03);
    const b1 = a.subarray(60000, 60300);
    expect(Array.from(b1).every((q) => q === 0)).toBe(true);
  });
});

describe("createRng", () => {
  it("is deterministic, uniform in [0, 1) and normal with mean 0, variance 1", () => {
    const r1 = createRng(123);
    const r2 = createRng(123);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    let u = 0;
    for (let i = 0; i < n; i++) {
      const a = r1.next();
      expect(a).toBe(r2.next());
      expect(a >= 0 && a < 1).toBe(true);
      u += a;
      const z = r1.normal();
      r2.normal();
      s += z;
      s2 += z * z;
    }
    // Standard errors: uniform mean 1/√(12n) ≈ 0.002, normal mean 1/√n ≈ 0.007, variance √(2/n) ≈ 0.01; 5 sd.
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(s / n)).toBeLessThan(0.035);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[createRng(5).int(3) + 0 * i] += 0;
    const r = createRng(9);
    for (let i = 0; i < 3000; i++) counts[r.int(3)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150); // sd ≈ 26
    expect(createRng(1).next()).not.toBe(createRng(2).next());
  });
});

describe("activations", () => {
  it("erf matches known values (to 2e-16)", () => {
    // Reference values of erf (A&S tables / mpmath), rounded to double.
    const known: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3.5, 0.9999992569016276],
      [-1, -0.8427007929497149],
    ];
    for (const [x, v] of known) expect(Math.abs(erf(x) - v)).toBeLessThanOrEqual(2.3e-16);
    // continuity across the series / continued-fraction switch at 3
    expect(Math.abs(erf(3 - 1e-12) - erf(3))).toBeLessThan(1e-15);
  });
});

describe("model and data files", () => {
  it("model JSON round trip keeps every field and meta", () => {
    const m = { ...model, activation: [{ name: "leaky-relu", slope: 0.1 }] as const, meta: { note: "x", n: [1, 2] } };
    const text = JSON.stringify(serializeModel(m as unknown as Model));
    const back = parseModel(text);
    expect(back.meta).toEqual({ note: "x", n: [1, 2] });
    expect(back.activation).toEqual([{ name: "leaky-relu", slope: 0.1 }]);
    expect(Array.from(back.params)).toEqual(Array.from(model.params));
    expect(serializeModel(back)).toEqual(JSON.parse(text));
    expect(JSON.parse(text).format).toBe("losscape.mlp/1");
  });

  it("reads the example of docs/formats.md#models", () => {
    const m = parseModel(`{"format":"losscape.mlp/1","widths":[1,3,1],"activation":"tanh","output":"linear","bias":true,"loss":"mse",
      "params":[0.1,-0.2,0.3,0.0,0.0,0.0,1.0,1.0,1.0,0.0]}`);
    expect(forward(m, matFromRows([[0]])).data[0]).toBe(0);
  });

  it("data JSON and CSV round trips", () => {
    const d = { x: matFromRows([[1, 2], [3, 4.5]]), y: matFromRows([[0.25], [-1]]) };
    const j = parseData(JSON.stringify(serializeData(d)));
    expect(j).toEqual(d);
    const csv = serializeData(d, { format: "csv" });
    expect(csv.split("\n")[0]).toBe("x0,x1,y0");
    expect(parseData(csv, { inputs: 2 })).toEqual(d);
    expect(parseData("a,b,c\n1,2,3\n", { format: "csv", inputs: 1 }).y.cols).toBe(2);
    // flat x/y (one value per sample) are read as one-column rows
    expect(parseData({ format: "losscape.data/1", x: [1, 2], y: [3, 4] }).x.cols).toBe(1);
  });

  it("a UTF-8 byte-order mark is skipped in model JSON, data JSON and CSV", () => {
    const model = { format: "losscape.mlp/1", widths: [1, 1], activation: "tanh", params: [2, 0] };
    expect(Array.from(parseModel("\uFEFF" + JSON.stringify(model)).params)).toEqual([2, 0]);
    expect(parseData('\uFEFF{"format":"losscape.data/1","x":[[1]],"y":[[2]]}').y.data[0]).toBe(2);
    expect(parseData("\uFEFFa,b\n1,2\n", { inputs: 1 }).y.data[0]).toBe(2);
  });

  it("JSON nested deeper than MAX_JSON_DEPTH is a FormatError (not a stack overflow), as text or as an object", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    for (const text of [deep, `{"format":"losscape.mlp/1","widths":${deep}}`]) {
      const e = errorOf(() => parseModel(text));
      expect(e.code).toBe("E_FORMAT");
      expect(e.message).toMatch(new RegExp(`parseModel: input must nest at most ${MAX_JSON_DEPTH} levels deep`));
    }
    expect(errorOf(() => parseData(`{"format":"losscape.data/1","x":${deep}}`)).code).toBe("E_FORMAT");
    let o: unknown = [];
    for (let i = 0; i < MAX_JSON_DEPTH; i++) o = [o];
    expect(errorOf(() => parseModel({ format: "losscape.mlp/1", widths: o } as object)).message).toMatch(/levels deep/);
  });

  it("bad files give FormatError/ShapeError naming the field", () => {
    expect(errorOf(() => parseModel("{")).code).toBe("E_FORMAT");
    expect(errorOf(() => parseModel({ format: "x" })).message).toMatch(/parseModel: field 'format' must be "losscape.mlp\/1"; found "x"/);
    const e = errorOf(() => parseModel({ format: "losscape.mlp/1", widths: [1, 3, 1], activation: "tanh", params: [1, 2] }));
    expect(e.code).toBe("E_SHAPE");
    expect(e.message).toMatch(/parseModel: 'params' must have length 10 .*found 2/);
    expect(errorOf(() => parseModel({ format: "losscape.mlp/1", widths: [1, 1], activation: "tanh", params: [1, null] })).message).toMatch(
      /params\[1\]' must be a number; found null/,
    );
    expect(errorOf(() => parseModel({ format: "losscape.mlp/1", widths: [1, 2, 1], activation: "swish", params: [1, 2, 3, 4, 5, 6, 7] })).message).toMatch(
      /'activation' must be one of .*found 'swish'/,
    );
    expect(errorOf(() => parseData("a,b\n1,x\n", { inputs: 1 })).message).toMatch(/line 2, column 'b' must be a number; found 'x'/);
    // Number() would read these as 16, 5, 8 and 0; a CSV cell is a decimal number or nothing.
    for (const cell of ["0x10", "0b101", "0o10", " ", "1_000"]) {
      expect(errorOf(() => parseData(`a,b\n1,${cell}\n`, { inputs: 1 })).message, cell).toMatch(/line 2, column 'b' must be a number; found/);
    }
    for (const [cell, v] of [["-1.5e-3", -1.5e-3], ["+.25", 0.25], ["7.", 7], ["1E2", 100]] as const) {
      expect(parseData(`a,b\n1,${cell}\n`, { inputs: 1 }).y.data[0], cell).toBe(v);
    }
    expect(errorOf(() => parseData({ format: "losscape.data/1", x: [], y: [] })).message).toMatch(/n ≥ 1/);
    expect(errorOf(() => parseData({ format: "losscape.data/1", x: [[1], [2]], y: [[1]] })).code).toBe("E_SHAPE");
    expect(errorOf(() => parseData({ format: "losscape.data/1", x: [[1], [2, 3]], y: [[1], [2]] })).message).toMatch(/'x\[1\]' must have length 1/);
  });
});

describe("CSV: separator and header row", () => {
  const rows = (m: { rows: number; cols: number; data: Float64Array }) => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

  it("detects ',', ';' and tab, and whether the first line is a header, and says so", () => {
    const cases: [string, string, string[] | null][] = [
      ["x0,x1,y\n1,2,3\n4,5,6\n", ",", ["x0", "x1", "y"]],
      ["x0;x1;y\n1;2;3\n4;5;6\n", ";", ["x0", "x1", "y"]],
      ["x0\tx1\ty\n1\t2\t3\n4\t5\t6\n", "\t", ["x0", "x1", "y"]],
      ["1,2,3\n4,5,6\n", ",", null],
      ["1;2;3\r\n4;5;6\r\n", ";", null],
      ["1\t2\t3\n\n4\t5\t6", "\t", null],
    ];
    for (const [text, separator, header] of cases) {
      const csv = parseCsvData(text);
      expect({ separator: csv.separator, header: csv.header }, JSON.stringify(text)).toEqual({ separator, header });
      expect(rows(csv.data.x), JSON.stringify(text)).toEqual([[1, 2], [4, 5]]);
      expect(rows(csv.data.y), JSON.stringify(text)).toEqual([[3], [6]]);
      expect(parseData(text), JSON.stringify(text)).toEqual(csv.data);
    }
  });

  it("a file without a header keeps its first row (it was silently dropped)", () => {
    expect(parseData("1,2\n3,4\n").x.rows).toBe(2);
    expect(parseData("0.5,-1\n", { inputs: 1 }).y.data[0]).toBe(-1);
  });

  it("the consistent separator wins over one that splits only some lines", () => {
    // ',' splits the header into 1 field and the rows into 2 (decimal commas): ';' is consistent.
    const e = errorOf(() => parseCsvData("a;b\n1,5;2\n"));
    expect(e.message).toBe("parseCsvData: CSV line 2, column 'a' must be a number; found '1,5'");
  });

  it("options separator and header override detection", () => {
    expect(parseCsvData("1,2\n3,4\n", { header: true })).toMatchObject({ header: ["1", "2"], separator: "," });
    expect(rows(parseCsvData("1,2\n3,4\n", { header: true }).data.x)).toEqual([[3]]);
    expect(errorOf(() => parseCsvData("a,b\n1,2\n", { header: false })).message).toBe("parseCsvData: CSV line 1, column 1 must be a number; found 'a'");
    expect(errorOf(() => parseCsvData("1;2\n3;4\n", { separator: "," })).message).toMatch(/^parseCsvData: CSV needs at least 2 columns \(x, then y\); found 1 on line 1 with separator ','/);
    expect(parseData("1;2\n", { format: "csv", separator: ";", header: false }).y.data[0]).toBe(2);
    expect(errorOf(() => parseCsvData("1 2\n", { separator: " " as "," })).message).toMatch(/option 'separator' must be ',', ';' or '\\t'; found " "/);
    expect(errorOf(() => parseCsvData("1,2\n", { header: 1 as unknown as boolean })).code).toBe("E_VALUE");
  });

  it("rows of another length, a header without rows and one column are refused naming the line", () => {
    expect(errorOf(() => parseCsvData("a;b;c\n1;2;3\n\n4;5\n")).message).toBe("parseCsvData: CSV line 4 must have 3 fields (';'-separated) like the header; found 2");
    expect(errorOf(() => parseCsvData("1\t2\n3\n")).message).toMatch(/CSV line 2 must have 2 fields \(tab-separated\) like the first line; found 1/);
    expect(errorOf(() => parseCsvData("x,y\n")).message).toMatch(/CSV needs at least one data row after the header row/);
    expect(errorOf(() => parseCsvData("y\n1\n2\n")).message).toMatch(/CSV needs at least 2 columns/);
    expect(errorOf(() => parseCsvData("\n\n")).message).toMatch(/CSV needs at least one data row; found no non-empty line/);
    expect(errorOf(() => parseData("a;b;c\n1;2;3\n", { inputs: 3 })).message).toMatch(/option 'inputs' must be an integer in 1..2 \(the CSV has 3 columns\); found 3/);
  });
});

describe.each(BACKENDS)("validation at the boundary — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));

  it("a model mutated after its first use computes its new function (no stale compiled net)", () => {
    setBackend(backend);
    // Model's fields are readonly in TypeScript; plain JavaScript can still assign them.
    const m: { -readonly [K in keyof Model]: Model[K] } = { ...model, params: model.params.slice() };
    const tanhLoss = loss(m, data);
    m.activation = "sin";
    expect(loss(m, data)).toBe(loss({ ...m }, data)); // a fresh object: compiled from scratch
    expect(loss(m, data)).not.toBe(tanhLoss);
    m.activation = "tanh";
    expect(loss(m, data)).toBe(tanhLoss);
    const js = m;
    js.bias = false;
    js.params = new Float64Array(paramCount(m)).fill(0.3);
    expect(Array.from(gradient(m, data))).toEqual(Array.from(gradient({ ...m }, data)));
    js.widths = [1, 2, 1];
    js.params = new Float64Array(4).fill(0.3);
    expect(loss(m, data)).toBe(loss({ ...m, widths: [1, 2, 1] }, data));
  });

  it("wrong parameter length, NaN/Inf, unknown activation, data mismatch, n = 0", () => {
    setBackend(backend);
    let e = errorOf(() => gradient({ ...model, params: new Float64Array(9) }, data));
    expect(e.name).toBe("ShapeError");
    expect(e.message).toMatch(/^gradient: 'params' must have length 10 .*found 9$/);
    const bad = Float64Array.from(model.params);
    bad[3] = NaN;
    e = errorOf(() => loss({ ...model, params: bad }, data));
    expect(e.name).toBe("ValueError");
    expect(e.message).toMatch(/loss: argument 'params' must be finite; found NaN at \[3\]/);
    bad[3] = Infinity;
    expect(errorOf(() => hessian({ ...model, params: bad }, data)).message).toMatch(/Infinity/);
    e = errorOf(() => forward({ ...model, activation: "elu" as never }, data.x));
    expect(e.message).toMatch(/forward: 'activation' must be one of .*found 'elu'/);
    e = errorOf(() => gradient(model, { x: matFromRows([[1, 2]]), y: matFromRows([[1]]) }));
    expect(e.message).toMatch(/gradient: 'data.x' must have d_in = 1 columns/);
    e = errorOf(() => gradient(model, { x: data.x, y: matFromRows([[1, 2], [3, 4]]) }));
    expect(e.message).toMatch(/'data.y' must have d_out = 1 columns/);
    e = errorOf(() => gradient(model, { x: data.x, y: matFromRows([[1]]) }));
    expect(e.message).toMatch(/'data.y' must have as many rows as 'data.x' \(2\); found 1/);
    e = errorOf(() => loss(model, { x: { rows: 0, cols: 1, data: new Float64Array(0) }, y: { rows: 0, cols: 1, data: new Float64Array(0) } }));
    expect(e.message).toMatch(/n ≥ 1/);
    const xnan = matFromRows([[0.5], [NaN]]);
    expect(errorOf(() => loss(model, { x: xnan, y: data.y })).message).toMatch(/'data.x' must be finite; found NaN at \(1, 0\)/);
    expect(errorOf(() => validateModel({ ...model, widths: [1, 0, 1] })).message).toMatch(/'widths\[1\]' must be an integer ≥ 1; found 0/);
    expect(errorOf(() => validateModel({ ...model, activation: ["tanh", "tanh"] })).message).toMatch(/one entry per hidden layer \(1\); found 2/);
    expect(errorOf(() => validateData({ ...spec, loss: "cross-entropy" }, { x: data.x, y: matFromRows([[-1], [1]]) })).code).toBe("E_VALUE");
    const big = { widths: [784, 256, 10], activation: "relu" as const, params: new Float64Array(203530) };
    expect(errorOf(() => hessian(big, { x: { rows: 1, cols: 784, data: new Float64Array(784) }, y: { rows: 1, cols: 10, data: new Float64Array(10) } })).message).toMatch(
      /hessian: the dense Hessian \(M × M\) would have 4\.142e\+10 entries .* use hessianVectorProduct/,
    );
    expect(errorOf(() => validateModel({ ...model, loss: "hinge" as never })).message).toMatch(/'loss' must be 'mse' or 'cross-entropy'; found 'hinge'/);
  });
});
