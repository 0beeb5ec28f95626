import type { BackendName } from "@losscape/core";
import type { MlpSpec } from "@losscape/mlp";
import type { HessianPart } from "./chunks.js";

/** Messages between an operator and its worker threads (worker.ts). */
export type ToWorker =
  | {
      type: "init";
      backend: BackendName;
      spec: MlpSpec;
      params: Float64Array;
      part: HessianPart;
      /** The chunks this worker evaluates: their index in the fixed order and their rows. */
      chunks: { index: number; x: Float64Array; y: Float64Array; rows: number }[];
      dx: number;
      dy: number;
    }
  | { type: "apply"; id: number; V: Float64Array; k: number };

export type FromWorker =
  | { type: "alive" }
  | { type: "ready" }
  | { type: "result"; id: number; chunk: number; hv: Float64Array }
  | { type: "error"; id: number; name: string; message: string };
