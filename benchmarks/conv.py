"""The convolution lab's figures: the engine's training step against PyTorch, the time to 95 % on the
digits, what one live tick costs on the server, and (with Chromium) how often the page updates.

    python benchmarks/conv.py            # everything (the browser part needs Playwright + Chromium)
    python benchmarks/conv.py --quick    # in-process figures only

1. ms per training step of the default CNN (batch 32, Adam), ours and PyTorch's (CPU, 1 thread,
   float64, the same net and batch) in the same run; median of many steps.
2. Epochs and seconds of training until the test accuracy reaches 95 % (the default net, seed 0).
3. One live tick in-process: training for the page's budget, then every view's data and images
   (curves, confusion matrix, feature maps, kernels and gradients as PNG data).
4. A real ``streamlit run``, Chromium presses Play for a few seconds: visible updates per second (the
   feature-map image changing), server CPU per update (the server's CPU time / updates) and the
   seconds from Play until the page shows 95 % test accuracy.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from playground.lessons import conv as L  # noqa: E402
from playground.viz import conv as viz  # noqa: E402

TICK_BUDGET_S = 0.015  # pages/convolution.py TRAIN_BUDGET_S


def median_ms(fn, n: int) -> float:
    times = []
    for _i in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def engine_step_ms(n: int = 300) -> float:
    lab = L.ConvLab()
    tr = lab.trainer
    X, T = tr.X[:32], tr.T[:32]
    for _i in range(10):
        tr.train_batch(X, T)
    return median_ms(lambda: tr.train_batch(X, T), n)


def torch_step_ms(n: int = 300) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    split = L.digit_split(8)
    x = torch.tensor(np.array(split.X_train[:32]))
    y = torch.tensor(np.array(split.y_train[:32]))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _i in range(10):
        step()
    return median_ms(step, n)


def time_to_95() -> tuple[int, float]:
    lab = L.ConvLab()
    t = time.perf_counter()
    while lab.epoch < 100:
        rec = lab.trainer.run_epoch()
        if rec["test_acc"] >= 0.95:
            break
    return lab.epoch, time.perf_counter() - t


def tick_parts(lab: L.ConvLab) -> dict[str, float]:
    """CPU ms of each part of one live tick (as pages/convolution.py does it)."""
    out = {}
    t = time.process_time()
    lab.advance(TICK_BUDGET_S)
    out["train"] = time.process_time() - t
    t = time.process_time()
    viz.curve_rows(lab.history)
    viz.confusion_rows(lab.confusion())
    out["curves+confusion"] = time.process_time() - t
    t = time.process_time()
    x, label = lab.test_image(0)
    blocks, probs = lab.maps_and_probs(x)
    maps = [m["maps"] for m in blocks]
    viz.live_panel(0, x, label, probs, maps, lab.filters())
    out["maps+kernels+html"] = time.process_time() - t
    return {k: 1000 * v for k, v in out.items()}


def in_process() -> None:
    ours = engine_step_ms()
    theirs = torch_step_ms()
    print("1. Training step, default CNN (1×8×8 → conv 8 → pool → conv 16 → pool → 10), batch 32, Adam:")
    print(f"   engine  {ours:6.2f} ms/step")
    if theirs is None:
        print("   PyTorch not installed")
    else:
        print(
            f"   PyTorch {theirs:6.2f} ms/step (CPU, 1 thread, float64)  → ours / torch = {ours / theirs:.2f}"
        )
    epochs, seconds = time_to_95()
    print(f"2. Default CNN to 95 % test accuracy: {epochs} epochs, {seconds:.1f} s of training")
    lab = L.ConvLab()
    for _i in range(5):
        tick_parts(lab)
    parts = [tick_parts(lab) for _i in range(150)]
    print(
        f"3. One live tick in-process (150 ticks, ~4 epochs; CPU ms, mean and median; training budget "
        f"{1000 * TICK_BUDGET_S:.0f} ms, the epochs' evaluations included):"
    )
    for key in parts[0]:
        values = [p[key] for p in parts]
        print(f"   {key:18s} {statistics.mean(values):6.1f} {statistics.median(values):6.1f}")
    totals = [sum(p.values()) for p in parts]
    print(f"   {'total':18s} {statistics.mean(totals):6.1f} {statistics.median(totals):6.1f}")


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser(seconds: float) -> None:
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _i in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = b.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/convolution?lang=en")
            page.get_by_text("Epoch 0 ·").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            page.evaluate(
                """() => { window.__changes = 0; window.__t95 = null; let last = null;
                new MutationObserver(() => {
                  const imgs = document.querySelectorAll(".cv-panel img");
                  const src = imgs.length > 1 ? imgs[1].src : null;
                  if (src && src !== last) { window.__changes++; last = src; }
                  if (window.__t95 !== null) return;  // textContent: no layout, unlike innerText
                  const m = /test accuracy (\\d+\\.\\d)%/.exec(document.body.textContent);
                  if (m && +m[1] >= 95) window.__t95 = performance.now();
                }).observe(document.body, {subtree: true, childList: true, attributes: true});
                window.__tplay = performance.now(); }"""
            )
            page.get_by_role("button", name="Play").first.click()
            page.wait_for_timeout(1500)
            c0, t0, n0 = proc_cpu(proc.pid), time.time(), page.evaluate("window.__changes")
            page.wait_for_timeout(int(seconds * 1000))
            c1, t1, n1 = proc_cpu(proc.pid), time.time(), page.evaluate("window.__changes")
            text = page.locator("body").inner_text()
            t95 = page.evaluate("window.__t95 === null ? null : (window.__t95 - window.__tplay) / 1000")
            page.get_by_role("button", name="Pause").first.click()
            b.close()
        updates = max(n1 - n0, 1)
        print(f"4. Browser (Chromium, {seconds:.0f} s of Play, default net):")
        print(f"   visible updates/s of the feature maps: {updates / (t1 - t0):.1f}")
        print(f"   server CPU per update: {1000 * (c1 - c0) / updates:.1f} ms")
        if t95 is None:
            print("   test accuracy 95 %: not reached")
        else:
            print(f"   test accuracy 95 % shown {t95:.1f} s after Play")
        line = next((ln for ln in text.splitlines() if ln.startswith("Epoch ")), "")
        print(f"   status after the run: {line}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="in-process figures only")
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    in_process()
    if not args.quick:
        browser(args.seconds)


if __name__ == "__main__":
    main()
