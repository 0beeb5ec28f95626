import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every public package's manifest as the npm registry and bundlers need it: ES module, no side effects (tree
// shaking), an exports map with types and import for ".", the package's README and docs in the tarball, and a
// repository field pointing at its folder in this repository.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const packages = readdirSync(join(ROOT, "packages")).filter((d) => !d.startsWith("."));

describe("package manifests", () => {
  it.each(packages)("packages/%s/package.json", (dir) => {
    const p = JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(p.name).toBe(`@losscape/${dir}`);
    expect(p.private).toBeUndefined();
    expect(p.type).toBe("module");
    expect(p.sideEffects).toBe(false);
    expect(p.license).toBe("MIT");
    expect((p.exports as Record<string, unknown>)["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    expect(p.files).toEqual(expect.arrayContaining(["dist", "README.md", "docs"]));
    expect(p.repository).toEqual({ type: "git", url: "git+https://github.com/losscape/losscape.git", directory: `packages/${dir}` });
  });
});
