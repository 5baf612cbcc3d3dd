"""The audit log (DESIGN.md section 6): one row for every request that reads person-level data,
writes, or exports — who (token, role), when, which network, route and objects; never the
data itself. Rows are only ever added, except that an erasure replaces the erased actor's id
by the id of the erasure event, so no trace of the person is left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from netwerk.store.audit import audit_events, event_objects, insert_event, replace_objects
from netwerk.store.session import Session

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
    objects = sorted({o[:64] for o in object_ids if o})[:MAX_OBJECTS]
    return insert_event(
        session,
        token_id=token_id,
        role=role,
        network_id=network_id,
        action=action,
        method=method,
        route=route[:200],
        status=status,
        request_id=request_id[:64] if request_id else None,
        objects=objects,
    )


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
    events = audit_events(
        session,
        network_id=flt.network_id,
        token_id=flt.token_id,
        action=flt.action,
        object_id=flt.object_id,
        since=flt.since,
        until=flt.until,
        before=before,
        limit=limit,
    )
    objects = event_objects(session, [e.id for e in events])
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
    replace_objects(session, ids, marker)
