"""A running search, live: trials done, best score so far against elapsed time, the current
trial, an ETA and the leaderboard so far. Polled from the job row's partial result (the
streaming log is the job monitor's)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Actor, Job
from modelyard.ui.components.charts import PALETTE, chart_title, echart
from modelyard.ui.context import call, jobs
from modelyard.ui.errors import guarded

POLL_INTERVAL_S = 1.0
BOARD_COLUMNS = [
    {"name": c, "label": c.replace("_", " "), "field": c, "align": "left"}
    for c in ("number", "family", "status", "val_score", "fit_time_s", "elapsed_s")
]


def best_so_far(partial: dict[str, Any]) -> list[list[float]]:
    """(elapsed seconds, best validation score up to then), one point per scored trial."""
    higher = partial.get("is_higher_better", True)
    best: float | None = None
    points = []
    for trial in partial.get("trials") or []:
        score = trial.get("val_score")
        if score is None:
            continue
        if best is None or (score > best if higher else score < best):
            best = score
        points.append([round(float(trial.get("elapsed_s") or 0.0), 2), round(best, 5)])
    return points


def eta_s(partial: dict[str, Any]) -> float | None:
    """Seconds left: the time budget's rest, or sooner when a trial limit comes first."""
    elapsed = float(partial.get("elapsed_s") or 0.0)
    left = max(float(partial.get("budget_s") or 0.0) - elapsed, 0.0)
    done, limit = len(partial.get("trials") or []), partial.get("max_trials")
    if limit and done:
        left = min(left, elapsed / done * max(int(limit) - done, 0))
    return left


class LiveSearch:
    def __init__(self, actor: Actor, job: Job) -> None:
        self._actor = actor
        self._job_id = job.id
        with ui.card().classes("w-full gap-2").mark("live-search"):
            ui.label("Search, live").classes("text-lg font-semibold")
            with ui.row().classes("gap-6"):
                self._done = ui.label().mark("live-trials-done")
                self._best = ui.label().mark("live-best")
                self._eta = ui.label().mark("live-eta")
            self._current = ui.label().classes("text-grey-7").mark("live-current")
            self._chart = echart(self._options([], ""), height=260, marker="live-best-chart")
            self._board = ui.table(columns=BOARD_COLUMNS, rows=[], row_key="number")
            self._board.classes("w-full").props("dense").mark("live-leaderboard")
        self._show(job)
        self._timer = ui.timer(POLL_INTERVAL_S, guarded(self._poll))

    async def _poll(self) -> None:
        job = await call(jobs().get, self._actor, self._job_id)
        self._show(job)
        if job.status.is_finished:
            self._timer.cancel()

    def _show(self, job: Job) -> None:
        partial = (job.result or {}).get("partial") or {}
        if not partial and self._board.rows:  # finished: the final result replaced it
            self._eta.set_text("")
            return
        trials = partial.get("trials") or []
        points = best_so_far(partial)
        metric = partial.get("metric") or "score"
        self._done.set_text(f"{len(trials)} trials done")
        self._best.set_text(f"best {metric}: {points[-1][1]:.4f}" if points else "no score yet")
        left = eta_s(partial) if partial and not job.status.is_finished else None
        self._eta.set_text(f"about {left:.0f} s left" if left is not None else "")
        self._current.set_text(partial.get("current") or job.message)
        self._chart.options.update(self._options(points, metric))
        self._chart.update()
        self._board.rows = [
            {
                k: _short(t.get(k))
                for k in ("number", "family", "status", "val_score", "fit_time_s", "elapsed_s")
            }
            for t in trials
        ]

    @staticmethod
    def _options(points: list[list[float]], metric: str) -> dict[str, Any]:
        return {
            "title": chart_title("Best validation score against elapsed time"),
            "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "name": "seconds"},
            "yAxis": {"type": "value", "name": metric, "scale": True},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "line", "step": "end", "data": points, "color": PALETTE[0]}],
        }


def _short(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value
