"""Store writes and reads of the suggestion impressions (:mod:`netwerk.suggest.impressions`):
one multi-row ``INSERT`` per request (SQLAlchemy "insertmanyvalues"), inside the caller's
transaction, and the lookup of one stored impression."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import SuggestionImpression

__all__ = ["get_impression", "insert_impressions"]


def insert_impressions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store ``rows`` (column → value) with one multi-row ``INSERT``; nothing when empty."""
    if rows:
        session.execute(sa.insert(cast(sa.Table, SuggestionImpression.__table__)), list(rows))


def get_impression(
    session: Session, network_id: str, suggestion_id: str
) -> SuggestionImpression | None:
    """The stored impression ``suggestion_id`` of this network, or ``None``."""
    return session.scalar(
        sa.select(SuggestionImpression).where(
            SuggestionImpression.network_id == network_id,
            SuggestionImpression.id == suggestion_id,
        )
    )
