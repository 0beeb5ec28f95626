"""A network trained in PyTorch, as a user brings it to losscape: packages/io/test/fixtures/trained/ (run from the
repository root with Debian's Python: /usr/bin/python3 packages/io/test/gen/make-trained-mlp.py).

A 4-16-3 tanh MLP (131 parameters) is trained in float64 with Adam on three seeded Gaussian classes in 4-D (150
samples, cross-entropy), then written as
  - classifier.onnx         torch.onnx.export of the float64 nn.Sequential (Gemm + Tanh + Gemm),
  - classifier-f32.onnx     the same network exported in float32,
  - classifier.json         the data (x, integer labels), and PyTorch's float64 reference values at the trained
                            weights: the mean cross-entropy loss, its gradient in losscape's flat parameter order
                            (W¹ row-major, b¹, W², b²), the exact Hessian (torch.autograd.functional.hessian) and its
                            eigenvalues (numpy.linalg.eigvalsh), the logits of the first 5 samples.
The docs site's page "A PyTorch-trained network" (apps/docs/guide/pytorch.md) loads apps/docs/public/pytorch/
classifier.onnx (a copy) and classifier.json (the same without the Hessian), also written here.
"""
import copy
import json
import os

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
OUT = "packages/io/test/fixtures/trained"
os.makedirs(OUT, exist_ok=True)

# Three Gaussian classes in 4-D, 50 samples each, centres on a simplex of side ≈ 2.8.
centres = np.array([[1.5, 0, 0, 0.5], [-1, 1.2, 0, -0.5], [-0.5, -1.2, 0.8, 0]])
x = np.concatenate([c + 0.7 * rng.standard_normal((50, 4)) for c in centres])
labels = np.repeat(np.arange(3), 50)
perm = rng.permutation(150)
x, labels = x[perm], labels[perm]

net = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3)).double()
X = torch.tensor(x)
Y = torch.tensor(labels)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(600):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(net(X), Y)
    loss.backward()
    opt.step()

params = [p.detach().clone() for p in net.parameters()]  # W1 (16×4), b1, W2 (3×16), b2: losscape's order
shapes = [p.shape for p in params]
flat = torch.cat([p.reshape(-1) for p in params])


def risk(theta):
    W1, b1, W2, b2 = torch.split(theta, [s.numel() for s in shapes])
    h = torch.tanh(X @ W1.reshape(shapes[0]).T + b1)
    return nn.functional.cross_entropy(h @ W2.reshape(shapes[2]).T + b2, Y)


theta = flat.clone().requires_grad_(True)
R = risk(theta)
(g,) = torch.autograd.grad(R, theta)
H = torch.autograd.functional.hessian(risk, flat)
eig = np.linalg.eigvalsh(H.numpy())

torch.onnx.export(net, X[:1], f"{OUT}/classifier.onnx", input_names=["x"], output_names=["logits"],
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
logits5 = net(X[:5]).detach().tolist()
accuracy = (net(X).argmax(1) == Y).double().mean().item()
# A copy: .float() converts a module in place.
torch.onnx.export(copy.deepcopy(net).float(), X[:1].float(), f"{OUT}/classifier-f32.onnx", input_names=["x"],
                  output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)

ref = {
    "source": "packages/io/test/gen/make-trained-mlp.py (PyTorch %s, float64)" % torch.__version__,
    "widths": [4, 16, 3],
    "activation": "tanh",
    "loss": "cross-entropy",
    "x": x.tolist(),
    "labels": labels.tolist(),
    "reference": {
        "loss": R.item(),
        "gradient": g.tolist(),
        "hessian": H.reshape(-1).tolist(),
        "eigenvalues": eig.tolist(),
        "logits5": logits5,
        "accuracy": accuracy,
    },
}
with open(f"{OUT}/classifier.json", "w") as f:
    json.dump(ref, f)
DOCS = "apps/docs/public/pytorch"
os.makedirs(DOCS, exist_ok=True)
with open(f"{OUT}/classifier.onnx", "rb") as src, open(f"{DOCS}/classifier.onnx", "wb") as dst:
    dst.write(src.read())
del ref["reference"]["hessian"]
with open(f"{DOCS}/classifier.json", "w") as f:
    json.dump(ref, f)
print("loss %.6g, ‖∇R‖ %.3g, accuracy %.3f, eigenvalues %.3g … %.3g, negative %d" % (
    R.item(), g.norm().item(), ref["reference"]["accuracy"], eig[0], eig[-1], int((eig < -1e-9 * abs(eig).max()).sum())))
