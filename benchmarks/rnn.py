"""The recurrent-networks lab's figures (printed, never asserted).

1. ms per training step (forward, backward, clipping, Adam) of the page's default model — memory
   task, LSTM, 32 units, 22 steps, batches of 32, an embedding of 8 — and of the page's default
   English character model (``lab.default_setup("text_en")``, 63 characters) in this engine, and the
   same models in PyTorch on the CPU (1 thread, float64) in the same run; the median of several
   rounds (without the periodic scoring on held-out data).
2. ms per live tick besides training: the probe (gradients per step, connectivity, states) and, for
   text, a 160-character sample.
3. ``--browser``: the page in headless Chromium for 20 s while playing: how often the update
   counter on screen changes (visible updates per second; target ≥ 5) and the model's updates per
   second.
4. ``--text [SECONDS]`` (or ``--text-updates N``): the page's English default trained for that long:
   held-out bits per character as it goes, the time it took to get below 2.2 and below 2.0 bits
   (``--decay N``: the learning rate decayed over N updates instead, e.g. what fits in 60 s).
5. ``--race``: the memory task's race at 30 distractors for seeds 0, 1, 2 (accuracy after 1 500
   updates per cell).

    OPENBLAS_NUM_THREADS=1 python benchmarks/rnn.py [--browser] [--text 60] [--text-updates N] [--race]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.lessons import rnn as lab  # noqa: E402


def median_ms(fn, rounds: int = 7, reps: int = 10) -> float:
    fn()
    times = []
    for _r in range(rounds):
        t0 = time.perf_counter()
        for _i in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps * 1000)
    return statistics.median(times)


def ours(setup: lab.Setup) -> tuple[float, lab.Run]:
    run = lab.Run(setup)
    run.eval_every = 10**9  # the step alone
    return median_ms(lambda: run.train(1)), run


def torch_step(setup: lab.Setup, run: lab.Run) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    V = run.spec.layers[0]["vocab"]
    E = run.spec.layers[0]["dim"]
    out = run.spec.layers[-1]["units"]
    text = setup.is_text

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(V, E)
            self.rnn = torch.nn.LSTM(E, setup.hidden, batch_first=True)
            self.out = torch.nn.Linear(setup.hidden, out)

        def forward(self, x, h=None):
            y, h = self.rnn(self.emb(x), h)
            return self.out(y if text else y[:, -1]), h

    model = Model().double()
    opt = torch.optim.Adam(model.parameters(), lr=setup.lr)
    state = {"h": None}
    x, y = run._batch()  # the same batch shapes as the engine trains
    xt, yt = torch.tensor(x), torch.tensor(y)

    def step():
        opt.zero_grad()
        logits, h = model(xt, state["h"])
        state["h"] = tuple(v.detach() for v in h) if text else None
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, out), yt.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), setup.clip)
        opt.step()

    return median_ms(step)


def browser(seconds: float = 20.0) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    pattern = re.compile(r"^(\d[\d,]*) updates ·")
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/recurrent", wait_until="domcontentloaded")
        counter = page.get_by_text(pattern).first
        counter.wait_for(timeout=60_000)
        page.wait_for_timeout(3000)
        seen, t0 = [], time.time()
        while time.time() - t0 < seconds:
            try:
                m = pattern.match(counter.inner_text(timeout=2000).strip())
            except Exception:  # noqa: BLE001 (the element is being replaced)
                m = None
            if m:
                n = int(m.group(1).replace(",", ""))
                if not seen or seen[-1][1] != n:
                    seen.append((time.time(), n))
            page.wait_for_timeout(20)
        span = seen[-1][0] - seen[0][0] if len(seen) > 1 else float("nan")
        changes = len(seen) - 1
        print(
            f"browser: {changes / span:.1f} visible updates/s over {span:.1f} s; "
            f"{(seen[-1][1] - seen[0][1]) / span:.0f} model updates/s (default model, 1440×900)"
        )
        b.close()


def text(seconds: float, updates: int, decay: int | None = None) -> None:
    """The page's English default (``lab.default_setup("text_en")``) trained for ``seconds`` of wall
    time or ``updates`` updates: bits per character on the whole held-out 5 % after every
    TEXT_EVAL_EVERY updates, when it first went below 2.2 and 2.0 (the scoring's own time counted
    in), and a sample. ``decay``: another length of the learning rate's decay than the default's
    (e.g. what fits in the seconds given)."""
    setup = lab.default_setup("text_en")
    if decay is not None:
        setup = replace(setup, decay=decay)
    run = lab.Run(setup)
    print(
        f"text: {setup.cell.upper()} {setup.hidden}, embedding {lab.TEXT_EMBED}, {setup.bptt}-character "
        f"chunks, batches of {setup.batch}, Adam {setup.lr} with a cosine decay over {setup.decay} "
        f"updates, clipping at {setup.clip}; held-out {len(run.val_ids):,} characters "
        f"({run.val_streams} streams); {f'{seconds:.0f} s' if seconds else f'{updates} updates'}",
        flush=True,
    )
    goals: dict[float, tuple[float, int]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    while (run.updates < updates) if updates else (time.perf_counter() - t0 < seconds):
        run.train(lab.TEXT_EVAL_EVERY, budget_s=(seconds - (time.perf_counter() - t0)) if seconds else None)
        if run.history[-1]["update"] != run.updates:
            run.evaluate()
        wall, bits = time.perf_counter() - t0, run.history[-1]["bits_per_char"]
        for goal in (2.2, 2.0):
            if bits < goal and goal not in goals:
                goals[goal] = (wall, run.updates)
        if run.updates % 500 == 0:
            train = run.history[-1].get("train_bits", float("nan"))
            print(
                f"  {run.updates} updates, {wall:.0f} s: held-out {bits:.3f} bits/char, training {train:.3f}",
                flush=True,
            )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    reached = "; ".join(
        f"< {g}: " + (f"after {goals[g][0]:.0f} s ({goals[g][1]} updates)" if g in goals else "not reached")
        for g in (2.2, 2.0)
    )
    print(
        f"text: {run.history[-1]['bits_per_char']:.3f} bits/char held-out after {run.updates} updates, "
        f"{wall:.0f} s ({cpu:.0f} s CPU, load {os.getloadavg()[0]:.1f}); {reached}"
    )
    print("sample (τ 0.7):", repr(run.sample(200, 0.7, seed=1)))


def race() -> None:
    for seed in (0, 1, 2):
        r = lab.Race(seed=seed)
        t0 = time.perf_counter()
        r.train(1500)
        acc = {c: round(run.history[-1]["accuracy"], 3) for c, run in r.runs.items()}
        print(f"race seed {seed}: {acc} ({time.perf_counter() - t0:.0f} s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--browser", action="store_true")
    ap.add_argument("--text", type=float, nargs="?", const=60.0, default=0.0)
    ap.add_argument("--text-updates", type=int, default=0)
    ap.add_argument("--decay", type=int, default=None, help="--text: decay over this many updates")
    ap.add_argument("--race", action="store_true")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    text_setup = lab.default_setup("text_en")
    for name, setup in (
        ("memory task, LSTM 32, 22 steps", lab.Setup()),
        (f"English text, LSTM {text_setup.hidden}, {text_setup.bptt} chars × {text_setup.batch}", text_setup),
    ):
        ms, run = ours(setup)
        theirs = torch_step(setup, run)
        vs = f"PyTorch {theirs:.2f} ms ({ms / theirs:.1f}×)" if theirs else "PyTorch not installed"
        probe = median_ms(run.probe, rounds=5, reps=3)
        extra = (
            f", sample of 160 chars {median_ms(lambda r=run: r.sample(160), 3, 1):.0f} ms"
            if setup.is_text
            else ""
        )
        print(f"{name}: {ms:.2f} ms/step (ours) vs {vs}; probe {probe:.1f} ms{extra}")
    if args.browser:
        browser()
    if args.text or args.text_updates:
        text(0.0 if args.text_updates else args.text, args.text_updates, args.decay)
    if args.race:
        race()


if __name__ == "__main__":
    main()
