"""The profile as one self-contained, offline HTML file.

Inline CSS, inline SVG charts (``svg.py``) and a few lines of inline JavaScript for the
"download SVG" buttons: no external file, font, script or URL, so the report opens the
same on an air-gapped machine. Every text that came from the data is HTML-escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape

from modelyard.profiling import svg
from modelyard.profiling.models import ColumnProfile, Profile, TargetAnalysis
from modelyard.profiling.steps import CleaningStep

MAX_COLUMN_SECTIONS = 300
MAX_RELATION_PLOTS = 12

_CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:16px 28px}header h1{margin:0;font-size:22px}
nav{padding:8px 28px;background:#fff;border-bottom:1px solid #ddd;position:sticky;top:0}
nav a{margin-right:14px;color:#1f3a5f;text-decoration:none;font-size:14px}
main{padding:8px 28px 40px}section{background:#fff;border:1px solid #e2e4e8;border-radius:6px;
padding:12px 18px;margin:14px 0}h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:6px 0}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #e2e4e8;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}.muted{color:#666;font-size:13px}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure{margin:0}figcaption{font-size:12px;color:#555}
.dl{font-size:11px;border:1px solid #bbb;background:#fff;border-radius:3px;cursor:pointer}
.kind{display:inline-block;padding:1px 7px;border-radius:9px;background:#e6eef8;font-size:12px}
.score{font-size:40px;font-weight:700}details{margin:6px 0}
"""

_SCRIPT = """
function dl(button){const svg=button.closest('figure').querySelector('svg');
const text=new XMLSerializer().serializeToString(svg);
const link=document.createElement('a');
link.download=(svg.getAttribute('aria-label')||'chart').replace(/[^a-z0-9]+/gi,'_')+'.svg';
link.href=URL.createObjectURL(new Blob([text],{type:'image/svg+xml'}));link.click();}
"""


def render_html(profile: Profile, *, title: str) -> str:
    """A complete HTML document for ``profile``."""
    sections = [
        ("overview", "Overview", _overview(profile)),
        ("quality", "Quality", _quality(profile)),
        ("suggestions", "Suggestions", _suggestions(profile.suggestions)),
        ("columns", "Columns", _columns(profile)),
        ("correlations", "Correlations", _correlations(profile)),
        ("missing", "Missing values", _missing(profile)),
        ("scatter", "Scatter matrix", _scatter(profile)),
        ("time", "Time series", _time_series(profile)),
        ("target", "Target", _target(profile.target)),
    ]
    shown = [(key, name, body) for key, name, body in sections if body]
    nav = "".join(f'<a href="#{key}">{name}</a>' for key, name, _ in shown)
    body = "".join(
        f'<section id="{key}"><h2>{name}</h2>{html}</section>' for key, name, html in shown
    )
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style><script>{_SCRIPT}</script></head>"
        f"<body><header><h1>{escape(title)}</h1><div class=muted style=color:#cdd>"
        f"Modelyard data profile · {made} · {profile.duration_s:.1f} s</div></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>"
    )


def _figure(chart: str, caption: str) -> str:
    return (
        f"<figure>{chart}<figcaption>{escape(caption)} "
        '<button class=dl type=button onclick="dl(this)">download SVG</button>'
        "</figcaption></figure>"
    )


def _table(rows: Iterable[Iterable[object]], header: Iterable[str] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>"


def _cards(items: Iterable[tuple[str, str]]) -> str:
    inner = "".join(f"<div class=card><b>{escape(v)}</b>{escape(k)}</div>" for k, v in items)
    return f"<div class=cards>{inner}</div>"


def _overview(p: Profile) -> str:
    kinds = Counter(c.kind for c in p.columns)
    cards = _cards(
        [
            ("rows", f"{p.n_rows:,}"),
            ("columns", f"{p.n_columns:,}"),
            ("in memory", _size(p.memory_bytes)),
            ("duplicate rows", f"{p.duplicate_rows:,} ({p.duplicate_share:.1%})"),
            ("quality score", f"{p.quality.score:.1f} / 100"),
        ]
    )
    kinds_table = _table(sorted(kinds.items()), ("kind", "columns"))
    notes = "".join(f"<li>{escape(n)}</li>" for n in p.notes)
    return f"{cards}<h3>Column kinds</h3>{kinds_table}" + (
        f"<ul class=muted>{notes}</ul>" if notes else ""
    )


def _size(n_bytes: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes:,} bytes"


def _quality(p: Profile) -> str:
    q = p.quality
    parts = [
        ("completeness", q.completeness),
        ("uniqueness", q.uniqueness),
        ("validity", q.validity),
        ("consistency", q.consistency),
        ("outliers", q.outliers),
    ]
    chart = _figure(svg.bars(parts, label="Quality breakdown"), "Each part scores 0-100")
    issues = "".join(f"<li>{escape(i)}</li>" for i in q.issues) or "<li>No issues found.</li>"
    return f"<div class=score>{q.score:.1f}</div><div class=charts>{chart}<ul>{issues}</ul></div>"


def _suggestions(steps: list[CleaningStep]) -> str:
    if not steps:
        return "<p>No cleaning needed.</p>"
    rows = [
        (s.kind.replace("_", " "), ", ".join(s.columns) or "all", _detail(s), s.reason)
        for s in steps
    ]
    return _table(rows, ("step", "columns", "settings", "why"))


def _detail(step: CleaningStep) -> str:
    if step.kind == "impute":
        return f"method: {step.method}"
    if step.kind == "fix_types":
        return f"to {step.to}"
    if step.kind == "cap_outliers":
        return "; ".join(
            f"{n}: {svg.number(lo)} to {svg.number(hi)}" for n, (lo, hi) in step.bounds.items()
        )
    return ""


def _columns(p: Profile) -> str:
    rows = [
        (
            c.name,
            c.kind,
            f"{c.missing_share:.1%}",
            f"{c.distinct:,}",
            svg.number(c.mean),
            c.mode or "–",
        )
        for c in p.columns
    ]
    summary = _table(rows, ("column", "kind", "missing", "distinct", "mean", "mode"))
    details = "".join(_column(c) for c in p.columns[:MAX_COLUMN_SECTIONS])
    more = len(p.columns) - MAX_COLUMN_SECTIONS
    tail = (
        f"<p class=muted>{more:,} more columns are listed in the table only.</p>"
        if more > 0
        else ""
    )
    return f"<details><summary>All columns</summary>{summary}</details>{details}{tail}"


def _column(c: ColumnProfile) -> str:
    stats = [
        ("count", f"{c.count:,}"),
        ("missing", f"{c.missing:,} ({c.missing_share:.1%})"),
        ("distinct", f"{c.distinct:,}" + ("" if c.distinct_is_exact else " (estimate)")),
    ]
    for key in ("mean", "std", "min", "median", "max"):
        value = getattr(c, key)
        if value is not None:
            stats.append((key, value if isinstance(value, str) else svg.number(value)))
    stats += [(k, svg.number(v)) for k, v in c.quantiles.items() if k not in ("p50",)]
    if c.outliers:
        o = c.outliers
        stats.append(
            (
                "outliers (IQR)",
                f"{o.iqr_count:,} outside {svg.number(o.iqr_lower)} to {svg.number(o.iqr_upper)}",
            )
        )
        stats.append((f"outliers (|z| > {o.z_threshold:g})", f"{o.z_count:,}"))
    if c.infinite or c.unparsable:
        stats.append(("invalid", f"{c.infinite + c.unparsable:,}"))
    charts = "".join(_column_charts(c))
    return (
        f'<details id="col-{escape(c.name)}"><summary><b>{escape(c.name)}</b> '
        f"<span class=kind>{c.kind}</span> "
        f"<span class=muted>{escape(c.kind_reason)} · {escape(c.dtype)}</span>"
        f"</summary><div class=charts>{_table(stats)}{charts}</div></details>"
    )


def _column_charts(c: ColumnProfile) -> Iterable[str]:
    if c.histogram is not None:
        h = c.histogram
        labels = h.labels or [svg.number(e) for e in h.edges]
        yield _figure(svg.histogram(h.counts, labels, label=f"{c.name} histogram"), "Histogram")
    if c.box is not None and c.min is not None and c.max is not None:
        b = c.box
        low = min(float(c.min), b.lower_whisker)
        high = max(float(c.max), b.upper_whisker)
        five = (b.lower_whisker, b.q1, b.median, b.q3, b.upper_whisker)
        yield _figure(
            svg.box_plot(five, low, high, label=f"{c.name} box plot"),
            "Box plot (whiskers at 1.5 IQR)",
        )
    if c.top_values and c.kind not in ("numeric", "datetime", "identifier"):
        items = [(t.value, t.share) for t in c.top_values]
        yield _figure(svg.bars(items, label=f"{c.name} top values", percent=True), "Top values")


def _correlations(p: Profile) -> str:
    m = p.correlations
    if len(m.columns) < 2:
        return ""
    chart = _figure(svg.heatmap(m.columns, m.values, label="Associations"),
                    "Pearson (numeric), Cramer's V (categorical), eta (mixed)")  # fmt: skip
    rows = [
        (t.a, t.b, t.method.replace("_", " "), svg.number(t.value, 3), svg.number(t.spearman, 3))
        for t in m.top_pairs
    ]
    table = _table(rows, ("column", "column", "method", "value", "Spearman"))
    return f"<div class=charts>{chart}<div><h3>Strongest pairs</h3>{table}</div></div>"


def _missing(p: Profile) -> str:
    m = p.missing_patterns
    if not m.columns:
        return "<p>No missing values in the sampled rows.</p>"
    rows = [([col in pat.missing_columns for col in m.columns], pat.count) for pat in m.patterns]
    chart = svg.pattern_grid(m.columns, rows, label="Missing-value patterns")
    return _figure(
        chart, f"Most common patterns in {m.sample_rows:,} sampled rows (dark = missing)"
    )


def _scatter(p: Profile) -> str:
    s = p.scatter_matrix
    if s is None:
        return ""
    chart = svg.scatter_grid(s.columns, s.points, s.color, label="Scatter matrix")
    caption = (
        f"{len(s.points):,} sampled rows; features chosen by {s.chosen_by}; axes span the "
        "1st to 99th percentile (points beyond sit on the edge)"
    )
    return _figure(chart, caption)


def _time_series(p: Profile) -> str:
    t = p.time_series
    if t is None:
        return ""
    parts = {
        "observed": t.observed,
        "trend": t.trend,
        "seasonal": t.seasonal,
        "residual": t.residual,
    }
    charts = "".join(
        _figure(svg.lines({k: v}, t.timestamps, label=f"{t.value_column} {k}"), k)
        for k, v in parts.items()
    )
    intro = (
        f"<p>{escape(t.value_column)} averaged per {t.frequency} of {escape(t.time_column)}; "
        f"season of {t.period}.</p>"
    )
    return f"{intro}<div class=charts>{charts}</div>"


def _target(t: TargetAnalysis | None) -> str:
    if t is None:
        return ""
    out = [f"<p><b>{escape(t.column)}</b>: {t.task}</p><div class=charts>"]
    if t.class_balance:
        items = [(v.value, v.share) for v in t.class_balance]
        ratio = f"; imbalance {t.imbalance_ratio:.1f} : 1" if t.imbalance_ratio else ""
        out.append(
            _figure(svg.bars(items, label="Class balance", percent=True), f"Class balance{ratio}")
        )
    elif t.histogram is not None:
        labels = [svg.number(e) for e in t.histogram.edges]
        out.append(
            _figure(
                svg.histogram(t.histogram.counts, labels, label="Target distribution"),
                "Distribution",
            )
        )
    if t.relations:
        mi = [(r.feature, r.mutual_information or 0.0) for r in t.relations]
        out.append(
            _figure(svg.bars(mi, label="Mutual information"), "Mutual information with the target")
        )
    out.append("</div><div class=charts>")
    for r in t.relations[:MAX_RELATION_PLOTS]:
        chart = (svg.stacked_bars if t.task == "classification" else svg.lines)(
            r.series, r.x_labels, label=f"{r.feature} vs {t.column}"
        )
        out.append(
            _figure(
                chart,
                f"{r.feature}: "
                + ("class shares per bin" if t.task == "classification" else "target mean per bin"),
            )
        )
    return "".join(out) + "</div>"
