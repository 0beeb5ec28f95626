import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "@losscape/core";
import { oneHot, writeNpy } from "@losscape/io";
import { createRng, train, type Dataset, type EpochMetrics } from "@losscape/mlp";
import { run, runJson, tempDir } from "./run.js";

// `losscape train --labels` with a held-out file (--val): the held-out file's y holds class labels as the training
// data's do, and is one-hot encoded the same way, whether --labels names a file or not.

/** A seeded 3-class problem on 2 inputs: n rows of x and their integer classes (the largest of x₀, x₁, −x₀ − x₁). */
function problem(n: number, seed: number): { x: Float64Array; labels: number[] } {
  const rng = createRng(seed);
  const x = new Float64Array(2 * n).map(() => 2 * rng.next() - 1);
  const labels = Array.from({ length: n }, (_, i) => {
    const s = [x[2 * i], x[2 * i + 1], -x[2 * i] - x[2 * i + 1]];
    return s.indexOf(Math.max(...s));
  });
  return { x, labels };
}
const dataset = (p: { x: Float64Array; labels: number[] }): Dataset => ({ x: { rows: p.labels.length, cols: 2, data: p.x }, y: oneHot(p.labels, 3) });
const csv = (p: { x: Float64Array; labels: number[] }) => "x0,x1,label\n" + p.labels.map((c, i) => `${p.x[2 * i]},${p.x[2 * i + 1]},${c}\n`).join("");

const trainSet = problem(40, 1);
const valSet = problem(15, 2);
const fresh = ["--widths", "2,5,3", "--activation", "tanh", "--loss", "cross-entropy", "--seed", "3", "--epochs", "4", "--lr", "0.1"];
let dir = "";
let reference: EpochMetrics[] = [];

beforeAll(async () => {
  await init();
  dir = tempDir();
  writeFileSync(join(dir, "x.npy"), writeNpy({ shape: [40, 2], data: trainSet.x }));
  writeFileSync(join(dir, "labels.npy"), writeNpy(Float64Array.from(trainSet.labels)));
  writeFileSync(join(dir, "train.csv"), csv(trainSet));
  writeFileSync(join(dir, "val.csv"), csv(valSet));
  const spec = { widths: [2, 5, 3], activation: "tanh" as const, loss: "cross-entropy" as const };
  reference = train(spec, dataset(trainSet), { epochs: 4, lr: 0.1, seed: 3, init: "xavier", validation: dataset(valSet) }).history;
});

describe("losscape train --labels --val", () => {
  it("--labels FILE: the held-out CSV's label column is one-hot encoded like the training labels", async () => {
    const { out } = await runJson(["train", "--data", join(dir, "x.npy"), "--labels", join(dir, "labels.npy"), "--val", join(dir, "val.csv"), ...fresh, "--quiet"]);
    expect(out.history).toEqual(reference);
  });

  it("--labels alone: the training and the held-out CSV's label columns alike", async () => {
    const { out } = await runJson(["train", "--data", join(dir, "train.csv"), "--labels", "--val", join(dir, "val.csv"), ...fresh, "--quiet"]);
    expect(out.history).toEqual(reference);
  });

  it("a held-out label out of range is bad input naming the --val file", async () => {
    writeFileSync(join(dir, "val-bad.csv"), "x0,x1,label\n0.1,0.2,0\n0.3,0.4,3\n");
    const r = await run(["train", "--data", join(dir, "x.npy"), "--labels", join(dir, "labels.npy"), "--val", join(dir, "val-bad.csv"), ...fresh, "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^losscape train: \S*val-bad\.csv: 'labels\[1\]' \(row 1\) must be an integer in 0\.\.2; found 3\n$/);
  });
});
