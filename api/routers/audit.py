"""The audit log, for admins: filterable, newest first; and a resident's extract."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.deps import Limit, Scope, SessionDep, SettingsDep, page_limit, require_roles, scope
from api.errors import PROBLEM_RESPONSES
from api.schemas import IsoDate
from netwerk import audit
from netwerk.model import Role
from netwerk.store.actors import get_actor
from netwerk.store.tokens import Principal

router = APIRouter(tags=["audit"], responses=PROBLEM_RESPONSES)

AdminOnly = Annotated[Principal, Depends(require_roles(Role.admin))]


class AuditPage(BaseModel):
    items: list[audit.AuditRecord]
    next_cursor: str | None


def _page(records: list[audit.AuditRecord], limit: int) -> AuditPage:
    items = records[:limit]
    more = len(records) > limit
    return AuditPage(items=items, next_cursor=str(items[-1].id) if more and items else None)


@router.get("/api/v1/audit", response_model=AuditPage, operation_id="listAudit")
def list_audit(
    session: SessionDep,
    settings: SettingsDep,
    _: AdminOnly,
    network: Annotated[str | None, Query(max_length=64)] = None,
    token: Annotated[str | None, Query(max_length=64)] = None,
    action: Literal["read", "write", "export", "erasure"] | None = None,
    object: Annotated[str | None, Query(max_length=64, description="an actor or tie id")] = None,
    since: Annotated[IsoDate | None, Query(description="from this day (UTC)")] = None,
    until: Annotated[IsoDate | None, Query(description="up to and including this day")] = None,
    limit: Limit | None = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None,
) -> AuditPage:
    """Who did what, when, on which objects — never the data itself. Newest first."""
    n = page_limit(settings, limit)
    flt = audit.AuditFilter(
        network_id=network,
        token_id=token,
        action=action,
        object_id=object,
        since=dt.datetime.combine(since, dt.time.min, dt.UTC) if since else None,
        until=dt.datetime.combine(until, dt.time.max, dt.UTC) if until else None,
    )

    records = audit.list_events(session, flt, limit=n + 1, before=int(cursor) if cursor else None)
    return _page(records, n)


@router.get(
    "/api/v1/networks/{nid}/actors/{aid}/audit",
    response_model=AuditPage,
    operation_id="actorAuditExtract",
)
def actor_extract(
    session: SessionDep,
    s: Annotated[Scope, scope(Role.admin)],
    aid: str,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AuditPage:
    """A resident's extract (AVG art. 15): every recorded access that touched this actor."""
    get_actor(session, s.network_id, aid)
    return _page(audit.who_looked_at(session, s.network_id, aid, limit=limit + 1), limit)
