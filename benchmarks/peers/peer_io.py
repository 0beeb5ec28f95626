"""The line protocol of the benchmark peers (benchmarks/lib/python-peer.js): one JSON reply per line on stdout, and
the first line saying whether torch can be imported."""
import json
import sys


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def import_torch():
    """torch, float64 by default; or reply {"ready": false, "reason"} and exit when it cannot be imported."""
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means: no peer
        reply({"ready": False, "reason": f"torch not importable by {sys.executable}: {e}"})
        sys.exit(0)
    torch.set_default_dtype(torch.float64)
    return torch
