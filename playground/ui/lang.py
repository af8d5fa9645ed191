"""The i18n glue of the pages: which language a session uses, the sidebar switch, the ``lang=`` of
the URL, and a fragment decorator that activates the language in live-loop runs.

The language of a session is chosen once, at its first run: ``?lang=zh`` in the URL, else the
browser's ``Accept-Language`` header (``st.context.headers``), else its locale (``st.context.locale``),
else English. The sidebar switch changes it; it is kept in ``st.session_state`` and in the URL, so a
shared link opens in the same language. Switching is a plain rerun: nothing of the run (network,
weights, epoch) is rebuilt. Keyed widgets with free values (sliders, numbers, text) keep them; select
boxes, radios and multiselects hold their chosen *label* in the browser, so the pages keep their
choices across a switch with :func:`playground.ui.controls.keep_choices_across_languages`.
"""

from __future__ import annotations

import functools

import streamlit as st

from playground import i18n
from playground.i18n import _

STATE_KEY = "lang"
WIDGET_KEY = "lang_switch"
URL_PARAM = "lang"


def _from_browser() -> str:
    try:
        header = st.context.headers.get("Accept-Language")
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode)
        header = None
    if header:
        return i18n.negotiate(header)
    try:
        locale = st.context.locale
    except Exception:  # noqa: BLE001
        locale = None
    return i18n.normalize(locale) or i18n.DEFAULT_LANGUAGE


def init_language() -> str:
    """Choose (first run) and activate (every run) the session's language; keep ``lang=`` in the
    URL. Call it first in ``app.py``; fragments activate it through :func:`fragment`."""
    ss = st.session_state
    url = i18n.normalize(st.query_params.get(URL_PARAM))
    if STATE_KEY not in ss:
        ss[STATE_KEY] = url or _from_browser()
    elif url and url != ss[STATE_KEY] and ss.get("_lang_url_seen") != url:
        # The address bar was edited to another language (a new link opened in this session).
        ss[STATE_KEY] = url
    ss["_lang_url_seen"] = url
    lang = i18n.activate(ss[STATE_KEY])
    keep_in_url()
    return lang


def keep_in_url() -> None:
    """Put the session's language in the URL (pages that rewrite the query string call this)."""
    lang = st.session_state.get(STATE_KEY, i18n.DEFAULT_LANGUAGE)
    if st.query_params.get(URL_PARAM) != lang:
        st.query_params[URL_PARAM] = lang
    st.session_state["_lang_url_seen"] = lang


def activate_session_language() -> str:
    """Activate the session's language in this run (a fragment's run does not pass ``app.py``)."""
    return i18n.activate(st.session_state.get(STATE_KEY))


def widget_key(lang: str) -> str:
    """The switch's widget key while ``lang`` is active: one widget per language, so the browser
    always mounts it showing the session's language (a single keyed widget set through session state
    could be mounted from a later run's message with its default, English, and send that back)."""
    return f"{WIDGET_KEY}_{lang}"


def _on_switch(key: str) -> None:
    st.session_state[STATE_KEY] = st.session_state[key]
    i18n.activate(st.session_state[STATE_KEY])
    keep_in_url()


def language_switch() -> None:
    """The sidebar's language choice: English | 简体中文 on one line (two options need no menu, and
    the Playground's sidebar groups stay in sight at 1440x900 under ten pages of navigation)."""
    lang = st.session_state.get(STATE_KEY, i18n.DEFAULT_LANGUAGE)
    options = list(i18n.LANGUAGES)
    key = widget_key(lang)
    st.sidebar.radio(
        _("Language"),
        options=options,
        index=options.index(lang),
        format_func=i18n.LANGUAGE_NAMES.__getitem__,
        key=key,
        on_change=_on_switch,
        args=(key,),
        horizontal=True,
        label_visibility="collapsed",
    )


def fragment(func=None, *, run_every=None):
    """``st.fragment`` that first activates the session's language (a fragment's rerun runs in a
    fresh thread, where the language would otherwise be the default)."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            activate_session_language()
            return fn(*args, **kwargs)

        return st.fragment(run, run_every=run_every)

    return decorate(func) if func is not None else decorate
