"""Seeded A/B traffic: predictions of two versions on an endpoint, and their feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select

from modelyard.db.tables import SqlABTest
from modelyard.domain import Actor
from modelyard.services.container import Services


def log_ab_traffic(
    services: Services,
    actor: Actor,
    deployment_id: int,
    accuracy: dict[int, float],
    *,
    n: int = 150,
    seed: int = 0,
    span: timedelta = timedelta(hours=2),
) -> None:
    """``n`` predictions per version over the ``span`` that ends now, with feedback that is
    right with the given probability per version (seeded). The A/B test is moved to have
    started just before ``span`` (it "ran for a while")."""
    rng = np.random.default_rng(seed)
    start = datetime.now(UTC) - span
    with services.uow.begin() as session:
        for row in session.scalars(
            select(SqlABTest).where(SqlABTest.deployment_id == deployment_id)
        ):
            row.started_at = min(row.started_at, start - timedelta(seconds=1))
    rows, feedback = [], []
    for version_id, p in accuracy.items():
        for k in range(n):
            prediction_id = str(uuid.uuid4())
            rows.append(
                {
                    "id": prediction_id,
                    "deployment_id": deployment_id,
                    "model_version_id": version_id,
                    "inputs": {},
                    "output": {"prediction": "yes"},
                    "latency_ms": 1.0,
                    "created_at": start + span * (k / n),
                }
            )
            actual = "yes" if rng.random() < p else "no"
            feedback.append({"prediction_id": prediction_id, "actual": actual})
    assert services.prediction_log is not None
    services.prediction_log.add(rows)
    services.feedback.record_many(actor, feedback)
