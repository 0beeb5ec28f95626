// Test helpers: mlp's seeded random problems and activation list (one copy, in packages/mlp/src/__tests__), and a
// dense matrix as an operator.
import type { SymmetricOperator } from "../operator.js";

export { ALL_ACTIVATIONS, maxAbs, randomProblem } from "../../../mlp/src/__tests__/helpers.js";

/** A dense symmetric matrix (row-major, M × M) as an operator. */
export function denseOperator(A: Float64Array, M: number): SymmetricOperator & { products: number } {
  const op = {
    dim: M,
    products: 0,
    apply: async (V: Float64Array, k: number) => {
      op.products += k;
      const out = new Float64Array(k * M);
      for (let j = 0; j < k; j++) {
        for (let r = 0; r < M; r++) {
          let s = 0;
          for (let c = 0; c < M; c++) s += A[r * M + c] * V[j * M + c];
          out[j * M + r] = s;
        }
      }
      return out;
    },
  };
  return op;
}
