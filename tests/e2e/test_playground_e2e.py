"""The Playground in headless Chromium against a real ``streamlit run app.py`` on a free port.

Play advances the epoch counter and the loss chart, Pause stops, changing the activation rebuilds the
network, no error element appears, and two browser contexts (two sessions) play independently.
Screenshots go to ``artifacts/`` (git-ignored). Skips with a reason without Playwright or Chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += [
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("streamlit did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=60_000)
    return context, page


def epoch(page) -> int:
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))


def chart_epochs(page) -> str:
    """The loss chart's x-axis labels: they grow as epochs are added."""
    return page.locator('[data-testid="stVegaLiteChart"]').first.inner_text()


def no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    alerts = page.locator('[data-testid="stAlertContentError"]')
    assert alerts.count() == 0, alerts.all_inner_texts()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").click()
    page.get_by_role("option").filter(has_text=option).first.click()


def pause(page) -> None:
    """Press Pause and wait for Play to come back (pressing again if a click landed mid-rerun)."""
    for _ in range(3):
        button = page.get_by_role("button", name="Pause")
        if button.count():
            button.first.click()
        try:
            page.get_by_role("button", name="Play").wait_for(timeout=8_000)
            return
        except sync_api.TimeoutError:
            continue
    raise AssertionError("Pause did not stop the run")


def wait_until(pred, timeout: float = 15.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_play_pause_and_rebuild(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_page(browser, server)
    try:
        assert epoch(page) == 0
        axis0 = chart_epochs(page)
        page.get_by_role("button", name="Play").click()
        assert wait_until(lambda: epoch(page) >= 30), "the epoch counter did not advance"
        e1 = epoch(page)
        time.sleep(1.5)
        assert epoch(page) > e1, "the epoch counter stopped while playing"
        assert chart_epochs(page) != axis0, "the loss chart did not advance"
        page.screenshot(path=str(ARTIFACTS / "playground_playing.png"), full_page=True)
        pause(page)
        paused = epoch(page)
        time.sleep(1.0)
        assert epoch(page) == paused, "training went on after Pause"
        no_errors(page)

        # change the activation: the network is rebuilt (epoch 0, a message says so)
        choose(page, "Activation", "ReLU")
        assert wait_until(lambda: epoch(page) == 0), "the network was not rebuilt"
        page.get_by_text("Network rebuilt").first.wait_for(timeout=10_000)
        assert "activation=relu" in page.url
        no_errors(page)
        page.screenshot(path=str(ARTIFACTS / "playground_rebuilt.png"), full_page=True)
    finally:
        context.close()


def test_two_sessions_are_independent(server, browser):
    ctx_a, a = open_page(browser, server)
    ctx_b, b = open_page(browser, server + "/?dataset=xor")
    try:
        a.get_by_role("button", name="Play").click()
        b.get_by_role("button", name="Play").click()
        assert wait_until(lambda: epoch(a) >= 20 and epoch(b) >= 20), "both sessions should advance"
        ea, eb = epoch(a), epoch(b)
        time.sleep(1.0)
        assert epoch(a) > ea and epoch(b) > eb
        pause(a)
        # a change in A: its network rebuilds; B keeps playing its own run
        choose(a, "Activation", "Sigmoid")
        assert wait_until(lambda: epoch(a) == 0)
        eb = epoch(b)
        time.sleep(1.0)
        assert epoch(b) > eb, "session B stopped because of session A"
        assert b.get_by_role("button", name="Pause").count() == 1
        assert "activation=sigmoid" not in b.url and "dataset=xor" in b.url
        pause(b)
        no_errors(a)
        no_errors(b)
    finally:
        ctx_a.close()
        ctx_b.close()
