"""One actor row: key, name, kind, area, languages, themes, consent, note, reference and
free attributes, each checked with the rules of :mod:`netwerk.model` (the same rules and
messages as the API: :func:`netwerk.model.clean_actor_field`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from netwerk.errors import ValidationFailed
from netwerk.model import (
    CONSENT_PERSONS_ONLY,
    PERSON_KINDS,
    ActorKind,
    Consent,
    Scalar,
    clean_actor_field,
)

from ..records import ATTRIBUTE_PREFIX, split_multi
from .items import RawActor
from .values import _clean_scalar, infer_scalar
from .vocab import _CONSENT_SYNONYMS, ACTOR_KIND_SYNONYMS, _enum_syn

if TYPE_CHECKING:
    from .builder import Builder

__all__ = ["add_actor"]


def add_actor(builder: Builder, raw: RawActor) -> None:
    """Validate one actor row and append it to the builder's columns, or record its errors."""
    plan = builder._plans.get("actors")
    if plan is None:
        raise RuntimeError("reader yielded an actor before the actors header")
    if plan.broken:
        return
    values = raw.values
    row, line = raw.row, raw.line
    errors = builder.errors
    ok = True
    fields = plan.fields

    def get(name: str) -> Any:
        column = fields.get(name)
        if column is None:
            return None
        value = values.get(column)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def col(name: str) -> str:
        return f"{plan.where}.{fields.get(name, name)}" if plan.where else fields.get(name, name)

    # key and name
    name_value = get("name")
    if plan.structural:
        key = raw.key
    else:
        id_value = get("id")
        key = str(id_value) if id_value is not None else None
        if key is None and name_value is not None:
            key = str(name_value)
    if key is None or not str(key).strip():
        errors.add(col("id"), "an actor needs an id or a label", row, line)
        return
    key = str(key).strip()
    try:
        name = clean_actor_field("name", name_value if name_value is not None else key)
    except ValidationFailed as exc:
        errors.extend(exc, row, line, col("name"))
        name, ok = None, False
    # kind
    kind_value = _clean_scalar(get("kind"))
    kind: str | None
    if kind_value is None:
        kind = builder.default_kind
        if kind is None:
            if "kind" in fields:
                errors.add(col("kind"), "an actor needs a kind", row, line)
            elif builder._kind_missing is not None:
                message, header_line = builder._kind_missing
                errors.add("columns", message, None, header_line)
                builder._kind_missing = None
            ok = False
    else:
        kind = builder._kind_cache.get(kind_value)
        if kind is None:
            try:
                kind = _enum_syn(kind_value, ACTOR_KIND_SYNONYMS, "actor kind", ActorKind)
                builder._kind_cache[kind_value] = kind
            except ValidationFailed as exc:
                errors.extend(exc, row, line, col("kind"))
                ok = False
    try:
        area_value = get("area")
        area = clean_actor_field("area", str(area_value)) if area_value is not None else None
    except ValidationFailed as exc:
        errors.extend(exc, row, line, col("area"))
        area, ok = None, False
    lists: dict[str, tuple[str, ...]] = {}
    for list_field in ("languages", "assets", "needs"):
        value = get(list_field)
        try:
            parts = split_multi(value)
            lists[list_field] = tuple(clean_actor_field(list_field, parts))
        except ValidationFailed as exc:
            errors.extend(exc, row, line, col(list_field))
            lists[list_field] = ()
            ok = False
    consent_value = get("consent")
    consent: str | None = None
    is_person = kind is not None and ActorKind(kind) in PERSON_KINDS
    if consent_value is not None:
        try:
            found = _enum_syn(consent_value, _CONSENT_SYNONYMS, "consent", Consent)
        except ValidationFailed as exc:
            errors.extend(exc, row, line, col("consent"))
            found, ok = "unknown", False
        if is_person:
            consent = found
        elif found != "unknown" and kind is not None:
            errors.add(col("consent"), CONSENT_PERSONS_ONLY, row, line)
            ok = False
    elif is_person:
        consent = Consent.unknown.value
    try:
        note = clean_actor_field("note", get("note"))
    except ValidationFailed as exc:
        errors.extend(exc, row, line, col("note"))
        note, ok = None, False
    try:
        ref_value = get("external_ref")
        if ref_value is None and plan.keys_are_refs and (plan.structural or "id" in fields):
            ref_value = key
        external_ref = clean_actor_field("external_ref", ref_value)
    except ValidationFailed as exc:
        errors.extend(exc, row, line, col("external_ref"))
        external_ref, ok = None, False
    attributes: dict[str, Scalar] = {}
    if plan.attributes:
        raw_attrs: dict[str, object] = {}
        for column in plan.attributes:
            value = values.get(column)
            if value is None:
                continue
            if isinstance(value, str):
                if not value.strip():
                    continue
                if not plan.structural and not plan.typed:
                    value = infer_scalar(value)
            elif isinstance(value, list | tuple):
                value = "|".join(str(v) for v in value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            name_ = (
                column[len(ATTRIBUTE_PREFIX) :] if column.startswith(ATTRIBUTE_PREFIX) else column
            )
            raw_attrs[name_] = value
        try:
            attributes = clean_actor_field("attributes", raw_attrs)
        except ValidationFailed as exc:
            errors.extend(exc, row, line, "")
            ok = False
    # duplicates
    first = builder._keys.get(key)
    if first is not None:
        first_row, first_line = builder.actor_rows[first]
        at = f"row {first_row}" if first_row is not None else f"line {first_line}"
        what = "this label" if builder.keys_are_labels else f"'{key[:40]}'"
        errors.add(col("id"), f"{what} appears twice (first at {at})", row, line)
        return
    if external_ref is not None:
        dup = builder._refs.get(external_ref)
        if dup is not None:
            first_row, first_line = builder.actor_rows[dup]
            at = f"row {first_row}" if first_row is not None else f"line {first_line}"
            errors.add(
                col("external_ref"),
                f"external reference '{external_ref[:40]}' appears twice (first at {at})",
                row,
                line,
            )
            return
    if not ok or kind is None:
        return
    index = len(builder.actors.key)
    builder._keys[key] = index
    if external_ref is not None:
        builder._refs[external_ref] = index
    a = builder.actors
    a.key.append(key)
    a.kind.append(kind)
    a.name.append(name)
    a.area.append(area)
    a.languages.append(lists["languages"])
    a.assets.append(lists["assets"])
    a.needs.append(lists["needs"])
    a.consent.append(consent)
    a.note.append(note)
    a.external_ref.append(external_ref)
    a.attributes.append(attributes)
    a.extra.append({})
    builder.actor_rows.append((row, line))
