// The module worker that runs the live examples (see runner.ts), so that a long computation never blocks the page.
// It imports the losscape packages on its first message — their WASM loads through new URL(…, import.meta.url),
// which works in a module worker — and runs each example's code as an async function body with the packages and
// `print` in scope; each printed line, then the example's running time (or its error), is posted back.
import { formatValue } from "./format";
import type { FromWorker, ToWorker } from "./runner";

type Packages = {
  core: typeof import("@losscape/core");
  mlp: typeof import("@losscape/mlp");
  embedding: typeof import("@losscape/embedding");
  spectra: typeof import("@losscape/spectra");
  manifold: typeof import("@losscape/manifold");
  io: typeof import("@losscape/io");
  curvature: typeof import("@losscape/curvature");
};

/** The packages with core's WASM instantiated, and how long that took (ms). */
let loading: Promise<{ packages: Packages; ms: number }> | undefined;

async function load(): Promise<{ packages: Packages; ms: number }> {
  const t0 = performance.now();
  const [core, mlp, embedding, spectra, manifold, io, curvature] = await Promise.all([
    import("@losscape/core"),
    import("@losscape/mlp"),
    import("@losscape/embedding"),
    import("@losscape/spectra"),
    import("@losscape/manifold"),
    import("@losscape/io"),
    import("@losscape/curvature"),
  ]);
  await core.init();
  return { packages: { core, mlp, embedding, spectra, manifold, io, curvature }, ms: performance.now() - t0 };
}

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...xs: unknown[]) => Promise<void>;

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const { id, code } = e.data;
  const print = (...xs: unknown[]) => post({ id, kind: "line", text: xs.map(formatValue).join(" ") });
  try {
    const first = loading === undefined;
    loading ??= load();
    const { packages: p, ms: loadMs } = await loading;
    const fn = new AsyncFunction("core", "mlp", "embedding", "spectra", "manifold", "io", "curvature", "print", code);
    const t0 = performance.now();
    await fn(p.core, p.mlp, p.embedding, p.spectra, p.manifold, p.io, p.curvature, print);
    post({ id, kind: "done", ms: performance.now() - t0, loadMs: first ? loadMs : undefined, backend: p.core.getBackend() });
  } catch (err) {
    post({ id, kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
