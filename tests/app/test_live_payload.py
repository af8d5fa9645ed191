"""What one live tick sends for the curves and the gradient health: bounded, however long the run."""

from __future__ import annotations

import math

from playground.ui import live


def long_history(epochs: int) -> list[dict]:
    return [
        {
            "epoch": e,
            "train_loss": 1.0 / (e + 1),
            "test_loss": 1.2 / (e + 1),
            "train_acc": 1 - 0.5 / (e + 1),
            "test_acc": 1 - 0.6 / (e + 1),
        }
        for e in range(epochs + 1)
    ]


def test_the_curves_send_at_most_live_points_per_series_and_keep_the_ends():
    history = long_history(20_000)
    table = live.loss_table(history, ("loss", "acc")).to_pandas()
    per_series = table.groupby(["split", "metric"]).size()
    assert len(per_series) == 4 and per_series.max() <= live.LIVE_POINTS
    assert table["epoch"].min() == 0 and table["epoch"].max() == 20_000
    last = table[(table.split == "train") & (table.metric == "loss")].sort_values("epoch").iloc[-1]
    assert math.isclose(last.value, 1 / 20_001)
    # a short run is drawn whole
    assert len(live.loss_table(long_history(50), ("loss",)).to_pandas()) == 2 * 51


def test_the_gradient_health_is_thinned_the_same_way():
    records = [{"epoch": e, "layer": f"layer {k}", "grad_norm": 0.1} for e in range(5000) for k in (1, 2)]
    frame = live.health_frame(records, "grad_norm", True)
    assert frame["epoch"].nunique() <= live.LIVE_POINTS
    assert frame["epoch"].max() == 4999 and set(frame["layer"]) == {"layer 1", "layer 2"}
