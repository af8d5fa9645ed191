"""Imports flow one way: every ``import`` in app.py, pages/ and playground/ follows the table below.

Read statically (AST, no module is imported, ~0.1 s), so it also sees imports inside functions and
under ``if TYPE_CHECKING:``. A *unit* is ``app``, ``pages``, the ``playground`` package's own
``__init__`` (``playground``), or a direct child of ``playground`` (``playground.viz``,
``playground.limits``, …). The table is also the README's "Layout" section.

    pages, app -> ui -> viz, lessons, experiment, urlconfig, hosting -> engine, data, text
        -> errors, limits, i18n

- An arrow only points down (skipping rows is fine), and within a row only ``urlconfig -> experiment``
  exists (the URL format is the Playground config's). viz imports no other unit: it is given plain
  data (arrays, records) and the grid's values, never a model.
- viz never imports lessons or experiment (it takes plain data); lessons and the engine never import
  viz; experiment does not import viz; hosting knows a run only through its ``state_dict``: it imports
  neither experiment nor the engine.
- engine and data are independent libraries a notebook can use with NumPy alone: they import neither
  each other nor ``limits`` (the caps are the app's policy on a shared server; a caller passes a cap
  in as an argument, e.g. ``CsvLimits``).
- The engine, data and text stay language-free: they raise errors with a message id and parameters
  and never import ``i18n``; the units above them translate what they show.
- ``limits``, ``errors`` and ``i18n`` are leaves (standard library only) that the app's units read.

Third-party packages are ruled per unit too; with the edges this proves, statically, what the old
subprocess tests checked at run time: importing ``playground.engine`` or ``playground.data`` loads
nothing but NumPy and the standard library (so no Streamlit, plotting or pandas), and viz never loads
Streamlit or Pillow.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)

#: unit -> the project's units it may import (a unit may always import itself).
ALLOWED: dict[str, set[str]] = {
    "playground.errors": set(),
    "playground.limits": set(),
    "playground.i18n": set(),
    "playground": {"playground.errors"},
    "playground.data": {"playground.errors"},
    "playground.text": {"playground.errors"},
    "playground.engine": {"playground.errors"},
    "playground.viz": {"playground.i18n"},
    "playground.lessons": {
        "playground.engine",
        "playground.data",
        "playground.text",
        "playground.errors",
        "playground.i18n",
    },
    "playground.experiment": {
        "playground.i18n",
        "playground.engine",
        "playground.data",
        "playground.errors",
        "playground.limits",
    },
    "playground.urlconfig": {
        "playground.i18n",
        "playground.experiment",
        "playground.engine",
        "playground.data",
        "playground.errors",
        "playground.limits",
    },
    "playground.hosting": {"playground.errors", "playground.limits", "playground.i18n"},
}
BELOW_UI = set(ALLOWED) - {"playground"}
ALLOWED["playground.ui"] = BELOW_UI
ALLOWED["pages"] = BELOW_UI | {"playground.ui"}
ALLOWED["app"] = BELOW_UI | {"playground.ui"}

#: unit -> the third-party packages it may import (the standard library is always allowed).
APP_PACKAGES = {"numpy", "streamlit", "pandas", "pyarrow", "altair", "plotly"}
THIRD_PARTY: dict[str, set[str]] = {
    "playground.errors": set(),
    "playground.limits": set(),
    "playground.i18n": set(),
    "playground": set(),
    "playground.data": {"numpy"},
    "playground.text": {"numpy"},
    "playground.engine": {"numpy"},
    "playground.viz": {"numpy", "altair", "plotly", "pandas"},
    "playground.lessons": {"numpy"},
    "playground.experiment": {"numpy"},
    "playground.urlconfig": {"numpy"},
    # redis: the optional workshop extra; starlette: Streamlit's own web server (the upload guard)
    "playground.hosting": {"numpy", "streamlit", "starlette", "redis"},
    "playground.ui": APP_PACKAGES,
    "pages": APP_PACKAGES,
    "app": APP_PACKAGES,
}

#: Single module-to-module edges allowed against the table, each with its reason and its end.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "pages":
        return "pages"
    if parts[0] == "app":
        return "app"
    return ".".join(parts[:2])


@cache
def source_files() -> tuple[Path, ...]:
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    files += sorted((ROOT / "playground").rglob("*.py"))
    return tuple(files)


def is_project_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``; ``from pkg import mod`` names
    ``pkg.mod`` when that is a module of the project."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((node.lineno, sub if is_project_module(sub) else base))
    return out


def is_project(name: str) -> bool:
    return name.split(".")[0] in ("playground", "pages") or name == "app"


def violations() -> list[str]:
    found = []
    for path in source_files():
        me = module_name(path)
        unit = unit_of(me)
        assert unit in ALLOWED, f"{path.relative_to(ROOT)}: unit {unit!r} is not in the table; add it"
        for line, name in imports_of(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            top = name.split(".")[0]
            if is_project(name):
                target = unit_of(name)
                if target == unit or target in ALLOWED[unit] or (me, name) in EXCEPTIONS:
                    continue
                found.append(f"{where}: {unit} may not import {target} ({name})")
            elif top not in STDLIB and top != "__future__" and top not in THIRD_PARTY[unit]:
                found.append(f"{where}: {unit} may not import the third-party package {top!r}")
    return found


def test_imports_follow_the_table():
    bad = list(dict.fromkeys(violations()))
    assert not bad, "imports against the layering:\n  " + "\n  ".join(bad)


def test_the_exceptions_are_still_needed():
    used = {(module_name(p), name) for p in source_files() for _, name in imports_of(p)}
    stale = [f"{a} -> {b}" for a, b in EXCEPTIONS if (a, b) not in used]
    assert not stale, f"remove these from EXCEPTIONS, nothing imports them any more: {stale}"


def test_the_table_points_down():
    """No cycles between units: the table is a layering, not just a list."""
    seen: dict[str, int] = {}

    def depth(unit: str, stack: tuple[str, ...] = ()) -> int:
        assert unit not in stack, f"cycle: {' -> '.join((*stack, unit))}"
        if unit not in seen:
            seen[unit] = 1 + max((depth(u, (*stack, unit)) for u in ALLOWED[unit]), default=0)
        return seen[unit]

    for unit in ALLOWED:
        depth(unit)
    assert seen["app"] == seen["pages"] > seen["playground.ui"] > seen["playground.urlconfig"]
    assert seen["playground.experiment"] > seen["playground.engine"] > seen["playground.errors"]


def closure(unit: str) -> set[str]:
    """Every unit that importing ``unit`` can load (its imports, theirs, and the package __init__s)."""
    todo, done = [unit, "playground"], set()
    while todo:
        u = todo.pop()
        if u not in done:
            done.add(u)
            todo += ALLOWED[u]
    return done


def test_engine_and_data_need_nothing_but_numpy():
    for unit in ("playground.engine", "playground.data", "playground.text"):
        packages = set().union(*(THIRD_PARTY[u] for u in closure(unit)))
        assert packages == {"numpy"}, (unit, packages)
    assert "playground.viz" not in closure("playground.engine")
    assert "playground.text" not in closure("playground.engine")  # text makes ids; the engine trains on ids


def test_viz_loads_neither_streamlit_nor_pillow_nor_the_engine():
    units = closure("playground.viz")
    packages = set().union(*(THIRD_PARTY[u] for u in units))
    assert "streamlit" not in packages and "PIL" not in packages
    assert not units & {"playground.engine", "playground.lessons", "playground.experiment"}


def test_the_checker_catches_a_violation(tmp_path, monkeypatch):
    """The AST reader sees imports inside functions and relative imports."""
    pkg = tmp_path / "playground" / "engine"
    pkg.mkdir(parents=True)
    (tmp_path / "playground" / "__init__.py").write_text("")
    (tmp_path / "playground" / "viz.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text("def f():\n    import streamlit\n    from .. import viz\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    source_files.cache_clear()
    monkeypatch.setattr(sys.modules[__name__], "source_files", lambda: tuple(sorted(tmp_path.rglob("*.py"))))
    assert sorted(b.split(": ", 1)[1] for b in violations()) == [
        "playground.engine may not import playground.viz (playground.viz)",
        "playground.engine may not import the third-party package 'streamlit'",
    ]


def test_the_readme_shows_this_table():
    """The README's Layout table lists, per unit, exactly the edges and packages allowed here."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [r for r in text.split("## Layout", 1)[1].split("\n## ", 1)[0].splitlines() if r.startswith("| `")]
    assert rows, "no table in the README's Layout section"
    seen, previous = set(), set()

    def names(cell: str) -> set[str]:
        cell = re.sub(r"\(.*?\)", "", cell).strip()
        return set() if cell == "—" else {n.strip() for n in cell.split(",")}

    for row in rows:
        units_cell, edges_cell, packages_cell = (c.strip() for c in row.strip("|").split("|"))
        units = {u.removesuffix("/").removesuffix(".py") for u in re.findall(r"`([^`]+)`", units_cell)}
        packages = previous if packages_cell == "the same" else names(packages_cell)
        previous = packages
        for unit in units:
            seen.add(unit)
            if edges_cell == "every unit below":
                edges = BELOW_UI | {"playground.ui"}
            else:
                edges = {f"playground.{n}" for n in names(edges_cell)}
            assert edges == ALLOWED[unit], (unit, sorted(edges ^ ALLOWED[unit]))
            assert packages == THIRD_PARTY[unit], (unit, sorted(packages ^ THIRD_PARTY[unit]))
    assert seen == set(ALLOWED) - {"playground"}, sorted(seen ^ set(ALLOWED))
