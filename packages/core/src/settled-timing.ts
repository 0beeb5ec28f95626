/**
 * Timing that waits for the engine's optimising tier. A JIT engine runs new WebAssembly in a baseline tier and
 * compiles optimised code in the background (V8's dynamic tiering), later when other code fills its compile queue
 * (e.g. just after a first large GEMM). Comparing candidates before that picks whichever was optimised first: in
 * Chromium 156, three rounds right after a GEMM once kept the slower of two codings of one loop, 1.5× slower than the
 * other. So the rounds go on until the best times have settled.
 */

export interface SettleOptions {
  /** Time spent at least, over all rounds (ms). */
  readonly minMs: number;
  /** Most rounds, however unsettled. */
  readonly maxRounds: number;
  /** The clock, in ms (default performance.now; tests pass a scripted one). */
  readonly clock?: () => number;
}

/** Rounds in a row in which no best time improved by more than 2 % that end the timing (after `minMs`). */
const SETTLED_ROUNDS = 3;

/**
 * The best time (ms) of each of `runs`, timed in interleaved rounds (one call of each per round) until at least
 * `minMs` have passed and three rounds in a row improved no best time by more than 2 %, or after `maxRounds` rounds.
 * @example
 * const [tA, tB] = settledBestTimes([() => kernelA(), () => kernelB()], { minMs: 10, maxRounds: 32 });
 */
export function settledBestTimes(runs: readonly (() => void)[], options: SettleOptions): number[] {
  const now = options.clock ?? (() => performance.now());
  const best = runs.map(() => Infinity);
  const start = now();
  let settled = 0;
  for (let round = 0; round < options.maxRounds; round++) {
    let improved = false;
    runs.forEach((run, i) => {
      const t0 = now();
      run();
      const t = now() - t0;
      if (t < 0.98 * best[i]) improved = true;
      best[i] = Math.min(best[i], t);
    });
    settled = improved ? 0 : settled + 1;
    if (settled >= SETTLED_ROUNDS && now() - start >= options.minMs) break;
  }
  return best;
}
