// Fails core's build when the kernel declarations (src/kernels.ts) disagree with assembly/: names, arity, argument
// names and kinds, return types (src/kernel-check.ts). Run after `tsc -b` (it reads dist/) and the WASM build.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KERNELS, RUNTIME_EXPORTS } from "../dist/kernels.js";
import { checkKernels, parseAssemblySignatures } from "../dist/kernel-check.js";

const assembly = fileURLToPath(new URL("../../../assembly/", import.meta.url));
const sources = Object.fromEntries(
  readdirSync(assembly)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [f, readFileSync(assembly + f, "utf8")]),
);
const signatures = parseAssemblySignatures(sources);
let failed = false;
for (const build of ["simd", "scalar"]) {
  const bytes = readFileSync(new URL(`../wasm/losscape-${build}.wasm`, import.meta.url));
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { abort() {} } });
  const functions = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => ({ name: e.name, arity: instance.exports[e.name].length }));
  const problems = checkKernels(KERNELS, signatures, functions, RUNTIME_EXPORTS);
  if (problems.length > 0) {
    failed = true;
    console.error(`check-kernels: packages/core/src/kernels.ts does not match the '${build}' build of assembly/:`);
    for (const p of problems) console.error(`  - ${p}`);
  }
}
if (failed) process.exit(1);
