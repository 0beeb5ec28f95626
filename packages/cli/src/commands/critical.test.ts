import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BIN, fx, run } from "../__tests__/run.js";

// `losscape critical` draws refineCriticalPoint's progress (onProgress) as a bar on stderr when it is a terminal:
// the iterations of the budget, the phase, ‖∇R‖ and R. util-linux `script` gives the child a pseudo-terminal (stdout
// and stderr both go to it); without it the terminal tests are skipped.
const hasScript = existsSync("/usr/bin/script");

function inTerminal(args: string[]): Promise<string> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((res, rej) =>
    execFile("/usr/bin/script", ["-qec", cmd, "/dev/null"], { timeout: 60_000 }, (err, stdout) => (err ? rej(err) : res(String(stdout)))),
  );
}

const args = (...more: string[]) => ["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), ...more];

describe.runIf(hasScript)("losscape critical — progress on a terminal", () => {
  it("draws a bar over the iteration budget with the phase, ‖∇R‖ and R, and clears it", async () => {
    const out = await inTerminal(args());
    expect(out).toMatch(/\r\x1b\[2Krefining \(newton\) \[[█·]+\] \d+\/200 LM ‖∇R‖ \S+ R \d\S*(?=\r|\x1b|$)/);
    expect(out).toMatch(/outcome\s+critical/);
  });

  it("--method gradnorm: the budget is 5000, the L-BFGS phase shown first", async () => {
    const out = await inTerminal(args("--method", "gradnorm"));
    expect(out).toMatch(/refining \(gradnorm\) \[[█·]+\] 0\/5000 L-BFGS on ½‖∇R‖² ‖∇R‖ \S+ R \d/);
  });

  it("--quiet draws nothing; neither does a pipe", async () => {
    const quiet = await inTerminal(args("--quiet"));
    expect(quiet).not.toContain("\x1b[2K");
    expect(quiet).toMatch(/outcome\s+critical/);
    const piped = await run(args());
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
  });
});
