import { ValueError } from "./errors.js";
import type { WasmBuild, WasmInstance } from "./wasm-instance.js";

/**
 * The cache blocks of the WASM GEMM (assembly/blas.ts; Goto & van de Geijn, ACM TOMS 34(3), 2008): `mc` rows of
 * op(A) are packed at a time (mc × 256 doubles, meant to stay in L2) and `nc` columns of op(B) (256 × nc doubles,
 * in L3). They change only the speed: every entry of C is summed in the same order whatever they are (the k-block,
 * which splits the sums, is fixed at 256), so results are the same bits under any blocking.
 */
export interface GemmBlocking {
  /** Rows of op(A) per packed block: a multiple of 2 in [2, 512]. */
  readonly mc: number;
  /** Columns of op(B) per packed block: a multiple of 8 in [8, 2048]. */
  readonly nc: number;
}

/** Where the blocking (or the register tile) in force came from. */
export type GemmBlockingSource = "default" | "calibrated" | "set" | "env";

/**
 * The register tile of the WASM GEMM's micro-kernel (assembly/blas.ts): 2 rows × 8 columns of C (8 f64x2
 * accumulators), 2 × 10 (10 accumulators, fewer loads per multiply–add) or 2 × 12 (12 accumulators: enough
 * independent chains for fused multiply–adds, whose latency the multiply joins). Only the speed depends on it, and
 * which is faster depends on the engine's code generator and the build (node's V8: 2×8 on the strict build, 2×12 on
 * node 22's relaxed one; Chromium 156's: 2×10 on the strict build, 2×12 on the relaxed one); every entry of C is the
 * same sum in the same order with any of them.
 * The scalar build always uses 2×8.
 */
export type GemmTile = "2x8" | "2x10" | "2x12";

/** The register tiles, in the order calibration tries them. */
export const GEMM_TILES: readonly GemmTile[] = ["2x8", "2x10", "2x12"];

/** The columns of a register tile: 8, 10 or 12. */
export function tileColumns(t: GemmTile): number {
  return t === "2x12" ? 12 : t === "2x10" ? 10 : 8;
}

/** The blocking before calibration (measured on an Intel Xeon and on Zen 5 as within a few % of the best). */
export const DEFAULT_GEMM_BLOCKING: GemmBlocking = { mc: 128, nc: 1024 };

/** The register tile before calibration. */
export const DEFAULT_GEMM_TILE: GemmTile = "2x8";

let current: GemmBlocking = DEFAULT_GEMM_BLOCKING;
let source: GemmBlockingSource = "default";
/**
 * The register tile of each build and where it came from: calibration measures the build it runs on (the fastest
 * tile of the strict build and of the relaxed one differ: 2×8 and 2×12 in node 22, 2×10 and 2×12 in Chromium 156),
 * setGemmTile and the environment set every build. The scalar build keeps 2×8 whatever its entry says.
 */
const tiles: Record<WasmBuild, { tile: GemmTile; source: GemmBlockingSource }> = {
  simd: { tile: DEFAULT_GEMM_TILE, source: "default" },
  relaxed: { tile: DEFAULT_GEMM_TILE, source: "default" },
  scalar: { tile: DEFAULT_GEMM_TILE, source: "default" },
};
/** Every WASM instance loaded in this process (or worker): a new blocking is applied to all of them. */
const instances = new Set<WasmInstance>();

function apply(w: WasmInstance): void {
  w.kernel("setGemmBlocking")(current.mc, current.nc);
  w.kernel("setGemmTile")(tileColumns(tiles[w.build].tile));
}

/** Called by backend.ts for every new instance: it gets the blocking and the tile in force. */
export function registerGemmInstance(w: WasmInstance): void {
  instances.add(w);
  apply(w);
}

/** The blocking in force and where it came from. */
export function gemmBlocking(): GemmBlocking & { readonly source: GemmBlockingSource } {
  return { ...current, source };
}

/** Validate a blocking given by `fn` as `arg` (integers, mc even in [2, 512], nc a multiple of 8 in [8, 2048]). */
export function checkGemmBlocking(fn: string, arg: string, b: unknown): GemmBlocking {
  const o = b as { mc?: unknown; nc?: unknown } | null;
  const ok = (x: unknown, step: number, max: number) => Number.isInteger(x) && (x as number) >= step && (x as number) <= max && (x as number) % step === 0;
  if (typeof o !== "object" || o === null || !ok(o.mc, 2, 512) || !ok(o.nc, 8, 2048)) {
    throw new ValueError(
      `${fn}: argument '${arg}' must be { mc, nc } with mc an even integer in [2, 512] and nc a multiple of 8 in [8, 2048]; found ${describeBlocking(b)}`,
    );
  }
  return { mc: o.mc as number, nc: o.nc as number };
}

/** A blocking as found, for messages: numbers as JavaScript prints them (NaN stays NaN, not JSON's null). */
function describeBlocking(b: unknown): string {
  const show = (x: unknown) => (typeof x === "string" ? JSON.stringify(x) : String(x));
  if (typeof b !== "object" || b === null || Array.isArray(b)) return show(b);
  const o = b as { mc?: unknown; nc?: unknown };
  return `{ mc: ${show(o.mc)}, nc: ${show(o.nc)} }`;
}

/** Put `b` in force in every loaded instance (and those loaded later), recording where it came from. */
export function useGemmBlocking(b: GemmBlocking, from: GemmBlockingSource): void {
  current = { mc: b.mc, nc: b.nc };
  source = from;
  for (const w of instances) apply(w);
}

/** True once a blocking was set, read from the environment or calibrated (no calibration is then due). */
export function gemmBlockingSettled(): boolean {
  return source !== "default";
}

/** The register tile in force in `build` and where it came from. */
export function gemmTile(build: WasmBuild): { readonly tile: GemmTile; readonly source: GemmBlockingSource } {
  return { ...tiles[build] };
}

/** Validate a register tile given by `fn` as `arg` ("2x8", "2x10" or "2x12"). */
export function checkGemmTile(fn: string, arg: string, t: unknown): GemmTile {
  if (!GEMM_TILES.includes(t as GemmTile)) {
    throw new ValueError(`${fn}: argument '${arg}' must be one of ${GEMM_TILES.map((x) => `"${x}"`).join(", ")}; found ${JSON.stringify(t)}`);
  }
  return t as GemmTile;
}

/**
 * Put the register tile `t` in force in the loaded instances of `build` (and those loaded later), or of every build
 * when `build` is "all", recording where it came from.
 */
export function useGemmTile(t: GemmTile, from: GemmBlockingSource, build: WasmBuild | "all"): void {
  for (const b of build === "all" ? (Object.keys(tiles) as WasmBuild[]) : [build]) tiles[b] = { tile: t, source: from };
  for (const w of instances) apply(w);
}

/** True once the tile of `build` was set, read from the environment or calibrated. */
export function gemmTileSettled(build: WasmBuild): boolean {
  return tiles[build].source !== "default";
}
