"""The Playground in 简体中文 (lang=zh): it runs clean, and none of the core catalog's English sentences is
left on it (labels, help, captions, callouts, metrics, chart titles); in English it says them as before."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from playground import i18n
from playground.ui import live

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
CORE_PO = ROOT / "playground/i18n/locale/zh/LC_MESSAGES/core.po"


def _phrases() -> dict[str, str]:
    """The core catalog's English sentences (fields cut out: the fixed words around them) -> Chinese."""
    with CORE_PO.open("rb") as fh:
        cat = read_po(fh)
    out = {}
    for m in cat:
        if not m.id or isinstance(m.id, tuple):
            continue
        for piece in re.split(r"\{[^}]*\}", m.id):
            piece = piece.strip(" .,:;()*")
            if len(piece.split()) >= 3:  # a phrase, not a symbol or a term (engine texts use those)
                out[piece] = m.string
    return out


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [m.label for m in at.metric]
    for kind in ("button", "selectbox", "slider", "number_input", "checkbox", "toggle", "radio", "expander"):
        for e in getattr(at, kind):
            out.append(str(getattr(e, "label", "") or ""))
            out.append(str(getattr(e, "help", "") or ""))
    return [t for t in out if t]


def _open(lang: str) -> AppTest:
    # AppTest formats the select boxes' values in the test's own thread: in the page's language
    with i18n.using(lang):
        return _open_in(lang)


def _open_in(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.button(key="btn_step").click().run()
    at.slider(key="c_noise").set_value(10).run()  # a rebuild: the callout
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    return at


@pytest.fixture(scope="module")
def zh() -> AppTest:
    return _open("zh")


def test_no_english_sentence_of_the_core_catalog_is_left(zh):
    phrases = _phrases()
    assert len(phrases) > 50
    page = "\n".join(_texts(zh))
    left = sorted(p for p in phrases if p in page)
    assert not left, left


def test_the_page_speaks_chinese(zh):
    page = "\n".join(_texts(zh))
    for words in ("神经网络游乐场", "更多设置", "网络已用新权重重建", "每层的激活值", "颜色浅：把握较小"):
        assert words in page, words
    assert [m.label for m in zh.metric] == ["轮数", "训练损失", "测试损失", "测试准确率"]
    assert {zh.button(key=k).label for k in ("btn_play", "btn_step", "btn_reset")} == {"播放", "单步", "重置"}


def test_chart_titles_and_legends_follow_the_language():
    """The curves' spec is built per language (a cached English spec must not serve a Chinese page):
    its title, axis titles and legend labels are the catalog's."""
    history = [
        {"epoch": 0, "train_loss": 0.7, "test_loss": 0.71},
        {"epoch": 1, "train_loss": 0.6, "test_loss": 0.65},
    ]
    from playground.viz import curves

    with i18n.using("zh"):
        spec = json.dumps(curves.loss_chart(history).to_dict(), ensure_ascii=False)
        for word in ("loss", "epoch"):  # the axis titles, as the catalogs say them
            assert json.dumps(i18n._(word), ensure_ascii=False) in spec and i18n._(word) != word
        assert "训练" in spec and "测试" in spec  # the legend's labels
        assert i18n._(live.CURVES_TITLE) == "损失（训练集 · 验证集 · 测试集）"
    with i18n.using("en"):
        spec = json.dumps(curves.loss_chart(history).to_dict())
        assert '"loss"' in spec and '"epoch"' in spec and "训练" not in spec
