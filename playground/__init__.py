"""A visual neural-network playground: a pure-NumPy engine, datasets, charts and Streamlit pages.

Layers (data flows one way, see ``../shared/DESIGN.md``)::

    app.py, pages/        thin Streamlit pages
    playground/ui/        Streamlit helpers shared by pages
    playground/viz/       pure chart builders (no Streamlit)
    playground/lessons/   lesson logic (no Streamlit)
    playground/engine/    pure NumPy network engine
    playground/data/      datasets, feature transforms, CSV parsing
"""

from playground.errors import ConfigError, DataError, PlaygroundError

__all__ = ["ConfigError", "DataError", "PlaygroundError"]
