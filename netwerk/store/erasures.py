"""Whether a network has seen an erasure since a moment: a stale analysis result computed
before it must not be answered or shared (:mod:`netwerk.analysis.service`). Read from the
audit log, which keeps that an erasure happened (never whom)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import AuditEvent

__all__ = ["erased_since"]


def erased_since(conn: sa.Connection | Session, network_id: str, since: dt.datetime) -> bool:
    """True when an erasure in ``network_id`` was recorded at or after ``since`` (one lookup
    on the audit log's (network, time) index)."""
    query = (
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.network_id == network_id,
            AuditEvent.at >= since,
            AuditEvent.action == "erasure",
        )
        .limit(1)
    )
    return conn.execute(query).first() is not None
