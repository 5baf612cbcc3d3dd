"""Plain, store-independent records of a network, as the exchange formats see it.

Actors and ties are held *columnar* (one list per field) so that a city-sized network
(100,000 actors, 1,000,000 ties) fits in memory without one Python object per row.

``key`` is the identifier an actor has *inside a file*: in an ordinary export the actor id,
in a research export the researcher's pseudonym, after an import the file's node id. Ties
refer to actors by that key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from netwerk.model import Scalar

__all__ = [
    "ACTOR_FIELDS",
    "ANALYSIS_PREFIX",
    "ATTRIBUTE_PREFIX",
    "TIE_FIELDS",
    "TIE_STATUSES",
    "ActorRecord",
    "ActorRecords",
    "AttrType",
    "NetworkRecords",
    "TieRecord",
    "TieRecords",
    "attribute_column",
    "infer_attr_types",
    "split_multi",
    "tie_status",
]

ACTOR_FIELDS: tuple[str, ...] = (
    "kind",
    "name",
    "area",
    "languages",
    "assets",
    "needs",
    "consent",
    "note",
    "external_ref",
)
"""Core actor fields in the order the formats write them (``name`` is the label)."""

MULTI_FIELDS = frozenset({"languages", "assets", "needs", "support"})

TIE_FIELDS: tuple[str, ...] = ("kind", "strength", "support", "since", "until", "note", "status")
"""``status`` is derived, not stored: ``active`` on the export's reference day, ``ended``
(``until`` before it) or ``future`` (``since`` after it); see :func:`tie_status`."""

TIE_STATUSES: tuple[str, ...] = ("active", "ended", "future")


def tie_status(since: dt.date | None, until: dt.date | None, day: dt.date) -> str:
    """Whether a tie is active on ``day``, had ended before it, or had not begun yet."""
    if until is not None and until < day:
        return "ended"
    if since is not None and since > day:
        return "future"
    return "active"


ATTRIBUTE_PREFIX = "attr."
"""Prefix of a free attribute whose name collides with a core field (``attr.kind``)."""

ANALYSIS_PREFIX = "analysis."
"""Prefix of analysis results added to an export; an import drops these (they are derived)."""

_RESERVED = frozenset(ACTOR_FIELDS) | {"id", "label", "key", "type", "tags"}

AttrType = Literal["boolean", "long", "double", "string"]

_SPLIT = re.compile(r"\s*[;|,]\s*")


def split_multi(value: object) -> list[str]:
    """A multi-valued cell as a list: JSON lists as they are, strings split on ``; | ,``."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if not text:
        return []
    return [part for part in _SPLIT.split(text) if part]


def attribute_column(key: str) -> str:
    """The column/attribute name a free attribute gets in a file (prefixed on collision)."""
    lowered = key.lower()
    if (
        lowered in _RESERVED
        or lowered.startswith(ATTRIBUTE_PREFIX)
        or lowered.startswith(ANALYSIS_PREFIX)
    ):
        return ATTRIBUTE_PREFIX + key
    return key


def infer_attr_types(rows: Iterable[Mapping[str, Scalar]]) -> dict[str, AttrType]:
    """One type per attribute name over all rows: boolean, long, double, or else string."""
    seen: dict[str, set[type]] = {}
    for row in rows:
        for key, value in row.items():
            if value is None:
                continue
            seen.setdefault(key, set()).add(type(value))
    out: dict[str, AttrType] = {}
    for key in sorted(seen):
        types = seen[key]
        if types == {bool}:
            out[key] = "boolean"
        elif types == {int}:
            out[key] = "long"
        elif types <= {int, float}:
            out[key] = "double"
        else:
            out[key] = "string"
    return out


class ActorRecord(NamedTuple):
    key: str
    kind: str
    name: str | None
    area: str | None
    languages: tuple[str, ...]
    assets: tuple[str, ...]
    needs: tuple[str, ...]
    consent: str | None
    note: str | None
    external_ref: str | None
    attributes: Mapping[str, Scalar]
    extra: Mapping[str, Scalar]


@dataclass
class ActorRecords:
    """Actors, one list per field, all of the same length."""

    key: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    name: list[str | None] = field(default_factory=list)
    area: list[str | None] = field(default_factory=list)
    languages: list[tuple[str, ...]] = field(default_factory=list)
    assets: list[tuple[str, ...]] = field(default_factory=list)
    needs: list[tuple[str, ...]] = field(default_factory=list)
    consent: list[str | None] = field(default_factory=list)
    note: list[str | None] = field(default_factory=list)
    external_ref: list[str | None] = field(default_factory=list)
    attributes: list[Mapping[str, Scalar]] = field(default_factory=list)
    extra: list[Mapping[str, Scalar]] = field(default_factory=list)
    """Analysis results to add as node attributes (export only)."""

    def __len__(self) -> int:
        return len(self.key)

    def append(self, record: ActorRecord) -> None:
        for name, value in zip(ActorRecord._fields, record, strict=True):
            getattr(self, name).append(value)

    def __iter__(self) -> Iterator[ActorRecord]:
        for values in zip(
            self.key,
            self.kind,
            self.name,
            self.area,
            self.languages,
            self.assets,
            self.needs,
            self.consent,
            self.note,
            self.external_ref,
            self.attributes,
            self.extra,
            strict=True,
        ):
            yield ActorRecord(*values)

    def take(self, order: list[int]) -> ActorRecords:
        """A copy with the rows in ``order``."""
        out = ActorRecords()
        for name in ActorRecord._fields:
            column = getattr(self, name)
            setattr(out, name, [column[i] for i in order])
        return out


class TieRecord(NamedTuple):
    source: str
    target: str
    kind: str
    strength: int
    support: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    note: str | None


@dataclass
class TieRecords:
    """Ties, one list per field; ``source``/``target`` are actor keys."""

    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    strength: list[int] = field(default_factory=list)
    support: list[tuple[str, ...]] = field(default_factory=list)
    since: list[dt.date | None] = field(default_factory=list)
    until: list[dt.date | None] = field(default_factory=list)
    note: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source)

    def append(self, record: TieRecord) -> None:
        for name, value in zip(TieRecord._fields, record, strict=True):
            getattr(self, name).append(value)

    def __iter__(self) -> Iterator[TieRecord]:
        for values in zip(
            self.source,
            self.target,
            self.kind,
            self.strength,
            self.support,
            self.since,
            self.until,
            self.note,
            strict=True,
        ):
            yield TieRecord(*values)

    def take(self, order: list[int]) -> TieRecords:
        out = TieRecords()
        for name in TieRecord._fields:
            column = getattr(self, name)
            setattr(out, name, [column[i] for i in order])
        return out


@dataclass
class NetworkRecords:
    """What a writer needs: the records plus which columns they carry.

    ``actor_fields`` / ``tie_fields`` list the core fields present (a research export leaves
    out ``name``, ``note``, ``consent`` and ``external_ref``); ``attr_types`` and
    ``extra_types`` give one type per free attribute and per analysis result. ``dynamic``
    asks GEXF for the whole history as spells; ``as_of`` is the date a static export shows.
    ``day`` is the day each tie's ``status`` refers to (``as_of``, else the day of export);
    ``history`` says the ties are every tie, not only those active that day.
    """

    actors: ActorRecords
    ties: TieRecords
    actor_fields: tuple[str, ...] = ACTOR_FIELDS
    tie_fields: tuple[str, ...] = TIE_FIELDS
    attr_types: dict[str, AttrType] = field(default_factory=dict)
    extra_types: dict[str, AttrType] = field(default_factory=dict)
    title: str = "Spinnen in het web"
    as_of: dt.date | None = None
    dynamic: bool = False
    pseudonymised: bool = False
    history: bool = False
    day: dt.date = field(default_factory=dt.date.today)

    def status(self, i: int) -> str:
        """The ``status`` of tie ``i`` (:func:`tie_status` on :attr:`day`)."""
        return tie_status(self.ties.since[i], self.ties.until[i], self.day)

    @property
    def labels(self) -> list[str]:
        """The label shown for each actor: its name, or its key where names are left out."""
        if "name" in self.actor_fields:
            return [n if n else k for n, k in zip(self.actors.name, self.actors.key, strict=True)]
        return self.actors.key


def scalar_text(value: Any) -> str:
    """A typed attribute value as text in the XML formats (GraphML, GEXF)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def node_cells(
    actors: ActorRecords,
    i: int,
    columns: Sequence[tuple[str, Sequence[Any]]],
    attr_cols: Sequence[tuple[str, str]],
    extra_cols: Sequence[tuple[str, str]],
) -> Iterator[tuple[str, str]]:
    """``(column id, text)`` for every value actor ``i`` has: its fields (multi-valued ones
    joined with ``;``), its free attributes and its analysis results."""
    for col_id, column in columns:
        value = column[i]
        if value is None or value == ():
            continue
        yield col_id, ";".join(value) if isinstance(value, tuple) else str(value)
    for cols, values in ((attr_cols, actors.attributes), (extra_cols, actors.extra)):
        if cols:
            mapping = values[i]
            for col_id, name in cols:
                found = mapping.get(name)
                if found is not None:
                    yield col_id, scalar_text(found)
