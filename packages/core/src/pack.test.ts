import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { relaxedSimdSupported } from "./index.js";

// The published artefact, not the source: `npm pack` the built package (run `npm run build -w @losscape/core`
// first; `npm test` does), install the tarball into a fresh project outside the repository (its dependency
// ml-matrix comes from the registry or npm's cache) and import it with plain node in a child process.

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "losscape-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
}

describe("npm pack of @losscape/core", () => {
  let tarball = "";

  it("packs dist/*.js, dist/*.d.ts and the three .wasm builds, and no tests, sources or debug builds", () => {
    const [info] = JSON.parse(npm(["pack", "--json", "--pack-destination", work], pkgDir)) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path);
    for (const f of ["package.json", "dist/index.js", "dist/index.d.ts", "dist/blas.js", "dist/blas.d.ts",
      "wasm/losscape-simd.wasm", "wasm/losscape-relaxed.wasm", "wasm/losscape-scalar.wasm", "README.md"]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /\.test\.|(^|\/)test\/|\.tsbuildinfo$/.test(f))).toEqual([]);
    // The debug builds (asserts on) stay in the repository.
    expect(files.filter((f) => f.startsWith("wasm-debug/"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("src/") || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    // Source maps would point at src/, which is not shipped.
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    // The repository's docs/ ship too (scripts/pack-docs.js), so what the README and the doc comments cite exists.
    for (const f of ["docs/architecture.md", "docs/conventions.md", "docs/formats.md", "docs/cli.md"]) expect(files, f).toContain(f);
    expect(files.filter((f) => /README\.md\.|\.README/.test(f))).toEqual([]);
  });

  it("the packed README links only to documents inside the tarball, and the repository's README is restored", () => {
    expect(tarball).not.toBe("");
    const out = join(work, "unpacked");
    execFileSync("mkdir", ["-p", out]);
    execFileSync("tar", ["-xzf", tarball, "-C", out]);
    const packed = readFileSync(join(out, "package", "README.md"), "utf8");
    const links = [...packed.matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(existsSync(join(out, "package", l)), `${l} cited by the packed README`).toBe(true);
    // In the repository the README keeps its repository-relative links, and no copy is left behind.
    expect(readFileSync(join(pkgDir, "README.md"), "utf8")).toContain("](../../docs/");
    expect(existsSync(join(pkgDir, "docs"))).toBe(false);
    expect(existsSync(join(pkgDir, ".README.md.repo"))).toBe(false);
  });

  it("installs into a fresh project and runs init() + eigh + matmul, and initSync on its scalar .wasm, under node", () => {
    expect(tarball).not.toBe("");
    const app = join(work, "app");
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-smoke", private: true, type: "module" }));
    npm(["install", tarball, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], app);
    writeFileSync(
      join(app, "smoke.js"),
      `import { init, initSync, eigh, matmul, matFromRows } from "@losscape/core";
const backend = await init();
const { values, vectors } = eigh(matFromRows([[2, 1], [1, 2]]));
const c = matmul(matFromRows([[1, 2], [3, 4]]), matFromRows([[5, 6], [7, 8]]));
// The package's exports map publishes the .wasm files, for initSync users.
const { readFileSync } = await import("node:fs");
const scalarUrl = new URL(import.meta.resolve("@losscape/core/wasm/losscape-scalar.wasm"));
const syncBackend = initSync(readFileSync(scalarUrl));
const c2 = matmul(matFromRows([[1, 2]]), matFromRows([[3], [4]]));
// The default tolerances are also published as a leaf module.
const { DEFAULT_INERTIA_TOL } = await import("@losscape/core/defaults");
console.log(JSON.stringify({ backend, values: Array.from(values), vectors: Array.from(vectors.data), c: Array.from(c.data),
  syncBackend, c2: Array.from(c2.data), inertiaTol: DEFAULT_INERTIA_TOL }));
`,
    );
    // The release builds, as a user runs them (the test run's LOSSCAPE_WASM=debug names files the package does not ship).
    const env = { ...process.env, LOSSCAPE_WASM: "release" };
    const out = JSON.parse(execFileSync(process.execPath, ["smoke.js"], { cwd: app, encoding: "utf8", timeout: 60_000, env }));
    expect(out.backend).toBe(relaxedSimdSupported() ? "relaxed" : "simd"); // node ≥ 22 : node 20
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2 (signs are free).
    // 1e-14: a few rounding errors on entries of size ≤ 3.
    expect(Math.abs(out.values[0] - 1)).toBeLessThan(1e-14);
    expect(Math.abs(out.values[1] - 3)).toBeLessThan(1e-14);
    const [v00, v01, v10, v11] = out.vectors as number[];
    expect(Math.abs(Math.abs(v00) - Math.SQRT1_2)).toBeLessThan(1e-14);
    expect(Math.abs(v00 + v10)).toBeLessThan(1e-14); // first column ∝ (1, −1)
    expect(Math.abs(v01 - v11)).toBeLessThan(1e-14); // second column ∝ (1, 1)
    expect(out.c).toEqual([19, 22, 43, 50]);
    expect(out.syncBackend).toBe("scalar");
    expect(out.c2).toEqual([11]);
    expect(out.inertiaTol).toBe(1e-9);
  });
});
