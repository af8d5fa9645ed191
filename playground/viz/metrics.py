"""Evaluation charts: a confusion matrix and a hyperparameter-search scatter."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from playground.i18n import N_, _
from playground.viz import palette
from playground.viz.tables import frame
from playground.viz.tables import number as _number


def confusion_rows(matrix, class_names: Sequence[str] | None = None) -> list[dict]:
    """One row per cell: ``{"actual", "predicted", "count", "fraction"}``; fraction is of the actual class."""
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"a confusion matrix must be square (K, K), got shape {m.shape}")
    k = m.shape[0]
    names = [str(n) for n in (class_names or [])]
    names += [_("class {i}", i=i) for i in range(len(names), k)]
    totals = m.sum(axis=1)
    rows = []
    for i in range(k):
        for j in range(k):
            frac = float(m[i, j] / totals[i]) if totals[i] > 0 else 0.0
            count = m[i, j].item()
            rows.append({"actual": names[i], "predicted": names[j], "count": count, "fraction": frac})
    return rows


def confusion_chart(matrix, class_names: Sequence[str] | None = None, *, size: int = 260) -> alt.Chart:
    """The confusion matrix as a heatmap (rows: actual class, columns: predicted), each cell annotated with
    its count. Shading is the fraction of the actual class, so a rare class's errors are as visible as a
    common one's."""
    rows = confusion_rows(matrix, class_names)
    names = list(dict.fromkeys(r["actual"] for r in rows))
    base = alt.Chart(frame(rows, ("actual", "predicted", "count", "fraction"))).encode(
        x=alt.X("predicted:N", sort=names, title=_("predicted"), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("actual:N", sort=names, title=_("actual")),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "fraction:Q",
            scale=alt.Scale(domain=[0, 1], range=list(palette.SEQUENTIAL_STOPS)),
            legend=alt.Legend(title=_("of actual"), format=".0%", orient="right", gradientLength=size // 2),
        ),
        tooltip=[
            alt.Tooltip("actual:N", title=_("actual")),
            alt.Tooltip("predicted:N", title=_("predicted")),
            alt.Tooltip("count:Q", title=_("count")),
            alt.Tooltip("fraction:Q", format=".1%", title=_("share of actual")),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("count:Q"),
        color=alt.condition(alt.datum.fraction > 0.5, alt.value("white"), alt.value(palette.INK)),
    )
    return alt.layer(cells, text).properties(width=size, height=size)


def _log_axis(values: list[float], title: str) -> tuple[alt.Scale, alt.Axis, float | None]:
    """A log scale over whole decades, ticks at each decade only (no minor-tick clutter).

    A log axis cannot show 0 (weight decay 0 is common), so values <= 0 are plotted one decade below
    the smallest positive value and that tick is labelled "0". Returns (scale, axis, where zeros go or None).
    """
    positive = [v for v in values if v > 0]
    lo = math.floor(math.log10(min(positive))) if positive else -3
    hi = math.ceil(math.log10(max(positive))) if positive else 0
    hi = max(hi, lo + 1)
    zero_at = 10.0 ** (lo - 1) if any(v <= 0 for v in values) else None
    first = lo - 1 if zero_at is not None else lo
    ticks = [10.0**k for k in range(first, hi + 1)]
    label = "format(datum.value, '~g')"
    if zero_at is not None:
        label = f"datum.value <= {zero_at * 1.001!r} ? '0' : {label}"
    axis = alt.Axis(values=ticks, labelExpr=label, title=title)
    return alt.Scale(type="log", domain=[ticks[0], ticks[-1]]), axis, zero_at


FIELD_TITLES = {
    "lr": N_("learning rate"),
    "learning_rate": N_("learning rate"),
    "weight_decay": N_("weight decay"),
    "val_acc": N_("validation accuracy"),
    "val_loss": N_("validation loss"),
    "trial": N_("trial"),
    "status": N_("status"),
}
# Axis, legend and tooltip titles of the search scatter's fields (translated where shown).


def _title(name: str) -> str:
    return _(FIELD_TITLES[name]) if name in FIELD_TITLES else name


def scatter_search_chart(
    trials: Sequence[Mapping],
    x: str = "lr",
    y: str = "weight_decay",
    color: str = "val_acc",
    *,
    height: int = 320,
) -> alt.Chart:
    """Each trial a point at (x, y) on log axes, coloured by its score; diverged trials (score None or not
    finite) are grey crosses, trials still training (``status`` "training") hollow grey circles. Values
    of 0 sit on a tick labelled "0" below the smallest decade.

    Rows carry the true values (for the tooltip) and the plotted ones as ``_x``/``_y``.
    """
    good, bad, xs, ys = [], [], [], []
    for i, t in enumerate(trials):
        xv, yv = _number(t.get(x)), _number(t.get(y))
        if xv is None or yv is None:
            continue
        xs.append(xv)
        ys.append(yv)
        row = {"trial": int(t.get("trial", i)), x: xv, y: yv}
        score = _number(t.get(color))
        if t.get("status") == "training":
            bad.append({**row, "status": "training", "status_text": _("training")})
        elif score is None:
            bad.append({**row, "status": "diverged", "status_text": _("diverged")})
        else:
            good.append({**row, color: score, "status": "ok", "status_text": ""})
    x_scale, x_axis, x_zero = _log_axis(xs, _title(x))
    y_scale, y_axis, y_zero = _log_axis(ys, _title(y))
    for r in good + bad:
        r["_x"] = r[x] if r[x] > 0 else x_zero
        r["_y"] = r[y] if r[y] > 0 else y_zero
    x_enc = alt.X("_x:Q", scale=x_scale, axis=x_axis)
    y_enc = alt.Y("_y:Q", scale=y_scale, axis=y_axis)
    scores = [r[color] for r in good]
    domain = [min(scores), max(scores)] if scores else [0, 1]
    if domain[0] == domain[1]:
        domain = [domain[0] - 0.5, domain[1] + 0.5]
    fmt = ".3~g"
    # one dataset for both layers (split by "status"), so a page can feed new rows to a cached spec
    data = frame(good + bad, ("trial", x, y, "_x", "_y", color, "status", "status_text"))
    ok = (
        alt.Chart()
        .transform_filter(alt.datum.status == "ok")
        .mark_circle(size=90, opacity=0.9, stroke="white", strokeWidth=1)
        .encode(
            x=x_enc,
            y=y_enc,
            color=alt.Color(
                f"{color}:Q",
                title=_title(color),
                scale=alt.Scale(domain=domain, range=list(palette.SEQUENTIAL_STOPS)),
            ),
            tooltip=[
                alt.Tooltip("trial:Q", title=_title("trial")),
                alt.Tooltip(f"{x}:Q", format=fmt, title=_title(x)),
                alt.Tooltip(f"{y}:Q", format=fmt, title=_title(y)),
                alt.Tooltip(f"{color}:Q", format=fmt, title=_title(color)),
            ],
        )
    )
    diverged = (
        alt.Chart()
        .transform_filter(alt.datum.status == "diverged")
        .mark_point(shape="cross", size=80, filled=True, color=palette.MISSING, opacity=0.9)
        .encode(
            x=x_enc,
            y=y_enc,
            tooltip=[
                alt.Tooltip("trial:Q", title=_title("trial")),
                alt.Tooltip(f"{x}:Q", format=fmt, title=_title(x)),
                alt.Tooltip(f"{y}:Q", format=fmt, title=_title(y)),
                alt.Tooltip("status_text:N", title=_title("status")),
            ],
        )
    )
    training = (
        alt.Chart()
        .transform_filter(alt.datum.status == "training")
        .mark_circle(size=70, filled=False, color=palette.MISSING, strokeWidth=1.5)
        .encode(
            x=x_enc,
            y=y_enc,
            tooltip=[
                alt.Tooltip("trial:Q", title=_title("trial")),
                alt.Tooltip("status_text:N", title=_title("status")),
            ],
        )
    )
    return alt.layer(training, diverged, ok, data=data).properties(height=height, width="container")
