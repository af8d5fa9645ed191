import ast
import pathlib
import subprocess
import sys

import playground.viz as viz

VIZ_DIR = pathlib.Path(viz.__file__).parent


def test_viz_never_imports_streamlit_or_the_engine():
    code = (
        "import sys, numpy as np, playground.viz as v\n"
        "v.boundary_image(np.zeros((4, 4)), 'binary', x_range=(0, 1), y_range=(0, 1))\n"
        "v.loss_chart([{'epoch': 1, 'train_loss': 1.0}]).to_dict()\n"
        "bad = [m for m in sys.modules\n"
        "       if m.split('.')[0] == 'streamlit' or m.startswith('playground.engine')]\n"
        "assert not bad, bad\n"
    )
    root = VIZ_DIR.parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_no_module_imports_streamlit_or_pillow_at_runtime():
    for path in VIZ_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top not in ("streamlit", "PIL"), f"{path.name} imports {name}"
                assert not name.startswith("playground.engine"), f"{path.name} imports {name}"


def test_public_api_is_exported():
    for name in viz.__all__:
        assert hasattr(viz, name), name
