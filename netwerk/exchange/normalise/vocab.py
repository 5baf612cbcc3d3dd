"""The words an import understands: synonyms of actor kinds, tie kinds, support, consent and
strength (English and Dutch), and the column aliases of each field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from netwerk.errors import ValidationFailed

__all__ = [
    "ACTOR_ALIASES",
    "ACTOR_KIND_SYNONYMS",
    "MAPPING_FIELDS",
    "TIE_ALIASES",
    "TIE_KIND_SYNONYMS",
]


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
    {
        "weight",
        "id",
        "key",
        "type",
        "direction",
        "directed",
        "ended",
        "label",
        "interaction",
        "status",
    }
)
"""Tie columns our own exports (and Gephi's/Kumu's) carry that an import need not mention."""

MAPPING_FIELDS = frozenset(ACTOR_ALIASES) | frozenset(TIE_ALIASES)
"""The keys an explicit column ``mapping`` may use: field → column name in the file."""


def _enum_syn(value: Any, table: dict[str, str], what: str, allowed: Iterable[str]) -> str:
    text = str(value).strip()
    found = table.get(_norm(text))
    if found is None:
        raise ValidationFailed(
            what, f"'{text[:40]}' is not a known {what}; use one of: {', '.join(allowed)}"
        )
    return found
