"""The five lesson pages through app.py in English and in Chinese: each runs clean, and in Chinese its
title and texts are Chinese, with no English sentence of the catalogs left among the markdown,
captions and callouts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

import playground.lessons.overfitting  # noqa: F401  (before AppTest puts pages/ on sys.path)
import playground.lessons.search  # noqa: F401
from playground import i18n
from playground.i18n.domains import DOMAINS

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")

#: page file -> its title (the English message id).
PAGES = {
    "pages/activations_init.py": "Activations and initialization",
    "pages/optimizers.py": "Optimizers and learning rates",
    "pages/backprop.py": "Backpropagation, step by step",
    "pages/overfitting.py": "Overfitting and regularization",
    "pages/hyperparameter_search.py": "Hyperparameter search",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
#: An English run of words: five or more Latin words in a row (formulas and symbols are shorter).
ENGLISH_RUN = re.compile(r"(?:\b[A-Za-z][a-z]+\b[ ,;:'’-]+){4,}\b[A-Za-z][a-z]+\b")
#: What is not prose: LaTeX, inline code.
NOT_PROSE = re.compile(r"\$[^$]*\$|`[^`]*`")


def broken_bold(text: str) -> list[str]:
    """``**…**`` pairs that Markdown would print as asterisks: a closing ``**`` right after punctuation
    and right before a letter is not a closing delimiter (CommonMark flanking rules), which Chinese
    full-width punctuation (``**要看什么：**文字``) easily runs into."""
    bad = []
    marks = [m.start() for m in re.finditer(r"\*\*", text)]
    for close in marks[1::2]:
        before, after = text[close - 1], text[close + 2 : close + 3]
        closes_after_punctuation = unicodedata.category(before)[0] in "PS"
        if closes_after_punctuation and after.strip() and unicodedata.category(after)[0] not in "PS":
            bad.append(text[max(0, close - 12) : close + 6])
    return bad


def open_page(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page(page).run()  # straight to the page (no run of the Playground first)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def shown_texts(at: AppTest) -> list[str]:
    """The prose a learner reads: titles, headers, markdown, captions, callouts, metric labels."""
    parts = [t.value for t in at.title] + [h.value for h in at.header] + [s.value for s in at.subheader]
    parts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.info] + [x.value for x in at.success] + [x.value for x in at.warning]
    parts += [m.label for m in at.metric]
    return [str(p) for p in parts if str(p).strip()]


def english_fragments() -> list[str]:
    """English message ids cut at their {placeholders} into pieces of three or more words: none may be
    left on a Chinese page. All of the lessons catalog's ids, and every other catalog's translated ids
    (an id another area has not translated yet is that area's open work, not a page's bug)."""
    pieces = set()
    for domain in DOMAINS:
        path = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        with path.open("rb") as fh:
            catalog = read_po(fh)
        for m in catalog:
            if not m.id or (
                domain != "lessons" and not any(m.string if isinstance(m.string, tuple) else [m.string])
            ):
                continue
            for english in m.id if isinstance(m.id, tuple) else (m.id,):
                for piece in PLACEHOLDER.split(english):
                    piece = piece.strip(" .,;:()*")
                    if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 3:
                        pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


@pytest.fixture(scope="module")
def fragments() -> list[str]:
    found = english_fragments()
    assert "the learning rate is too large" in found  # the lessons catalog is read
    return found


@pytest.mark.parametrize("page", list(PAGES))
def test_lesson_page_in_english(page):
    at = open_page(page, "en")
    assert at.title[0].value == PAGES[page]
    assert not any(CJK.search(t) for t in shown_texts(at))


@pytest.mark.parametrize("page", list(PAGES))
def test_lesson_page_in_chinese(page, fragments):
    at = open_page(page, "zh")
    title = at.title[0].value
    with i18n.using("zh"):
        assert title == i18n._(PAGES[page]) and CJK.search(title)
    texts = shown_texts(at)
    assert len(texts) >= 3 and sum(bool(CJK.search(t)) for t in texts) >= 3
    leftovers = [(f, t[:80]) for t in texts for f in fragments if f in t]
    assert not leftovers, leftovers
    prose = [NOT_PROSE.sub(" ", t) for t in texts]
    runs = [m.group(0) for p in prose for m in ENGLISH_RUN.finditer(p)]
    assert not runs, runs
    assert not [b for t in texts for b in broken_bold(t)]


def test_broken_bold_is_found():
    assert broken_bold("**要看什么：**文字") and not broken_bold("**要看什么**：文字")
    assert not broken_bold("按 **正向 ▶** 计算") and not broken_bold("计算图。**正向**由输入")


def test_a_lesson_error_is_shown_in_chinese():
    """A ConfigError of the lesson logic (a message id with parameters) reaches the page translated."""
    at = open_page("pages/overfitting.py", "zh")
    # AppTest calls the widgets' format_func (translated labels) in the test's thread when it sends
    # their state back: activate the page's language there too.
    with i18n.using("zh"):
        at.button(key="of_presets").click().run()  # four more than the page opened with: eight runs
        at.button(key="of_add").click().run()  # a ninth
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "最多只能比较 8 个运行" in errors[0], errors
    assert not any("at most" in e for e in errors)
