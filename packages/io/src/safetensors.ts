import { ValueError, checkOptions } from "@losscape/core";
import { unpackParams, validateModel, type MlpSpec, type Model } from "@losscape/mlp";
import { decodeElements, formatError, sizeOf, writeFloat64LE, type ElementKind } from "./ndarray.js";

/** The safetensors dtypes read (all convert exactly to float64) → element kind and size in bytes. */
const ST_DTYPES: Record<string, { kind: ElementKind; size: number }> = {
  F64: { kind: "f", size: 8 },
  F32: { kind: "f", size: 4 },
  F16: { kind: "f", size: 2 },
  BF16: { kind: "bf", size: 2 },
};

/** A tensor entry of the JSON header. */
interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** A Linear layer's tensors, by the name's numeric index (`0.weight`, `net.2.bias`, …). */
interface LinearLayer {
  index: number;
  weight?: TensorEntry;
  bias?: TensorEntry;
}

/** The spec fields a `losscape` metadata entry or `options.spec` may give. */
const SPEC_FIELDS = ["widths", "activation", "output", "bias", "loss", "l2"] as const;

const FN = "readSafetensors";

/** The header: tensor entries (layout checked: shapes, offsets inside the buffer) and the string metadata. */
function readHeader(file: string | undefined, bytes: Uint8Array): { tensors: TensorEntry[]; metadata: Record<string, string>; bufferStart: number } {
  const fail = (m: string): never => formatError(FN, file, m);
  if (bytes.length < 8) fail(`not a safetensors file: it must start with an 8-byte header length; found ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = dv.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) fail(`header length ${headerLength} (the first 8 bytes, little-endian) goes beyond the end of the file (${bytes.length} bytes)`);
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the ${n}-byte header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail(`the header must be a JSON object {name: {dtype, shape, data_offsets}}; found ${JSON.stringify(header)?.slice(0, 60)}`);
  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  const metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`'__metadata__' must be an object of strings; found ${JSON.stringify(v)?.slice(0, 60)}`);
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== "string") fail(`'__metadata__.${k}' must be a string; found ${JSON.stringify(s)?.slice(0, 60)}`);
        metadata[k] = s as string;
      }
      continue;
    }
    const e = v as Record<string, unknown>;
    if (typeof e !== "object" || e === null || typeof e.dtype !== "string") fail(`tensor '${name}' must be {dtype, shape, data_offsets}; found ${JSON.stringify(v)?.slice(0, 80)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}': 'shape' must be an array of integers ≥ 0; found ${JSON.stringify(shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)) fail(`tensor '${name}': 'data_offsets' must be [begin, end] (integers ≥ 0); found ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    if (begin > end || end > bufferLength) fail(`tensor '${name}': data_offsets [${begin}, ${end}] must satisfy begin ≤ end ≤ ${bufferLength} (the byte buffer's length)`);
    tensors.push({ name, dtype: e.dtype as string, shape: shape as number[], begin, end });
  }
  // The byte buffer must be covered exactly: no overlap, no hole, nothing after the last tensor.
  const byStart = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  let at = 0;
  let prev: TensorEntry | undefined;
  for (const t of byStart) {
    if (t.begin < at) fail(`tensor '${t.name}' (bytes ${t.begin}..${t.end}) overlaps tensor '${prev!.name}' (bytes ${prev!.begin}..${prev!.end})`);
    if (t.begin > at) fail(`a hole in the byte buffer: bytes ${at}..${t.begin} belong to no tensor (before '${t.name}')`);
    at = t.end;
    prev = t;
  }
  if (at !== bufferLength) fail(`a hole in the byte buffer: bytes ${at}..${bufferLength} after the last tensor belong to no tensor`);
  return { tensors, metadata, bufferStart };
}

/** Group the tensors into Linear layers by name (`<prefix><index>.weight|bias`, one prefix); others are refused by name. */
function linearLayers(file: string | undefined, tensors: readonly TensorEntry[]): LinearLayer[] {
  const byIndex = new Map<number, LinearLayer>();
  const prefixes = new Set<string>();
  const others: string[] = [];
  for (const t of tensors) {
    // `<prefix><index>.weight`, or a lone nn.Linear's `weight` and `bias` (one layer, index 0).
    const m = /^(?:(.*?)(\d+)\.)?(weight|bias)$/.exec(t.name);
    if (!m) {
      others.push(t.name);
      continue;
    }
    prefixes.add(m[2] === undefined ? "" : m[1]);
    const index = m[2] === undefined ? 0 : Number(m[2]);
    const layer = byIndex.get(index) ?? { index };
    layer[m[3] as "weight" | "bias"] = t;
    byIndex.set(index, layer);
  }
  // `out.weight`: a Linear layer's tensor by its name, but with no number to put the layer in order.
  const unindexed = others.filter((name) => /\.(weight|bias)$/.test(name));
  if (unindexed.length === others.length && others.length > 0) {
    const list = unindexed.slice(0, 6).map((s) => `'${s}'`).join(", ") + (unindexed.length > 6 ? ", …" : "");
    const many = unindexed.length > 1;
    formatError(FN, file, `tensor${many ? "s" : ""} ${list} ha${many ? "ve" : "s"} no layer index in ${many ? "their names" : "its name"}; the layers are put in order by the number in their names ('0.weight', 'net.2.weight', 'fc1.weight', …): rename them (e.g. fc1, fc2, fc3) or save an nn.Sequential`);
  }
  if (others.length) {
    const list = others.slice(0, 6).map((s) => `'${s}'`).join(", ") + (others.length > 6 ? ", …" : "");
    formatError(FN, file, `tensor${others.length > 1 ? "s" : ""} ${list} ${others.length > 1 ? "are" : "is"} not the weight or bias of a Linear layer (e.g. BatchNorm's running statistics); only nn.Linear layers in an nn.Sequential ('0.weight', '0.bias', '2.weight', …) are read`);
  }
  if (prefixes.size > 1) formatError(FN, file, `the layer names have several prefixes (${[...prefixes].map((p) => `'${p}'`).join(", ")}); expected one nn.Sequential ('0.weight', 'net.0.weight', …)`);
  if (byIndex.size === 0) formatError(FN, file, "holds no tensors; expected the Linear layers' '0.weight', '0.bias', …");
  const prefix = [...prefixes][0];
  const layers = [...byIndex.values()].sort((a, b) => a.index - b.index);
  for (const l of layers) if (!l.weight) formatError(FN, file, `tensor '${prefix}${l.index}.weight' is missing ('${prefix}${l.index}.bias' is there)`);
  const withBias = layers.filter((l) => l.bias).length;
  if (withBias > 0 && withBias < layers.length) {
    const l = layers.find((x) => !x.bias)!;
    formatError(FN, file, `tensor '${prefix}${l.index}.bias' is missing (other layers have biases)`);
  }
  return layers;
}

/** The spec fields of `o` (anything else is left out). */
function pickSpec(o: object | undefined): Partial<MlpSpec> {
  const spec: Record<string, unknown> = {};
  for (const k of SPEC_FIELDS) if ((o as Record<string, unknown> | undefined)?.[k] !== undefined) spec[k] = (o as Record<string, unknown>)[k];
  return spec as Partial<MlpSpec>;
}

/** The spec of the metadata entry `losscape` (JSON text), or undefined. */
function metadataSpec(file: string | undefined, metadata: Record<string, string>): Partial<MlpSpec> | undefined {
  const text = metadata.losscape;
  if (text === undefined) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    formatError(FN, file, `'__metadata__.losscape' must be the network's spec as JSON text; it is not JSON (${(e as Error).message})`);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) formatError(FN, file, `'__metadata__.losscape' must be a JSON object (the spec); found ${text.slice(0, 60)}`);
  return pickSpec(o as object);
}

/**
 * Read a PyTorch MLP from a safetensors file (https://github.com/huggingface/safetensors: an 8-byte little-endian
 * header length N, N bytes of JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`,
 * then the byte buffer). Tensors F64, F32, F16 and BF16 are converted exactly to float64. The layers are the
 * nn.Sequential's Linear layers in numeric order: `0.weight` [out, in], `0.bias` [out], `2.weight`, … (or under
 * one prefix: `net.0.weight`, `model.layers.0.weight`; a lone nn.Linear's `weight`, `bias`); W is losscape's Wˡ (row-major), so
 * θ = [W¹, b¹, W², b², …] in PyTorch's parameter order. The activation and the other spec fields come from
 * `options.spec`, else from `__metadata__.losscape` (the spec as JSON text, as `writeSafetensors` writes);
 * widths are inferred from the shapes unless given (then the shapes are checked against them).
 * Refused with a `FormatError` naming the file and the tensor: a header length beyond the file, a header that is
 * not JSON, offsets out of range, overlapping or not matching dtype × shape, a hole in the buffer, other dtypes,
 * missing tensors, tensors that are not Linear layers (BatchNorm's running_mean, …), non-finite values.
 * @example
 * // PyTorch: net = nn.Sequential(nn.Linear(784, 400), nn.Tanh(), nn.Linear(400, 10))
 * //          safetensors.torch.save_file(net.state_dict(), "net.safetensors")
 * const model = readSafetensors(bytes, { file: "net.safetensors", spec: { activation: "tanh", loss: "cross-entropy" } });
 */
export function readSafetensors(bytes: Uint8Array, options: { file?: string; spec?: Partial<MlpSpec> } = {}): Model {
  options = checkOptions(FN, options, ["file", "spec"]);
  const file = options.file;
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`${FN}: 'bytes' must be a Uint8Array; found ${typeof bytes}`);
  if (options.spec !== undefined && (typeof options.spec !== "object" || options.spec === null)) throw new ValueError(`${FN}: option 'spec' must be an object; found ${String(options.spec)}`);
  const { tensors, metadata, bufferStart } = readHeader(file, bytes);
  const layers = linearLayers(file, tensors);
  for (const t of tensors) {
    const d = ST_DTYPES[t.dtype];
    if (!d) formatError(FN, file, `tensor '${t.name}': dtype '${t.dtype}' is not supported; expected F64, F32, F16 or BF16`);
    const want = sizeOf(t.shape) * d.size;
    if (t.end - t.begin !== want) formatError(FN, file, `tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] hold ${t.end - t.begin} bytes; shape [${t.shape.join(", ")}] of ${t.dtype} needs ${want}`);
  }
  const spec: Partial<MlpSpec> = { ...metadataSpec(file, metadata), ...pickSpec(options.spec) };
  const fileBias = layers[0].bias !== undefined;
  if (spec.bias === true && !fileBias) formatError(FN, file, `tensor '${layers[0].weight!.name.replace(/weight$/, "bias")}' is missing (the spec has bias: true)`);
  if (spec.bias === false && fileBias) formatError(FN, file, `tensor '${layers[0].bias!.name}' is a bias; the spec has bias: false`);
  // Shapes: W [out, in] chained layer to layer, and against the spec's widths when given.
  for (const l of layers) {
    const w = l.weight!;
    if (w.shape.length !== 2) formatError(FN, file, `tensor '${w.name}' must be a 2-d Linear weight [out, in]; found shape [${w.shape.join(", ")}]`);
  }
  const widths = spec.widths ?? [layers[0].weight!.shape[1], ...layers.map((l) => l.weight!.shape[0])];
  if (!Array.isArray(widths) || widths.length !== layers.length + 1) {
    formatError(FN, file, `the spec's widths [${String(widths)}] give ${Array.isArray(widths) ? widths.length - 1 : "no"} layers; the file has ${layers.length} Linear layers (${layers.map((l) => `'${l.weight!.name}'`).join(", ")})`);
  }
  layers.forEach((l, k) => {
    const w = l.weight!;
    const [out, inp] = [widths[k + 1], widths[k]];
    if (w.shape[0] !== out || w.shape[1] !== inp) {
      formatError(FN, file, `tensor '${w.name}' must have shape [${out}, ${inp}] (widths[${k + 1}] × widths[${k}] of widths [${widths.join(", ")}]); found [${w.shape.join(", ")}]`);
    }
    const b = l.bias;
    if (b && (b.shape.length !== 1 || b.shape[0] !== out)) formatError(FN, file, `tensor '${b.name}' must have shape [${out}]; found [${b.shape.join(", ")}]`);
  });
  if (spec.activation === undefined && layers.length > 1) {
    formatError(FN, file, "gives no activation: pass the spec's activation (options.spec, --activation), or write the file with a '__metadata__.losscape' spec (writeSafetensors does)");
  }
  // Values: θ = [W¹, b¹, W², b², …], each tensor converted to float64 and checked finite.
  const parts = layers.flatMap((l) => (l.bias ? [l.weight!, l.bias] : [l.weight!]));
  const params = new Float64Array(parts.reduce((a, t) => a + sizeOf(t.shape), 0));
  let at = 0;
  for (const t of parts) {
    const d = ST_DTYPES[t.dtype];
    const values = decodeElements(bytes, bufferStart + t.begin, sizeOf(t.shape), d.kind, d.size, true, () => formatError(FN, file, "unreachable"));
    for (let k = 0; k < values.length; k++) {
      if (!Number.isFinite(values[k])) {
        const idx = t.shape.length === 2 ? `[${Math.floor(k / t.shape[1])}, ${k % t.shape[1]}]` : `[${k}]`;
        formatError(FN, file, `tensor '${t.name}' holds ${values[k]} at ${idx}; parameters must be finite`);
      }
    }
    params.set(values, at);
    at += values.length;
  }
  const model: Model = {
    ...spec,
    widths,
    activation: spec.activation as MlpSpec["activation"],
    bias: fileBias,
    params,
  };
  validateModel(model, FN);
  return model;
}

/**
 * Write a model as a safetensors file (https://github.com/huggingface/safetensors) that PyTorch loads into
 * nn.Sequential(nn.Linear, activation, nn.Linear, …): F64 tensors `0.weight` [out, in], `0.bias`, `2.weight`, …
 * (nn.Sequential's indices, an activation module between Linear layers) and `__metadata__.losscape` = the spec as
 * JSON text (widths, activation, output, bias, loss, l2), so `readSafetensors` reads it back without options,
 * bit for bit.
 * @example
 * fs.writeFileSync("net.safetensors", writeSafetensors(model));
 * // PyTorch: net.load_state_dict(safetensors.torch.load_file("net.safetensors")) (after net.double())
 */
export function writeSafetensors(model: Model): Uint8Array {
  const fn = "writeSafetensors";
  validateModel(model, fn);
  const layers = unpackParams(model, model.params);
  const bias = model.bias ?? true;
  const spec: Record<string, unknown> = {
    widths: [...model.widths],
    activation: model.activation,
    output: model.output ?? "linear",
    bias,
    loss: model.loss ?? "mse",
  };
  if (model.l2 !== undefined && model.l2 !== 0) spec.l2 = model.l2;
  const header: Record<string, unknown> = { __metadata__: { losscape: JSON.stringify(spec) } };
  const chunks: Float64Array[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], data: Float64Array) => {
    header[name] = { dtype: "F64", shape, data_offsets: [offset, offset + 8 * data.length] };
    chunks.push(data);
    offset += 8 * data.length;
  };
  layers.forEach((l, k) => {
    add(`${2 * k}.weight`, [l.W.rows, l.W.cols], l.W.data);
    if (bias) add(`${2 * k}.bias`, [l.b.length], l.b);
  });
  let text = JSON.stringify(header);
  text += " ".repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8); // the buffer starts 8-byte aligned
  const head = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length; // a multiple of 8: aligned
  for (const c of chunks) {
    writeFloat64LE(out, at, c);
    at += 8 * c.length;
  }
  return out;
}
