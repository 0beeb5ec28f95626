// The error check shared by core's test files (not exported from the package; excluded from the build).
import { expect } from "vitest";
import { isLosscapeError } from "../errors.js";

/** `f` throws a LosscapeError (never a TypeError from inside, never a silent result) whose message matches `pattern`. */
export function refuses(f: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(isLosscapeError(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}
