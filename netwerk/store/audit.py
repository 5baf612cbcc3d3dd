"""Store writes and reads of the audit log (:mod:`netwerk.audit`): events and the objects
they touched, inside the caller's transaction; objects are written with one multi-row
``INSERT``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import AuditEvent, AuditObject, utcnow

__all__ = ["audit_events", "event_objects", "insert_event", "replace_objects"]


def insert_event(
    session: Session,
    *,
    token_id: str | None,
    role: str | None,
    network_id: str | None,
    action: str,
    method: str,
    route: str,
    status: int,
    request_id: str | None,
    objects: Sequence[str],
) -> int:
    """Append one event stamped now and the ``objects`` it touched; the event's id."""
    event_id = session.execute(
        sa.insert(AuditEvent)
        .values(
            at=utcnow(),
            token_id=token_id,
            role=role,
            network_id=network_id,
            action=action,
            method=method,
            route=route,
            status=status,
            request_id=request_id,
        )
        .returning(AuditEvent.id)
    ).scalar_one()
    if objects:
        session.execute(
            sa.insert(AuditObject), [{"event_id": event_id, "object_id": o} for o in objects]
        )
    return int(event_id)


def audit_events(
    session: Session,
    *,
    network_id: str | None,
    token_id: str | None,
    action: str | None,
    object_id: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before: int | None,
    limit: int,
) -> list[AuditEvent]:
    """The events that pass the filter (each unset filter passes all), newest first."""
    stmt = sa.select(AuditEvent)
    if network_id:
        stmt = stmt.where(AuditEvent.network_id == network_id)
    if token_id:
        stmt = stmt.where(AuditEvent.token_id == token_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at <= until)
    if object_id:
        stmt = stmt.where(
            AuditEvent.id.in_(
                sa.select(AuditObject.event_id).where(AuditObject.object_id == object_id)
            )
        )
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    return list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))


def event_objects(session: Session, event_ids: Collection[int]) -> dict[int, list[str]]:
    """Event id → the ids of the objects it touched (one query)."""
    objects: dict[int, list[str]] = {}
    if event_ids:
        rows = session.execute(
            sa.select(AuditObject.event_id, AuditObject.object_id).where(
                AuditObject.event_id.in_(list(event_ids))
            )
        )
        for event_id, object_id in rows:
            objects.setdefault(event_id, []).append(object_id)
    return objects


def replace_objects(session: Session, ids: Collection[str], marker: str) -> None:
    """In every event that touched one of ``ids``, replace them by one ``marker`` object
    (set-based: one read of the events, one ``DELETE``, one multi-row ``INSERT``)."""
    hit = list(
        session.scalars(
            sa.select(AuditObject.event_id).where(AuditObject.object_id.in_(list(ids))).distinct()
        )
    )
    session.execute(sa.delete(AuditObject).where(AuditObject.object_id.in_(list(ids))))
    if hit:
        session.execute(sa.insert(AuditObject), [{"event_id": e, "object_id": marker} for e in hit])
