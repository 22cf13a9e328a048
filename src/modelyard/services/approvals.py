"""Governance: maker-checker promotion of model versions to staging and production.

The approval moves the version's stage and the MLflow registry alias of the same name; the
version that held the stage before is archived. Every step is an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import (
    SqlApprovalPolicy,
    SqlModelVersion,
    SqlPromotionDecision,
    SqlPromotionRequest,
    SqlRun,
)
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Page, Permission
from modelyard.domain.approvals import (
    CARD_FIELDS,
    CheckResult,
    Policy,
    RequestStatus,
    Stage,
    card_check,
    check_decider,
    metric_check,
    promotable,
)
from modelyard.domain.entities import PromotionDecision, PromotionRequest
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from modelyard.ports import ArtifactStore, Tracker
from modelyard.services.audit import record_event
from modelyard.services.models import model_version_row
from modelyard.services.paging import paginate
from modelyard.services.versions import version_row


class ApprovalService:
    def __init__(self, uow: UnitOfWork, tracker: Tracker, artifacts: ArtifactStore) -> None:
        self._uow = uow
        self._tracker = tracker
        self._artifacts = artifacts

    # -- policies ------------------------------------------------------------------------
    def set_policy(self, actor: Actor, policy: Policy) -> Policy:
        actor.require(Permission.ADMIN, "change approval policies")
        promotable(policy.stage)
        unknown = sorted(set(policy.required_card_fields) - set(CARD_FIELDS))
        if unknown:
            raise InvalidInputError(
                f"Unknown model card field(s) {', '.join(unknown)}; use {', '.join(CARD_FIELDS)}.",
                code="approval.bad_card_field",
            )
        with self._uow.begin() as session:
            if policy.validation_dataset_version_id is not None:
                version_row(session, actor, policy.validation_dataset_version_id)
            row = _policy_row(session, actor, policy.stage) or SqlApprovalPolicy(
                workspace_id=actor.workspace_id, stage=policy.stage
            )
            row.min_approvals = policy.min_approvals
            row.metric_thresholds = dict(policy.metric_thresholds)
            row.required_card_fields = list(policy.required_card_fields)
            row.validation_dataset_version_id = policy.validation_dataset_version_id
            row.updated_by, row.updated_at = actor.username, datetime.now(UTC)
            session.add(row)
            record_event(
                session,
                actor,
                "approval.policy",
                ("stage", policy.stage),
                policy.model_dump(mode="json"),
            )
        return policy

    def get_policy(self, actor: Actor, stage: Stage) -> Policy:
        actor.require(Permission.READ, "read approval policies")
        with self._uow.begin() as session:
            return _policy(session, actor, promotable(stage))

    # -- model cards -----------------------------------------------------------------------
    def update_card(
        self, actor: Actor, model_version_id: int, fields: dict[str, str]
    ) -> dict[str, Any]:
        """Fill the model card's text fields (intended use, limitations, ...)."""
        actor.require(Permission.WRITE, "edit model cards")
        unknown = sorted(set(fields) - set(CARD_FIELDS))
        if unknown:
            raise InvalidInputError(
                f"Unknown model card field(s) {', '.join(unknown)}; use {', '.join(CARD_FIELDS)}.",
                code="model.bad_card_field",
            )
        with self._uow.begin() as session:
            row = model_version_row(session, actor, model_version_id)
            row.card = {**row.card, **{k: v.strip() for k, v in fields.items()}}
            record_event(
                session,
                actor,
                "model.card.update",
                ("model_version", row.id),
                {"fields": sorted(fields)},
            )
            return dict(row.card)

    # -- requests --------------------------------------------------------------------------
    def request(
        self, actor: Actor, model_version_id: int, stage: Stage, *, note: str = ""
    ) -> PromotionRequest:
        """The maker asks for a promotion; the checks run now and again at approval."""
        actor.require(Permission.WRITE, "request promotions")
        promotable(stage)
        with self._uow.begin() as session:
            version = model_version_row(session, actor, model_version_id)
            return _to_request(session, self.open_request(session, actor, version, stage, note))

    def open_request(
        self, session: Session, actor: Actor, version: SqlModelVersion, stage: Stage, note: str
    ) -> SqlPromotionRequest:
        """A pending request inside the caller's transaction (shared with A/B tests)."""
        actor.require(Permission.WRITE, "request promotions")
        promotable(stage)
        if version.stage == stage:
            raise ConflictError(
                f"Version {version.version} is already in {stage}.",
                code="approval.already_there",
            )
        pending = session.scalar(
            select(SqlPromotionRequest.id).where(
                SqlPromotionRequest.model_version_id == version.id,
                SqlPromotionRequest.target_stage == stage,
                SqlPromotionRequest.status == RequestStatus.PENDING,
            )
        )
        if pending:
            raise ConflictError(
                f"Request {pending} for this promotion is still pending.",
                code="approval.pending",
            )
        policy = _policy(session, actor, stage)
        row = SqlPromotionRequest(
            workspace_id=actor.workspace_id,
            model_version_id=version.id,
            target_stage=stage,
            note=note,
            status=RequestStatus.PENDING,
            required_approvals=policy.min_approvals,
            checks=[c.model_dump() for c in self._checks(session, actor, version, policy)],
            requested_by_id=actor.user_id,
            requested_by=actor.username,
        )
        session.add(row)
        session.flush()
        record_event(
            session,
            actor,
            "approval.request",
            ("model_version", version.id),
            {"stage": str(stage), "request": row.id},
        )
        return row

    def decide(
        self, actor: Actor, request_id: int, *, approve: bool, comment: str = ""
    ) -> PromotionRequest:
        """A checker (never the maker) approves or rejects; enough approvals promote."""
        actor.require(Permission.APPROVE, "decide promotion requests")
        with self._uow.begin() as session:
            row = _request_row(session, actor, request_id)
            decided = [d.approver_id for d in _decisions(session, row.id)]
            check_decider(
                actor,
                maker_id=row.requested_by_id,
                decided_by=decided,
                status=RequestStatus(row.status),
            )
            version = session.get_one(SqlModelVersion, row.model_version_id)
            if approve:
                checks = self._checks(
                    session, actor, version, _policy(session, actor, Stage(row.target_stage))
                )
                row.checks = [c.model_dump() for c in checks]
                failing = [c.name for c in checks if not c.is_passed]
                if failing:
                    raise ConflictError(
                        f"Required checks fail: {', '.join(failing)}. Fix them, then approve.",
                        code="approval.checks_failed",
                        details={"checks": row.checks},
                    )
            session.add(
                SqlPromotionDecision(
                    request_id=row.id,
                    approver_id=actor.user_id,
                    approver=actor.username,
                    is_approved=approve,
                    comment=comment,
                )
            )
            action = "approval.approve" if approve else "approval.reject"
            record_event(
                session, actor, action, ("promotion_request", row.id), {"comment": comment}
            )
            if not approve:
                row.status, row.decided_at = RequestStatus.REJECTED, datetime.now(UTC)
            elif len(decided) + 1 >= row.required_approvals:
                self._promote(session, actor, row, version)
            session.flush()
            return _to_request(session, row)

    def _promote(
        self, session: Session, actor: Actor, row: SqlPromotionRequest, version: SqlModelVersion
    ) -> None:
        stage = Stage(row.target_stage)
        holders = session.scalars(
            select(SqlModelVersion).where(
                SqlModelVersion.name == version.name,
                SqlModelVersion.stage == stage,
                SqlModelVersion.id != version.id,
            )
        ).all()
        for previous in holders:
            previous.stage = Stage.ARCHIVED
            record_event(
                session,
                actor,
                "model.archive",
                ("model_version", previous.id),
                {"replaced_by": version.id},
            )
        version.stage = stage
        row.status, row.decided_at = RequestStatus.APPROVED, datetime.now(UTC)
        self._tracker.set_alias(version.name, str(stage), version.version)
        record_event(
            session, actor, "model.promote", ("model_version", version.id), {"stage": str(stage)}
        )

    def withdraw(self, actor: Actor, request_id: int) -> PromotionRequest:
        actor.require(Permission.WRITE, "withdraw promotion requests")
        with self._uow.begin() as session:
            row = _request_row(session, actor, request_id)
            if row.requested_by_id != actor.user_id:
                raise PermissionDeniedError(
                    "Only the maker can withdraw a request.", code="approval.not_maker"
                )
            if row.status != RequestStatus.PENDING:
                raise ConflictError(
                    f"This request is already {row.status}.", code="approval.decided"
                )
            row.status, row.decided_at = RequestStatus.WITHDRAWN, datetime.now(UTC)
            record_event(session, actor, "approval.withdraw", ("promotion_request", row.id))
            return _to_request(session, row)

    def get(self, actor: Actor, request_id: int) -> PromotionRequest:
        actor.require(Permission.READ, "read promotion requests")
        with self._uow.begin() as session:
            return _to_request(session, _request_row(session, actor, request_id))

    def list(
        self,
        actor: Actor,
        *,
        status: RequestStatus | None = None,
        model_version_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[PromotionRequest]:
        """The approvals inbox (status=pending) or the history, optionally of one version."""
        actor.require(Permission.READ, "read promotion requests")
        with self._uow.begin() as session:
            query = select(SqlPromotionRequest).where(
                SqlPromotionRequest.workspace_id == actor.workspace_id
            )
            if status is not None:
                query = query.where(SqlPromotionRequest.status == status)
            if model_version_id is not None:
                query = query.where(SqlPromotionRequest.model_version_id == model_version_id)
            query = query.order_by(SqlPromotionRequest.id.desc())
            return paginate(
                session, query, lambda r: _to_request(session, r), offset=offset, limit=limit
            )

    # -- checks ----------------------------------------------------------------------------
    def _checks(
        self, session: Session, actor: Actor, version: SqlModelVersion, policy: Policy
    ) -> Sequence[CheckResult]:
        run = session.get_one(SqlRun, version.run_id)
        if run.task in ("clustering", "anomaly"):  # no target: supervised checks do not apply
            from modelyard.services.unsupervised_training import unsupervised_checks

            return [
                *unsupervised_checks(policy, run),
                *card_check(policy.required_card_fields, version.card),
            ]
        results = [
            metric_check(m, b, run.metrics.get(m)) for m, b in policy.metric_thresholds.items()
        ]
        results += card_check(policy.required_card_fields, version.card)
        if policy.validation_dataset_version_id is not None:
            results.append(self._validation(session, actor, version, run, policy))
        return results

    def _validation(
        self, session: Session, actor: Actor, version: SqlModelVersion, run: SqlRun, policy: Policy
    ) -> CheckResult:
        from modelyard.ml.training import evaluate

        assert policy.validation_dataset_version_id is not None
        data = version_row(session, actor, policy.validation_dataset_version_id)
        name = f"validation on dataset version {data.id}"
        frame = self._artifacts.arrow_dataset(data.artifact_path).to_table().to_pandas()
        features = [c["name"] for c in run.feature_columns]
        missing = [c for c in [*features, run.target] if c not in frame.columns]
        if missing:
            return CheckResult(
                name=name, is_passed=False, detail=f"missing columns: {', '.join(missing)}"
            )
        rows = frame[frame[run.target].notna()]
        model = self._tracker.load_model(version.mlflow_uri)
        scores = evaluate(model, rows[features], rows[run.target], run.task)  # type: ignore[arg-type]
        bounds = policy.metric_thresholds or {next(iter(scores)): float("-inf")}
        verdicts = [metric_check(m, b, scores.get(m)) for m, b in bounds.items()]
        detail = "; ".join(f"{v.name.removeprefix('metric ')} {v.detail}" for v in verdicts)
        return CheckResult(name=name, is_passed=all(v.is_passed for v in verdicts), detail=detail)


def _policy_row(session: Session, actor: Actor, stage: Stage) -> SqlApprovalPolicy | None:
    return session.scalar(
        select(SqlApprovalPolicy).where(
            SqlApprovalPolicy.workspace_id == actor.workspace_id, SqlApprovalPolicy.stage == stage
        )
    )


def _policy(session: Session, actor: Actor, stage: Stage) -> Policy:
    row = _policy_row(session, actor, stage)
    if row is None:
        return Policy(stage=stage)
    return Policy(
        stage=stage,
        min_approvals=row.min_approvals,
        metric_thresholds=row.metric_thresholds,
        required_card_fields=row.required_card_fields,
        validation_dataset_version_id=row.validation_dataset_version_id,
    )


def _request_row(session: Session, actor: Actor, request_id: int) -> SqlPromotionRequest:
    row = session.get(SqlPromotionRequest, request_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(
            f"No promotion request with id {request_id}.", code="approval.not_found"
        )
    return row


def _decisions(session: Session, request_id: int) -> list[SqlPromotionDecision]:
    return list(
        session.scalars(
            select(SqlPromotionDecision)
            .where(SqlPromotionDecision.request_id == request_id)
            .order_by(SqlPromotionDecision.id)
        )
    )


def _to_request(session: Session, row: SqlPromotionRequest) -> PromotionRequest:
    version = session.get_one(SqlModelVersion, row.model_version_id)
    return PromotionRequest(
        id=row.id,
        model_version_id=row.model_version_id,
        model_name=version.name,
        model_version=version.version,
        target_stage=row.target_stage,
        note=row.note,
        status=row.status,
        required_approvals=row.required_approvals,
        checks=row.checks,
        requested_by=row.requested_by,
        created_at=row.created_at,
        decided_at=row.decided_at,
        decisions=[PromotionDecision.model_validate(d) for d in _decisions(session, row.id)],
    )
