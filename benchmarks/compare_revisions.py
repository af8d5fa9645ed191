"""Before and after, in one run: the engine of another git revision against this working tree.

Measures µs per training step (``Trainer.train_batch``: forward, backward, Adam, backup and NaN check)
for the nets of ``engine_step.py`` and the wall time of ``search_bench.py``'s batched search (100
trials x 100 epochs) and of the same trials one by one, for both trees. Each measurement runs in a
fresh subprocess, the two trees alternating round by round (so machine load hits both alike); the
medians and the after/before ratios are printed::

    OPENBLAS_NUM_THREADS=1 python benchmarks/compare_revisions.py 9cc7ef1 [--rounds 5]

The other revision is exported with ``git archive`` into a temporary folder. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEP = r"""
import json, time, numpy as np
from playground.engine import Network, NetworkConfig, TrainConfig, TrainData, Trainer
NETS = {
    "A 2-8-8-1 tanh b10": dict(hidden=[8, 8], activation="tanh", batch=10, bn="off", dropout=0.0),
    "B 2-8x6-1 tanh b10": dict(hidden=[8] * 6, activation="tanh", batch=10, bn="off", dropout=0.0),
    "C 2-64x3-1 relu+BN+drop b128": dict(
        hidden=[64] * 3, activation="relu", batch=128, bn="before", dropout=0.2
    ),
}
out = {}
for name, s in NETS.items():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(s["batch"], 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    net = Network(NetworkConfig(hidden=s["hidden"], activation=s["activation"], batch_norm=s["bn"],
                                dropout=s["dropout"], seed=0))
    cfg = TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=s["batch"])
    t = Trainer(net, TrainData(X, y), cfg)
    T = net.loss.targets(y)
    steps = 300 if s["batch"] > 100 else 1500
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            t.train_batch(X, T)
        best = min(best, (time.perf_counter() - t0) / steps * 1e6)
    out[name] = best
print(json.dumps(out))
"""

SEARCH = r"""
import json, sys, time
sys.path.insert(0, "benchmarks")
import search_bench as sb
from playground.engine import Network, Trainer
from playground.engine.population import Population
data = sb.make_problem()
trials = sb.make_trials(100)
t0 = time.perf_counter()
pop = Population(sb.NET, data, sb.TRAIN, trials)
pop.run_epochs(100)
batched = time.perf_counter() - t0
t0 = time.perf_counter()
pop = Population(sb.NET, data, sb.TRAIN, trials)
pop.run_epochs(100, evaluate="last")
batched_last = time.perf_counter() - t0
t0 = time.perf_counter()
for tr in trials[:20]:
    import dataclasses
    cfg = dataclasses.replace(sb.TRAIN, **tr)
    Trainer(Network(sb.NET), data, cfg).run_epochs(100)
one_by_one = (time.perf_counter() - t0) * 5  # 20 of the 100 trials, scaled
print(json.dumps({"batched search s": batched, "batched, scored at the end s": batched_last,
                  "one by one s (20 x 5)": one_by_one}))
"""


def run(tree: Path, code: str) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("revision", help="the 'before' git revision, e.g. 9cc7ef1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", choices=("step", "search"), help="measure only the step or the search")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        before.mkdir()
        archive = subprocess.run(["git", "archive", args.revision], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
        trees = {"before": before, "after": ROOT}
        results: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        for r in range(args.rounds):
            order = ["before", "after"] if r % 2 == 0 else ["after", "before"]
            for which in order:
                codes = {"step": (STEP,), "search": (SEARCH,)}.get(args.only, (STEP, SEARCH))
                for code in codes:
                    for k, v in run(trees[which], code).items():
                        results[which].setdefault(k, []).append(v)
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"before = {args.revision}, after = working tree; median of {args.rounds} alternating rounds")
    print(f"{'measure':38} {'before':>10} {'after':>10} {'after/before':>13}  spread after")
    for k in results["before"]:
        b, a = statistics.median(results["before"][k]), statistics.median(results["after"][k])
        spread = f"{min(results['after'][k]):.1f}–{max(results['after'][k]):.1f}"
        unit = "" if k.endswith(" s") or " s " in k else " µs"
        print(f"{k + unit:38} {b:10.2f} {a:10.2f} {a / b:13.3f}  {spread}")
    for which in ("before", "after") if args.only != "step" else ():
        batched = statistics.median(results[which]["batched search s"])
        last = statistics.median(results[which]["batched, scored at the end s"])
        single = statistics.median(results[which]["one by one s (20 x 5)"])
        print(
            f"{which}: batched search {single / batched:.1f}x faster than one by one "
            f"({single / last:.1f}x scoring only the last epoch, as the search page does)"
        )


if __name__ == "__main__":
    main()
