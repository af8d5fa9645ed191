"""Benchmark: a hyperparameter search of many small nets, batched vs. one by one vs. PyTorch.

100 trials x 100 epochs of a 2-8-8-1 tanh net on 400 training points of the circle problem (100 more
for validation), mini-batches of 10, SGD with a per-trial learning rate and L2 rate drawn log-uniformly.
Every trainer evaluates the training and validation loss once per epoch. Prints wall times::

    OPENBLAS_NUM_THREADS=1 python benchmarks/search_bench.py            # the full benchmark
    OPENBLAS_NUM_THREADS=1 python benchmarks/search_bench.py --trials 20 --epochs 20   # a quick look

Figures depend on the machine and on what else runs on it; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from playground.data.dataset import split_dataset  # noqa: E402
from playground.data.generators import make_dataset  # noqa: E402
from playground.engine import Network, NetworkConfig, TrainConfig, TrainData, Trainer  # noqa: E402
from playground.engine.population import Population  # noqa: E402


def make_problem(seed: int = 0):
    ds = make_dataset("circle", n_samples=1000, noise=25, seed=seed)
    split = split_dataset(ds, train_fraction=0.5, val_fraction=0.2, seed=seed)
    assert split.n_train == 400 and split.n_val == 100
    return TrainData(split.X_train, split.y_train, split.X_val, split.y_val)


def make_trials(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    lr = 10 ** rng.uniform(-3, 0, n)
    lam = 10 ** rng.uniform(-5, -1, n)
    return [
        {"learning_rate": float(a), "reg_rate": float(b), "regularization": "l2"}
        for a, b in zip(lr, lam, strict=True)
    ]


NET = NetworkConfig(n_inputs=2, hidden=[8, 8], activation="tanh", seed=0)
TRAIN = TrainConfig(optimizer="sgd", batch_size=10, seed=0)


def run_batched(data, trials, epochs, evaluate="every"):
    t0 = time.perf_counter()
    pop = Population(NET, data, TRAIN, trials)
    pop.run_epochs(epochs, evaluate=evaluate)
    dt = time.perf_counter() - t0
    return dt, np.array(pop.history["val_acc"][-1])


def run_single(data, trials, epochs):
    t0 = time.perf_counter()
    accs = []
    for settings in trials:
        cfg = TrainConfig.from_dict({**TRAIN.to_dict(), **settings})
        trainer = Trainer(Network(NET), data, cfg)
        trainer.run_epochs(epochs)
        accs.append(trainer.history[-1]["val_acc"])
    return time.perf_counter() - t0, np.array(accs)


def run_torch(data, trials, epochs):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(1)
    Xtr = torch.tensor(data.X_train, dtype=torch.float64)
    ytr = torch.tensor(np.asarray(data.y_train, dtype=np.float64)[:, None])
    Xva = torch.tensor(data.X_val, dtype=torch.float64)
    yva = torch.tensor(np.asarray(data.y_val, dtype=np.float64)[:, None])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    t0 = time.perf_counter()
    accs = []
    for k, settings in enumerate(trials):
        torch.manual_seed(k)
        model = torch.nn.Sequential(
            torch.nn.Linear(2, 8),
            torch.nn.Tanh(),
            torch.nn.Linear(8, 8),
            torch.nn.Tanh(),
            torch.nn.Linear(8, 1),
        ).double()
        weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
        biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
        opt = torch.optim.SGD(
            [{"params": weights, "weight_decay": settings["reg_rate"]}, {"params": biases}],
            lr=settings["learning_rate"],
        )
        gen = torch.Generator().manual_seed(0)
        n = len(Xtr)
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for s in range(0, n, 10):
                idx = perm[s : s + 10]
                opt.zero_grad()
                loss = loss_fn(model(Xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
            with torch.no_grad():
                loss_fn(model(Xtr), ytr)
                out = model(Xva)
                loss_fn(out, yva)
        accs.append(float(((out > 0).double() == yva).double().mean()))
    return time.perf_counter() - t0, np.array(accs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--no-single", action="store_true", help="skip the one-by-one engine run (slow)")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch run")
    ap.add_argument("--repeat", type=int, default=3, help="batched runs: best of this many")
    args = ap.parse_args()

    data = make_problem()
    trials = make_trials(args.trials)
    steps = args.trials * args.epochs * 40
    print(f"{args.trials} trials x {args.epochs} epochs, 2-8-8-1 tanh net, 400 training points, batch 10")
    print(
        f"({steps:,} SGD steps in all); Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )

    def row(label: str, seconds: float, note: str = "") -> None:
        print(f"  {label:<52s} {seconds:7.2f} s   {note}")

    # Batched runs are short: report the best of --repeat (the usual way to read through noise).
    runs = [run_batched(data, trials, args.epochs) for _ in range(args.repeat)]
    t_batched, acc_b = min(runs, key=lambda r: r[0])
    row("batched population trainer, evaluated every epoch", t_batched, "(like for like with the rows below)")
    runs = [run_batched(data, trials, args.epochs, evaluate="last") for _ in range(args.repeat)]
    t_last, acc_l = min(runs, key=lambda r: r[0])
    row(
        "batched, evaluated after the last epoch only",
        t_last,
        f"(what the search page does; same scores: {np.array_equal(acc_b, acc_l)})",
    )
    if not args.no_single:
        t_single, acc_s = run_single(data, trials, args.epochs)
        same = np.array_equal(acc_b, acc_s)
        row(
            "one by one, single-model engine (Trainer)",
            t_single,
            f"({t_single / t_batched:.1f}x the batched time; same scores: {same})",
        )
    if not args.no_torch:
        t_torch, _ = run_torch(data, trials, args.epochs)
        if t_torch is None:
            print("  one by one, PyTorch: not installed")
        else:
            import torch

            row(
                f"one by one, PyTorch {torch.__version__} (1 thread)",
                t_torch,
                f"({t_torch / t_batched:.1f}x the batched time)",
            )


if __name__ == "__main__":
    main()
