"""The audit log (DESIGN.md section 6): one row for every request that reads person-level data,
writes, or exports — who (token, role), when, which network, route and objects; never the
data itself. Rows are only ever added, except that an erasure replaces the erased actor's id
by the id of the erasure event, so no trace of the person is left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import AuditEvent, AuditObject, utcnow

__all__ = [
    "AuditFilter",
    "AuditRecord",
    "erase_references",
    "list_events",
    "record",
    "who_looked_at",
]

MAX_OBJECTS = 5_000


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    token_id: str | None
    role: str | None
    network_id: str | None
    action: str
    method: str
    route: str
    status: int
    object_ids: tuple[str, ...]
    request_id: str | None = None


def record(
    session: Session,
    *,
    token_id: str | None,
    role: str | None,
    network_id: str | None,
    action: str,
    method: str,
    route: str,
    status: int,
    object_ids: Iterable[str] = (),
    request_id: str | None = None,
) -> int:
    """Append one event (and the objects it touched) in the caller's transaction."""
    event_id = session.execute(
        sa.insert(AuditEvent)
        .values(
            at=utcnow(),
            token_id=token_id,
            role=role,
            network_id=network_id,
            action=action,
            method=method,
            route=route[:200],
            status=status,
            request_id=request_id[:64] if request_id else None,
        )
        .returning(AuditEvent.id)
    ).scalar_one()
    objects = sorted({o[:64] for o in object_ids if o})[:MAX_OBJECTS]
    if objects:
        session.execute(
            sa.insert(AuditObject), [{"event_id": event_id, "object_id": o} for o in objects]
        )
    return int(event_id)


@dataclass(frozen=True)
class AuditFilter:
    network_id: str | None = None
    token_id: str | None = None
    action: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def list_events(
    session: Session, flt: AuditFilter, *, limit: int, before: int | None = None
) -> list[AuditRecord]:
    """Newest first; ``before`` is the id to page from."""
    stmt = sa.select(AuditEvent)
    if flt.network_id:
        stmt = stmt.where(AuditEvent.network_id == flt.network_id)
    if flt.token_id:
        stmt = stmt.where(AuditEvent.token_id == flt.token_id)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEvent.at <= flt.until)
    if flt.object_id:
        stmt = stmt.where(
            AuditEvent.id.in_(
                sa.select(AuditObject.event_id).where(AuditObject.object_id == flt.object_id)
            )
        )
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    events = list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))
    objects: dict[int, list[str]] = {}
    if events:
        rows = session.execute(
            sa.select(AuditObject.event_id, AuditObject.object_id).where(
                AuditObject.event_id.in_([e.id for e in events])
            )
        )
        for event_id, object_id in rows:
            objects.setdefault(event_id, []).append(object_id)
    return [
        AuditRecord(
            id=e.id,
            at=e.at,
            token_id=e.token_id,
            role=e.role,
            network_id=e.network_id,
            action=e.action,
            method=e.method,
            route=e.route,
            status=e.status,
            object_ids=tuple(sorted(objects.get(e.id, []))),
            request_id=e.request_id,
        )
        for e in events
    ]


def who_looked_at(
    session: Session, network_id: str, actor_id: str, limit: int = 1000
) -> list[AuditRecord]:
    """A resident's extract: every recorded access that touched this actor."""
    return list_events(session, AuditFilter(network_id=network_id, object_id=actor_id), limit=limit)


def erase_references(session: Session, actor_ids: Iterable[str], erasure_event_id: int) -> None:
    """Replace erased actors' ids in past events by the erasure event's id."""
    ids = list(actor_ids)
    if not ids:
        return
    marker = f"erased:{erasure_event_id}"
    hit = list(
        session.scalars(
            sa.select(AuditObject.event_id).where(AuditObject.object_id.in_(ids)).distinct()
        )
    )
    session.execute(sa.delete(AuditObject).where(AuditObject.object_id.in_(ids)))
    if hit:
        session.execute(sa.insert(AuditObject), [{"event_id": e, "object_id": marker} for e in hit])
