"""Retention (AVG/GDPR art. 5(1)(e), storage limitation): per network, history ties (``until``
older than the retention period), feedback decided before it, suggestion impressions shown
before it and change-log rows written before it are purged for good."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk import cache
from netwerk.store import changes
from netwerk.store.revision import bump_revision
from netwerk.store.tables import Feedback, Network, SuggestionImpression, Tie, utcnow

__all__ = ["RetentionReport", "run_retention"]


@dataclass(frozen=True)
class RetentionReport:
    network_id: str
    retention_days: int
    cutoff: dt.date
    ties_purged: int
    feedback_purged: int
    impressions_purged: int = 0


def run_retention(
    session: Session, *, today: dt.date | None = None, network_id: str | None = None
) -> list[RetentionReport]:
    """Purge in the caller's transaction; networks without ``retention_days`` are skipped."""
    now = today or utcnow().date()
    stmt = sa.select(Network.id, Network.retention_days).where(Network.retention_days.is_not(None))
    if network_id:
        stmt = stmt.where(Network.id == network_id)
    reports = []
    for nid, days in session.execute(stmt).all():
        assert days is not None  # filtered above
        cutoff = now - dt.timedelta(days=days)
        ties = session.execute(
            sa.delete(Tie).where(Tie.network_id == nid, Tie.until.is_not(None), Tie.until < cutoff)
        )
        stamp = dt.datetime.combine(cutoff, dt.time.min, dt.UTC)
        feedback = session.execute(
            sa.delete(Feedback).where(Feedback.network_id == nid, Feedback.decided_at < stamp)
        )
        shown = session.execute(
            sa.delete(SuggestionImpression).where(
                SuggestionImpression.network_id == nid, SuggestionImpression.shown_at < stamp
            )
        )
        purged_ties = int(ties.rowcount or 0)  # type: ignore[attr-defined]
        purged_feedback = int(feedback.rowcount or 0)  # type: ignore[attr-defined]
        purged_shown = int(shown.rowcount or 0)  # type: ignore[attr-defined]
        changes.prune(session, nid, stamp)
        if purged_ties or purged_feedback:
            # Purged ties ended before the cutoff: a reload marker (retention runs rarely).
            bump_revision(session, nid, None if purged_ties else changes.ChangeSet())
            cache.purge_network(nid)
        reports.append(
            RetentionReport(nid, days, cutoff, purged_ties, purged_feedback, purged_shown)
        )
    return reports
