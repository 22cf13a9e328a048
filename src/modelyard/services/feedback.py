"""Feedback: the true outcome of a prediction, and the live metrics it makes possible."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDeployment, SqlFeedback, SqlModelVersion, SqlPrediction, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Permission
from modelyard.domain.entities import FeedbackRecord, VersionMetrics
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.services.audit import record_event
from modelyard.services.prediction_log import PredictionLog

MAX_BULK = 100_000


class FeedbackService:
    def __init__(self, uow: UnitOfWork, prediction_log: PredictionLog) -> None:
        self._uow = uow
        self._log = prediction_log

    def record(self, actor: Actor, prediction_id: str, actual: Any) -> FeedbackRecord:
        """The true label or value for one prediction (once per prediction)."""
        return self.record_many(actor, [{"prediction_id": prediction_id, "actual": actual}])[0]

    def record_many(self, actor: Actor, items: list[dict[str, Any]]) -> list[FeedbackRecord]:
        """Feedback in bulk: all of it is stored, or none when any item is wrong."""
        actor.require(Permission.READ, "send feedback")
        if not items or len(items) > MAX_BULK:
            raise InvalidInputError(
                f"Send 1 to {MAX_BULK:,} feedback items.", code="feedback.count"
            )
        self._log.flush()  # predictions still queued for writing must be findable
        with self._uow.begin() as session:
            rows = [self._row(session, actor, index, item) for index, item in enumerate(items)]
            ids = [row.prediction_id for row in rows]
            if len(set(ids)) != len(ids):
                raise ConflictError(
                    "The same prediction id appears twice.", code="feedback.duplicate"
                )
            session.add_all(rows)
            session.flush()
            record_event(
                session, actor, "feedback.record", ("predictions", len(rows)), {"count": len(rows)}
            )
            return [FeedbackRecord.model_validate(row) for row in rows]

    def _row(self, session: Session, actor: Actor, index: int, item: dict[str, Any]) -> SqlFeedback:
        prediction_id, actual = str(item.get("prediction_id", "")), item.get("actual")
        prediction = session.get(SqlPrediction, prediction_id)
        deployment = session.get(SqlDeployment, prediction.deployment_id) if prediction else None
        if (
            prediction is None
            or deployment is None
            or deployment.workspace_id != actor.workspace_id
        ):
            raise NotFoundError(
                f"Item {index}: no prediction with id {prediction_id!r}.",
                code="feedback.unknown_prediction",
                details={"index": index},
            )
        version = session.get_one(SqlModelVersion, prediction.model_version_id)
        task = session.get_one(SqlRun, version.run_id).task
        actual = outcome(task, actual, index)
        if session.scalar(select(SqlFeedback.id).where(SqlFeedback.prediction_id == prediction_id)):
            raise ConflictError(
                f"Item {index}: prediction {prediction_id} already has feedback.",
                code="feedback.exists",
                details={"index": index},
            )
        return SqlFeedback(
            prediction_id=prediction_id,
            model_version_id=prediction.model_version_id,
            actual={"value": actual},
            created_by=actor.username,
        )

    def metrics(self, actor: Actor, endpoint: str) -> list[VersionMetrics]:
        """Per model version behind an endpoint: predictions, feedback and live metrics."""
        actor.require(Permission.READ, "read endpoint metrics")
        self._log.flush()
        with self._uow.begin() as session:
            deployment = session.scalar(
                select(SqlDeployment).where(
                    SqlDeployment.workspace_id == actor.workspace_id, SqlDeployment.name == endpoint
                )
            )
            if deployment is None:
                raise NotFoundError(f"No endpoint named {endpoint!r}.", code="endpoint.not_found")
            counts = session.execute(
                select(SqlPrediction.model_version_id, func.count())
                .where(SqlPrediction.deployment_id == deployment.id, SqlPrediction.role == "live")
                .group_by(SqlPrediction.model_version_id)
            ).all()
            return [
                self._version_metrics(session, deployment.id, version_id, n)
                for version_id, n in counts
            ]

    def _version_metrics(
        self, session: Session, deployment_id: int, version_id: int, n: int
    ) -> VersionMetrics:
        version = session.get_one(SqlModelVersion, version_id)
        task = session.get_one(SqlRun, version.run_id).task
        pairs = session.execute(
            select(SqlPrediction.output, SqlFeedback.actual)
            .join(SqlFeedback, SqlFeedback.prediction_id == SqlPrediction.id)
            .where(
                SqlPrediction.deployment_id == deployment_id,
                SqlPrediction.model_version_id == version_id,
                SqlPrediction.role == "live",  # shadow answers never reached anyone
            )
        ).all()
        predicted = [p["prediction"] for p, _ in pairs]
        actual = [a["value"] for _, a in pairs]
        return VersionMetrics(
            model_version_id=version_id,
            model_name=version.name,
            model_version=version.version,
            n_predictions=n,
            n_feedback=len(pairs),
            metrics=live_metrics(task, predicted, actual),
        )


_FLAGS = {"1": 1, "true": 1, "yes": 1, "anomaly": 1, "0": 0, "false": 0, "no": 0, "normal": 0}


def _bad_actual(index: int, message: str) -> InvalidInputError:
    return InvalidInputError(
        f"Item {index}: {message}", code="feedback.bad_actual", details={"index": index}
    )


def outcome(task: str, actual: Any, index: int = 0) -> Any:
    """The true outcome as stored for a model of ``task``, or a 422 saying what it takes:
    any label (classification), a finite number (regression), 1/0 (anomaly: also
    true/false, yes/no, 'anomaly'/'normal'); clustering has no true outcome."""
    if actual is None or (isinstance(actual, float) and not math.isfinite(actual)):
        raise _bad_actual(index, "'actual' must be the true label or a finite value.")
    if task == "clustering":
        raise InvalidInputError(
            f"Item {index}: a clustering model's clusters have no true outcome; feedback is "
            "for classification, regression and anomaly models.",
            code="feedback.not_supported",
            details={"index": index},
        )
    if task == "regression":
        try:
            value = float(actual) if not isinstance(actual, bool) else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise _bad_actual(index, f"a regression model's outcome is a number, not {actual!r}.")
        return value
    if task == "anomaly":
        flag = _FLAGS.get(str(actual).strip().lower())
        if flag is None:
            raise _bad_actual(
                index,
                f"an anomaly model's outcome is 1 (anomaly) or 0 (normal), not {actual!r}.",
            )
        return flag
    return actual


def live_metrics(task: str, predicted: list[Any], actual: list[Any]) -> dict[str, float]:
    if not actual:
        return {}
    if task == "classification":
        hits = sum(str(p) == str(a) for p, a in zip(predicted, actual, strict=True))
        return {"accuracy": hits / len(actual)}
    if task == "anomaly":
        return _flag_metrics([int(p) for p in predicted], [int(a) for a in actual])
    errors = [float(p) - float(a) for p, a in zip(predicted, actual, strict=True)]
    return {
        "mae": sum(abs(e) for e in errors) / len(errors),
        "rmse": math.sqrt(sum(e * e for e in errors) / len(errors)),
    }


def _flag_metrics(predicted: list[int], actual: list[int]) -> dict[str, float]:
    """Accuracy of the anomaly flag; precision and recall of 'anomaly' once defined."""
    pairs = list(zip(predicted, actual, strict=True))
    true_positives = sum(p == 1 and a == 1 for p, a in pairs)
    flagged, anomalies = sum(predicted), sum(actual)
    metrics = {"accuracy": sum(p == a for p, a in pairs) / len(pairs)}
    if flagged:
        metrics["precision"] = true_positives / flagged
    if anomalies:
        metrics["recall"] = true_positives / anomalies
    return metrics
