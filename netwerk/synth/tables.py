"""The generator's tables: the data of ``tables.toml`` (themes, resident groups with their
names and languages, street and wijk names, organisations, roles, initiatives, places) as
typed constants, and the model's numeric parameters (needs and assets per age band, the
tie classes).

Read once at import (a small file shipped with the package; no other side effect). The
order of every list is part of the generator's output for a seed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from netwerk.model import SupportKind, TieKind

_DATA: dict[str, Any] = tomllib.loads(
    resources.files(__package__).joinpath("tables.toml").read_text(encoding="utf-8")
)


def _strings(values: list[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


THEMES: tuple[str, ...] = _strings(_DATA["themes"])
THEME_INDEX = {name: i for i, name in enumerate(THEMES)}
N_THEMES = len(THEMES)

AGE_BANDS: tuple[str, ...] = _strings(_DATA["age_bands"])
N_BANDS = len(AGE_BANDS)

SPAN_DAYS = 6 * 365 + 1
GEMEENTE = "0363"

# --------------------------------------------------------------------------------------------
# Resident groups
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    weight: float
    age: tuple[float, float, float, float, float]
    # language combination, weight for young (12-26), middle (27-45), old (46+)
    languages: tuple[tuple[tuple[str, ...], float, float, float], ...]
    first: tuple[str, ...]
    last: tuple[str, ...]
    faith: int  # 0 none, 1 mosque, 2 church


GROUPS: tuple[Group, ...] = tuple(
    Group(
        key=g["key"],
        weight=g["weight"],
        age=tuple(g["age"]),
        languages=tuple(
            (_strings(c["speaks"]), c["young"], c["middle"], c["old"]) for c in g["languages"]
        ),
        first=_strings(g["first"]),
        last=_strings(g["last"]),
        faith=g["faith"],
    )
    for g in _DATA["groups"]
)
N_GROUPS = len(GROUPS)

# needs and assets per age band, theme order as THEMES
NEED_BY_BAND = np.array(
    [
        [0.5, 1.0, 0.2, 0.0, 0.5, 0.3, 1.0, 0.2, 0.1, 0.1, 0.3, 0.2, 4.0, 0.8, 0.1],
        [0.8, 1.2, 1.5, 0.3, 3.0, 0.5, 0.6, 0.3, 0.1, 0.3, 0.3, 0.2, 0.5, 1.0, 1.2],
        [1.0, 1.0, 2.0, 2.5, 2.0, 0.8, 0.7, 0.3, 0.2, 0.8, 0.5, 0.4, 1.5, 0.8, 1.5],
        [0.8, 1.0, 1.8, 0.6, 1.5, 1.5, 0.8, 0.3, 0.2, 1.2, 0.8, 1.2, 0.3, 1.2, 1.5],
        [0.4, 1.5, 0.8, 0.05, 0.05, 2.5, 1.0, 0.5, 0.2, 2.0, 2.5, 2.5, 0.05, 3.0, 2.0],
    ]
)
ASSET_BY_BAND = np.array(
    [
        [0.5, 0.8, 0.0, 0.0, 0.1, 0.1, 2.5, 0.5, 0.3, 0.3, 0.02, 3.0, 1.0, 0.2, 0.0],
        [1.5, 1.2, 0.4, 0.3, 0.6, 0.4, 2.0, 1.0, 0.4, 0.8, 0.1, 3.0, 2.0, 0.5, 0.5],
        [1.5, 1.2, 0.8, 1.5, 1.0, 0.8, 1.0, 1.8, 0.6, 1.2, 0.15, 1.5, 1.0, 0.6, 1.0],
        [1.5, 1.4, 1.0, 1.0, 1.0, 0.8, 0.8, 1.8, 1.2, 1.5, 0.2, 0.8, 0.6, 0.8, 1.2],
        [1.2, 1.5, 0.8, 0.8, 0.3, 0.5, 0.3, 1.5, 1.5, 0.8, 0.1, 0.1, 0.4, 1.2, 0.8],
    ]
)
NEED_NON_NL = np.ones(N_THEMES)
NEED_NON_NL[
    [
        THEME_INDEX["taal"],
        THEME_INDEX["administratie"],
        THEME_INDEX["werk"],
        THEME_INDEX["geldzaken"],
    ]
] = [6, 2, 1.3, 1.2]
ASSET_NON_NL = np.ones(N_THEMES)
ASSET_NON_NL[[THEME_INDEX["taal"], THEME_INDEX["administratie"]]] = [0.3, 0.3]

# --------------------------------------------------------------------------------------------
# Streets, buurten, wijken
# --------------------------------------------------------------------------------------------

_STREETS = _DATA["streets"]
STREET_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (t["buurt"], _strings(t["stems"])) for t in _STREETS["themes"]
)
SUFFIXES = _strings(_STREETS["suffixes"])
VARIANTS = _strings(_STREETS["variants"])
DIRECTIONS = _strings(_STREETS["directions"])
WIJK_NAMES = _strings(_STREETS["wijken"])

# --------------------------------------------------------------------------------------------
# Organisations, professionals, initiatives, places
# --------------------------------------------------------------------------------------------


class OrgType(NamedTuple):
    type: str
    level: str  # buurt | wijk | city
    per_buurt: float  # expected number per buurt (buurt level)
    themes: tuple[str, ...]


ORG_TYPES: tuple[OrgType, ...] = tuple(
    OrgType(o["type"], o["level"], o["per_buurt"], _strings(o["themes"]))
    for o in _DATA["organisations"]
)
ORG_INDEX = {t[0]: i for i, t in enumerate(ORG_TYPES)}


@dataclass(frozen=True)
class Role:
    role: str
    org_type: str
    per_org: str  # a number, or "buurten/k" for city-wide organisations
    clients: float
    bands: tuple[float, float, float, float, float]
    assets: tuple[str, ...]


ROLES: tuple[Role, ...] = tuple(
    Role(
        r["role"],
        r["organisation"],
        r["per_org"],
        r["clients"],
        tuple(r["bands"]),
        _strings(r["assets"]),
    )
    for r in _DATA["roles"]
)


class Initiative(NamedTuple):
    type: str
    label: str
    assets: tuple[str, ...]
    needs: tuple[str, ...]
    weight: float


INITIATIVES: tuple[Initiative, ...] = tuple(
    Initiative(i["type"], i["label"], _strings(i["assets"]), _strings(i["needs"]), i["weight"])
    for i in _DATA["initiatives"]
)


class Place(NamedTuple):
    type: str
    assets: tuple[str, ...]
    weight: float
    faith: int  # 0 general, 1 mosque, 2 church
    popularity: float


PLACES: tuple[Place, ...] = tuple(
    Place(p["type"], _strings(p["assets"]), p["weight"], p["faith"], p["popularity"])
    for p in _DATA["places"]
)
_NAMES = _DATA["names"]
NICE_NAMES = _strings(_NAMES["nice"])
CAFE_NAMES = _strings(_NAMES["cafe"])
MOSQUE_NAMES = _strings(_NAMES["mosque"])
CHURCH_NAMES = _strings(_NAMES["church"])
HOUSING_NAMES = _strings(_NAMES["housing"])
SCHOOL_PREFIX = _strings(_NAMES["school_prefix"])
SPORTS = _strings(_NAMES["sports"])

# --------------------------------------------------------------------------------------------
# Tie classes: kind, strength distribution, support combinations, since ~ Beta(a, b)
# --------------------------------------------------------------------------------------------

_P, _C, _A, _E = (
    SupportKind.practical.value,
    SupportKind.company.value,
    SupportKind.advice.value,
    SupportKind.emotional.value,
)


@dataclass(frozen=True)
class TieClass:
    kind: TieKind
    strength: tuple[float, float, float, float, float]
    support: tuple[tuple[tuple[str, ...], float], ...]
    since: tuple[float, float]
    since_unknown: float = 0.0
    symmetric_persons: bool = False  # person-person: orientation is random


CLASSES: dict[str, TieClass] = {
    "family_hh": TieClass(
        TieKind.family,
        (0, 0, 0.05, 0.25, 0.7),
        (((_E, _P, _C), 0.5), ((_E, _C), 0.2), ((_P,), 0.1), ((), 0.2)),
        (0.6, 2.5),
        0.35,
        True,
    ),
    "family_rel": TieClass(
        TieKind.family,
        (0, 0.1, 0.3, 0.35, 0.25),
        (((_E, _C), 0.4), ((_P,), 0.2), ((), 0.4)),
        (0.6, 2.0),
        0.35,
        True,
    ),
    "works_for": TieClass(TieKind.works_for, (0, 0, 0.1, 0.4, 0.5), (((), 1.0),), (1.5, 1.0)),
    "refers_to": TieClass(
        TieKind.refers_to, (0.1, 0.3, 0.4, 0.15, 0.05), (((_A,), 0.7), ((), 0.3)), (2.0, 1.0)
    ),
    "partners": TieClass(
        TieKind.partners_with,
        (0.1, 0.3, 0.4, 0.15, 0.05),
        (((), 0.5), ((_A,), 0.3), ((_P,), 0.2)),
        (1.0, 1.0),
    ),
    "client": TieClass(
        TieKind.knows,
        (0.1, 0.4, 0.35, 0.15, 0),
        (((_A,), 0.5), ((_A, _P), 0.4), ((_E, _A), 0.1)),
        (3.0, 1.0),
    ),
    "kf_prof": TieClass(
        TieKind.knows, (0, 0.2, 0.4, 0.3, 0.1), (((_A,), 0.6), ((_A, _P), 0.4)), (1.5, 1.0)
    ),
    "friend": TieClass(
        TieKind.friend,
        (0, 0.1, 0.3, 0.35, 0.25),
        (((_C,), 0.4), ((_C, _E), 0.4), ((_E, _P, _C), 0.2)),
        (1.0, 1.2),
        0.05,
        True,
    ),
    "neighbour": TieClass(
        TieKind.neighbour,
        (0.3, 0.4, 0.2, 0.08, 0.02),
        (((), 0.5), ((_P,), 0.35), ((_P, _C), 0.15)),
        (1.0, 1.0),
        0.05,
        True,
    ),
    "kf_knows": TieClass(
        TieKind.knows,
        (0.1, 0.35, 0.35, 0.15, 0.05),
        (((_A,), 0.4), ((_A, _P), 0.3), ((_C,), 0.3)),
        (1.0, 1.2),
        0.0,
        True,
    ),
    "knows": TieClass(
        TieKind.knows,
        (0.45, 0.35, 0.15, 0.05, 0),
        (((), 0.8), ((_C,), 0.2)),
        (1.2, 1.0),
        0.05,
        True,
    ),
    "volunteers": TieClass(
        TieKind.volunteers_at,
        (0, 0.1, 0.3, 0.4, 0.2),
        (((_P,), 0.6), ((_P, _C), 0.4)),
        (1.5, 1.0),
    ),
    "participates": TieClass(
        TieKind.participates_in,
        (0.2, 0.35, 0.3, 0.1, 0.05),
        (((), 0.6), ((_C,), 0.4)),
        (1.5, 1.0),
    ),
    "member": TieClass(
        TieKind.member_of, (0.2, 0.4, 0.3, 0.1, 0), (((), 0.7), ((_C,), 0.3)), (1.0, 1.0)
    ),
    "meets": TieClass(
        TieKind.meets_at, (0.3, 0.4, 0.2, 0.1, 0), (((), 0.7), ((_C,), 0.3)), (1.0, 1.0)
    ),
    "init_meets": TieClass(TieKind.meets_at, (0, 0.1, 0.3, 0.4, 0.2), (((), 1.0),), (1.0, 1.0)),
}
CLASS_NAMES = tuple(CLASSES)
CLASS_INDEX = {name: i for i, name in enumerate(CLASS_NAMES)}
