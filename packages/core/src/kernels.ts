/**
 * The declaration of every WASM kernel TypeScript calls (assembly/*.ts): its name, each argument in order — a
 * dimension, flag or code (`i32`), an f64 scalar (`f64`), or an array with its role and its length as a function
 * of the dimensions — and what it returns. The lengths are written here once; the typed wrappers of
 * kernel-session.ts are derived from these declarations, and `scripts/check-kernels.js` (run by core's build and by
 * kernel-check.test.ts) fails when they disagree with the `export function` signatures in assembly/.
 *
 * Array roles:
 *  - `in`: read by the kernel (copied into the arena, or an arena/resident buffer passed as it is);
 *  - `inout`: read and overwritten in place (copied in; its new contents are returned);
 *  - `out` (zero-filled first) and `written` (the kernel writes every entry, so the buffer starts uninitialised):
 *    returned; a caller may pass initial contents instead (kernels such as `dgemm` with β ≠ 0 read them);
 *  - `scratch`: kernel workspace, uninitialised, never copied either way.
 * A length is `size(d, q)`: `d` holds the call's scalar arguments by name (plus the kernel's derived dimensions),
 * `q` the kernels' own work-size queries (`dgemmWorkSize`, `dstedcWorkSize`, `dormtrWorkSize`, `svdWorkSize`, …).
 */

/** Scalar arguments by name (and derived dimensions), as a size formula sees them. */
export type Dims = { readonly [name: string]: number };
/** The length (in elements) of an array argument. */
export type Size = (d: Dims, q: WorkSizes) => number;

export type ElemType = "f64" | "i32";
export type ArrayRole = "in" | "inout" | "out" | "scratch";

/** An i32 argument (a dimension, stride, flag or code) or an f64 scalar. */
export interface ScalarArg<T extends ElemType> {
  readonly kind: T;
}

/** An array argument (the kernel gets its address). `zero`: an `out` buffer is zero-filled before the call. */
export interface ArrayArg<R extends ArrayRole, T extends ElemType> {
  readonly kind: R;
  readonly type: T;
  readonly size: Size;
  readonly zero: boolean;
}

export type ArgDecl = ScalarArg<ElemType> | ArrayArg<ArrayRole, ElemType>;
export type ArgsDecl = { readonly [name: string]: ArgDecl };
export type Returns = "void" | ElemType;

/**
 * Dimensions computed from a call's arguments, written into `d` beside its scalar arguments (`d` is reused from call
 * to call, so a derivation allocates nothing); `values(a.widths)` reads an array argument (typed array or buffer).
 */
export type Derive = (
  a: { readonly [name: string]: unknown },
  values: (array: unknown) => ArrayLike<number>,
  d: { [name: string]: number },
) => void;

export interface KernelDecl<A extends ArgsDecl = ArgsDecl, R extends Returns = Returns> {
  readonly args: A;
  readonly returns: R;
  /** Dimensions computed from the arguments (e.g. a network's parameter count from its widths), for the sizes. */
  readonly derive?: Derive;
}

const i32: ScalarArg<"i32"> = { kind: "i32" };
const f64: ScalarArg<"f64"> = { kind: "f64" };
const array =
  <R extends ArrayRole, T extends ElemType>(kind: R, type: T, zero = false) =>
  (size: Size): ArrayArg<R, T> => ({ kind, type, size, zero });
const inF64 = array("in", "f64");
const inI32 = array("in", "i32");
const inoutF64 = array("inout", "f64");
/** An output the kernel may leave partly unwritten or accumulates into: zero-filled first. */
const outF64 = array("out", "f64", true);
/** An output the kernel overwrites entirely: not zero-filled. */
const writtenF64 = array("out", "f64");
const writtenI32 = array("out", "i32");
const scratchF64 = array("scratch", "f64");
const scratchI32 = array("scratch", "i32");

function kernel<const A extends ArgsDecl, const R extends Returns>(args: A, returns: R, derive?: Derive): KernelDecl<A, R> {
  return derive === undefined ? { args, returns } : { args, returns, derive };
}

/** Elements of a rows×cols matrix stored with row stride ld (the last row need not be padded). */
export function strided(rows: number, cols: number, ld: number): number {
  return rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0;
}

/** Elements spanned by a rows×cols matrix with element strides rs, cs (entry (i, j) at i·rs + j·cs). */
export function spanned(rows: number, cols: number, rs: number, cs: number): number {
  return rows > 0 && cols > 0 ? (rows - 1) * rs + (cols - 1) * cs + 1 : 0;
}

/** The work-size queries: kernels that return a workspace length, used by the size formulas. */
export const WORK_SIZE_QUERIES = {
  /** Doubles of packing workspace `dgemm` needs for op(A) m×k, op(B) k×n (`dsyrk`: m = n = order of C). */
  dgemmWorkSize: kernel({ m: i32, n: i32, k: i32 }, "i32"),
  /** Doubles of workspace `dstedcVectors` needs in `work`: 2n² + 8n (an f64, as svdWorkSize's). */
  dstedcWorkSize: kernel({ n: i32 }, "f64"),
  /** Doubles of workspace `cholFactor` and `luFactor` need (their trailing updates' packed kernel). */
  factorWorkSize: kernel({ n: i32 }, "i32"),
  /** Doubles of workspace `dormtrLower` needs besides dgemm's. */
  dormtrWorkSize: kernel({ n: i32 }, "i32"),
  /** Doubles of workspace `dsytrdBand` needs besides dgemm's (an f64). */
  dsytrdBandWorkSize: kernel({ n: i32 }, "f64"),
  /** Doubles of workspace `svdJacobi` needs (an f64: it may exceed 2³¹). */
  svdWorkSize: kernel({ m: i32, n: i32, uc: i32 }, "f64"),
  /** Doubles of workspace `qrThin` needs (an f64, as svdWorkSize's). */
  qrWorkSize: kernel({ m: i32, n: i32 }, "f64"),
  /** Doubles of workspace `householderQr` needs (an f64, as svdWorkSize's): none without pivoting. */
  householderQrWorkSize: kernel({ m: i32, n: i32, pivot: i32 }, "f64"),
} as const;

type QueryName = keyof typeof WORK_SIZE_QUERIES;
/** The work-size queries as the size formulas call them: named dimensions in, a length out. */
export type WorkSizes = { readonly [K in QueryName]: (d: { [P in keyof (typeof WORK_SIZE_QUERIES)[K]["args"]]: number }) => number };

/**
 * The dimensions of a network a kernel of assembly/mlp.ts derives from (L, widths, bias): T = Σₗ mₗ (l ≥ 1),
 * M = Σₗ mₗ(mₗ₋₁ + bias), d_in = m₀, m₁, d_out = m_L, the largest width, the largest layer width mₗ (l ≥ 1) and the
 * largest layer parameter count mₗ(mₗ₋₁ + bias).
 */
export const netDims: Derive = (a, values, d) => {
  const L = a.L as number;
  const w = values(a.widths);
  const bias = a.bias as number;
  let T = 0;
  let M = 0;
  let widest = w[0];
  let widestLayer = 0;
  let largestLayer = 0;
  for (let l = 1; l <= L; l++) {
    T += w[l];
    M += w[l] * w[l - 1] + (bias ? w[l] : 0);
    widest = Math.max(widest, w[l]);
    widestLayer = Math.max(widestLayer, w[l]);
    largestLayer = Math.max(largestLayer, w[l] * w[l - 1] + (bias ? w[l] : 0));
  }
  d.T = T;
  d.M = M;
  d.din = w[0];
  d.m1 = w[1];
  d.dout = w[L];
  d.widest = widest;
  d.widestLayer = widestLayer;
  d.largestLayer = largestLayer;
};

/** dgemm packing workspace for products whose dimensions are all ≤ D. */
const gemmWorkFor = (D: number, q: WorkSizes): number => q.dgemmWorkSize({ m: D, n: D, k: D });

/** The arguments every kernel of assembly/mlp.ts begins with: the network. */
const NET = { L: i32, widths: inI32((d) => d.L + 1), codes: inI32((d) => d.L), cparams: inF64((d) => d.L), bias: i32 } as const;
/** Scratch `s` of the mlp kernels: `arrays` per-layer arrays of n·T doubles (assembly/mlp.ts lists them). */
const mlpScratch = (arrays: number) => scratchF64((d) => arrays * d.n * d.T);
/** The mlp kernels' GEMM workspace, for products of dimensions ≤ max(n, widths). */
const mlpWork = scratchF64((d, q) => gemmWorkFor(Math.max(d.n, d.widest), q));

/** The compute kernels, in the order of assembly/index.ts. */
export const COMPUTE_KERNELS = {
  // ---- blas.ts -----------------------------------------------------------------------------------------------
  /** C (m×n) = α·op(A)·op(B) + β·C; c is written entirely when β = 0 (pass its contents when β ≠ 0). */
  dgemm: kernel(
    {
      ta: i32, tb: i32, m: i32, n: i32, k: i32, alpha: f64,
      a: inF64((d) => (d.ta ? strided(d.k, d.m, d.lda) : strided(d.m, d.k, d.lda))), lda: i32,
      b: inF64((d) => (d.tb ? strided(d.n, d.k, d.ldb) : strided(d.k, d.n, d.ldb))), ldb: i32,
      beta: f64, c: writtenF64((d) => strided(d.m, d.n, d.ldc)), ldc: i32,
      work: scratchF64((d, q) => q.dgemmWorkSize({ m: d.m, n: d.n, k: d.k })),
    },
    "void",
  ),
  /** C = α·AᵀA + β·C (ata = 1, A m×n, C n×n) or α·AAᵀ + β·C (ata = 0, C m×m); c written entirely when β = 0. */
  dsyrk: kernel(
    {
      ata: i32, m: i32, n: i32, alpha: f64, a: inF64((d) => strided(d.m, d.n, d.lda)), lda: i32, beta: f64,
      c: writtenF64((d) => (d.ata ? strided(d.n, d.n, d.ldc) : strided(d.m, d.m, d.ldc))), ldc: i32,
      work: scratchF64((d, q) => (d.ata ? q.dgemmWorkSize({ m: d.n, n: d.n, k: d.m }) : q.dgemmWorkSize({ m: d.m, n: d.m, k: d.n }))),
    },
    "void",
  ),
  /** Set dgemm/dsyrk's row block mc and column block nc (speed only: results do not depend on them). */
  setGemmBlocking: kernel({ mc: i32, nc: i32 }, "void"),
  /** dgemm's current row block mc. */
  gemmBlockRows: kernel({}, "i32"),
  /** dgemm's current column block nc. */
  gemmBlockCols: kernel({}, "i32"),
  /** Set dgemm/dsyrk's register tile to 2×nr, nr = 8, 10 or 12 (speed only; the scalar build keeps 2×8). */
  setGemmTile: kernel({ nr: i32 }, "void"),
  /** The columns of dgemm's current register tile (8, 10 or 12). */
  gemmTileCols: kernel({}, "i32"),
  /** y = α·op(A)·x + β·y (A m×n); y written entirely when β = 0. */
  dgemv: kernel(
    {
      trans: i32, m: i32, n: i32, alpha: f64, a: inF64((d) => strided(d.m, d.n, d.lda)), lda: i32,
      x: inF64((d) => (d.trans ? d.m : d.n)), beta: f64, y: writtenF64((d) => (d.trans ? d.n : d.m)),
    },
    "void",
  ),
  /** The index of the first NaN or ±∞ among x[0..n), or −1 (the finiteness check of operands copied into WASM). */
  firstNonFinite: kernel({ x: inF64((d) => d.n), n: i32 }, "i32"),
  // ---- eigen.ts ----------------------------------------------------------------------------------------------
  /** Householder tridiagonalisation of the symmetric a (n×n column-major, lower triangle): d, e, tau. */
  dsytrdLower: kernel(
    {
      n: i32, a: inoutF64((d) => d.n * d.n), d: outF64((d) => d.n), e: outF64((d) => d.n), tau: outF64((d) => d.n),
      work: scratchF64((d) => 8 * d.n),
    },
    "void",
  ),
  /**
   * The tridiagonal d, e of the symmetric a (n×n column-major, lower triangle; overwritten) in two stages (dense to
   * band by GEMMs, band to tridiagonal by bulge chasing), for eigenvalues only: no reflectors are kept.
   */
  dsytrdBand: kernel(
    {
      n: i32, a: inoutF64((d) => d.n * d.n), d: outF64((d) => d.n), e: outF64((d) => d.n),
      work: scratchF64((d, q) => q.dsytrdBandWorkSize({ n: d.n })), gemmWork: scratchF64((d, q) => gemmWorkFor(d.n, q)),
    },
    "void",
  ),
  /** Eigenvalues of the tridiagonal (d, e) by root-free QL/QR into d (unordered); 0 or k + 1 (no convergence). */
  dsterfQL: kernel({ n: i32, d: inoutF64((d) => d.n), e: inoutF64((d) => d.n) }, "i32"),
  /** w (n×n column-major) ← Q·w with Q the reflectors dsytrdLower left in a and tau. */
  dormtrLower: kernel(
    {
      n: i32, a: inF64((d) => d.n * d.n), tau: inF64((d) => d.n), w: inoutF64((d) => d.n * d.n),
      work: scratchF64((d, q) => q.dormtrWorkSize({ n: d.n })),
      gemmWork: scratchF64((d, q) => gemmWorkFor(d.n, q)),
    },
    "void",
  ),
  /**
   * Eigenvalues (into d) and eigenvectors (w, n×n column-major, written) of the tridiagonal (d, e) by divide and
   * conquer, multiplied by the reflectors (a, tau) of dsytrdLower (τ = 0: none); rot/sweeps: the QL rotation log of
   * rotCap (c, s) pairs and sweepCap (l, m, offset) triples.
   */
  dstedcVectors: kernel(
    {
      n: i32, d: inoutF64((d) => d.n), e: inoutF64((d) => d.n), w: writtenF64((d) => d.n * d.n),
      work: scratchF64((d, q) => q.dstedcWorkSize({ n: d.n })), iwork: scratchI32((d) => 5 * d.n),
      rot: scratchF64((d) => 2 * d.rotCap), rotCap: i32, sweeps: scratchI32((d) => 3 * d.sweepCap), sweepCap: i32,
      gemmWork: scratchF64((d, q) => gemmWorkFor(d.n, q)),
      a: inF64((d) => d.n * d.n), tau: inF64((d) => d.n), back: scratchF64((d, q) => q.dormtrWorkSize({ n: d.n })),
    },
    "i32",
  ),
  /** out (n×n row-major) column c = ±z[:, order[c]] with its largest-magnitude entry positive. */
  eigenvectorsRowMajor: kernel(
    {
      n: i32, z: inF64((d) => d.n * d.n), order: inI32((d) => d.n), out: writtenF64((d) => d.n * d.n),
      signs: scratchF64((d) => d.n),
    },
    "void",
  ),
  /** out = [max|aᵢⱼ| (not finite when an entry is not), min over aᵢⱼ ≠ 0 of |aᵢⱼ|, max|aᵢⱼ − aⱼᵢ|] of the n×n a. */
  symmetricRange: kernel({ n: i32, a: inF64((d) => d.n * d.n), out: writtenF64(() => 3) }, "void"),
  /** xᵢ ← 0 where |xᵢ| < floor, else xᵢ·f1·f2. */
  scaleAndFlush: kernel({ len: i32, x: inoutF64((d) => d.len), f1: f64, f2: f64, floor: f64 }, "void"),
  // ---- factor.ts ---------------------------------------------------------------------------------------------
  /** In-place Cholesky A = L·Lᵀ (row-major, lower triangle); 0 or i + 1 (pivot of row i not positive). */
  cholFactor: kernel(
    { n: i32, a: inoutF64((d) => strided(d.n, d.n, d.lda)), lda: i32, work: scratchF64((d, q) => q.factorWorkSize({ n: d.n })) },
    "i32",
  ),
  /** In-place LU with partial pivoting P·A = L·U; perm[i] = the row of A that became row i. */
  luFactor: kernel(
    {
      n: i32, a: inoutF64((d) => strided(d.n, d.n, d.lda)), lda: i32, perm: writtenI32((d) => d.n),
      work: scratchF64((d, q) => q.factorWorkSize({ n: d.n })),
    },
    "i32",
  ),
  /** op(T)·X = B solved in place (B n×k row-major). */
  triSolve: kernel(
    {
      n: i32, k: i32, t: inF64((d) => strided(d.n, d.n, d.ldt)), ldt: i32, lower: i32, trans: i32, unit: i32,
      b: inoutF64((d) => strided(d.n, d.k, d.ldb)), ldb: i32,
    },
    "void",
  ),
  /** Thin QR A = Q·R (A m×n, m ≥ n) with element strides. */
  qrThin: kernel(
    {
      m: i32, n: i32, a: inF64((d) => spanned(d.m, d.n, d.ars, d.acs)), ars: i32, acs: i32,
      q: writtenF64((d) => spanned(d.m, d.n, d.qrs, d.qcs)), qrs: i32, qcs: i32,
      r: writtenF64((d) => spanned(d.n, d.n, d.rrs, d.rcs)), rrs: i32, rcs: i32,
      work: scratchF64((d, q) => q.qrWorkSize({ m: d.m, n: d.n })),
    },
    "void",
  ),
  /**
   * Householder QR of the m×n column-major X (leading dimension ldx, m ≥ n) in place, with column pivoting when
   * pivot = 1 (X·P = Q·R, |r₀₀| ≥ |r₁₁| ≥ …; perm[j] is the column of X that became column j): R on and above the
   * diagonal, the reflectors below it and in tau. svdJacobi's first step; declared for its tests.
   */
  householderQr: kernel(
    {
      m: i32, n: i32, x: inoutF64((d) => strided(d.n, d.m, d.ldx)), ldx: i32, tau: writtenF64((d) => d.n),
      perm: writtenI32((d) => d.n), pivot: i32,
      work: scratchF64((d, q) => q.householderQrWorkSize({ m: d.m, n: d.n, pivot: d.pivot })),
    },
    "void",
  ),
  // ---- svd.ts ------------------------------------------------------------------------------------------------
  /**
   * SVD of the m×n A (m ≥ n) by one-sided Jacobi: s (n), U (m×uc) and V (n×n) with element strides when
   * wantVectors; returns the number of sweeps or −1.
   */
  svdJacobi: kernel(
    {
      m: i32, n: i32, a: inF64((d) => spanned(d.m, d.n, d.ars, d.acs)), ars: i32, acs: i32,
      s: writtenF64((d) => d.n), wantVectors: i32, uc: i32,
      u: writtenF64((d) => (d.wantVectors ? spanned(d.m, d.uc, d.urs, d.ucs) : 0)), urs: i32, ucs: i32,
      v: writtenF64((d) => (d.wantVectors ? spanned(d.n, d.n, d.vrs, d.vcs) : 0)), vrs: i32, vcs: i32,
      work: scratchF64((d, q) => q.svdWorkSize({ m: d.m, n: d.n, uc: d.uc })),
    },
    "i32",
  ),
  // ---- mlp.ts (θ in the flat order; x n×d_in, y n×d_out row-major) -------------------------------------------
  /** f (n×d_out) = the network's output. */
  mlpForward: kernel(
    { ...NET, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), s: mlpScratch(3), work: mlpWork, f: outF64((d) => d.n * d.dout) },
    "void",
    netDims,
  ),
  /** zaOut = [Z of layers 1..L, A of layers 1..L] (2·n·T doubles). */
  mlpLayers: kernel(
    { ...NET, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), s: mlpScratch(3), work: mlpWork, zaOut: outF64((d) => 2 * d.n * d.T) },
    "void",
    netDims,
  ),
  /** Returns R without L2; ∇R into grad when wantGrad = 1 (grad has M entries then, else none). */
  mlpLossGrad: kernel(
    {
      ...NET, lossCode: i32, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), y: inF64((d) => d.n * d.dout),
      s: mlpScratch(6), work: mlpWork, grad: outF64((d) => (d.wantGrad ? d.M : 0)), wantGrad: i32,
    },
    "f64",
    netDims,
  ),
  /** hv = H·v, H₀·v or H₁·v (part 0, 1, 2) by the R-operator, without L2. */
  mlpHvp: kernel(
    {
      ...NET, lossCode: i32, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), y: inF64((d) => d.n * d.dout),
      v: inF64((d) => d.M), part: i32, s: mlpScratch(12), work: mlpWork, hv: outF64((d) => d.M),
    },
    "void",
    netDims,
  ),
  /** HV = H·V, H₀·V or H₁·V (part 0, 1, 2) for k directions (V, HV: k·M, direction after direction), without L2. */
  mlpHvpBlock: kernel(
    {
      ...NET, lossCode: i32, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), y: inF64((d) => d.n * d.dout),
      v: inF64((d) => d.k * d.M), k: i32, part: i32, s: scratchF64((d) => (8 + 4 * d.k) * d.n * d.T),
      work: scratchF64((d, q) => gemmWorkFor(Math.max(d.n * d.k, d.widest), q)), hv: writtenF64((d) => d.k * d.M),
    },
    "void",
    netDims,
  ),
  /** J ((n·d_out) × M) = ∂f/∂θ. */
  mlpJacobian: kernel(
    {
      ...NET, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), s: mlpScratch(10), work: mlpWork,
      J: writtenF64((d) => d.n * d.dout * d.M),
    },
    "void",
    netDims,
  ),
  /**
   * The exact Hessian without L2 into h0 (split = 0), or H₀ into h0 and H₁ into h1 (split = 1); deep nets' H₁ is
   * assembled over chunks of `chunk` samples, with e = 5·chunk·m² + chunk·P + widest doubles (m = widestLayer,
   * P = largestLayer; at least M, for cross-entropy's J̃). factored = 1 assembles H₀ without the Jacobian (unit by
   * unit): J is then 2·n·d_out·(T − d_out) + n·(largestLayer + widestLayer) doubles of scratch instead of (n·d_out) × M.
   */
  mlpHessian: kernel(
    {
      ...NET, lossCode: i32, n: i32, p: inF64((d) => d.M), x: inF64((d) => d.n * d.din), y: inF64((d) => d.n * d.dout),
      s: mlpScratch(12),
      work: scratchF64((d, q) => gemmWorkFor(Math.max(d.n * d.dout, d.M, d.widest, d.chunk * d.widestLayer), q)),
      J: scratchF64((d) => (d.factored ? 2 * d.n * d.dout * (d.T - d.dout) + d.n * (d.largestLayer + d.widestLayer) : d.n * d.dout * d.M)),
      e: scratchF64((d) => Math.max(d.M, 5 * d.chunk * d.widestLayer ** 2 + d.chunk * d.largestLayer + d.widest)),
      chunk: i32, split: i32, factored: i32,
      h0: writtenF64((d) => d.M * d.M), h1: writtenF64((d) => (d.split ? d.M * d.M : 0)),
    },
    "void",
    netDims,
  ),
  /** σ(x) of activation `code` with parameter p (the leaky-relu slope). */
  mlpActivation: kernel({ code: i32, p: f64, x: f64 }, "f64"),
  /**
   * grid[i·nB + j] = R(p0 + aᵢ·d1 + bⱼ·d2) + (l2/2)‖·‖²; s holds Z and A of every layer and the three first-layer
   * pre-activation planes; theta one point's parameters.
   */
  mlpLossPlane: kernel(
    {
      ...NET, lossCode: i32, l2: f64, n: i32, p0: inF64((d) => d.M), d1: inF64((d) => d.M), d2: inF64((d) => d.M),
      aAxis: inF64((d) => d.nA), nA: i32, bAxis: inF64((d) => d.nB), nB: i32,
      x: inF64((d) => d.n * d.din), y: inF64((d) => d.n * d.dout),
      s: scratchF64((d) => 2 * d.n * d.T + 3 * d.n * d.m1), work: mlpWork, theta: scratchF64((d) => d.M),
      grid: writtenF64((d) => d.nA * d.nB),
    },
    "void",
    netDims,
  ),
  // ---- slice.ts ----------------------------------------------------------------------------------------------
  /**
   * The loss on an nA × nb grid of a plane through a one-hidden-layer net (z: n×m pre-activations, w: r×m output
   * weights, c: r output biases, at θ and along d₁, d₂); bAxis padded to an even nbp; grid nA × nbp.
   */
  sliceAffinePlane: kernel(
    {
      n: i32, m: i32, r: i32, nA: i32, nb: i32, nbp: i32, code: i32, slope: f64,
      z0: inF64((d) => d.n * d.m), z1: inF64((d) => d.n * d.m), z2: inF64((d) => d.n * d.m),
      w0: inF64((d) => d.r * d.m), w1: inF64((d) => d.r * d.m), w2: inF64((d) => d.r * d.m),
      c0: inF64((d) => d.r), c1: inF64((d) => d.r), c2: inF64((d) => d.r),
      y: inF64((d) => d.n * d.r), aAxis: inF64((d) => d.nA), bAxis: inF64((d) => d.nbp), db: f64,
      s: scratchF64((d) => d.r * d.m * d.nbp + d.r * d.nbp + 2 * d.nbp + d.r * d.m + d.r + 4),
      grid: outF64((d) => d.nA * d.nbp),
    },
    "void",
  ),
  // ---- peak.ts -----------------------------------------------------------------------------------------------
  /** 48·steps flops of f64x2 mul + add (24·steps scalar in the scalar build) in 12 chains cᵢ ← cᵢ·m + a; their sum. */
  peakMulAdd: kernel({ steps: i32, m: f64, a: f64 }, "f64"),
  /** 24·steps flops of scalar f64 mul + add in 12 chains cᵢ ← cᵢ·m + a (every build); returns their sum. */
  peakMulAddScalar: kernel({ steps: i32, m: f64, a: f64 }, "f64"),
} as const;

/** Every kernel TypeScript may call: the work-size queries and the compute kernels. */
export const KERNELS = { ...WORK_SIZE_QUERIES, ...COMPUTE_KERNELS } as const;
export type Kernels = typeof KERNELS;
export type KernelName = keyof Kernels;

/**
 * Exports of the WASM module that are not kernels: `heapBase` (where core's memory begins), `simdEnabled` and
 * `relaxedSimdEnabled` (which build this is), read by wasm-instance.ts; `memory` and `_initialize`.
 */
export const RUNTIME_EXPORTS = ["heapBase", "simdEnabled", "relaxedSimdEnabled", "memory", "_initialize"] as const;
