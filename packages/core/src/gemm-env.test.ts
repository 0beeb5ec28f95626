import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The GEMM register tile and cache blocks from node's environment (LOSSCAPE_GEMM_TILE, LOSSCAPE_GEMM_BLOCKING): read
// once, before the first large product, in a fresh process each (the choice is per process), against the built dist.
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** In a fresh node with `env` added: init, one 300×300 matmul (≥ 2²⁴ flops, < 2²⁷: the tile only) and one 600×600
 * (≥ 2²⁷: the blocks too); prints getGemmTile() and getGemmBlocking(), or the error's name and message. */
function run(env: Record<string, string>): { tile?: unknown; blocking?: unknown; error?: { name: string; message: string } } {
  const script = `
    const c = await import(${JSON.stringify(dist)});
    await c.init();
    const m = (n) => ({ rows: n, cols: n, data: new Float64Array(n * n).fill(0.5) });
    try {
      c.matmul(m(300), m(300));
      const tile = c.getGemmTile();
      c.matmul(m(600), m(600));
      console.log(JSON.stringify({ tile, blocking: c.getGemmBlocking() }));
    } catch (e) { console.log(JSON.stringify({ error: { name: e.name, message: e.message } })); }
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, ...env } });
  return JSON.parse(out.trim());
}

describe("GEMM settings from the environment", () => {
  it("LOSSCAPE_GEMM_TILE and LOSSCAPE_GEMM_BLOCKING are put in force, with source 'env'", () => {
    const r = run({ LOSSCAPE_GEMM_TILE: "2x10", LOSSCAPE_GEMM_BLOCKING: "64,512" });
    expect(r.tile).toEqual({ tile: "2x10", source: "env" });
    expect(r.blocking).toEqual({ mc: 64, nc: 512, source: "env" });
  });

  it("without them the tile and blocks are calibrated", () => {
    const r = run({ LOSSCAPE_GEMM_TILE: "", LOSSCAPE_GEMM_BLOCKING: "" });
    expect(r.tile).toMatchObject({ source: "calibrated" });
    expect(["2x8", "2x10", "2x12"]).toContain((r.tile as { tile: string }).tile);
    expect(r.blocking).toMatchObject({ source: "calibrated" });
  });

  it("a bad LOSSCAPE_GEMM_TILE is a ValueError naming it and the values allowed", () => {
    const r = run({ LOSSCAPE_GEMM_TILE: "4x4" });
    expect(r.error?.name).toBe("ValueError");
    expect(r.error?.message).toBe(`LOSSCAPE_GEMM_TILE: argument 'tile' must be one of "2x8", "2x10", "2x12"; found "4x4"`);
  });

  it("a LOSSCAPE_GEMM_BLOCKING that is not two numbers, or out of range, is a ValueError naming it and what was found", () => {
    for (const bad of ["64,x", "64", "64,512,1", ","]) {
      const r = run({ LOSSCAPE_GEMM_BLOCKING: bad });
      expect(r.error?.name).toBe("ValueError");
      expect(r.error?.message).toBe(`LOSSCAPE_GEMM_BLOCKING: must be "mc,nc" (two integers, e.g. "128,1024") or "default"; found ${JSON.stringify(bad)}`);
    }
    const r = run({ LOSSCAPE_GEMM_BLOCKING: "3,512" });
    expect(r.error?.name).toBe("ValueError");
    expect(r.error?.message).toMatch(/^LOSSCAPE_GEMM_BLOCKING: argument 'mc,nc' must be .*mc an even integer in \[2, 512\].*found \{ mc: 3, nc: 512 \}/);
  });
});
