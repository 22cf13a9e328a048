"""Pagination shared by every ``list`` service method."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from modelyard.domain import Page
from modelyard.errors import InvalidInputError

T = TypeVar("T")

MAX_LIMIT = 500


def paginate(
    session: Session,
    query: Select[Any],
    convert: Callable[[Any], T],
    *,
    offset: int,
    limit: int,
) -> Page[T]:
    """Run ``query`` for one page; ``total`` counts every matching row."""
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(
            f"offset must be >= 0 and limit between 1 and {MAX_LIMIT}.",
            code="pagination.invalid",
            details={"offset": offset, "limit": limit},
        )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.offset(offset).limit(limit)).all()
    return Page(items=[convert(row) for row in rows], total=total, offset=offset, limit=limit)
