"""Shared set-up of the browser tests: a real ``streamlit run app.py`` on a free loopback port and
Debian's Chromium driven by Playwright. Everything here skips with a clear reason when Playwright or
the browser is missing (``scripts/test.sh`` installs both, so CI runs them)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Start ``streamlit run app.py`` on loopback, wait for its health check, yield its URL, and
    always stop it."""
    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"streamlit exited early:\n{out[-3000:]}")
                if time.time() > deadline:
                    pytest.fail("streamlit did not become healthy within 60 s")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def sync_api():
    api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return api


@pytest.fixture(scope="session")
def server(sync_api):
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser(sync_api):
    """Per module: Playwright's sync API keeps an asyncio loop running while it is open, which
    would break later tests in this process that call ``asyncio.run`` (the load-test client)."""
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"Chromium could not be launched: {exc}")
        yield b
        b.close()


def settle(page, timeout_s: float = 30.0) -> None:
    """Wait until no script run is in progress for a moment (no 'Running…' status widget)."""
    deadline = time.time() + timeout_s
    quiet = 0
    while time.time() < deadline:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        if quiet >= 4:
            return
        page.wait_for_timeout(250)


def screenshot(page, name: str) -> Path:
    """A full-height screenshot in ``artifacts/`` (Streamlit scrolls inside its main container)."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 800), 12000)})
    page.wait_for_timeout(1200)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def no_errors(page) -> None:
    """No exception element and no error callout on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0
    alerts = page.locator('[data-testid="stAlertContentError"]')
    assert alerts.count() == 0, alerts.all_inner_texts()
