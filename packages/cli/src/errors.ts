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
 * parameters that large (embed's --alpha, lift's --scale and --margin).
 */
export function overflowedFloat64(e: unknown): e is Error {
  return isLosscapeError(e) && e.code === "E_VALUE" && /must be finite|not finite|is NaN at these parameters/.test(e.message);
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
