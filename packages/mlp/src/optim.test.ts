import { init, ShapeError, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { adam, ADAM_DEFAULTS, gradient, sgd, train, withParams, type AdamState, type SgdState } from "./index.js";
import { randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

/** Adam written out from Kingma & Ba's Algorithm 1, as an independent reference. */
function referenceAdam(theta0: number[], grads: (theta: number[]) => number[], steps: number, o: { lr: number; b1: number; b2: number; eps: number }): number[][] {
  let theta = theta0.slice();
  let m = theta.map(() => 0);
  let v = theta.map(() => 0);
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grads(theta);
    m = m.map((mi, i) => o.b1 * mi + (1 - o.b1) * g[i]);
    v = v.map((vi, i) => o.b2 * vi + (1 - o.b2) * g[i] * g[i]);
    const mhat = m.map((mi) => mi / (1 - o.b1 ** t));
    const vhat = v.map((vi) => vi / (1 - o.b2 ** t));
    theta = theta.map((x, i) => x - (o.lr * mhat[i]) / (Math.sqrt(vhat[i]) + o.eps));
    path.push(theta.slice());
  }
  return path;
}

// ∇ of R(θ) = Σ cᵢ(θᵢ − i)² + θ₀θ₁: a small non-separable quadratic.
const quadGrad = (x: ArrayLike<number>) => Array.from(x, (xi, i) => 2 * (i + 1) * (xi - i) + (i === 0 ? x[1] : i === 1 ? x[0] : 0));

describe("adam", () => {
  it("follows Kingma & Ba's Algorithm 1 bit for bit", () => {
    const o = { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-7 };
    const opt = adam(o);
    const theta = new Float64Array([1, -2, 0.5]);
    const ref = referenceAdam(Array.from(theta), quadGrad, 40, { lr: o.lr, b1: o.beta1, b2: o.beta2, eps: o.eps });
    for (let k = 0; k < 40; k++) {
      opt.step(theta, quadGrad(theta));
      expect(Array.from(theta)).toEqual(ref[k]);
    }
    expect(opt.t).toBe(40);
    expect(opt.options).toEqual(o);
  });

  it("resumes from a JSON round trip of its state with identical steps", () => {
    const straight = adam();
    const a = new Float64Array([0.3, 0.7, -1.1, 2]);
    for (let k = 0; k < 30; k++) straight.step(a, quadGrad(a));

    const first = adam();
    const b = new Float64Array([0.3, 0.7, -1.1, 2]);
    for (let k = 0; k < 12; k++) first.step(b, quadGrad(b));
    const saved = JSON.parse(JSON.stringify(first.state())) as AdamState;
    expect(saved.t).toBe(12);
    const resumed = adam({}, saved);
    for (let k = 12; k < 30; k++) resumed.step(b, quadGrad(b));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(resumed.state()).toEqual(straight.state());
  });

  it("writes into `out` and leaves params alone when `out` is given; a fresh state resumes as a fresh optimiser", () => {
    const p = new Float64Array([1, 2]);
    const out = new Float64Array(2);
    const r = adam().step(p, [1, -1], out);
    expect(r).toBe(out);
    expect(Array.from(p)).toEqual([1, 2]);
    // First step: m̂ = g and v̂ = g² exactly (the bias corrections divide out), so θ moves by lr·g/(|g| + ε).
    expect(out[0]).toBe(1 - ADAM_DEFAULTS.lr / (1 + ADAM_DEFAULTS.eps));
    expect(out[1]).toBe(2 + ADAM_DEFAULTS.lr / (1 + ADAM_DEFAULTS.eps));
    const fresh = adam({}, adam().state());
    expect(Array.from(fresh.step(new Float64Array([1, 2]), [1, -1]))).toEqual(Array.from(out));
  });

  it("is train's 'adam': the same parameters after the same epochs", () => {
    const { model, data } = randomProblem({ widths: [2, 4, 1], activation: "tanh", seed: 3 });
    const epochs = 25;
    const trained = train(model, data, { optimizer: "adam", epochs, lr: 0.02 });
    const opt = adam({ lr: 0.02 });
    const theta = Float64Array.from(model.params);
    for (let k = 0; k < epochs; k++) opt.step(theta, gradient(withParams(model, theta), data));
    expect(Array.from(trained.model.params)).toEqual(Array.from(theta));
  });

  it("refuses bad hyper-parameters, states and lengths with typed errors", () => {
    expect(() => adam({ lr: 0 })).toThrow(ValueError);
    expect(() => adam({ beta1: 1 })).toThrow(/adam: 'beta1' must be < 1; found 1/);
    expect(() => adam({ beta2: -0.1 })).toThrow(/adam: 'beta2' must be ≥ 0/);
    expect(() => adam({ eps: Number.NaN })).toThrow(/adam: 'eps'/);
    expect(() => adam({}, { t: 1.5, m: [], v: [] })).toThrow(/adam: 'state.t' must be an integer/);
    expect(() => adam({}, { t: 1, m: [0, 0], v: [0] })).toThrow(ShapeError);
    const opt = adam();
    opt.step(new Float64Array(3), [1, 2, 3]);
    expect(() => opt.step(new Float64Array(2), [1, 2])).toThrow(/adam: step needs .* length 3; found 2/);
    expect(() => adam().step(new Float64Array(2), [1])).toThrow(ShapeError);
    // Through train, the error names train.
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "tanh", seed: 1 });
    expect(() => train(model, data, { optimizer: "adam", beta2: 1 })).toThrow(/^train: 'beta2' must be < 1; found 1/);
  });
});

/**
 * torch.optim.SGD's step written out from its documentation (dampening 0, no weight decay): the momentum buffer
 * starts as a copy of the first gradient, then b ← μb + g; nesterov steps along g + μb, else along b.
 */
function referenceSgd(theta0: number[], grads: (theta: number[]) => number[], steps: number, o: { lr: number; mu: number; nesterov: boolean }): number[][] {
  let theta = theta0.slice();
  let buf: number[] | null = null;
  const path: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    let g = grads(theta);
    if (o.mu !== 0) {
      const b: number[] = buf === null ? g.slice() : buf.map((bi, i) => o.mu * bi + g[i]);
      buf = b;
      g = o.nesterov ? g.map((gi, i) => gi + o.mu * b[i]) : b;
    }
    theta = theta.map((x, i) => x - o.lr * g[i]);
    path.push(theta.slice());
  }
  return path;
}

describe("sgd", () => {
  it("follows torch.optim.SGD's update bit for bit: plain, heavy-ball and Nesterov momentum", () => {
    for (const o of [{ lr: 0.05, momentum: 0, nesterov: false }, { lr: 0.03, momentum: 0.9, nesterov: false }, { lr: 0.02, momentum: 0.8, nesterov: true }]) {
      const opt = sgd(o);
      const theta = new Float64Array([1, -2, 0.5]);
      const ref = referenceSgd(Array.from(theta), quadGrad, 40, { lr: o.lr, mu: o.momentum, nesterov: o.nesterov });
      for (let k = 0; k < 40; k++) {
        opt.step(theta, quadGrad(theta));
        expect(Array.from(theta)).toEqual(ref[k]);
      }
      expect(opt.t).toBe(40);
      expect(opt.state().velocity.length).toBe(o.momentum === 0 ? 0 : 3);
    }
  });

  it("resumes from a JSON round trip of its state with identical steps", () => {
    const o = { lr: 0.02, momentum: 0.9, nesterov: true };
    const straight = sgd(o);
    const a = new Float64Array([0.3, 0.7, -1.1, 2]);
    for (let k = 0; k < 30; k++) straight.step(a, quadGrad(a));
    const first = sgd(o);
    const b = new Float64Array([0.3, 0.7, -1.1, 2]);
    for (let k = 0; k < 12; k++) first.step(b, quadGrad(b));
    const saved = JSON.parse(JSON.stringify(first.state())) as SgdState;
    expect(saved.t).toBe(12);
    const resumed = sgd(o, saved);
    for (let k = 12; k < 30; k++) resumed.step(b, quadGrad(b));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(resumed.state()).toEqual(straight.state());
  });

  it("is train's 'gd' and, full batch, train's 'sgd': the same parameters after the same epochs", () => {
    const { model, data } = randomProblem({ widths: [2, 4, 1], activation: "tanh", seed: 3 });
    for (const [optimizer, momentum] of [["gd", 0], ["sgd", 0.9]] as const) {
      const trained = train(model, data, { optimizer, epochs: 25, lr: 0.05, ...(optimizer === "sgd" ? { momentum } : {}) });
      const opt = sgd({ lr: 0.05, momentum });
      const theta = Float64Array.from(model.params);
      for (let k = 0; k < 25; k++) opt.step(theta, gradient(withParams(model, theta), data));
      expect(Array.from(trained.model.params)).toEqual(Array.from(theta));
    }
  });

  it("refuses bad hyper-parameters, states and lengths with typed errors", () => {
    expect(() => sgd({ lr: 0 })).toThrow(/^sgd: 'lr' must be > 0/);
    expect(() => sgd({ momentum: -0.5 })).toThrow(/^sgd: 'momentum' must be ≥ 0/);
    expect(() => sgd({ nesterov: true })).toThrow(/^sgd: 'nesterov' needs 'momentum' > 0; found momentum 0/);
    expect(() => sgd({ nesterov: 1 as never })).toThrow(/^sgd: 'nesterov' must be true or false/);
    expect(() => sgd({}, { t: -1, velocity: [] })).toThrow(/^sgd: 'state.t' must be ≥ 0/);
    expect(() => sgd({}, { t: 1 } as never)).toThrow(ShapeError);
    const opt = sgd({ momentum: 0.5 });
    opt.step(new Float64Array(3), [1, 2, 3]);
    expect(() => opt.step(new Float64Array(2), [1, 2])).toThrow(/^sgd: step needs .* length \(the optimiser's 3\); found 2, 2/);
    expect(() => sgd().step(new Float64Array(2), [1])).toThrow(ShapeError);
  });
});
