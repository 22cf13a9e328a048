"""An endpoint's revision history, and its live request rate and latency per version."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.traffic import ArmRole, DeploymentRevision, TrafficStats
from modelyard.ui.components.cards import section
from modelyard.ui.components.charts import PALETTE, echart
from modelyard.ui.components.tables import column, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when

HISTORY_COLUMNS = [
    column("revision", "Revision", align="right"),
    column("action", "Action"),
    column("arms", "Versions and weights"),
    column("created_by", "Who"),
    column("created_at", "When"),
    column("note", "Why"),
    column("approvals", "Approvals"),
]
REFRESH_S = 5.0
WINDOW_S = 60.0
MAX_POINTS = 60


def history_rows(revisions: list[DeploymentRevision]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.revision,
            "revision": r.revision,
            "action": r.action,
            "arms": ", ".join(
                f"v{a.model_version} " + ("shadow" if a.role == ArmRole.SHADOW else f"{a.weight}%")
                for a in r.arms
            ),
            "created_by": r.created_by,
            "created_at": when(r.created_at),
            "note": r.note,
            "approvals": "; ".join(
                f"v{a.model_version}: {a.approval.requested_by} asked ({a.approval.note or '-'}), "
                f"{', '.join(a.approval.approvers) or '-'} approved"
                for a in r.arms
                if a.approval is not None
            ),
        }
        for r in revisions
    ]


class TrafficHistory:
    """The history table; ``refresh`` reloads it after a change."""

    def __init__(self, actor: Actor, endpoint: str, revisions: list[DeploymentRevision]) -> None:
        self._actor, self._endpoint = actor, endpoint
        with section("Deployment history", "history", marker="traffic-history"):
            ui.label(
                "Every configuration this endpoint served, newest first; revisions are never "
                "changed, a rollback adds one."
            ).classes("text-grey-7")
            self._table = plain_table(
                history_rows(revisions), HISTORY_COLUMNS, marker="history-table", rows_per_page=20
            )

    @classmethod
    async def create(cls, actor: Actor, endpoint: str) -> TrafficHistory:
        return cls(actor, endpoint, await call(services().traffic.history, actor, endpoint))

    async def refresh(self) -> None:
        revisions = await call(services().traffic.history, self._actor, self._endpoint)
        self._table.rows = history_rows(revisions)


class TrafficChart:
    """Requests per second and p95 latency per version, polled with ``ui.timer``."""

    def __init__(self, actor: Actor, endpoint: str) -> None:
        self._actor, self._endpoint = actor, endpoint
        self._points: dict[str, list[tuple[str, float, float | None]]] = {}
        with section("Live traffic", "speed", marker="traffic-live"):
            self._label = (
                ui.label("Waiting for requests…")
                .classes("text-grey-7")
                .mark("traffic-live-summary")
            )
            self._chart = echart(self._options(), height=280, marker="traffic-chart")
        self.timer = ui.timer(REFRESH_S, guarded(self.poll))

    async def poll(self) -> None:
        stats = await call(services().traffic.traffic_stats, self._actor, self._endpoint, WINDOW_S)
        self.add(stats)

    def add(self, stats: TrafficStats) -> None:
        stamp = stats.at.strftime("%H:%M:%S")
        for arm in stats.arms:
            key = f"v id {arm.model_version_id}" + (" shadow" if arm.role == ArmRole.SHADOW else "")
            points = self._points.setdefault(key, [])
            points.append((stamp, round(arm.rate_per_s, 3), arm.p95_latency_ms))
            del points[:-MAX_POINTS]
        self._label.set_text(_summary(stats))
        self._chart.options.update(self._options())
        self._chart.update()

    def _options(self) -> dict[str, Any]:
        series: list[dict[str, Any]] = []
        for index, (key, points) in enumerate(sorted(self._points.items())):
            color = PALETTE[index % len(PALETTE)]
            series.append(
                {
                    "name": f"{key} req/s",
                    "type": "line",
                    "color": color,
                    "data": [[t, rate] for t, rate, _ in points],
                }
            )
            series.append(
                {
                    "name": f"{key} p95 ms",
                    "type": "line",
                    "yAxisIndex": 1,
                    "color": color,
                    "lineStyle": {"type": "dashed"},
                    "data": [[t, p95] for t, _, p95 in points],
                }
            )
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"top": 40, "left": 50, "right": 60, "bottom": 30},
            "xAxis": {"type": "category"},
            "yAxis": [{"type": "value", "name": "req/s"}, {"type": "value", "name": "p95 ms"}],
            "series": series,
        }


def _summary(stats: TrafficStats) -> str:
    if not stats.arms:
        return f"No requests in the last {stats.window_s:.0f} s."
    parts = [
        f"version id {a.model_version_id} ({a.role}): {a.requests} requests, "
        f"p50 {_ms(a.p50_latency_ms)}, p95 {_ms(a.p95_latency_ms)}, {a.errors} errors"
        for a in stats.arms
    ]
    return f"Last {stats.window_s:.0f} s — " + "; ".join(parts)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


__all__ = ["TrafficChart", "TrafficHistory", "history_rows"]
