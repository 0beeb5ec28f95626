import { init } from "@losscape/core";
import type { Problem } from "@losscape/mlp";
import { chunkProblem, chunkProducts, type HessianPart } from "./chunks.js";
import type { FromWorker, ToWorker } from "./protocol.js";

/**
 * A worker thread of a curvature operator (node worker_threads or a browser Web Worker): its own WASM instance
 * (core's `init`, the operator's backend), its chunks of the data resident there, and for every `apply` one message
 * per chunk with H_c·V (operator.ts sums them in chunk order).
 */
interface Port {
  post(msg: FromWorker, transfer: ArrayBuffer[]): void;
  listen(handler: (msg: ToWorker) => void): void;
}

async function port(): Promise<Port> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node) {
    const name = "node:worker_threads";
    const { parentPort } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    return { post: (m, t) => parentPort!.postMessage(m, t), listen: (h) => parentPort!.on("message", h) };
  }
  const self = globalThis as unknown as { postMessage(m: unknown, t: ArrayBuffer[]): void; onmessage: ((e: MessageEvent) => void) | null };
  return { post: (m, t) => self.postMessage(m, t), listen: (h) => (self.onmessage = (e) => h(e.data as ToWorker)) };
}

const p = await port();
let chunks: { index: number; problem: Problem }[] = [];
let part: HessianPart = "full";
p.listen((msg) => {
  if (msg.type === "init") {
    init({ backend: msg.backend }).then(
      () => {
        const model = { ...msg.spec, params: msg.params };
        part = msg.part;
        chunks = msg.chunks.map((c) => ({
          index: c.index,
          problem: chunkProblem(model, { x: { rows: c.rows, cols: msg.dx, data: c.x }, y: { rows: c.rows, cols: msg.dy, data: c.y } }),
        }));
        p.post({ type: "ready" }, []);
      },
      (e: Error) => p.post({ type: "error", id: -1, name: e.name, message: e.message }, []),
    );
    return;
  }
  try {
    for (const c of chunks) {
      const hv = chunkProducts(c.problem, msg.V, msg.k, part);
      p.post({ type: "result", id: msg.id, chunk: c.index, hv }, [hv.buffer as ArrayBuffer]);
    }
  } catch (e) {
    p.post({ type: "error", id: msg.id, name: (e as Error).name, message: (e as Error).message }, []);
  }
});
p.post({ type: "alive" }, []);
