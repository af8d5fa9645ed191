"""The project installs as a package: ``pip install .`` gives a notebook ``import playground.engine``
with NumPy as its only dependency (``pyproject.toml``; the app's packages are the ``app`` extra).

Builds the wheel from a copy of the checkout (so no ``build/`` or ``*.egg-info`` lands in the source
tree), checks what it holds, installs it with NumPy alone into a clean virtual environment (no system
site-packages) and trains a small net there.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.packaging
COPY_IGNORE = shutil.ignore_patterns(
    ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist", "*.egg-info", "artifacts"
)


def pip(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src") / "checkout"
    shutil.copytree(ROOT, src, ignore=COPY_IGNORE)
    out = tmp_path_factory.mktemp("wheelhouse")
    # --no-build-isolation: the installed setuptools builds it (no download of build requirements).
    result = pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", str(src), "-w", str(out))
    if result.returncode != 0 and "No module named 'setuptools'" in result.stderr:
        pytest.skip("setuptools is not installed, so the wheel cannot be built offline")
    assert result.returncode == 0, result.stdout + result.stderr
    (whl,) = out.glob("nn_playground-*.whl")
    return whl


def test_the_wheel_holds_the_package_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"playground", next(t for t in top if t.endswith(".dist-info"))}, top
    for unit in ("engine", "data", "viz", "lessons", "experiment", "ui", "hosting"):
        assert f"playground/{unit}/__init__.py" in names, unit
    for asset in ("netview.js", "netview.css"):  # the network view's browser code ships with it
        assert f"playground/ui/netview/{asset}" in names, asset
    # the compiled catalogs: a plain install shows the app in Chinese too
    assert "playground/i18n/locale/zh/LC_MESSAGES/core.mo" in names
    data_files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "playground").rglob("*") if p.is_file()]
    shipped = [p for p in data_files if p.endswith((".npz", ".txt", ".mo", ".json", ".csv", ".gz"))]
    missing = [p for p in shipped if p not in names and "__pycache__" not in p]
    assert not missing, f"package data missing from the wheel (pyproject package-data): {missing}"
    assert not [n for n in names if n.startswith(("tests/", "pages/", "benchmarks/", "tools/", "app.py"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_metadata_declares_numpy_alone_and_the_app_extra(wheel):
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    msg = email.message_from_string(meta)
    requires = msg.get_all("Requires-Dist")
    core = [r for r in requires if "extra ==" not in r]
    assert core == ["numpy>=1.26"], requires
    assert set(msg.get_all("Provides-Extra")) == {"app", "workshop"}
    from packaging.requirements import Requirement

    def parsed(lines):
        return {(r.name, r.specifier) for r in map(Requirement, lines)}

    app = parsed(r.split(";")[0].strip() for r in requires if 'extra == "app"' in r)
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    listed = parsed(x for x in lines if x and x != "numpy>=1.26")
    assert app == listed, "the app extra must match requirements.txt"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == ["numpy>=1.26"]


def test_a_notebook_imports_the_engine_with_numpy_alone(wheel, tmp_path):
    wheelhouse = wheel.parent
    numpy_spec = f"numpy=={version('numpy')}"
    got = pip("download", "--no-deps", "--only-binary=:all:", numpy_spec, "-d", str(wheelhouse))
    if got.returncode != 0:
        pytest.skip(f"no NumPy wheel to install in a clean environment ({numpy_spec}): {got.stderr[-300:]}")
    venv = tmp_path / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True, timeout=60
    )
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtual environment here: {made.stderr[-300:]}")
    python = venv / "bin" / "python"
    installed = pip(
        "--python",
        str(python),
        "install",
        "--no-compile",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        str(wheel),
    )
    if installed.returncode != 0 and "no such option: --python" in installed.stderr:
        pytest.skip("this pip cannot install into another environment (pip --python needs pip ≥ 22.3)")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    code = textwrap.dedent(
        """
        import importlib.util
        import numpy as np
        import playground.engine as E
        from playground.data import make_dataset, split_dataset
        assert "/venv/" in E.__file__, E.__file__
        for name in ("streamlit", "altair", "plotly", "pandas"):
            assert importlib.util.find_spec(name) is None, name + " is installed in the clean venv"
        ds = make_dataset("circle", n_samples=200, noise=0, seed=0)
        s = split_dataset(ds, train_fraction=0.5, val_fraction=0.0, seed=0)
        net = E.Network(E.NetworkConfig(n_inputs=2, hidden=[6], activation="tanh", seed=1))
        data = E.TrainData(s.X_train, s.y_train, None, None, s.X_test, s.y_test)
        trainer = E.Trainer(net, data, E.TrainConfig(optimizer="adam", learning_rate=0.03))
        trainer.run_epochs(40)
        assert trainer.history[-1]["train_acc"] > 0.9, trainer.history[-1]
        try:
            import playground.viz
        except ImportError:
            pass
        else:
            raise AssertionError("playground.viz imported without its app packages")
        print("ok")
        """
    )
    # -I: isolated (no user site, no PYTHON* variables, no current directory on sys.path), run
    # outside the checkout so the source tree cannot be imported by mistake.
    ran = subprocess.run(
        [str(python), "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.strip() == "ok", ran.stdout
