"""Issue 13 §8: the lesson and lab pages share a workshop replica like the Playground does. Every
live fragment that trains takes its turn (``hosting.live_turn``: first come, first served on a
loaded replica) and the old lessons' per-tick training time is bounded by the workshop's tick budget
(``hosting.lesson_budget``); admission is app.py's (tests/hosting/test_app_hosting.py)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from playground import limits
from playground.hosting import streamlit_glue as glue

PAGES = Path(__file__).resolve().parents[2] / "pages"
TRAINING_CALLS = {"advance", "train", "tick", "step"}
#: fragments whose ``advance`` trains nothing
NOT_TRAINING = {("optimizers.py", "live_race")}  # reveals precomputed optimizer paths step by step


def _live_fragments(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and any(k.arg == "run_every" for k in dec.keywords):
                yield node


def _calls(node) -> set[str]:
    return {
        n.func.attr for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }


def test_every_training_fragment_takes_its_turn():
    checked, missing = [], []
    for path in sorted(PAGES.glob("*.py")):
        for fn in _live_fragments(path):
            calls = _calls(fn)
            if not calls & TRAINING_CALLS or (path.name, fn.name) in NOT_TRAINING:
                continue
            checked.append(f"{path.name}:{fn.name}")
            if "live_turn" not in calls:
                missing.append(f"{path.name}:{fn.name}")
    assert not missing, f"live fragments that train without hosting.live_turn: {missing}"
    # the Playground, the five lessons' trainers and the four labs' trainers are all seen
    assert len(checked) >= 12, checked
    assert {c.split(":")[0] for c in checked} >= {
        "live_playground.py",
        "hyperparameter_search.py",
        "overfitting.py",
        "convolution.py",
        "fasttext.py",
        "word_embeddings.py",
        "recurrent.py",
    }, checked


def test_lesson_budget_is_the_learners_alone_and_the_tick_budget_in_a_workshop(fresh_replica, monkeypatch):
    assert glue.lesson_budget(0.25) == 0.25  # one learner: the lesson's own pace
    monkeypatch.setattr(fresh_replica.settings, "enabled", True)
    limits.install(dataclasses.replace(limits.DEFAULT, tick_train_budget_s=0.05))
    assert glue.lesson_budget(0.25) == pytest.approx(0.05)
    assert glue.lesson_budget(0.02) == pytest.approx(0.02)  # a shorter first tick stays short
