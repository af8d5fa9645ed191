"""The overfitting and hyperparameter-search pages in headless Chromium against a real ``streamlit run``.

A small search runs to completion in the browser (the progress bar reaches the end, the scatter and the
best trial appear); the classic comparison trains and shows its boundaries. Screenshots go to
``artifacts/`` (git-ignored). Skips with a reason when Playwright or the browser is missing.
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
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"streamlit exited early:\n{out[-3000:]}")
    else:
        proc.terminate()
        pytest.fail("streamlit did not become healthy within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"Chromium could not be launched: {exc}")
        # Run the entrypoint once, so deep links get app.py's navigation (not the legacy pages/ mode).
        page = b.new_page()
        page.goto(server, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=30_000)
        page.close()
        yield b
        b.close()


def _settle(page, timeout_s: float = 30.0) -> None:
    """Wait until no script run is in progress for a moment."""
    deadline = time.time() + timeout_s
    quiet = 0
    while time.time() < deadline:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        if quiet >= 4:
            return
        page.wait_for_timeout(250)


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 800), 12000)})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def _set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    _settle(page)


def test_search_runs_to_completion_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/hyperparameter_search", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Hyperparameter search").first.wait_for(timeout=30_000)
        _settle(page)
        _set_number(page, "Trials", 30)
        _set_number(page, "Epochs per trial", 20)
        page.get_by_role("button", name="Start search").click()
        page.get_by_text("30 of 30 trials").first.wait_for(timeout=60_000)
        bar = page.locator('[data-testid="stProgress"] [role="progressbar"]').first
        assert bar.get_attribute("aria-valuenow") == "100"
        page.get_by_text("Test accuracy").first.wait_for(timeout=30_000)
        _settle(page)
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first.wait_for(timeout=20_000)
        link = page.get_by_role("link", name="Open the best configuration in the Playground ↗")
        href = link.get_attribute("href")
        assert href and "lr=" in href and "reg=l2" in href, href
        _no_errors(page)
        _screenshot(page, "lesson_hyperparameter_search.png")
        # The link opens the Playground with the best trial's settings, without a notice or error.
        page.goto(server + href if href.startswith("/") else href, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=30_000)
        _settle(page)
        page.wait_for_timeout(1500)
        _no_errors(page)
        _screenshot(page, "lesson_hyperparameter_search_best_in_playground.png")
    finally:
        page.close()


def test_overfitting_comparison_trains_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/overfitting", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Overfitting and regularization").first.wait_for(timeout=30_000)
        _settle(page)
        page.get_by_role("button", name="Train the classic comparison").click()
        page.get_by_text("all runs finished").first.wait_for(timeout=90_000)
        page.get_by_text("All runs (JSON)").first.wait_for(timeout=30_000)
        _settle(page)
        assert page.locator('[data-testid="stImage"]').count() >= 8  # 4 boundaries, 4 network views
        _no_errors(page)
        _screenshot(page, "lesson_overfitting.png")
    finally:
        page.close()
