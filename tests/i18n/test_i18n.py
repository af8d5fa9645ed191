"""The translation layer: language choice, plurals, numbers, errors, isolation between sessions."""

import threading

import pytest

from playground import i18n
from playground.errors import ConfigError, DataError
from playground.i18n import _, ngettext


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4", "zh"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
        ("zh-Hans-CN", "zh"),
        ("en;q=0.2, zh-TW;q=0.7", "zh"),
        ("garbage;;q=x,,", "en"),
    ],
)
def test_negotiate_accept_language(header, lang):
    assert i18n.negotiate(header) == lang


def test_plural_forms():
    with i18n.using("en"):
        assert ngettext("{n} epoch", "{n} epochs", 1) == "1 epoch"
        assert ngettext("{n} epoch", "{n} epochs", 2) == "2 epochs"
        assert ngettext("{n} epoch", "{n} epochs", 1234) == "1,234 epochs"


def test_numbers_follow_cldr():
    babel_numbers = pytest.importorskip("babel.numbers", reason="Babel holds the CLDR data to compare with")
    for lang, locale in (("en", "en_US"), ("zh", "zh_Hans_CN")):
        with i18n.using(lang):
            for x in (0, 7, 1000, 1234567):
                assert i18n.fmt_number(x) == babel_numbers.format_decimal(x, locale=locale)
            assert i18n.fmt_number(1234.5, 2) == babel_numbers.format_decimal(
                1234.5, format="#,##0.00", locale=locale
            )


def test_errors_keep_their_id_and_params():
    err = ConfigError("Learning rate {lr} is not positive.", lr=-1)
    assert str(err) == "Learning rate -1 is not positive."
    assert err.msgid == "Learning rate {lr} is not positive." and err.params == {"lr": -1}
    with i18n.using("zh"):
        assert i18n.error_text(err)  # an unknown id falls back to English
    d = DataError("Row {r} is empty.", row=3, column="x", r=3)
    assert (d.row, d.column, str(d)) == (3, "x", "Row 3 is empty.")
    assert i18n.error_text(ValueError("plain")) == "plain"


def test_language_is_per_thread_and_defaults_to_english():
    """Streamlit runs every script run in its own thread: a language set in one session's run is
    invisible to another thread, which starts in English."""
    seen = {}
    i18n.activate("zh")
    try:

        def other():
            seen["lang"] = i18n.language()
            seen["text"] = _("Language")

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert i18n.language() == "zh"
        assert seen == {"lang": "en", "text": "Language"}
    finally:
        i18n.activate("en")


def test_chinese_is_chinese():
    with i18n.using("zh"):
        assert _("Language") == "语言"
        assert _("Playground") != "Playground"
