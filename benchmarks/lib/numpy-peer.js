// The numpy peer of the eigh and factor suites (benchmarks/peers/numpy_eigh.py, a persistent /usr/bin/python3 on
// one thread, reached from Chromium through the bench runner): a matrix loaded into it, and impls timed inside it.
import { startPythonPeer } from "./python-peer.js";

/** OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: OpenBLAS picks its kernels for this CPU. */
const OPENBLAS_OWN_CHOICE = { OPENBLAS_CORETYPE: null, OPENBLAS_L2_SIZE: null };

/**
 * glibc's malloc told to keep freed memory in the process: blocks up to 1 GiB come from the heap instead of mappings
 * of their own, and the heap is not trimmed, so each call's fresh arrays reuse pages already faulted in.
 */
const KEEP_FREED_MEMORY = { MALLOC_MMAP_THRESHOLD_: "1073741824", MALLOC_TRIM_THRESHOLD_: "4294967296" };

/**
 * The numpy peer (OpenBLAS choosing its own kernels; with `keepFreedMemory`, glibc keeping freed memory: a second
 * subprocess), or { reason } where it cannot run.
 */
const numpyPeer = (keepFreedMemory) => {
  const env = keepFreedMemory ? { ...OPENBLAS_OWN_CHOICE, ...KEEP_FREED_MEMORY } : OPENBLAS_OWN_CHOICE;
  return startPythonPeer("numpy_eigh.py", { env });
};

/** A Float64Array's bytes in base64 (little-endian, as numpy's "<f8"), without node's Buffer. */
function base64(x) {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The numpy peer with `a` loaded (with `keepFreedMemory`, the one whose glibc keeps freed memory); where it cannot
 * run, `skipWhere(reason)` marks the impls that need it skipped.
 */
export async function peerWith(a, skipWhere, { keepFreedMemory = false } = {}) {
  const p = await numpyPeer(keepFreedMemory);
  if (p.reason) skipWhere(p.reason);
  else await p.request({ op: "matrix", n: a.rows, cols: a.cols, data: base64(a.data) });
  return p;
}

/** An impl timed inside the numpy peer the case's setup put at `ctx[key]` (the `seconds` of its reply to `op`). */
export const peerOp = (op, plan, key = "peer") => ({
  ...plan,
  accuracy: false,
  selfTimed: true,
  run: async (ctx) => {
    const r = await ctx[key].request({ op });
    if (r.info) throw new Error(`the numpy peer's ${op}: LAPACK info = ${r.info}`);
    return { ...r, ms: r.seconds * 1000 };
  },
});
