import { LosscapeError, ValueError } from "@losscape/core";

/**
 * A point that must be a (near-)zero-loss minimum is not one. Carries the loss and gradient norm found and the
 * thresholds they were compared with, so the caller can see how far the point is from a minimum.
 * @example
 * try { globalMinimumDimension(model, data); } catch (e) { if (e instanceof NotAMinimumError) console.log(e.loss, e.gradNorm); }
 */
export class NotAMinimumError extends LosscapeError {
  readonly loss: number;
  readonly gradNorm: number;
  constructor(fn: string, arg: string, found: { loss: number; gradNorm: number }, required: string) {
    super(
      "E_VALUE",
      `${fn}: '${arg}' must be a (near-)zero-loss minimum (${required}); found loss R = ${found.loss}, ` +
        `gradient norm ‖∇R‖ = ${found.gradNorm}`,
    );
    this.name = "NotAMinimumError";
    this.loss = found.loss;
    this.gradNorm = found.gradNorm;
  }
}

/**
 * A tolerance that cannot decide anything (negative, NaN, ≥ 1 for a relative tolerance, not positive for an
 * absolute one). A `ValueError` (code E_VALUE).
 * @example
 * degeneracyOfSpectrum([1, 2], { tol: -1 }); // throws ToleranceError: degeneracyOfSpectrum: 'tol' must be …
 */
export class ToleranceError extends ValueError {
  constructor(message: string) {
    super(message);
    this.name = "ToleranceError";
  }
}

/** Check a relative tolerance 0 ≤ tol < 1 (a finite number), naming the function and the option. */
export function checkRelativeTol(fn: string, arg: string, tol: unknown): asserts tol is number {
  if (typeof tol !== "number" || !Number.isFinite(tol) || tol < 0 || tol >= 1) {
    throw new ToleranceError(`${fn}: '${arg}' must be a relative tolerance in [0, 1); found ${String(tol)}`);
  }
}

/** Check an absolute tolerance tol > 0 (finite). */
export function checkPositiveTol(fn: string, arg: string, tol: unknown): asserts tol is number {
  if (typeof tol !== "number" || !Number.isFinite(tol) || tol <= 0) {
    throw new ToleranceError(`${fn}: '${arg}' must be a finite tolerance > 0; found ${String(tol)}`);
  }
}
