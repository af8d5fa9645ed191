"""No user-visible text bypasses the translation layer (an AST check, see literals.py)."""

import ast

import pytest

from tests.i18n import literals

FILES = literals.files()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(literals.ROOT)))
def test_no_untranslated_text(path):
    found = literals.untranslated(path)
    assert not found, "\n".join(f"{path.relative_to(literals.ROOT)}:{n}: {s!r}" for n, s in found)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(literals.ROOT)))
def test_translation_function_not_shadowed(path):
    assert not literals.shadowing(path), f"{path}: `_` is rebound (lines {literals.shadowing(path)})"


def _error_calls():
    root = literals.ROOT
    for path in [
        root / "app.py",
        *sorted((root / "pages").glob("*.py")),
        *sorted((root / "playground").rglob("*.py")),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and literals._call_name(node) in {
                "ConfigError",
                "DataError",
                "PlaygroundError",
            }:
                yield path.relative_to(root), node


def test_error_messages_are_message_ids():
    """Our errors carry a literal message id and parameters (never an f-string or a variable), so the
    catalog has them and the page can show them translated."""
    bad = []
    for rel, node in _error_calls():
        first = node.args[0] if node.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            bad.append(f"{rel}:{node.lineno}")
    assert not bad, "errors whose message is not a literal id:\n" + "\n".join(bad)


def test_the_checker_finds_text():
    """The checker itself: it flags prose and capitalized labels, not keys, symbols or pragmas."""
    src = (
        "import streamlit as st\nfrom playground.i18n import _\n"
        'st.button("Play", key="play")\n'
        'st.caption(_("Translated text"))\n'
        'x = {"some key": 1}["other key"]\n'
        "st.markdown(\"<div style='a b'>\", unsafe_allow_html=True)  # i18n: not text\n"
        'st.write("ReLU")\n'
        'st.write(f"Loss is {1}")\n'
    )
    finder = literals._Finder(src.splitlines())
    finder.visit(ast.parse(src))
    assert [n for n, _s in finder.found] == [3, 8]
