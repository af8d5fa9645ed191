"""The catalogs are complete and current: every message of the code is in every catalog with a
non-empty translation, no catalog keeps an id the code no longer uses, the committed .mo files
match the .po files (scripts/i18n.py check; Babel is a test dependency)."""

import importlib.util
import sys

import pytest

from playground import i18n
from tests.i18n.literals import ROOT

pytest.importorskip("babel", reason="Babel (requirements-dev.txt) extracts and compiles the catalogs")


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["i18n_tool"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_catalogs_complete_and_current():
    found = _tool().problems()
    assert not found, (
        f"{len(found)} catalog problem(s) (python3 scripts/i18n.py update / compile):\n"
        + "\n".join(found[:60])
    )


def test_chinese_catalog_loads_every_domain():
    tool = _tool()
    cat = i18n.translations("zh")
    for domain in i18n.DOMAINS:
        template = tool.extract(domain)
        for m in list(template)[1:4]:
            key = m.id[0] if isinstance(m.id, tuple) else m.id
            if isinstance(m.id, tuple):
                assert cat.ngettext(m.id[0], m.id[1], 1) != m.id[0] or m.id[0].isascii() is False
            else:
                assert cat.gettext(key) != key, f"{domain}: {key!r} is not translated at run time"
