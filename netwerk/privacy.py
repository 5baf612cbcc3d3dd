"""Privacy rules of DESIGN.md section 6, in one place: consent, roles, small-cell suppression.

| consent   | analysis       | broker sees    | suggested | viewer     | research export |
|-----------|----------------|----------------|-----------|------------|-----------------|
| given     | yes            | yes            | yes       | aggregates | pseudonymised   |
| unknown   | yes            | yes            | no        | aggregates | excluded        |
| withdrawn | yes, anonymous | pseudonym only | no        | aggregates | excluded        |

Organisations, initiatives and places need no consent.

Small cells: a count of persons below the network's threshold (default 5) is suppressed for
viewers. Where a suppressed count could be recomputed from a published total and the other
cells (``total - sum(shown)``), a second cell is suppressed as well (secondary suppression,
as in statistical disclosure control: Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, ch. 5).

Viewer results are *aggregate types*: frozen dataclasses registered with :func:`aggregate`
whose person counts are marked on the type itself, so that no list of field names has to be
kept up to date elsewhere::

    @aggregate
    @dataclass(frozen=True)
    class AreaCount:
        area: str | None
        persons: PersonCount                     # suppressed below the threshold

    @aggregate
    @dataclass(frozen=True)
    class Result:
        by_kind: PersonCells                     # a table: primary + secondary suppression
        by_area: Annotated[tuple[AreaCount, ...], Cells("persons")]

:func:`suppress` applies the marks; :func:`check_aggregate` refuses any value that is not
built from aggregate types, and any row that says it is about a person (``person=True``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar

from netwerk.i18n import LANGS, text
from netwerk.model import PERSON_KINDS, ActorKind, Consent, Role

__all__ = [
    "PERSONS",
    "SAYS",
    "Cell",
    "Cells",
    "PersonCells",
    "PersonCount",
    "PrivacyError",
    "Sentence",
    "Sentences",
    "aggregate",
    "anonymous_label",
    "check_aggregate",
    "display_name",
    "is_aggregate",
    "is_person",
    "marked_fields",
    "may_be_suggested",
    "may_export_for_research",
    "sees_persons",
    "shown_as_pseudonym",
    "suppress",
    "suppress_counts",
]


def is_person(kind: str) -> bool:
    return ActorKind(kind) in PERSON_KINDS


def _consent(kind: str, consent: str | None) -> Consent | None:
    if not is_person(kind):
        return None
    return Consent(consent or Consent.unknown)


def may_be_suggested(kind: str, consent: str | None) -> bool:
    """May this actor be proposed to someone else (as a target, or as an introducer)?"""
    c = _consent(kind, consent)
    return c is None or c is Consent.given


def shown_as_pseudonym(kind: str, consent: str | None) -> bool:
    """A broker sees a withdrawn person only as a pseudonym."""
    return _consent(kind, consent) is Consent.withdrawn


def display_name(actor_id: str, kind: str, consent: str | None, name: str, lang: str = "nl") -> str:
    """The name a broker (or the CLI) shows for an actor: its name, or for a person with
    withdrawn consent the pseudonym :func:`anonymous_label` (:func:`shown_as_pseudonym`)."""
    return anonymous_label(actor_id, lang) if shown_as_pseudonym(kind, consent) else name


def may_export_for_research(kind: str, consent: str | None) -> bool:
    c = _consent(kind, consent)
    return c is None or c is Consent.given


def sees_persons(role: Role) -> bool:
    """Person-level results go to brokers and admins; viewers get aggregates and non-persons,
    researchers get pseudonymised exports."""
    return role in (Role.admin, Role.broker)


def anonymous_label(actor_id: str, lang: str = "nl") -> str:
    """A stable label that says nothing about the person (for withdrawn consent)."""
    digest = hashlib.sha256(f"anon:{actor_id}".encode()).hexdigest()[:6]
    return text("kind.anonymous", lang if lang in LANGS else "nl", code=digest)


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None
    suppressed: bool


def suppress_counts(
    counts: Mapping[str, int] | Sequence[tuple[str, int]],
    threshold: int,
    *,
    total_published: bool = True,
) -> list[Cell]:
    """Suppress person counts in ``1 .. threshold-1``; add secondary suppression so that no
    hidden count can be recomputed as ``total - sum(visible)``.

    A zero is not disclosive and is shown. When exactly one cell is hidden and the total is
    published, the smallest other non-zero cell is hidden too; if the hidden cells together
    still sum to less than the threshold, more cells are hidden until they do not.
    """
    items = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    hidden = {i for i, (_, n) in enumerate(items) if 0 < n < threshold}
    if total_published and hidden:
        order = sorted((n, i) for i, (_, n) in enumerate(items) if i not in hidden and n > 0)

        def exposed() -> bool:
            return len(hidden) == 1 or sum(items[i][1] for i in hidden) < threshold

        while exposed() and order:
            hidden.add(order.pop(0)[1])
    return [
        Cell(label, None if i in hidden else n, i in hidden) for i, (label, n) in enumerate(items)
    ]


# --------------------------------------------------------------------------- aggregate types


class PrivacyError(RuntimeError):
    """A value that is not an aggregate was about to reach a role that sees aggregates only.
    A programming error: the route's view must be built from aggregate types."""


class _PersonsMark:
    def __repr__(self) -> str:
        return "PERSONS"


PERSONS = _PersonsMark()
"""Marks an ``int | None`` field as a count of persons: suppressed below the threshold."""


@dataclass(frozen=True)
class Cells:
    """Marks a table of person counts, suppressed together (primary and secondary).

    On a ``dict[str, int | None]`` the values are the cells. On a tuple of aggregate rows,
    ``count`` names the field of each row that is the cell; when a row's cell is hidden, the
    fields named in ``dependents`` are blanked too (they would give the count away, like a
    density that with the number of ties tells the size)."""

    count: str = "persons"
    dependents: tuple[str, ...] = ()
    total_published: bool = True


PersonCount = Annotated[int | None, PERSONS]
PersonCells = Annotated[dict[str, int | None], Cells()]


class _SaysMark:
    def __repr__(self) -> str:
        return "SAYS"


SAYS = _SaysMark()
"""Marks a sentence (or a tuple of sentences) that may restate the counts beside it in
words (``4 bewoners``): a viewer gets it only when it names none of the counts suppressed
there (``api.present.withhold``)."""

Sentence = Annotated[str, SAYS]
Sentences = Annotated[tuple[str, ...], SAYS]

T = TypeVar("T")
_AGGREGATES: set[type] = set()


def aggregate(cls: type[T]) -> type[T]:
    """Register a dataclass as an aggregate type (a viewer may receive it)."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    _AGGREGATES.add(cls)
    return cls


def is_aggregate(cls: type) -> bool:
    return cls in _AGGREGATES


@cache
def _marks(cls: type) -> dict[str, tuple[Any, ...]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, tuple[Any, ...]] = {}
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        out[f.name] = tuple(getattr(hint, "__metadata__", ()))
    return out


def _dataclasses_in(hint: Any) -> list[type]:
    """The dataclass types a type hint holds (through tuples, unions, dicts, Annotated)."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return [hint]
    return [c for arg in typing.get_args(hint) for c in _dataclasses_in(arg)]


def marked_fields(cls: type, mark: object) -> frozenset[str]:
    """The names of the fields marked ``mark`` (e.g. :data:`SAYS`) in ``cls`` and in every
    dataclass type its fields hold, recursively: what a presenter of the type's JSON reads
    instead of a list of field names of its own."""
    return _marked_fields(cls, mark)


@cache
def _marked_fields(cls: Any, mark: Any) -> frozenset[str]:
    seen: set[type] = set()
    names: set[str] = set()

    def walk(c: type) -> None:
        if c in seen:
            return
        seen.add(c)
        hints = typing.get_type_hints(c, include_extras=True)
        for name, marks in _marks(c).items():
            if mark in marks:
                names.add(name)
            for inner in _dataclasses_in(hints.get(name)):
                walk(inner)

    walk(cls)
    return frozenset(names)


def _small(value: Any, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold


def _blank(value: Any) -> Any:
    if isinstance(value, tuple):
        return ()
    if isinstance(value, dict):
        return {}
    return None


def _cells(counts: Sequence[int | None], mark: Cells, threshold: int) -> list[int | None]:
    """Suppress one table; a cell that is ``None`` already stays hidden (and counts as
    hidden for the secondary suppression of the rest)."""
    known = [(str(i), int(n)) for i, n in enumerate(counts) if n is not None]
    unknown = sum(1 for n in counts if n is None)
    out: dict[str, int | None] = {}
    if unknown:
        # the hidden cells are already at least two or add up beyond a total: only the
        # primary rule is left for the rest, plus one more cell if a single one is hidden
        cells = suppress_counts(known, threshold, total_published=False)
        if unknown == 1 and mark.total_published and not any(c.suppressed for c in cells):
            order = sorted((c.count or 0, c.label) for c in cells if (c.count or 0) > 0)
            hide = order[0][1] if order else None
            cells = [Cell(c.label, None, True) if c.label == hide else c for c in cells]
    else:
        cells = suppress_counts(known, threshold, total_published=mark.total_published)
    out = {c.label: c.count for c in cells}
    return [out.get(str(i)) for i in range(len(counts))]


def _table(value: Any, mark: Cells, threshold: int) -> Any:
    if isinstance(value, dict):
        shown = _cells(list(value.values()), mark, threshold)
        return dict(zip(value, shown, strict=True))
    rows = list(value)
    shown = _cells([getattr(r, mark.count) for r in rows], mark, threshold)
    out = []
    for row, count in zip(rows, shown, strict=True):
        row = dataclasses.replace(suppress(row, threshold), **{mark.count: count})
        if count is None:
            blanks = {name: _blank(getattr(row, name)) for name in mark.dependents}
            row = dataclasses.replace(row, **blanks)
        out.append(row)
    return tuple(out)


def suppress(value: T, threshold: int) -> T:
    """``value`` with every marked person count below ``threshold`` hidden (``None``) and
    every marked table suppressed with :func:`suppress_counts` (see the module doc)."""
    if isinstance(value, tuple):
        return tuple(suppress(v, threshold) for v in value)  # type: ignore[return-value]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, Any] = {}
    for name, marks in _marks(type(value)).items():
        current = getattr(value, name)
        if PERSONS in marks:
            changes[name] = None if _small(current, threshold) else current
            continue
        table = next((m for m in marks if isinstance(m, Cells)), None)
        if table is not None and current is not None:
            changes[name] = _table(current, table, threshold)
        elif dataclasses.is_dataclass(current) or isinstance(current, tuple):
            changes[name] = suppress(current, threshold)
    return dataclasses.replace(value, **changes)


_PERSON_KIND_VALUES = frozenset(k.value for k in PERSON_KINDS)


def _identifies_a_person(row: Any) -> bool:
    if getattr(row, "person", False) is True or getattr(row, "person_pair", False) is True:
        return True
    for f in dataclasses.fields(row):
        if f.name.endswith("_id") and isinstance(getattr(row, f.name), str):
            kind_field = "kind" if f.name == "actor_id" else f.name[:-3] + "_kind"
            if getattr(row, kind_field, None) in _PERSON_KIND_VALUES:
                return True
    return False


def check_aggregate(value: Any, path: str = "result") -> None:
    """Raise :class:`PrivacyError` unless ``value`` is built from aggregate types only (and
    plain values), with no row about a person."""
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            check_aggregate(v, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            check_aggregate(v, f"{path}.{k}")
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not is_aggregate(type(value)):
            raise PrivacyError(f"{path}: {type(value).__name__} is not an aggregate type")
        if _identifies_a_person(value):
            raise PrivacyError(f"{path}: a row about a person")
        for f in dataclasses.fields(value):
            check_aggregate(getattr(value, f.name), f"{path}.{f.name}")
