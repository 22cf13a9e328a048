"""Unit of work: one transaction that commits on success and rolls back on error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from modelyard.errors import ConflictError, DependencyUnavailableError


class UnitOfWork:
    """Opens sessions; ``with uow.begin() as session`` is one transaction."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    @contextmanager
    def begin(self) -> Iterator[Session]:
        session = self._session_factory()
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise ConflictError(
                "This conflicts with something that already exists.", code="db.conflict"
            ) from exc
        except OperationalError as exc:
            session.rollback()
            raise DependencyUnavailableError(
                "The metadata database is not available right now; try again.",
                code="db.unavailable",
            ) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
