from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from modelyard.db.tables import SqlApiToken
from modelyard.domain import Role
from modelyard.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
)
from tests.conftest import ADMIN_PASSWORD


def test_first_start_creates_one_admin_and_a_second_start_does_nothing(services):
    assert services.users.bootstrap("admin", ADMIN_PASSWORD) is None
    page = services.users.list(
        services.users.resolve_token(services.users.issue_token("admin", ADMIN_PASSWORD).token)
    )
    assert [(u.username, u.role) for u in page.items] == [("admin", Role.ADMIN)]


def test_first_admin_gets_a_random_password_when_none_is_configured(tmp_path):
    from modelyard.services.container import build_services
    from modelyard.settings import Settings

    fresh = build_services(Settings(home=tmp_path / "fresh"), compute=None)
    result = fresh.users.bootstrap(None, None)
    assert result.username == "admin" and len(result.generated_password) >= 12
    assert fresh.users.issue_token("admin", result.generated_password).user.role is Role.ADMIN
    assert fresh.users.bootstrap(None, None) is None  # only once
    fresh.close()


def test_passwords_are_hashed_with_argon2(services):
    from sqlalchemy import select

    from modelyard.db.tables import SqlUser

    with services.uow.begin() as session:
        stored = session.scalar(select(SqlUser.password_hash).where(SqlUser.username == "admin"))
    assert stored.startswith("$argon2") and ADMIN_PASSWORD not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer(services):
    for username, password in [("admin", "wrong-password"), ("nobody", "wrong-password")]:
        with pytest.raises(AuthenticationError, match="Wrong username or password"):
            services.users.issue_token(username, password)


def test_tokens_are_stored_hashed_and_resolve_to_the_actor(services):
    issued = services.users.issue_token("admin", ADMIN_PASSWORD, name="laptop")
    actor = services.users.resolve_token(issued.token)
    assert actor.username == "admin" and actor.role is Role.ADMIN
    with services.uow.begin() as session:
        row = session.get(SqlApiToken, issued.info.id)
        assert row.token_hash != issued.token and issued.token.startswith(row.prefix)


def test_revoked_and_expired_tokens_are_refused(services, admin):
    revoked = services.users.issue_token("admin", ADMIN_PASSWORD)
    services.users.revoke_token(admin, revoked.info.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        services.users.resolve_token(revoked.token)
    expired = services.users.issue_token("admin", ADMIN_PASSWORD)
    with services.uow.begin() as session:
        session.execute(
            update(SqlApiToken)
            .where(SqlApiToken.id == expired.info.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    with pytest.raises(AuthenticationError, match="expired"):
        services.users.resolve_token(expired.token)
    with pytest.raises(AuthenticationError, match="not valid"):
        services.users.resolve_token("my_made-up")


def test_only_admins_create_users_and_every_creation_is_audited(services, admin, editor):
    with pytest.raises(PermissionDeniedError):
        services.users.create(editor, "mallory", "password-123", Role.ADMIN)
    with pytest.raises(ConflictError, match="taken"):
        services.users.create(admin, "erin", "password-123", Role.VIEWER)
    with pytest.raises(InvalidInputError, match="at least 8"):
        services.users.create(admin, "shorty", "short", Role.VIEWER)
    actions = [e.action for e in services.audit.list(admin).items]
    assert actions.count("user.create") == 1  # erin, from the fixture


def test_only_admins_list_users_and_only_checkers_read_the_audit_log(services, admin, editor):
    from modelyard.domain import Role
    from tests.factories import make_user

    approver = make_user(services, admin, "checker", Role.APPROVER)
    with pytest.raises(PermissionDeniedError):
        services.users.list(editor)
    with pytest.raises(PermissionDeniedError):
        services.audit.list(editor)
    assert services.audit.list(approver).total > 0
