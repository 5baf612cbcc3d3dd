"""Retention's purge (AVG/GDPR art. 5(1)(e), storage limitation): the set-based deletes behind
:func:`netwerk.retention.run_retention`, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Feedback, Network, SuggestionImpression, Tie

__all__ = ["Purged", "purge_before", "retained_networks"]


@dataclass(frozen=True)
class Purged:
    ties: int
    feedback: int
    impressions: int


def retained_networks(session: Session, network_id: str | None = None) -> list[tuple[str, int]]:
    """``(network id, retention_days)`` of the networks with a retention period (or just
    ``network_id``'s, if it has one)."""
    stmt = sa.select(Network.id, Network.retention_days).where(Network.retention_days.is_not(None))
    if network_id:
        stmt = stmt.where(Network.id == network_id)
    return [(nid, int(days)) for nid, days in session.execute(stmt).all() if days is not None]


def purge_before(session: Session, network_id: str, cutoff: dt.date, stamp: dt.datetime) -> Purged:
    """Delete the network's ties that ended before ``cutoff`` and its feedback decided and
    suggestion impressions shown before ``stamp``; returns how many rows of each."""
    ties = session.execute(
        sa.delete(Tie).where(
            Tie.network_id == network_id, Tie.until.is_not(None), Tie.until < cutoff
        )
    )
    feedback = session.execute(
        sa.delete(Feedback).where(Feedback.network_id == network_id, Feedback.decided_at < stamp)
    )
    shown = session.execute(
        sa.delete(SuggestionImpression).where(
            SuggestionImpression.network_id == network_id, SuggestionImpression.shown_at < stamp
        )
    )
    return Purged(
        int(ties.rowcount or 0),  # type: ignore[attr-defined]
        int(feedback.rowcount or 0),  # type: ignore[attr-defined]
        int(shown.rowcount or 0),  # type: ignore[attr-defined]
    )
