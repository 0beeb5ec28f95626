/**
 * Typed errors of losscape. Every error thrown by a losscape package is a `LosscapeError` with a stable `code`;
 * `isLosscapeError` recognises them across duplicate installs (it checks a global symbol marker, not `instanceof`).
 */
const MARKER = Symbol.for("losscape.error");

export type LosscapeErrorCode =
  | "E_SHAPE"
  | "E_VALUE"
  | "E_NOT_INITIALIZED"
  | "E_OUT_OF_MEMORY"
  | "E_CONVERGENCE"
  | "E_WASM"
  | "E_FORMAT"
  | "E_STALE_HANDLE";

export class LosscapeError extends Error {
  readonly code: LosscapeErrorCode;
  readonly [MARKER] = true;
  constructor(code: LosscapeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "LosscapeError";
  }
}

/** True for any losscape error, even one thrown by another copy of the package. */
export function isLosscapeError(e: unknown): e is LosscapeError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
}

/**
 * `e`, with its message's leading "inner: " (a function `inner` matches) replaced by "`fn`: " when it is a
 * LosscapeError: a public function reports the refusals of the functions it calls in its own name.
 * @example
 * try { … } catch (e) { throw inCallerName(e, "curvature", /^(hessian|eigh): /); }
 */
export function inCallerName(e: unknown, fn: string, inner: RegExp): unknown {
  if (isLosscapeError(e)) e.message = e.message.replace(inner, `${fn}: `);
  return e;
}

/** Dimensions that do not fit: wrong shapes, non-square input, empty or negative sizes, wrong array lengths. */
export class ShapeError extends LosscapeError {
  constructor(message: string) {
    super("E_SHAPE", message);
    this.name = "ShapeError";
  }
}

/** Values that are not acceptable: NaN/Inf entries, asymmetric input where symmetry is required, bad options. */
export class ValueError extends LosscapeError {
  constructor(message: string) {
    super("E_VALUE", message);
    this.name = "ValueError";
  }
}

/** A WASM backend was used before `init()`/`initSync()` loaded it. */
export class NotInitializedError extends LosscapeError {
  constructor(message: string) {
    super("E_NOT_INITIALIZED", message);
    this.name = "NotInitializedError";
  }
}

/** The engine refused to grow WASM memory. The instance stays usable. */
export class OutOfMemoryError extends LosscapeError {
  constructor(message: string) {
    super("E_OUT_OF_MEMORY", message);
    this.name = "OutOfMemoryError";
  }
}

/** An iterative method did not converge within its iteration budget. */
export class ConvergenceError extends LosscapeError {
  constructor(message: string) {
    super("E_CONVERGENCE", message);
    this.name = "ConvergenceError";
  }
}

/** A WASM kernel aborted or trapped (a bug in losscape: kernels never validate, the TS boundary does). */
export class WasmError extends LosscapeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_WASM", message, options);
    this.name = "WasmError";
  }
}

/** A file or record that does not follow its format (docs/formats.md): wrong tag, missing field, wrong type. */
export class FormatError extends LosscapeError {
  constructor(message: string) {
    super("E_FORMAT", message);
    this.name = "FormatError";
  }
}

/**
 * A handle to data resident in WASM memory used after `dispose()`, or after `setBackend` made another WASM
 * instance (or `ts`) active than the one it lives in.
 */
export class StaleHandleError extends LosscapeError {
  constructor(message: string) {
    super("E_STALE_HANDLE", message);
    this.name = "StaleHandleError";
  }
}
