"""The vocabulary of DESIGN.md section 3: actor and tie kinds, consent, roles, themes and areas.

Everything here is plain Python (enums, frozen dataclasses and pure validation functions), so
the store, the analysis, the exchange formats and the API agree on one definition of each rule.

Area rule
---------
An ``area`` is either a CBS code or a free street label:

* a value that starts with ``GM``, ``WK`` or ``BU`` followed by a digit is read as a CBS code
  and must be complete: ``GM`` + 4 digits (gemeente), ``WK`` + 6 digits (wijk),
  ``BU`` + 8 digits (buurt);
* anything else is a street label: 1 to 80 characters of letters (accents allowed), digits,
  spaces and ``- ' . , / ( ) &``, starting with a letter or digit.

A network's ``area_code`` must be a CBS code (``GM``/``WK``/``BU``).
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Iterable
from typing import Any

from netwerk.errors import ValidationFailed
from netwerk.safetext import first_flaw, message

__all__ = [
    "ACTOR_INPUT_FIELDS",
    "CONSENT_PERSONS_ONLY",
    "FORMAL_KINDS",
    "HELP_KINDS",
    "MAX_ATTRIBUTES",
    "MAX_EXTERNAL_REF",
    "MAX_LIST",
    "MAX_NAME",
    "MAX_NOTE",
    "NEED_ONLY_THEMES",
    "NEIGHBOURHOOD_KINDS",
    "PERSON_KINDS",
    "RESIDENT_KINDS",
    "SYMMETRIC_TIE_KINDS",
    "ActorKind",
    "Consent",
    "ConsentBasis",
    "Role",
    "SupportKind",
    "TieKind",
    "can_offer",
    "check_consent_kind",
    "clean_actor_field",
    "clean_text",
    "enum_value",
    "new_id",
    "normalise_area",
    "normalise_attributes",
    "normalise_cbs_code",
    "normalise_languages",
    "normalise_themes",
    "offered",
    "offered_all",
]

MAX_NAME = 200
MAX_NOTE = 2000
MAX_EXTERNAL_REF = 200
"""Characters of an actor's external reference (the id in the broker's own files)."""
MAX_LIST = 30
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_VALUE = 500


class ActorKind(enum.StrEnum):
    resident = "resident"
    key_figure = "key_figure"
    professional = "professional"
    organisation = "organisation"
    initiative = "initiative"
    place = "place"


PERSON_KINDS: frozenset[ActorKind] = frozenset(
    {ActorKind.resident, ActorKind.key_figure, ActorKind.professional}
)
"""Persons carry consent; organisations, initiatives and places need none (DESIGN.md 6)."""

RESIDENT_KINDS: frozenset[ActorKind] = frozenset({ActorKind.resident, ActorKind.key_figure})
"""Persons who live in the neighbourhood: the ones who can be isolated, lose their path to
help, or give an organisation a face (DESIGN.md 4)."""

FORMAL_KINDS: frozenset[ActorKind] = frozenset({ActorKind.professional, ActorKind.organisation})
"""Formal care: a person whose only ties are to these is isolated (DESIGN.md 4)."""

NEIGHBOURHOOD_KINDS: frozenset[ActorKind] = frozenset(ActorKind) - FORMAL_KINDS
"""Actors from the neighbourhood itself: a tie to one of them ends isolation."""

HELP_KINDS: frozenset[ActorKind] = frozenset(
    {ActorKind.professional, ActorKind.organisation, ActorKind.initiative, ActorKind.key_figure}
)
"""Actors that count as help, for the gaps (a community without help), the what-if (who
loses their path to help) and the suggestions (a community's first tie to help)."""


NEED_ONLY_THEMES: frozenset[str] = frozenset({"eenzaamheid"})
"""Themes that are only ever a person's need, never something a person offers: nobody from
the neighbourhood "offers loneliness" (what helps is ``ontmoeting``, company). Organisations,
initiatives, places and professionals may carry such a theme as an asset: they work on it
("helpt bij eenzaamheid")."""

_OFFER_NEED_ONLY: frozenset[ActorKind] = frozenset(ActorKind) - RESIDENT_KINDS


def can_offer(kind: str, theme: str) -> bool:
    """Whether an actor of ``kind`` can offer ``theme`` as an asset: any theme, except that a
    resident or key figure never offers a need-only theme (:data:`NEED_ONLY_THEMES`). The
    store keeps what was recorded; the analysis and the suggestions use only what can be
    offered (:func:`offered`)."""
    return theme not in NEED_ONLY_THEMES or kind in _OFFER_NEED_ONLY


def offered_all(
    kinds: Iterable[str], assets: Iterable[frozenset[str]]
) -> tuple[frozenset[str], ...]:
    """:func:`offered` for many actors at once (one pass, no call per actor)."""
    need_only, others = NEED_ONLY_THEMES, _OFFER_NEED_ONLY
    return tuple(
        a if a.isdisjoint(need_only) or k in others else a - need_only
        for k, a in zip(kinds, assets, strict=True)
    )


def offered(kind: str, assets: frozenset[str]) -> frozenset[str]:
    """The assets of an actor of ``kind`` that it can offer (see :func:`can_offer`)."""
    if assets.isdisjoint(NEED_ONLY_THEMES) or kind in _OFFER_NEED_ONLY:
        return assets
    return assets - NEED_ONLY_THEMES


class TieKind(enum.StrEnum):
    knows = "knows"
    family = "family"
    neighbour = "neighbour"
    friend = "friend"
    member_of = "member_of"
    volunteers_at = "volunteers_at"
    works_for = "works_for"
    participates_in = "participates_in"
    partners_with = "partners_with"
    refers_to = "refers_to"
    meets_at = "meets_at"


SYMMETRIC_TIE_KINDS: frozenset[TieKind] = frozenset(set(TieKind) - {TieKind.refers_to})
"""Every tie kind but ``refers_to`` is symmetric for analysis."""


class SupportKind(enum.StrEnum):
    """Kinds of support that flow along a tie, as charted in an ecogram."""

    practical = "practical"
    company = "company"
    advice = "advice"
    emotional = "emotional"


class Consent(enum.StrEnum):
    given = "given"
    unknown = "unknown"
    withdrawn = "withdrawn"


class ConsentBasis(enum.StrEnum):
    """The AVG/GDPR basis on which a person's data is processed."""

    consent = "consent"
    legal_task = "legal_task"


class Role(enum.StrEnum):
    admin = "admin"
    broker = "broker"
    viewer = "viewer"
    researcher = "researcher"


def new_id() -> str:
    """An opaque, unguessable id (80 random bits, lowercase base32-ish alphabet)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


_CBS = {"GM": 4, "WK": 6, "BU": 8}
_CBS_START = re.compile(r"^(GM|WK|BU)\d")
_STREET = re.compile(r"^[^\W_][\w\s\-'.,/()&]{0,79}$", re.UNICODE)
_THEME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def normalise_cbs_code(value: str, *, field: str = "area_code") -> str:
    """Return the CBS code in upper case or raise :class:`ValidationFailed`."""
    code = value.strip().upper()
    prefix = code[:2]
    digits = _CBS.get(prefix)
    if digits is None or not re.fullmatch(rf"{prefix}\d{{{digits}}}", code):
        raise ValidationFailed(
            field,
            f"'{value[:40]}' is not a CBS area code: expected GM + 4 digits, "
            "WK + 6 digits or BU + 8 digits (e.g. WK036300, BU03630000)",
        )
    return code


def normalise_area(value: str | None, *, field: str = "area") -> str | None:
    """Validate an actor's area: a complete CBS code or a free street label (see module doc)."""
    if value is None:
        return None
    area = " ".join(value.split())
    if not area:
        return None
    if _CBS_START.match(area.upper()) and area[:2].isupper():
        return normalise_cbs_code(area, field=field)
    if not _STREET.fullmatch(area):
        raise ValidationFailed(
            field,
            "an area is a CBS code (WK + 6 digits, BU + 8 digits) or a street label of at "
            "most 80 letters, digits, spaces and - ' . , / ( ) &",
        )
    return area


def normalise_themes(values: Iterable[str] | None, *, field: str) -> list[str]:
    """Themes are short slugs: lower case, spaces become ``_``, duplicates dropped."""
    result: list[str] = []
    for i, raw in enumerate(values or []):
        if not isinstance(raw, str):
            raise ValidationFailed(f"{field}[{i}]", "a theme is a string")
        slug = "_".join(raw.strip().lower().split())
        if not _THEME.fullmatch(slug):
            raise ValidationFailed(
                f"{field}[{i}]",
                f"'{raw[:40]}' is not a theme: use at most 40 lower-case letters, digits, "
                "'_' or '-', starting with a letter (e.g. taal, geldzaken)",
            )
        if slug not in result:
            result.append(slug)
    if len(result) > MAX_LIST:
        raise ValidationFailed(field, f"at most {MAX_LIST} themes")
    return result


def normalise_languages(values: Iterable[str] | None, *, field: str = "languages") -> list[str]:
    """Languages are ISO 639-1/639-3 codes (``nl``, ``ar``, ``tr``, ``pap``)."""
    result: list[str] = []
    for i, raw in enumerate(values or []):
        if not isinstance(raw, str):
            raise ValidationFailed(f"{field}[{i}]", "a language is a string")
        code = raw.strip().lower()
        if not _LANGUAGE.fullmatch(code):
            raise ValidationFailed(
                f"{field}[{i}]",
                f"'{raw[:20]}' is not an ISO 639 language code such as nl, ar, tr, pap",
            )
        if code not in result:
            result.append(code)
    if len(result) > MAX_LIST:
        raise ValidationFailed(field, f"at most {MAX_LIST} languages")
    return result


def enum_value(enum_type: type[Any], value: Any, field: str) -> str:
    """The enum value, or a ValidationFailed that lists the allowed values."""
    try:
        return str(enum_type(value))
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise ValidationFailed(field, f"'{str(value)[:40]}' is not one of: {allowed}") from None


def clean_text(value: Any, field: str, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise ValidationFailed(field, "required")
        return None
    text = str(value).strip()
    if required and not text:
        raise ValidationFailed(field, "must not be empty")
    if len(text) > limit:
        raise ValidationFailed(field, f"at most {limit} characters")
    if (flaw := first_flaw(text)) is not None:
        raise ValidationFailed(field, message(flaw))
    return text or None


Scalar = str | int | float | bool | None


def normalise_attributes(
    values: dict[str, object] | None, *, field: str = "attributes"
) -> dict[str, Scalar]:
    """Free attributes: a flat map of short keys to scalar values."""
    if not values:
        return {}
    if len(values) > MAX_ATTRIBUTES:
        raise ValidationFailed(field, f"at most {MAX_ATTRIBUTES} attributes")
    out: dict[str, Scalar] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_ATTRIBUTE_KEY:
            raise ValidationFailed(
                field, f"attribute names are 1 to {MAX_ATTRIBUTE_KEY} characters"
            )
        if (flaw := first_flaw(key, multiline=False)) is not None:
            raise ValidationFailed(field, message(flaw, key=True))
        if isinstance(value, str):
            if (flaw := first_flaw(value)) is not None:
                raise ValidationFailed(f"{field}.{key}", message(flaw))
            if len(value) > MAX_ATTRIBUTE_VALUE:
                raise ValidationFailed(
                    f"{field}.{key}", f"at most {MAX_ATTRIBUTE_VALUE} characters"
                )
        elif value is not None and not isinstance(value, int | float | bool):
            raise ValidationFailed(
                f"{field}.{key}", "attribute values are strings, numbers, booleans or null"
            )
        out[key] = value
    return out


# --------------------------------------------------------------------------- actor fields

ACTOR_INPUT_FIELDS: frozenset[str] = frozenset(
    {
        "kind",
        "name",
        "area",
        "languages",
        "assets",
        "needs",
        "consent",
        "consent_basis",
        "attributes",
        "note",
        "external_ref",
    }
)
"""The fields of an actor that the API, the CLI and the import may set."""

CONSENT_PERSONS_ONLY = "only persons (resident, key_figure, professional) carry consent"


def clean_actor_field(name: str, value: Any) -> Any:
    """Validate and normalise one field of an actor: the one rule set of the API, the CLI
    (through :mod:`netwerk.store.actors`) and the import (:mod:`netwerk.exchange`), so that
    the same bad value gets the same message everywhere. ``kind``, ``consent`` and
    ``consent_basis`` take the enum values here (the import reads synonyms first); whether
    an actor may carry consent at all is :func:`check_consent_kind`.

    >>> clean_actor_field("assets", ["Taal", "taal", "digitale hulp"])
    ['taal', 'digitale_hulp']
    """
    if name == "kind":
        return enum_value(ActorKind, value, "kind")
    if name == "name":
        return clean_text(value, "name", MAX_NAME, required=True)
    if name == "area":
        return normalise_area(value)
    if name == "languages":
        return normalise_languages(value)
    if name in ("assets", "needs"):
        return normalise_themes(value, field=name)
    if name == "attributes":
        return normalise_attributes(value)
    if name == "note":
        return clean_text(value, "note", MAX_NOTE)
    if name == "external_ref":
        return clean_text(value, "external_ref", MAX_EXTERNAL_REF)
    if name == "consent":
        return enum_value(Consent, value, "consent")
    if name == "consent_basis":
        return enum_value(ConsentBasis, value, "consent_basis")
    raise ValidationFailed(name, "not a field of an actor")


def check_consent_kind(kind: str, field: str = "consent") -> None:
    """Raise :class:`ValidationFailed` unless an actor of ``kind`` may carry consent (only
    persons do, :data:`PERSON_KINDS`)."""
    if ActorKind(kind) not in PERSON_KINDS:
        raise ValidationFailed(field, CONSENT_PERSONS_ONLY)
