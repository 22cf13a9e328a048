"""Users, passwords, API tokens and who may do what."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlApiToken, SqlUser, SqlWorkspace
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, ApiToken, IssuedToken, Page, Permission, Role, User
from modelyard.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from modelyard.services.audit import record_event
from modelyard.services.paging import paginate
from modelyard.services.refresh_ahead import REFRESH_AHEAD_S, Refresher

log = logging.getLogger(__name__)

TOKEN_PREFIX = "my_"
SESSION_TTL = timedelta(hours=12)
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")
_MIN_PASSWORD = 8
_LAST_USED_EVERY = timedelta(minutes=1)
TOKEN_CACHE_S = 5.0  # a validated token is trusted this long without a DB look-up


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_hasher():  # type: ignore[no-untyped-def]
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


@dataclass(frozen=True)
class BootstrapResult:
    username: str
    generated_password: str | None


class UserService:
    def __init__(self, uow: UnitOfWork, *, token_ttl_s: int) -> None:
        self._uow = uow
        self._token_ttl = timedelta(seconds=token_ttl_s)
        self._hasher = _password_hasher()
        self._resolved: dict[str, tuple[float, Actor]] = {}  # token hash -> (until, actor)
        self._refresher = Refresher("token-refresh")

    # -- first start -------------------------------------------------------------------
    def bootstrap(self, username: str | None, password: str | None) -> BootstrapResult | None:
        """Create the default workspace and first admin when there are no users yet."""
        with self._uow.begin() as session:
            if session.scalar(select(SqlUser.id).limit(1)) is not None:
                return None
            workspace = session.scalar(select(SqlWorkspace).where(SqlWorkspace.name == "default"))
            if workspace is None:
                workspace = SqlWorkspace(name="default")
                session.add(workspace)
                session.flush()
            generated = None if password else secrets.token_urlsafe(12)
            name = username or "admin"
            _check_credentials(name, password or generated or "")
            user = SqlUser(
                workspace_id=workspace.id,
                username=name,
                password_hash=self._hasher.hash(password or generated or ""),
                role=Role.ADMIN,
            )
            session.add(user)
            session.flush()
            system = Actor(
                user_id=user.id, username="system", workspace_id=workspace.id, role=Role.ADMIN
            )
            record_event(session, system, "user.bootstrap", ("user", user.id), {"username": name})
        return BootstrapResult(username=name, generated_password=generated)

    # -- users -------------------------------------------------------------------------
    def create(self, actor: Actor, username: str, password: str, role: Role) -> User:
        actor.require(Permission.ADMIN, "create users")
        _check_credentials(username, password)
        with self._uow.begin() as session:
            if session.scalar(select(SqlUser.id).where(SqlUser.username == username)):
                raise ConflictError(f"The username {username!r} is taken.", code="user.exists")
            user = SqlUser(
                workspace_id=actor.workspace_id,
                username=username,
                password_hash=self._hasher.hash(password),
                role=role,
            )
            session.add(user)
            session.flush()
            record_event(
                session,
                actor,
                "user.create",
                ("user", user.id),
                {"username": username, "role": str(role)},
            )
            return User.model_validate(user)

    def list(self, actor: Actor, *, offset: int = 0, limit: int = 50) -> Page[User]:
        actor.require(Permission.ADMIN, "list users")
        with self._uow.begin() as session:
            query = (
                select(SqlUser)
                .where(SqlUser.workspace_id == actor.workspace_id)
                .order_by(SqlUser.id)
            )
            return paginate(session, query, User.model_validate, offset=offset, limit=limit)

    def get(self, actor: Actor, user_id: int) -> User:
        actor.require(Permission.READ, "read users")
        with self._uow.begin() as session:
            user = session.get(SqlUser, user_id)
            if user is None or user.workspace_id != actor.workspace_id:
                raise NotFoundError(f"No user with id {user_id}.", code="user.not_found")
            return User.model_validate(user)

    # -- authentication ----------------------------------------------------------------
    def issue_token(
        self, username: str, password: str, *, name: str = "cli", kind: str = "api"
    ) -> IssuedToken:
        """Check a username and password; return a new token (the only time it is shown)."""
        with self._uow.begin() as session:
            user = self._authenticate(session, username, password)
            ttl = SESSION_TTL if kind == "session" else self._token_ttl
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            row = SqlApiToken(
                user_id=user.id,
                name=name[:100] or "token",
                kind=kind,
                token_hash=_hash_token(token),
                prefix=token[:10],
                expires_at=datetime.now(UTC) + ttl,
            )
            session.add(row)
            session.flush()
            actor = _actor(user)
            if kind != "session":
                record_event(session, actor, "token.issue", ("token", row.id), {"name": row.name})
            return IssuedToken(
                token=token, info=ApiToken.model_validate(row), user=User.model_validate(user)
            )

    def _authenticate(self, session: Session, username: str, password: str) -> SqlUser:
        user = session.scalar(select(SqlUser).where(SqlUser.username == username))
        if user is None or not user.is_active:
            self._hasher.hash(password)  # same work either way: no timing hint about usernames
            raise AuthenticationError("Wrong username or password.", code="auth.bad_credentials")
        if not self._hasher.verify(password, user.password_hash):
            raise AuthenticationError("Wrong username or password.", code="auth.bad_credentials")
        return user

    def resolve_token(self, token: str) -> Actor:
        """The actor a bearer token stands for; AuthenticationError when it is no good.

        A valid token is remembered for ``TOKEN_CACHE_S`` seconds (no DB round trip per API
        call); revoking a token in this process forgets them all at once.
        """
        cached = self.cached_actor(token)
        if cached is not None:
            return cached
        key = _hash_token(token)
        actor = self._resolve_token(token)
        if len(self._resolved) > 10_000:
            self._resolved.clear()
        self._resolved[key] = (time.monotonic() + TOKEN_CACHE_S, actor)
        return actor

    def cached_actor(self, token: str) -> Actor | None:
        """The actor of a token validated in the last ``TOKEN_CACHE_S`` seconds, else None."""
        key = _hash_token(token)
        cached = self._resolved.get(key)
        now = time.monotonic()
        if cached is None or cached[0] <= now:
            return None
        if cached[0] - now < REFRESH_AHEAD_S:  # in use: validate it again, off the path
            self._refresher.submit(key, lambda: self._refresh(token, key, cached))
        return cached[1]

    def _refresh(self, token: str, key: str, cached: tuple[float, Actor]) -> None:
        try:
            actor = self._resolve_token(token)
        except AuthenticationError:
            if self._resolved.get(key) is cached:  # revoked or expired elsewhere: forget it
                self._resolved.pop(key, None)
            return
        if self._resolved.get(key) is cached:  # not revoked here in the meantime
            self._resolved[key] = (time.monotonic() + TOKEN_CACHE_S, actor)

    def _resolve_token(self, token: str) -> Actor:
        now = datetime.now(UTC)
        with self._uow.begin() as session:
            row = session.scalar(
                select(SqlApiToken).where(SqlApiToken.token_hash == _hash_token(token))
            )
            if row is None:
                raise AuthenticationError(
                    "The token is not valid; log in again.", code="auth.bad_token"
                )
            if row.revoked_at is not None:
                raise AuthenticationError(
                    "The token was revoked; log in again.", code="auth.token_revoked"
                )
            if row.expires_at <= now:
                raise AuthenticationError(
                    "The token has expired; log in again.", code="auth.token_expired"
                )
            user = session.get(SqlUser, row.user_id)
            if user is None or not user.is_active:
                raise AuthenticationError("The account is disabled.", code="auth.user_inactive")
            if row.last_used_at is None or now - row.last_used_at > _LAST_USED_EVERY:
                row.last_used_at = now
            return _actor(user)

    def revoke_token(self, actor: Actor, token_id: int) -> ApiToken:
        with self._uow.begin() as session:
            row = session.get(SqlApiToken, token_id)
            if row is None or (row.user_id != actor.user_id and not actor.can(Permission.ADMIN)):
                raise NotFoundError(f"No token with id {token_id}.", code="token.not_found")
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
                record_event(session, actor, "token.revoke", ("token", row.id), {"name": row.name})
            revoked = ApiToken.model_validate(row)
        self._resolved.clear()
        return revoked

    def revoke_session(self, token: str) -> None:
        """Log out a browser session (no audit: sessions are not resources)."""
        with self._uow.begin() as session:
            row = session.scalar(
                select(SqlApiToken).where(SqlApiToken.token_hash == _hash_token(token))
            )
            if row is not None and row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
        self._resolved.pop(_hash_token(token), None)

    def list_tokens(self, actor: Actor, *, offset: int = 0, limit: int = 50) -> Page[ApiToken]:
        with self._uow.begin() as session:
            query = (
                select(SqlApiToken)
                .where(SqlApiToken.user_id == actor.user_id, SqlApiToken.kind == "api")
                .order_by(SqlApiToken.id.desc())
            )
            return paginate(session, query, ApiToken.model_validate, offset=offset, limit=limit)


def _actor(user: SqlUser) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        workspace_id=user.workspace_id,
        role=Role(user.role),
    )


def _check_credentials(username: str, password: str) -> None:
    if not _USERNAME.match(username):
        raise InvalidInputError(
            "A username has 2-100 characters: letters, digits, '_', '.', '@' or '-'.",
            code="user.bad_username",
        )
    if len(password) < _MIN_PASSWORD:
        raise InvalidInputError(
            f"A password needs at least {_MIN_PASSWORD} characters.", code="user.weak_password"
        )
