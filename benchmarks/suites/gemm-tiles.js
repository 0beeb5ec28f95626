// The GEMM register tiles side by side: dgemm on resident operands (C left in WASM memory) with each of core's three
// micro-kernel tiles (2×8, 2×10, 2×12; assembly/blas.ts) forced for the call, on the SIMD build and, where the engine
// validates it, on the relaxed build, beside the WASM mul+add ceilings for the same flops. Calibration
// (`calibrateGemm`) keeps the fastest tile per engine and build; this suite shows what it chooses among, and how far
// apart they are (a tile the engine's register allocator spills runs at half speed or less).
import { CEILING, RELAXED_CEILING, ceilingImpls, relaxedImpl, shareRows } from "../lib/ceiling.js";
import { residentGemm, residentGemmOperands } from "../lib/resident-gemm.js";

const TILES = [8, 10, 12];
const strictName = (nr) => `2x${nr}`;
const relaxedName = (nr) => `relaxed 2x${nr}`;

function tilesCase(n, plan) {
  const flops = 2 * n ** 3;
  return {
    name: `n=${n}`,
    params: { n },
    flops,
    ...plan,
    setup() {
      return residentGemmOperands("gemm-tiles bench", n);
    },
    impls: {
      ...Object.fromEntries(TILES.map((nr) => [strictName(nr), { backend: "simd", accuracy: false, run: residentGemm("gemm-tiles bench", n, nr) }])),
      ...Object.fromEntries(
        TILES.map((nr) => [relaxedName(nr), relaxedImpl({ accuracy: false, run: ({ relaxed }) => residentGemm("gemm-tiles bench", n, nr)(relaxed) })]),
      ),
      ...ceilingImpls(flops),
    },
  };
}

export default {
  name: "gemm-tiles",
  title: "GEMM register tiles: dgemm with each micro-kernel tile (f64, n×n, resident operands)",
  main: strictName(8),
  notes: [
    "A, B uniform in [-1, 1) (seeds 1, 2), resident in WASM memory; C = A·B left there (the gemm suite's dgemm kernel only). Each row forces one register tile for its calls and restores the calibrated one after.",
    `2x8, 2x10, 2x12: the SIMD build's micro-kernel on a 2×8, 2×10 or 2×12 tile of C; relaxed 2x8 …: the same on the relaxed build (f64x2.relaxed_madd), where the engine validates it. Shares: strict tiles against the ${CEILING}, relaxed ones against the ${RELAXED_CEILING} (see the gemm suite), sampled round-robin in the same run.`,
    "Every tile gives the same bits on one build (core's tests check it); only the speed differs, and it depends on the engine's code generator: a tile whose live registers exceed the 15 xmm registers V8 allocates spills. The gemm suite's table header names the tile calibration chose per build, the one matmul, syrk and eigh run.",
    "No targets: the gemm and syrk suites hold the share targets for the tile in force.",
  ],
  peers: [strictName(10), strictName(12), ...TILES.map(relaxedName)],
  shares: shareRows(TILES.map(strictName), TILES.map(relaxedName)),
  cases: [
    // the first case also warms every kernel up into the engine's optimising tier: more warm-up rounds than the gemm
    // suite's n = 256, which runs after its n = 64
    tilesCase(256, { warmup: 20, reps: 15, inner: 1 }),
    tilesCase(512, { warmup: 3, reps: 11, inner: 1 }),
    tilesCase(1024, { warmup: 1, reps: 7, inner: 1 }),
  ],
  targets: [],
};
