#!/usr/bin/python3
"""ONNX fixtures of packages/io/src/onnx-reshape.test.ts, written into packages/io/test/fixtures/onnx/reshape/.

Run from the repository root:

    /usr/bin/python3 packages/io/test/gen/make-onnx-reshape-fixtures.py

Needs Debian's python3-torch (1.13.1), python3-onnx (1.12.0) and numpy (/usr/bin/python3, not a pyenv python).

Networks written as a custom nn.Module whose forward flattens its input the way PyTorch code usually does,
`x.view(x.size(0), -1)` or `x.reshape(-1, d)`, then applies Linear layers. torch.onnx.export writes the flattening
as a Reshape: to a constant shape ([4, -1] with the export's batch size baked in, or [-1, d]), or, with a dynamic
batch axis, to a shape computed from the input by Shape → Gather → Unsqueeze → Concat. Each `<name>.onnx` comes with
`<name>.json`: the parameters in losscape's flat order [W¹, b¹, W², b²], and PyTorch's float64 outputs f(x) on
inputs x of shape (n, 3, 4), given flattened row by row (n × 12).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "packages", "io", "test", "fixtures", "onnx", "reshape")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)


class ViewNet(nn.Module):
    """12 → 6 (relu) → 3 on inputs (n, 3, 4), flattened by x.view(x.size(0), -1)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


class ReshapeNet(ViewNet):
    """The same, flattened by x.reshape(-1, 12)."""

    def forward(self, x):
        x = x.reshape(-1, 12)
        return self.fc2(F.relu(self.fc1(x)))


def write(name, net, opset, dynamic):
    net = net.double()
    x = torch.randn(4, 3, 4, dtype=torch.float64)
    kw = dict(opset_version=opset, input_names=["input"], output_names=["output"])
    if dynamic:
        kw["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(net, x, os.path.join(OUT, f"{name}.onnx"), **kw)
    with torch.no_grad():
        f = net(x)
    params = [v for k in ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] for v in net.state_dict()[k].flatten().tolist()]
    with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
        json.dump({"file": f"{name}.onnx", "widths": [12, 6, 3], "params": params, "x": x.reshape(4, 12).tolist(), "f": f.tolist()}, fh, indent=1)


write("view-dynamic-opset13", ViewNet(), 13, True)
write("view-dynamic-opset9", ViewNet(), 9, True)
write("view-static-opset13", ViewNet(), 13, False)
write("reshape-static-opset17", ReshapeNet(), 17, False)
