"""One tie row: its two ends, kind, strength, support, dates and note. The hot path of a
large import (a million rows): values are cleaned inline and parsed values cached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netwerk.errors import ValidationFailed
from netwerk.model import MAX_NOTE, SupportKind, TieKind, clean_text

from ..records import split_multi
from .items import RawTie
from .values import _clean_scalar, _parse_date, _strength
from .vocab import _DIRECTIONS, _SUPPORT_SYNONYMS, TIE_KIND_SYNONYMS, _enum_syn

if TYPE_CHECKING:
    from .builder import Builder, Plan

__all__ = ["add_tie"]


def add_tie(builder: Builder, raw: RawTie) -> None:
    """Validate one tie row and append it to the builder's columns, or record its errors."""
    plan = builder._plans.get("ties")
    if plan is None:
        raise RuntimeError("reader yielded a tie before the ties header")
    if plan.broken:
        return
    values = raw.values
    fields = plan.fields
    (c_source, c_target, c_kind, c_strength, c_support, c_since, c_until, c_note) = plan.tie_columns
    ok = True
    if plan.structural:
        source, target = raw.source, raw.target
    else:
        s = _clean_scalar(values.get(c_source)) if c_source else None
        t = _clean_scalar(values.get(c_target)) if c_target else None
        source = str(s) if s is not None else None
        target = str(t) if t is not None else None
    if not source or not target:
        for end, value in (("source", source), ("target", target)):
            if not value:
                _tie_error(builder, plan, end, f"a tie needs a {end}", raw)
        ok = False
    # Hot path (a million rows): the cleaning of _clean_scalar inlined for strings.
    kind_value = values.get(c_kind) if c_kind else None
    if kind_value.__class__ is str:
        kind_value = kind_value.strip() or None
    elif kind_value is not None:
        kind_value = _clean_scalar(kind_value)
    kind = builder._tie_kinds.get(kind_value) if kind_value is not None else None
    if kind is None:
        if kind_value is None or (
            plan.kind_may_be_direction
            and isinstance(kind_value, str)
            and kind_value.lower() in _DIRECTIONS
        ):
            kind = builder.default_tie_kind
        else:
            try:
                kind = _enum_syn(kind_value, TIE_KIND_SYNONYMS, "tie kind", TieKind)
                builder._tie_kinds[kind_value] = kind
            except ValidationFailed as exc:
                _tie_failed(builder, plan, "tie_kind", exc, raw)
                kind, ok = "", False
    strength = 3
    strength_value = values.get(c_strength) if c_strength else None
    if strength_value.__class__ is str:
        strength_value = strength_value.strip() or None
    elif strength_value is not None:
        strength_value = _clean_scalar(strength_value)
    if strength_value is not None:
        found_strength = builder._strengths.get(strength_value)
        if found_strength is None:
            try:
                found_strength = _strength(strength_value)
                builder._strengths[strength_value] = found_strength
            except ValidationFailed as exc:
                _tie_failed(builder, plan, "strength", exc, raw)
                found_strength, ok = 3, False
        strength = found_strength
    support: tuple[str, ...] = ()
    support_value = values.get(c_support) if c_support else None
    if support_value.__class__ is str:
        support_value = support_value.strip() or None
    if support_value is not None:
        cache_key = tuple(support_value) if isinstance(support_value, list) else support_value
        found_support = builder._support_cache.get(cache_key)
        if found_support is None:
            try:
                found_support = tuple(
                    sorted(
                        {
                            _enum_syn(s, _SUPPORT_SYNONYMS, "support", SupportKind)
                            for s in split_multi(support_value)
                        }
                    )
                )
                builder._support_cache[cache_key] = found_support
            except ValidationFailed as exc:
                _tie_failed(builder, plan, "support", exc, raw)
                found_support, ok = (), False
        support = found_support
    since = until = None
    date_cache = builder._date_cache
    for field_name, column in (("since", c_since), ("until", c_until)):
        value = values.get(column) if column else None
        if value.__class__ is str:
            value = value.strip() or None
        if value is None:
            continue
        hashable = value if not isinstance(value, list) else str(value)
        if hashable in date_cache:
            parsed = date_cache[hashable]
        else:
            try:
                parsed = _parse_date(value)
                date_cache[hashable] = parsed
            except ValidationFailed as exc:
                _tie_failed(builder, plan, field_name, exc, raw)
                parsed, ok = None, False
        if field_name == "since":
            since = parsed
        else:
            until = parsed
    if since is not None and until is not None and until < since:
        _tie_error(builder, plan, "until", "until is before since", raw)
        ok = False
    note = None
    note_value = values.get(c_note) if c_note else None
    if note_value.__class__ is str:
        note_value = note_value.strip() or None
    if note_value is not None:
        try:
            note = clean_text(note_value, "note", MAX_NOTE)
        except ValidationFailed as exc:
            _tie_failed(builder, plan, "tie_note", exc, raw)
            ok = False
    if source and target and source == target:
        _tie_error(builder, plan, "target", "a tie needs two different actors", raw)
        ok = False
    if not ok or source is None or target is None:
        return
    t = builder.ties
    t.source.append(source)
    t.target.append(target)
    t.kind.append(kind)
    t.strength.append(strength)
    t.support.append(support)
    t.since.append(since)
    t.until.append(until)
    t.note.append(note)
    builder.tie_rows.append((raw.row, raw.line))
    del fields


def _tie_column(plan: Plan, name: str) -> str:
    column = plan.fields.get(name, name.removeprefix("tie_"))
    return f"{plan.where}.{column}" if plan.where else column


def _tie_error(builder: Builder, plan: Plan, name: str, message: str, raw: RawTie) -> None:
    builder.errors.add(_tie_column(plan, name), message, raw.row, raw.line)


def _tie_failed(
    builder: Builder, plan: Plan, name: str, exc: ValidationFailed, raw: RawTie
) -> None:
    builder.errors.extend(exc, raw.row, raw.line, _tie_column(plan, name))
