import { LosscapeError, NotInitializedError, ValueError, WasmError } from "./errors.js";
import { registerGemmInstance } from "./gemm-blocking.js";
import { checkOptions } from "./validate.js";
import { loadTsBackend } from "./ts-backend.js";
import { WasmInstance, wasmImports, type WasmBuild } from "./wasm-instance.js";

/**
 * Backends: `simd` (WASM with f64x2), `scalar` (WASM without SIMD), `relaxed` (the SIMD build with the GEMM
 * micro-kernel on f64x2.relaxed_madd, fused multiply–adds where the hardware has them) and `ts` (pure TypeScript,
 * ml-matrix where it fits: the fallback and the test oracle). `init()` loads the relaxed build when the engine
 * validates it without flags (node ≥ 22, current Chromium), else the SIMD build when it validates, else the scalar
 * build, and makes it active. Every public function dispatches on the active backend.
 */
export type BackendName = WasmBuild | "ts";
/**
 * The backends with reproducible results: every one gives the same bits on every engine (`relaxed` is left out:
 * its fused steps depend on the hardware, so its results may differ in the last bits).
 */
export const BACKENDS: readonly BackendName[] = ["simd", "scalar", "ts"];

/** A module of one function returning f64x2.relaxed_madd of three v128 constants (the feature probe). */
const RELAXED_PROBE = "AGFzbQEAAAABBQFgAAF7AwIBAAo9ATsA/QwAAAAAAAAAAAAAAAAAAAAA/QwAAAAAAAAAAAAAAAAAAAAA/QwAAAAAAAAAAAAAAAAAAAAA/YcCCw==";

/** Whether this engine validates relaxed SIMD (f64x2.relaxed_madd) without flags, i.e. can run the `relaxed` build. */
export function relaxedSimdSupported(): boolean {
  const bytes = Uint8Array.from(atob(RELAXED_PROBE), (c) => c.charCodeAt(0));
  return WebAssembly.validate(bytes);
}

const instances: Partial<Record<WasmBuild, WasmInstance>> = {};
let active: BackendName | undefined;
let pending: Promise<BackendName> | undefined;

/**
 * `LOSSCAPE_WASM=debug` in node's environment: load the debug builds, the same kernels compiled with their
 * `assert`s on (`wasm-debug/`, made by the repository's build and not shipped). The repository's test runs set it
 * (vitest.config.ts); everything else (the npm package, `npm start`, the benchmarks) runs the release builds.
 */
function debugBuilds(): boolean {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LOSSCAPE_WASM === "debug";
}

/**
 * The URL of a build's `.wasm`, shipped in the package (literal `new URL` so bundlers emit the asset), or of its
 * debug build beside it (a URL bundlers do not follow).
 */
function wasmUrl(build: WasmBuild): URL {
  const release =
    build === "simd"
      ? new URL("../wasm/losscape-simd.wasm", import.meta.url)
      : build === "relaxed"
        ? new URL("../wasm/losscape-relaxed.wasm", import.meta.url)
        : new URL("../wasm/losscape-scalar.wasm", import.meta.url);
  return debugBuilds() ? new URL(`../wasm-debug/losscape-${build}.wasm`, release) : release;
}

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === "file:") {
    const fsName = "node:fs/promises";
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import("node:fs/promises");
    const buf = await fs.readFile(url);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  const res = await fetch(url);
  if (!res.ok) throw new NotInitializedError(`init: could not load ${url.href} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

function instantiate(module: WebAssembly.Module): WasmInstance {
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, wasmImports(() => memory));
  const w = new WasmInstance(instance);
  memory = w.memory;
  registerGemmInstance(w);
  return w;
}

/**
 * Load a WASM build (memoised). `build` defaults to the best the engine supports: `relaxed` where
 * `relaxedSimdSupported()`, else `simd` when it validates, else `scalar`.
 * Resolves to the instance; does not change the active backend.
 */
export async function loadWasm(build?: WasmBuild): Promise<WasmInstance> {
  if (build !== undefined && build !== "simd" && build !== "scalar" && build !== "relaxed") {
    throw new ValueError(`loadWasm: argument 'build' must be "simd", "relaxed" or "scalar"; found ${typeof build === "string" ? JSON.stringify(build) : String(build)}`);
  }
  if (build === undefined && relaxedSimdSupported()) return loadWasm("relaxed");
  const want: WasmBuild = build ?? "simd";
  const have = instances[want];
  if (have) return have;
  const url = wasmUrl(want);
  const bytes = await fetchBytes(url).catch((e: unknown) => {
    if (!debugBuilds()) throw new WasmError(`loadWasm: the '${want}' build cannot be read from ${url.href}: ${(e as Error).message}`);
    throw new NotInitializedError(`loadWasm: LOSSCAPE_WASM=debug but ${url.href} cannot be read (the debug builds are made by \`npm run build\` in the repository, not shipped): ${(e as Error).message}`);
  });
  if (!WebAssembly.validate(bytes)) {
    if (build === undefined) return loadWasm("scalar");
    throw new NotInitializedError(`loadWasm: this engine cannot run the '${want}' build of the losscape core`);
  }
  const inst = instantiate(await WebAssembly.compile(bytes));
  instances[inst.build] = inst;
  return inst;
}

/**
 * Load the WASM core and make it the active backend (memoised; safe to call many times).
 * The SIMD build is chosen when `WebAssembly.validate` accepts it, else the scalar build. Where ml-matrix cannot be
 * required on first use (browsers, bundles), `init()` also loads it for the `ts` backend's decompositions.
 * @example
 * import { init, eigh, matFromRows } from "@losscape/core";
 * await init();
 * const { values } = eigh(matFromRows([[2, 1], [1, 2]])); // [1, 3]
 */
export function init(options: { backend?: BackendName } = {}): Promise<BackendName> {
  try {
    options = checkOptions("init", options, ["backend"]);
  } catch (e) {
    return Promise.reject(e);
  }
  const want = options.backend;
  if (want === "ts") {
    return loadTsBackend().then(() => {
      active = "ts";
      return active;
    });
  }
  if (want !== undefined && want !== "simd" && want !== "scalar" && want !== "relaxed") {
    return Promise.reject(new ValueError(`init: 'backend' must be one of simd, relaxed, scalar, ts; found ${String(want)}`));
  }
  if (want === undefined && pending) return pending;
  const p = Promise.all([loadWasm(want), loadTsBackend()]).then(async ([inst]) => {
    // Beside the relaxed build, the strict SIMD one: setBackend("simd") (the same bits on every engine) then needs
    // no further load.
    if (inst.build === "relaxed") await loadWasm("simd");
    active = inst.build;
    return active;
  });
  if (want !== undefined) return p;
  // The memo is the promise the caller gets: one rejection, handled by whoever awaits it (a second promise
  // derived from it would reject unhandled when the caller catches the first).
  pending = p.catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

/**
 * Instantiate the WASM core synchronously from its bytes (or a compiled module) and make it active.
 * Use where top-level `await` is not possible; the bytes are one of the package's `wasm/*.wasm` files.
 * A build already loaded stays loaded: a second source of the same build (simd, relaxed or scalar) only makes the
 * loaded instance active, so its resident buffers and GEMM calibration stay valid.
 */
export function initSync(source: BufferSource | WebAssembly.Module): BackendName {
  let inst: WasmInstance;
  try {
    inst = instantiate(source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source));
  } catch (e) {
    if (e instanceof LosscapeError) throw e;
    throw new WasmError(`initSync: argument 'source' must be a losscape WASM build (losscape.simd.wasm or losscape.scalar.wasm, its bytes or its module); found one that does not compile or link: ${(e as Error).message}`);
  }
  instances[inst.build] = instances[inst.build] ?? inst;
  active = inst.build;
  return active;
}

/** Make a loaded backend active (`ts` is always available; in browsers its decompositions need `init()` first). */
export function setBackend(name: BackendName): void {
  if (name === "ts") {
    active = "ts";
    return;
  }
  if (name !== "simd" && name !== "scalar" && name !== "relaxed") {
    throw new ValueError(`setBackend: 'name' must be one of simd, relaxed, scalar, ts; found ${String(name)}`);
  }
  if (!instances[name]) {
    throw new NotInitializedError(`setBackend: the '${name}' build is not loaded; call await loadWasm('${name}') first`);
  }
  active = name;
}

/** The active backend, or undefined before `init()`. */
export function getBackend(): BackendName | undefined {
  return active;
}

/**
 * The active WASM instance for a kernel call by `fn`, or null when the active backend is `ts`.
 * Throws `NotInitializedError` before `init()`.
 */
export function activeWasm(fn: string): WasmInstance | null {
  if (active === undefined) {
    throw new NotInitializedError(`${fn}: losscape core is not initialised; call 'await init()' (or initSync) first`);
  }
  if (active === "ts") return null;
  return instances[active]!;
}
