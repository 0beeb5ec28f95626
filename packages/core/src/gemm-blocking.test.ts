import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  calibrateGemm,
  getGemmBlocking,
  getGemmTile,
  init,
  loadWasm,
  matmul,
  peakMulAdd,
  relaxedSimdSupported,
  setBackend,
  setGemmBlocking,
  setGemmTile,
  syrk,
  ValueError,
  withKernels,
  type GemmTile,
} from "./index.js";
import { mul, randomMat } from "./__tests__/matrices.js";

const EPS = 2 ** -52;

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe("GEMM cache blocking", () => {
  it("changes no bit of matmul or syrk: mc, nc at their bounds and between, both WASM builds", () => {
    // k = 513 crosses the k-block (three balanced blocks); m = 131 and n = 270 cross the smaller mc and nc.
    const a = randomMat(131, 513, 1);
    const b = randomMat(513, 270, 2);
    const s = randomMat(513, 140, 3);
    for (const build of ["simd", "scalar"] as const) {
      setBackend(build);
      setGemmBlocking({ mc: 128, nc: 1024 });
      const c0 = matmul(a, b).data;
      const g0 = syrk(s).data;
      for (const blocking of [{ mc: 2, nc: 8 }, { mc: 64, nc: 96 }, { mc: 42, nc: 200 }, { mc: 512, nc: 2048 }]) {
        setGemmBlocking(blocking);
        expect(getGemmBlocking()).toEqual({ ...blocking, source: "set" });
        expect(matmul(a, b).data).toEqual(c0);
        expect(syrk(s).data).toEqual(g0);
      }
    }
    setBackend("simd");
    setGemmBlocking({ mc: 128, nc: 1024 });
  });

  it("odd and power-of-two sizes around the k-block match the naive product within (k + 3)·ε·Σ|a||b|", () => {
    // The naive loop and the packed kernel sum in different orders: each within γₖ of the exact sum (Higham,
    // Accuracy and Stability of Numerical Algorithms, §3.1), so within (k + 3)·ε·Σₚ|aᵢₚ||bₚⱼ| of each other.
    for (const n of [255, 256, 257, 511, 513]) {
      const a = randomMat(n, n, n);
      const b = randomMat(n, n, n + 1);
      const c = matmul(a, b).data;
      const ref = mul(a, b).data;
      const scale = mul(a, b, true).data;
      let worst = 0;
      for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i] - ref[i]) / ((n + 3) * EPS * scale[i]));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it("refuses blocks outside the kernel's bounds with a ValueError naming setGemmBlocking", () => {
    for (const bad of [{ mc: 0, nc: 1024 }, { mc: 3, nc: 1024 }, { mc: 128, nc: 12 }, { mc: 514, nc: 1024 }, { mc: 128, nc: 4096 }, null]) {
      expect(() => setGemmBlocking(bad as never)).toThrow(ValueError);
      expect(() => setGemmBlocking(bad as never)).toThrow(/^setGemmBlocking: argument 'blocking' must be \{ mc, nc \}/);
    }
  });

  it("quotes the blocking it refuses as found, NaN and strings included", () => {
    expect(() => setGemmBlocking({ mc: Number.NaN, nc: 8 })).toThrow(/found \{ mc: NaN, nc: 8 \}$/);
    expect(() => setGemmBlocking({ mc: "64", nc: 512 } as never)).toThrow(/found \{ mc: "64", nc: 512 \}$/);
    expect(() => setGemmBlocking({ mc: 64 } as never)).toThrow(/found \{ mc: 64, nc: undefined \}$/);
    expect(() => setGemmBlocking(null as never)).toThrow(/found null$/);
  });

  it("calibrateGemm puts one of its candidate row blocks in force, keeps nc, and says so", () => {
    setGemmBlocking({ mc: 128, nc: 1024 });
    const chosen = calibrateGemm();
    expect([64, 128, 192, 256]).toContain(chosen.mc);
    expect(chosen.nc).toBe(1024);
    expect(chosen.source).toBe("calibrated");
    expect(getGemmBlocking()).toEqual(chosen);
  });
});

describe("GEMM register tile", () => {
  it("changes no bit of matmul or syrk: 2×8 and 2×10, edge tiles, transposes, k-blocks, both WASM builds", () => {
    // n = 13, 23, 270 leave edge tiles of either width; k = 513 crosses the k-block; mc = 42, nc = 200 are not
    // multiples of 10 (the 2×10 tile rounds its column block down to whole tiles).
    const a = randomMat(131, 513, 4);
    const b = randomMat(513, 270, 5);
    const at = randomMat(513, 23, 6);
    const bt = randomMat(13, 513, 7);
    const s = randomMat(300, 141, 8);
    for (const build of ["simd", "scalar"] as const) {
      setBackend(build);
      for (const blocking of [{ mc: 128, nc: 1024 }, { mc: 42, nc: 200 }, { mc: 2, nc: 8 }]) {
        setGemmBlocking(blocking);
        setGemmTile("2x8");
        const want = [matmul(a, b).data, matmul(at, bt, { transA: true, transB: true }).data, syrk(s).data, syrk(s, { form: "AAt" }).data];
        for (const [tile, cols] of [["2x10", 10], ["2x12", 12]] as const) {
          setGemmTile(tile);
          expect(getGemmTile()).toEqual({ tile, source: "set" });
          expect(withKernels("test", (k) => k.gemmTileCols({}).result)).toBe(build === "simd" ? cols : 8);
          const got = [matmul(a, b).data, matmul(at, bt, { transA: true, transB: true }).data, syrk(s).data, syrk(s, { form: "AAt" }).data];
          for (let i = 0; i < want.length; i++) expect(got[i]).toEqual(want[i]);
        }
      }
    }
    setBackend("simd");
    setGemmBlocking({ mc: 128, nc: 1024 });
    setGemmTile("2x8");
  });

  it("changes no bit at any edge of any tile: every shape from {1, 2, 9, 11, 13, 21, 30} with each transpose", () => {
    // 9, 11, 13, 21 leave 1 column past a 2×8, 2×10 or 2×12 tile, 30 none of 2×10 and 6 of 2×8 and 2×12; 1 and 2
    // are a lone edge tile.
    const dims = [1, 2, 9, 11, 13, 21, 30];
    const products = (tile: GemmTile) => {
      setGemmTile(tile);
      const out: Float64Array[] = [];
      for (const m of dims) {
        for (const n of dims) {
          for (const k of [1, 9, 30]) {
            for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
              const a = transA ? randomMat(k, m, m + 10 * n + 100 * k) : randomMat(m, k, m + 10 * n + 100 * k);
              const b = transB ? randomMat(n, k, 7 + m + n + k) : randomMat(k, n, 7 + m + n + k);
              out.push(matmul(a, b, { transA, transB }).data);
            }
          }
          out.push(syrk(randomMat(m, n, m * n)).data, syrk(randomMat(m, n, m * n), { form: "AAt" }).data);
        }
      }
      return out;
    };
    const want = products("2x8");
    for (const tile of ["2x10", "2x12"] as const) {
      const got = products(tile);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i], `${tile}, product ${i}`).toEqual(want[i]);
    }
    setGemmTile("2x8");
  });

  it("refuses anything but \"2x8\", \"2x10\" and \"2x12\" with a ValueError naming setGemmTile", () => {
    for (const bad of ["2x16", "4x4", 10, 12, null, undefined]) {
      expect(() => setGemmTile(bad as never)).toThrow(ValueError);
      expect(() => setGemmTile(bad as never)).toThrow(/^setGemmTile: argument 'tile' must be one of "2x8", "2x10", "2x12"; found /);
    }
  });

  it("calibration chooses the tile of the build it runs on; setGemmTile sets every build's", () => {
    setGemmTile("2x10");
    setBackend("scalar");
    calibrateGemm();
    expect(getGemmTile().source).toBe("calibrated");
    setBackend("simd");
    expect(getGemmTile()).toEqual({ tile: "2x10", source: "set" });
    expect(withKernels("test", (k) => k.gemmTileCols({}).result)).toBe(10);
    setGemmTile("2x8");
    setBackend("scalar");
    expect(getGemmTile()).toEqual({ tile: "2x8", source: "set" });
    setBackend("simd");
  });

  it("calibrateGemm puts one of the tiles in force and says so", () => {
    setGemmTile("2x8");
    calibrateGemm();
    const chosen = getGemmTile();
    expect(["2x8", "2x10", "2x12"]).toContain(chosen.tile);
    expect(chosen.source).toBe("calibrated");
    setGemmTile("2x8");
  });
});

describe("peakMulAdd (the arithmetic ceiling loop)", () => {
  it("does the flops asked for, rounded to whole steps: 48 a step on f64x2, 24 scalar", () => {
    expect(peakMulAdd(48_000)).toBe(48_000);
    expect(peakMulAdd(1000)).toBe(48 * 21);
    expect(peakMulAdd(1000, { scalar: true })).toBe(24 * 42);
    setBackend("scalar");
    expect(peakMulAdd(48_000)).toBe(48_000);
    expect(peakMulAdd(1000)).toBe(24 * 42);
    setBackend("ts");
    expect(peakMulAdd(1000)).toBe(0);
    setBackend("simd");
  });

  it("refuses a flop count that is not a positive finite number", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "1e6"]) {
      expect(() => peakMulAdd(bad as never)).toThrow(/^peakMulAdd: argument 'flops' must be a positive finite number/);
    }
  });

  it("refuses a `scalar` option that is not a boolean, rather than running the f64x2 loop", () => {
    for (const bad of ["yes", 1, null]) {
      expect(() => peakMulAdd(1000, { scalar: bad as never })).toThrow(/^peakMulAdd: 'scalar' must be true or false; found /);
    }
    expect(peakMulAdd(1000, { scalar: false })).toBe(48 * 21);
  });
});

describe("the relaxed-SIMD build", () => {
  it("is shipped, and node 20 does not validate it without flags, so init() keeps the strict SIMD build", async () => {
    const bytes = readFileSync(new URL("../wasm/losscape-relaxed.wasm", import.meta.url));
    expect(bytes.length).toBeGreaterThan(1000);
    const node = Number(process.versions.node.split(".")[0]);
    expect(relaxedSimdSupported()).toBe(WebAssembly.validate(bytes));
    if (node < 22) {
      expect(relaxedSimdSupported()).toBe(false);
      expect(await init()).toBe("simd");
      await expect(loadWasm("relaxed")).rejects.toThrow(/^loadWasm: this engine cannot run the 'relaxed' build/);
    }
  });
});
