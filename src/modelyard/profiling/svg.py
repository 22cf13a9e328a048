"""Small inline SVG charts for the offline HTML report (no JavaScript library, no network).

The ``<svg>`` elements carry no namespace attribute: inside HTML they need none, and the
report's download button serialises them with one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
_FONT = 'font-family="system-ui, sans-serif" font-size="10"'


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" {_FONT}>'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _rect(x: float, y: float, width: float, height: float, style: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {style}/>'


def number(value: float | None, digits: int = 4) -> str:
    """A short human form of a number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:,.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def histogram(counts: Sequence[int], labels: Sequence[str], *, label: str) -> str:
    """Vertical bars; ``labels`` has one entry per bin edge (first and last are drawn)."""
    width, height, left, bottom = 360, 160, 40, 30
    top = max(counts) if counts else 0
    bar = (width - left - 10) / max(1, len(counts))
    body = []
    for i, count in enumerate(counts):
        h = 0 if top == 0 else (height - bottom - 10) * count / top
        x = left + i * bar
        body.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{max(bar - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{count:,}</title></rect>'
        )
    body.append(_text(left - 4, 14, f"{top:,}", "end"))
    if labels:
        body.append(_text(left, height - bottom + 14, labels[0]))
        body.append(_text(width - 10, height - bottom + 14, labels[-1], "end"))
    body.append(_axis(left, height - bottom, width - 10))
    return _svg(width, height, "".join(body), label)


def _axis(x0: float, y: float, x1: float) -> str:
    return f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#888"/>'


def bars(items: Sequence[tuple[str, float]], *, label: str, percent: bool = False) -> str:
    """Horizontal bars with labels, for top values, shares and scores."""
    row, left, width = 18, 150, 420
    top = max((v for _, v in items), default=0) or 1
    body = []
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        w = (width - left - 70) * value / top
        shown = f"{value:.1%}" if percent else number(value)
        body.append(_text(left - 6, y + 11, name[:28], "end"))
        body.append(
            f'<rect x="{left}" y="{y}" width="{max(w, 0):.1f}" height="{row - 5}" '
            f'fill="{PALETTE[0]}"/>'
        )
        body.append(_text(left + w + 4, y + 11, shown))
    return _svg(width, 8 + row * len(items), "".join(body), label)


def box_plot(
    box: tuple[float, float, float, float, float], low: float, high: float, *, label: str
) -> str:
    """(lower whisker, q1, median, q3, upper whisker) on the scale low..high."""
    width, height, pad = 360, 56, 12
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return pad + (width - 2 * pad) * (v - low) / span

    w0, q1, med, q3, w1 = (x(v) for v in box)
    body = (
        f'<line x1="{w0:.1f}" y1="22" x2="{w1:.1f}" y2="22" stroke="#555"/>'
        f'<rect x="{q1:.1f}" y="10" width="{max(q3 - q1, 1):.1f}" height="24" '
        f'fill="{PALETTE[3]}" stroke="#555"/>'
        f'<line x1="{med:.1f}" y1="10" x2="{med:.1f}" y2="34" stroke="#000" stroke-width="2"/>'
        + _text(pad, 50, number(low))
        + _text(width - pad, 50, number(high), "end")
    )
    return _svg(width, height, body, label)


def _colour(value: float | None) -> str:
    if value is None:
        return "#eee"
    v = max(-1.0, min(1.0, value))
    if v >= 0:
        return f"rgb({255 - int(200 * v)},{255 - int(130 * v)},255)"
    return f"rgb(255,{255 + int(160 * v)},{255 + int(200 * v)})"


def heatmap(columns: Sequence[str], values: Sequence[Sequence[float | None]], *, label: str) -> str:
    """A square matrix of values in -1..1 (blue positive, red negative)."""
    cell = max(10, min(28, 600 // max(1, len(columns))))
    left = 130
    size = left + cell * len(columns)
    body = []
    for i, name in enumerate(columns):
        body.append(_text(left - 4, left + i * cell + cell * 0.7, name[:20], "end"))
        at = f"translate({left + i * cell + cell * 0.7:.1f},{left - 4}) rotate(-60)"
        body.append(_text(0, 0, name[:20], "start", f'transform="{at}"'))
        for j, value in enumerate(values[i]):
            body.append(
                f'<rect x="{left + j * cell}" y="{left + i * cell}" width="{cell - 1}" '
                f'height="{cell - 1}" fill="{_colour(value)}"><title>{escape(name)} / '
                f"{escape(columns[j])}: {number(value, 3)}</title></rect>"
            )
    return _svg(size + 4, size + 4, "".join(body), label)


def lines(
    series: Mapping[str, Sequence[float | None]], x_labels: Sequence[str], *, label: str
) -> str:
    """One or more lines over the same x positions; gaps where a value is missing."""
    width, height, left, bottom = 560, 150, 50, 24
    known = [v for s in series.values() for v in s if v is not None]
    if not known:
        return _svg(width, 30, _text(4, 18, "no values"), label)
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    n = max(1, max(len(s) for s in series.values()) - 1)
    body = [
        _text(left - 4, 12, number(hi), "end"),
        _text(left - 4, height - bottom, number(lo), "end"),
    ]
    for k, (name, values) in enumerate(series.items()):
        path, pen = [], "M"
        for i, v in enumerate(values):
            if v is None:
                pen = "M"
                continue
            x = left + (width - left - 10) * i / n
            y = 6 + (height - bottom - 10) * (1 - (v - lo) / span)
            path.append(f"{pen}{x:.1f},{y:.1f}")
            pen = "L"
        colour = PALETTE[k % len(PALETTE)]
        body.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
        if len(series) > 1:
            body.append(_text(width - 10, 12 + 12 * k, name[:24], "end", f'fill="{colour}"'))
    if x_labels:
        body.append(_text(left, height - 6, x_labels[0]))
        body.append(_text(width - 10, height - 6, x_labels[-1], "end"))
    return _svg(width, height, "".join(body), label)


def legend(names: Sequence[str], y: float) -> str:
    """Coloured squares with names, in palette order, on one line at height ``y``."""
    out, x = [], 4.0
    for k, name in enumerate(names[: len(PALETTE)]):
        out.append(_rect(x, y - 8, 8, 8, f'fill="{PALETTE[k]}"'))
        out.append(_text(x + 11, y, name[:16]))
        x += 18 + 6 * min(len(name), 16)
    return "".join(out)


def stacked_bars(
    series: Mapping[str, Sequence[float | None]], x_labels: Sequence[str], *, label: str
) -> str:
    """Columns of shares (each column sums to 1), one colour per series, with a legend."""
    width, height, bottom, left = 440, 180, 50, 30
    bar = (width - left - 10) / max(1, len(x_labels))
    body = [legend(list(series), 10)]
    for i, name in enumerate(x_labels):
        y = float(height - bottom)
        for k, (series_name, values) in enumerate(series.items()):
            h = (height - bottom - 18) * (values[i] or 0.0)
            y -= h
            body.append(
                f'<rect x="{left + i * bar:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}"><title>'
                f"{escape(name)} / {escape(series_name)}: {number(values[i], 3)}</title></rect>"
            )
        at = f"translate({left + (i + 0.6) * bar:.1f},{height - bottom + 6}) rotate(-45)"
        body.append(_text(0, 0, name[:14], "end", f'transform="{at}"'))
    return _svg(width, height, "".join(body), label)


def scatter_grid(
    columns: Sequence[str],
    points: Sequence[Sequence[float | None]],
    colours: Sequence[str] | None,
    *,
    label: str,
) -> str:
    """A scatter matrix: each pair of columns in its own small panel, names on the diagonal."""
    cell, pad = 120, 6
    keys = [k for k, _ in Counter(colours).most_common()] if colours else []
    ranges = [
        _robust_range([v for p in points if (v := p[j]) is not None]) for j in range(len(columns))
    ]
    body = []
    for r, name in enumerate(columns):
        for c in range(len(columns)):
            x0, y0 = c * cell, r * cell
            body.append(_rect(x0, y0, cell - 2, cell - 2, 'fill="#fafafa" stroke="#ddd"'))
            if r == c:
                body.append(_text(x0 + cell / 2, y0 + cell / 2, name[:18], "middle"))
                continue
            body += _panel(
                points, c, r, ranges, (x0 + pad, y0 + pad, cell - 2 * pad - 2), colours, keys
            )
    size = cell * len(columns)
    if keys:
        body.append(legend(keys, size + 12))
    return _svg(size, size + (18 if keys else 0), "".join(body), label)


def _robust_range(values: list[float]) -> tuple[float, float]:
    """From the 1st to the 99th percentile, so that a few extreme points do not squash a panel."""
    if not values:
        return 0.0, 1.0
    ordered = sorted(values)
    low = ordered[int(0.01 * (len(ordered) - 1))]
    high = ordered[int(0.99 * (len(ordered) - 1))]
    return (low, high) if high > low else (ordered[0], ordered[-1])


def _panel(
    points: Sequence[Sequence[float | None]],
    cx: int,
    cy: int,
    ranges: list[tuple[float, float]],
    box: tuple[float, float, float],
    colours: Sequence[str] | None,
    keys: list[str],
) -> list[str]:
    x0, y0, size = box
    (ax, bx), (ay, by) = ranges[cx], ranges[cy]
    out = []
    for i, p in enumerate(points):
        vx, vy = p[cx], p[cy]
        if vx is None or vy is None:
            continue
        x = x0 + size * min(1.0, max(0.0, (vx - ax) / ((bx - ax) or 1)))
        y = y0 + size * (1 - min(1.0, max(0.0, (vy - ay) / ((by - ay) or 1))))
        colour = PALETTE[keys.index(colours[i]) % len(PALETTE)] if colours else PALETTE[0]
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{colour}" fill-opacity="0.6"/>'
        )
    return out


def pattern_grid(
    columns: Sequence[str], rows: Sequence[tuple[Sequence[bool], int]], *, label: str
) -> str:
    """Missing-value patterns: one row per pattern, dark cells for missing columns."""
    cell, left, top = 14, 70, 110
    width = left + cell * len(columns) + 10
    body = []
    for j, name in enumerate(columns):
        body.append(
            _text(0, 0, name[:18], "start",
                  f'transform="translate({left + j * cell + 10},{top - 4}) rotate(-60)"')
        )  # fmt: skip
    for i, (missing, count) in enumerate(rows):
        y = top + i * cell
        body.append(_text(left - 6, y + 10, f"{count:,}", "end"))
        for j, is_missing in enumerate(missing):
            fill = "#333" if is_missing else "#e8eef6"
            body.append(_rect(left + j * cell, y, cell - 1, cell - 1, f'fill="{fill}"'))
    return _svg(width, top + cell * len(rows) + 4, "".join(body), label)
