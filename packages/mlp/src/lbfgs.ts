import { axpy, dot, nrm2, scal } from "@losscape/core";

/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 two-loop recursion and
 * 7.5) with a backtracking Armijo line search (sufficient decrease c₁ = 1e-4, step halving). Curvature pairs
 * with sᵀy ≤ 1e-12·‖s‖‖y‖ are skipped, so the implicit inverse Hessian stays positive definite; a non-descent
 * direction resets the memory. Internal: used by `train` (optimizer 'lbfgs') and by `refineCriticalPoint`
 * (method 'gradnorm').
 */
export interface LbfgsState {
  x: Float64Array;
  value: number;
  grad: Float64Array;
}

/** One object per run: `step()` performs one L-BFGS iteration and returns false when no progress is possible. */
export class Lbfgs {
  private readonly S: Float64Array[] = [];
  private readonly Y: Float64Array[] = [];
  private readonly rho: number[] = [];
  private readonly m: number;
  state: LbfgsState;

  /** `start` is f(x0) when the caller has already evaluated it (it is not evaluated again). */
  constructor(
    private readonly f: (x: Float64Array) => { value: number; grad: Float64Array },
    x0: Float64Array,
    start: { value: number; grad: Float64Array } = f(x0),
    memory = 10,
  ) {
    this.m = memory;
    this.state = { x: Float64Array.from(x0), value: start.value, grad: start.grad };
  }

  private direction(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const k = this.S.length;
    const alpha = new Array<number>(k);
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = this.rho[i] * dot(this.S[i], q);
      axpy(-alpha[i], this.Y[i], q);
    }
    if (k > 0) {
      const gamma = dot(this.S[k - 1], this.Y[k - 1]) / dot(this.Y[k - 1], this.Y[k - 1]);
      scal(gamma, q);
    }
    for (let i = 0; i < k; i++) {
      const b = this.rho[i] * dot(this.Y[i], q);
      axpy(alpha[i] - b, this.S[i], q);
    }
    return scal(-1, q);
  }

  /** One iteration; false when the line search failed even from a steepest-descent direction. */
  step(): boolean {
    const { x, value, grad } = this.state;
    let d = this.direction(grad);
    let slope = dot(d, grad);
    if (!(slope < 0)) {
      this.S.length = this.Y.length = this.rho.length = 0;
      d = this.direction(grad);
      slope = dot(d, grad);
    }
    let t = this.S.length === 0 ? Math.min(1, 1 / Math.max(nrm2(grad), 1e-300)) : 1;
    const xn = new Float64Array(x.length);
    for (let tries = 0; tries < 60; tries++) {
      xn.set(x);
      axpy(t, d, xn);
      const e = this.f(xn);
      if (Number.isFinite(e.value) && e.value <= value + 1e-4 * t * slope) {
        const s = new Float64Array(x.length);
        const y = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) {
          s[i] = xn[i] - x[i];
          y[i] = e.grad[i] - grad[i];
        }
        const sy = dot(s, y);
        if (sy > 1e-12 * nrm2(s) * nrm2(y)) {
          this.S.push(s);
          this.Y.push(y);
          this.rho.push(1 / sy);
          if (this.S.length > this.m) {
            this.S.shift();
            this.Y.shift();
            this.rho.shift();
          }
        }
        this.state = { x: xn, value: e.value, grad: e.grad };
        return true;
      }
      t *= 0.5;
    }
    if (this.S.length > 0) {
      // retry once from steepest descent with a fresh memory
      this.S.length = this.Y.length = this.rho.length = 0;
      return this.step();
    }
    return false;
  }
}
