import { isLosscapeError } from "@losscape/core";

/**
 * Exit statuses of the `losscape` command (CONTRACT.md): 0 success, 2 bad input (one line on stderr naming the
 * file, the field, expected vs found), 1 internal failure.
 */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input found by the command itself (a missing file, invalid JSON, an option out of range …): exit 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** A command whose package has not landed in this build: exit 1 with one line, never fake output. */
export class NotAvailableError extends Error {
  constructor(command: string) {
    super(`not available yet in this build`);
    this.name = "NotAvailableError";
    this.command = command;
  }
  readonly command: string;
}

/** LosscapeError codes that mean "the input is wrong" (exit 2); every other failure is internal (exit 1). */
const INPUT_CODES = new Set(["E_SHAPE", "E_VALUE", "E_FORMAT"]);

/** The exit status for an error thrown while running a command. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof InputError) return EXIT_BAD_INPUT;
  if (isLosscapeError(e) && INPUT_CODES.has(e.code)) return EXIT_BAD_INPUT;
  return EXIT_INTERNAL;
}

/** An error as one line (no stack trace): newlines folded, long messages kept whole. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message || e.name : String(e);
  return msg.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Wrap a package error raised while working on `context` (e.g. "data d.json does not fit model m.json") into an
 * InputError with one line, when it is an input error; anything else is rethrown unchanged.
 */
export function asInputError(e: unknown, context: string): never {
  if (isLosscapeError(e) && INPUT_CODES.has(e.code)) throw new InputError(`${context}: ${e.message}`);
  throw e;
}
