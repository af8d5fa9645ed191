"""Entry point: ``streamlit run app.py``. Multipage navigation; every page file lives in ``pages/``.

Add a page by appending one ``st.Page`` to ``PAGES`` (lessons go after the Playground).
"""

import os

# Threads only hurt the tiny matrices of a playground and starve other sessions: set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from playground.ui.preload import import_all  # noqa: E402  (safe in any thread, see there)

# Every module of the package, imported once under a lock before any page runs.
import_all()

import streamlit as st  # noqa: E402

from playground.hosting.streamlit_glue import configure, gate  # noqa: E402
from playground.i18n import _  # noqa: E402
from playground.ui.lang import init_language, language_switch  # noqa: E402

# Workshop mode (PLAYGROUND_* variables or a TOML file; see "Hosting a workshop" in the README):
# lowers the caps and opens the checkpoint store once per process. A no-op for one learner.
configure()

# The session's language (URL lang=, the browser's Accept-Language, or the sidebar switch), active
# for everything this run shows; the page titles below are translated with it.
init_language()
st.set_page_config(page_title=_("NN Playground"), page_icon="🧠", layout="wide")

PAGES = [
    st.Page("pages/live_playground.py", title=_("Playground"), icon=":material/hub:", default=True),
    st.Page(
        "pages/activations_init.py", title=_("Activations & initialization"), icon=":material/bar_chart:"
    ),
    st.Page("pages/optimizers.py", title=_("Optimizers & learning rates"), icon=":material/sports_score:"),
    st.Page("pages/backprop.py", title=_("Backprop step by step"), icon=":material/account_tree:"),
    st.Page("pages/overfitting.py", title=_("Overfitting & regularization"), icon=":material/compare:"),
    st.Page("pages/hyperparameter_search.py", title=_("Hyperparameter search"), icon=":material/search:"),
    st.Page("pages/convolution.py", title=_("Convolutional networks"), icon=":material/grid_on:"),
    st.Page("pages/fasttext.py", title=_("fastText text classification"), icon=":material/label:"),
    st.Page("pages/word_embeddings.py", title=_("Word embeddings"), icon=":material/scatter_plot:"),
    st.Page("pages/recurrent.py", title=_("Recurrent networks"), icon=":material/replay:"),
]

language_switch()
# Every page alike: rerun pacing and, in a workshop, admission (the room-full page when the replica is
# full). Live fragments take turns with hosting.live_turn.
gate()
st.navigation(PAGES).run()
