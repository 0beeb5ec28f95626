import { describe, expect, it } from "vitest";
import { settledBestTimes } from "./settled-timing.js";

/**
 * A scripted clock: each run advances it by the next duration of its script (the last one repeats), so the timing
 * logic is tested without timing anything.
 */
function scripted(scripts: number[][]) {
  let t = 0;
  const calls = scripts.map(() => 0);
  const runs = scripts.map((script, i) => () => {
    t += script[Math.min(calls[i], script.length - 1)];
    calls[i]++;
  });
  return { runs, calls, clock: () => t };
}

describe("settledBestTimes", () => {
  it("waits for a candidate that is optimised late, instead of comparing the first rounds", () => {
    // candidate 0: 2 ms throughout; candidate 1: 3 ms in its baseline tier for 6 calls (30 ms of rounds), then 1 ms
    const { runs, calls, clock } = scripted([[2], [3, 3, 3, 3, 3, 3, 1]]);
    const best = settledBestTimes(runs, { minMs: 40, maxRounds: 100, clock });
    expect(best).toEqual([2, 1]);
    // the drop at round 7 resets the count; three quiet rounds later (and past 40 ms) it stops: 10 rounds in all
    expect(calls).toEqual([10, 10]);
    // compared after three rounds, as before, the late candidate loses
    const early = scripted([[2], [3, 3, 3, 3, 3, 3, 1]]);
    expect(settledBestTimes(early.runs, { minMs: 0, maxRounds: 100, clock: early.clock })).toEqual([2, 3]);
  });

  it("keeps going until minMs has passed, then stops three rounds after the last improvement", () => {
    const { runs, calls, clock } = scripted([[1], [1]]);
    const best = settledBestTimes(runs, { minMs: 50, maxRounds: 100, clock });
    expect(best).toEqual([1, 1]);
    expect(calls[0]).toBe(25); // 2 ms a round: 25 rounds reach 50 ms
  });

  it("stops after maxRounds however unsettled", () => {
    let d = 100;
    let t = 0;
    const best = settledBestTimes([() => (t += d *= 0.9)], { minMs: 0, maxRounds: 7, clock: () => t });
    expect(best[0]).toBeCloseTo(100 * 0.9 ** 7, 10);
  });

  it("counts an improvement of 2 % or less as settled", () => {
    const { runs, calls, clock } = scripted([[10, 9.9, 9.85, 9.8, 9.75]]);
    settledBestTimes(runs, { minMs: 0, maxRounds: 100, clock });
    expect(calls[0]).toBe(4); // round 1 improves on ∞, rounds 2–4 by ≤ 2 % each
  });
});
