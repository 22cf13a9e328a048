"""Deployments (endpoints) and online prediction."""

from __future__ import annotations

import builtins
import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDeployment, SqlModelVersion
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Deployment, ModelVersion, Page, Permission, PredictionResult
from modelyard.domain.inference import check_records
from modelyard.domain.traffic import Arm, ArmRole, pick_arm, shadow_arm
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from modelyard.ml.scoring import Scores
from modelyard.ports import Tracker
from modelyard.services.audit import record_event
from modelyard.services.models import model_version_row, to_model_version
from modelyard.services.paging import paginate
from modelyard.services.prediction_log import PredictionLog
from modelyard.services.refresh_ahead import REFRESH_AHEAD_S, Refresher
from modelyard.services.revisions import add_revision, arms_of, current_revision
from modelyard.services.serving_cache import ServingCache

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,99}$")


def _to_deployment(session: Session, row: SqlDeployment) -> Deployment:
    version = session.get_one(SqlModelVersion, row.model_version_id)
    return Deployment(
        id=row.id,
        name=row.name,
        stage=row.stage,
        model_version_id=row.model_version_id,
        model_name=version.name,
        model_version=version.version,
        project_id=row.project_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


ENDPOINT_STAGES = {
    "development": {"none", "staging", "production"},
    "staging": {"staging", "production"},
    "production": {"production"},
}


def check_servable(stage: str, version: SqlModelVersion | None) -> None:
    """Only versions approved for a stage reach endpoints of that stage."""
    if stage not in ENDPOINT_STAGES:
        raise InvalidInputError(
            f"An endpoint's stage is one of {', '.join(ENDPOINT_STAGES)}.",
            code="endpoint.bad_stage",
        )
    if version is not None and version.stage not in ENDPOINT_STAGES[stage]:
        raise PermissionDeniedError(
            f"{version.name} version {version.version} is '{version.stage}'; a {stage} endpoint "
            f"serves only versions approved for {stage}. Request a promotion first.",
            code="endpoint.version_not_approved",
        )


def _deployment_row(session: Session, actor: Actor, name: str) -> SqlDeployment:
    row = session.scalar(
        select(SqlDeployment).where(
            SqlDeployment.workspace_id == actor.workspace_id, SqlDeployment.name == name
        )
    )
    if row is None:
        raise NotFoundError(f"No endpoint named {name!r}.", code="endpoint.not_found")
    return row


deployment_row = _deployment_row  # the repository lookup, shared with TrafficService


@dataclass(frozen=True)
class _Route:
    """What a request needs to know about an endpoint, read once from its current revision."""

    expires_at: float
    deployment_id: int
    arms: tuple[Arm, ...]
    versions: dict[int, ModelVersion]


_LOOKUP_TTL_S = 5.0  # how long an endpoint's route (arms, versions) is reused


class DeploymentService:
    def __init__(
        self,
        uow: UnitOfWork,
        tracker: Tracker,
        prediction_log: PredictionLog,
        serving: ServingCache | None = None,
    ) -> None:
        self._uow = uow
        self._tracker = tracker
        self._log = prediction_log
        self._shadow_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="shadow")
        self._shadows: set[Future[None]] = set()
        self._shadows_lock = threading.Lock()
        self._serving = serving or ServingCache(tracker)
        # (workspace id, endpoint name) -> the endpoint's route, reused until it expires
        self._lookups: dict[tuple[int, str], _Route] = {}
        self._refresher = Refresher("route-refresh")

    def wait_for_shadows(self, timeout_s: float = 30) -> None:
        """Block until every queued shadow scoring has run and been handed to the log."""
        with self._shadows_lock:
            pending = list(self._shadows)
        for future in pending:
            future.result(timeout=timeout_s)

    def close(self) -> None:
        """Finish queued shadow scoring (call before closing the prediction log)."""
        self._shadow_pool.shutdown(wait=True)
        self._refresher.close()

    def create(
        self, actor: Actor, name: str, model_version_id: int, *, stage: str = "development"
    ) -> Deployment:
        """A named endpoint serving a version; staging and production need approved versions."""
        actor.require(Permission.WRITE, "deploy models")
        check_servable(stage, None)
        if not _NAME.match(name):
            raise InvalidInputError(
                "An endpoint name has 1-100 lowercase letters, digits or '-', and starts with a "
                "letter or digit (it becomes part of a URL).",
                code="endpoint.bad_name",
            )
        with self._uow.begin() as session:
            version = model_version_row(session, actor, model_version_id)
            check_servable(stage, version)
            exists = session.scalar(
                select(SqlDeployment.id).where(
                    SqlDeployment.workspace_id == actor.workspace_id, SqlDeployment.name == name
                )
            )
            if exists:
                raise ConflictError(
                    f"An endpoint named {name!r} exists already; update it to serve another "
                    "version.",
                    code="endpoint.exists",
                )
            row = SqlDeployment(
                workspace_id=actor.workspace_id,
                project_id=version.project_id,
                name=name,
                stage=stage,
                model_version_id=version.id,
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            add_revision(
                session, actor, row, [Arm(model_version_id=version.id, weight=100)], action="create"
            )
            record_event(
                session,
                actor,
                "endpoint.create",
                ("endpoint", name),
                {"model": version.name, "version": version.version},
            )
            return _to_deployment(session, row)

    def update(self, actor: Actor, name: str, model_version_id: int) -> Deployment:
        """Serve another model version on an existing endpoint."""
        actor.require(Permission.WRITE, "deploy models")
        with self._uow.begin() as session:
            row = _deployment_row(session, actor, name)
            version = model_version_row(session, actor, model_version_id)
            check_servable(row.stage, version)
            previous = row.model_version_id
            add_revision(
                session, actor, row, [Arm(model_version_id=version.id, weight=100)], action="update"
            )
            self.forget(actor.workspace_id, name)
            record_event(
                session,
                actor,
                "endpoint.update",
                ("endpoint", name),
                {"from": previous, "to": version.id},
            )
            return _to_deployment(session, row)

    def get(self, actor: Actor, name: str) -> Deployment:
        actor.require(Permission.READ, "read endpoints")
        with self._uow.begin() as session:
            return _to_deployment(session, _deployment_row(session, actor, name))

    def list(self, actor: Actor, *, offset: int = 0, limit: int = 50) -> Page[Deployment]:
        actor.require(Permission.READ, "list endpoints")
        with self._uow.begin() as session:
            query = (
                select(SqlDeployment)
                .where(SqlDeployment.workspace_id == actor.workspace_id)
                .order_by(SqlDeployment.id.desc())
            )
            return paginate(
                session, query, lambda row: _to_deployment(session, row), offset=offset, limit=limit
            )

    def served_model(self, actor: Actor, name: str) -> ModelVersion:
        """The model version an endpoint serves (its input schema drives the test form)."""
        actor.require(Permission.READ, "read endpoints")
        with self._uow.begin() as session:
            row = _deployment_row(session, actor, name)
            return to_model_version(session, session.get_one(SqlModelVersion, row.model_version_id))

    def predict(
        self,
        actor: Actor,
        name: str,
        records: Any,
        *,
        routing_key: str | None = None,
        explain: bool = False,
        top_k: int = 5,
    ) -> PredictionResult:
        """Predict for JSON records checked against the training schema; log every prediction.

        The live arm that answers is picked by weight (sticky for a ``routing_key``); a
        shadow arm scores a copy off the request path, and its answers are only logged.
        With ``explain``, each record also gets its ``top_k`` feature contributions (SHAP).
        """
        actor.require(Permission.READ, "call endpoints")
        started = time.perf_counter()
        route = self._lookup(actor, name)
        arm = pick_arm(route.arms, routing_key)
        version = route.versions[arm.model_version_id]
        shadow = shadow_arm(route.arms)
        shadow_version = route.versions[shadow.model_version_id] if shadow else None
        deployment_id = route.deployment_id
        rows = check_records(records, version.feature_columns)
        predictions, probabilities = _answers(self._score(version, rows))
        contributions = self._explain(version, rows, top_k) if explain else None
        latency_ms = (time.perf_counter() - started) * 1000
        ids = [str(uuid.uuid4()) for _ in rows]
        self._log.add(
            [
                {
                    "id": prediction_id,
                    "deployment_id": deployment_id,
                    "model_version_id": version.id,
                    "inputs": record,
                    "output": _output(predictions, probabilities, index),
                    "latency_ms": latency_ms / len(rows),
                    "role": ArmRole.LIVE.value,
                }
                for index, (record, prediction_id) in enumerate(zip(rows, ids, strict=True))
            ]
        )
        if shadow_version is not None:
            self._submit_shadow(deployment_id, shadow_version, rows, ids)
        return PredictionResult(
            prediction_ids=ids,
            predictions=predictions,
            probabilities=probabilities,
            model_name=version.name,
            model_version=version.version,
            latency_ms=latency_ms,
            contributions=contributions,
        )

    def forget(self, workspace_id: int, name: str) -> None:
        """Drop the cached route of an endpoint (its traffic or version changed)."""
        self._lookups.pop((workspace_id, name), None)

    def is_warm(self, actor: Actor, name: str) -> bool:
        """Whether predicting on ``name`` now needs no I/O: the route looked up recently and
        every arm's model loaded and compiled (the API then answers without a thread hop)."""
        route = self._lookups.get((actor.workspace_id, name))
        if route is None or route.expires_at <= time.monotonic():
            return False
        return all(self._serving.is_compiled(v) for v in route.versions)

    def _lookup(self, actor: Actor, name: str) -> _Route:
        """The endpoint's current arms and their versions, reused for a few seconds (no DB
        round trip per request). A switch is one committed pointer change; a request in
        flight keeps the route it read; changes made here are seen at once (``forget``)."""
        key = (actor.workspace_id, name)
        now = time.monotonic()
        cached = self._lookups.get(key)
        if cached is not None and cached.expires_at > now:
            if cached.expires_at - now < REFRESH_AHEAD_S:  # in use: read it again, off the path
                self._refresher.submit(key, lambda: self._refresh(actor, name, cached))
            return cached
        route = self._read_route(actor, name, now)
        self._lookups[key] = route
        return route

    def _refresh(self, actor: Actor, name: str, cached: _Route) -> None:
        route = self._read_route(actor, name, time.monotonic())
        key = (actor.workspace_id, name)
        if self._lookups.get(key) is cached:  # not forgotten (changed) in the meantime
            self._lookups[key] = route

    def _read_route(self, actor: Actor, name: str, now: float) -> _Route:
        with self._uow.begin() as session:
            deployment = _deployment_row(session, actor, name)
            arms = arms_of(current_revision(session, deployment))
            versions = {
                arm.model_version_id: to_model_version(
                    session, session.get_one(SqlModelVersion, arm.model_version_id)
                )
                for arm in arms
            }
            return _Route(now + _LOOKUP_TTL_S, deployment.id, tuple(arms), versions)

    def _score(self, version: ModelVersion, rows: builtins.list[dict[str, Any]]) -> Scores:
        """The model's scores for checked records (compiled path, cached per version): the
        one place models are called, for live and shadow arms."""
        return self._serving.get(version).predict_records(rows)

    def _explain(
        self, version: ModelVersion, rows: builtins.list[dict[str, Any]], top_k: int
    ) -> builtins.list[dict[str, float]]:
        from modelyard.ml.explain import explain

        if top_k < 1:
            raise InvalidInputError(
                "top_k is the number of contributions per record: 1 or more.",
                code="explain.bad_top_k",
            )
        return explain(self._serving.get(version), rows).top(top_k)

    def _submit_shadow(
        self,
        deployment_id: int,
        version: ModelVersion,
        rows: Sequence[dict[str, Any]],
        ids: Sequence[str],
    ) -> None:
        try:
            future = self._shadow_pool.submit(self._shadow, deployment_id, version, rows, ids)
        except RuntimeError:  # shutting down: the shadow copy is skipped, never the answer
            return
        with self._shadows_lock:
            self._shadows.add(future)
        future.add_done_callback(self._forget_shadow)

    def _forget_shadow(self, future: Future[None]) -> None:
        with self._shadows_lock:
            self._shadows.discard(future)

    def _shadow(
        self,
        deployment_id: int,
        version: ModelVersion,
        rows: Sequence[dict[str, Any]],
        ids: Sequence[str],
    ) -> None:
        """Score a copy of a live request with the shadow version; log, never return."""
        started = time.perf_counter()
        outputs: list[dict[str, Any]]
        try:
            checked = check_records(rows, version.feature_columns)
            predictions, probabilities = _answers(self._score(version, checked))
            outputs = [_output(predictions, probabilities, i) for i in range(len(rows))]
        except Exception as exc:  # a failing challenger is recorded, the live answer stands
            log.warning("shadow version %s failed: %s", version.id, exc)
            outputs = [{"error": str(exc)[:500]} for _ in rows]
        latency_ms = (time.perf_counter() - started) * 1000
        self._log.add(
            [
                {
                    "id": str(uuid.uuid4()),
                    "deployment_id": deployment_id,
                    "model_version_id": version.id,
                    "inputs": record,
                    "output": output,
                    "latency_ms": latency_ms / len(rows),
                    "role": ArmRole.SHADOW.value,
                    "shadow_of": live_id,
                }
                for record, output, live_id in zip(rows, outputs, ids, strict=True)
            ]
        )


def _answers(scores: Scores) -> tuple[list[Any], list[dict[str, float]] | None]:
    predictions = [_plain(p) for p in scores.predictions.tolist()]
    probabilities = None
    if scores.labels is not None and scores.probabilities is not None:
        probabilities = [
            dict(zip(scores.labels, map(float, p), strict=True)) for p in scores.probabilities
        ]
    return predictions, probabilities


def _output(
    predictions: list[Any], probabilities: list[dict[str, float]] | None, index: int
) -> dict[str, Any]:
    output: dict[str, Any] = {"prediction": predictions[index]}
    if probabilities:
        output["probabilities"] = probabilities[index]
    return output


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
