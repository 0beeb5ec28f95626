import { createProblem, type Dataset, type Model, type Problem } from "@losscape/mlp";

/** Which curvature matrix a product applies: H = ∇²R, H₀ (Gauss–Newton / generalised Gauss–Newton) or H₁ = H − H₀. */
export type HessianPart = "full" | "gauss-newton" | "residual";

/** Directions per WASM kernel call: a block of more vectors is applied in sub-blocks of this many. */
export const MAX_KERNEL_BLOCK = 16;

/** Bytes of kernel scratch a chunk may use at the largest sub-block: `chunkScratchValues(rows, T, 16)` doubles. */
const CHUNK_SCRATCH_BYTES = 256 * 2 ** 20;

/**
 * Doubles of kernel scratch one product of a chunk of `rows` rows with k ≤ MAX_KERNEL_BLOCK directions takes in WASM
 * memory: (8 + 4k)·rows·T, T the sum of the widths after the input (core's declaration of the kernel mlpHvpBlock).
 */
export function chunkScratchValues(rows: number, sumWidths: number, k: number): number {
  return (8 + 4 * k) * rows * sumWidths;
}

/** Fewest rows of a default chunk (smaller products lose the GEMMs' speed). */
const MIN_CHUNK_ROWS = 500;

/**
 * The row ranges of the data's chunks. By default: rows per chunk so that a chunk's kernel scratch stays within
 * 256 MiB, at least 500 rows a chunk, and the number of chunks, when above one, rounded up to an even number (up
 * to 4 chunks) or a multiple of 4, so that 2 and 4 threads get equal shares; rows split as evenly as possible. With
 * `chunkRows`: chunks of at most that many rows. Depends on the network and n only — never on the thread count, so
 * the fixed-order sum over chunks is the same whatever the threads.
 */
export function chunkRanges(n: number, sumWidths: number, chunkRows?: number): [number, number][] {
  let count: number;
  if (chunkRows !== undefined) count = Math.ceil(n / chunkRows);
  else {
    const rows = Math.max(1, Math.floor(CHUNK_SCRATCH_BYTES / (8 * chunkScratchValues(1, sumWidths, MAX_KERNEL_BLOCK))));
    count = Math.max(Math.ceil(n / rows), Math.min(4, Math.floor(n / MIN_CHUNK_ROWS)), 1);
    if (count > 1) count = count <= 4 ? 2 * Math.ceil(count / 2) : 4 * Math.ceil(count / 4);
    count = Math.min(count, n);
  }
  const out: [number, number][] = [];
  for (let c = 0; c < count; c++) out.push([Math.floor((c * n) / count), Math.floor(((c + 1) * n) / count)]);
  return out;
}

/** The rows [r0, r1) of a data set (views, no copy). */
export function dataRows(data: Dataset, r0: number, r1: number): Dataset {
  const dx = data.x.cols;
  const dy = data.y.cols;
  return {
    x: { rows: r1 - r0, cols: dx, data: data.x.data.subarray(r0 * dx, r1 * dx) },
    y: { rows: r1 - r0, cols: dy, data: data.y.data.subarray(r0 * dy, r1 * dy) },
  };
}

/** One chunk's resident problem, created on the thread that evaluates it. */
export function chunkProblem(model: Model, data: Dataset): Problem {
  return createProblem(model, data);
}

/**
 * H_c·V of one chunk (its own mean over its rows; V: k vectors of M, vector after vector), in kernel sub-blocks
 * of at most MAX_KERNEL_BLOCK vectors.
 */
export function chunkProducts(problem: Problem, V: Float64Array, k: number, part: HessianPart): Float64Array {
  const M = problem.M;
  if (k <= MAX_KERNEL_BLOCK) return problem.hvpBlock(V, k, { part });
  const out = new Float64Array(k * M);
  for (let j = 0; j < k; j += MAX_KERNEL_BLOCK) {
    const kb = Math.min(MAX_KERNEL_BLOCK, k - j);
    out.set(problem.hvpBlock(V.subarray(j * M, (j + kb) * M), kb, { part }), j * M);
  }
  return out;
}
