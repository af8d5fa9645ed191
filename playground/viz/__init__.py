"""Pure chart builders: plain data (arrays, dicts, histories) in, images or figures out.

No Streamlit, no engine and no lesson imports, so every chart can be built and checked in a test. The
live page uses the cheap ones (NumPy RGB images, Altair/Vega-Lite charts); the Plotly figures are for
paused views.

Grid orientation (the one grid, ``playground.data.grid.grid_axes``, computed by the caller):
``grid_values[i, j]`` is the output at ``(xs[j], ys[i])``, with ``ys`` descending, so row 0 is the top
of the image (y = y_max).
"""

from playground.viz.boundary import boundary_figure, boundary_image, boundary_rgb
from playground.viz.curves import compare_chart, downsample, history_frame, loss_chart
from playground.viz.health import dead_units_chart, grad_norm_chart, update_ratio_chart
from playground.viz.histograms import activation_histograms, histogram_grid
from playground.viz.metrics import confusion_chart, scatter_search_chart
from playground.viz.network import (
    NETWORK_VIEW_LIMITS,
    network_figure,
    network_image,
    network_layout,
    network_view_too_large,
)
from playground.viz.palette import (
    CLASS_COLORS,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SPLIT_COLORS,
    class_rgb,
    diverging_rgb,
    sequential_rgb,
)
from playground.viz.png import data_uri, encode_png

__all__ = [
    "CLASS_COLORS",
    "NEGATIVE",
    "NETWORK_VIEW_LIMITS",
    "NEUTRAL",
    "POSITIVE",
    "SPLIT_COLORS",
    "activation_histograms",
    "boundary_figure",
    "boundary_image",
    "boundary_rgb",
    "class_rgb",
    "compare_chart",
    "confusion_chart",
    "data_uri",
    "dead_units_chart",
    "diverging_rgb",
    "downsample",
    "encode_png",
    "grad_norm_chart",
    "histogram_grid",
    "history_frame",
    "loss_chart",
    "network_figure",
    "network_image",
    "network_layout",
    "network_view_too_large",
    "scatter_search_chart",
    "sequential_rgb",
    "update_ratio_chart",
]
