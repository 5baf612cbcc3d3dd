"""From raw rows of any file format to validated actor and tie columns.

Readers yield :class:`Header`, :class:`RawActor` and :class:`RawTie` items with the file's own
column names and values. :class:`Builder` maps columns to fields (explicit ``mapping`` first,
then the aliases below, case-insensitive), validates every value with the rules of
:mod:`netwerk.model`, and collects *every* error with its row or line (the first
:data:`MAX_ERRORS` are listed, the rest counted) instead of stopping at the first.

Actor kinds accept common synonyms (English and Dutch), so spreadsheets from Kumu or a
broker's own Excel import without editing:

========================  ==================================================================
kind                      also accepted (case-insensitive, ``_``/``-``/space alike)
========================  ==================================================================
``resident``              person, persoon, bewoner, buurtbewoner, inwoner, people, individual
``key_figure``            key figure, sleutelfiguur, sleutelpersoon
``professional``          hulpverlener, medewerker, staff, employee, social worker, ...
``organisation``          organization, organisatie, instelling, company, bedrijf, agency, ...
``initiative``            initiatief, bewonersinitiatief, project, group, groep, activity, ...
``place``                 plek, plaats, locatie, location, venue, buurthuis, meeting place
========================  ==================================================================

Kumu's default element type ``Person`` becomes ``resident``: the most protected kind
(consent ``unknown`` unless the file says otherwise). Anything else is an error naming the row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from netwerk.errors import FieldError, ValidationFailed
from netwerk.model import (
    MAX_NAME,
    MAX_NOTE,
    PERSON_KINDS,
    ActorKind,
    Consent,
    Scalar,
    SupportKind,
    TieKind,
    clean_text,
    normalise_area,
    normalise_attributes,
    normalise_languages,
    normalise_themes,
)

from .records import (
    ANALYSIS_PREFIX,
    ATTRIBUTE_PREFIX,
    ActorRecords,
    TieRecords,
    split_multi,
)

__all__ = [
    "ACTOR_KIND_SYNONYMS",
    "MAPPING_FIELDS",
    "MAX_ERRORS",
    "TIE_KIND_SYNONYMS",
    "Builder",
    "ErrorList",
    "Header",
    "Item",
    "RawActor",
    "RawError",
    "RawTie",
    "infer_scalar",
]

MAX_ERRORS = 100
"""Errors listed in a report or a ValidationFailed; more are counted, not listed."""

Section = Literal["actors", "ties"]


class Header(NamedTuple):
    """The columns of a section, before its rows. ``structural``: the key (and a tie's ends)
    come from the file's structure (an XML id, a JSON ``id``), not from a column."""

    section: Section
    columns: list[str]
    structural: bool
    where: str = ""
    """A prefix for error fields, e.g. a sheet name ``Elements``."""
    keys_are_refs: bool = True
    """Whether an actor's key in the file is a stable external reference (not so for
    Pajek's vertex numbers)."""


class RawActor(NamedTuple):
    values: Mapping[str, Any]
    key: str | None = None
    row: int | None = None
    line: int | None = None


class RawTie(NamedTuple):
    values: Mapping[str, Any]
    source: str | None = None
    target: str | None = None
    row: int | None = None
    line: int | None = None


class RawError(NamedTuple):
    """A problem a reader found in a row (e.g. too many cells), passed on to the report."""

    field: str
    message: str
    row: int | None = None
    line: int | None = None


Item = Header | RawActor | RawTie | RawError


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-.]+", "_", text.strip().lower()).strip("_")


def _syn(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for target, words in table.items():
        out[_norm(target)] = target
        for word in words:
            out[_norm(word)] = target
    return out


ACTOR_KIND_SYNONYMS = _syn(
    {
        "resident": [
            "residents",
            "person",
            "persoon",
            "personen",
            "people",
            "individual",
            "individu",
            "bewoner",
            "bewoners",
            "buurtbewoner",
            "buurt bewoner",
            "inwoner",
            "citizen",
            "burger",
        ],
        "key_figure": [
            "keyfigure",
            "key figure",
            "key person",
            "sleutelfiguur",
            "sleutelfiguren",
            "sleutelpersoon",
        ],
        "professional": [
            "professionals",
            "prof",
            "hulpverlener",
            "werker",
            "medewerker",
            "staff",
            "employee",
            "opbouwwerker",
            "wijkagent",
            "huismeester",
            "wijkverpleegkundige",
            "straatcoach",
            "social worker",
            "sociaal werker",
            "frontline worker",
        ],
        "organisation": [
            "organisations",
            "organization",
            "organizations",
            "org",
            "organisatie",
            "organisaties",
            "instelling",
            "company",
            "bedrijf",
            "agency",
            "institution",
            "corporatie",
            "woningcorporatie",
        ],
        "initiative": [
            "initiatives",
            "initiatief",
            "initiatieven",
            "bewonersinitiatief",
            "project",
            "group",
            "groep",
            "collective",
            "collectief",
            "activity",
            "activiteit",
            "vereniging",
        ],
        "place": [
            "places",
            "plek",
            "plaats",
            "locatie",
            "location",
            "venue",
            "ontmoetingsplek",
            "buurthuis",
            "meeting place",
        ],
    }
)

TIE_KIND_SYNONYMS = _syn(
    {
        "knows": [
            "know",
            "kent",
            "kennis",
            "acquaintance",
            "contact",
            "connection",
            "relation",
            "relationship",
            "relatie",
            "link",
            "personal",
            "persoonlijk",
        ],
        "family": ["familie", "relative", "familielid", "gezin"],
        "neighbour": [
            "neighbor",
            "neighbours",
            "neighbors",
            "buur",
            "buren",
            "buurman",
            "buurvrouw",
        ],
        "friend": ["friends", "vriend", "vriendin", "vriendschap", "friendship"],
        "member_of": ["member", "lid", "lid van", "membership", "lidmaatschap"],
        "volunteers_at": ["volunteer", "volunteers", "vrijwilliger", "vrijwilligerswerk"],
        "works_for": [
            "works at",
            "employee of",
            "employed by",
            "werkt bij",
            "werkt voor",
            "employment",
            "staff of",
            "contractor",
        ],
        "participates_in": ["participant", "participates", "deelnemer", "neemt deel", "attends"],
        "partners_with": [
            "partner",
            "partners",
            "partnership",
            "samenwerking",
            "werkt samen",
            "collaborates",
            "collaboration",
        ],
        "refers_to": ["refers", "referral", "verwijst", "verwijst naar", "verwijzing"],
        "meets_at": ["meets", "ontmoet", "komt in", "visits", "bezoekt"],
    }
)

_SUPPORT_SYNONYMS = _syn(
    {
        "practical": ["praktisch", "praktische hulp", "practical help", "hulp"],
        "company": ["gezelschap", "companionship", "social"],
        "advice": ["advies", "information", "informatie", "raad"],
        "emotional": ["emotioneel", "emotionele steun", "emotional support", "steun"],
    }
)

_CONSENT_SYNONYMS = _syn(
    {
        "given": ["gegeven", "yes", "ja", "true", "1", "granted"],
        "withdrawn": ["ingetrokken", "no", "nee", "false", "0", "revoked"],
        "unknown": ["onbekend", "unknown", "?"],
    }
)

_STRENGTH_WORDS = {
    _norm(k): v
    for k, v in {
        "very weak": 1,
        "zeer zwak": 1,
        "weak": 2,
        "zwak": 2,
        "medium": 3,
        "moderate": 3,
        "normal": 3,
        "normaal": 3,
        "gemiddeld": 3,
        "strong": 4,
        "sterk": 4,
        "very strong": 5,
        "zeer sterk": 5,
    }.items()
}

_DIRECTIONS = {"directed", "undirected", "mutual"}

# Field → aliases, most specific first. Matched against normalised column names.
ACTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "node_id"),
    "name": ("name", "label", "naam", "node_label"),
    "kind": ("kind", "type", "soort", "element_type", "category"),
    "area": ("area", "gebied", "buurt"),
    "languages": ("languages", "language", "talen"),
    "assets": ("assets", "tags", "aanbod", "offers"),
    "needs": ("needs", "vraag", "vragen", "asks"),
    "consent": ("consent", "toestemming"),
    "note": ("note", "notes", "description", "notitie", "opmerking", "beschrijving"),
    "external_ref": ("external_ref", "externe_referentie", "external_id", "ref"),
}

TIE_ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "from", "van", "bron"),
    "target": ("target", "to", "naar", "doel"),
    "tie_kind": ("kind", "type", "soort", "relation", "relatie", "interaction"),
    "strength": ("strength", "sterkte", "weight", "gewicht"),
    "support": ("support", "steun"),
    "since": ("since", "sinds", "vanaf", "start"),
    "until": ("until", "tot", "end"),
    "tie_note": ("note", "notes", "description", "notitie", "opmerking"),
}

_QUIET_TIE_COLUMNS = frozenset(
    {"weight", "id", "key", "type", "direction", "directed", "label", "interaction", "status"}
)
"""Tie columns our own exports (and Gephi's/Kumu's) carry that an import need not mention."""

MAPPING_FIELDS = frozenset(ACTOR_ALIASES) | frozenset(TIE_ALIASES)
"""The keys an explicit column ``mapping`` may use: field → column name in the file."""


class ErrorList:
    """Collects errors; keeps the first :data:`MAX_ERRORS`, counts all."""

    def __init__(self, cap: int = MAX_ERRORS) -> None:
        self.cap = cap
        self.items: list[FieldError] = []
        self.count = 0

    def add(self, field: str, message: str, row: int | None, line: int | None) -> None:
        self.count += 1
        if len(self.items) < self.cap:
            self.items.append(FieldError(field, message, row=row, line=line))

    def extend(self, exc: ValidationFailed, row: int | None, line: int | None, prefix: str) -> None:
        for e in exc.errors:
            self.add(
                prefix or e.field,
                e.message,
                e.row if e.row is not None else row,
                e.line if e.line is not None else line,
            )

    def listed(self) -> list[FieldError]:
        """The listed errors, plus one line saying how many were left out."""
        if self.count > len(self.items):
            more = self.count - len(self.items)
            return [*self.items, FieldError("errors", f"{more} more errors not listed")]
        return list(self.items)

    def __bool__(self) -> bool:
        return self.count > 0


_INT = re.compile(r"^-?(0|[1-9]\d{0,17})$")
_FLOAT = re.compile(r"^-?\d+\.\d+([eE][-+]?\d+)?$")


def infer_scalar(value: str) -> Scalar:
    """A CSV cell as a typed attribute: ``true``/``false``, integers, decimals, else text."""
    text = value.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _parse_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})", text)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise ValidationFailed("date", f"'{text[:20]}' is not a date (use YYYY-MM-DD)")


def _strength(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationFailed("strength", "a whole number from 1 (weak) to 5 (strong)")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        word = _STRENGTH_WORDS.get(_norm(text))
        if word is not None:
            return word
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValidationFailed(
                "strength", f"'{text[:20]}' is not a strength: use 1 (weak) to 5 (strong)"
            ) from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValidationFailed(
            "strength", f"{value!s:.20} is not a strength: use a whole number from 1 to 5"
        )
    return int(number)


def _enum_syn(value: Any, table: dict[str, str], what: str, allowed: Iterable[str]) -> str:
    text = str(value).strip()
    found = table.get(_norm(text))
    if found is None:
        raise ValidationFailed(
            what, f"'{text[:40]}' is not a known {what}; use one of: {', '.join(allowed)}"
        )
    return found


@dataclass
class _Plan:
    """Which file column feeds which field, for one section."""

    fields: dict[str, str] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    structural: bool = False
    where: str = ""
    keys_are_refs: bool = True
    tie_columns: tuple[str | None, ...] = ()
    kind_may_be_direction: bool = False
    broken: bool = False
    """The header lacks the columns rows need: reported once, rows skipped."""
    """The tie-kind column is a ``Type`` column, where Gephi writes Directed/Undirected."""


def _clean(value: Any) -> Any:
    """Strings stripped (empty → None); other values as they are."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_scalar(value: Any) -> Any:
    """As :func:`_clean`, for a one-valued field: lists, objects and booleans become text
    (hashable for the caches, and reported as not a valid value)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list | dict | bool):
        return str(value)
    return value


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
        self._plans: dict[Section, _Plan] = {}
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
        plan = _Plan(
            structural=header.structural, where=header.where, keys_are_refs=header.keys_are_refs
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

    def _check_required(self, header: Header, plan: _Plan) -> None:
        where = f"{plan.where}: " if plan.where else ""
        line = None if header.structural else 1
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

    # -- actors ------------------------------------------------------------------------
    def actor(self, raw: RawActor) -> None:
        plan = self._plans.get("actors")
        if plan is None:
            raise RuntimeError("reader yielded an actor before the actors header")
        if plan.broken:
            return
        values = raw.values
        row, line = raw.row, raw.line
        errors = self.errors
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
            return (
                f"{plan.where}.{fields.get(name, name)}" if plan.where else fields.get(name, name)
            )

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
            name = clean_text(name_value if name_value is not None else key, "name", MAX_NAME)
        except ValidationFailed as exc:
            errors.extend(exc, row, line, col("name"))
            name, ok = None, False
        # kind
        kind_value = _clean_scalar(get("kind"))
        kind: str | None
        if kind_value is None:
            kind = self.default_kind
            if kind is None:
                if "kind" in fields:
                    errors.add(col("kind"), "an actor needs a kind", row, line)
                elif self._kind_missing is not None:
                    message, header_line = self._kind_missing
                    errors.add("columns", message, None, header_line)
                    self._kind_missing = None
                ok = False
        else:
            kind = self._kind_cache.get(kind_value)
            if kind is None:
                try:
                    kind = _enum_syn(kind_value, ACTOR_KIND_SYNONYMS, "actor kind", ActorKind)
                    self._kind_cache[kind_value] = kind
                except ValidationFailed as exc:
                    errors.extend(exc, row, line, col("kind"))
                    ok = False
        try:
            area_value = get("area")
            area = normalise_area(str(area_value)) if area_value is not None else None
        except ValidationFailed as exc:
            errors.extend(exc, row, line, col("area"))
            area, ok = None, False
        lists: dict[str, tuple[str, ...]] = {}
        for list_field in ("languages", "assets", "needs"):
            value = get(list_field)
            try:
                parts = split_multi(value)
                if list_field == "languages":
                    lists[list_field] = tuple(normalise_languages(parts))
                else:
                    lists[list_field] = tuple(normalise_themes(parts, field=list_field))
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
                errors.add(
                    col("consent"),
                    "only persons (resident, key_figure, professional) carry consent",
                    row,
                    line,
                )
                ok = False
        elif is_person:
            consent = Consent.unknown.value
        try:
            note = clean_text(get("note"), "note", MAX_NOTE)
        except ValidationFailed as exc:
            errors.extend(exc, row, line, col("note"))
            note, ok = None, False
        try:
            ref_value = get("external_ref")
            if ref_value is None and plan.keys_are_refs and (plan.structural or "id" in fields):
                ref_value = key
            external_ref = clean_text(ref_value, "external_ref", 200)
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
                    if not plan.structural:
                        value = infer_scalar(value)
                elif isinstance(value, list | tuple):
                    value = "|".join(str(v) for v in value)
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                name_ = (
                    column[len(ATTRIBUTE_PREFIX) :]
                    if column.startswith(ATTRIBUTE_PREFIX)
                    else column
                )
                raw_attrs[name_] = value
            try:
                attributes = normalise_attributes(raw_attrs)
            except ValidationFailed as exc:
                errors.extend(exc, row, line, "")
                ok = False
        # duplicates
        first = self._keys.get(key)
        if first is not None:
            first_row, first_line = self.actor_rows[first]
            at = f"row {first_row}" if first_row is not None else f"line {first_line}"
            what = "this label" if self.keys_are_labels else f"'{key[:40]}'"
            errors.add(col("id"), f"{what} appears twice (first at {at})", row, line)
            return
        if external_ref is not None:
            dup = self._refs.get(external_ref)
            if dup is not None:
                first_row, first_line = self.actor_rows[dup]
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
        index = len(self.actors.key)
        self._keys[key] = index
        if external_ref is not None:
            self._refs[external_ref] = index
        a = self.actors
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
        self.actor_rows.append((row, line))

    # -- ties --------------------------------------------------------------------------
    def tie(self, raw: RawTie) -> None:
        plan = self._plans.get("ties")
        if plan is None:
            raise RuntimeError("reader yielded a tie before the ties header")
        if plan.broken:
            return
        values = raw.values
        fields = plan.fields
        (c_source, c_target, c_kind, c_strength, c_support, c_since, c_until, c_note) = (
            plan.tie_columns
        )
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
                    self._tie_error(plan, end, f"a tie needs a {end}", raw)
            ok = False
        # Hot path (a million rows): the cleaning of _clean_scalar inlined for strings.
        kind_value = values.get(c_kind) if c_kind else None
        if kind_value.__class__ is str:
            kind_value = kind_value.strip() or None
        elif kind_value is not None:
            kind_value = _clean_scalar(kind_value)
        kind = self._tie_kinds.get(kind_value) if kind_value is not None else None
        if kind is None:
            if kind_value is None or (
                plan.kind_may_be_direction
                and isinstance(kind_value, str)
                and kind_value.lower() in _DIRECTIONS
            ):
                kind = self.default_tie_kind
            else:
                try:
                    kind = _enum_syn(kind_value, TIE_KIND_SYNONYMS, "tie kind", TieKind)
                    self._tie_kinds[kind_value] = kind
                except ValidationFailed as exc:
                    self._tie_failed(plan, "tie_kind", exc, raw)
                    kind, ok = "", False
        strength = 3
        strength_value = values.get(c_strength) if c_strength else None
        if strength_value.__class__ is str:
            strength_value = strength_value.strip() or None
        elif strength_value is not None:
            strength_value = _clean_scalar(strength_value)
        if strength_value is not None:
            found_strength = self._strengths.get(strength_value)
            if found_strength is None:
                try:
                    found_strength = _strength(strength_value)
                    self._strengths[strength_value] = found_strength
                except ValidationFailed as exc:
                    self._tie_failed(plan, "strength", exc, raw)
                    found_strength, ok = 3, False
            strength = found_strength
        support: tuple[str, ...] = ()
        support_value = values.get(c_support) if c_support else None
        if support_value.__class__ is str:
            support_value = support_value.strip() or None
        if support_value is not None:
            cache_key = tuple(support_value) if isinstance(support_value, list) else support_value
            found_support = self._support_cache.get(cache_key)
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
                    self._support_cache[cache_key] = found_support
                except ValidationFailed as exc:
                    self._tie_failed(plan, "support", exc, raw)
                    found_support, ok = (), False
            support = found_support
        since = until = None
        date_cache = self._date_cache
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
                    self._tie_failed(plan, field_name, exc, raw)
                    parsed, ok = None, False
            if field_name == "since":
                since = parsed
            else:
                until = parsed
        if since is not None and until is not None and until < since:
            self._tie_error(plan, "until", "until is before since", raw)
            ok = False
        note = None
        note_value = values.get(c_note) if c_note else None
        if note_value.__class__ is str:
            note_value = note_value.strip() or None
        if note_value is not None:
            try:
                note = clean_text(note_value, "note", MAX_NOTE)
            except ValidationFailed as exc:
                self._tie_failed(plan, "tie_note", exc, raw)
                ok = False
        if source and target and source == target:
            self._tie_error(plan, "target", "a tie needs two different actors", raw)
            ok = False
        if not ok or source is None or target is None:
            return
        t = self.ties
        t.source.append(source)
        t.target.append(target)
        t.kind.append(kind)
        t.strength.append(strength)
        t.support.append(support)
        t.since.append(since)
        t.until.append(until)
        t.note.append(note)
        self.tie_rows.append((raw.row, raw.line))
        del fields

    def _tie_column(self, plan: _Plan, name: str) -> str:
        column = plan.fields.get(name, name.removeprefix("tie_"))
        return f"{plan.where}.{column}" if plan.where else column

    def _tie_error(self, plan: _Plan, name: str, message: str, raw: RawTie) -> None:
        self.errors.add(self._tie_column(plan, name), message, raw.row, raw.line)

    def _tie_failed(self, plan: _Plan, name: str, exc: ValidationFailed, raw: RawTie) -> None:
        self.errors.extend(exc, raw.row, raw.line, self._tie_column(plan, name))

    def feed(self, items: Iterable[Item], progress: Callable[[int], None] | None = None) -> None:
        for count, item in enumerate(items, start=1):
            if isinstance(item, RawTie):
                self.tie(item)
            elif isinstance(item, RawActor):
                self.actor(item)
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
        )
