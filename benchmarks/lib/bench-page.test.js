import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importMap, repoRoot } from "../../apps/bench/server.js";

// The browser benchmark page resolves the suites' bare imports through the import map its server writes
// (apps/bench/server.js); `npm test` builds every package first, so every entry must be there.
describe("the browser benchmark page's import map", () => {
  it("maps every package's subpath exports too (the embedding and manifold packages import @losscape/mlp/defaults)", async () => {
    const { imports } = await importMap();
    expect(imports["@losscape/core"]).toBe("/packages/core/dist/index.js");
    expect(imports["@losscape/mlp/defaults"]).toBe("/packages/mlp/dist/defaults.js");
    expect(imports["@losscape/core/defaults"]).toBe("/packages/core/dist/defaults.js");
    for (const [name, url] of Object.entries(imports)) {
      if (!name.startsWith("@losscape/")) continue;
      expect(url.endsWith(".js"), `${name} → ${url}`).toBe(true);
      expect(existsSync(join(repoRoot, url)), `${name} → ${url}`).toBe(true);
    }
  });
});
