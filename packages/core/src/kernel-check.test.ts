import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkKernels, parseAssemblySignatures, type ModuleFunction } from "./kernel-check.js";
import { KERNELS, RUNTIME_EXPORTS, type ArgDecl, type KernelDecl } from "./kernels.js";

// The declarations of kernels.ts against assembly/ (sources and both compiled builds), as core's build checks
// them (scripts/check-kernels.js), and the check itself on deliberately wrong declarations.

const assembly = new URL("../../../assembly/", import.meta.url);
const sources = Object.fromEntries(
  readdirSync(assembly)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [f, readFileSync(new URL(f, assembly), "utf8")]),
);
const signatures = parseAssemblySignatures(sources);

function moduleFunctions(build: "simd" | "scalar"): ModuleFunction[] {
  const module = new WebAssembly.Module(readFileSync(new URL(`../wasm/losscape-${build}.wasm`, import.meta.url)));
  const instance = new WebAssembly.Instance(module, { env: { abort() {} } });
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => ({ name: e.name, arity: (instance.exports[e.name] as (...a: number[]) => unknown).length }));
}

describe("kernel declarations", () => {
  it.each(["simd", "scalar"] as const)("match assembly/ and the %s build exactly", (build) => {
    expect(checkKernels(KERNELS, signatures, moduleFunctions(build), RUNTIME_EXPORTS)).toEqual([]);
  });

  it("parses multi-line signatures", () => {
    const dgemm = signatures.find((s) => s.name === "dgemm")!;
    expect(dgemm.file).toBe("blas.ts");
    expect(dgemm.params.map((p) => p.name).join(",")).toBe("ta,tb,m,n,k,alpha,a,lda,b,ldb,beta,c,ldc,work");
    expect(dgemm.params[5].type).toBe("f64");
    expect(dgemm.params[6].type).toBe("usize");
    expect(dgemm.returns).toBe("void");
  });

  it("fails, naming kernel, argument and file, on a wrong declaration", () => {
    const fns = moduleFunctions("simd");
    const { dgemm, cholFactor, svdWorkSize, ...rest } = KERNELS;
    const swapped: Record<string, ArgDecl> = {};
    for (const [k, v] of Object.entries(dgemm.args)) swapped[k === "lda" ? "b" : k === "b" ? "lda" : k] = k === "lda" ? dgemm.args.b : k === "b" ? dgemm.args.lda : v;
    // dgemm: lda and b swapped (a classic positional slip); cholFactor: lda declared f64; svdWorkSize: returns i32;
    // symmetricRange missing; a kernel that does not exist.
    const wrong: Record<string, KernelDecl> = {
      ...rest,
      dgemm: { ...dgemm, args: swapped },
      cholFactor: { ...cholFactor, args: { n: cholFactor.args.n, a: cholFactor.args.a, lda: { kind: "f64" } } },
      svdWorkSize: { ...svdWorkSize, returns: "i32" },
      dgemmm: KERNELS.dgemmWorkSize,
    };
    delete wrong.symmetricRange;
    const problems = checkKernels(wrong, signatures, fns, RUNTIME_EXPORTS);
    expect(problems).toContain("kernel 'dgemm' (assembly/blas.ts): argument 8 is 'b' in kernels.ts but 'lda' in assembly");
    expect(problems).toContain(
      "kernel 'dgemm' (assembly/blas.ts): argument 8 'lda' is i32 in assembly but kernels.ts declares an input f64 array (usize)",
    );
    expect(problems).toContain("kernel 'dgemm' (assembly/blas.ts): argument 9 'b' is usize in assembly but kernels.ts declares an i32 (i32)");
    expect(problems).toContain("kernel 'cholFactor' (assembly/factor.ts): argument 3 'lda' is i32 in assembly but kernels.ts declares an f64 (f64)");
    expect(problems).toContain("kernel 'svdWorkSize' (assembly/svd.ts): returns f64 in assembly but i32 in kernels.ts");
    expect(problems).toContain("kernel 'dgemmm' is declared in kernels.ts but the WASM module does not export it");
    expect(problems).toContain(
      "the WASM module exports 'symmetricRange', which kernels.ts does not declare (declare it, or stop exporting it from assembly/index.ts)",
    );
  });

  it("fails on a different arity and on a stale compiled module", () => {
    const { dsterfQL, ...rest } = KERNELS;
    const shorter = { ...rest, dsterfQL: { ...dsterfQL, args: { n: dsterfQL.args.n, d: dsterfQL.args.d } } };
    expect(checkKernels(shorter, signatures, moduleFunctions("scalar"), RUNTIME_EXPORTS)).toEqual([
      "kernel 'dsterfQL' (assembly/eigen.ts): kernels.ts declares 2 arguments, assembly has 3",
    ]);
    const stale = moduleFunctions("scalar").map((f) => (f.name === "triSolve" ? { ...f, arity: 8 } : f));
    expect(checkKernels(KERNELS, signatures, stale, RUNTIME_EXPORTS)).toEqual([
      "kernel 'triSolve' (assembly/factor.ts): the compiled export takes 8 arguments, the source 9 (rebuild core)",
    ]);
  });
});
