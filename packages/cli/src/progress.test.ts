import { afterEach, describe, expect, it, vi } from "vitest";
import { LOG_INTERVAL_MS, progress, status } from "./progress.js";

// On a stderr that is not a terminal (a log file, a pipe, a batch job's output) progress is a plain line every
// LOG_INTERVAL_MS, none for work that ends sooner; --quiet writes nothing. The bar on a terminal: tty.test.ts.

function capture(): { lines: () => string[]; at: (ms: number) => void } {
  let now = 1_000_000;
  vi.spyOn(Date, "now").mockImplementation(() => now);
  const written: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return { lines: () => written.join("").split("\n").filter((l) => l !== ""), at: (ms) => (now = 1_000_000 + ms) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.runIf(process.stderr.isTTY !== true)("progress on a stderr that is not a terminal", () => {
  it("one line per LOG_INTERVAL_MS, the first one interval after the start, none at the end", () => {
    const c = capture();
    const p = progress("critical (newton)", 200, false);
    c.at(1);
    p.update(1, "LM ‖∇R‖ 1e-3");
    c.at(LOG_INTERVAL_MS - 1);
    p.update(5, "LM ‖∇R‖ 1e-5");
    expect(c.lines()).toEqual([]);
    c.at(LOG_INTERVAL_MS);
    p.update(6, "LM ‖∇R‖ 1e-6");
    c.at(LOG_INTERVAL_MS + 10);
    p.update(7, "LM ‖∇R‖ 1e-7");
    c.at(2 * LOG_INTERVAL_MS + 5);
    p.update(300, "");
    p.end();
    expect(c.lines()).toEqual(["critical (newton) 6/200 LM ‖∇R‖ 1e-6", "critical (newton) 200/200"]);
  });

  it("a status without a total says … ; --quiet writes nothing", () => {
    const c = capture();
    const s = status("slicing", false);
    const q = progress("training", 10, true);
    const qs = status("slicing", true);
    c.at(LOG_INTERVAL_MS);
    s.update(0, "row 3");
    q.update(1);
    qs.update(0, "row 3");
    s.end();
    q.end();
    qs.end();
    expect(c.lines()).toEqual(["slicing … row 3"]);
  });
});
