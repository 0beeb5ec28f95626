"""Copy the reference values the mlp tests use into test/fixtures/ (run from the repository root:
python3 packages/mlp/test/gen/make-fixtures.py /path/to/reference/embedding-public.json).

The reference file holds the four critical points of the tanh 1-3-1 net on x = linspace(-2, 2, 20), y = sin 2x,
computed independently at 50 digits with mpmath (Hessian eigenvalues by central differences of the analytic
gradient at 50 digits, cross-checked with a float64 complex-step Hessian). Only that case is copied, without the
embeddings (those belong to @losscape/embedding's fixtures).
"""
import json
import sys

src = sys.argv[1]
ref = json.load(open(src))
case = next(c for c in ref["cases"] if c["name"] == "tanh_1x3x1")
out = {
    "source": "reference embedding-public.json, case tanh_1x3x1 (mpmath, 50 digits)",
    "conventions": {k: ref["conventions"][k] for k in ("network", "parameter_order", "loss", "counts")},
    "widths": case["widths"],
    "activation": case["activation"],
    "data": {"x": case["data"]["x"], "y": case["data"]["y"], "target": case["data"]["target"]},
    "critical_points": [
        {
            "id": p["id"],
            "theta": [float(s) for s in p["theta_str"]],
            "loss": float(p["loss_str"]),
            "hessian_eigenvalues": p["hessian_eigenvalues"],
            "counts_neg_zero_pos": p["counts_neg_zero_pos"],
            "zero_tol": p["zero_tol"],
        }
        for p in case["critical_points"]
    ],
}
json.dump(out, open("packages/mlp/test/fixtures/tanh-1-3-1-critical-points.json", "w"), indent=1)
print("wrote", len(out["critical_points"]), "critical points")
