import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BIN, fx, run } from "./run.js";

// Progress bars appear on stderr only when it is a terminal. util-linux `script` gives the child a pseudo-terminal
// (stdout and stderr both go to it); without it the test is skipped.
const hasScript = existsSync("/usr/bin/script");

function inTerminal(args: string[]): Promise<string> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((res, rej) =>
    execFile("/usr/bin/script", ["-qec", cmd, "/dev/null"], { timeout: 60_000 }, (err, stdout) => (err ? rej(err) : res(String(stdout)))),
  );
}

describe.runIf(hasScript)("progress on a terminal", () => {
  const args = ["train", "--data", fx("sin20.json"), "--widths", "1,3,1", "--epochs", "3000", "--optimizer", "gd"];

  it("draws a bar (redrawn in place with \\r) and clears it", async () => {
    const out = await inTerminal(args);
    expect(out).toMatch(/\r\x1b\[2Ktraining \(gd\) \[[█·]+\] \d+\/3000/);
    expect(out).toMatch(/epoch\s+loss/);
  });

  it("--quiet draws nothing; neither does a pipe (its lines come every 30 s: progress.test.ts)", async () => {
    const quiet = await inTerminal([...args, "--quiet"]);
    expect(quiet).not.toContain("\x1b[2K");
    const piped = await run(args);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
  });
  it("a terminal that reports 0 columns (script's pty) gets the whole bar: the count is not cut short", async () => {
    // `script` without a size gives the child a pty of 0 × 0: the bar was cut to 0 − 1 characters from the end,
    // "top eigenpairs [··········] 0/10" for 0/100.
    const out = await inTerminal(["curvature", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json"), "--exact-limit", "0", "--top", "1"]);
    expect(out).toMatch(/top eigenpairs \[[█·]+\] \d+\/100(?=\r|\x1b|$)/);
    expect(out).not.toMatch(/top eigenpairs \[[█·]+\] \d+\/10(?=\r|\x1b|$)/);
  });
});
