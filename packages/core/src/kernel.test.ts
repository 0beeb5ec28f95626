import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { init, loadWasm, out, outWritten, runKernel, scratch, setBackend } from "./index.js";
import { randomMat } from "./__tests__/matrices.js";

// runKernel's arena-only arguments: `scratch(n)` (uninitialised, not copied in or out) and `outWritten(n)` (an
// output the kernel overwrites entirely, not zero-filled). They must change nothing but the copies: results are
// compared bit for bit with the same kernel called with copied-in / zero-filled buffers.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("runKernel arena arguments on the %s build", (build) => {
  beforeEach(() => setBackend(build));

  it("scratch() reserves uninitialised room that is neither copied in nor returned", () => {
    const w = runKernel("test", "dgemmWorkSize", [40, 40, 30]).result;
    const a = randomMat(30, 40, 1).data;
    const b = randomMat(30, 40, 2).data;
    const viaArray = runKernel("test", "dgemm", [1, 0, 40, 40, 30, 0.5, a, 40, b, 40, 0, out(1600), 40, new Float64Array(w)]);
    const viaScratch = runKernel("test", "dgemm", [1, 0, 40, 40, 30, 0.5, a, 40, b, 40, 0, out(1600), 40, scratch(w)]);
    expect(viaScratch.outputs).toHaveLength(1);
    expect(viaScratch.outputs[0]).toEqual(viaArray.outputs[0]);
  });

  // d = 300 spans several 128-row blocks; k = 300 > kc = 256, so the second k-block accumulates onto the tiles the
  // first one overwrote (β = 0 never reads C) and only the last one mirrors them; d = 1030 > nc = 1024 crosses
  // a column block.
  it.each([
    [1, 300, 41],
    [1, 41, 300],
    [0, 300, 300],
    [1, 3, 1030],
  ])("dsyrk with β = 0 into outWritten (ata = %i, A %i × %i) equals the zero-filled call, exactly symmetric", (ata, m, n) => {
    const d = ata ? n : m;
    const a = randomMat(m, n, m + n + ata).data;
    const w = runKernel("test", "dgemmWorkSize", [d, d, ata ? m : n]).result;
    // First fill the arena with NaN so an unwritten entry of an outWritten buffer would show.
    runKernel("test", "dsyrk", [ata, m, n, 1, a, n, 1, out(d * d, new Float64Array(d * d).fill(NaN)), d, scratch(w)]);
    const written = runKernel("test", "dsyrk", [ata, m, n, -0.75, a, n, 0, outWritten(d * d), d, scratch(w)]).outputs[0];
    const zeroed = runKernel("test", "dsyrk", [ata, m, n, -0.75, a, n, 0, out(d * d), d, out(w)]).outputs[0];
    expect(written.every(Number.isFinite)).toBe(true);
    let differ = 0;
    let asymmetric = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (!Object.is(written[i * d + j], zeroed[i * d + j])) differ++;
        if (written[j * d + i] !== written[i * d + j]) asymmetric++;
      }
    }
    expect(differ).toBe(0);
    expect(asymmetric).toBe(0);
    // Three whole rows (so both triangles) against the definition C[i, j] = α · Σₚ op(A)ᵢₚ op(A)ⱼₚ. Both sum k
    // products of entries in [-1, 1) in different orders: they agree to k·2⁻⁵² (Higham §3.1) times |α|·Σ|…| ≤ |α|·k.
    const k = ata ? m : n;
    let worst = 0;
    for (const i of [0, Math.floor(d / 2), d - 1]) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += ata ? a[p * n + i] * a[p * n + j] : a[i * n + p] * a[j * n + p];
        worst = Math.max(worst, Math.abs(written[i * d + j] - -0.75 * s));
      }
    }
    expect(worst).toBeLessThanOrEqual(0.75 * k * k * 2 ** -52);
  });
});
