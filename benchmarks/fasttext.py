"""The fastText lab's figures (issue 17). Prints; asserts nothing.

    OPENBLAS_NUM_THREADS=1 python benchmarks/fasttext.py
    FASTTEXT_093_PYTHON=/path/to/venv/bin/python python benchmarks/fasttext.py   # also fasttext 0.9.3

1. Training to the end with the page's defaults (wordNgrams 2, 2 000 000 buckets, dim 10, softmax,
   10 epochs, lr 0.5) on the shipped English and Chinese sets: seconds (goal ≤ 10 s) and held-out
   accuracy.
2. One SGD step (one example, as fastText trains): ours against PyTorch CPU (1 thread, float64:
   ``nn.EmbeddingBag(mode="mean")`` + a bias-free linear layer + cross-entropy, the same update),
   over one epoch of the training lines in order, in the same run. Both use only the rows that occur
   (ids remapped to a compact table).
3. One live tick of the page (training for the tick's budget, then the held-out metrics and the
   explanation of the example sentence, no Streamlit): ms.
4. The real fastText library on the same training and test lines and settings (thread 1): the
   installed ``fasttext`` module (fasttext-numpy2, a wheel of fastText's C++), and, with
   ``FASTTEXT_093_PYTHON``, ``fasttext`` 0.9.3 built from source in another environment.
5. The text CNN (Kim 2014, two channels) beside fastText on the same split: accuracy and s/epoch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from playground import limits  # noqa: E402
from playground.lessons.fasttext import (  # noqa: E402
    FastTextRun,
    Settings,
    Split,
    explain,
    negated_lines,
    shipped_lines,
)
from playground.lessons.textcnn import CNNRun  # noqa: E402

LIBRARY = """
import json, sys, time, fasttext
train, test, lr, epoch, ngrams, dim, bucket, loss = sys.argv[1:9]
t0 = time.perf_counter()
m = fasttext.train_supervised(input=train, lr=float(lr), epoch=int(epoch), wordNgrams=int(ngrams),
    dim=int(dim), bucket=int(bucket), loss=loss, thread=1, minCount=1, verbose=0)
seconds = time.perf_counter() - t0
n, p1, r1 = m.test(test)
print(json.dumps({"seconds": seconds, "accuracy": p1, "version": getattr(fasttext, "__version__", "?")}))
"""


def train_defaults(lang: str) -> FastTextRun:
    split = Split.make(shipped_lines(lang), seed=0)
    t0 = time.perf_counter()
    run = FastTextRun(split, Settings()).train_all()
    run.wall = time.perf_counter() - t0
    return run


def step_ms_ours(run: FastTextRun) -> float:
    m = run.model
    n = len(run.train.labels)
    t0 = time.perf_counter()
    for i in range(n):
        m.train_example(i)
    return 1e3 * (time.perf_counter() - t0) / n


def step_ms_torch(run: FastTextRun) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    keys = {int(k): i for i, k in enumerate(run.model.table.keys.tolist())}
    bags = [torch.tensor([keys[f] for f in feats]) for feats in run.train.features]
    labels = torch.tensor(run.train.labels)
    emb = torch.nn.EmbeddingBag(len(keys), run.model.dim, mode="mean", sparse=True).double()
    out = torch.nn.Linear(run.model.dim, run.model.n_labels, bias=False).double()
    torch.nn.init.zeros_(out.weight)
    lr = 0.5
    offsets = torch.tensor([0])
    t0 = time.perf_counter()
    for i, bag in enumerate(bags):
        emb.zero_grad()
        out.zero_grad()
        loss = torch.nn.functional.cross_entropy(out(emb(bag, offsets)), labels[i : i + 1])
        loss.backward()
        with torch.no_grad():
            emb.weight.add_(emb.weight.grad, alpha=-lr)
            out.weight.add_(out.weight.grad, alpha=-lr)
    return 1e3 * (time.perf_counter() - t0) / len(bags)


def tick_ms(lang: str, ticks: int = 20) -> tuple[float, float]:
    """(median ms of one tick, median ms of its training part)."""
    split = Split.make(shipped_lines(lang), seed=0)
    run = FastTextRun(split, Settings(epochs=50))
    sentence = "the soup was not good" if lang == "en" else "汤不好吃"
    totals, trains = [], []
    budget = limits.caps().tick_train_budget_s
    for _i in range(ticks):
        t0 = time.perf_counter()
        run.advance(budget_s=budget)
        t1 = time.perf_counter()
        run.test_metrics()
        run.accuracy_on(negated_lines(split.test))
        explain(run, sentence)
        totals.append(1e3 * (time.perf_counter() - t0))
        trains.append(1e3 * (t1 - t0))
    return float(np.median(totals)), float(np.median(trains))


def library(python: str, split: Split, s: Settings) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        train, test = Path(tmp, "train.txt"), Path(tmp, "test.txt")
        train.write_text("\n".join(split.train) + "\n", encoding="utf-8")
        test.write_text("\n".join(split.test) + "\n", encoding="utf-8")
        args = [
            str(train),
            str(test),
            str(s.lr),
            str(s.epochs),
            str(s.word_ngrams),
            str(s.dim),
            str(s.bucket),
        ]
        proc = subprocess.run(
            [python, "-c", LIBRARY, *args, "softmax"], capture_output=True, text=True, timeout=600
        )
        if proc.returncode:
            print("   library failed:", proc.stderr.strip().splitlines()[-1:] or proc.returncode)
            return None
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    print("fastText lab benchmark — load average", os.getloadavg()[0])
    print("\n1. Training to the end with the page's defaults (10 epochs)")
    runs = {}
    for lang in ("en", "zh"):
        run = train_defaults(lang)
        runs[lang] = run
        acc = run.test_metrics()["accuracy"]
        neg = run.accuracy_on(negated_lines(run.split.test))
        print(
            f"   {lang}: {run.wall:.2f} s (training {run.seconds:.2f} s), held-out accuracy {acc:.1%}, "
            f"negated lines {neg:.1%}, {run.model.table.size} stored rows of {run.dictionary.n_rows:,}"
        )

    print("\n2. One SGD step (one example), English set, same run")
    fresh = FastTextRun(runs["en"].split, Settings())
    ours = step_ms_ours(fresh)
    theirs = step_ms_torch(FastTextRun(runs["en"].split, Settings()))
    print(f"   ours {1e3 * ours:.1f} µs per step")
    if theirs is not None:
        print(
            f"   PyTorch CPU (1 thread, float64) {1e3 * theirs:.1f} µs per step; "
            f"ours/torch {ours / theirs:.2f}"
        )
    else:
        print("   PyTorch not installed")

    print("\n3. One live tick of the page (train for the budget, metrics, explanation)")
    for lang in ("en", "zh"):
        total, train = tick_ms(lang)
        print(f"   {lang}: {total:.1f} ms per tick, of which training {train:.1f} ms (median of 20)")

    print("\n4. The fastText library, same lines and settings (thread 1)")
    for lang in ("en", "zh"):
        run = runs[lang]
        lib = library(sys.executable, run.split, run.settings)
        ours_acc = run.test_metrics()["accuracy"]
        if lib:
            print(
                f"   {lang}: installed fasttext module: {lib['seconds']:.3f} s, "
                f"accuracy {lib['accuracy']:.1%}"
                f"  |  ours: {run.seconds:.2f} s, accuracy {ours_acc:.1%}"
            )
        other = os.environ.get("FASTTEXT_093_PYTHON")
        if other:
            lib = library(other, run.split, run.settings)
            if lib:
                print(
                    f"   {lang}: fasttext 0.9.3 (built from source): {lib['seconds']:.3f} s, "
                    f"accuracy {lib['accuracy']:.1%}"
                )

    print("\n5. The text CNN beside fastText (same split, 10 epochs)")
    for lang in ("en", "zh"):
        run = runs[lang]
        cnn = CNNRun(run.split.train, run.split.test, run.dictionary.labels, epochs=10)
        while not cnn.done:
            cnn.run_epoch()
        print(
            f"   {lang}: text CNN accuracy {cnn.history[-1]['test_acc']:.1%}, "
            f"{cnn.seconds / cnn.epochs:.3f} s/epoch "
            f"(+ {cnn.pretrain_seconds:.2f} s word2vec pre-training)  |  fastText "
            f"{run.test_metrics()['accuracy']:.1%}, {run.seconds / run.settings.epochs:.3f} s/epoch"
        )


if __name__ == "__main__":
    main()
