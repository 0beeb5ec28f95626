#!/usr/bin/env node
// Compile the WASM core (assembly/index.ts) for every target of assembly/asconfig.json: the release builds `simd`
// and `scalar` (packages/core/wasm/, shipped) and their debug twins `simd-debug` and `scalar-debug` (asserts on,
// packages/core/wasm-debug/, loaded by the tests). The compiles are independent, so they run side by side, as many
// at once as there are cores. Run by `npm run build:wasm` in packages/core.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const assembly = fileURLToPath(new URL("../assembly/", import.meta.url));
const asc = fileURLToPath(import.meta.resolve("assemblyscript/bin/asc.js"));
const targets = Object.keys(JSON.parse(readFileSync(new URL("../assembly/asconfig.json", import.meta.url), "utf8")).targets);

/** One asc compile; resolves when it succeeds, rejects with its exit status. */
function compile(target) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [asc, "index.ts", "--config", "asconfig.json", "--target", target], { cwd: assembly, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`asc --target ${target} exited with status ${code}`))));
  });
}

const queue = [...targets];
const worker = async () => {
  for (let t = queue.shift(); t !== undefined; t = queue.shift()) await compile(t);
};
try {
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), queue.length) }, worker));
} catch (e) {
  console.error(`build-wasm: ${e.message}`);
  process.exit(1);
}
