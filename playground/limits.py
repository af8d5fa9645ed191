"""Resource caps: what one session may ask of a shared server, as one frozen object.

``caps()`` is the object in force: every control's range, every URL parameter's clamping, the
validation of a config and the live loop read it *when they run* (nothing copies a cap into a
module constant at import time), so a workshop that lowers a cap (``PLAYGROUND_CAP_MAX_POINTS=300``,
see ``playground.hosting.settings``) changes all of them at once with :func:`install`. The defaults
of the live loop (update interval, epochs per update) were measured with ``benchmarks/live_tick.py``
on a 2-core machine; see the README.

The old spellings (``limits.MAX_POINTS``) still read the caps in force, through the module's
``__getattr__``.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Caps:
    """Every cap by name; ``dataclasses.replace(caps(), max_points=300)`` gives a lowered copy."""

    # -- network
    max_hidden_layers: int = 8
    """Hidden layers (TF Playground: 6)."""
    max_neurons: int = 64
    """Units per hidden layer (TF Playground: 8)."""
    max_dropout: float = 0.9
    # -- data
    min_points: int = 10
    max_points: int = 2000
    """Generated points per dataset (the generators allow 5000; one epoch costs batches × layers)."""
    max_batch_size: int = 500
    min_learning_rate: float = 1e-5
    max_learning_rate: float = 10.0
    """TF Playground's range of learning rates (its menu runs 0.00001 … 10)."""
    max_noise: float = 50.0
    """Percent, as TF Playground's slider."""
    # -- the live loop
    default_update_interval: float = 0.08
    """Seconds between live updates while playing (the browser's timer)."""
    min_update_interval: float = 0.05
    max_update_interval: float = 2.0
    internals_interval: float = 0.5
    """Seconds between updates of the activation histograms and gradient-health charts while playing
    (drawn once per run of the live fragment, which repeats the fast views every update interval for about
    this long: drawn with every update they would cost the browser several times more)."""
    default_epochs_per_update: int = 6
    """Epochs trained per live update. The page shows 12–13 updates a second while playing (the live views
    repeat within one fragment run, ``playground.ui.liveloop``), so 6 epochs show 70–80 a second, above TF
    Playground's pace of ~60, for ~20 ms of server CPU per update (benchmarks/live_tick.py). When each
    update was its own run the browser managed only 7–10 a second and this was 9."""
    max_epochs_per_update: int = 50
    tick_train_budget_s: float = 0.08
    """Wall time one live update may spend training; it stops early (after a whole epoch) past this."""
    max_total_epochs: int = 50_000
    """A run pauses itself here, so a forgotten tab does not train forever on a shared server."""
    # -- views
    grid_n: int = 80
    """Cells per side of the decision-boundary grid (80 × 80)."""
    boundary_scale: int = 4
    """Pixels per grid cell of the live image (80 × 4 = 320 px)."""
    neuron_grid_n: int = 24
    """Cells per side of each neuron's small heatmap in the network view."""
    view_budget_macs: float = 6.6e7
    """Multiply-adds one live view may cost: the boundary grid (and the neuron maps' grid) get fewer
    cells per side when cells × the network's parameters would exceed it (≈ 20 ms at the ≈ 3 GMAC/s
    measured for NumPy's float64 matmul here; an 80 × 80 grid through 8 maxout(64, k=5) layers took
    288 ms). Every net of up to ~10 000 parameters keeps the full grid."""
    min_grid_n: int = 20
    """The coarsest boundary grid (and 12 for the neuron maps) a heavy network is drawn with."""
    max_editable_weights: int = 4096
    """Weight tables are offered up to this many parameters (a 64 × 64 layer)."""
    # -- uploads
    max_upload_mb: int = 5
    """CSV upload size in MB (1 MB = 1024² bytes): the parser, the uploader's label and Streamlit's
    own per-widget limit all read it."""

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def lowered(self, **values: float) -> Caps:
        """A copy with the given caps lowered (a value above the current one is ignored: never raised).

        Minimums (``min_*``) follow the other way: a workshop may only raise them."""
        changes = {}
        for name, value in values.items():
            current = getattr(self, name)
            new = type(current)(value)
            if (new > current) if name.startswith("min_") else (new < current):
                changes[name] = new
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT = Caps()
_lock = threading.Lock()
_current = DEFAULT


def caps() -> Caps:
    """The caps in force (the defaults, or what a workshop installed)."""
    return _current


def install(new: Caps) -> Caps:
    """Make ``new`` the caps in force; returns the previous ones (so a test can put them back)."""
    global _current
    if not isinstance(new, Caps):
        raise TypeError(f"install() takes a Caps, got {type(new).__name__}")
    with _lock:
        old, _current = _current, new
    return old


def as_dict() -> dict[str, float | int]:
    """Every cap in force by its upper-case name (for the README and the About box)."""
    return {name.upper(): value for name, value in caps().as_dict().items()}


def __getattr__(name: str):
    """``limits.MAX_POINTS`` etc.: the cap in force, read now (the old module-constant spelling)."""
    lower = name.lower()
    if name.isupper() and lower in Caps.__dataclass_fields__:
        return getattr(_current, lower)
    raise AttributeError(f"module 'playground.limits' has no attribute {name!r}")
