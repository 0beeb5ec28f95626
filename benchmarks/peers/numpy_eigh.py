#!/usr/bin/env python3
"""numpy peer of benchmarks/suites/eigh.js, factor.js and svd.js: numpy.linalg.eigh / eigvalsh (LAPACK dsyevd / dsyevd
without vectors), numpy.linalg.cholesky (LAPACK dpotrf), numpy.linalg.qr (LAPACK dgeqrf and dorgqr),
numpy.linalg.svd (LAPACK dgesdd) and LAPACK dgetrf through numpy's OpenBLAS, on ONE thread.

Started by the suite as a persistent subprocess (/usr/bin/python3 benchmarks/peers/numpy_eigh.py, with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1 and OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset, so OpenBLAS
picks its kernels for the CPU it finds); not run by hand.
Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "matrix", "n": 1000, "cols": 1000, "data": "<base64 of n·cols little-endian float64, row-major>"}
      keeps the matrix (n rows; cols defaults to n: the other ops but svd and svdvals need it square); reply {"ok": true};
  {"op": "eigh"} / {"op": "eigvalsh"}
      runs numpy.linalg.eigh (values and vectors) or eigvalsh (values) on it; reply {"seconds", "min", "max"} with
      the time inside Python and the extreme eigenvalues (a check that both sides solved the same matrix).
  {"op": "dsytrd"} / {"op": "dstedc"} / {"op": "dormtr"}
      one stage of LAPACK's dsyevd alone, called through ctypes in liblapack.so.3 (the LAPACK numpy links: OpenBLAS's
      on Debian) with optimal workspace, its inputs copied before the clock starts: the blocked tridiagonal reduction
      of the matrix (dsytrd, lower), divide and conquer on that tridiagonal with eigenvectors (dstedc, compz = "I"),
      and the back-transformation of those eigenvectors by the reduction's reflectors (dormtr, left, no transpose);
      the reduction and the divide and conquer whose outputs the later stages start from are run once per matrix,
      beforehand. Reply {"seconds", "info"} (LAPACK's info, 0 on success), or {"error"} when the library or a
      routine is missing.
  {"op": "matmul"}
      the matrix times itself (numpy's a @ a, OpenBLAS dgemm); reply {"seconds", "c00"} (c00 = (A·A)[0, 0]).
  {"op": "cholesky"}
      the Cholesky factor of the (symmetric positive-definite) matrix (numpy.linalg.cholesky: LAPACK dpotrf through
      OpenBLAS); reply {"seconds", "l00"} (l00 = L[0, 0]).
  {"op": "qr"}
      the thin QR of the matrix (numpy.linalg.qr, mode "reduced": LAPACK dgeqrf, then dorgqr for Q, through
      OpenBLAS); reply {"seconds", "r00"} (r00 = R[0, 0]).
  {"op": "svd"}
      the thin SVD of the matrix with vectors (numpy.linalg.svd, full_matrices=False: LAPACK dgesdd, Golub–Kahan
      bidiagonalisation and divide and conquer, through OpenBLAS); reply {"seconds", "s0"} (s0 = σ₁).
  {"op": "svdvals"}
      its singular values only (numpy.linalg.svd, compute_uv=False: LAPACK dgesdd without vectors); reply as svd.
  {"op": "dgetrf"}
      LU with partial pivoting of the matrix by LAPACK dgetrf through ctypes (liblapack.so.3, as the stages above; a
      Fortran-order copy made before the clock starts); reply {"seconds", "info"}.
On start it replies {"ready": true, "numpy": version} or {"ready": false, "reason": ...} (numpy missing) and exits.
"""
import base64
import ctypes
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

# ---- LAPACK stages through ctypes (Fortran calling convention: every argument by reference, column-major arrays,
# the lengths of character arguments appended as size_t) -------------------------------------------------------------
_lapack = None


def lapack():
    global _lapack
    if _lapack is None:
        _lapack = ctypes.CDLL("liblapack.so.3")
    return _lapack


def _p(x):
    return x.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _int(v):
    return ctypes.byref(ctypes.c_int(v))


def _char(c):
    return ctypes.byref(ctypes.c_char(c.encode()))


_LEN1 = ctypes.c_size_t(1)


def _optimal(call):
    """Run `call(lwork)` as a workspace query (lwork = -1) and return the optimal size it wrote to work[0]."""
    query = np.empty(1)
    call(query, -1)
    return int(query[0])


def dsytrd(af):
    """Reduce af (Fortran order, lower triangle) in place; return (d, e, tau, info, seconds)."""
    n = af.shape[0]
    d, e, tau = np.empty(n), np.empty(max(n - 1, 1)), np.empty(max(n - 1, 1))
    info = ctypes.c_int()

    def call(work, lwork):
        lapack().dsytrd_(_char("L"), _int(n), _p(af), _int(n), _p(d), _p(e), _p(tau), _p(work), _int(lwork),
                         ctypes.byref(info), _LEN1)

    work = np.empty(_optimal(call))
    t0 = time.perf_counter()
    call(work, work.size)
    return d, e, tau, info.value, time.perf_counter() - t0


def dstedc(d, e):
    """Eigenvalues (into d) and eigenvectors of the tridiagonal (d, e); return (z, info, seconds)."""
    n = d.size
    z = np.empty((n, n), order="F")
    info = ctypes.c_int()
    iquery = np.empty(1, dtype=np.int32)

    def call(work, lwork, iwork=iquery, liwork=-1):
        lapack().dstedc_(_char("I"), _int(n), _p(d), _p(e), _p(z), _int(n), _p(work), _int(lwork),
                         iwork.ctypes.data_as(ctypes.POINTER(ctypes.c_int)), _int(liwork), ctypes.byref(info), _LEN1)

    work = np.empty(_optimal(call))
    iwork = np.empty(int(iquery[0]), dtype=np.int32)
    t0 = time.perf_counter()
    call(work, work.size, iwork, iwork.size)
    return z, info.value, time.perf_counter() - t0


def dormtr(af, tau, c):
    """c ← Q·c with Q the reflectors dsytrd left in af and tau; return (info, seconds)."""
    n = c.shape[0]
    info = ctypes.c_int()

    def call(work, lwork):
        lapack().dormtr_(_char("L"), _char("L"), _char("N"), _int(n), _int(n), _p(af), _int(n), _p(tau), _p(c), _int(n),
                         _p(work), _int(lwork), ctypes.byref(info), _LEN1, _LEN1, _LEN1)

    work = np.empty(_optimal(call))
    t0 = time.perf_counter()
    call(work, work.size)
    return info.value, time.perf_counter() - t0


_stages = {}


def stages_of(a):
    """The reduction of `a` and the divide and conquer on it, computed once per matrix (the three stage cases send the
    same one), that the timed stages copy."""
    if _stages.get("a") is None or not np.array_equal(_stages["a"], a):
        af = np.array(a, order="F")
        d, e, tau, _, _ = dsytrd(af)
        dz = d.copy()
        z, _, _ = dstedc(dz, e.copy())
        _stages.update(a=a, af=af, d=d, e=e, tau=tau, z=z)
    return _stages


def time_dgetrf(a):
    """LU with partial pivoting of a Fortran-order copy of `a` (made before the clock) by LAPACK dgetrf."""
    af = np.array(a, order="F")
    n = af.shape[0]
    ipiv = np.empty(n, dtype=np.int32)
    info = ctypes.c_int()
    t0 = time.perf_counter()
    lapack().dgetrf_(_int(n), _int(n), _p(af), _int(n), ipiv.ctypes.data_as(ctypes.POINTER(ctypes.c_int)), ctypes.byref(info))
    return time.perf_counter() - t0, info.value


def time_dsytrd(s):
    *_, info, seconds = dsytrd(np.array(s["a"], order="F"))
    return seconds, info


def time_dstedc(s):
    _, info, seconds = dstedc(s["d"].copy(), s["e"].copy())
    return seconds, info


def time_dormtr(s):
    info, seconds = dormtr(s["af"], s["tau"], np.array(s["z"], order="F"))
    return seconds, info


STAGES = {"dsytrd": time_dsytrd, "dstedc": time_dstedc, "dormtr": time_dormtr}

a = None
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "matrix":
        n = req["n"]
        a = np.frombuffer(base64.b64decode(req["data"]), dtype="<f8").reshape(n, req.get("cols", n)).copy()
        reply({"ok": True})
    elif req["op"] in ("eigh", "eigvalsh"):
        t0 = time.perf_counter()
        w = np.linalg.eigh(a)[0] if req["op"] == "eigh" else np.linalg.eigvalsh(a)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "min": float(w[0]), "max": float(w[-1])})
    elif req["op"] in STAGES:
        try:
            seconds, info = STAGES[req["op"]](stages_of(a))
        except (OSError, AttributeError) as e:  # liblapack.so.3, or the routine in it, not found
            reply({"error": f"LAPACK stage {req['op']}: {e}"})
            continue
        reply({"seconds": seconds, "info": info})
    elif req["op"] == "matmul":
        t0 = time.perf_counter()
        c = a @ a
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "c00": float(c[0, 0])})
    elif req["op"] == "dgetrf":
        try:
            seconds, info = time_dgetrf(a)
        except (OSError, AttributeError) as e:  # liblapack.so.3, or dgetrf in it, not found
            reply({"error": f"LAPACK dgetrf: {e}"})
            continue
        reply({"seconds": seconds, "info": info})
    elif req["op"] == "cholesky":
        t0 = time.perf_counter()
        l = np.linalg.cholesky(a)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "l00": float(l[0, 0])})
    elif req["op"] == "qr":
        t0 = time.perf_counter()
        q, r = np.linalg.qr(a)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "r00": float(r[0, 0])})
    elif req["op"] == "svd":
        t0 = time.perf_counter()
        u, sv, vt = np.linalg.svd(a, full_matrices=False)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "s0": float(sv[0])})
    elif req["op"] == "svdvals":
        t0 = time.perf_counter()
        sv = np.linalg.svd(a, compute_uv=False)
        seconds = time.perf_counter() - t0
        reply({"seconds": seconds, "s0": float(sv[0])})
    else:
        reply({"error": f"unknown op {req['op']}"})
