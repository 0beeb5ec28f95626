"""Minibatch training runs of PyTorch as references for mlp's `train` (run from the repository root:
/usr/bin/python3 packages/mlp/test/gen/make-torch-train-fixtures.py), written to
packages/mlp/test/fixtures/torch-train.json.

Each run: a 3-5-4 network (nn.Linear layers, tanh hidden, linear output) in float64 on 23 seeded rows, trained for
3 epochs with the rows in their order (shuffle off: losscape's shuffle RNG is its own), batches of 5 (the last of
3 rows), one optimiser step per batch on nn.CrossEntropyLoss (the mean over the batch) or on MSE written as
losscape's R = 1/(2b) Σ‖f − y‖². Optimisers: torch.optim.SGD (momentum 0.9, with and without Nesterov) and
torch.optim.Adam (betas 0.9, 0.999, eps 1e-8). The fixture holds the initial parameters in losscape's flat order
(W¹ row-major, b¹, W², b²: PyTorch's own), the data, every batch loss and the final parameters.
"""
import json

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def flat(net):
    return [float(v) for p in net.parameters() for v in p.detach().reshape(-1)]


def run(loss, optimizer, nesterov=False):
    torch.manual_seed(5)
    n, widths = 23, [3, 5, 4]
    x = torch.randn(n, widths[0])
    if loss == "cross-entropy":
        labels = torch.randint(0, widths[-1], (n,))
        y = torch.nn.functional.one_hot(labels, widths[-1]).double()
    else:
        y = torch.randn(n, widths[-1])
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4))
    start = flat(net)
    if optimizer == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=nesterov)
        options = {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": nesterov}
    else:
        opt = torch.optim.Adam(net.parameters(), lr=0.02, betas=(0.9, 0.999), eps=1e-8)
        options = {"optimizer": "adam", "lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    batch, losses = 5, []
    for _ in range(3):
        for lo in range(0, n, batch):
            opt.zero_grad()
            f = net(x[lo:lo + batch])
            if loss == "cross-entropy":
                r = torch.nn.functional.cross_entropy(f, labels[lo:lo + batch])
            else:
                r = 0.5 * ((f - y[lo:lo + batch]) ** 2).sum() / f.shape[0]
            r.backward()
            opt.step()
            losses.append(r.item())
    return {
        "loss": loss,
        "options": {**options, "batchSize": batch, "epochs": 3, "shuffle": False},
        "x": x.reshape(-1).tolist(),
        "y": y.reshape(-1).tolist(),
        "start": start,
        "batchLosses": losses,
        "final": flat(net),
    }


runs = [run("cross-entropy", "sgd"), run("cross-entropy", "sgd", nesterov=True), run("mse", "sgd"), run("cross-entropy", "adam")]
out = {"source": f"packages/mlp/test/gen/make-torch-train-fixtures.py, torch {torch.__version__}, float64", "widths": [3, 5, 4], "activation": "tanh", "runs": runs}
with open("packages/mlp/test/fixtures/torch-train.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
