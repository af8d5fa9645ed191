"""Script threads importing the package for the first time at once (a quick rerun starts a new run
while the stopped one still imports; a workshop's first learners connect together). Without
``playground.ui.preload.import_all`` (which ``app.py`` calls first) about one such start in two failed with
"cannot import name ... from partially initialized module" (a _DeadlockError between
``playground.viz`` and ``playground.viz.network``), seen in Chromium as Streamlit's error page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import importlib, sys, threading
from playground.ui.preload import import_all

MODULES = {modules!r}
barrier = threading.Barrier(len(MODULES))
errors = []

def run(name):
    barrier.wait()
    try:
        {first}
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001
        errors.append(repr(exc))

threads = [threading.Thread(target=run, args=(m,)) for m in MODULES]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors)
sys.exit(1 if errors else 0)
"""

# what the pages import first, in the order that met in the package __init__s
MODULES = [
    "playground.ui.netview",
    "playground.ui.links",
    "playground.viz",
    "playground.viz.network",
    "playground.lessons",
    "playground.ui.live",
]


def _start(first: str) -> subprocess.CompletedProcess:
    code = SCRIPT.format(modules=MODULES, first=first)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("attempt", range(6))
def test_threads_importing_at_once_after_import_all(attempt):
    done = _start("import_all()")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_all_imports_every_module_once():
    code = (
        "import sys, playground, pkgutil; from playground.ui.preload import import_all; import_all(); "
        "n = len(sys.modules); import_all(); assert len(sys.modules) == n; "
        "names = [m.name for m in pkgutil.walk_packages(playground.__path__, 'playground.')]; "
        "missing = [m for m in names if m not in sys.modules]; assert not missing, missing; print(len(names))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50
