"""Import every module of the package once per process, one thread at a time, before any page runs.

Streamlit runs scripts in threads and, on a quick rerun, starts the new run while the stopped one
may still be importing; two threads importing the same packages for the first time can meet in a
package ``__init__`` that imports its own submodules, and Python then hands one of them a partially
initialized module ("cannot import name ... (most likely due to a circular import)", seen in
Chromium on a quick page switch of a freshly started server). ``app.py`` calls :func:`import_all`
first: with everything imported under one lock, nothing is left to race over.

This module is safe to import from any thread: ``playground/__init__`` imports only ``errors`` and
``playground/ui/__init__`` is empty.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # playground/

_import_lock = threading.Lock()
_imported = threading.Event()


def import_all() -> None:
    """Import every module of ``playground`` (once per process; later calls return at once)."""
    if _imported.is_set():
        return
    with _import_lock:
        if _imported.is_set():
            return
        for info in pkgutil.walk_packages([str(PACKAGE_DIR)], "playground."):
            importlib.import_module(info.name)
        _imported.set()
