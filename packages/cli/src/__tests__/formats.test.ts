import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { eigvalsh, init, matFromRows } from "@losscape/core";
import { oneHot, readNpy, readOnnx, readSafetensors, writeNpy, writeOnnx, writeSafetensors } from "@losscape/io";
import { gradient, hessian, jacobian, loss, parseModel, serializeModel, type Model } from "@losscape/mlp";
import { filesIn, fixtureData, fixtureModel, fx, run, runJson, tempDir } from "./run.js";

// Every command that takes a model or a data file takes every format (docs/formats.md#model-files,
// #data-files), and `--npy DIR` writes what it computed (#arrays---npy-dir). Results are compared with the same
// computation through the package API in this process: file formats change how numbers are read, never which.
// The ONNX file is the PyTorch-trained 4-16-3 tanh classifier of @losscape/io's fixtures (torch.onnx.export).

const TRAINED = join(fx(".."), "../../io/test/fixtures/trained");
const onnxPath = join(TRAINED, "classifier.onnx");
const ref = JSON.parse(readFileSync(join(TRAINED, "classifier.json"), "utf8")) as { x: number[][]; labels: number[] };
let pytorchNet: Model;
const data = () => ({ x: matFromRows(ref.x), y: oneHot(ref.labels, 3) });
const npyOf = (path: string) => readNpy(new Uint8Array(readFileSync(path)));

beforeAll(async () => {
  await init();
  pytorchNet = { ...readOnnx(new Uint8Array(readFileSync(onnxPath))), loss: "cross-entropy" };
});

/** x.npy, labels.npy, an .npz with one-hot y, and tab- and ';'-separated CSV files (no header) of the classifier's data. */
function writeDataFiles(dir: string): void {
  const x = matFromRows(ref.x);
  writeFileSync(join(dir, "x.npy"), writeNpy(x));
  writeFileSync(join(dir, "labels.npy"), writeNpy({ shape: [ref.labels.length], data: ref.labels }));
  const rows = ref.x.map((r, i) => [...r, ref.labels[i]]);
  writeFileSync(join(dir, "d.tsv"), rows.map((r) => r.join("\t")).join("\n") + "\n");
  writeFileSync(join(dir, "d.csv"), "a;b;c;d;label\n" + rows.map((r) => r.join(";")).join("\n") + "\n");
}

describe("model files: losscape.mlp/1, ONNX and safetensors", () => {
  it("a PyTorch ONNX export with .npy data and --labels: the package API's loss, gradient and Hessian, and --npy writes them", async () => {
    const dir = tempDir();
    writeDataFiles(dir);
    const out = join(dir, "arrays");
    const { out: rec, result } = await runJson(["hessian", "--model", onnxPath, "--loss", "cross-entropy", "--data", join(dir, "x.npy"), "--labels", join(dir, "labels.npy"), "--npy", out]);
    expect(result.stderr).toContain("x.npy: .npy x f8 [150, 4]; y from");
    expect(result.stderr).toContain("labels one-hot encoded: 3 classes");
    expect(rec.loss).toBe(loss(pytorchNet, data()));
    const H = hessian(pytorchNet, data());
    expect(filesIn(out)).toEqual(["eigenvalues.npy", "gradient.npy", "hessian.npy", "params.npy"]);
    const h = npyOf(join(out, "hessian.npy"));
    expect(h.shape).toEqual([131, 131]);
    expect(h.data).toEqual(H.data); // the same kernels on the same inputs: bit for bit
    expect(npyOf(join(out, "gradient.npy")).data).toEqual(gradient(pytorchNet, data()));
    expect(npyOf(join(out, "params.npy")).data).toEqual(pytorchNet.params);
    expect(Array.from(npyOf(join(out, "eigenvalues.npy")).data)).toEqual(rec.eigenvalues);
    expect(rec.eigenvalues).toEqual(Array.from(eigvalsh(H)));
    expect(rec.npy).toEqual(["hessian", "eigenvalues", "gradient", "params"].map((n) => join(out, `${n}.npy`)));
  });

  it("the same network as ONNX, safetensors and losscape.mlp/1 gives the same spectrum, bit for bit", async () => {
    const dir = tempDir();
    writeDataFiles(dir);
    writeFileSync(join(dir, "net.safetensors"), writeSafetensors(pytorchNet));
    writeFileSync(join(dir, "net.json"), JSON.stringify(serializeModel(pytorchNet)));
    writeFileSync(join(dir, "net-export.onnx"), writeOnnx(pytorchNet));
    // Without an ending the content decides.
    writeFileSync(join(dir, "net-noext"), writeSafetensors(pytorchNet));
    const spectra = [];
    for (const m of ["net.safetensors", "net.json", "net-export.onnx", "net-noext"]) {
      const { out } = await runJson(["hessian", "--model", join(dir, m), "--data", join(dir, "d.tsv"), "--labels", "--loss", "cross-entropy", "--quiet"]);
      spectra.push(out.eigenvalues);
    }
    const { out: fromOnnx } = await runJson(["hessian", "--model", onnxPath, "--data", join(dir, "d.tsv"), "--labels", "--loss", "cross-entropy"]);
    for (const s of spectra) expect(s).toEqual(fromOnnx.eigenvalues);
  });

  it("a safetensors file without metadata takes --widths and --activation; wrong widths are refused by name", async () => {
    const dir = tempDir();
    writeDataFiles(dir);
    const bare = { ...pytorchNet, activation: "relu" as const, meta: undefined };
    // writeSafetensors records the spec in __metadata__; a PyTorch state_dict has none: strip it by rewriting the
    // header without the metadata entry.
    const bytes = writeSafetensors(bare);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    delete header.__metadata__;
    let text = JSON.stringify(header);
    text += " ".repeat((8 - (text.length % 8)) % 8);
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, BigInt(text.length), true);
    writeFileSync(join(dir, "bare.safetensors"), Buffer.concat([head, Buffer.from(text), bytes.subarray(8 + n)]));
    const args = ["hessian", "--model", join(dir, "bare.safetensors"), "--data", join(dir, "x.npy"), "--labels", join(dir, "labels.npy"), "--loss", "cross-entropy", "--quiet"];
    const { out } = await runJson([...args, "--activation", "relu"]);
    expect(out.loss).toBe(loss(bare, data()));
    const wrong = await run([...args, "--activation", "relu", "--widths", "4,8,3"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^losscape hessian: .*bare\.safetensors: .*'0\.weight'.*\n$/);
    const jsonWithWidths = await run(["hessian", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--widths", "1,3,1"]);
    expect(jsonWithWidths.code).toBe(2);
    expect(jsonWithWidths.stderr).toContain("--widths and --activation describe a .safetensors file");
  });

  it("--out writes the format its ending names: .onnx and .safetensors read back to the same parameters", async () => {
    const dir = tempDir();
    for (const name of ["cp.onnx", "cp.safetensors", "cp.json"]) {
      const { out } = await runJson(["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--out", join(dir, name)]);
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      const back = name.endsWith(".onnx") ? readOnnx(bytes) : name.endsWith(".safetensors") ? readSafetensors(bytes) : parseModel(new TextDecoder().decode(bytes));
      expect(Array.from(back.params)).toEqual((out.model as { params: number[] }).params);
      expect(back.widths).toEqual([1, 3, 1]);
      expect(back.activation).toBe("tanh");
    }
    expect(filesIn(dir)).toEqual(["cp.json", "cp.onnx", "cp.safetensors"]); // no temporary files left
  });

  it("a truncated ONNX file, or one with a refused op, is bad input naming the file", async () => {
    const dir = tempDir();
    const bytes = readFileSync(onnxPath);
    writeFileSync(join(dir, "cut.onnx"), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = await run(["hessian", "--model", join(dir, "cut.onnx"), "--data", fx("sin20.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape hessian: .*cut\.onnx: /);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});

describe("data files: CSV detection, .npz, IDX, labels and targets", () => {
  it("tab- and ';'-separated CSV with or without a header give the .npz's numbers, and say how they were read", async () => {
    const dir = tempDir();
    writeDataFiles(dir);
    const d = data();
    writeFileSync(join(dir, "d.npz"), npz({ x: d.x, y: d.y }));
    const args = (file: string, ...more: string[]) => ["hessian", "--model", onnxPath, "--loss", "cross-entropy", "--data", join(dir, file), ...more];
    const a = await runJson(args("d.tsv", "--labels"));
    const b = await runJson(args("d.csv", "--labels"));
    const c = await runJson(args("d.npz"));
    expect(a.result.stderr).toContain("CSV, tab-separated, no header row (every line is a sample)");
    expect(b.result.stderr).toContain("CSV, ';'-separated, header row a;b;c;d;label");
    expect(c.result.stderr).toContain(".npz: x f8 [150, 4], y f8 [150, 3]");
    expect(a.out.eigenvalues).toEqual(c.out.eigenvalues);
    expect(b.out.eigenvalues).toEqual(c.out.eigenvalues);
  });

  it("MNIST-style IDX files, gzipped: pixels scaled to [0, 1], labels one-hot", async () => {
    const dir = tempDir();
    const n = 6;
    const pixels = Uint8Array.from({ length: n * 4 }, (_, k) => (k * 37) % 256);
    const labels = Uint8Array.from([0, 1, 2, 1, 0, 2]);
    const idx = (dims: number[], body: Uint8Array) => {
      const h = Buffer.alloc(4 + 4 * dims.length);
      h[2] = 0x08;
      h[3] = dims.length;
      dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([h, body]);
    };
    writeFileSync(join(dir, "images-idx3-ubyte.gz"), gzipSync(idx([n, 2, 2], pixels)));
    writeFileSync(join(dir, "labels-idx1-ubyte.gz"), gzipSync(idx([n], labels)));
    const spec = { widths: [4, 3, 3], activation: "tanh" as const, loss: "cross-entropy" as const };
    const model = { ...spec, params: Float64Array.from({ length: 27 }, (_, i) => Math.sin(i + 1)) };
    writeFileSync(join(dir, "m.json"), JSON.stringify(serializeModel(model)));
    const { out, result } = await runJson(["hessian", "--model", join(dir, "m.json"), "--data", join(dir, "images-idx3-ubyte.gz"), "--labels", join(dir, "labels-idx1-ubyte.gz")]);
    expect(result.stderr).toContain("IDX x u1 [6, 2, 2], pixels scaled to [0, 1] (÷255)");
    const x = { rows: n, cols: 4, data: Float64Array.from(pixels, (v) => v / 255) };
    expect(out.loss).toBe(loss(model, { x, y: oneHot(labels, 3) }));
  });

  it("--targets gives y from another file; the labels of a data file fit only as one column of integers", async () => {
    const dir = tempDir();
    const d = fixtureData("sin20.json");
    writeFileSync(join(dir, "x.npy"), writeNpy(d.x));
    writeFileSync(join(dir, "y.npy"), writeNpy({ shape: [d.y.rows], data: d.y.data }));
    const { out } = await runJson(["hessian", "--model", fx("tanh131-min.json"), "--data", join(dir, "x.npy"), "--targets", join(dir, "y.npy")]);
    expect(out.loss).toBe(loss(fixtureModel("tanh131-min.json"), d));
    const notLabels = await run(["hessian", "--model", fx("tanh131-min.json"), "--data", join(dir, "x.npy"), "--labels", join(dir, "y.npy")]);
    expect(notLabels.code).toBe(2);
    expect(notLabels.stderr).toMatch(/^losscape hessian: .*y\.npy: .*labels.*integer/);
  });

  it("bad data files are refused before any work, naming the file: an .npz without y, a label out of range, x without y", async () => {
    const dir = tempDir();
    writeDataFiles(dir);
    writeFileSync(join(dir, "xonly.npz"), npz({ x: matFromRows(ref.x) }));
    writeFileSync(join(dir, "big.npy"), writeNpy({ shape: [150], data: ref.labels.map((l) => l + 1) }));
    const cases: [string[], RegExp][] = [
      [["--data", join(dir, "xonly.npz")], /xonly\.npz: an \.npz data file must hold an array named 'y'.*found 'x'/],
      [["--data", join(dir, "x.npy"), "--labels", join(dir, "big.npy")], /big\.npy: .*3/],
      [["--data", join(dir, "x.npy")], /x\.npy: holds x only \(\.npy\); give y with --targets FILE, or class labels with --labels FILE/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(["hessian", "--model", onnxPath, "--loss", "cross-entropy", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.split("\n").filter((l) => !l.startsWith("losscape: ")).filter(Boolean)).toHaveLength(1);
    }
  });
});

describe("--npy DIR", () => {
  it("is checked before the work: a file in its place, or a missing parent, is bad input", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "f"), "x");
    for (const target of [join(dir, "f"), join(dir, "no/such/dir")]) {
      const r = await run(["hessian", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--npy", target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("(--npy)");
    }
  });

  it("dimension, slice, critical and spectrum write their arrays", async () => {
    const dir = tempDir();
    const d = await runJson(["dimension", "--model", fx("tanh1-10-1-fit.json"), "--data", fx("cooper10.json"), "--npy", join(dir, "dim")]);
    const fit = fixtureModel("tanh1-10-1-fit.json");
    const J = npyOf(join(dir, "dim", "jacobian.npy"));
    expect(J.shape).toEqual([10, 31]); // (n·r) × M
    expect(J.data).toEqual(jacobian(fit, fixtureData("cooper10.json").x).data);
    expect(Array.from(npyOf(join(dir, "dim", "jacobian-singular-values.npy")).data)).toEqual(d.out.jacobianSingularValues);
    const sin = fixtureData("sin20.json");
    const s = await runJson(["slice", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--grid", "5", "--npy", join(dir, "slice")]);
    const grid = npyOf(join(dir, "slice", "loss.npy"));
    expect(grid.shape).toEqual([5, 5]);
    expect(Array.from(grid.data)).toEqual((s.out.grid as number[][]).flat());
    expect(npyOf(join(dir, "slice", "directions.npy")).shape).toEqual([2, 10]);
    const c = await runJson(["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--npy", join(dir, "cp")]);
    const cp = c.out.model as { params: number[] };
    expect(Array.from(npyOf(join(dir, "cp", "params.npy")).data)).toEqual(cp.params);
    expect(Array.from(npyOf(join(dir, "cp", "eigenvalues.npy")).data)).toEqual(c.out.eigenvalues);
    const endModel = { ...fixtureModel("tanh131-near-saddle.json"), params: Float64Array.from(cp.params) };
    expect(npyOf(join(dir, "cp", "gradient.npy")).data).toEqual(gradient(endModel, sin));
    const sp = await runJson(["spectrum", "--law", "wigner", "--phi", "0.5", "--eps", "0.1", "--grid", "7", "--npy", join(dir, "sp")]);
    expect(Array.from(npyOf(join(dir, "sp", "density.npy")).data)).toEqual((sp.out.density as number[][]).map((p) => p[1]));
  });
});

/** An .npz as numpy.savez writes it: a zip of .npy members, stored uncompressed (fflate's zipSync, level 0). */
function npz(arrays: Record<string, { rows: number; cols: number; data: Float64Array }>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(arrays)) files[`${k}.npy`] = writeNpy(v);
  return zipSync(files, { level: 0 });
}
