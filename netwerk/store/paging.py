"""Keyset (cursor) pagination over opaque string ids."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import ValidationFailed

__all__ = ["Page", "decode_cursor", "encode_cursor", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ValidationFailed("cursor", "not a cursor returned by this API") from None
    if not value or len(value) > 64 or not value.isalnum():
        raise ValidationFailed("cursor", "not a cursor returned by this API")
    return value


def paginate(
    session: Session, stmt: sa.Select[Any], id_column: Any, *, limit: int, cursor: str | None
) -> Page[Any]:
    """Order by id and return at most ``limit`` rows after the cursor."""
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(id_column > after)
    rows = list(session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(str(getattr(rows[-1], "id"))) if more and rows else None  # noqa: B009
    return Page(items=rows, next_cursor=next_cursor)
