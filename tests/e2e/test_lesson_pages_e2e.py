"""The lesson pages in headless Chromium against a real ``streamlit run app.py``.

Each page opens by its URL path, renders its title and charts without an error element, and is
saved as a screenshot in ``artifacts/`` (git-ignored). Skips with a reason when Playwright or the
browser is missing.
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
PAGES = [
    ("activations_init", "Activations and initialization"),
    ("optimizers", "Optimizers and learning rates"),
    ("backprop", "Backpropagation, step by step"),
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
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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


def _warm_up(browser, url: str) -> None:
    """Open the entry page once. Streamlit serves a ``pages/`` directory the legacy (MPA v1) way —
    each file run on its own, without ``app.py``'s ``st.navigation`` — until the entrypoint has run
    once in the server process; a learner's first deep link to a fresh server meets the same."""
    page = browser.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=30_000)
    finally:
        page.close()


@pytest.fixture(scope="module")
def browser():
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
        yield b
        b.close()


def _full_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main container, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 800), 12000)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)


def _settle(page, timeout_s: float = 30.0) -> None:
    """Wait until the script has finished running (no 'Running…' status widget for a moment)."""
    deadline = time.time() + timeout_s
    quiet = 0
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if running else quiet + 1
        if quiet >= 4:
            return
        page.wait_for_timeout(250)


@pytest.mark.parametrize("path,title", PAGES, ids=[p for p, _ in PAGES])
def test_lesson_page_renders(server, browser, path, title):
    ARTIFACTS.mkdir(exist_ok=True)
    _warm_up(browser, server)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
        _settle(page)
        page.wait_for_timeout(1000)  # charts draw after the script finishes
        assert page.locator('[data-testid="stException"]').count() == 0
        errors = page.locator('[data-testid="stAlertContentError"]')
        assert errors.count() == 0, errors.first.inner_text()
        charts = ".stPlotlyChart, [data-testid='stVegaLiteChart'], [data-testid='stGraphVizChart']"
        assert page.locator(charts).count() > 0
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Backprop step by step" in nav, f"the app's navigation is missing: {nav!r}"
        _full_screenshot(page, ARTIFACTS / f"lesson_{path}.png")
    finally:
        page.close()


def test_backprop_steps_in_browser(server, browser):
    """Pressing Run all in the browser fills in the graph's numbers."""
    _warm_up(browser, server)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/backprop", wait_until="domcontentloaded")
        page.get_by_role("button", name="Run all").wait_for(timeout=30_000)
        _settle(page)
        page.get_by_role("button", name="Run all").click()
        page.get_by_text("∂J/∂c += ∂J/∂u · ∂u/∂c = 3 · 3 = 9").first.wait_for(timeout=15_000)
        _settle(page)
        page.wait_for_timeout(800)
        assert page.locator('[data-testid="stException"]').count() == 0
        _full_screenshot(page, ARTIFACTS / "lesson_backprop_done.png")
    finally:
        page.close()
