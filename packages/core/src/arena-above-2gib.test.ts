import { beforeAll, describe, expect, it } from "vitest";
import { init, loadWasm, setBackend, withKernels } from "./index.js";

// wasm32 addresses 4 GiB, and the arena reaches past 2 GiB for large inputs (eigh at n ≥ 8200 holds ≈ 4n² doubles).
// There byte offsets exceed 2^31, and element indices taken with a signed shift (ptr >> 3) came out negative:
// eigh at n = 9000 failed with "RangeError: offset is out of bounds" after all its work, at the copy of its output
// order (putI32). These tests put, zero, read and pass to a kernel buffers that start above 2 GiB.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("arena buffers above 2 GiB on the %s build", (build) => {
  it("are written, zero-filled, read back and handed to kernels at their addresses", () => {
    setBackend(build);
    const out = withKernels("test", (k) => {
      // 2^28 doubles (2 GiB, never written: the engine commits no pages for them) push the next buffers past 2^31
      k.alloc("f64", 2 ** 28);
      const a = k.put([4, 1, 1, 3]);
      const idx = k.putI32([7, -5, 2 ** 31 - 1]);
      const zeros = k.alloc("f64", 5, true);
      const zeroIdx = k.alloc("i32", 3, true);
      const range = k.symmetricRange({ n: 2, a }).out; // max|a|, least nonzero |a|, max asymmetry
      return { ptr: a.ptr, a: k.read(a), idx: k.read(idx), zeros: k.read(zeros), zeroIdx: k.read(zeroIdx), range: k.read(range) };
    });
    expect(out.ptr).toBeGreaterThan(2 ** 31);
    expect(Array.from(out.a)).toEqual([4, 1, 1, 3]);
    expect(Array.from(out.idx)).toEqual([7, -5, 2 ** 31 - 1]);
    expect(Array.from(out.zeros)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(out.zeroIdx)).toEqual([0, 0, 0]);
    expect(Array.from(out.range)).toEqual([4, 1, 0]);
  });
});
