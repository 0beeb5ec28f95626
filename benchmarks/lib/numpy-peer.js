// The numpy peer of the eigh and factor suites (benchmarks/peers/numpy_eigh.py, a persistent /usr/bin/python3 on
// one thread, reached from Chromium through the bench runner): a matrix loaded into it, and impls timed inside it.
import { startPythonPeer } from "./python-peer.js";

/**
 * The numpy peer with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS picks its kernels for this CPU), or
 * { reason } where it cannot run.
 */
const numpyPeer = () => startPythonPeer("numpy_eigh.py", { unsetEnv: ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] });

/** A Float64Array's bytes in base64 (little-endian, as numpy's "<f8"), without node's Buffer. */
function base64(x) {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The numpy peer with `a` loaded; where it cannot run, `skipWhere(reason)` marks the impls that need it skipped. */
export async function peerWith(a, skipWhere) {
  const p = await numpyPeer();
  if (p.reason) skipWhere(p.reason);
  else await p.request({ op: "matrix", n: a.rows, cols: a.cols, data: base64(a.data) });
  return p;
}

/** An impl timed inside the numpy peer (the `seconds` of its reply to `op`). */
export const peerOp = (op, plan) => ({
  ...plan,
  accuracy: false,
  selfTimed: true,
  run: async ({ peer }) => {
    const r = await peer.request({ op });
    if (r.info) throw new Error(`the numpy peer's ${op}: LAPACK info = ${r.info}`);
    return { ...r, ms: r.seconds * 1000 };
  },
});
