"""A profile drawn on the page: overview, one card per column, and the whole-table charts.

Reads the profile's JSON document (``Profile.to_dict()`` of ``modelyard.profiling``).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.ui.components.cards import section, stat_card
from modelyard.ui.components.charts import bar_chart
from modelyard.ui.components.profile_charts import (
    box_chart,
    heatmap_chart,
    histogram_chart,
    missing_patterns_chart,
    relation_chart,
    scatter_matrix_chart,
    time_series_chart,
)
from modelyard.ui.components.tables import column, plain_table
from modelyard.ui.formatting import moment_text, number, percent, size

Doc = dict[str, Any]

CARDS_PER_PAGE = 6
TOP_VALUES = 5
TOP_RELATIONS = 15
QUANTILES = ("p05", "p25", "p75", "p95")
MEASURES = {
    "pearson": "Pearson",
    "cramers_v": "Cramér's V",
    "correlation_ratio": "correlation ratio",
}


def profile_view(profile: Doc) -> None:
    """Every part of a profile that it has, in reading order."""
    _overview(profile)
    ColumnCards(profile.get("columns", []))
    _correlations(profile.get("correlations") or {})
    _missing_patterns(profile.get("missing_patterns") or {})
    if profile.get("scatter_matrix"):
        with section("Scatter matrix", "scatter_plot", marker="scatter-section"):
            scatter_matrix_chart(profile["scatter_matrix"], marker="scatter-matrix")
    if profile.get("time_series"):
        with section("Time series", "timeline", marker="time-series-section"):
            time_series_chart(profile["time_series"], marker="time-series")
    if profile.get("target"):
        _target(profile["target"])


def _overview(profile: Doc) -> None:
    with ui.row().classes("gap-4").mark("profile-overview"):
        stat_card("Rows", f"{profile['n_rows']:,}", icon="table_rows", marker="profile-rows")
        stat_card("Columns", profile["n_columns"], icon="view_column", marker="profile-columns")
        duplicates = f"{profile['duplicate_rows']:,} ({percent(profile['duplicate_share'])})"
        stat_card("Duplicate rows", duplicates, icon="content_copy", marker="profile-duplicates")
        stat_card(
            "In memory", size(profile["memory_bytes"]), icon="memory", marker="profile-memory"
        )
    sampled = profile.get("sample_rows", 0)
    if sampled and sampled < profile["n_rows"]:
        ui.label(
            f"Correlations, patterns and plots use a seeded sample of {sampled:,} rows; "
            "counts and statistics use every row."
        ).classes("text-grey-7 text-sm")
    for note in profile.get("notes", []):
        ui.label(note).classes("text-grey-7 text-sm").mark("profile-note")


class ColumnCards:
    """The column cards, a page at a time, with a filter by name."""

    def __init__(self, columns: list[Doc]) -> None:
        self._columns = columns
        with section("Columns", "view_column", marker="column-section"):
            with ui.row().classes("w-full items-center gap-3"):
                self._filter = ui.input(placeholder="Filter columns by name")
                self._filter.props("dense outlined clearable debounce=300").classes("w-72")
                self._filter.mark("column-filter").on_value_change(self._refilter)
                ui.space()
                self._pages = ui.pagination(1, 1, direction_links=True, on_change=self._draw)
                self._pages.mark("column-pages")
            self._cards = ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-3 items-start")
        self._refilter()

    def _matching(self) -> list[Doc]:
        needle = (self._filter.value or "").strip().lower()
        return [c for c in self._columns if needle in c["name"].lower()]

    def _refilter(self) -> None:
        pages = max(1, -(-len(self._matching()) // CARDS_PER_PAGE))
        self._pages.max = pages
        self._pages.set_visibility(pages > 1)
        if self._pages.value != 1:
            self._pages.set_value(1)  # draws through on_change
        else:
            self._draw()

    def _draw(self) -> None:
        start = ((self._pages.value or 1) - 1) * CARDS_PER_PAGE
        self._cards.clear()
        with self._cards:
            for doc in self._matching()[start : start + CARDS_PER_PAGE]:
                column_card(doc)


def column_card(doc: Doc) -> None:
    name = doc["name"]
    with ui.card().classes("w-full gap-2").mark(f"column-card-{name}"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(name).classes("text-base font-semibold")
            ui.badge(doc["kind"]).props("outline")
            ui.label(doc["dtype"]).classes("text-grey-6 text-sm")
        ui.label(doc.get("kind_reason", "")).classes("text-grey-7 text-xs")
        _column_stats(doc)
        if doc.get("histogram"):
            histogram_chart(doc["histogram"], title="Distribution", marker=f"histogram-{name}")
        if doc.get("box"):
            box_chart(doc["box"], doc.get("outliers"), name=name, marker=f"box-{name}")
        _top_values(doc)


def _column_stats(doc: Doc) -> None:
    pairs: list[tuple[str, Any]] = [
        ("count", doc["count"]),
        ("missing", f"{doc['missing']:,} ({percent(doc['missing_share'])})"),
        ("distinct", f"{'' if doc.get('distinct_is_exact') else '~'}{doc['distinct']:,}"),
    ]
    for key in ("mean", "std", "min", "median", "max", "mode"):
        if doc.get(key) is not None:
            pairs.append((key, doc[key]))
    quantiles = doc.get("quantiles") or {}
    pairs += [(q, quantiles[q]) for q in QUANTILES if quantiles.get(q) is not None]
    text = doc.get("text")
    if text:
        pairs.append(("mean length", text.get("mean_length")))
        pairs.append(("mean words", text.get("mean_words")))
    outliers = doc.get("outliers")
    if outliers:
        pairs.append(("outliers (IQR)", outliers["iqr_count"]))
        pairs.append(("outliers (z)", outliers["z_count"]))
    for key in ("infinite", "unparsable"):
        if doc.get(key):
            pairs.append((key, doc[key]))
    with ui.grid(columns=4).classes("w-full gap-x-4 gap-y-1 text-sm").mark(f"stats-{doc['name']}"):
        for label, value in pairs:
            ui.label(label).classes("text-grey-7")
            ui.label(number(value)).classes("font-mono truncate")


def _top_values(doc: Doc) -> None:
    values = doc.get("top_values") or []
    if not values or doc["kind"] in ("numeric", "identifier"):
        return
    ui.label("Most frequent values").classes("text-grey-7 text-sm")
    for item in values[:TOP_VALUES]:
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.label(moment_text(item["value"])).classes("w-40 truncate text-sm")
            ui.linear_progress(item["share"], show_value=False, size="8px").classes("grow")
            ui.label(f"{item['count']:,} ({percent(item['share'])})").classes(
                "text-sm w-32 whitespace-nowrap"
            )


def _correlations(correlations: Doc) -> None:
    columns = correlations.get("columns") or []
    if len(columns) < 2:
        return
    with section("Correlations", "grid_on", marker="correlation-section"):
        ui.label(
            "Pearson for two numeric columns (-1 to 1), Cramér's V for two categorical ones "
            "and the correlation ratio for a numeric and a categorical one (0 to 1)."
        ).classes("text-grey-7 text-sm")
        heatmap_chart(
            columns, correlations["values"], title="Associations", marker="correlation-heatmap"
        )
        spearman = correlations.get("spearman_columns") or []
        if len(spearman) >= 2:
            with ui.expansion("Spearman rank correlation", icon="grid_on").classes("w-full"):
                heatmap_chart(
                    spearman, correlations["spearman"], title="Spearman", marker="spearman-heatmap"
                )
        _top_pairs(correlations.get("top_pairs") or [])


def _top_pairs(pairs: list[Doc]) -> None:
    if not pairs:
        return
    rows = [
        {
            "id": i,
            "a": p["a"],
            "b": p["b"],
            "method": MEASURES.get(p["method"], p["method"]),
            "value": number(p["value"]),
            "spearman": number(p.get("spearman")),
        }
        for i, p in enumerate(pairs)
    ]
    columns = [
        column("a", "Column"),
        column("b", "Column"),
        column("method", "Measure"),
        column("value", "Value", align="right"),
        column("spearman", "Spearman", align="right"),
    ]
    ui.label("Strongest pairs").classes("text-grey-7 text-sm")
    plain_table(rows, columns, marker="top-pairs")


def _missing_patterns(patterns: Doc) -> None:
    with section("Missing values", "grid_view", marker="missing-section"):
        if not patterns.get("columns"):
            ui.label("No column has missing values.").mark("no-missing")
            return
        missing_patterns_chart(patterns, marker="missing-patterns")


def _target(target: Doc) -> None:
    name, task = target["column"], target["task"]
    with section(f"Target: {name} ({task})", "my_location", marker="target-section"):
        with ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-3"):
            with ui.column().classes("w-full"):
                if target.get("class_balance"):
                    balance = {v["value"]: v["share"] for v in target["class_balance"]}
                    bar_chart(
                        balance, title="Class balance", marker="class-balance", as_percent=True
                    )
                    if target.get("imbalance_ratio"):
                        ui.label(
                            f"Imbalance: the largest class has "
                            f"{number(target['imbalance_ratio'])}x the rows of the smallest."
                        ).classes("text-grey-7 text-sm")
                elif target.get("histogram"):
                    histogram_chart(
                        target["histogram"], title="Distribution", marker="target-histogram"
                    )
            relations = target.get("relations") or []
            scores = {
                r["feature"]: r["mutual_information"] or 0.0 for r in relations[:TOP_RELATIONS]
            }
            if scores:
                bar_chart(scores, title="Mutual information with the target", marker="mutual-info")
        if relations:
            _relations(relations, task)


def _relations(relations: list[Doc], task: str) -> None:
    by_feature = {r["feature"]: r for r in relations}
    first = relations[0]["feature"]
    picker = ui.select(list(by_feature), label="Feature against the target", value=first)
    picker.classes("w-72").mark("relation-feature")
    box = ui.column().classes("w-full")

    def draw(feature: str) -> None:
        box.clear()
        with box:
            relation_chart(by_feature[feature], task=task, marker="target-relation")

    picker.on_value_change(lambda e: draw(e.value))
    draw(first)
