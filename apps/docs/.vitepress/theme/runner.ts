// Runs the live examples' code off the main thread: one module worker (example.worker.ts) per page session, created
// on the first run and shared by every <RunExample>, so the packages and their WASM load once and keep their state
// (the backend chosen, memory) from one example to the next, as modules imported in the page would.

export type ToWorker = { id: number; code: string };
export type FromWorker =
  | { id: number; kind: "line"; text: string }
  | { id: number; kind: "done"; ms: number; loadMs: number | undefined; backend: string | undefined }
  | { id: number; kind: "error"; message: string };
/** How a run ended: the example's own running time, and, on the worker's first run, the time loading took. */
export type RunTime = { ms: number; loadMs: number | undefined; backend: string | undefined };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, (m: FromWorker) => void>();

function exampleWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL("./example.worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (e: MessageEvent<FromWorker>) => pending.get(e.data.id)?.(e.data);
  // a failure outside any example (the worker's script did not load): every pending run ends with it
  worker.onerror = (e) => {
    for (const [id, settle] of pending) settle({ id, kind: "error", message: e.message || "the example worker failed to start" });
  };
  return worker;
}

/** Run `code` (an async function body) in the worker; `onLine` gets each printed line as it comes. */
export function runExample(code: string, onLine: (text: string) => void): Promise<RunTime> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (m) => {
      if (m.kind === "line") return onLine(m.text);
      pending.delete(id);
      if (m.kind === "done") resolve({ ms: m.ms, loadMs: m.loadMs, backend: m.backend });
      else reject(new Error(m.message));
    });
    exampleWorker().postMessage({ id, code } satisfies ToWorker);
  });
}
