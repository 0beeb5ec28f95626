import { init, loadWasm, setBackend, ShapeError, ValueError, type BackendName } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { adam, createRng, forward, gradient, loss, lossAndGradient, sgd, train, withParams, type TrainState } from "./index.js";
import { randomProblem } from "./__tests__/helpers.js";
import type { Dataset, Model } from "./types.js";
import torchRuns from "../test/fixtures/torch-train.json" with { type: "json" };

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** Rows `idx` of a data set, as a fresh data set. */
function rowsOf(data: Dataset, idx: ArrayLike<number>): Dataset {
  const dx = data.x.cols;
  const dy = data.y.cols;
  const x = new Float64Array(idx.length * dx);
  const y = new Float64Array(idx.length * dy);
  for (let k = 0; k < idx.length; k++) {
    x.set(data.x.data.subarray(idx[k] * dx, (idx[k] + 1) * dx), k * dx);
    y.set(data.y.data.subarray(idx[k] * dy, (idx[k] + 1) * dy), k * dy);
  }
  return { x: { rows: idx.length, cols: dx, data: x }, y: { rows: idx.length, cols: dy, data: y } };
}

/**
 * Minibatch training written out with the public functions: each epoch a Fisher–Yates permutation from the
 * seeded RNG (i from n − 1 down to 1, j = rng.int(i + 1)), batches of b rows in that order, one optimiser step
 * on the gradient of each batch's mean loss.
 */
function referenceTrain(model: Model, data: Dataset, o: { epochs: number; batch: number; shuffle: boolean; seed: number; step: (p: Float64Array, g: Float64Array) => void }) {
  const n = data.x.rows;
  const rng = createRng(o.seed);
  const theta = Float64Array.from(model.params);
  const batchLosses: number[] = [];
  for (let e = 0; e < o.epochs; e++) {
    const order = Array.from({ length: n }, (_, i) => i);
    if (o.shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    for (let lo = 0; lo < n; lo += o.batch) {
      const batch = rowsOf(data, order.slice(lo, lo + o.batch));
      const r = lossAndGradient(withParams(model, theta), batch);
      batchLosses.push(r.loss);
      o.step(theta, r.gradient);
    }
  }
  return { theta, batchLosses };
}

const classifier = () => {
  const { model, data } = randomProblem({ widths: [3, 5, 4], activation: "tanh", loss: "cross-entropy", n: 23, seed: 7 });
  const val = randomProblem({ widths: [3, 5, 4], activation: "tanh", loss: "cross-entropy", n: 9, seed: 8 }).data;
  return { model, data, val };
};

describe.each(["simd", "ts"] as BackendName[])("train in minibatches — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));

  it("sgd with momentum: one step per batch of a fresh seeded permutation, the last batch smaller (bit for bit)", () => {
    setBackend(backend);
    const { model, data } = classifier();
    for (const nesterov of [false, true]) {
      const o = { lr: 0.05, momentum: 0.9, nesterov };
      const batches: number[] = [];
      const r = train(model, data, { optimizer: "sgd", ...o, batchSize: 5, epochs: 3, seed: 11, onBatch: (b) => batches.push(b.loss) });
      const opt = sgd(o);
      const ref = referenceTrain(model, data, { epochs: 3, batch: 5, shuffle: true, seed: 11, step: (p, g) => opt.step(p, g) });
      expect(Array.from(r.model.params)).toEqual(Array.from(ref.theta));
      expect(batches).toEqual(ref.batchLosses); // 23 rows in batches of 5: 5 steps per epoch, the last of 3 rows
      expect(batches.length).toBe(15);
      expect(r.state!.optimizerState.t).toBe(15);
    }
  });

  it("adam in minibatches, and shuffle: false (the rows in order every epoch), bit for bit", () => {
    setBackend(backend);
    const { model, data } = classifier();
    for (const shuffle of [true, false]) {
      const r = train(model, data, { optimizer: "adam", lr: 0.02, batchSize: 4, shuffle, epochs: 2, seed: 3 });
      const opt = adam({ lr: 0.02 });
      const ref = referenceTrain(model, data, { epochs: 2, batch: 4, shuffle, seed: 3, step: (p, g) => opt.step(p, g) });
      expect(Array.from(r.model.params)).toEqual(Array.from(ref.theta));
      expect(r.state!.rngDraws).toBe(shuffle ? 2 * 22 : 0);
    }
  });

  it("history: R over the full data, the mean batch loss, accuracy and validation metrics every epoch", () => {
    setBackend(backend);
    const { model, data, val } = classifier();
    const batchLosses: number[][] = [[], [], []];
    const snapshots: Model[] = [];
    const r = train(model, data, {
      optimizer: "sgd",
      lr: 0.1,
      batchSize: 8,
      epochs: 3,
      validation: val,
      onBatch: (b) => batchLosses[b.epoch - 1].push(b.loss),
      onProgress: (p) => snapshots.push(p.model),
    });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    const accuracyOf = (m: Model, d: Dataset) => {
      const f = forward(m, d.x);
      let correct = 0;
      for (let i = 0; i < d.x.rows; i++) {
        const row = (a: Float64Array) => Array.from(a.subarray(i * 4, i * 4 + 4));
        const argmax = (v: number[]) => v.indexOf(Math.max(...v));
        if (argmax(row(f.data)) === argmax(row(d.y.data))) correct++;
      }
      return correct / d.x.rows;
    };
    for (const h of r.history) {
      const m = h.epoch === 0 ? model : snapshots[h.epoch - 1];
      // R summed in row order against loss()'s kernel order: rounding only (1e-13 relative).
      expect(Math.abs(h.loss - loss(m, data))).toBeLessThanOrEqual(1e-13 * loss(m, data));
      expect(Math.abs(h.valLoss! - loss(m, val))).toBeLessThanOrEqual(1e-13 * loss(m, val));
      expect(h.accuracy).toBe(accuracyOf(m, data));
      expect(h.valAccuracy).toBe(accuracyOf(m, val));
      if (h.epoch === 0) expect(h.batchLoss).toBeUndefined();
      else expect(h.batchLoss).toBe(batchLosses[h.epoch - 1].reduce((s, x) => s + x, 0) / 3);
    }
    expect(Array.from(snapshots[2].params)).toEqual(Array.from(r.model.params));
    expect(snapshots[2].params).not.toBe(r.model.params); // a copy
    expect(r.loss).toBe(r.history[3].loss);
  });

  it("resumes bit for bit: 2 epochs, then 2 from the JSON state, give the parameters and history of 4 straight", () => {
    setBackend(backend);
    const { model, data } = classifier();
    const runs = [
      { optimizer: "adam", lr: 0.02, batchSize: 6 },
      { optimizer: "sgd", lr: 0.05, momentum: 0.9, nesterov: true, batchSize: 5 },
      { optimizer: "sgd", lr: 0.05, momentum: 0.5 }, // full batch
    ] as const;
    for (const o of runs) {
      const straight = train(model, data, { ...o, epochs: 4, seed: 5 });
      const first = train(model, data, { ...o, epochs: 2, seed: 5 });
      const state = JSON.parse(JSON.stringify(first.state)) as TrainState;
      expect(state.epoch).toBe(2);
      const second = train(first.model, data, { resume: state, epochs: 2 });
      expect(Array.from(second.model.params)).toEqual(Array.from(straight.model.params));
      // The resumed run's first row is its start, R at epoch 2 (no batch loss: no batch was run in it).
      const { batchLoss: _, ...startRow } = straight.history[2];
      expect(second.history).toEqual([startRow, ...straight.history.slice(3)]);
      expect(second.state).toEqual(straight.state);
      // The state onProgress gave at epoch 2 resumes the same way.
      let at2: TrainState | undefined;
      let model2: Model | undefined;
      train(model, data, { ...o, epochs: 3, seed: 5, onProgress: (p) => (p.epoch === 2 ? ((at2 = p.state), (model2 = p.model)) : undefined) });
      const third = train(model2!, data, { resume: at2, epochs: 2 });
      expect(Array.from(third.model.params)).toEqual(Array.from(straight.model.params));
    }
  });

  it("full batch (batchSize undefined or ≥ n) is one step per epoch, identical either way", () => {
    setBackend(backend);
    const { model, data } = classifier();
    const a = train(model, data, { optimizer: "adam", epochs: 5 });
    const b = train(model, data, { optimizer: "adam", epochs: 5, batchSize: 23 });
    const c = train(model, data, { optimizer: "adam", epochs: 5, batchSize: 1000, shuffle: true });
    expect(Array.from(b.model.params)).toEqual(Array.from(a.model.params));
    expect(Array.from(c.model.params)).toEqual(Array.from(a.model.params));
    expect(a.history[5]).toEqual({ epoch: 5, loss: a.loss }); // no accuracy unless asked (a forward pass per epoch)
    expect(a.state).toMatchObject({ batchSize: null, shuffle: false, epoch: 5, rngDraws: 0 });
    const withAcc = train(model, data, { optimizer: "adam", epochs: 5, accuracy: true });
    expect(withAcc.history[5].accuracy).toBeGreaterThanOrEqual(0);
    expect(withAcc.history[5].loss).toBe(a.loss);
    expect(gradient(a.model, data).length).toBe(a.model.params.length);
  });

  it("divergence stops at the last finite parameters, without a state", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [3, 5, 2], activation: "tanh", n: 20, seed: 2 });
    const r = train(model, data, { optimizer: "sgd", lr: 1e200, batchSize: 4, epochs: 5 });
    expect(r.diverged).toBe(true);
    expect(r.model.params.every(Number.isFinite)).toBe(true);
    expect(r.state).toBeUndefined();
    // The loss is that of the returned parameters (R summed in row order: rounding only), not of the last epoch's row.
    // Here the last finite θ is so large that R overflows to +∞ (an honest value, as loss() gives it); its gradient
    // holds ∞·0 = NaN (saturated units), which lossAndGradient refuses.
    const at = loss(r.model, data);
    expect(at).toBe(Infinity);
    expect(r.loss).toBe(at);
    expect(() => lossAndGradient(r.model, data)).toThrow(/^lossAndGradient: the gradient is NaN at these parameters/);
  });

  it("an abort after epoch 1 returns a resumable state; with no step, gradNorm is the full gradient's norm", () => {
    setBackend(backend);
    const { model, data } = classifier();
    const ac = new AbortController();
    const o = { optimizer: "sgd", lr: 0.05, momentum: 0.9, batchSize: 6, seed: 9 } as const;
    const r = train(model, data, { ...o, epochs: 5, signal: ac.signal, onProgress: (p) => p.epoch === 1 && ac.abort() });
    expect(r.aborted).toBe(true);
    expect(r.epochs).toBe(1);
    expect(r.state!.epoch).toBe(1);
    const rest = train(r.model, data, { resume: r.state, epochs: 2 });
    expect(Array.from(rest.model.params)).toEqual(Array.from(train(model, data, { ...o, epochs: 3 }).model.params));
    const none = train(model, data, { ...o, epochs: 0 });
    expect(none.history).toHaveLength(1);
    expect(Array.from(none.model.params)).toEqual(Array.from(model.params));
    expect(Math.abs(none.gradNorm - Math.hypot(...gradient(model, data)))).toBeLessThanOrEqual(1e-14 * none.gradNorm);
  });
});

describe("train against PyTorch (test/gen/make-torch-train-fixtures.py)", () => {
  it.each(torchRuns.runs.map((r) => [`${r.loss} ${r.options.optimizer}${"nesterov" in r.options && r.options.nesterov ? " nesterov" : ""}`, r] as const))(
    "%s: batches of 5 in row order, the same batch losses and final parameters (1e-12)",
    (_name, run) => {
      setBackend("simd");
      const n = run.x.length / 3;
      const data = { x: { rows: n, cols: 3, data: Float64Array.from(run.x) }, y: { rows: n, cols: 4, data: Float64Array.from(run.y) } };
      const model: Model = { widths: torchRuns.widths, activation: "tanh", loss: run.loss as "mse" | "cross-entropy", params: Float64Array.from(run.start) };
      const losses: number[] = [];
      const { optimizer, ...options } = run.options;
      const r = train(model, data, { optimizer: optimizer as "sgd" | "adam", ...options, onBatch: (b) => losses.push(b.loss) });
      // Different summation orders (PyTorch's BLAS, losscape's kernels): agreement to 1e-12 relative after 15 steps.
      expect(losses).toHaveLength(run.batchLosses.length);
      losses.forEach((l, i) => expect(Math.abs(l - run.batchLosses[i])).toBeLessThanOrEqual(1e-12 * run.batchLosses[i]));
      const scale = Math.max(...run.final.map(Math.abs));
      run.final.forEach((v, i) => expect(Math.abs(r.model.params[i] - v)).toBeLessThanOrEqual(1e-12 * scale));
    },
  );
});

describe("train's minibatch options are checked by name", () => {
  const { model, data, val } = classifier();
  it("refuses bad values with typed errors", () => {
    expect(() => train(model, data, { optimizer: "lbfgs", batchSize: 4 })).toThrow(/^train: 'lbfgs' trains on the full batch; found batchSize 4 < n = 23/);
    expect(() => train(model, data, { batchSize: 0 })).toThrow(/^train: 'batchSize' must be ≥ 1; found 0/);
    expect(() => train(model, data, { batchSize: 2.5 })).toThrow(/^train: 'batchSize' must be an integer/);
    expect(() => train(model, data, { shuffle: "yes" as never })).toThrow(/^train: 'shuffle' must be true or false/);
    expect(() => train(model, data, { optimizer: "adam", momentum: 0.9 })).toThrow(/^train: 'momentum' and 'nesterov' are options of optimizer 'sgd'; found optimizer 'adam'/);
    expect(() => train(model, data, { optimizer: "sgd", beta1: 0.5 })).toThrow(/^train: 'beta1', 'beta2' and 'eps' are options of optimizer 'adam'/);
    expect(() => train(model, data, { optimizer: "sgd", momentum: -1 })).toThrow(/^train: 'momentum' must be ≥ 0/);
    expect(() => train(model, data, { optimizer: "sgd", nesterov: true })).toThrow(/^train: 'nesterov' needs 'momentum' > 0/);
    expect(() => train(model, data, { optimizer: "rmsprop" as never })).toThrow(/^train: 'optimizer' must be 'gd', 'sgd', 'adam' or 'lbfgs'/);
    const bad = { x: val.x, y: { rows: 9, cols: 3, data: new Float64Array(27) } };
    expect(() => train(model, data, { validation: bad })).toThrow(ShapeError);
    expect(() => train(model, data, { validation: bad })).toThrow(/^train: 'validation.y' must have d_out = 4 columns/);
    const mse = randomProblem({ widths: [3, 5, 2], activation: "tanh", n: 20, seed: 2 });
    expect(() => train(mse.model, mse.data, { accuracy: true })).toThrow(/^train: 'accuracy' needs a cross-entropy net/);
  });

  it("refuses a resumed state that does not match the options, the model or its format", () => {
    const first = train(model, data, { optimizer: "sgd", momentum: 0.9, batchSize: 5, epochs: 1, seed: 2 });
    const state = first.state!;
    expect(() => train(first.model, data, { resume: state, lr: 0.5 })).toThrow(/^train: 'lr' is 0.5 but the resumed state has 0.1; leave it out/);
    expect(() => train(first.model, data, { resume: state, batchSize: 6 })).toThrow(/^train: 'batchSize' is 6 but the resumed state has 5/);
    expect(() => train(first.model, data, { resume: state, seed: 3 })).toThrow(/^train: 'seed' is 3 but the resumed state has 2/);
    expect(() => train(first.model, data, { resume: state, optimizer: "adam" })).toThrow(/^train: 'optimizer' is adam but the resumed state has sgd/);
    // Repeating the state's settings is allowed.
    expect(() => train(first.model, data, { resume: state, lr: 0.1, momentum: 0.9, batchSize: 5, seed: 2, epochs: 1 })).not.toThrow();
    expect(() => train(first.model, data, { resume: { ...state, format: "x" } as never })).toThrow(/^train: 'resume' must be a losscape.train-state\/1 state .*found "x"/);
    expect(() => train(first.model, data, { resume: { ...state, rngDraws: -1 } })).toThrow(/^train: 'resume.rngDraws' must be ≥ 0/);
    expect(() => train(first.model, data, { resume: { ...state, optimizer: "adam" } })).toThrow(/^train: 'resume' must be .* optimizerState of optimizer 'adam'/);
    const other = randomProblem({ widths: [3, 6, 4], activation: "tanh", loss: "cross-entropy", n: 23, seed: 7 });
    expect(() => train(other.model, other.data, { resume: state })).toThrow(/^train: the resumed optimizer state has 44 entries per moment; the model has 52 parameters/);
    const { params: _, ...spec } = model;
    expect(() => train(spec, data, { resume: state })).toThrow(ValueError);
  });
});
