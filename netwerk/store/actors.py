"""Actors: the nodes. Domain rules for actor fields live here, once, for API, CLI and import."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import Conflict, NotFound, ValidationFailed
from netwerk.model import (
    ACTOR_INPUT_FIELDS,
    PERSON_KINDS,
    ActorKind,
    Consent,
    ConsentBasis,
    check_consent_kind,
    clean_actor_field,
    enum_value,
    new_id,
    normalise_area,
    normalise_themes,
)
from netwerk.store.changes import ChangeSet
from netwerk.store.paging import Page, paginate
from netwerk.store.revision import bump_revision
from netwerk.store.tables import Actor, utcnow

__all__ = [
    "ActorFilter",
    "actor_labels",
    "create_actor",
    "delete_actor",
    "get_actor",
    "list_actors",
    "update_actor",
]


def clean_actor_fields(values: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """Validate and normalise actor fields (for a create, or the changed ones of a patch),
    each with the rule the import uses too (:func:`netwerk.model.clean_actor_field`)."""
    unknown = set(values) - ACTOR_INPUT_FIELDS
    if unknown:
        raise ValidationFailed(sorted(unknown)[0], "not a field of an actor")
    out: dict[str, Any] = {}
    for name in ("kind", "name", "area", "languages", "assets", "needs", "attributes", "note",
                 "external_ref"):  # fmt: skip
        if name in values:
            out[name] = clean_actor_field(name, values[name])
    for consent_field in ("consent", "consent_basis"):
        if values.get(consent_field) is not None:
            check_consent_kind(kind, consent_field)
            out[consent_field] = clean_actor_field(consent_field, values[consent_field])
    return out


@dataclass(frozen=True)
class ActorFilter:
    kinds: Collection[str] = ()
    area: str | None = None
    theme: str | None = None
    q: str | None = None


def _json_contains(column: Any, slug: str) -> sa.ColumnElement[bool]:
    # Themes are normalised slugs, so '"slug"' matches exactly one JSON array element on both
    # SQLite (JSON stored as text) and PostgreSQL (json cast to text).
    return sa.cast(column, sa.Text).like(f'%"{slug}"%')


def list_actors(
    session: Session, network_id: str, flt: ActorFilter, *, limit: int, cursor: str | None
) -> Page[Actor]:
    stmt = sa.select(Actor).where(Actor.network_id == network_id)
    if flt.kinds:
        stmt = stmt.where(Actor.kind.in_([enum_value(ActorKind, k, "kind") for k in flt.kinds]))
    if flt.area:
        stmt = stmt.where(Actor.area == normalise_area(flt.area))
    if flt.theme:
        (slug,) = normalise_themes([flt.theme], field="theme")
        stmt = stmt.where(
            sa.or_(_json_contains(Actor.assets, slug), _json_contains(Actor.needs, slug))
        )
    if flt.q:
        needle = flt.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(sa.func.lower(Actor.name).like(f"%{needle}%", escape="\\"))
        # Persons with withdrawn consent are shown only as a pseudonym: matching their real
        # name would disclose it.
        stmt = stmt.where(sa.or_(Actor.consent.is_(None), Actor.consent != "withdrawn"))
    return paginate(session, stmt, Actor.id, limit=limit, cursor=cursor)


def get_actor(session: Session, network_id: str, actor_id: str) -> Actor:
    actor = session.scalar(
        sa.select(Actor).where(Actor.network_id == network_id, Actor.id == actor_id)
    )
    if actor is None:
        raise NotFound("actor", actor_id)
    return actor


def _check_external_ref(session: Session, network_id: str, ref: str | None, own: str) -> None:
    if ref is None:
        return
    clash = session.scalar(
        sa.select(Actor.id).where(
            Actor.network_id == network_id, Actor.external_ref == ref, Actor.id != own
        )
    )
    if clash is not None:
        raise Conflict(f"external_ref '{ref[:40]}' is already used by another actor")


def _stamp_consent(actor: Actor, values: dict[str, Any], set_by: str | None) -> None:
    if "consent" in values or "consent_basis" in values:
        actor.consent_set_by = set_by
        actor.consent_set_at = utcnow()
        if actor.consent == Consent.given and actor.consent_basis is None:
            actor.consent_basis = ConsentBasis.consent.value


def create_actor(
    session: Session, network_id: str, values: dict[str, Any], *, set_by: str | None = None
) -> Actor:
    kind = enum_value(ActorKind, values.get("kind"), "kind")
    clean = clean_actor_fields(values, kind=kind)
    if "name" not in clean:
        raise ValidationFailed("name", "required")
    is_person = ActorKind(kind) in PERSON_KINDS
    if is_person:
        clean.setdefault("consent", Consent.unknown.value)
    defaults: dict[str, Any] = {"languages": [], "assets": [], "needs": [], "attributes": {}}
    actor = Actor(id=new_id(), network_id=network_id, **(defaults | clean))
    _check_external_ref(session, network_id, actor.external_ref, actor.id)
    if is_person:
        _stamp_consent(actor, clean, set_by)
    session.add(actor)
    session.flush()
    bump_revision(session, network_id, ChangeSet(actors=(actor.id,)))
    return actor


def update_actor(
    session: Session,
    network_id: str,
    actor_id: str,
    changes: dict[str, Any],
    *,
    set_by: str | None = None,
) -> Actor:
    actor = get_actor(session, network_id, actor_id)
    kind = str(changes.get("kind", actor.kind))
    clean = clean_actor_fields(changes, kind=kind)
    was_person = ActorKind(actor.kind) in PERSON_KINDS
    is_person = ActorKind(kind) in PERSON_KINDS
    if was_person and not is_person:
        # An organisation/initiative/place carries no consent fields.
        clean.update(consent=None, consent_basis=None)
        actor.consent_set_by = None
        actor.consent_set_at = None
    elif is_person and not was_person:
        clean.setdefault("consent", Consent.unknown.value)
    if "external_ref" in clean:
        _check_external_ref(session, network_id, clean["external_ref"], actor.id)
    for key, value in clean.items():
        setattr(actor, key, value)
    if is_person:
        _stamp_consent(actor, clean, set_by)
    session.flush()
    bump_revision(session, network_id, ChangeSet(actors=(actor.id,)))
    return actor


def delete_actor(session: Session, network_id: str, actor_id: str) -> None:
    """Delete the actor; its ties go with it (ON DELETE CASCADE)."""
    result = session.execute(
        sa.delete(Actor).where(Actor.network_id == network_id, Actor.id == actor_id)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("actor", actor_id)
    bump_revision(session, network_id, ChangeSet.erasure(actor_id))  # no id stays in the log


def actor_places(
    session: sa.Connection | Session, network_id: str
) -> list[tuple[str, str | None, dict[str, Any] | None]]:
    """``(id, area, attributes)`` of every actor of the network: the dashboard reads the
    ``street`` and ``area_name`` attributes (:func:`netwerk.dashboard.service.area_facts`)."""
    a = Actor.__table__.c
    rows = session.execute(
        sa.select(a.id, a.area, a.attributes).where(a.network_id == network_id)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def actor_labels(
    session: sa.Connection | Session, network_id: str, ids: Collection[str]
) -> list[tuple[str, str, str, str | None]]:
    """``(id, name, kind, consent)`` of those of ``ids`` that are actors of the network (the
    API joins names into results with these; analyses never see names)."""
    a = Actor.__table__.c
    rows = session.execute(
        sa.select(a.id, a.name, a.kind, a.consent).where(
            a.network_id == network_id, a.id.in_(sorted(ids))
        )
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
