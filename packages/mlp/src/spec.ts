import { checkFinite, checkMat, OutOfMemoryError, ShapeError, ValueError, type Mat, type MatInput } from "@losscape/core";
import { activationCode } from "./activations.js";
import type { Dataset, DatasetInput, Layer, MlpSpec, Model, ModelInput } from "./types.js";

/**
 * The compiled form of a spec used by every computation (TS and WASM): widths, one activation code per layer
 * (hidden layers, then the output), parameter offsets in the flat order of docs/conventions.md#flat-parameter-order. Internal.
 */
export interface Net {
  readonly widths: readonly number[];
  /** Number of weight layers L (widths.length − 1). */
  readonly L: number;
  /** Activation code of layer l = 1..L at index l − 1 (the last one is the output activation). */
  readonly codes: Int32Array;
  readonly cparams: Float64Array;
  readonly bias: boolean;
  /** 0 = mse, 1 = cross-entropy. */
  readonly loss: 0 | 1;
  readonly l2: number;
  /** Offset of Wˡ (index l − 1) and bˡ in θ. */
  readonly offW: readonly number[];
  readonly offB: readonly number[];
  readonly M: number;
}

/**
 * Compiled nets by spec object, each with the key of the fields it was compiled from: a spec mutated after its
 * first use (`model.activation = "sin"`, a new `widths`) no longer matches its key and is compiled again, so a
 * computation never uses a stale net.
 */
const netCache = new WeakMap<object, { key: string; net: Net }>();

/** The fields of a spec that a compiled net depends on, as one string (cheap: a handful of short fields). */
function specKey(spec: MlpSpec): string {
  const a = spec.activation as unknown;
  const o = spec.output as unknown;
  const w = spec.widths as unknown;
  return `${Array.isArray(w) ? w.join(",") : String(w)}|${typeof a === "string" ? a : JSON.stringify(a)}|${typeof o === "string" || o === undefined ? String(o) : JSON.stringify(o)}|${String(spec.bias)}|${String(spec.loss)}|${String(spec.l2)}`;
}

/** Validate a spec (widths, activations, output, bias, loss, l2) and compile it; errors name `fn` and the field. */
export function compileSpec(fn: string, spec: MlpSpec): Net {
  if (typeof spec !== "object" || spec === null) throw new ValueError(`${fn}: 'model' must be an object; found ${String(spec)}`);
  const key = specKey(spec);
  const cached = netCache.get(spec);
  if (cached && cached.key === key) return cached.net;
  const widths = spec.widths as unknown;
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new ShapeError(`${fn}: 'widths' must be an array [d_in, m_1, …, d_out] of at least 2 integers; found ${JSON.stringify(widths)}`);
  }
  widths.forEach((w, i) => {
    if (!Number.isInteger(w) || (w as number) < 1) {
      throw new ShapeError(`${fn}: 'widths[${i}]' must be an integer ≥ 1; found ${String(w)}`);
    }
  });
  const L = widths.length - 1;
  const codes = new Int32Array(L);
  const cparams = new Float64Array(L);
  const a = spec.activation as unknown;
  if (Array.isArray(a)) {
    if (a.length !== L - 1) {
      throw new ShapeError(`${fn}: 'activation' must have one entry per hidden layer (${L - 1}); found ${a.length}`);
    }
    a.forEach((x, i) => {
      const c = activationCode(fn, `activation[${i}]`, x);
      codes[i] = c.code;
      cparams[i] = c.param;
    });
  } else if (L > 1) {
    const c = activationCode(fn, "activation", a);
    codes.fill(c.code, 0, L - 1);
    cparams.fill(c.param, 0, L - 1);
  } else if (a !== undefined) {
    activationCode(fn, "activation", a); // still reject unknown names
  }
  const o = activationCode(fn, "output", spec.output ?? "linear");
  codes[L - 1] = o.code;
  cparams[L - 1] = o.param;
  const bias = spec.bias ?? true;
  if (typeof bias !== "boolean") throw new ValueError(`${fn}: 'bias' must be true or false; found ${String(bias)}`);
  const lossName = spec.loss ?? "mse";
  if (lossName !== "mse" && lossName !== "cross-entropy") {
    throw new ValueError(`${fn}: 'loss' must be 'mse' or 'cross-entropy'; found '${String(lossName)}'`);
  }
  const l2 = spec.l2 ?? 0;
  if (typeof l2 !== "number" || !Number.isFinite(l2) || l2 < 0) {
    throw new ValueError(`${fn}: 'l2' must be a finite number ≥ 0; found ${String(l2)}`);
  }
  const offW: number[] = [];
  const offB: number[] = [];
  let M = 0;
  for (let l = 1; l <= L; l++) {
    offW.push(M);
    M += widths[l] * widths[l - 1];
    offB.push(M);
    if (bias) M += widths[l];
  }
  if (M > MAX_PARAMS) {
    // Checked before anything is allocated: every computation holds several vectors of length M.
    throw new OutOfMemoryError(`${fn}: the network has M = ${M.toExponential(3)} parameters (${((M * 8) / 2 ** 30).toFixed(1)} GiB per parameter vector); at most 2^28 = ${MAX_PARAMS} are supported`);
  }
  const net: Net = { widths: widths.slice(), L, codes, cparams, bias, loss: lossName === "mse" ? 0 : 1, l2, offW, offB, M };
  netCache.set(spec, { key, net });
  return net;
}

/** The largest parameter count a network may have: 2^28 (2 GiB per float64 parameter vector). */
export const MAX_PARAMS = 2 ** 28;

/**
 * Number of parameters M = Σₗ mₗ·mₗ₋₁ (+ Σₗ mₗ with biases) of the network `spec` (the flat order of docs/conventions.md#flat-parameter-order).
 * @example
 * paramCount({ widths: [1, 3, 1], activation: "tanh" }) // 10
 */
export function paramCount(spec: MlpSpec): number {
  return compileSpec("paramCount", spec).M;
}

/**
 * Validate a model: its spec (widths, activation names, output, bias, loss, l2) and its parameters (a
 * Float64Array or an array of numbers, of length paramCount, all finite). Throws ShapeError/ValueError naming `fn`,
 * the field, expected and found. Returns the model with Float64Array params (the same object when they were one).
 * @example
 * validateModel({ widths: [1, 2, 1], activation: "tanh", params: new Float64Array(7) }); // ok
 */
export function validateModel(model: ModelInput, fn = "validateModel"): Model {
  const m = asModel(model);
  checkModel(fn, m);
  return m;
}

/**
 * `model` with its params as a Float64Array: the same object when they already are one, otherwise a shallow copy
 * whose params are copied from the array of numbers (their length and finiteness are `checkModel`'s to check).
 */
export function asModel(model: ModelInput): Model {
  const p = (model as { params?: unknown } | null)?.params;
  if (p instanceof Float64Array || typeof p !== "object" || p === null || typeof (p as ArrayLike<unknown>).length !== "number") return model as Model;
  const arr = p as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] !== "number") return model as Model; // checkModel names it
  return { ...model, params: Float64Array.from(arr as ArrayLike<number>) };
}

/** validateModel that returns the compiled net (internal). */
export function checkModel(fn: string, model: Model): Net {
  const net = compileSpec(fn, model);
  const p = model.params as unknown;
  if (!(p instanceof Float64Array)) {
    throw new ShapeError(`${fn}: 'params' must be a Float64Array of length ${net.M}; found ${describe(p)}`);
  }
  if (p.length !== net.M) {
    throw new ShapeError(
      `${fn}: 'params' must have length ${net.M} (the parameter count of widths [${net.widths.join(", ")}]${net.bias ? "" : " without bias"}); found ${p.length}`,
    );
  }
  checkFinite(fn, "params", p);
  return net;
}

/**
 * Validate data against a spec: x is n × d_in and y is n × d_out with the same n ≥ 1, every entry finite;
 * for cross-entropy every y entry must be ≥ 0 (one-hot or class probabilities).
 * @example
 * validateData(spec, { x: matFromRows([[0]]), y: matFromRows([[1]]) });
 */
export function validateData(spec: MlpSpec, data: DatasetInput, fn = "validateData"): Dataset {
  return checkData(fn, compileSpec(fn, spec), data);
}

/**
 * `validateData` against a compiled net, the argument called `name` in messages ('data', 'validation'); returns the
 * data with x and y as Mats (the same object when they were).
 */
export function checkData(fn: string, net: Net, input: DatasetInput, name = "data"): Dataset {
  if (typeof input !== "object" || input === null) throw new ValueError(`${fn}: '${name}' must be {x, y}; found ${String(input)}`);
  const x = checkInputs(fn, net, input.x, `${name}.x`);
  const y = matOrColumn(fn, `${name}.y`, input.y, { allowEmpty: true });
  const data: Dataset = x === input.x && y === input.y ? (input as Dataset) : { x, y };
  const dOut = net.widths[net.L];
  if (data.y.cols !== dOut) {
    throw new ShapeError(`${fn}: '${name}.y' must have d_out = ${dOut} columns (widths[${net.L}]); found ${data.y.cols}`);
  }
  if (data.y.rows !== data.x.rows) {
    throw new ShapeError(`${fn}: '${name}.y' must have as many rows as '${name}.x' (${data.x.rows}); found ${data.y.rows}`);
  }
  if (net.loss === 1) {
    const ys = data.y.data;
    for (let k = 0; k < ys.length; k++) {
      if (ys[k] < 0) {
        throw new ValueError(
          `${fn}: '${name}.y' must be one-hot or class probabilities (≥ 0) for cross-entropy; found ${ys[k]} at (${Math.floor(k / dOut)}, ${k % dOut})`,
        );
      }
    }
  }
  return data;
}

/** Inputs x (n × d_in, n ≥ 1, finite) as a Mat: a Mat, rows of numbers, or a plain array of numbers as one column. */
export function checkInputs(fn: string, net: Net, input: MatInput | ArrayLike<number>, arg = "x"): Mat {
  const x = matOrColumn(fn, arg, input, { allowEmpty: true });
  const dIn = net.widths[0];
  if (x.cols !== dIn) {
    throw new ShapeError(`${fn}: '${arg}' must have d_in = ${dIn} columns (widths[0]); found ${x.rows}×${x.cols}`);
  }
  if (x.rows < 1) throw new ShapeError(`${fn}: '${arg}' must have at least one row (n ≥ 1); found n = 0`);
  return x;
}

/** `checkMat`, where a plain array of numbers (or a Float64Array) is one column: one entry per sample. */
function matOrColumn(fn: string, arg: string, v: MatInput | ArrayLike<number>, options: { allowEmpty?: boolean }): Mat {
  const column = v instanceof Float64Array || (Array.isArray(v) && v.length > 0 && typeof v[0] === "number");
  return checkMat(fn, arg, column ? { rows: v.length, cols: 1, data: Float64Array.from(v as ArrayLike<number>) } : (v as MatInput), options);
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an Array of length ${x.length}`;
  if (typeof x === "object") return `${(x as object).constructor?.name ?? "object"}`;
  return typeof x;
}

/**
 * Split a flat θ into its layers: Wˡ is mₗ × mₗ₋₁ (row-major views into a copy of θ), bˡ of length mₗ
 * (length 0 without bias). Inverse of `packParams`.
 * @example
 * unpackParams({ widths: [1, 2, 1], activation: "tanh" }, theta)[0].W // 2 × 1
 */
export function unpackParams(spec: MlpSpec, params: ArrayLike<number>): Layer[] {
  const fn = "unpackParams";
  const net = compileSpec(fn, spec);
  if (params === null || typeof params !== "object" || params.length !== net.M) {
    throw new ShapeError(`${fn}: 'params' must have length ${net.M}; found ${params === null || typeof params !== "object" ? String(params) : params.length}`);
  }
  const p = Float64Array.from(params);
  const layers: Layer[] = [];
  for (let l = 1; l <= net.L; l++) {
    const r = net.widths[l];
    const c = net.widths[l - 1];
    const W = { rows: r, cols: c, data: p.subarray(net.offW[l - 1], net.offW[l - 1] + r * c) };
    const b = net.bias ? p.subarray(net.offB[l - 1], net.offB[l - 1] + r) : new Float64Array(0);
    layers.push({ W, b });
  }
  return layers;
}

/**
 * Join layers into the flat θ = [W¹, b¹, …, W^L, b^L] of docs/conventions.md#flat-parameter-order (biases omitted when `spec.bias` is false).
 * @example
 * packParams(spec, unpackParams(spec, theta)) // equals theta
 */
export function packParams(spec: MlpSpec, layers: readonly Layer[]): Float64Array {
  const fn = "packParams";
  const net = compileSpec(fn, spec);
  if (!Array.isArray(layers) || layers.length !== net.L) {
    throw new ShapeError(`${fn}: 'layers' must have ${net.L} entries; found ${Array.isArray(layers) ? layers.length : String(layers)}`);
  }
  const p = new Float64Array(net.M);
  for (let l = 1; l <= net.L; l++) {
    const { W, b } = layers[l - 1];
    const r = net.widths[l];
    const c = net.widths[l - 1];
    if (!W || W.rows !== r || W.cols !== c || W.data.length !== r * c) {
      throw new ShapeError(`${fn}: 'layers[${l - 1}].W' must be ${r}×${c}; found ${W ? `${W.rows}×${W.cols}` : String(W)}`);
    }
    p.set(W.data, net.offW[l - 1]);
    const wantB = net.bias ? r : 0;
    if (!b || b.length !== wantB) {
      throw new ShapeError(`${fn}: 'layers[${l - 1}].b' must have length ${wantB}; found ${b ? b.length : String(b)}`);
    }
    if (net.bias) p.set(b, net.offB[l - 1]);
  }
  return p;
}

/**
 * The same network with other parameters (checked for length and finiteness); spec and meta are kept.
 * @example
 * const m2 = withParams(model, newTheta);
 */
export function withParams(model: Model, params: ArrayLike<number>): Model {
  const fn = "withParams";
  const net = compileSpec(fn, model);
  const p = Float64Array.from(params);
  if (p.length !== net.M) throw new ShapeError(`${fn}: 'params' must have length ${net.M}; found ${p.length}`);
  checkFinite(fn, "params", p);
  const m: Model = { ...model, params: p };
  netCache.set(m, netCache.get(model)!); // the same spec fields, so the same key and net compileSpec just checked
  return m;
}
