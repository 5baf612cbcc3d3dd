"""Ties of one network (person-level data: brokers and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import Limit, Scope, SessionDep, SettingsDep, audit_objects, page_limit, scope
from api.errors import CONFLICT, PROBLEM_RESPONSES
from api.schemas import IsoDate, PageOf, TieCreate, TieRead, TieUpdate
from netwerk.model import Role, TieKind
from netwerk.store import ties

router = APIRouter(prefix="/api/v1/networks/{nid}/ties", tags=["ties"], responses=PROBLEM_RESPONSES)

Broker = Annotated[Scope, scope(Role.admin, Role.broker)]


@router.post(
    "", response_model=TieRead, status_code=201, operation_id="createTie", responses={409: CONFLICT}
)
def create_tie(request: Request, body: TieCreate, session: SessionDep, s: Broker) -> TieRead:
    tie = ties.create_tie(session, s.network_id, body.model_dump(exclude_unset=True))
    audit_objects(request, [tie.id, tie.source_id, tie.target_id])
    session.commit()
    return TieRead.model_validate(tie)


@router.get("", response_model=PageOf[TieRead], operation_id="listTies")
def list_ties(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Broker,
    kind: TieKind | None = None,
    actor: Annotated[str | None, Query(max_length=64, description="ties of this actor")] = None,
    active_on: Annotated[IsoDate | None, Query(description="only ties active that day")] = None,
    limit: Limit | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageOf[TieRead]:
    flt = ties.TieFilter(kind=kind.value if kind else None, actor=actor, active_on=active_on)
    page = ties.list_ties(
        session, s.network_id, flt, limit=page_limit(settings, limit), cursor=cursor
    )
    audit_objects(request, [x for t in page.items for x in (t.source_id, t.target_id)])
    return PageOf[TieRead](
        items=[TieRead.model_validate(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.get("/{tid}", response_model=TieRead, operation_id="getTie")
def get_tie(session: SessionDep, s: Broker, tid: str) -> TieRead:
    return TieRead.model_validate(ties.get_tie(session, s.network_id, tid))


@router.patch("/{tid}", response_model=TieRead, operation_id="updateTie", responses={409: CONFLICT})
def update_tie(body: TieUpdate, session: SessionDep, s: Broker, tid: str) -> TieRead:
    tie = ties.update_tie(session, s.network_id, tid, body.model_dump(exclude_unset=True))
    session.commit()
    return TieRead.model_validate(tie)


@router.delete("/{tid}", status_code=204, response_class=Response, operation_id="deleteTie")
def delete_tie(session: SessionDep, s: Broker, tid: str) -> Response:
    ties.delete_tie(session, s.network_id, tid)
    session.commit()
    return Response(status_code=204)
