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
        if actual is None or (isinstance(actual, float) and not math.isfinite(actual)):
            raise InvalidInputError(
                f"Item {index}: 'actual' must be the true label or a finite value.",
                code="feedback.bad_actual",
                details={"index": index},
            )
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


def live_metrics(task: str, predicted: list[Any], actual: list[Any]) -> dict[str, float]:
    if not actual:
        return {}
    if task == "classification":
        hits = sum(str(p) == str(a) for p, a in zip(predicted, actual, strict=True))
        return {"accuracy": hits / len(actual)}
    errors = [float(p) - float(a) for p, a in zip(predicted, actual, strict=True)]
    return {
        "mae": sum(abs(e) for e in errors) / len(errors),
        "rmse": math.sqrt(sum(e * e for e in errors) / len(errors)),
    }
