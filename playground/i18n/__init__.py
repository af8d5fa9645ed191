"""Translation: GNU gettext catalogs (stdlib ``gettext``) for English and Simplified Chinese.

Every user-visible string goes through one of the functions here; numbers and formulas do not.

- ``_(message, **params)``: the message in the active language, then ``str.format(**params)``
  (so a translation may reorder the parameters). Without params the text is returned as is.
- ``ngettext(singular, plural, n, **params)``: plural forms (English has two, Chinese one); ``{n}``
  is the number formatted for the language.
- ``N_(message)``: marks a constant for extraction without translating it (module-level tables
  such as the settings schema's labels are translated where they are shown, with ``_``).
- Errors: :class:`playground.errors.PlaygroundError` keeps its message id and parameters, and
  :func:`error_text` shows it in the active language (the engine stays language-free).

The active language is a :class:`contextvars.ContextVar`. Streamlit runs every script run
(full or fragment) of a session in a fresh thread, which starts at the default (English), so the
UI glue (``playground.ui.lang``) activates the session's language at the start of every run; no
language can leak from one browser session to another. The message ids are the English texts, so
English needs no catalog. Catalogs live in ``locale/zh/LC_MESSAGES/<domain>.po`` (one domain per
area of the app, see :mod:`playground.i18n.domains`) and are compiled to the committed ``.mo``
files that are loaded here (``python3 scripts/i18n.py compile``; a test checks they are current).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

from playground.i18n.domains import DOMAINS

LANGUAGES: tuple[str, ...] = ("en", "zh")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# CLDR's number symbols of the two locales (en: 1,234.5; zh-Hans: 1,234.5 — Chinese texts group
# by thousands with a comma too; tests/i18n compares with Babel's CLDR data).
_GROUP = {"en": ",", "zh": ","}
_DECIMAL = {"en": ".", "zh": "."}

_active: contextvars.ContextVar[str] = contextvars.ContextVar("playground_language", default=DEFAULT_LANGUAGE)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogs of ``lang``, every domain chained (read-only, cached per process)."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    chain: gettext.NullTranslations | None = None
    for domain in DOMAINS:
        mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo"
        if not mo.is_file():
            continue
        with mo.open("rb") as fh:
            cat = gettext.GNUTranslations(fh)
        if chain is None:
            chain = cat
        else:
            chain.add_fallback(cat)
    return chain if chain is not None else gettext.NullTranslations()


def normalize(lang: str | None) -> str | None:
    """``"zh-CN"``, ``"zh_Hans"``, ``"ZH"`` -> ``"zh"``; ``"en-GB"`` -> ``"en"``; unknown -> None."""
    if not lang:
        return None
    base = re.split(r"[-_]", str(lang).strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an ``Accept-Language`` header (RFC 9110 q-values)."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _sep, rest = part.strip().partition(";")
        lang = normalize(tag)
        if lang is None:
            continue
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", rest)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        q -= i * 1e-6  # among equal q-values, the first listed wins
        if q > best_q:
            best, best_q = lang, q
    return best


def activate(lang: str | None) -> str:
    """Make ``lang`` (normalized; English if unknown) the language of this script run."""
    code = normalize(lang) or DEFAULT_LANGUAGE
    _active.set(code)
    return code


def language() -> str:
    """The language of this script run."""
    return _active.get()


@contextlib.contextmanager
def using(lang: str) -> Iterator[str]:
    """``with using("zh"): ...`` — for tests and for rendering in another language."""
    token = _active.set(normalize(lang) or DEFAULT_LANGUAGE)
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def _(message: str, /, **params: object) -> str:
    """``message`` in the active language, formatted with ``params``."""
    text = translations(_active.get()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The plural form for ``n`` in the active language; ``{n}`` is ``n`` formatted."""
    text = translations(_active.get()).ngettext(singular, plural, n)
    return text.format(n=fmt_number(n), **params)


def N_(message: str, /) -> str:
    """Mark ``message`` for extraction; translate it with ``_`` where it is shown."""
    return message


def fmt_number(x: float | int, decimals: int | None = None) -> str:
    """``x`` with the active language's grouping and decimal separators (1,234 / 0.5)."""
    lang = _active.get()
    if isinstance(x, int) and decimals is None:
        text = f"{x:,}"
    else:
        text = f"{x:,.{decimals if decimals is not None else 2}f}"
    return text.replace(",", "\0").replace(".", _DECIMAL[lang]).replace("\0", _GROUP[lang])


def error_text(err: BaseException) -> str:
    """A :class:`~playground.errors.PlaygroundError` in the active language (its message id
    translated, then formatted with its parameters); any other exception as ``str``."""
    msgid = getattr(err, "msgid", None)
    if msgid is None:
        return str(err)
    params = getattr(err, "params", {}) or {}
    text = translations(_active.get()).gettext(msgid)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return str(err)
