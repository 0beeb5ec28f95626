import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { relaxedSimdSupported } from "./index.js";

// A package whose .wasm files are missing (a broken install, a bundler that dropped the assets): init() rejects with
// a typed E_WASM error naming the file, once, and leaves no unhandled rejection behind; the ts backend still works.
const pkg = fileURLToPath(new URL("..", import.meta.url));
// Inside the package, so node resolves ml-matrix from the repository's node_modules as the real package does.
const copy = mkdtempSync(join(pkg, ".no-wasm-"));
cpSync(join(pkg, "dist"), join(copy, "dist"), { recursive: true });
writeFileSync(join(copy, "package.json"), JSON.stringify({ type: "module" }));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("a missing .wasm", () => {
  it("init() rejects with E_WASM naming loadWasm and the file; no unhandled rejection; init({ backend: 'ts' }) works", () => {
    const script = `
      const c = await import(${JSON.stringify(join(copy, "dist", "index.js"))});
      process.on("unhandledRejection", (e) => { console.log("UNHANDLED " + e.message); process.exitCode = 3; });
      try { await c.init(); console.log("no error"); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
      await c.init({ backend: "ts" });
      console.log("ts " + c.eigvalsh(c.matFromRows([[2, 1], [1, 2]])).join(","));
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, LOSSCAPE_WASM: "" } });
    const [first, second] = out.trim().split("\n");
    const e = JSON.parse(first);
    expect(e.name).toBe("WasmError");
    expect(e.code).toBe("E_WASM");
    // init() asks for the best build the engine runs: relaxed on node ≥ 22, simd on node 20
    const best = relaxedSimdSupported() ? "relaxed" : "simd";
    expect(e.message).toMatch(new RegExp(`^loadWasm: the '${best}' build cannot be read from file:.*losscape-${best}\\.wasm: ENOENT`));
    expect(second).toMatch(/^ts 1(\.0+\d*)?,3/);
    expect(out).not.toMatch(/UNHANDLED/);
  });
});
