// Symmetric eigendecomposition of a random symmetric n×n matrix (B + Bᵀ)/2: `eigh` (values and vectors) and
// `eigvalsh` (values only) from @losscape/core against numpy (LAPACK dsyevd through OpenBLAS, one thread, a
// persistent /usr/bin/python3 peer: benchmarks/peers/numpy_eigh.py, reached from Chromium through the runner,
// timed inside Python), ml-matrix's EigenvalueDecomposition and the core `ts` backend, with the WASM mul+add
// ceiling for the nominal flops beside them (benchmarks/lib/ceiling.js). Accuracy columns: ‖AV − VΛ‖_F/‖A‖_F and
// ‖VᵀV − I‖_F, target ≤ 1e-13·n.
import { eigh, eigvalsh, kernels, relaxedSimdSupported, residentBuffer, withKernels } from "@losscape/core";
import { EigenvalueDecomposition } from "ml-matrix";
import { CEILING, RELAXED_CEILING, ceilingImpls, relaxedImpl, relaxedResident } from "../lib/ceiling.js";
import { eighAccuracy, randomSymmetric, toMl } from "../lib/data.js";
import { peerOp, peerWith } from "../lib/numpy-peer.js";

const sizes = [100, 300, 1000];
/** eigvalsh also at an order where it reduces in two stages (core's eigen.ts, from n = 2048). */
const LARGE = 3000;
const NUMPY = "numpy 1 thread";
/** The same numpy in a process whose glibc keeps freed memory, so that its fresh arrays do not fault pages in. */
const NUMPY_KEPT = "numpy, freed memory kept";

/** Runs per size for losscape and for the peers (ml-matrix takes ≈ 6 s at n = 1000). */
const plan = {
  100: { ours: { warmup: 3, reps: 11 }, peer: { warmup: 2, reps: 7 } },
  300: { ours: { warmup: 2, reps: 7 }, peer: { warmup: 1, reps: 3 } },
  1000: { ours: { warmup: 1, reps: 5 }, peer: { warmup: 0, reps: 1 } },
  [LARGE]: { ours: { warmup: 0, reps: 3 }, peer: { warmup: 0, reps: 1 } },
};

/**
 * Nominal flops (LAPACK's operation counts, Golub & Van Loan §8.3): the tridiagonal reduction 4n³/3, and with
 * vectors the back-transformation 2n³ more (the divide-and-conquer merges, data dependent, are not counted).
 */
const nominalFlops = (n, vectors) => (4 * n ** 3) / 3 + (vectors ? 2 * n ** 3 : 0);

function eighCase(n, valuesOnly) {
  const { ours, peer } = plan[n];
  const run = valuesOnly ? ({ a }) => eigvalsh(a) : ({ a }) => eigh(a);
  const flops = nominalFlops(n, !valuesOnly);
  const c = {
    name: `${valuesOnly ? "eigvalsh" : "eigh"} n=${n}`,
    params: { n, vectors: !valuesOnly },
    flops,
    async setup() {
      const a = randomSymmetric(n, 7);
      return {
        a,
        ma: toMl(a),
        peer: await peerWith(a, (reason) => (c.impls[NUMPY].skip = reason)),
        peerKept: await peerWith(a, (reason) => (c.impls[NUMPY_KEPT].skip = reason), { keepFreedMemory: true }),
      };
    },
    impls: {
      losscape: { backend: "simd", ...ours, run },
      "losscape relaxed": relaxedImpl({ ...ours, run }),
      ...ceilingImpls(flops, ours),
      [NUMPY]: peerOp(valuesOnly ? "eigvalsh" : "eigh", ours),
      [NUMPY_KEPT]: peerOp(valuesOnly ? "eigvalsh" : "eigh", ours, "peerKept"),
      "core ts backend": n >= 1000
        ? { skip: "same algorithm as ml-matrix (the ts backend wraps it); not repeated at n = 1000" }
        : { backend: "ts", ...peer, run },
      "ml-matrix": n > 1000 ? { skip: "≈ 3 min a run at n = 3000" } : {
        ...peer,
        accuracy: false,
        run: ({ ma }) => new EigenvalueDecomposition(ma, { assumeSymmetric: true }).realEigenvalues,
      },
    },
    accuracy: valuesOnly ? undefined : ({ a }, out) => eighAccuracy(a, out),
  };
  return c;
}

const REDUCTION = "tridiagonal reduction";
const DIVIDE = "divide and conquer";
const BACK = "back-transformation";
const STREAM = "read stream of its bytes";
const TWO_STAGE = "two stages";
const LAPACK = "LAPACK 1 thread";
/** Doubles in the stream buffer (8 MiB, the size of A at n = 1024: past L2, as the reduction's early steps are). */
const STREAM_DOUBLES = 1 << 20;
/** Entries of the divide and conquer's QL rotation log (eigen.ts's ROTATION_LOG). */
const ROTATION_LOG = 4096;

/** stageInputs' results by n: the three stage cases of one size start from the same matrix. */
const stageInputsByN = new Map();

/**
 * The inputs of eigh's three stages for the suite's matrix of order n, as JS arrays, computed once: `a` itself (the
 * reduction's input), the reduction's output (reflectors in `reflectors`, tau, and the tridiagonal d, e: the divide
 * and conquer's input) and the divide and conquer's eigenvectors `z` (the back-transformation's input, with the
 * reflectors and tau).
 */
function stageInputs(a, n) {
  if (!stageInputsByN.has(n)) stageInputsByN.set(n, reduceAndDivide(a, n));
  return stageInputsByN.get(n);
}

/** dstedcVectors' reflector arguments for none (τ = 0: Q = I), so that it returns the tridiagonal's own eigenvectors. */
const noReflectors = (k, n) => ({ a: k.alloc("f64", n * n, true), tau: k.alloc("f64", n, true) });

function reduceAndDivide(a, n) {
  return withKernels("eigh bench", (k) => {
    const r = k.dsytrdLower({ n, a: k.put(a.data) });
    const d = k.read(r.d);
    const e = k.read(r.e);
    const z = k.dstedcVectors({ n, d: k.put(d), e: k.put(e), rotCap: ROTATION_LOG, sweepCap: ROTATION_LOG, ...noReflectors(k, n) }).w;
    return { a: a.data, reflectors: k.read(r.a), tau: k.read(r.tau), d, e, z: k.read(z) };
  });
}

/**
 * One stage of eigh in WASM, timed around its kernel call alone: `prepare(k, inputs)` copies the stage's inputs into
 * the arena and returns the call (as the LAPACK peer copies its inputs before its clock starts).
 */
const stageRun = (prepare) => ({ inputs }) =>
  withKernels("eigh bench", (k) => {
    const call = prepare(k, inputs);
    const t0 = performance.now();
    call();
    return { ms: performance.now() - t0 };
  });

/**
 * A stage of eigh at n: losscape (strict and relaxed builds, `prepare` as in stageRun) against LAPACK's routine for
 * it (`op` of the numpy peer), with the ceilings for `flops` where the stage has a nominal flop count; `extra` adds
 * impls, `setupExtra` their context.
 */
function stageCase(stage, n, { flops, prepare, op, extra = {}, setupExtra = () => ({}), plan = { warmup: 1, reps: 7 }, inputsOf = stageInputs }) {
  const run = stageRun(prepare);
  const c = {
    name: `${stage} n=${n}`,
    params: { n },
    flops,
    async setup() {
      const a = randomSymmetric(n, 7);
      const peer = await peerWith(a, (reason) => (c.impls[LAPACK].skip = reason));
      // a missing liblapack.so.3 (or routine) answers with an error: the column is skipped with its message
      if (!peer.reason) await peer.request({ op }).catch((e) => (c.impls[LAPACK].skip = e.message));
      return { peer, inputs: inputsOf(a, n), ...setupExtra() };
    },
    impls: {
      losscape: { backend: "simd", ...plan, accuracy: false, selfTimed: true, run },
      "losscape relaxed": relaxedImpl({ ...plan, accuracy: false, selfTimed: true, run }),
      ...(flops ? ceilingImpls(flops, plan) : {}),
      ...extra,
      [LAPACK]: peerOp(op, plan),
    },
  };
  return c;
}

/**
 * The tridiagonal reduction (dsytrdLower) against LAPACK's blocked dsytrd and against reading its bytes once: step k
 * reads and writes the trailing lower triangle, (n − k)²/2 doubles, n³/6 over the reduction, while its multiply–adds
 * need 4n³/3 flops. The stream is core's f64x2 firstNonFinite loop over an 8 MiB resident buffer, repeated to n³/6
 * doubles: how long reading (not writing) those bytes takes in WASM on this machine.
 */
function reductionCase(n, plan = { warmup: 1, reps: 7 }) {
  const passes = Math.round(n ** 3 / 6 / STREAM_DOUBLES);
  return stageCase(REDUCTION, n, {
    flops: (4 * n ** 3) / 3,
    op: "dsytrd",
    plan,
    inputsOf: (a) => ({ a: a.data }),
    prepare: (k, { a }) => {
      const ar = k.put(a);
      return () => k.dsytrdLower({ n, a: ar });
    },
    setupExtra: () => ({ buffer: residentBuffer("eigh bench", "f64", STREAM_DOUBLES) }),
    extra: {
      [TWO_STAGE]: {
        backend: "simd", ...plan, accuracy: false, selfTimed: true,
        run: stageRun((k, { a }) => {
          const ar = k.put(a);
          return () => k.dsytrdBand({ n, a: ar });
        }),
      },
      [STREAM]: {
        backend: "simd", ...plan, accuracy: false,
        run: ({ buffer }) => {
          for (let i = 0; i < passes; i++) kernels.firstNonFinite("eigh bench", { x: buffer, n: STREAM_DOUBLES });
        },
      },
    },
  });
}

/**
 * Divide and conquer with eigenvectors on the reduction's tridiagonal (dstedcVectors without reflectors) against
 * LAPACK's dstedc. (eigh passes the reflectors and applies part of the back-transformation inside it, to fewer
 * columns: its time is less than the sum of the three stages.)
 */
const divideCase = (n) =>
  stageCase(DIVIDE, n, {
    op: "dstedc",
    prepare: (k, { d, e }) => {
      const dr = k.put(d);
      const er = k.put(e);
      const none = noReflectors(k, n);
      return () => k.dstedcVectors({ n, d: dr, e: er, rotCap: ROTATION_LOG, sweepCap: ROTATION_LOG, ...none });
    },
  });

/** The back-transformation W ← Q·W of the eigenvectors (dormtrLower) against LAPACK's dormtr; 2n³ nominal flops. */
const backCase = (n) =>
  stageCase(BACK, n, {
    flops: 2 * n ** 3,
    op: "dormtr",
    prepare: (k, { reflectors, tau, z }) => {
      const ar = k.put(reflectors);
      const tr = k.put(tau);
      const wr = k.put(z);
      return () => k.dormtrLower({ n, a: ar, tau: tr, w: wr });
    },
  });

const GEMM = "GEMM";

/**
 * The GEMM that eigh's back-transformation and divide-and-conquer merges are made of, A·A at n = 1000 (dgemm on A
 * resident in WASM memory, C left there), against numpy's a @ a: the ratio the GEMM-bound part of eigh can reach.
 */
function gemmCase(n) {
  const flops = 2 * n ** 3;
  const product = (ra) =>
    withKernels("eigh bench", (k) => k.dgemm({ ta: 0, tb: 0, m: n, n, k: n, alpha: 1, a: ra, lda: n, b: ra, ldb: n, beta: 0, ldc: n }));
  const plan = { warmup: 1, reps: 7 };
  const c = {
    name: `${GEMM} n=${n}`,
    params: { n },
    flops,
    async setup() {
      const a = randomSymmetric(n, 7);
      const peer = await peerWith(a, (reason) => (c.impls[NUMPY].skip = reason));
      const [relaxed] = relaxedResident("eigh bench", a.data);
      return { peer, ra: residentBuffer("eigh bench", "f64", a.data), relaxed };
    },
    impls: {
      losscape: { backend: "simd", ...plan, accuracy: false, run: ({ ra }) => product(ra) },
      "losscape relaxed": relaxedImpl({ ...plan, accuracy: false, run: ({ relaxed }) => product(relaxed) }),
      ...ceilingImpls(flops, plan),
      [NUMPY]: peerOp("matmul", plan),
    },
  };
  return c;
}

export default {
  name: "eigh",
  title: "Symmetric eigendecomposition (f64, n×n)",
  main: "losscape",
  peers: [NUMPY, NUMPY_KEPT, LAPACK, "ml-matrix", "core ts backend", "losscape relaxed", STREAM, TWO_STAGE],
  shares: [
    { impl: "losscape", ceiling: CEILING },
    { impl: "losscape relaxed", ceiling: RELAXED_CEILING },
  ],
  notes: [
    "Input: (B + Bᵀ)/2 with B uniform in [-1, 1), seed 7. Accuracy: residual = ‖AV − VΛ‖_F/‖A‖_F, orthogonality = ‖VᵀV − I‖_F; target ≤ 1e-13·n.",
    `${NUMPY}: numpy.linalg.eigh / eigvalsh (LAPACK dsyevd through numpy's OpenBLAS) in a persistent /usr/bin/python3 (benchmarks/peers/numpy_eigh.py) with OMP/OPENBLAS/MKL_NUM_THREADS=1 and OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset, reached from Chromium through the bench runner; timed inside Python (time.perf_counter around the numpy call, the \`seconds\` of its reply), in both environments, so that neither the pipe nor the page's DevTools round trip (≈ 2.5 ms) is counted.`,
    `${NUMPY_KEPT}: the same peer in a second process whose glibc keeps freed memory (MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296). numpy's eigh allocates its arrays afresh every call (at n = 1000 about 32 MB: the copy of A, the vectors and dsyevd's 1 + 6n + 2n² doubles of workspace), and where first-touch page faults are expensive (≈ 10 µs a page on the Zen 5 VM, x86 family 26 model 2), faulting them in is a large part of its time: this column leaves that out, and is close to the sum of the three LAPACK stages below. losscape runs with glibc's defaults, so its ratio to this column is the harsher one (its own fresh n² doubles of vectors still fault in: 236–242 ms against 221–223 at n = 1000 in a node whose glibc kept freed memory too, on that VM). eigvalsh allocates little, and the two numpy columns agree there. The targets are on ${NUMPY}: numpy as it runs by default.`,
    "GFLOP/s and shares use nominal flops: 4n³/3 for the tridiagonal reduction, plus 2n³ for the back-transformation with vectors (Golub & Van Loan §8.3); the divide-and-conquer merges are not counted.",
    "ml-matrix has no eigenvalues-only path: its eigvalsh column runs the full EigenvalueDecomposition.",
    "The core ts backend wraps ml-matrix (plus copies); it is not repeated at n = 1000 (≈ 6–9 s a run).",
    `The stages of eigh at n = 1000, each timed around its kernel call alone (inputs copied into WASM memory before the clock starts; losscape relaxed the same on the relaxed build) against the LAPACK routine dsyevd runs for it, called through ctypes in the liblapack.so.3 numpy links (OpenBLAS's on Debian; optimal workspace, inputs copied before the clock, timed inside the numpy peer): ${REDUCTION} (dsytrdLower, the fused pass below, against LAPACK's blocked dsytrd: dlatrd panels, half the flops in the rank-2k update dsyr2k), ${DIVIDE} with eigenvectors on that tridiagonal (dstedcVectors against dstedc; no nominal flops: its merges' GEMMs depend on deflation; an instrumented build counted 1.07 GFLOP for a random symmetric matrix at n = 1000, against 4n³/3 = 1.33 without any) and ${BACK} of those eigenvectors by the reflectors (dormtrLower against dormtr; 2n³ nominal flops). eigh itself passes the reflectors to dstedcVectors, which applies those below each trailing subproblem [lo, n) to its n − lo eigenvectors before they are merged (≈ 0.28·n³ flops fewer), so eigh takes less than the three stages together. The ${REDUCTION} row also has "${STREAM}": core's f64x2 firstNonFinite loop over an 8 MiB resident buffer, repeated to the n³/6 doubles the reduction reads (and writes back) over its steps. Half its flops are matrix–vector products, 4 flops per double read; the ratio shows how much of its time reading its bytes once takes.`,
    `${REDUCTION}: the fused pass (each step's rank-2 update with the next step's symmetric product, two columns at a time) ran at 10.3–11.2 GFLOP/s in node on the Zen 3 (x86 family 25 model 1) for every n from 200 (A in L2) to 1500 (A past L3), and at 15.4–16.3 in node 20 on the Zen 4 from 300 to 1400, so on a quiet host it is not bound by bandwidth: per two rows of two columns it issues 16 f64x2 arithmetic and 9 memory instructions (strict SIMD has no fused multiply–add), at about 65 % of the ceiling's rate of arithmetic. Nor by its instruction count (a loop with 15 % fewer took the same time); the same instructions with all of A's or all of q's accesses pinned to a few lines of L1 (timing experiments, wrong results) took 52 and 47 ms at n = 1000 against 82: the cause lies in how its loads and stores meet the memory system, and without performance counters on the VM it is not pinned down (assembly/eigen.ts, dsytrdLower). numpy's OpenBLAS runs the same LAPACK stages with AVX2 FMA: 4 lanes and one instruction per multiply–add. It does follow the memory bandwidth the host leaves the VM, though: on the Zen 5 VM (x86 family 26 model 2, node 20), a run in a phase when other guests loaded the host had the read-stream row at 34.0 ms against 24.8 in a quieter run, and the reduction at 101 ms against 74.5 (both about a third slower), while the f64x2 ceiling was 12 % slower and numpy's eigvalsh 4 %: the fused pass moves A through L3 twice a step (a read and a write), LAPACK's dsytrd reads it once a step and writes it once a panel. So the eigvalsh ratio follows those phases: 1.40× to 1.96× numpy over runs on that VM.`,
    `eigvalsh n=${LARGE} and ${REDUCTION} n=${LARGE}: from n = 2048 on, eigvalsh reduces in two stages (core's kernel dsytrdBand: to a band of width 32 by panel QRs and GEMM updates, which read and write the trailing matrix once a panel instead of once a column, then to tridiagonal by Householder bulge chasing; 4n³/3 flops in GEMMs plus ≈ 6·32·n²). The ${REDUCTION} rows time it as "${TWO_STAGE}" beside the one-stage fused pass (the "losscape" column there, which eigh runs at every n, since its eigenvectors need the one-stage reflectors). Both reductions give the same eigenvalues to a small multiple of n·ε·‖A‖ (core's eigen-two-stage.test.ts).`,
    `${GEMM} n=1000: A·A by core's dgemm on A resident in WASM memory (C left there), the GEMM that eigh's back-transformation and divide-and-conquer merges are made of, against numpy's a @ a (OpenBLAS dgemm, one thread, timed inside the peer). Its numpy / losscape column is how far the GEMM-bound part of eigh can get: OpenBLAS multiplies with 4 (AVX2) or 8 (AVX-512) lanes and one fused instruction per multiply–add, strict WASM SIMD with 2 lanes and two instructions.`,
    `What bounds eigh: its flops are the nominal 4n³/3 + 2n³ plus the divide-and-conquer merges' (≤ 4n³/3), so at the ceiling's rate it takes ≈ 1.3–1.4 × the f64x2 ceiling column (the GEMM row runs at 85–100 % of the ceiling, the reduction's fused pass at ≈ 65 %); about half of its time is GEMM (node's CPU profile of eigh at n = 1000 on a Zen 4: 52 % of the samples in the GEMM micro-kernel, 31 % in the reduction's fused pass). The stage rows say where the time goes against LAPACK: the ${BACK} is GEMM-bound and its ${LAPACK} / losscape column is close to the ${GEMM} row's numpy / losscape. Where those are below 1 / 1.5, eigh at 1.5× numpy's time needs the other stages well ahead of LAPACK's: out of reach of strict WASM SIMD, which is all node 20 runs.`,
    "Targets: eigh and eigvalsh at n = 1000 within 1.5× of numpy's time with the strict SIMD build everywhere (all node 20 runs: it does not validate relaxed SIMD without a flag), and with the relaxed build where it runs (Chromium and node ≥ 22, where core's init() picks it; node ≥ 22 results are kept apart as \"node with relaxed SIMD\").",
  ],
  cases: [
    ...sizes.map((n) => eighCase(n, false)),
    ...sizes.map((n) => eighCase(n, true)),
    eighCase(LARGE, true),
    reductionCase(1000),
    reductionCase(LARGE, { warmup: 0, reps: 3 }),
    divideCase(1000),
    backCase(1000),
    gemmCase(1000),
  ],
  targets: [
    ...sizes.flatMap((n) => [
      { kind: "accuracy", case: `eigh n=${n}`, impl: "losscape", metric: "residual", max: 1e-13 * n },
      { kind: "accuracy", case: `eigh n=${n}`, impl: "losscape", metric: "orthogonality", max: 1e-13 * n },
    ]),
    ...["eigh n=1000", "eigvalsh n=1000"].flatMap((c) => [
      { kind: "ratio", case: c, impl: "losscape", peer: NUMPY, max: 1.5 },
      // where the relaxed build runs (targets are recorded with the run: Chromium, node ≥ 22)
      ...(relaxedSimdSupported() ? [{ kind: "ratio", case: c, impl: "losscape relaxed", peer: NUMPY, max: 1.5 }] : []),
    ]),
  ],
};
