import { isLosscapeError } from "@losscape/core";

/**
 * Exit statuses of the `losscape` command (docs/cli.md#exit-status): 0 success, 2 bad input (one line on stderr naming the
 * file, the field, expected vs found), 1 internal failure; 130 and 143 after SIGINT and SIGTERM stopped `experiment run`
 * (InterruptedError).
 */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/** The signals a long command stops cleanly on, with their numbers: the exit status after one is 128 + the number. */
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * A command stopped by SIGINT (Ctrl-C) or SIGTERM before its work was done, after it had cleaned up and printed what it
 * has (`experiment run`: the rows so far stay in the results file): exit 128 + the signal's number, 130 or 143, as a
 * shell reports a process the signal killed, with one line on stderr (the message) saying what was kept.
 */
export class InterruptedError extends Error {
  readonly signal: keyof typeof SIGNAL_NUMBERS;
  constructor(signal: keyof typeof SIGNAL_NUMBERS, message: string) {
    super(message);
    this.name = "InterruptedError";
    this.signal = signal;
  }
}

/** Bad input found by the command itself (a missing file, invalid JSON, an option out of range …): exit 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * A library error saying that finite parameters gave a loss, gradient or Hessian beyond float64 (a non-finite value
 * refused, or a NaN derivative where a saturated unit meets an overflow): the command names the flag that made the
 * parameters that large (embed's --alpha, lift's --scale and --margin); any other such error is named by the command's
 * model and data files (io.ts' overflowAtInputs, applied to every command by cli.ts), never by the function.
 */
export function overflowedFloat64(e: unknown): e is Error {
  return isLosscapeError(e) && e.code === "E_VALUE" && /must be finite|not finite|is NaN at /.test(e.message);
}

/**
 * A package error's message without the name of the function that raised it ("Problem.lossAndGradient: the loss is
 * NaN …" → "the loss is NaN …"): the command line names the command, the file and the flag instead of a function the
 * user never called.
 * @example
 * reasonOf(new ValueError("eigvalsh: argument 'a' must be finite")); // "argument 'a' must be finite"
 */
export function reasonOf(e: Error): string {
  return withoutFunctionName(e.message);
}

/** A package message without its leading function name ("parseModel: …", "Problem.lossAndGradient: …"); see reasonOf. */
export function withoutFunctionName(message: string): string {
  return message.replace(/^(?:[A-Z]\w*\.)?[a-z]\w*: /, "");
}

/** The loss, gradient and (when it was formed) Hessian of a model on a data set at the model's own parameters. */
export interface AtModel {
  loss: number;
  gradient: ArrayLike<number>;
  /** The exact Hessian (M × M, row-major); null when forming it was refused as not finite; undefined when not formed (M too large). */
  hessian?: ArrayLike<number> | null;
  /** H∇R, the product every critical-point step takes (undefined when not formed). */
  hessianGradient?: ArrayLike<number>;
  /** max|θ|, max|x| and max|y|: finite, and why the values overflow (their products exceed float64's range). */
  maxParam: number;
  maxInput: number;
  maxTarget: number;
}

/**
 * Bad input (exit 2) when the loss, its gradient, its Hessian or H∇R is not finite at a model's own parameters
 * (finite parameters whose outputs overflow float64: R = +∞, or NaN where they meet ∞ − ∞), naming `where` (the
 * model and data files) and the first value that is not finite; undefined when all of them are finite.
 * @example
 * notFiniteAtModel("m.json (--model) on d.json (--data)", at); // InputError: m.json (--model) on d.json (--data): the loss is not finite …
 */
export function notFiniteAtModel(where: string, at: AtModel): InputError | undefined {
  const g = (x: number) => (Number.isNaN(x) ? "NaN" : x > 0 ? "+∞" : x < 0 ? "−∞" : String(x));
  const n = (x: number) => String(Number(x.toPrecision(3)));
  const cause = `max|θ| = ${n(at.maxParam)}, max|x| = ${n(at.maxInput)} and max|y| = ${n(at.maxTarget)} are finite, but the network's values exceed float64's range (≈ 1.8e308): scale the parameters or the data down`;
  if (!Number.isFinite(at.loss)) {
    const what = Number.isNaN(at.loss) ? "the network's outputs overflow float64 and meet ∞ − ∞" : "the network's outputs overflow float64";
    return new InputError(`${where}: the loss is not finite at the model's parameters: ${what} (R = ${g(at.loss)}); expected a finite loss — ${cause}`);
  }
  const i = Array.prototype.findIndex.call(at.gradient, (v: number) => !Number.isFinite(v));
  if (i >= 0) {
    return new InputError(`${where}: the gradient of the loss is not finite at the model's parameters: a derivative overflows float64 (∂R/∂θ[${i}] = ${g(at.gradient[i])}, R = ${n(at.loss)}); expected a finite gradient — ${cause}`);
  }
  const h = at.hessian;
  const k = h === undefined ? -1 : h === null ? 0 : Array.prototype.findIndex.call(h, (v: number) => !Number.isFinite(v));
  if (h !== undefined && k >= 0) {
    const M = at.gradient.length;
    const entry = h === null ? "" : `H[${Math.floor(k / M)}][${k % M}] = ${g(h[k])}; `;
    return new InputError(`${where}: the Hessian of the loss is not finite at the model's parameters: a second derivative overflows float64 (${entry}R = ${n(at.loss)} and ∇R are finite); expected a finite Hessian — ${cause}`);
  }
  const hg = at.hessianGradient;
  const j = hg === undefined ? -1 : Array.prototype.findIndex.call(hg, (v: number) => !Number.isFinite(v));
  if (hg !== undefined && j >= 0) {
    return new InputError(`${where}: the Hessian times the gradient, H∇R, is not finite at the model's parameters: it overflows float64 ((H∇R)[${j}] = ${g(hg[j])}; R = ${n(at.loss)}, ∇R${h ? " and H" : ""} are finite); expected a finite H∇R — ${cause}`);
  }
  return undefined;
}

/**
 * A service the command needs went away while it ran (Redis, for `losscape worker` and `experiment run --redis`):
 * exit 1 like an internal failure, but reported as what it is, without "internal error".
 */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** LosscapeError codes that mean "the input is wrong" (exit 2); every other failure is internal (exit 1). */
// Out of memory is bad input too: sizes are checked before the work starts (a net too large, a Hessian too big).
const INPUT_CODES = new Set(["E_SHAPE", "E_VALUE", "E_FORMAT", "E_OUT_OF_MEMORY"]);

/**
 * The exit status for an error thrown while running a command.
 * @example
 * exitCodeOf(new InputError("m.json: no such file (--model)")); // 2
 */
export function exitCodeOf(e: unknown): number {
  if (e instanceof InputError) return EXIT_BAD_INPUT;
  if (e instanceof InterruptedError) return 128 + SIGNAL_NUMBERS[e.signal];
  if (isLosscapeError(e) && INPUT_CODES.has(e.code)) return EXIT_BAD_INPUT;
  return EXIT_INTERNAL;
}

/**
 * An error as one line (no stack trace): newlines folded, long messages kept whole.
 * @example
 * oneLine(new Error("a\nb")); // "a b"
 */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message || e.name : String(e);
  return msg.replace(/\s*\n\s*/g, " ").trim();
}
