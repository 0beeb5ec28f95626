#!/usr/bin/env python3
"""numpy peer of benchmarks/suites/eigh.js: numpy.linalg.eigh / eigvalsh (LAPACK dsyevd / dsyevd without vectors
through numpy's OpenBLAS) on ONE thread.

Started by the suite as a persistent subprocess (/usr/bin/python3 benchmarks/peers/numpy_eigh.py, with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1 and OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset, so OpenBLAS
picks its kernels for the CPU it finds); not run by hand.
Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "matrix", "n": 1000, "data": "<base64 of n·n little-endian float64, row-major>"}
      keeps the matrix; reply {"ok": true};
  {"op": "eigh"} / {"op": "eigvalsh"}
      runs numpy.linalg.eigh (values and vectors) or eigvalsh (values) on it; reply {"seconds", "min", "max"} with
      the time inside Python and the extreme eigenvalues (a check that both sides solved the same matrix).
  {"op": "dsytrd"}
      the blocked tridiagonal reduction alone (LAPACK dsytrd, lower, optimal lwork, through scipy.linalg.lapack on
      the same OpenBLAS; a copy of the matrix in Fortran order is made before the clock starts); reply {"seconds",
      "d0"} (d0 = T[0, 0]), or {"error"} when scipy is not importable.
  {"op": "matmul"}
      the matrix times itself (numpy's a @ a, OpenBLAS dgemm); reply {"seconds", "c00"} (c00 = (A·A)[0, 0]).
On start it replies {"ready": true, "numpy": version} or {"ready": false, "reason": ...} (numpy missing) and exits.
"""
import base64
import json
import sys
import time

from peer_io import reply

try:
    import numpy as np
except Exception as e:  # noqa: BLE001 - any import failure means: no peer
    reply({"ready": False, "reason": f"numpy not importable by {sys.executable}: {e}"})
    sys.exit(0)

reply({"ready": True, "numpy": np.__version__})

a = None
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "matrix":
        n = req["n"]
        a = np.frombuffer(base64.b64decode(req["data"]), dtype="<f8").reshape(n, n).copy()
        reply({"ok": True})
    elif req["op"] in ("eigh", "eigvalsh"):
        t0 = time.perf_counter()
        w = np.linalg.eigh(a)[0] if req["op"] == "eigh" else np.linalg.eigvalsh(a)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "min": float(w[0]), "max": float(w[-1])})
    elif req["op"] == "dsytrd":
        try:
            from scipy.linalg import lapack
        except Exception as e:  # noqa: BLE001 - any import failure means: no dsytrd peer
            reply({"error": f"scipy not importable by {sys.executable}: {e}"})
            continue
        af = np.array(a, order="F")  # overwritten in place (overwrite_a): no copy inside the clock
        lwork = int(lapack.dsytrd_lwork(a.shape[0], lower=1)[0])
        t0 = time.perf_counter()
        d = lapack.dsytrd(af, lower=1, lwork=lwork, overwrite_a=1)[1]
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "d0": float(d[0])})
    elif req["op"] == "matmul":
        t0 = time.perf_counter()
        c = a @ a
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "c00": float(c[0, 0])})
    else:
        reply({"error": f"unknown op {req['op']}"})
