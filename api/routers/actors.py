"""Actors of one network. Brokers and admins see persons; viewers see only organisations,
initiatives and places; researchers use the export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Limit, Scope, SessionDep, SettingsDep, page_limit, scope
from api.errors import CONFLICT, PROBLEM_RESPONSES
from api.schemas import ActorCreate, ActorRead, ActorUpdate, PageOf
from netwerk.errors import NotFound
from netwerk.model import PERSON_KINDS, ActorKind, Role
from netwerk.store import actors as svc

router = APIRouter(
    prefix="/api/v1/networks/{nid}/actors", tags=["actors"], responses=PROBLEM_RESPONSES
)

Writer = Annotated[Scope, scope(Role.admin, Role.broker)]
Reader = Annotated[Scope, scope(Role.admin, Role.broker, Role.viewer)]
NON_PERSONS = [k.value for k in ActorKind if k not in PERSON_KINDS]


@router.post(
    "",
    response_model=ActorRead,
    status_code=201,
    operation_id="createActor",
    responses={409: CONFLICT},
)
def create_actor(body: ActorCreate, session: SessionDep, s: Writer) -> ActorRead:
    actor = svc.create_actor(
        session, s.network_id, body.model_dump(exclude_unset=True), set_by=s.principal.token_id
    )
    session.commit()
    return ActorRead.model_validate(actor)


@router.get("", response_model=PageOf[ActorRead], operation_id="listActors")
def list_actors(
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6)] = None,
    area: Annotated[str | None, Query(max_length=80)] = None,
    theme: Annotated[str | None, Query(max_length=40, description="in assets or needs")] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    limit: Limit | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageOf[ActorRead]:
    kinds = [k.value for k in kind or []]
    if not s.sees_persons:
        kinds = [k for k in kinds if k in NON_PERSONS] if kinds else NON_PERSONS
        if not kinds:
            return PageOf[ActorRead](items=[], next_cursor=None)
    page = svc.list_actors(
        session,
        s.network_id,
        svc.ActorFilter(kinds, area, theme, q),
        limit=page_limit(settings, limit),
        cursor=cursor,
    )
    return PageOf[ActorRead](
        items=[ActorRead.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/{aid}", response_model=ActorRead, operation_id="getActor")
def get_actor(session: SessionDep, s: Reader, aid: str) -> ActorRead:
    actor = svc.get_actor(session, s.network_id, aid)
    if not s.sees_persons and ActorKind(actor.kind) in PERSON_KINDS:
        raise NotFound("actor", aid)
    return ActorRead.model_validate(actor)


@router.patch(
    "/{aid}", response_model=ActorRead, operation_id="updateActor", responses={409: CONFLICT}
)
def update_actor(body: ActorUpdate, session: SessionDep, s: Writer, aid: str) -> ActorRead:
    actor = svc.update_actor(
        session, s.network_id, aid, body.model_dump(exclude_unset=True), set_by=s.principal.token_id
    )
    session.commit()
    return ActorRead.model_validate(actor)


@router.delete("/{aid}", status_code=204, response_class=Response, operation_id="deleteActor")
def delete_actor(session: SessionDep, s: Writer, aid: str) -> Response:
    """Delete the actor and all its ties, for good."""
    svc.delete_actor(session, s.network_id, aid)
    session.commit()
    return Response(status_code=204)
