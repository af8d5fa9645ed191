"""Find user-visible string literals that bypass the translation layer (used by test_literals.py).

A literal counts as text when it reads as words: two words of letters separated by spaces, or one
capitalized word ("Play"). It is fine inside a translation call (``_``, ``N_``, ``ngettext``), as a
message id of our errors, a docstring, a log or internal-error message, a key (dict key, subscript,
``key=``, ``st.session_state``), a comparison operand, a symbol of the allow-list below, or on a line
marked ``# i18n: not text`` (CSS, Vega-Lite field names, HTML scaffolding).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCOPES = ("app.py", "pages", "playground/ui", "playground/viz", "playground/lessons")

TRANSLATE_CALLS = {"_", "N_", "ngettext", "ConfigError", "DataError", "PlaygroundError"}
INTERNAL_ERRORS = {
    "ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError", "IndexError",
    "NotImplementedError", "AttributeError", "LookupError", "OSError",
}  # fmt: skip
QUIET_CALLS = {
    "debug", "info", "warning", "exception", "critical", "error_log", "getLogger", "getattr",
    "hasattr", "setattr", "get", "pop", "setdefault", "startswith", "endswith", "split", "join",
    "replace", "encode", "decode", "strip", "rstrip", "lstrip", "format_map", "strftime",
    "register", "dataclass", "field", "cache_data", "cache_resource", "compile", "match", "sub",
    "search", "fullmatch", "findall", "warn", "query_params", "astype", "dtype",
}  # fmt: skip
# Symbols that read as words but are names every language uses (the notes write them in Latin).
ALLOWED = {
    "ReLU", "Leaky ReLU", "PReLU", "RReLU", "ELU", "SELU", "GELU", "Softplus", "Maxout", "Adam",
    "AdamW", "AdaGrad", "RMSProp", "Nesterov", "Momentum", "SGD", "Xavier", "He", "LeCun", "MSE",
    "Dropout", "Iris", "PyTorch", "TensorFlow", "NumPy", "GloVe", "CBOW", "LSTM", "GRU", "RNN",
    "CNN", "ResNet", "Huffman", "fastText", "MNIST", "UCI", "Tanh", "Sigmoid", "Swish", "Mish",
}  # fmt: skip

_WORDS = re.compile(r"[A-Za-z]{2,}[ \t\n]+[A-Za-z]{2,}")
_CAPITALIZED = re.compile(r"^[A-Z][a-z]{2,}")
_PRAGMA = "i18n: not text"


def looks_like_text(s: str) -> bool:
    s = s.strip()
    if not s or s in ALLOWED:
        return False
    if s.startswith(("http://", "https://", ":material/", "#", "data:", "<svg", "/")):
        return False
    return bool(_WORDS.search(s) or _CAPITALIZED.match(s))


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.found: list[tuple[int, str]] = []
        self._skip: set[int] = set()

    def _skip_tree(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            self._skip.add(id(sub))

    def visit_Module(self, node):  # docstrings
        self._docstring(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._docstring(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._docstring(node)
        self.generic_visit(node)

    def _docstring(self, node):
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self._skip_tree(body[0])

    def visit_Call(self, node: ast.Call):
        name = _call_name(node)
        if name in TRANSLATE_CALLS or name in QUIET_CALLS or name in INTERNAL_ERRORS:
            self._skip_tree(node)
        for kw in node.keywords:
            if kw.arg in {"key", "url_path", "column", "field", "type", "format", "color", "dtype"}:
                self._skip_tree(kw.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict):
        for k in node.keys:
            if k is not None:
                self._skip_tree(k)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript):
        self._skip_tree(node.slice)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare):
        for sub in [node.left, *node.comparators]:
            if isinstance(sub, ast.Constant | ast.Tuple | ast.List | ast.Set):
                self._skip_tree(sub)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign):
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            self._skip_tree(node.value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant):
        if id(node) in self._skip or not isinstance(node.value, str):
            return
        self._check(node, node.value)

    def visit_JoinedStr(self, node: ast.JoinedStr):
        if id(node) in self._skip:
            return
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        self._check(node, text)
        self._skip_tree(node)

    def _check(self, node: ast.AST, text: str) -> None:
        if not looks_like_text(text):
            return
        first, last = node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno
        span = self.lines[first - 1 : last]
        if any(_PRAGMA in line for line in span):
            return
        self.found.append((first, text.strip().splitlines()[0][:70]))


def files() -> list[Path]:
    out: list[Path] = []
    for scope in SCOPES:
        p = ROOT / scope
        out.extend([p] if p.is_file() else sorted(p.rglob("*.py")))
    return out


def untranslated(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    finder = _Finder(source.splitlines())
    finder.visit(ast.parse(source))
    return finder.found


def shadowing(path: Path) -> list[int]:
    """Lines that rebind ``_`` in a module that imports the translation function as ``_``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_underscore = any(
        isinstance(n, ast.ImportFrom) and any(a.name == "_" and a.asname is None for a in n.names)
        for n in ast.walk(tree)
    )
    if not imports_underscore:
        return []
    bad = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store):
            bad.append(n.lineno)
        if isinstance(n, ast.arg) and n.arg == "_":
            bad.append(n.lineno)
    return bad
