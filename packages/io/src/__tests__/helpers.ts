import type { LosscapeError } from "@losscape/core";

/** The error `f` throws (a test fails when it throws none). */
export function errorOf(f: () => unknown): LosscapeError {
  try {
    f();
  } catch (e) {
    return e as LosscapeError;
  }
  throw new Error("expected an error");
}

/** max |a − b| / max |b|: the error relative to the scale of the reference (entries near 0 are not singled out). */
export function normwiseRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
