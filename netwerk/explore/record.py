"""Recording what a broker learns, the way a netwerkkaart is drawn: a person with contacts,
each contact an existing actor or a new one, joined by a tie with kind, strength and support.

Both functions write everything or nothing: they run in the caller's session and raise
:class:`~netwerk.errors.ValidationFailed` (with the field path, e.g. ``contacts[1].strength``)
before the caller commits, so a failed request leaves no actor without its tie and no tie
without its actor. The domain rules are those of :mod:`netwerk.store.actors` and
:mod:`netwerk.store.ties`, applied once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from netwerk.errors import FieldError, ValidationFailed
from netwerk.store.actors import create_actor, get_actor
from netwerk.store.session import Session
from netwerk.store.tables import Actor, Tie
from netwerk.store.ties import create_tie

__all__ = ["Recorded", "add_contacts", "add_person"]

_TIE_FIELDS = ("kind", "strength", "support", "since", "until", "note")


@dataclass(frozen=True)
class Recorded:
    actor: Actor
    """The person the contacts belong to."""
    new_actors: tuple[Actor, ...]
    ties: tuple[Tie, ...]


def _prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    return ValidationFailed(
        [FieldError(f"{prefix}.{e.field}" if e.field else prefix, e.message) for e in exc.errors]
    )


def add_contacts(
    session: Session,
    network_id: str,
    actor_id: str,
    contacts: Sequence[dict[str, Any]],
    *,
    set_by: str | None = None,
    prefix: str = "contacts",
) -> Recorded:
    """Add contacts to an existing actor (see the module doc); nothing is committed here."""
    owner = get_actor(session, network_id, actor_id)
    made: list[Actor] = []
    ties: list[Tie] = []
    for i, contact in enumerate(contacts):
        where = f"{prefix}[{i}]"
        existing, new = contact.get("actor_id"), contact.get("new_actor")
        if (existing is None) == (new is None):
            raise ValidationFailed(where, "give either actor_id or new_actor")
        if new is not None:
            try:
                other = create_actor(session, network_id, dict(new), set_by=set_by)
            except ValidationFailed as exc:
                raise _prefixed(exc, f"{where}.new_actor") from None
            made.append(other)
        else:
            other = get_actor(session, network_id, str(existing))
        tie_values = {k: contact[k] for k in _TIE_FIELDS if contact.get(k) is not None}
        tie_values.update(source=owner.id, target=other.id)
        try:
            ties.append(create_tie(session, network_id, tie_values))
        except ValidationFailed as exc:
            raise _prefixed(exc, where) from None
    return Recorded(actor=owner, new_actors=tuple(made), ties=tuple(ties))


def add_person(
    session: Session,
    network_id: str,
    person: dict[str, Any],
    contacts: Sequence[dict[str, Any]],
    *,
    set_by: str | None = None,
) -> Recorded:
    """A new person and their contacts, all or nothing; nothing is committed here."""
    try:
        actor = create_actor(session, network_id, dict(person), set_by=set_by)
    except ValidationFailed as exc:
        raise _prefixed(exc, "person") from None
    return add_contacts(session, network_id, actor.id, contacts, set_by=set_by)
