"""What every page does the same way: route deep links through ``app.py``, and show errors as a
friendly message where the learner is looking (never a traceback), logging the details."""

from __future__ import annotations

import logging
import re

import streamlit as st

from playground.errors import PlaygroundError


def route_through_app() -> None:
    """Make a direct link to a page on a freshly started server go through ``app.py``.

    Streamlit treats a ``pages/`` folder beside the entry script as a legacy (v1) multipage app
    until ``st.navigation`` has run once in the server process; until then a direct link such as
    ``/optimizers`` runs the page file alone (no wide layout, an auto-generated sidebar). If that
    is happening, switch the legacy mode off and rerun: the rerun executes ``app.py``, whose
    ``st.navigation`` serves the same page (the page hash is derived from the same URL path).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show_error(exc: Exception, log: logging.Logger, hint: str) -> None:
    """A :class:`PlaygroundError` is shown as its own message (it is written for the learner);
    anything else is logged with its traceback and replaced by ``hint``."""
    if isinstance(exc, PlaygroundError):
        st.error(str(exc), icon=":material/warning:")
    else:
        log.exception("page failed")
        st.error(hint, icon=":material/warning:")


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|<>~$-])")


def plain(text: str, limit: int = 300) -> str:
    """``text`` (which may quote a visitor's URL or file) made safe to show inside Markdown: every
    Markdown special character escaped, so a crafted link cannot render links or images in our
    callouts (a zero-width space also breaks bare-URL autolinks); cut to ``limit`` characters."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("://", ":\u200b//").replace("www.", "www\u200b.")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
