"""Microseconds per training step (forward + backward + Adam) for three nets:

  A. 2-8-8-1 tanh, batch 10
  B. 2-8-8-8-8-8-8-1 tanh, batch 10
  C. 2-64-64-64-1 ReLU with batch norm and dropout 0.2, batch 128

for this engine (``Trainer.train_batch``, which also keeps a backup of the weights and checks them
for NaN/inf on every step), for a minimal hand-written NumPy loop of the same net (the book's
style: arrays in a dict, Adam per parameter as in Saito's ``common/optimizer.py``), and for
PyTorch CPU single-threaded (float64 like ours, when installed). Rounds of each are interleaved
so the ratios are measured under the same machine load.

Usage: OPENBLAS_NUM_THREADS=1 python benchmarks/engine_step.py [--rounds 7] [--steps 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

from playground.engine import Network, NetworkConfig, TrainConfig, TrainData, Trainer  # noqa: E402

NETS = {
    "A 2-8-8-1 tanh b10": dict(hidden=[8, 8], activation="tanh", batch=10, bn=False, dropout=0.0),
    "B 2-8x6-1 tanh b10": dict(hidden=[8] * 6, activation="tanh", batch=10, bn=False, dropout=0.0),
    "C 2-64x3-1 relu+BN+drop b128": dict(hidden=[64] * 3, activation="relu", batch=128, bn=True, dropout=0.2),
}


def make_batch(batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(batch, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64).reshape(-1, 1)
    return X, y


# -- this engine --------------------------------------------------------------------------------
def engine_stepper(spec):
    cfg = NetworkConfig(
        hidden=list(spec["hidden"]),
        activation=spec["activation"],
        init="xavier_normal",
        batch_norm="before" if spec["bn"] else "off",
        dropout=spec["dropout"],
        seed=0,
    )
    net = Network(cfg)
    X, y = make_batch(spec["batch"])
    trainer = Trainer(
        net,
        TrainData(X, y[:, 0]),
        TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=spec["batch"]),
    )
    t = net.loss.targets(y[:, 0])
    return lambda: trainer.train_batch(X, t)


# -- a minimal hand-written NumPy loop ---------------------------------------------------------------
def hand_stepper(spec):
    rng = np.random.default_rng(0)
    sizes = [2, *spec["hidden"], 1]
    P = {}
    for i in range(len(sizes) - 1):
        P[f"W{i}"] = rng.normal(0, np.sqrt(2 / (sizes[i] + sizes[i + 1])), size=(sizes[i], sizes[i + 1]))
        P[f"b{i}"] = np.zeros(sizes[i + 1])
        if spec["bn"] and i < len(sizes) - 2:
            P[f"g{i}"] = np.ones(sizes[i + 1])
            P[f"be{i}"] = np.zeros(sizes[i + 1])
    m = {k: np.zeros_like(v) for k, v in P.items()}
    v = {k: np.zeros_like(v) for k, v in P.items()}
    X, y = make_batch(spec["batch"])
    L = len(sizes) - 1
    relu = spec["activation"] == "relu"
    p_drop = spec["dropout"]
    state = {"t": 0}
    lr, b1, b2 = 1e-3, 0.9, 0.999

    def step():
        n = X.shape[0]
        cache = []
        h = X
        for i in range(L - 1):
            z = h @ P[f"W{i}"] + P[f"b{i}"]
            bn = None
            if spec["bn"]:
                mu = z.mean(axis=0)
                var = z.var(axis=0)
                inv = 1.0 / np.sqrt(var + 1e-5)
                zh = (z - mu) * inv
                bn = (zh, inv)
                z = zh * P[f"g{i}"] + P[f"be{i}"]
            a = np.maximum(z, 0) if relu else np.tanh(z)
            mask = None
            if p_drop:
                mask = (rng.random(a.shape) >= p_drop) / (1 - p_drop)
                a = a * mask
            cache.append((h, z, a, bn, mask))
            h = a
        out = h @ P[f"W{L - 1}"] + P[f"b{L - 1}"]
        loss = np.mean(np.maximum(out, 0) - out * y + np.log1p(np.exp(-np.abs(out))))
        dout = (1 / (1 + np.exp(-out)) - y) / n
        g = {f"W{L - 1}": h.T @ dout, f"b{L - 1}": dout.sum(axis=0)}
        da = dout @ P[f"W{L - 1}"].T
        for i in range(L - 2, -1, -1):
            h_in, z, a, bn, mask = cache[i]
            if mask is not None:
                da = da * mask
            dz = da * (z > 0) if relu else da * (1 - a * a)
            if bn is not None:
                zh, inv = bn
                g[f"g{i}"] = (dz * zh).sum(axis=0)
                g[f"be{i}"] = dz.sum(axis=0)
                dzh = dz * P[f"g{i}"]
                dz = inv / n * (n * dzh - dzh.sum(axis=0) - zh * (dzh * zh).sum(axis=0))
            g[f"W{i}"] = h_in.T @ dz
            g[f"b{i}"] = dz.sum(axis=0)
            da = dz @ P[f"W{i}"].T
        state["t"] += 1
        t = state["t"]
        lr_t = lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for k in P:
            m[k] += (1 - b1) * (g[k] - m[k])
            v[k] += (1 - b2) * (g[k] ** 2 - v[k])
            P[k] -= lr_t * m[k] / (np.sqrt(v[k]) + 1e-8)
        return loss

    return step


# -- PyTorch ------------------------------------------------------------------------------------------
def torch_stepper(spec):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    sizes = [2, *spec["hidden"], 1]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64))
        if i < len(sizes) - 2:
            if spec["bn"]:
                layers.append(torch.nn.BatchNorm1d(sizes[i + 1], dtype=torch.float64))
            layers.append(torch.nn.ReLU() if spec["activation"] == "relu" else torch.nn.Tanh())
            if spec["dropout"]:
                layers.append(torch.nn.Dropout(spec["dropout"]))
    model = torch.nn.Sequential(*layers).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    crit = torch.nn.BCEWithLogitsLoss()
    X, y = make_batch(spec["batch"])
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = crit(model(Xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def time_per_step(step, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args()
    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    print(
        f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
        f"torch {'installed' if has_torch else 'not installed'}; median of {args.rounds} rounds"
    )
    print(
        f"{'net':32s} {'engine µs':>10s} {'hand µs':>9s} {'torch µs':>9s} {'eng/hand':>9s} {'torch/eng':>10s}"
    )
    for name, spec in NETS.items():
        steppers = {"engine": engine_stepper(spec), "hand": hand_stepper(spec)}
        if has_torch:
            steppers["torch"] = torch_stepper(spec)
        steps = args.steps if spec["batch"] <= 10 else max(args.steps // 4, 100)
        for s in steppers.values():  # warm up
            time_per_step(s, steps // 10)
        samples = {k: [] for k in steppers}
        for _ in range(args.rounds):
            for k, s in steppers.items():
                samples[k].append(time_per_step(s, steps))
        med = {k: statistics.median(v) for k, v in samples.items()}
        t_torch = med.get("torch", float("nan"))
        print(
            f"{name:32s} {med['engine']:10.1f} {med['hand']:9.1f} {t_torch:9.1f} "
            f"{med['engine'] / med['hand']:9.2f} {t_torch / med['engine']:10.2f}"
        )


if __name__ == "__main__":
    main()
