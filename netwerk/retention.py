"""Retention (AVG/GDPR art. 5(1)(e), storage limitation): per network, history ties (``until``
older than the retention period), feedback decided before it, suggestion impressions shown
before it and change-log rows written before it are purged for good."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netwerk import cache
from netwerk.store import changes
from netwerk.store.retention import purge_before, retained_networks
from netwerk.store.revision import bump_revision
from netwerk.store.session import Session
from netwerk.store.tables import utcnow

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
    reports = []
    for nid, days in retained_networks(session, network_id):
        cutoff = now - dt.timedelta(days=days)
        stamp = dt.datetime.combine(cutoff, dt.time.min, dt.UTC)
        purged = purge_before(session, nid, cutoff, stamp)
        changes.prune(session, nid, stamp)
        if purged.ties or purged.feedback:
            # Purged ties ended before the cutoff: a reload marker (retention runs rarely).
            bump_revision(session, nid, None if purged.ties else changes.ChangeSet())
            cache.purge_network(nid)
        reports.append(
            RetentionReport(nid, days, cutoff, purged.ties, purged.feedback, purged.impressions)
        )
    return reports
