"""Resource caps: what one session may ask of a shared server, in one place.

Every control's range, every URL parameter's clamping and the live loop read these, so a hosted
deployment changes one file. The defaults of the live loop (update interval, epochs per update) were
measured with ``benchmarks/live_tick.py`` on a 2-core machine; see the README.
"""

from __future__ import annotations

# -- network ---------------------------------------------------------------------------------------
MAX_HIDDEN_LAYERS = 8
"""Hidden layers (TF Playground: 6)."""
MAX_NEURONS = 64
"""Units per hidden layer (TF Playground: 8)."""
MAX_DROPOUT = 0.9

# -- data ------------------------------------------------------------------------------------------
MIN_POINTS = 10
MAX_POINTS = 2000
"""Generated points per dataset (the generators allow 5000; one epoch costs batches × layers)."""
MAX_BATCH_SIZE = 500
MIN_LEARNING_RATE = 1e-5
MAX_LEARNING_RATE = 10.0
"""TF Playground's range of learning rates (its menu runs 0.00001 … 10)."""
MAX_NOISE = 50.0
"""Percent, as TF Playground's slider."""

# -- the live loop ---------------------------------------------------------------------------------
DEFAULT_UPDATE_INTERVAL = 0.08
"""Seconds between live updates while playing (the browser's timer)."""
MIN_UPDATE_INTERVAL = 0.05
MAX_UPDATE_INTERVAL = 2.0
INTERNALS_INTERVAL = 0.5
"""Seconds between updates of the activation histograms and gradient-health charts while playing
(a second, slower fragment: together with the fast views they cost the browser several times more)."""
DEFAULT_EPOCHS_PER_UPDATE = 7
"""Epochs trained per live update: 7 at ~11–12 updates/s is ~80 epochs/s, above TF Playground's ~60,
while one update stays within 25 ms of server CPU (benchmarks/live_tick.py)."""
MAX_EPOCHS_PER_UPDATE = 50
TICK_TRAIN_BUDGET_S = 0.08
"""Wall time one live update may spend training; it stops early (after a whole epoch) past this."""
MAX_TOTAL_EPOCHS = 50_000
"""A run pauses itself here, so a forgotten tab does not train forever on a shared server."""

# -- views -----------------------------------------------------------------------------------------
GRID_N = 80
"""Cells per side of the decision-boundary grid (80 × 80)."""
BOUNDARY_SCALE = 4
"""Pixels per grid cell of the live image (80 × 4 = 320 px)."""
NEURON_GRID_N = 24
"""Cells per side of each neuron's small heatmap in the network view."""
MAX_EDITABLE_WEIGHTS = 4096
"""Weight tables are offered up to this many parameters (a 64 × 64 layer)."""

# -- uploads ---------------------------------------------------------------------------------------
MAX_UPLOAD_MB = 5
"""CSV upload size; must equal ``playground.data.MAX_UPLOAD_MB`` and ``.streamlit/config.toml``."""


def as_dict() -> dict[str, float | int]:
    """Every cap by name (for the README and the About box)."""
    return {k: v for k, v in globals().items() if k.isupper() and isinstance(v, int | float)}
