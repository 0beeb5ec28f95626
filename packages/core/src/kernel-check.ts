import type { ArgDecl, KernelDecl } from "./kernels.js";

/**
 * The build-time check that kernels.ts declares the kernels assembly/ exports: same names, same arity, same
 * argument names in the same order, argument kinds consistent with the AssemblyScript parameter types (`i32` for a
 * dimension or flag, `f64` for a scalar, `usize` for an array) and the same return type. Run by
 * `scripts/check-kernels.js` after core's build (it fails the build on a mismatch) and by kernel-check.test.ts.
 * Development tooling: not exported from the package.
 */

/** An `export function` of an assembly/*.ts source. */
export interface AssemblySignature {
  readonly name: string;
  readonly file: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly returns: string;
}

/** An exported function of the compiled module and its parameter count. */
export interface ModuleFunction {
  readonly name: string;
  readonly arity: number;
}

/** Every `export function name(params): type` in the given sources (file name → text). */
export function parseAssemblySignatures(sources: Readonly<Record<string, string>>): AssemblySignature[] {
  const out: AssemblySignature[] = [];
  const re = /^export function\s+(\w+)\s*\(([^)]*)\)\s*:\s*([\w<>]+)/gm;
  for (const [file, text] of Object.entries(sources)) {
    for (const m of text.matchAll(re)) {
      const params = m[2]
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p.length > 0)
        .map((p) => {
          const [name, type] = p.split(":").map((x) => x.trim());
          return { name, type: (type ?? "").replace(/\s*=.*$/, "") };
        });
      out.push({ name: m[1], file, params, returns: m[3] });
    }
  }
  return out;
}

const ROLE = { in: "input", inout: "in-out", out: "output", scratch: "scratch" } as const;

/** How a message names a declared argument. */
function describe(a: ArgDecl): string {
  if (!("type" in a)) return `an ${a.kind}`;
  return `an ${ROLE[a.kind]} ${a.type} array`;
}

/** The AssemblyScript type an argument of this kind must have. */
function asType(a: ArgDecl): string {
  return a.kind === "i32" || a.kind === "f64" ? a.kind : "usize";
}

/**
 * The mismatches between `decls` and the assembly sources and compiled module (empty when they agree). `runtime`
 * names the module's exports that are not kernels.
 */
export function checkKernels(
  decls: Readonly<Record<string, KernelDecl>>,
  signatures: readonly AssemblySignature[],
  moduleFunctions: readonly ModuleFunction[],
  runtime: readonly string[],
): string[] {
  const problems: string[] = [];
  const byName = new Map(signatures.map((s) => [s.name, s]));
  const exported = new Map(moduleFunctions.map((f) => [f.name, f]));
  for (const [name, decl] of Object.entries(decls)) {
    const sig = byName.get(name);
    const fn = exported.get(name);
    if (!fn) problems.push(`kernel '${name}' is declared in kernels.ts but the WASM module does not export it`);
    if (!sig) {
      problems.push(`kernel '${name}' is declared in kernels.ts but no assembly/*.ts has 'export function ${name}'`);
      continue;
    }
    const args = Object.entries(decl.args);
    const where = `kernel '${name}' (assembly/${sig.file})`;
    if (args.length !== sig.params.length) {
      problems.push(`${where}: kernels.ts declares ${args.length} arguments, assembly has ${sig.params.length}`);
    }
    if (fn && fn.arity !== sig.params.length) {
      problems.push(`${where}: the compiled export takes ${fn.arity} arguments, the source ${sig.params.length} (rebuild core)`);
    }
    for (let i = 0; i < Math.min(args.length, sig.params.length); i++) {
      const [argName, a] = args[i];
      const p = sig.params[i];
      if (argName !== p.name) {
        problems.push(`${where}: argument ${i + 1} is '${argName}' in kernels.ts but '${p.name}' in assembly`);
      }
      if (asType(a) !== p.type) {
        problems.push(`${where}: argument ${i + 1} '${p.name}' is ${p.type} in assembly but kernels.ts declares ${describe(a)} (${asType(a)})`);
      }
    }
    if (decl.returns !== sig.returns) {
      problems.push(`${where}: returns ${sig.returns} in assembly but ${decl.returns} in kernels.ts`);
    }
  }
  for (const f of moduleFunctions) {
    if (!(f.name in decls) && !runtime.includes(f.name)) {
      problems.push(`the WASM module exports '${f.name}', which kernels.ts does not declare (declare it, or stop exporting it from assembly/index.ts)`);
    }
  }
  return problems;
}
