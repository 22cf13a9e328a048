"""Comparing training runs: their metrics side by side, how their settings differ, and
their curves overlaid (ROC and PR for classification, predicted vs actual for regression),
all read from the runs' stored evaluation data."""

from __future__ import annotations

from typing import Any

from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Permission, Run
from modelyard.domain.run_views import RunComparison
from modelyard.errors import InvalidInputError
from modelyard.services.training import run_row

MAX_RUNS = 10


class RunComparisonService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def compare(self, actor: Actor, run_ids: list[int]) -> RunComparison:
        """Two to ten runs of the actor's workspace, compared."""
        actor.require(Permission.READ, "compare runs")
        ids = list(dict.fromkeys(run_ids))
        if not 2 <= len(ids) <= MAX_RUNS:
            raise InvalidInputError(
                f"Pick between 2 and {MAX_RUNS} different runs to compare (got {len(ids)}).",
                code="run.compare_count",
                details={"run_ids": run_ids},
            )
        with self._uow.begin() as session:
            runs = [Run.model_validate(run_row(session, actor, i)) for i in ids]
        return RunComparison(
            run_ids=ids,
            metrics=_metric_table(runs),
            params=_param_diff(runs)[0],
            same_params=_param_diff(runs)[1],
            curves=_curves(runs),
        )


def _metric_table(runs: list[Run]) -> list[dict[str, Any]]:
    from modelyard.ml.automl.metrics import METRICS

    names = sorted({name for run in runs for name in run.metrics})
    rows = []
    for name in names:
        values = {str(run.id): run.metrics.get(name) for run in runs}
        present = {k: v for k, v in values.items() if v is not None}
        metric = METRICS.get(name)
        best = None
        if present:
            pick = max if metric is None or metric.is_higher_better else min
            best = int(pick(present, key=lambda k: present[k]))
        rows.append({"metric": name, **values, "best": best})
    return rows


def _settings(run: Run) -> dict[str, Any]:
    options = {f"options.{k}": v for k, v in (run.details.get("options") or {}).items()}
    return {
        "algorithm": run.algorithm,
        "target": run.target,
        "dataset_version_id": run.dataset_version_id,
        **run.params,
        **options,
    }


def _param_diff(runs: list[Run]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    settings = [_settings(run) for run in runs]
    keys = sorted({k for s in settings for k in s})
    differing, same = [], {}
    for key in keys:
        values = [s.get(key) for s in settings]
        if all(v == values[0] for v in values):
            same[key] = values[0]
        else:
            row = {str(run.id): v for run, v in zip(runs, values, strict=True)}
            differing.append({"param": key, **row})
    return differing, same


def _curves(runs: list[Run]) -> dict[str, list[dict[str, Any]]]:
    curves: dict[str, list[dict[str, Any]]] = {"roc": [], "pr": [], "predicted_vs_actual": []}
    for run in runs:
        evaluation = run.details.get("evaluation") or {}
        for kind in ("roc", "pr"):
            for curve in evaluation.get(kind) or []:
                curves[kind].append({"run_id": run.id, **curve})
        if evaluation.get("predicted_vs_actual"):
            curves["predicted_vs_actual"].append(
                {"run_id": run.id, **evaluation["predicted_vs_actual"]}
            )
    return curves
