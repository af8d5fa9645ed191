"""Which source files' messages go into which catalog (``locale/<lang>/LC_MESSAGES/<domain>.po``).

One catalog per area, so that the people working on different labs do not edit the same file.
A file belongs to the first domain whose patterns match its path (relative to the project root,
``fnmatch`` syntax); ``core`` takes the rest. Read by ``scripts/i18n.py`` and the catalog tests.
"""

from __future__ import annotations

DOMAINS: dict[str, tuple[str, ...]] = {
    "conv": (
        "pages/convolution.py",
        "playground/lessons/conv*.py",
        "playground/viz/conv*.py",
        "playground/ui/conv*.py",
        "playground/data/digits*.py",
        "playground/data/images*.py",
    ),
    "wordvec": (
        "pages/word_embeddings.py",
        "playground/lessons/wordvec*.py",
        "playground/viz/wordvec*.py",
        "playground/ui/wordvec*.py",
    ),
    "fasttext": (
        "pages/fasttext.py",
        "playground/lessons/fasttext*.py",
        "playground/lessons/textcnn*.py",
        "playground/viz/fasttext*.py",
        "playground/ui/fasttext*.py",
    ),
    "rnn": (
        "pages/recurrent.py",
        "playground/lessons/rnn*.py",
        "playground/viz/rnn*.py",
        "playground/ui/rnn*.py",
        "playground/data/sequences*.py",
    ),
    "lessons": (
        "pages/activations_init.py",
        "pages/optimizers.py",
        "pages/backprop.py",
        "pages/overfitting.py",
        "pages/hyperparameter_search.py",
        "playground/lessons/*.py",
        "playground/viz/lessons.py",
        "playground/viz/network.py",
    ),
    "engine": (
        "playground/engine/*.py",
        "playground/data/*.py",
        "playground/text/*.py",
        "playground/experiment/*.py",
        "playground/urlconfig.py",
        "playground/errors.py",
        "playground/limits.py",
    ),
    "core": (
        "app.py",
        "pages/*.py",
        "playground/*.py",
        "playground/*/*.py",
        "playground/*/*/*.py",
    ),
}

# Files whose strings are never shown to a learner (tooling, the translation layer itself).
EXCLUDED: tuple[str, ...] = ("playground/i18n/*.py", "playground/engine/gradcheck.py")


def domain_of(path: str) -> str | None:
    """The domain of ``path`` (posix, relative to the project root), or None if excluded."""
    from fnmatch import fnmatch

    if any(fnmatch(path, pat) for pat in EXCLUDED):
        return None
    for domain, patterns in DOMAINS.items():
        if any(fnmatch(path, pat) for pat in patterns):
            return domain
    return None
