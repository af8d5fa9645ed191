"""Shared test set-up: make the project importable and keep NumPy single-threaded."""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# CI runs property tests with a fixed seed, so a run is reproducible and a newly found edge case
# shows up in a developer's run first (where the example database keeps it) rather than flaking CI.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
