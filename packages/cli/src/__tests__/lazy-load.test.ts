import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { fx, PKG, tempDir } from "./run.js";

/**
 * Run `main(args)` of the built CLI in a fresh node process and list the CommonJS modules it loaded (node keeps
 * every CommonJS module, also one imported from ESM, in `require.cache`): a small command must not load the figure
 * libraries (@resvg/resvg-js is the CommonJS one of them) nor ml-matrix (the core's ts backend requires it on
 * first use).
 */
function loadedModules(args: string[]): Promise<{ code: number; modules: string[] }> {
  const cli = pathToFileURL(join(PKG, "dist/cli.js")).href;
  const script = `import { createRequire } from "node:module";
const { main } = await import(${JSON.stringify(cli)});
const code = await main(["node", "losscape", ...${JSON.stringify(args)}]);
process.stderr.write(JSON.stringify({ code, modules: Object.keys(createRequire(import.meta.url).cache) }));`;
  return new Promise((res, rej) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { cwd: PKG, timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) rej(err);
      else res(JSON.parse(String(stderr)) as { code: number; modules: string[] });
    });
  });
}

const loads = (modules: string[], pkg: string) => modules.some((m) => m.includes(`/node_modules/${pkg}/`));

describe("what a command loads", () => {
  const hessianArgs = ["hessian", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--json", "--quiet"];

  it("hessian loads neither the figure libraries nor ml-matrix", async () => {
    const { code, modules } = await loadedModules(hessianArgs);
    expect(code).toBe(0);
    expect(loads(modules, "@resvg/resvg-js")).toBe(false);
    expect(loads(modules, "ml-matrix")).toBe(false);
  });

  it("hessian --plot loads the figure libraries; --backend ts loads ml-matrix", async () => {
    const plot = await loadedModules([...hessianArgs, "--plot", join(tempDir(), "h.png")]);
    expect(plot.code).toBe(0);
    expect(loads(plot.modules, "@resvg/resvg-js")).toBe(true);
    const ts = await loadedModules([...hessianArgs, "--backend", "ts"]);
    expect(ts.code).toBe(0);
    expect(loads(ts.modules, "ml-matrix")).toBe(true);
  });
});
