"""Cached routes and tokens in use are refreshed before they expire (services/refresh_ahead.py)."""

import dataclasses
import time

from modelyard.services.users import _hash_token
from tests.factories import churn_frame, make_family_deployment


def _until(condition, timeout_s: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not refreshed in time"
        time.sleep(0.02)


def test_a_route_in_use_is_read_again_before_it_expires(services, admin, tmp_path):
    make_family_deployment(services, admin, tmp_path, "lightgbm")
    records = churn_frame(seed=6).drop(columns="churned").head(1).to_dict(orient="records")
    deployments = services.deployments
    deployments.predict(admin, "churn", records)
    key = (admin.workspace_id, "churn")
    ageing = dataclasses.replace(deployments._lookups[key], expires_at=time.monotonic() + 0.5)
    deployments._lookups[key] = ageing

    assert deployments.predict(admin, "churn", records).model_version == 1  # served from it
    _until(lambda: deployments._lookups[key] is not ageing)
    assert deployments._lookups[key].expires_at > time.monotonic() + 3
    assert deployments.is_warm(admin, "churn")

    # a change made meanwhile wins over a refresh that read the old route
    deployments.forget(*key)
    deployments._refresh(admin, "churn", ageing)
    assert key not in deployments._lookups


def test_a_token_in_use_is_validated_again_and_dropped_once_revoked(services, admin):
    from tests.conftest import ADMIN_PASSWORD

    users = services.users
    issued = users.issue_token("admin", ADMIN_PASSWORD, name="busy")
    actor = users.resolve_token(issued.token)
    key = _hash_token(issued.token)
    users._resolved[key] = (time.monotonic() + 0.5, actor)

    assert users.cached_actor(issued.token) == actor
    _until(lambda: users._resolved[key][0] > time.monotonic() + 3)

    ageing = (time.monotonic() + 0.5, actor)
    users._resolved[key] = ageing
    with services.uow.begin() as session:  # revoked by another process: straight in the DB
        from datetime import UTC, datetime

        from sqlalchemy import update

        from modelyard.db.tables import SqlApiToken

        session.execute(
            update(SqlApiToken)
            .where(SqlApiToken.token_hash == key)
            .values(revoked_at=datetime.now(UTC))
        )
    assert users.cached_actor(issued.token) == actor  # still within its 5 s
    _until(lambda: key not in users._resolved)
    assert users.cached_actor(issued.token) is None
