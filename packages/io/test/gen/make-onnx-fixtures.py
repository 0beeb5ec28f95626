#!/usr/bin/python3
"""ONNX fixtures of packages/io/src/onnx.test.ts, written into packages/io/test/fixtures/onnx/.

Run from the repository root, after `npm run build` (the last step runs the built writeOnnx):

    /usr/bin/python3 packages/io/test/gen/make-onnx-fixtures.py

Needs Debian's python3-torch (1.13.1), python3-onnx (1.12.0) and numpy (/usr/bin/python3, not a pyenv python).

1. Accepted networks: PyTorch nn.Sequential nets exported by torch.onnx.export, each as a float64 net (`<name>-f64`)
   and as the same net cast to float32 (`<name>-f32`), plus hand-built graphs (Gelu at opset 20, Gemm with
   transB = 0 and α, β ≠ 1, typed float_data/double_data instead of raw_data). For each, `<file>.json` holds the
   expected losscape model (widths, activation, output, bias, params in losscape's flat order) and PyTorch's float64
   references at those parameters: f(x), the mse loss R = 1/(2n)·Σ‖f(xᵢ) − yᵢ‖² (docs/conventions.md#losses),
   ∇R and H·v (double backward) for a fixed v. The references of a `-f32` file are evaluated in float64 on its
   float32 weights (exactly representable in float64), so they are what the float32 file means, evaluated exactly.
2. Refused graphs: Conv, BatchNormalization, a skip connection, weights used twice, a final Softmax, Dropout in
   training mode, tanh-approximated GELU, mixed bias, a final LeakyRelu with a non-default slope, external data, a
   wrong raw_data size. `manifest.json` lists them with the node or initializer their error must name.
3. losscape's own export: test/gen/write-onnx-export.mjs writes `losscape-export-*.onnx` with the built writeOnnx
   from the models in `losscape-export-*.model.json`; each file must pass onnx.checker.check_model (full_check) and
   a small numpy evaluation of its operators must reproduce the model's forward pass, computed here independently.
   The evaluation is stored (`losscape-export-*.json`) for the test to compare with mlp's forward.
"""
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "packages", "io", "test", "fixtures", "onnx")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(13)
N = 7  # samples in every data set


def export(net, x, **kw):
    """torch.onnx.export into bytes (opset 14, torch 1.13's default), checked with onnx.checker."""
    f = io.BytesIO()
    torch.onnx.export(net, x, f, input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, **kw)
    model = onnx.load_from_string(f.getvalue())
    onnx.checker.check_model(model, full_check=True)
    return model


def save(name, model, check=True):
    if check:
        onnx.checker.check_model(model)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as fh:
        fh.write(model.SerializeToString())


def write_json(name, obj):
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.write("\n")


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def references(net, x2d, x_in, y, v_seed):
    """f(x), R, ∇R and H·v of a float64 net at its parameters (losscape's flat order = net.parameters())."""
    params = list(net.parameters())
    f = net(x_in).reshape(x2d.shape[0], -1)
    loss = 0.5 * ((f - y) ** 2).sum() / x2d.shape[0]
    grads = torch.autograd.grad(loss, params, create_graph=True)
    g = flat(grads)
    gen = torch.Generator().manual_seed(v_seed)
    v = torch.randn(g.numel(), dtype=torch.float64, generator=gen)
    hv = flat(torch.autograd.grad((g * v).sum(), params))
    return {
        "f": f.detach().tolist(),
        "loss": loss.item(),
        "gradient": g.detach().tolist(),
        "v": v.tolist(),
        "hv": hv.tolist(),
    }


def float64_weights(net, zero_biases=()):
    """Redraw every Linear's parameters in float64, U(−1/√fan_in, 1/√fan_in) as PyTorch's default (which draws in
    float32: its values would be exact in float32 and the float32 file would equal the float64 one)."""
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for k, m in enumerate(linears):
            bound = 1 / math.sqrt(m.in_features)
            m.weight.uniform_(-bound, bound)
            if m.bias is not None:
                m.bias.uniform_(-bound, bound)
                if k in zero_biases:
                    m.bias.zero_()
    return net


def accepted(name, make, spec, d_in, input_shape=None, v_seed=1, zero_biases=()):
    """Export the net `make()` as float64 and float32 ONNX, with the JSON of references for each."""
    net64 = float64_weights(make().double().eval(), zero_biases)
    x2d = torch.randn(N, d_in, dtype=torch.float64)
    x_in = x2d if input_shape is None else x2d.reshape(N, *input_shape)
    d_out = spec["widths"][-1]
    y = torch.randn(N, d_out, dtype=torch.float64)
    for dtype in ("f64", "f32"):
        net = net64 if dtype == "f64" else make().float().eval()
        if dtype == "f32":
            net.load_state_dict({k: t.float() for k, t in net64.state_dict().items()})
        model = export(net, x_in if dtype == "f64" else x_in.float())
        save(f"{name}-{dtype}", model)
        # float64 references at the file's weights (the float32 ones are exact in float64).
        ref_net = make().double().eval()
        ref_net.load_state_dict({k: t.double() for k, t in net.state_dict().items()})
        params = flat([p.detach() for p in ref_net.parameters()])
        ref = references(ref_net, x2d, x_in, y, v_seed)
        write_json(f"{name}-{dtype}", {"file": f"{name}-{dtype}.onnx", "dtype": "float32" if dtype == "f32" else "float64",
                                        **spec, "params": params.tolist(), "x": x2d.tolist(), "y": y.tolist(), **ref})
    return net64, x2d, y


L = torch.nn.Linear
S = torch.nn.Sequential
MANIFEST = {"accepted": [], "refused": []}


def ok(name, *a, **kw):
    MANIFEST["accepted"] += [f"{name}-f64", f"{name}-f32"]
    return accepted(name, *a, **kw)


tanh_net, tanh_x, tanh_y = ok("tanh-3-5-2", lambda: S(L(3, 5), torch.nn.Tanh(), L(5, 2)),
                              {"widths": [3, 5, 2], "activation": "tanh", "output": "linear", "bias": True}, 3)
ok("relu-4-8-8-3", lambda: S(L(4, 8), torch.nn.ReLU(), L(8, 8), torch.nn.ReLU(), L(8, 3)),
   {"widths": [4, 8, 8, 3], "activation": "relu", "output": "linear", "bias": True}, 4)
ok("leaky-relu-3-6-2", lambda: S(L(3, 6), torch.nn.LeakyReLU(0.2), L(6, 2)),
   {"widths": [3, 6, 2], "activation": {"name": "leaky-relu", "slope": 0.2}, "output": "linear", "bias": True}, 3)
ok("sigmoid-3-5-2", lambda: S(L(3, 5), torch.nn.Sigmoid(), L(5, 2)),
   {"widths": [3, 5, 2], "activation": "sigmoid", "output": "linear", "bias": True}, 3)
ok("softplus-3-5-2", lambda: S(L(3, 5), torch.nn.Softplus(), L(5, 2)),
   {"widths": [3, 5, 2], "activation": "softplus", "output": "linear", "bias": True}, 3)
gelu_net, gelu_x, gelu_y = ok("gelu-3-5-2", lambda: S(L(3, 5), torch.nn.GELU(), L(5, 2)),
                              {"widths": [3, 5, 2], "activation": "gelu", "output": "linear", "bias": True}, 3)
ok("silu-3-5-2", lambda: S(L(3, 5), torch.nn.SiLU(), L(5, 2)),
   {"widths": [3, 5, 2], "activation": "silu", "output": "linear", "bias": True}, 3)
ok("no-bias-3-5-2", lambda: S(L(3, 5, bias=False), torch.nn.Tanh(), L(5, 2, bias=False)),
   {"widths": [3, 5, 2], "activation": "tanh", "output": "linear", "bias": False}, 3)
# A 3-D input (n × 1 × 3) makes torch export each Linear as MatMul + Add.
ok("matmul-add-3-5-2", lambda: S(L(3, 5), torch.nn.Tanh(), L(5, 2)),
   {"widths": [3, 5, 2], "activation": "tanh", "output": "linear", "bias": True}, 3, input_shape=(1, 3))
ok("flatten-6-5-2", lambda: S(torch.nn.Flatten(), L(6, 5), torch.nn.Tanh(), L(5, 2)),
   {"widths": [6, 5, 2], "activation": "tanh", "output": "linear", "bias": True}, 6, input_shape=(2, 3))
ok("sigmoid-output-3-5-2", lambda: S(L(3, 5), torch.nn.Tanh(), L(5, 2), torch.nn.Sigmoid()),
   {"widths": [3, 5, 2], "activation": "tanh", "output": "sigmoid", "bias": True}, 3)
ok("mixed-3-4-4-2", lambda: S(L(3, 4), torch.nn.Tanh(), L(4, 4), torch.nn.ReLU(), L(4, 2)),
   {"widths": [3, 4, 4, 2], "activation": ["tanh", "relu"], "output": "linear", "bias": True}, 3)


# Two equal (zero) biases: torch stores one initializer and names the other by an Identity node.
ok("equal-biases-4-8-8-3", lambda: S(L(4, 8), torch.nn.ReLU(), L(8, 8), torch.nn.ReLU(), L(8, 3)),
   {"widths": [4, 8, 8, 3], "activation": "relu", "output": "linear", "bias": True}, 4, zero_biases=(0, 1))


def hand_built(name, nodes, inits, d_in, d_out, opset=13, elem=TensorProto.DOUBLE, check=True):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", elem, ["n", d_in])],
                              [helper.make_tensor_value_info("y", elem, ["n", d_out])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make-onnx-fixtures.py")
    model.ir_version = 7 if opset <= 13 else 9
    save(name, model, check=check)
    return model


def reuse_references(name, src, **changes):
    """A hand-built file that computes the same network as the fixture `src`: its JSON with the file name changed."""
    with open(os.path.join(OUT, src + ".json")) as fh:
        obj = json.load(fh)
    obj.update(file=name + ".onnx", **changes)
    write_json(name, obj)
    MANIFEST["accepted"].append(name)


def tensor(name, array, raw=True, elem=TensorProto.DOUBLE):
    array = np.asarray(array, dtype=np.float64 if elem == TensorProto.DOUBLE else np.float32)
    if raw:
        return numpy_helper.from_array(array, name)
    return helper.make_tensor(name, elem, array.shape, array.reshape(-1).tolist(), raw=False)


def torch_weights(net, dtype=np.float64):
    ps = [p.detach().numpy().astype(dtype) for p in net.parameters()]
    return ps  # W1, b1, W2, b2


# Gelu as one node (opset 20; onnx 1.12's checker does not know it yet, so the file is not checked).
W1, b1, W2, b2 = torch_weights(gelu_net)
hand_built("gelu-opset20-3-5-2", [
    helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="gemm1", transB=1),
    helper.make_node("Gelu", ["z1"], ["h1"], name="gelu1"),
    helper.make_node("Gemm", ["h1", "W2", "b2"], ["y"], name="gemm2", transB=1),
], [tensor("W1", W1), tensor("b1", b1), tensor("W2", W2), tensor("b2", b2)], 3, 2, opset=20, check=False)
reuse_references("gelu-opset20-3-5-2", "gelu-3-5-2-f64")

# Gemm with transB = 0 (B = Wᵀ) and α = 2, β = 0.5: B = Wᵀ/2 and C = 2b are exact, so W = α·Bᵀ, b = β·C exactly.
W1, b1, W2, b2 = torch_weights(tanh_net)
hand_built("gemm-transb0-alpha-3-5-2", [
    helper.make_node("Gemm", ["x", "B1", "C1"], ["z1"], name="gemm1", alpha=2.0, beta=0.5),
    helper.make_node("Tanh", ["z1"], ["h1"], name="tanh1"),
    helper.make_node("Gemm", ["h1", "B2", "C2"], ["y"], name="gemm2", alpha=2.0, beta=0.5),
], [tensor("B1", W1.T / 2), tensor("C1", 2 * b1), tensor("B2", W2.T / 2), tensor("C2", 2 * b2)], 3, 2)
reuse_references("gemm-transb0-alpha-3-5-2", "tanh-3-5-2-f64")

# The weights in double_data / float_data instead of raw_data.
for dtype, elem, src in (("f64", TensorProto.DOUBLE, "tanh-3-5-2-f64"), ("f32", TensorProto.FLOAT, "tanh-3-5-2-f32")):
    W1, b1, W2, b2 = torch_weights(tanh_net, np.float64 if dtype == "f64" else np.float32)
    hand_built(f"typed-fields-3-5-2-{dtype}", [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="gemm1", transB=1),
        helper.make_node("Tanh", ["z1"], ["h1"], name="tanh1"),
        helper.make_node("Gemm", ["h1", "W2", "b2"], ["y"], name="gemm2", transB=1),
    ], [tensor(n, a, raw=False, elem=elem) for n, a in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))], 3, 2, elem=elem)
    reuse_references(f"typed-fields-3-5-2-{dtype}", src)


# ---------------------------------------------------------------------------------------------------------------
# Refused graphs: the manifest gives the fragment the error message must contain (the node, its op_type).

def refused(name, model, expect, check=True):
    save(name, model, check=check)
    MANIFEST["refused"].append({"file": name + ".onnx", "expect": expect})


class Skip(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = L(3, 5), L(5, 5), L(5, 2)

    def forward(self, x):
        h = torch.tanh(self.l1(x))
        return self.l3(torch.tanh(self.l2(h)) + h)


x3 = torch.randn(N, 3)
shared = L(5, 5)
refused("refused-conv", export(S(torch.nn.Conv1d(1, 2, 2), torch.nn.Flatten(), L(4, 2)), torch.randn(N, 1, 3)), "'/0/Conv' (op_type Conv)")
refused("refused-batchnorm", export(S(L(3, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), L(5, 2)).eval(), x3),
        "'/1/BatchNormalization' (op_type BatchNormalization)")
refused("refused-skip", export(Skip(), x3), "(op_type Add)")
refused("refused-shared-weights", export(S(L(3, 5), torch.nn.Tanh(), shared, torch.nn.Tanh(), shared, torch.nn.Tanh(), L(5, 2)), x3),
        "shared weights")
refused("refused-softmax", export(S(L(3, 5), torch.nn.Tanh(), L(5, 2), torch.nn.Softmax(dim=1)), x3), "'/3/Softmax' (op_type Softmax)")
refused("refused-dropout-training", export(S(L(3, 5), torch.nn.Dropout(0.5), torch.nn.ReLU(), L(5, 2)), x3,
                                           training=torch.onnx.TrainingMode.TRAINING), "'/1/Dropout' (op_type Dropout)")
refused("refused-gelu-tanh", export(S(L(3, 5), torch.nn.GELU(approximate="tanh"), L(5, 2)), x3), "(op_type Mul)")
refused("refused-mixed-bias", export(S(L(3, 5), torch.nn.Tanh(), L(5, 2, bias=False)), x3), "layer 2 (node '/2/MatMul' (op_type MatMul)) has no bias")
refused("refused-leaky-relu-output", export(S(L(3, 5), torch.nn.Tanh(), L(5, 2), torch.nn.LeakyReLU(0.2)), x3),
        "'/3/LeakyRelu' (op_type LeakyRelu)")

# External data: the first weight points into a file next to the model.
model = onnx.load(os.path.join(OUT, "tanh-3-5-2-f64.onnx"))
w = model.graph.initializer[0]
w.ClearField("raw_data")
w.data_location = TensorProto.EXTERNAL
w.external_data.add(key="location", value="weights.bin")
refused("refused-external-data", model, "external data (in 'weights.bin')", check=False)
# A raw_data one entry short.
model = onnx.load(os.path.join(OUT, "tanh-3-5-2-f64.onnx"))
model.graph.initializer[0].raw_data = model.graph.initializer[0].raw_data[:-8]
refused("refused-wrong-size", model, f"the initializer '{model.graph.initializer[0].name}' has 112 bytes of raw_data; expected 120", check=False)


# ---------------------------------------------------------------------------------------------------------------
# losscape's own export, checked here.

def activation(a, z):
    name = a if isinstance(a, str) else a["name"]
    if name == "linear":
        return z
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky-relu":
        return np.where(z > 0, z, (0.01 if isinstance(a, str) else a["slope"]) * z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    if name == "gelu":
        return z * 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    if name == "silu":
        return z / (1 + np.exp(-z))
    if name == "quadratic":
        return z * z
    if name == "sin":
        return np.sin(z)
    raise ValueError(name)


def losscape_forward(m, x):
    """The network of a losscape model (docs/conventions.md#networks), from its flat parameters."""
    widths, p, at = m["widths"], np.asarray(m["params"], dtype=np.float64), 0
    L_ = len(widths) - 1
    acts = m["activation"] if isinstance(m["activation"], list) else [m["activation"]] * (L_ - 1)
    h = x
    for l in range(L_):
        W = p[at:at + widths[l + 1] * widths[l]].reshape(widths[l + 1], widths[l])
        at += W.size
        z = h @ W.T
        if m.get("bias", True):
            z = z + p[at:at + widths[l + 1]]
            at += widths[l + 1]
        h = activation(acts[l] if l < L_ - 1 else m.get("output", "linear"), z)
    return h


def evaluate_onnx(model, x):
    """A numpy evaluation of the operators writeOnnx writes, in float64 (float32 weights are cast up exactly)."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = [env[i] for i in n.input]
        attrs = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        op = n.op_type
        if op == "Gemm":
            assert attrs.get("transA", 0) == 0
            B = a[1].T if attrs.get("transB", 0) == 1 else a[1]
            r = attrs.get("alpha", 1.0) * (a[0] @ B)
            if len(a) > 2:
                r = r + attrs.get("beta", 1.0) * a[2]
        elif op == "Relu":
            r = np.maximum(a[0], 0)
        elif op == "Tanh":
            r = np.tanh(a[0])
        elif op == "Sigmoid":
            r = 1 / (1 + np.exp(-a[0]))
        elif op == "Softplus":
            r = np.log1p(np.exp(a[0]))
        elif op == "LeakyRelu":
            # alpha is a float32 attribute: read as the shortest decimal that rounds to it, as readOnnx does (0.2 for
            # float32(0.2) = 0.20000000298…; a runtime that uses the float32 itself differs by ~1e-8 relative).
            r = np.where(a[0] >= 0, a[0], float(repr(np.float32(attrs.get("alpha", 0.01)))) * a[0])
        elif op == "Sin":
            r = np.sin(a[0])
        elif op == "Erf":
            r = np.vectorize(math.erf)(a[0])
        elif op == "Div":
            r = a[0] / a[1]
        elif op == "Add":
            r = a[0] + a[1]
        elif op == "Mul":
            r = a[0] * a[1]
        else:
            raise ValueError(f"evaluate_onnx: {op}")
        env[n.output[0]] = r
    return env[model.graph.output[0].name]


rng = np.random.default_rng(13)
EXPORTS = {
    "losscape-export-a": {"widths": [3, 4, 4, 4, 4, 4, 4, 2], "activation": ["tanh", "relu", {"name": "leaky-relu", "slope": 0.2}, "gelu", "silu", "sin"],
                          "output": "sigmoid", "bias": True, "loss": "mse"},
    "losscape-export-b": {"widths": [2, 3, 3, 2], "activation": ["softplus", "quadratic"], "output": "linear", "bias": False,
                          "loss": "cross-entropy", "l2": 0.001},
}
for name, spec in EXPORTS.items():
    w = spec["widths"]
    count = sum(w[i] * w[i + 1] + (w[i + 1] if spec["bias"] else 0) for i in range(len(w) - 1))
    model = {"format": "losscape.mlp/1", **spec, "params": (rng.standard_normal(count) * 0.8).tolist()}
    write_json(name + ".model", model)
    MANIFEST.setdefault("exports", []).append(name)

subprocess.run(["node", os.path.join(ROOT, "packages", "io", "test", "gen", "write-onnx-export.mjs")], check=True)

for name in MANIFEST["exports"]:
    with open(os.path.join(OUT, name + ".model.json")) as fh:
        m = json.load(fh)
    x = rng.standard_normal((N, m["widths"][0]))
    for dtype in ("f64", "f32"):
        model = onnx.load(os.path.join(OUT, f"{name}-{dtype}.onnx"))
        onnx.checker.check_model(model, full_check=True)
        y_onnx = evaluate_onnx(model, x)
        m_eval = dict(m)
        if dtype == "f32":  # the file's weights are the float32 roundings of the model's
            m_eval["params"] = np.asarray(m["params"], dtype=np.float32).astype(np.float64).tolist()
        y_model = losscape_forward(m_eval, x)
        err = np.max(np.abs(y_onnx - y_model) / np.maximum(np.abs(y_model), 1e-300))
        # float64: the same sums in another order, 1e-13. float32: the file's constants are float32 too, and the Erf
        # form of gelu divides by float32(√2) = √2·(1 + 1.7e-8), so outputs move by up to ~1e-8 relative.
        assert err < (1e-13 if dtype == "f64" else 1e-7), (name, dtype, err)
        write_json(f"{name}-{dtype}", {"file": f"{name}-{dtype}.onnx", "x": x.tolist(), "y_onnx": y_onnx.tolist(), "max_rel_diff_to_model": err})
        print(f"{name}-{dtype}: onnx.checker ok, numpy evaluation vs the model's forward: max rel diff {err:.2e}")

write_json("manifest", MANIFEST)
print(f"wrote {len(MANIFEST['accepted'])} accepted, {len(MANIFEST['refused'])} refused, {2 * len(MANIFEST['exports'])} exported files to {OUT}")
