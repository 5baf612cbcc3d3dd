"""Actors of one network. Brokers and admins see persons (a person with withdrawn consent only
as a pseudonym); viewers see only organisations, initiatives and places; researchers use the
export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import (
    Lang,
    Limit,
    Scope,
    SessionDep,
    SettingsDep,
    audit_objects,
    language,
    page_limit,
    scope,
)
from api.errors import CONFLICT, PROBLEM_RESPONSES
from api.schemas import ActorCreate, ActorRead, ActorUpdate, PageOf
from netwerk import erasure
from netwerk.errors import NotFound
from netwerk.model import PERSON_KINDS, ActorKind, Role
from netwerk.privacy import anonymous_label, is_person, shown_as_pseudonym
from netwerk.store import actors
from netwerk.store.tables import Actor

router = APIRouter(
    prefix="/api/v1/networks/{nid}/actors", tags=["actors"], responses=PROBLEM_RESPONSES
)

Writer = Annotated[Scope, scope(Role.admin, Role.broker)]
Reader = Annotated[Scope, scope(Role.admin, Role.broker, Role.viewer)]
NON_PERSONS = [k.value for k in ActorKind if k not in PERSON_KINDS]
Cursor = Annotated[str | None, Query(max_length=200)]


def actor_read(actor: Actor, lang: str = "nl") -> ActorRead:
    """What a broker may see: a person with withdrawn consent only as a pseudonym."""
    read = ActorRead.model_validate(actor)
    if shown_as_pseudonym(actor.kind, actor.consent):
        return read.model_copy(
            update={
                "name": anonymous_label(actor.id, lang),
                "area": None,
                "languages": [],
                "assets": [],
                "needs": [],
                "attributes": {},
                "note": None,
                "external_ref": None,
            }
        )
    return read


def _seen(request: Request, rows: list[Actor]) -> None:
    audit_objects(request, [a.id for a in rows if is_person(a.kind)])


@router.post(
    "",
    response_model=ActorRead,
    status_code=201,
    operation_id="createActor",
    responses={409: CONFLICT},
)
def create_actor(request: Request, body: ActorCreate, session: SessionDep, s: Writer) -> ActorRead:
    actor = actors.create_actor(
        session, s.network_id, body.model_dump(exclude_unset=True), set_by=s.principal.token_id
    )
    _seen(request, [actor])
    session.commit()
    return actor_read(actor, language(request))


@router.get("", response_model=PageOf[ActorRead], operation_id="listActors")
def list_actors(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6)] = None,
    area: Annotated[str | None, Query(max_length=80)] = None,
    theme: Annotated[str | None, Query(max_length=40, description="in assets or needs")] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    limit: Limit | None = None,
    cursor: Cursor = None,
    lang: Lang = None,
) -> PageOf[ActorRead]:
    kinds = [k.value for k in kind or []]
    if not s.sees_persons:
        kinds = [k for k in kinds if k in NON_PERSONS] if kinds else NON_PERSONS
        if not kinds:
            return PageOf[ActorRead](items=[], next_cursor=None)
    flt = actors.ActorFilter(kinds, area, theme, q)
    page = actors.list_actors(
        session, s.network_id, flt, limit=page_limit(settings, limit), cursor=cursor
    )
    _seen(request, list(page.items))
    text_lang = language(request, lang)
    return PageOf[ActorRead](
        items=[actor_read(a, text_lang) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/{aid}", response_model=ActorRead, operation_id="getActor")
def get_actor(
    request: Request, session: SessionDep, s: Reader, aid: str, lang: Lang = None
) -> ActorRead:
    actor = actors.get_actor(session, s.network_id, aid)
    if not s.sees_persons and is_person(actor.kind):
        raise NotFound("actor", aid)
    return actor_read(actor, language(request, lang))


@router.patch(
    "/{aid}", response_model=ActorRead, operation_id="updateActor", responses={409: CONFLICT}
)
def update_actor(
    request: Request, body: ActorUpdate, session: SessionDep, s: Writer, aid: str
) -> ActorRead:
    actor = actors.update_actor(
        session, s.network_id, aid, body.model_dump(exclude_unset=True), set_by=s.principal.token_id
    )
    session.commit()
    return actor_read(actor, language(request))


@router.delete("/{aid}", status_code=204, response_class=Response, operation_id="deleteActor")
def delete_actor(request: Request, session: SessionDep, s: Writer, aid: str) -> Response:
    """Erase the actor: with its ties, feedback and every cached result that contains it,
    for good. The audit log keeps only that an erasure happened."""
    erasure.erase_actor(
        session,
        s.network_id,
        aid,
        token_id=s.principal.token_id,
        role=s.role.value,
        route=request.scope["route"].path,
    )
    request.state.audit_skip = True  # recorded above, without the erased id
    session.commit()
    erasure.purge_caches(s.network_id)
    return Response(status_code=204)
