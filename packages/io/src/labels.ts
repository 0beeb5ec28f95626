import { ShapeError, ValueError, type Mat } from "@losscape/core";

/**
 * One-hot rows for integer class labels: row i of the n × classes result has a 1 in column labels[i] and 0
 * elsewhere — the targets of a cross-entropy loss (mean softmax cross-entropy against one-hot y). Labels come from a
 * y column of integers (CSV, .npy) or an IDX label file; each must be an integer in 0..classes−1.
 * @example
 * oneHot(readIdx(labelBytes).data, 10) // MNIST labels → n × 10
 * oneHot([2, 0], 3) // rows [0, 0, 1] and [1, 0, 0]
 */
export function oneHot(labels: ArrayLike<number>, classes: number): Mat {
  const fn = "oneHot";
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new ValueError(`${fn}: 'labels' must be an array of integers; found ${labels === null ? "null" : typeof labels}`);
  }
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`${fn}: 'classes' must be an integer ≥ 1; found ${String(classes)}`);
  const n = labels.length;
  if (n * classes > 2 ** 31) throw new ShapeError(`${fn}: the result of ${n} rows × ${classes} classes has more than 2^31 entries`);
  const data = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ValueError(`${fn}: 'labels[${i}]' (row ${i}) must be an integer in 0..${classes - 1}; found ${String(c)}`);
    }
    data[i * classes + c] = 1;
  }
  return { rows: n, cols: classes, data };
}
