import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { createRng, serializeData, train, type Dataset, type EpochMetrics, type TrainState } from "@losscape/mlp";
import { conform, filesIn, fx, run, runJson, SHAPES, tempDir } from "./run.js";

// `losscape train` in minibatches (--batch, --optimizer sgd --momentum, --loss cross-entropy, --val), snapshots,
// --state and --resume, run as child processes; the numbers are checked against the package API in this process.

/** A seeded 3-class problem on 2 inputs: n rows, the class of the larger of x₀, x₁, −x₀ − x₁ (one-hot). */
function classes(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const x = new Float64Array(2 * n).map(() => 2 * rng.next() - 1);
  const y = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const s = [x[2 * i], x[2 * i + 1], -x[2 * i] - x[2 * i + 1]];
    y[3 * i + s.indexOf(Math.max(...s))] = 1;
  }
  return { x: { rows: n, cols: 2, data: x }, y: { rows: n, cols: 3, data: y } };
}

let dir = "";
let trainFile = "";
let valFile = "";
const spec = { widths: [2, 6, 3], activation: "tanh" as const, loss: "cross-entropy" as const };
const fresh = ["--widths", "2,6,3", "--activation", "tanh", "--loss", "cross-entropy", "--seed", "4"];

beforeAll(async () => {
  await init();
  dir = tempDir();
  trainFile = join(dir, "train.json");
  valFile = join(dir, "val.json");
  writeFileSync(trainFile, JSON.stringify(serializeData(classes(50, 1))));
  writeFileSync(valFile, JSON.stringify(serializeData(classes(20, 2))));
});

describe("losscape train in minibatches", () => {
  it("sgd with momentum on batches of 8: the library's run bit for bit, with accuracy and validation columns", async () => {
    const args = ["train", "--data", trainFile, ...fresh, "--optimizer", "sgd", "--lr", "0.2", "--momentum", "0.9", "--batch", "8", "--epochs", "6", "--val", valFile];
    const { out } = await runJson(args);
    expect(conform(out, SHAPES.train)).toEqual([]);
    const ref = train(spec, classes(50, 1), { optimizer: "sgd", lr: 0.2, momentum: 0.9, batchSize: 8, epochs: 6, seed: 4, init: "xavier", validation: classes(20, 2) });
    expect((out.model as { params: number[] }).params).toEqual(Array.from(ref.model.params));
    expect(out.history).toEqual(ref.history);
    const last = (out.history as EpochMetrics[])[6];
    expect(Object.keys(last).sort()).toEqual(["accuracy", "batchLoss", "epoch", "loss", "valAccuracy", "valLoss"]);
    expect(last.loss).toBeLessThan((out.history as EpochMetrics[])[0].loss);
    // The human output: the per-epoch table with every metric present.
    const text = await run(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/epoch\s+loss\s+batch loss\s+accuracy\s+val loss\s+val acc/);
    expect(text.stdout).toMatch(/batches\s+8 rows, shuffled \(seed 4\)/);
  });

  it("--state after 2 epochs and --resume for 2 more give the model of 4 epochs straight; snapshots every 2 epochs", async () => {
    const d = tempDir();
    const common = ["train", "--data", trainFile, "--optimizer", "adam", "--lr", "0.05", "--batch", "7"];
    const straight = await runJson([...common, ...fresh, "--epochs", "4", "--snapshot-every", "2", "--snapshots", d]);
    expect(straight.out.snapshots).toEqual([join(d, "epoch-0002.json"), join(d, "epoch-0004.json")]);
    expect(filesIn(d)).toEqual(["epoch-0002.json", "epoch-0004.json"]);
    expect(JSON.parse(readFileSync(join(d, "epoch-0004.json"), "utf8"))).toEqual(straight.out.model);

    const first = join(d, "first.json");
    const state = join(d, "state.json");
    await runJson([...common, ...fresh, "--epochs", "2", "--out", first, "--state", state]);
    const saved = JSON.parse(readFileSync(state, "utf8")) as TrainState;
    expect(saved).toMatchObject({ format: "losscape.train-state/1", optimizer: "adam", batchSize: 7, shuffle: true, seed: 4, epoch: 2 });
    expect(JSON.parse(readFileSync(join(d, "epoch-0002.json"), "utf8"))).toEqual(JSON.parse(readFileSync(first, "utf8")));
    // Resumed without repeating the settings: they are the state's.
    const resumed = await runJson(["train", "--data", trainFile, "--model", first, "--resume", state, "--epochs", "2"]);
    expect(resumed.out.model).toEqual(straight.out.model);
    expect((resumed.out.history as EpochMetrics[]).map((h) => h.epoch)).toEqual([2, 3, 4]);
  });
});

describe("losscape train: bad flags exit 2 naming the flag", () => {
  const expectBad = async (args: string[], message: RegExp) => {
    const r = await run(["train", "--data", trainFile, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  };

  it("refuses values out of range and flags that do not go together", async () => {
    await expectBad([...fresh, "--batch", "0"], /--batch/);
    await expectBad([...fresh, "--momentum", "-1", "--optimizer", "sgd"], /--momentum/);
    await expectBad([...fresh, "--optimizer", "rmsprop"], /--optimizer.*expected one of adam, sgd, lbfgs, gd/);
    await expectBad([...fresh, "--loss", "hinge"], /--loss.*expected one of mse, cross-entropy/);
    await expectBad([...fresh, "--momentum", "0.9"], /--momentum and --nesterov apply to --optimizer sgd; found --optimizer adam/);
    await expectBad([...fresh, "--optimizer", "lbfgs", "--batch", "4"], /--batch: lbfgs trains on the full batch/);
    await expectBad([...fresh, "--snapshot-every", "2"], /--snapshot-every K and --snapshots DIR go together/);
    await expectBad([...fresh, "--snapshot-every", "2", "--snapshots", join(dir, "missing")], /does not exist \(--snapshots\)/);
    await expectBad([...fresh, "--val", join(dir, "nope.json")], /nope\.json.*--val/);
    // --activation with a --model describes a safetensors file; a losscape.mlp/1 file states its own activation.
    await expectBad(["--model", fx("tanh131-min.json"), "--activation", "relu"], /tanh131-min\.json: --widths and --activation describe a \.safetensors file/);
    await expectBad([...fresh, "--resume", trainFile], /--resume needs --model/);
  });

  it("refuses a resumed run whose flags change the state's settings, and a file that is not a state", async () => {
    const d = tempDir();
    const model = join(d, "m.json");
    const state = join(d, "s.json");
    await runJson(["train", "--data", trainFile, ...fresh, "--optimizer", "sgd", "--batch", "5", "--epochs", "1", "--out", model, "--state", state]);
    await expectBad(["--model", model, "--resume", state, "--lr", "0.5"], /--lr is 0\.5 but the resumed state \(--resume .*s\.json\) has 0\.1/);
    await expectBad(["--model", model, "--resume", state, "--batch", "6"], /--batch is 6 but the resumed state .* has 5/);
    await expectBad(["--model", model, "--resume", trainFile], /train\.json: 'resume' must be a losscape\.train-state\/1 state/);
  });
});
