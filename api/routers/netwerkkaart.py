"""Recording a netwerkkaart in one request: a new person with their contacts, or contacts
added to an existing actor — each contact an existing actor or a new one, with the tie's kind,
strength and support. All or nothing: a request with any invalid field writes nothing and
names the field (``contacts[1].strength``, ``person.name``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictInt

from api.deps import Scope, SessionDep, audit_objects, language, scope
from api.errors import CONFLICT, PROBLEM_RESPONSES
from api.routers.actors import actor_read
from api.schemas import ActorCreate, ActorRead, IsoDate, Note, Ref, Strict, TieRead
from netwerk.explore import record
from netwerk.model import Role, SupportKind, TieKind

router = APIRouter(
    prefix="/api/v1/networks/{nid}", tags=["netwerkkaart"], responses=PROBLEM_RESPONSES
)

Writer = Annotated[Scope, scope(Role.admin, Role.broker)]


class ContactCreate(Strict):
    actor_id: Ref | None = Field(None, description="an existing actor, or …")
    new_actor: ActorCreate | None = Field(None, description="… a new one (with its consent)")
    kind: TieKind
    strength: StrictInt = Field(3, ge=1, le=5)
    support: Annotated[list[SupportKind], Field(max_length=4)] = Field(default_factory=list)
    since: IsoDate | None = None
    note: Note | None = None


class PersonWithContacts(Strict):
    person: ActorCreate
    contacts: Annotated[list[ContactCreate], Field(max_length=50)] = Field(default_factory=list)


class ContactsAdd(Strict):
    contacts: Annotated[list[ContactCreate], Field(min_length=1, max_length=50)]


class Recorded(BaseModel):
    actor: ActorRead
    new_actors: list[ActorRead]
    ties: list[TieRead]


def _answer(request: Request, result: record.Recorded) -> Recorded:
    lang = language(request)
    audit_objects(request, [result.actor.id, *(a.id for a in result.new_actors)])
    return Recorded(
        actor=actor_read(result.actor, lang),
        new_actors=[actor_read(a, lang) for a in result.new_actors],
        ties=[TieRead.model_validate(t) for t in result.ties],
    )


def _contacts(items: list[ContactCreate]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for c in items:
        values = c.model_dump(exclude_unset=True)
        if c.new_actor is not None:
            values["new_actor"] = c.new_actor.model_dump(exclude_unset=True)
        values.setdefault("kind", c.kind.value)
        out.append(values)
    return out


@router.post(
    "/persons",
    response_model=Recorded,
    status_code=201,
    operation_id="createPersonWithContacts",
    responses={409: CONFLICT},
)
def create_person(
    request: Request, body: PersonWithContacts, session: SessionDep, s: Writer
) -> Recorded:
    """A new person (or other actor) and their contacts, in one transaction."""
    result = record.add_person(
        session,
        s.network_id,
        body.person.model_dump(exclude_unset=True),
        _contacts(body.contacts),
        set_by=s.principal.token_id,
    )
    session.commit()
    return _answer(request, result)


@router.post(
    "/actors/{aid}/contacts",
    response_model=Recorded,
    status_code=201,
    operation_id="addContacts",
    responses={409: CONFLICT},
)
def add_contacts(
    request: Request, body: ContactsAdd, session: SessionDep, s: Writer, aid: str
) -> Recorded:
    """Contacts of an existing actor — existing actors or new ones — in one transaction."""
    result = record.add_contacts(
        session, s.network_id, aid, _contacts(body.contacts), set_by=s.principal.token_id
    )
    session.commit()
    return _answer(request, result)
