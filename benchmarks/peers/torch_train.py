#!/usr/bin/env python3
"""PyTorch peer of benchmarks/suites/io-train.js: one epoch of minibatch SGD, float64, on ONE thread.

Started by the suite as a persistent subprocess (/usr/bin/python3 benchmarks/peers/torch_train.py, with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1 so that no BLAS thread pool starts); not run by hand.
Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "prepare", "n": 60000, "widths": [784, 400, 10], "activation": "tanh", "seed": 1}
      seeded data (x uniform in [0, 1), one class of 10 per row) and a network (nn.Linear layers, PyTorch's init);
  {"op": "epoch", "batch": 128, "lr": 0.01, "momentum": 0.9}
      one epoch: a fresh torch.randperm of the rows, one optimiser step per batch (the last one smaller) on the mean
      cross-entropy of the batch (nn.CrossEntropyLoss); before and after, the loss and accuracy over all rows (one
      forward pass each in chunks of 1024 rows, no gradient), as losscape's train computes for its history rows. Reply {"seconds", "loss", "accuracy", "steps"}.
On start it replies {"ready": true, "torch": version} or {"ready": false, "reason": ...} (torch missing) and exits.
"""
import json
import sys
import time

from peer_io import import_torch, reply

torch = import_torch()

torch.set_num_threads(1)
reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})

EVAL_ROWS = 1024  # rows per forward pass of the evaluation, as losscape's train


def evaluate(net, x, labels):
    """Mean cross-entropy and accuracy over all rows, in chunks of EVAL_ROWS rows, without gradients."""
    total, correct = 0.0, 0
    with torch.no_grad():
        for lo in range(0, x.shape[0], EVAL_ROWS):
            f = net(x[lo:lo + EVAL_ROWS])
            y = labels[lo:lo + EVAL_ROWS]
            total += torch.nn.functional.cross_entropy(f, y, reduction="sum").item()
            correct += (f.argmax(1) == y).sum().item()
    return total / x.shape[0], correct / x.shape[0]


state = {}
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "prepare":
        torch.manual_seed(req["seed"])
        widths = req["widths"]
        n = req["n"]
        x = torch.rand(n, widths[0], dtype=torch.float64)
        labels = torch.randint(0, widths[-1], (n,))
        act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[req["activation"]]
        layers = []
        for l in range(1, len(widths)):
            layers.append(torch.nn.Linear(widths[l - 1], widths[l]).double())
            if l < len(widths) - 1:
                layers.append(act())
        state = {"x": x, "labels": labels, "net": torch.nn.Sequential(*layers), "n": n}
        reply({"ok": True})
    elif req["op"] == "epoch":
        x, labels, net, n = state["x"], state["labels"], state["net"], state["n"]
        opt = torch.optim.SGD(net.parameters(), lr=req["lr"], momentum=req["momentum"])
        loss_fn = torch.nn.CrossEntropyLoss()
        b = req["batch"]
        t0 = time.perf_counter()
        start = evaluate(net, x, labels)  # the start row of losscape's history: loss and accuracy before the epoch
        perm = torch.randperm(n)
        steps = 0
        for lo in range(0, n, b):
            idx = perm[lo:lo + b]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), labels[idx])
            loss.backward()
            opt.step()
            steps += 1
        full, acc = evaluate(net, x, labels)
        reply({"seconds": time.perf_counter() - t0, "loss": full, "accuracy": acc, "steps": steps})
    else:
        reply({"error": f"unknown op {req['op']}"})
