"""What every page does the same way: route deep links through ``app.py``, and show errors as a
friendly message where the learner is looking (never a traceback), logging the details."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from playground.errors import PlaygroundError
from playground.i18n import _, error_text, using


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
    """A :class:`PlaygroundError` is shown as its own message (it is written for the learner), in the
    session's language; anything else is logged with its traceback and replaced by ``hint`` (a message
    id, translated here; an already translated text is shown as is)."""
    if isinstance(exc, PlaygroundError):
        st.error(error_text(exc), icon=":material/warning:")
    else:
        log.exception("page failed")
        st.error(_(hint), icon=":material/warning:")


class Later(str):
    """A message kept in the session (a callout, a notice) and translated when it is shown, so a
    language switch translates it too: ``Later(N_("Loaded {name}."), {"name": Later(label)})``.
    Parameters that are ``Later``, errors or callables (called when shown) are translated with it.
    As a ``str`` it is the English text (for logs and tests); :func:`message_text` gives it in the
    active language."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Later:
        params = dict(params or {})
        with using("en"):
            english = msgid.format(**{k: message_text(v) for k, v in params.items()}) if params else msgid
        obj = super().__new__(cls, english)
        obj.msgid, obj.params = msgid, params
        return obj

    def __reduce__(self):
        return (Later, (self.msgid, self.params))

    def text(self) -> str:
        args = {k: message_text(v) for k, v in self.params.items()}
        return _(self.msgid, **args) if args else _(self.msgid)


def join(items) -> str:
    """``items`` as a list in a sentence ("a, b, c"; in Chinese "a、b、c")."""
    items = [str(i) for i in items]
    if not items:
        return ""
    text = items[0]
    for item in items[1:]:
        text = _("{a}, {b}", a=text, b=item)
    return text


def message_text(message: Any) -> str:
    """What the learner reads for a stored message: a :class:`Later` or an error in the active
    language, a zero-argument callable's result (a message recomputed in the active language), a
    plain string as it is (already translated when it was made)."""
    if isinstance(message, Later):
        return message.text()
    if isinstance(message, BaseException):
        return error_text(message)
    if callable(message):
        fn: Callable[[], Any] = message
        return message_text(fn())
    return "" if message is None else str(message)


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
