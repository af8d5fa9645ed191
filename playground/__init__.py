"""A visual neural-network playground: a pure-NumPy engine, datasets, charts and Streamlit pages.

Layers (data flows one way, see ``../shared/DESIGN.md``)::

    app.py, pages/        thin Streamlit pages
    playground/ui/        Streamlit helpers shared by pages
    playground/viz/       pure chart builders (no Streamlit)
    playground/lessons/   lesson logic (no Streamlit)
    playground/engine/    pure NumPy network engine
    playground/data/      datasets, feature transforms, CSV parsing
"""

import importlib
import pkgutil
import threading

from playground.errors import ConfigError, DataError, PlaygroundError

__all__ = ["ConfigError", "DataError", "PlaygroundError", "import_all"]

_import_lock = threading.Lock()
_imported = threading.Event()


def import_all() -> None:
    """Import every module of the package, once per process and one thread at a time.

    ``app.py`` calls it before anything else. Streamlit runs scripts in threads and, on a quick
    rerun, starts the new run while the stopped one may still be importing; two threads importing
    the same packages for the first time can meet in a package ``__init__`` that imports its own
    submodules, and Python then hands one of them a partially initialized module ("cannot import
    name ... (most likely due to a circular import)", seen in Chromium on the first page switch of
    a fresh server). Importing everything under one lock first leaves nothing to race over.
    """
    if _imported.is_set():
        return
    with _import_lock:
        if _imported.is_set():
            return
        for info in pkgutil.walk_packages(__path__, __name__ + "."):
            importlib.import_module(info.name)
        _imported.set()
