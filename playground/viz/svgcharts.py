"""The Playground's live curves and confusion matrix as small SVG documents (data in, text out).

While playing these go out several times a second. As Vega-Lite charts they cost the browser most of
its main thread (Vega re-runs its dataflow, scales and axes through its CSP-safe expression interpreter
on every update: about 250 ms/s for the curves alone, so the page dropped to half its update rate);
as SVG the browser swaps one small element. The charts keep what the Vega versions showed: train,
validation and test in the palette's split styles, short tick labels (a flat curve never gets ticks
1e-12 apart), a log scale for the loss on request, the accuracy as a share; the confusion matrix shaded
by the fraction of the actual class with each count written in its cell. Words come from the caller
or the active language and are escaped (user text such as a CSV's class names is text, never markup).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from playground.i18n import _
from playground.viz import palette
from playground.viz.curves import METRIC_TITLES, SPLIT_TITLES
from playground.viz.histograms import histogram_rows
from playground.viz.metrics import confusion_rows

FONT = 'font-family="inherit"'  # the page's font (an inline SVG's text inherits it)
FIT = 'style="max-width:100%;height:auto"'  # shrinks with a narrow column, never grows
TICK = 11
LABEL = 12
SHARES = ("acc", "accuracy", "dead_fraction")  # metrics drawn as a share (ticks in %)


# ------------------------------------------------------------------------------------------------
# scales and ticks


def nice_step(span: float, count: int = 5) -> float:
    """A 1-2-5 step giving about ``count`` ticks over ``span``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag * 1.0000001:
            return m * mag
    return 10 * mag


def linear_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    step = nice_step(hi - lo, count)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, v = [], first
    while v <= hi + step * 1e-9 and len(ticks) < 50:
        ticks.append(0.0 if abs(v) < step * 1e-9 else v)
        v += step
    return ticks


def log_ticks(lo: float, hi: float) -> list[float]:
    """Decades within [lo, hi]; 1-2-5 within a decade when the range spans less than one."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    ticks = [10.0**k for k in range(a, b + 1) if lo * 0.999 <= 10.0**k <= hi * 1.001]
    if len(ticks) < 2:
        ticks = [
            m * 10.0**k for k in range(a, b + 1) for m in (1, 2, 5) if lo * 0.999 <= m * 10.0**k <= hi * 1.001
        ]
    if len(ticks) < 2:
        ticks = [lo, hi]
    return ticks


def tick_label(value: float, step: float | None = None, share: bool = False) -> str:
    """A tick's text, at most 6 characters: as many decimals as the step needs, "%" for a share."""
    if share:
        decimals = 0 if step is None or step >= 0.01 else 1
        return f"{value * 100:.{decimals}f}%"
    if value == 0:
        return "0"
    if step is not None and step > 0:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        while decimals < 8 and abs(round(step, decimals) - step) > step * 1e-6:
            decimals += 1  # 0.25 needs two
        text = f"{value:.{decimals}f}"
        if len(text.lstrip("-")) <= 5:
            return text
    text = f"{value:.3g}"
    return text if len(text) <= 6 else f"{value:.0e}"


def y_range(values: np.ndarray, kind: str) -> tuple[float, float]:
    """The y axis's range for ``values`` (finite ones): the data's extent, a flat one widened as the
    Vega charts did (2 % of the value for "linear", ×1.05 each way for "log", 0.1 for "share")."""
    v = values[np.isfinite(values)]
    if kind == "log":
        v = v[v > 0]
    if v.size == 0:
        return (0.0, 1.0) if kind != "log" else (0.1, 1.0)
    lo, hi = float(v.min()), float(v.max())
    mid = (lo + hi) / 2
    if kind == "log":
        if hi < lo * 1.1025:
            g = math.sqrt(lo * hi)
            return g / 1.05, g * 1.05
        return lo, hi
    if kind == "share":
        if hi - lo < 0.1:
            return max(0.0, min(mid - 0.05, 0.9)), min(1.0, max(mid + 0.05, 0.1))
        return lo, hi
    half = max(0.01 * abs(mid), 1e-9)
    if hi - lo < 2 * half:
        return mid - half, mid + half
    return lo, hi


# ------------------------------------------------------------------------------------------------
# curves


@dataclass
class Panel:
    """One metric's curves: ``series`` maps a split ("train", "validation", "test") to (epochs, values)."""

    metric: str
    series: Mapping[str, tuple[np.ndarray, np.ndarray]]
    height: int = 150
    log: bool = False
    title: str | None = None
    domain: tuple[float, float] | None = None  # a fixed y range (e.g. 0–100 % of units)


Style = tuple[str, Sequence[int], str]  # a series' colour, dash pattern and legend label


def split_styles() -> dict[str, Style]:
    """Train, validation and test in the palette's split styles, labelled in the active language."""
    return {s: (palette.SPLIT_COLORS[s], palette.SPLIT_DASHES[s], _(t)) for s, t in SPLIT_TITLES.items()}


def curves_svg(
    panels: Sequence[Panel],
    width: int = 320,
    title: str | None = None,
    styles: Mapping[str, Style] | None = None,
) -> str:
    """Stacked panels sharing the epoch axis, a legend of the series on top (``styles``: each series'
    colour, dashes and label, in legend order; default the splits'); an SVG document."""
    styles = split_styles() if styles is None else styles
    left, right, gap = 52, 10, 14
    top = 8 + (22 if title else 0)
    legend_h = 20
    splits = [s for s in styles if any(s in p.series for p in panels)]
    all_x = [np.asarray(p.series[s][0], dtype=float) for p in panels for s in p.series]
    xs = np.concatenate(all_x) if all_x else np.zeros(0)
    x0 = float(xs.min()) if xs.size else 0.0
    x1 = float(xs.max()) if xs.size else 1.0
    if x1 <= x0:
        x1 = x0 + 1
    pw = width - left - right
    out: list[str] = []
    y = top
    if title:
        out.append(f'<text x="0" y="{top - 10}" font-size="14" font-weight="600" fill="{palette.INK}">')
        out.append(escape(title) + "</text>")
    # legend
    lx = left
    for s in splits:
        color, dash, label = styles[s]
        da = f' stroke-dasharray="{dash[0]},{dash[1]}"' if dash[1] else ""
        out.append(
            f'<line x1="{lx}" y1="{y + 8}" x2="{lx + 18}" y2="{y + 8}" stroke="{color}" '
            f'stroke-width="2"{da}/>'
        )
        name = escape(label)
        out.append(f'<text x="{lx + 22}" y="{y + 12}" font-size="{TICK}" fill="{palette.INK}">{name}</text>')
        lx += 30 + 7 * len(name) + 8 * sum(ord(c) > 0x2E80 for c in name)
    y += legend_h
    xticks = [t for t in linear_ticks(x0, x1, 5) if float(t).is_integer()] or [x0, x1]

    def sx(v):
        return left + (np.asarray(v, dtype=float) - x0) / (x1 - x0) * pw

    for i, p in enumerate(panels):
        kind = "log" if p.log else "share" if p.metric in SHARES else "linear"
        values = (
            np.concatenate([np.asarray(v, dtype=float) for _x, v in p.series.values()])
            if p.series
            else np.zeros(0)
        )
        lo, hi = p.domain if p.domain is not None else y_range(values, kind)
        h = p.height
        if kind == "log":
            llo, lhi = math.log10(lo), math.log10(hi)

            def sy(v, llo=llo, lhi=lhi, y=y, h=h):
                return y + h - (np.log10(v) - llo) / (lhi - llo) * h

            yticks = log_ticks(lo, hi)
            step = None
        else:

            def sy(v, lo=lo, hi=hi, y=y, h=h):
                return y + h - (np.asarray(v, dtype=float) - lo) / (hi - lo) * h

            yticks = linear_ticks(lo, hi, max(2, h // 35))
            step = nice_step(hi - lo, max(2, h // 35))

        out.append(f'<g class="pg-panel" data-metric="{escape(p.metric)}">')
        out.append(
            f'<rect x="{left}" y="{y}" width="{pw}" height="{h}" fill="none" stroke="{palette.GRID}"/>'
        )
        for t in yticks:
            ty = float(sy(t))
            label = tick_label(t, step, share=kind == "share")
            out.append(
                f'<line x1="{left}" y1="{ty:.1f}" x2="{left + pw}" y2="{ty:.1f}" stroke="#eceef0"/>'
                f'<text x="{left - 4}" y="{ty + 4:.1f}" font-size="{TICK}" text-anchor="end" '
                f'fill="{palette.INK}">{label}</text>'
            )
        clip = f"pgclip{i}"
        box = f'x="{left}" y="{y}" width="{pw}" height="{h}"'
        out.append(f'<clipPath id="{clip}"><rect {box}/></clipPath>')  # i18n: not text
        for s in splits:
            if s not in p.series:
                continue
            ex, ev = (np.asarray(a, dtype=float) for a in p.series[s])
            ok = np.isfinite(ev) & ((ev > 0) if kind == "log" else True)
            ex, ev = ex[ok], ev[ok]
            if ex.size == 0:
                continue
            px, py = sx(ex).round(1).tolist(), np.clip(sy(ev), y - 2, y + h + 2).round(1).tolist()
            pts = " ".join(f"{a:g},{b:g}" for a, b in zip(px, py, strict=True))  # Python floats: fast
            color, dash, label = styles[s]
            da = f' stroke-dasharray="{dash[0]},{dash[1]}"' if dash[1] else ""
            name = escape(label)
            last = tick_label(float(ev[-1]), None, share=True) if kind == "share" else f"{ev[-1]:.4g}"
            style = f'fill="none" stroke="{color}" stroke-width="2"{da} clip-path="url(#{clip})"'
            line = f'<polyline class="pg-series" data-split="{s}" points="{pts}" {style}>'  # i18n: not text
            out.append(f"{line}<title>{name}: {last}</title></polyline>")
        ytitle = p.title or _(METRIC_TITLES.get(p.metric, p.metric))
        if p.log and not p.title:
            ytitle = _("{title} (log scale)", title=ytitle)
        cy = y + h / 2
        out.append(
            f'<text x="12" y="{cy:.1f}" font-size="{LABEL}" text-anchor="middle" fill="{palette.INK}" '
            f'transform="rotate(-90 12 {cy:.1f})">{escape(ytitle)}</text>'
        )
        out.append("</g>")
        y += h + gap
    # the shared epoch axis under the last panel
    y -= gap
    for t in xticks:
        tx = float(sx(t))
        out.append(
            f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 4}" stroke="{palette.INK}"/>'
            f'<text x="{tx:.1f}" y="{y + 15}" font-size="{TICK}" text-anchor="middle" '
            f'fill="{palette.INK}">{int(t)}</text>'
        )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{y + 30}" font-size="{LABEL}" text-anchor="middle" '
        f'fill="{palette.INK}">{escape(_("epoch"))}</text>'
    )
    total = y + 36
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pg-curves" width="{width}" height="{total}" '
        f'viewBox="0 0 {width} {total}" {FONT} {FIT} role="img">' + "".join(out) + "</svg>"
    )


# ------------------------------------------------------------------------------------------------
# confusion matrix


def _mix(fraction: float) -> str:
    lut = palette.SEQUENTIAL_LUT
    r, g, b = lut[int(round(min(max(fraction, 0.0), 1.0) * (len(lut) - 1)))]
    return f"#{r:02x}{g:02x}{b:02x}"


def confusion_svg(matrix, class_names: Sequence[str], size: int = 170) -> str:
    """Rows: actual class, columns: predicted; each cell shaded by the fraction of its actual class and
    labelled with its count; a hover title gives both. An SVG document."""
    cells = confusion_rows(matrix, class_names)  # row by row: count and share of the actual class
    names = list(dict.fromkeys(c["actual"] for c in cells))
    k = len(names)
    label_w = min(90, 14 + 7 * max(len(n) for n in names))
    cell = size / k
    longest = max(len(n) for n in names)
    tilt = longest * 6.5 > cell - 4  # column labels that do not fit across a cell are tilted
    left = 22 + label_w
    top = (12 + min(80, 4.2 * longest)) if tilt else 22
    ink = palette.INK
    out = [
        f'<text x="{left + size / 2:.1f}" y="{top + size + 18:.1f}" font-size="{LABEL}" '
        f'text-anchor="middle" fill="{ink}">{escape(_("predicted"))}</text>',
        f'<text x="10" y="{top + size / 2:.1f}" font-size="{LABEL}" text-anchor="middle" fill="{ink}" '
        f'transform="rotate(-90 10 {top + size / 2:.1f})">{escape(_("actual"))}</text>',
    ]
    for j, n in enumerate(names):
        x = left + (j + 0.5) * cell
        if tilt:
            out.append(
                f'<text x="{x:.1f}" y="{top - 6}" font-size="{TICK}" fill="{ink}" '
                f'transform="rotate(-40 {x:.1f} {top - 6})">{escape(_short(n, 120))}</text>'
            )
        else:
            out.append(
                f'<text x="{x:.1f}" y="{top - 6}" font-size="{TICK}" text-anchor="middle" '
                f'fill="{ink}">{escape(n)}</text>'
            )
    for i, n in enumerate(names):
        out.append(
            f'<text x="{left - 6}" y="{top + (i + 0.5) * cell + 4:.1f}" font-size="{TICK}" text-anchor="end" '
            f'fill="{palette.INK}">{escape(_short(n, label_w))}</text>'
        )
        for j in range(k):
            frac, count = cells[i * k + j]["fraction"], int(cells[i * k + j]["count"])
            fg = "white" if frac > 0.5 else palette.INK
            share = f"{frac:.1%}"
            tip = escape(
                _("actual {a}, predicted {p}: {n} ({share} of actual)", a=n, p=names[j], n=count, share=share)
            )
            x, yy = left + j * cell, top + i * cell
            out.append(
                f'<g class="pg-cell" data-count="{count}"><title>{tip}</title>'
                f'<rect x="{x:.1f}" y="{yy:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{_mix(frac)}" '
                f'stroke="white"/><text x="{x + cell / 2:.1f}" y="{yy + cell / 2 + 5:.1f}" font-size="13" '
                f'text-anchor="middle" fill="{fg}">{count}</text></g>'
            )
    spill = max(0.0, 5.0 * min(longest, 17) - cell / 2) if tilt else 0.0  # the last tilted label
    w, h = left + size + 4 + spill, top + size + 26
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pg-confusion" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" {FONT} {FIT} role="img">' + "".join(out) + "</svg>"
    )


def _short(name: str, room: float) -> str:
    """``name`` cut with "…" to about ``room`` px (the full name is in the cell's hover title)."""
    chars = max(3, int(room // 7))
    return name if len(name) <= chars else name[: chars - 1] + "…"


# ------------------------------------------------------------------------------------------------
# activation histograms


def histograms_svg(
    layers: Sequence[tuple[str, Mapping[str, np.ndarray]]],
    bins: int = 24,
    cell: tuple[int, int] = (150, 48),
    titles: Mapping[str, str] | None = None,
) -> str:
    """Small multiples: one row per layer, one column per kind ("pre", "post"), each a histogram of
    that layer's values with its own x range (``np.histogram`` of the finite values); an SVG document.
    ``titles`` are the columns' headings (default: the kinds' names)."""
    kinds = list(dict.fromkeys(k for _name, by_kind in layers for k in by_kind))
    titles = titles or {k: k for k in kinds}
    cw, ch = cell
    label_w = 10 + 7 * max((len(n) for n, _b in layers), default=4)
    left, top, gap_x, gap_y = label_w + 30, 18, 42, 26
    out: list[str] = []
    ink = palette.INK
    for j, k in enumerate(kinds):
        x = left + j * (cw + gap_x) + cw / 2
        out.append(
            f'<text x="{x:.1f}" y="12" font-size="{LABEL}" font-weight="600" text-anchor="middle" '
            f'fill="{ink}">{escape(titles.get(k, k))}</text>'
        )
    for i, (name, by_kind) in enumerate(layers):
        y0 = top + i * (ch + gap_y)
        out.append(
            f'<text x="0" y="{y0 + ch / 2 + 4:.1f}" font-size="{TICK}" fill="{ink}">{escape(name)}</text>'
        )
        for j, k in enumerate(kinds):
            x0 = left + j * (cw + gap_x)
            rows = histogram_rows(by_kind.get(k, np.zeros(0)), bins=bins)
            counts = np.array([r["count"] for r in rows])
            edges = np.array([rows[0]["bin_start"]] + [r["bin_end"] for r in rows])
            top_count = max(int(counts.max()), 1)
            span = edges[-1] - edges[0]
            color = palette.HISTOGRAM_COLORS.get(k, ink)
            bw = cw / bins
            hs = (counts / top_count * ch).round(1).tolist()
            rects = "".join(
                f'<rect x="{x0 + b * bw:.1f}" y="{y0 + ch - hh:g}" width="{bw:.2f}" height="{hh:g}"/>'
                for b, hh in enumerate(hs)
                if hh > 0
            )
            title = escape(f"{name} · {titles.get(k, k)}")
            out.append(
                f'<g class="pg-hist" data-layer="{escape(name)}" data-kind="{escape(k)}" fill="{color}">'
                f"<title>{title}</title>{rects}</g>"
            )
            out.append(
                f'<line x1="{x0}" y1="{y0 + ch}" x2="{x0 + cw}" y2="{y0 + ch}" stroke="{palette.GRID}"/>'
            )
            for c in (0, top_count):
                yy = y0 + ch - c / top_count * ch
                out.append(
                    f'<text x="{x0 - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end" '
                    f'fill="{ink}">{c}</text>'
                )
            step = nice_step(span, 4)
            for t in linear_ticks(edges[0], edges[-1], 4):
                tx = x0 + (t - edges[0]) / span * cw
                out.append(
                    f'<text x="{tx:.1f}" y="{y0 + ch + 12}" font-size="10" text-anchor="middle" '
                    f'fill="{ink}">{tick_label(t, step)}</text>'
                )
    w = left + len(kinds) * (cw + gap_x) - gap_x + 12
    h = top + len(layers) * (ch + gap_y)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pg-histograms" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" {FONT} {FIT} role="img">' + "".join(out) + "</svg>"
    )
