import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fx, run, tempDir } from "./run.js";

// Degenerate but well-formed inputs (docs/cli.md#exit-status): finite parameters whose outputs overflow float64
// (∞ − ∞, a loss of +∞, a Hessian or H∇R beyond float64), models and data that disagree, data too large for float64.
// Each is bad input: exit 2 and one line naming the command, the file or flag and what is wrong — never the library
// function that refused the value (each case named one, blamed a flag the user did not set, or printed NaN, exit 0).

let dir = "";
const f = (name: string) => join(dir, name);
const model = (name: string, fields: Record<string, unknown>) => writeFileSync(f(name), JSON.stringify({ format: "losscape.mlp/1", ...fields }));
const data = (name: string, x: number[][], y: number[][]) => writeFileSync(f(name), JSON.stringify({ format: "losscape.data/1", x, y }));

/** Names of package functions a user of the command line never called. */
const INTERNAL = /\b(?:Problem\.\w+|lossAndGradient|hessianEigenvalues\w*|withKernels|eigvalsh|eigh|axpy|pruneLayer|liftDepth|globalMinimumDimension|landscapeSlice|hessianDirections|connectMinima|splitNeuron|refineCriticalPoint|lossPlane|affineLossPlane|train): /;

beforeAll(() => {
  dir = tempDir();
  const xs = [[-1], [0], [1], [2]];
  data("d.json", xs, [[0.5], [0], [-0.5], [1]]);
  data("dce.json", xs, [[1, 0], [0, 1], [1, 0], [0, 1]]);
  data("consty.json", xs, [[0.5], [0.5], [0.5], [0.5]]);
  data("hugex.json", [[-1e300], [0], [1e300], [2]], [[0.5], [0], [-0.5], [1]]);
  // 1-2-1 identity net: the output 1e200·h₀ − 1e200·h₁ with h₀ = h₁ = 1e200·x is ∞ − ∞ = NaN.
  model("inf.json", { widths: [1, 2, 1], activation: "linear", params: [1e200, 1e200, 0, 0, 1e200, -1e200, 0] });
  // Cross-entropy logits +∞ and −∞: the softmax's log Σ e^f − y·f meets ∞ − ∞.
  model("infce.json", { widths: [1, 2, 2], activation: "linear", loss: "cross-entropy", params: [1e200, 1e200, 0, 0, 1e200, 1e200, -1e200, -1e200, 0, 0] });
  // Outputs ±∞: R = +∞ without NaN (the gradient meets ∞·0 in places).
  model("over.json", { widths: [1, 3, 1], activation: "linear", params: [1e200, 1, 1, 0, 0, 0, 1e200, 1, 1, 0] });
  // R and ∇R finite, H[2][2] = h² = (1e200·x)² = +∞.
  model("hinf.json", { widths: [1, 1, 1], activation: "linear", params: [1e200, 0, 1e-200, 0] });
  // tanh ×1e150 on constant targets: R ≈ 4e299, ∇R ≈ 1e150 and H ≈ 1e300 finite, H∇R = ∞.
  model("big.json", { widths: [1, 3, 1], activation: "tanh", params: [1e150, -1e150, 1e150, 0, 0, 0, 1e150, 1e150, 1e150, 0] });
  model("ok.json", { widths: [1, 3, 1], activation: "tanh", params: [0.1, -0.2, 0.3, 0, 0, 0, 1, 1, 1, 0] });
  model("relu.json", { widths: [1, 3, 1], activation: "relu", params: [0.1, -0.2, 0.3, 0, 0, 0, 1, 1, 1, 0] });
  model("nobias.json", { widths: [1, 3, 1], activation: "tanh", bias: false, params: [0.1, -0.2, 0.3, 1, 1, 1] });
  model("ce.json", { widths: [1, 3, 2], activation: "tanh", loss: "cross-entropy", params: [0.1, -0.2, 0.3, 0, 0, 0, 1, 1, 1, -1, -1, -1, 0, 0] });
  model("one.json", { widths: [1, 1], activation: "tanh", bias: false, params: [0.5] });
});

/** Exit 2, nothing on stdout, one line on stderr matching `pattern`, no function name and no stack frame. */
async function expectBad(args: string[], pattern: RegExp): Promise<void> {
  const r = await run(args, { timeout: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(lines[0].replace(/^losscape [\w -]+?: /, "")).not.toMatch(INTERNAL);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe("a model whose outputs meet ∞ − ∞: every command names the model and data files", () => {
  // On the relaxed build (node 22's default) the output's sum is fused multiply–adds, which never round a product to ∞
  // before adding it: the same outputs sum to +∞ instead of meeting ∞ − ∞, and R = +∞ (both say what is not finite).
  const NAN = (cmd: string, m = "inf", d = "d") =>
    new RegExp(`^losscape ${cmd}: \\S*${m}\\.json \\(--model\\) on \\S*${d}\\.json \\(--data\\): the loss is not finite at the model's parameters: the network's outputs overflow float64(?: and meet ∞ − ∞ \\(R = NaN\\)| \\(R = \\+∞\\)); expected a finite loss — max\\|θ\\| = 1e\\+200, max\\|x\\| = 2 and max\\|y\\| = 1 are finite`);
  const cases: [string, () => string[]][] = [
    ["hessian", () => ["--model", f("inf.json"), "--data", f("d.json")]],
    ["hessian", () => ["--model", f("inf.json"), "--data", f("d.json"), "--split"]],
    ["curvature", () => ["--model", f("inf.json"), "--data", f("d.json"), "--top", "1"]],
    ["curvature", () => ["--model", f("inf.json"), "--data", f("d.json"), "--top", "1", "--exact-limit", "0"]],
    ["critical", () => ["--model", f("inf.json"), "--data", f("d.json")]],
    ["train", () => ["--model", f("inf.json"), "--data", f("d.json"), "--epochs", "2"]],
    // used to blame --alpha 0.5, --scale 1 --margin 1: flags that had nothing to do with it
    ["embed", () => ["--model", f("inf.json"), "--data", f("d.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5"]],
    ["lift", () => ["--model", f("inf.json"), "--data", f("d.json"), "--layer", "1", "--new-activation", "relu"]],
    ["lift", () => ["--model", f("inf.json"), "--data", f("d.json"), "--layer", "1", "--prune"]],
    ["widen", () => ["--model", f("inf.json"), "--data", f("d.json"), "--to", "1,3,1"]],
    ["subspace", () => ["--model", f("inf.json"), "--data", f("d.json"), "--copies", "1:0"]],
    ["saddle", () => ["--model", f("inf.json"), "--data", f("d.json")]],
    ["reduce", () => ["--model", f("inf.json"), "--data", f("d.json")]],
    ["dimension", () => ["--model", f("inf.json"), "--data", f("d.json")]],
    ["connect", () => ["--model", f("inf.json"), "--model", f("inf.json"), "--data", f("d.json"), "--points", "5"]],
    ["slice", () => ["--model", f("inf.json"), "--data", f("d.json"), "--grid", "3"]],
    ["slice", () => ["--model", f("inf.json"), "--data", f("d.json"), "--grid", "3", "--dirs", "embedding"]],
  ];
  it.each(cases)("%s", async (cmd, args) => {
    await expectBad([cmd, ...args()], NAN(cmd));
  });

  it("cross-entropy logits +∞ and −∞ (hessian, saddle)", async () => {
    const ce = /infce\.json \(--model\) on \S*dce\.json \(--data\): the loss is not finite at the model's parameters: the network's outputs overflow float64(?: and meet ∞ − ∞ \(R = NaN\)| \(R = \+∞\))/;
    await expectBad(["hessian", "--model", f("infce.json"), "--data", f("dce.json")], ce);
    await expectBad(["saddle", "--model", f("infce.json"), "--data", f("dce.json")], ce);
  });
});

describe("other values beyond float64 at the model's parameters", () => {
  it("R = +∞ with a NaN gradient (hessian: it named Problem.lossAndGradient and the gradient)", async () => {
    await expectBad(["hessian", "--model", f("over.json"), "--data", f("d.json")], /^losscape hessian: \S*over\.json \(--model\) on \S*d\.json \(--data\): the loss is not finite at the model's parameters: the network's outputs overflow float64 \(R = \+∞\)/);
  });

  it("a Hessian entry +∞ with R and ∇R finite (hessian named Problem.hessianEigenvalues, saddle eigvalsh's argument 'a')", async () => {
    const inf = (cmd: string) => new RegExp(`^losscape ${cmd}: \\S*hinf\\.json \\(--model\\) on \\S*d\\.json \\(--data\\): the Hessian of the loss is not finite at the model's parameters: a second derivative overflows float64 \\(H\\[2\\]\\[2\\] = \\+∞; R = 0\\.688 and ∇R are finite\\)`);
    await expectBad(["hessian", "--model", f("hinf.json"), "--data", f("d.json")], inf("hessian"));
    await expectBad(["saddle", "--model", f("hinf.json"), "--data", f("d.json")], inf("saddle"));
  });

  it("H∇R beyond float64 at a finite R, ∇R and H (critical said 'critical' at ‖∇R‖ ≈ 1e150, flatness NaN; gradnorm failed in axpy)", async () => {
    const hg = /^losscape critical: \S*big\.json \(--model\) on \S*consty\.json \(--data\): the Hessian times the gradient, H∇R, is not finite at the model's parameters/;
    await expectBad(["critical", "--model", f("big.json"), "--data", f("consty.json")], hg);
    await expectBad(["critical", "--model", f("big.json"), "--data", f("consty.json"), "--method", "gradnorm"], hg);
  });

  it("reduce without --data: outputs that overflow at the probe inputs (it printed max|f_reduced − f| = NaN, exit 0)", async () => {
    await expectBad(["reduce", "--model", f("inf.json"), "--out", f("reduced.json")], /^losscape reduce: \S*inf\.json \(--model\): the network's outputs overflow float64 at the random probe inputs, so max\|f_reduced − f\| is not finite/);
    expect(existsSync(f("reduced.json")), "a refused run writes no --out").toBe(false);
  });

  it("connect between models of loss +∞ (it printed barrier NaN, exit 0)", async () => {
    await expectBad(["connect", "--model", fx("overflow.json"), "--model", fx("overflow.json"), "--data", f("d.json"), "--points", "3"], /^losscape connect: \S*overflow\.json \(--model\) on \S*d\.json \(--data\): the loss is not finite at the model's parameters: the network's outputs overflow float64 \(R = \+∞\)/);
  });

  it("slice of a model of loss +∞ everywhere: no loss range rather than 'Infinity … -Infinity'", async () => {
    const r = await run(["slice", "--model", fx("overflow.json"), "--data", f("d.json"), "--grid", "3", "--dirs", "hessian"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/loss range\s+— \(no finite loss on the grid: the network's outputs overflow float64\)/);
    expect(r.stdout).not.toMatch(/-Infinity/);
  });

  it("fresh --widths networks on data too large for float64 name the data file (index-energy named train, search eigvalsh)", async () => {
    const big = (cmd: string) => new RegExp(`^losscape ${cmd}: \\S*hugex\\.json \\(--data\\) for the --widths 1,2,1 network \\(max\\|x\\| = 1e\\+300, max\\|y\\| = 1: scale the data down\\): a value computed from the data overflows float64: `);
    await expectBad(["index-energy", "--widths", "1,2,1", "--activation", "linear", "--data", f("hugex.json"), "--runs", "1"], big("index-energy"));
    await expectBad(["search", "--widths", "1,2,1", "--activation", "linear", "--data", f("hugex.json"), "--starts", "2"], big("search"));
    await expectBad(["train", "--widths", "1,2,1", "--activation", "linear", "--data", f("hugex.json"), "--epochs", "2"], big("train"));
  });

  it("train --val on which the outputs meet ∞ − ∞ (it printed a val loss column of NaN, exit 0)", async () => {
    // 1-2-1 identity net with outputs h₀ − h₁, h = 2x: finite on the training data, ∞ − ∞ at x = 1e308.
    model("diff.json", { widths: [1, 2, 1], activation: "linear", params: [2, 2, 0, 0, 1, -1, 0] });
    data("valnan.json", [[1e308], [0]], [[0], [1]]);
    await expectBad(["train", "--model", f("diff.json"), "--data", f("d.json"), "--val", f("valnan.json"), "--epochs", "2"], /^losscape train: \S*valnan\.json \(--val\) with \S*diff\.json \(--model\): the validation loss is not finite at the model's parameters: the network's outputs on it overflow float64 and meet ∞ − ∞ \(R = NaN\)/);
    // Refused before the first step, on the full batch and on minibatches: no snapshot of epoch 1 is written (the
    // refusal used to come after all --epochs had run).
    for (const batch of [[], ["--batch", "1"]]) {
      const snaps = f(`snaps${batch.length}`);
      mkdirSync(snaps);
      await expectBad(["train", "--model", f("diff.json"), "--data", f("d.json"), "--val", f("valnan.json"), "--epochs", "5", "--snapshot-every", "1", "--snapshots", snaps, ...batch], /^losscape train: \S*valnan\.json \(--val\)/);
      expect(readdirSync(snaps)).toEqual([]);
    }
  });

  it("embed's overflow messages carry no library function name (they quoted splitNeuron's and lossAndGradient's)", async () => {
    await expectBad(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "1e308", "--data", fx("sin20.json")], /^losscape embed: --alpha 1e\+308: the split's outgoing weights α·w and \(1 − α\)·w overflow float64 \('alpha' must keep/);
    await expectBad(["embed", "--model", fx("tanh131-near-saddle.json"), "--layer", "1", "--neuron", "0", "--alpha", "1e308", "--data", fx("sin20.json")], /^losscape embed: --alpha 1e\+308: the embedded network's loss, gradient or Hessian overflows float64 \(/);
  });
});

describe("models, data and flags that disagree: named by the file or flag", () => {
  it("dimension of a cross-entropy model (it named globalMinimumDimension)", async () => {
    await expectBad(["dimension", "--model", f("ce.json"), "--data", f("dce.json")], /^losscape dimension: \S*ce\.json: the dimension of the minima is that of the zero-loss set f\(xᵢ\) = yᵢ, where the mse loss vanishes; expected loss "mse", found "cross-entropy"$/);
  });

  it("connect of a net with biases and one without (it said the widths [1, 3, 1] differ from [1, 3, 1])", async () => {
    await expectBad(["connect", "--model", f("ok.json"), "--model", f("nobias.json"), "--data", f("d.json")], /^losscape connect: \S*nobias\.json: must have the parameters of \S*ok\.json \(widths \[1, 3, 1\] with biases, M = 10\); found no biases, M = 6$/);
  });

  it("connect of nets with different activations (it named connectMinima and its arguments 'a' and 'b')", async () => {
    await expectBad(["connect", "--model", f("ok.json"), "--model", f("relu.json"), "--data", f("d.json")], /^losscape connect: \S*relu\.json: the two --model files \(A = \S*ok\.json, B = \S*relu\.json\) must have the same 'activation' \(B's loss is measured with A's\); found A's activation = "tanh", B's activation = "relu"$/);
  });

  it("slice --dirs embedding of a net without a hidden layer, --dirs hessian of one parameter (they named landscapeSlice, hessianDirections)", async () => {
    await expectBad(["slice", "--model", f("one.json"), "--data", f("d.json"), "--dirs", "embedding"], /^losscape slice: --dirs embedding: the embedding line splits neuron 0 of hidden layer 1; found \S*one\.json with widths 1-1, no hidden layer/);
    await expectBad(["slice", "--model", f("one.json"), "--data", f("d.json"), "--dirs", "hessian"], /^losscape slice: --dirs hessian: the slice's plane is spanned by the Hessian's two top eigenvectors; found \S*one\.json with M = 1 parameter/);
  });

  it("lift --kind split with a data row on the kink (it named liftDepth and its option kind \"affine\")", async () => {
    await expectBad(["lift", "--model", f("ok.json"), "--data", f("d.json"), "--layer", "1", "--new-activation", "relu", "--kind", "split"], /^losscape lift: --kind split --layer 1 \(data \S*d\.json\): the split lifting needs .* use --kind affine there$/);
  });

  it("--out under a path whose directory part is a file (it said the directory does not exist)", async () => {
    await expectBad(["critical", "--model", f("ok.json"), "--data", f("d.json"), "--out", join(f("d.json"), "cp.json")], /^losscape critical: \S*d\.json\/cp\.json: \S*d\.json is a file, not a directory \(--out\)$/);
  });
});
