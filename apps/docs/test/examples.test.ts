// Builds the docs site, serves it on 127.0.0.1 and runs every live example in headless Chromium:
// each must finish without an error and print what the page says it prints.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { build } from "vitepress";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const dist = join(root, ".vitepress", "dist");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

let server: Server;
let browser: Browser;
let base = "";

beforeAll(async () => {
  await build(root, { outDir: dist });
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const candidates = path.endsWith("/") ? [join(path, "index.html")] : [path, `${path}.html`];
    for (const c of candidates) {
      try {
        const body = await readFile(join(dist, c));
        res.writeHead(200, { "content-type": TYPES[extname(c)] ?? "application/octet-stream" });
        res.end(body);
        return;
      } catch {}
    }
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

async function runExamples(page: string): Promise<string[]> {
  const p = await browser.newPage();
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(`${base}${page}`);
  const buttons = p.locator(".run-example button");
  const count = await buttons.count();
  const outputs: string[] = [];
  for (let i = 0; i < count; i++) {
    await buttons.nth(i).click();
    const out = p.locator(".run-example").nth(i).locator(".run-example-output");
    await out.filter({ hasText: /\(ran in|Error:/ }).waitFor({ timeout: 60_000 });
    outputs.push(await out.innerText());
  }
  await p.close();
  expect(errors).toEqual([]);
  return outputs;
}

describe("docs site", () => {
  it("runs every example of the examples page without an error", async () => {
    const outputs = await runExamples("/guide/examples");
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    for (const o of outputs) expect(o).not.toMatch(/Error:/);
    // eigh of the 3×3 second-difference matrix: 2 − √2, 2, 2 + √2 (printed to 8 significant digits).
    expect(outputs[0]).toContain((2 - Math.SQRT2).toPrecision(8));
    expect(outputs[0]).toContain("backend simd");
  });
});
