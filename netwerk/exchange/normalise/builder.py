"""The :class:`Builder`: maps a file's columns to fields, then feeds each row to
:func:`~.actor_rows.add_actor` or :func:`~.tie_rows.add_tie`, collecting every error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from netwerk.errors import ValidationFailed
from netwerk.model import ActorKind, TieKind

from ..records import ANALYSIS_PREFIX, ActorRecords, TieRecords
from .actor_rows import add_actor
from .items import ErrorList, Header, Item, RawActor, RawError, RawTie, Section
from .tie_rows import add_tie
from .vocab import (
    _QUIET_TIE_COLUMNS,
    ACTOR_ALIASES,
    ACTOR_KIND_SYNONYMS,
    MAPPING_FIELDS,
    TIE_ALIASES,
    TIE_KIND_SYNONYMS,
    _enum_syn,
    _norm,
)

__all__ = ["Builder", "ImportData", "Plan"]


@dataclass
class Plan:
    """Which file column feeds which field, for one section."""

    fields: dict[str, str] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    structural: bool = False
    where: str = ""
    keys_are_refs: bool = True
    typed: bool = False
    tie_columns: tuple[str | None, ...] = ()
    kind_may_be_direction: bool = False
    broken: bool = False
    """The header lacks the columns rows need: reported once, rows skipped."""
    """The tie-kind column is a ``Type`` column, where Gephi writes Directed/Undirected."""


@dataclass
class ImportData:
    """What a :class:`Builder` produced: validated columns with file keys."""

    actors: ActorRecords
    actor_rows: list[tuple[int | None, int | None]]
    ties: TieRecords
    tie_rows: list[tuple[int | None, int | None]]
    warnings: list[str]
    keys_are_labels: bool = False
    """Actors are known by their label (name): error messages then do not quote keys."""
    tie_where: str = ""
    """Where the ties came from (a file or sheet name), to name it in later errors."""


class Builder:
    """Consumes reader items, validates, and keeps columns plus every error."""

    def __init__(
        self,
        *,
        mapping: Mapping[str, str] | None = None,
        default_kind: str | None = None,
        default_tie_kind: str = "knows",
        errors: ErrorList | None = None,
    ) -> None:
        self.mapping = dict(mapping or {})
        for key, column in self.mapping.items():
            if key not in MAPPING_FIELDS:
                raise ValidationFailed(
                    f"mapping.{key}",
                    f"not a field; map any of: {', '.join(sorted(MAPPING_FIELDS))}",
                )
            if not isinstance(column, str) or not column.strip():
                raise ValidationFailed(f"mapping.{key}", "give the column name in the file")
        self.default_kind = (
            _enum_syn(default_kind, ACTOR_KIND_SYNONYMS, "actor kind", ActorKind)
            if default_kind
            else None
        )
        self.default_tie_kind = _enum_syn(default_tie_kind, TIE_KIND_SYNONYMS, "tie kind", TieKind)
        self.errors = errors if errors is not None else ErrorList()
        self.warnings: list[str] = []
        self.actors = ActorRecords()
        self.actor_rows: list[tuple[int | None, int | None]] = []
        self.ties = TieRecords()
        self.tie_rows: list[tuple[int | None, int | None]] = []
        self._plans: dict[Section, Plan] = {}
        self._keys: dict[str, int] = {}
        self._refs: dict[str, int] = {}
        self._support_cache: dict[Any, tuple[str, ...]] = {}
        self._date_cache: dict[Any, dt.date | None] = {}
        self._kind_cache: dict[Any, str] = {}
        self._tie_kinds: dict[Any, str] = {}
        self._strengths: dict[Any, int] = {}
        self._has_actor_section = False
        self._kind_missing: tuple[str, int | None] | None = None
        self.keys_are_labels = False

    # -- headers -----------------------------------------------------------------------
    def header(self, header: Header) -> None:
        aliases = ACTOR_ALIASES if header.section == "actors" else TIE_ALIASES
        plan = Plan(
            structural=header.structural,
            where=header.where,
            keys_are_refs=header.keys_are_refs,
            typed=header.typed,
        )
        by_norm: dict[str, str] = {}
        for column in header.columns:
            by_norm.setdefault(_norm(column), column)
        used: set[str] = set()
        for name, choices in aliases.items():
            if header.structural and name in ("id", "source", "target"):
                continue
            explicit = self.mapping.get(name)
            if explicit is not None:
                found = explicit if explicit in header.columns else by_norm.get(_norm(explicit))
                if found is None:
                    self.errors.add(
                        f"mapping.{name}",
                        f"column '{explicit[:40]}' is not in the file",
                        None,
                        1 if not header.structural else None,
                    )
                    continue
                plan.fields[name] = found
                used.add(found)
                continue
            for alias in choices:
                match = by_norm.get(alias)
                if match is not None and match not in used:
                    plan.fields[name] = match
                    used.add(match)
                    break
        for column in header.columns:
            if column in used:
                continue
            normed = _norm(column)
            if column.lower().startswith(ANALYSIS_PREFIX) or normed.startswith("analysis_"):
                plan.ignored.append(column)
            elif header.section == "actors" and normed not in ("id", "key"):
                plan.attributes.append(column)
            else:
                plan.ignored.append(column)
        if header.section == "ties":
            plan.tie_columns = tuple(
                plan.fields.get(name)
                for name in (
                    "source",
                    "target",
                    "tie_kind",
                    "strength",
                    "support",
                    "since",
                    "until",
                    "tie_note",
                )
            )
            plan.kind_may_be_direction = _norm(plan.fields.get("tie_kind", "kind")) != "kind"
        self._plans[header.section] = plan
        if header.section == "actors" and not header.structural and "id" not in plan.fields:
            self.keys_are_labels = True
        self._check_required(header, plan)

    def _check_required(self, header: Header, plan: Plan) -> None:
        where = f"{plan.where}: " if plan.where else ""
        line = None if header.structural or header.typed else 1
        if header.section == "actors":
            self._has_actor_section = True
            if not header.structural and "id" not in plan.fields and "name" not in plan.fields:
                plan.broken = True
                self.errors.add(
                    "columns",
                    f"{where}the actors table needs a 'Label' (name) or 'Id' column; "
                    f"found: {', '.join(header.columns)[:200] or 'none'}",
                    None,
                    line,
                )
            if "kind" not in plan.fields and self.default_kind is None:
                # Reported once, with the first actor (a file may have no actors at all).
                self._kind_missing = (
                    f"{where}no actor kind: add a 'kind' (or 'Type') column, map one, or give "
                    "a default kind (resident, key_figure, professional, organisation, "
                    "initiative, place)",
                    line,
                )
        else:
            missing = [n for n in ("source", "target") if n not in plan.fields]
            if not header.structural and missing:
                plan.broken = True
                self.errors.add(
                    "columns",
                    f"{where}the ties table needs 'Source' and 'Target' (or 'From' and 'To') "
                    f"columns; found: {', '.join(header.columns)[:200] or 'none'}",
                    None,
                    line,
                )
            noisy = [
                c
                for c in plan.ignored
                if _norm(c) not in _QUIET_TIE_COLUMNS and not _norm(c).startswith("analysis_")
            ]
            if noisy:
                self.warnings.append(
                    f"{where}tie columns ignored (ties have no free attributes): "
                    f"{', '.join(noisy)[:200]}"
                )

    # -- rows --------------------------------------------------------------------------
    def actor(self, raw: RawActor) -> None:
        add_actor(self, raw)

    def tie(self, raw: RawTie) -> None:
        add_tie(self, raw)

    def feed(self, items: Iterable[Item], progress: Callable[[int], None] | None = None) -> None:
        for count, item in enumerate(items, start=1):
            if isinstance(item, RawTie):
                add_tie(self, item)
            elif isinstance(item, RawActor):
                add_actor(self, item)
            elif isinstance(item, RawError):
                self.errors.add(item.field, item.message, item.row, item.line)
            else:
                self.header(item)
            if progress is not None and count % 50_000 == 0:
                progress(count)

    def result(self) -> ImportData:
        return ImportData(
            self.actors,
            self.actor_rows,
            self.ties,
            self.tie_rows,
            self.warnings,
            self.keys_are_labels,
            self._plans["ties"].where if "ties" in self._plans else "",
        )
