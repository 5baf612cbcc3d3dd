"""The group map of the wijkteam dashboard: communities as bubbles, and their names.

Each Leiden community of at least ``min_size`` actors (:mod:`netwerk.analysis.communities`)
becomes a bubble whose area is proportional to its number of actors. Bubbles are placed by
how the groups are tied: Fruchterman–Reingold on the *quotient graph* (one vertex per group,
one edge per pair of groups with ties between them, weighted by the number of ties), under a
fixed seed, so the same revision always gives the same picture. A link between two groups is
drawn with the density of the ties between them, ``ties / (size_a * size_b)`` (the
between-community density of Fortunato 2010, section 3). A bubble is coloured by the first
thing it lacks, in this order: no line to help (no tie to any organisation, initiative or key
figure: the gap ``community_without_help``), unmet needs (a member with a need that no one
within reach offers), isolated members (persons whose only ties are to professionals).
Organisations, initiatives and places are the named points, placed around their group.

Group names are rule-based, from what characterises the group (:func:`rule_name`):

1. a language other than Dutch spoken by at least half of the group's persons who have a
   language recorded (and by at least three of them): ``"Tigrinya-sprekers, Noord"``;
2. else the initiative or place of the group with the most ties inside it:
   ``"Rond Taalcafé De Brug, Kerkstraat"``;
3. else its main street or buurt: ``"Kerkstraat"`` (see below);
4. else ``"Groep 3"`` (numbered by size, largest first).

The place part is the group's main *place*: the street most members live on (an actor's
``street`` attribute, or its ``area`` when that is a street label) when at least a quarter of
those with a place do, else their most common named area. A CBS code (``BU03630000``) is
never a name: it stands for its name where the network supplies one (an actor's
``area_name`` attribute beside a CBS ``area``), and a code without a name is left out of the
name and shown readably as secondary text (``"buurt BU03630000"``, :func:`area_label`).
Equal names get a number (``"Kerkstraat (2)"``) in the order of group size.

Complexity: O(n + m) to count members, ties between groups and lacks; the layout is on the
quotient graph (k groups, at most k² edges), 500 iterations.

References
----------
Traag V.A., Waltman L., van Eck N.J. (2019) From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9:5233. doi:10.1038/s41598-019-41695-z.
Fortunato S. (2010) Community detection in graphs. Physics Reports 486:75-174.
doi:10.1016/j.physrep.2009.11.002.
Fruchterman T.M.J., Reingold E.M. (1991) Graph drawing by force-directed placement.
Software: Practice and Experience 21(11):1129-1164. doi:10.1002/spe.4380211102.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import igraph as ig
import numpy as np

from netwerk.analysis.communities import Partition
from netwerk.graph import Snapshot, seeded
from netwerk.i18n import text
from netwerk.words import language_names

__all__ = [
    "CBS_CODE",
    "GroupFacts",
    "GroupLayout",
    "GroupLink",
    "GroupPoint",
    "area_label",
    "group_layout",
    "place_of",
    "rule_name",
    "unique_names",
]

CBS_CODE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
POINT_KINDS = ("organisation", "initiative", "place")
LACKS = ("help", "needs", "isolated", "none")


@dataclass(frozen=True)
class GroupFacts:
    """What the map and the name rules need to know about one group."""

    group: int
    """The community number in this revision."""
    size: int
    persons: int
    x: float
    y: float
    """Centre in [0, 1]²."""
    radius: float
    """Relative radius in (0, 1]: the largest group has 1."""
    main_area: str | None
    """The most common ``area`` value (a street label or a CBS code, as recorded)."""
    place: str | None
    """The readable main street or named area (never a bare CBS code): the name's place."""
    language: str | None
    """A language other than Dutch that at least half of the persons speak."""
    anchor_id: str | None
    """The initiative or place of the group with the most ties inside it."""
    lacks: str
    """``help``, ``needs``, ``isolated`` or ``none`` (see the module doc)."""
    without_help: bool
    unmet_persons: int
    isolated_persons: int
    ties_inside: int
    ties_out: int
    members: tuple[str, ...]
    """Actor ids (never shown to a viewer: used to follow a group's name across revisions)."""


@dataclass(frozen=True)
class GroupLink:
    a: int
    b: int
    ties: int
    density: float


@dataclass(frozen=True)
class GroupPoint:
    """An organisation, initiative or place, drawn at ``(x, y)`` near its group."""

    actor_id: str
    kind: str
    group: int
    x: float
    y: float
    degree: int


@dataclass(frozen=True)
class GroupLayout:
    groups: tuple[GroupFacts, ...]
    links: tuple[GroupLink, ...]
    points: tuple[GroupPoint, ...]
    ungrouped_persons: int
    """Persons in groups smaller than ``min_size`` (mostly persons without ties)."""
    ungrouped_actors: int


def place_of(area: str | None, street: str | None, area_names: Mapping[str, str]) -> str | None:
    """What names an actor's place: its street, else its area when that is a street label,
    else the name the network gives its CBS area code; never a bare code."""
    if street:
        return street
    if not area:
        return None
    if CBS_CODE.match(area):
        return area_names.get(area)
    return area


def _main_place(places: list[str | None]) -> str | None:
    """The most common place, when at least a quarter of those with one have it."""
    known = [p for p in places if p]
    if not known:
        return None
    counts = Counter(known)
    place, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return place if 4 * n >= len(known) else None


_CBS_LEVEL = {"GM": "municipality", "WK": "wijk", "BU": "buurt"}


def area_label(area: str | None, lang: str, area_names: Mapping[str, str] | None = None) -> str:
    """An area as a reader should see it: a street label as it is, a CBS code by its name
    where the network supplies one, else readably with its level (``"buurt BU03630000"``)."""
    if not area:
        return ""
    if not CBS_CODE.match(area):
        return area
    name = (area_names or {}).get(area)
    if name:
        return name
    return text(f"dashboard.area_code.{_CBS_LEVEL[area[:2]]}", lang, code=area)


def _main_area(areas: list[str | None]) -> str | None:
    """The street most members have, when at least a quarter of those with an area have it;
    else the most common area (a buurt code, say). Ties: alphabetical."""
    known = [a for a in areas if a]
    if not known:
        return None
    streets = Counter(a for a in known if not CBS_CODE.match(a))
    if streets:
        street, n = min(streets.items(), key=lambda kv: (-kv[1], kv[0]))
        if 4 * n >= len(known):
            return street
    counts = Counter(known)
    return min(counts, key=lambda a: (-counts[a], a))


def _layout(k: int, pairs: Mapping[tuple[int, int], int], seed: int) -> np.ndarray:
    if k == 0:
        return np.zeros((0, 2))
    if k == 1:
        return np.array([[0.5, 0.5]])
    edges = list(pairs)
    g = ig.Graph(n=k, edges=edges)
    weights = [math.log1p(pairs[e]) for e in edges]
    with seeded(seed):
        coords = np.asarray(
            g.layout_fruchterman_reingold(weights=weights or None, niter=500).coords, dtype=float
        )
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return 0.1 + 0.8 * (coords - lo) / span


def group_layout(
    s: Snapshot,
    part: Partition,
    *,
    without_help: Collection[int],
    unmet: Collection[int],
    isolated: Collection[int],
    min_size: int = 3,
    seed: int = 0,
    places: list[str | None] | None = None,
) -> GroupLayout:
    """The bubbles, links and named points of the group map (see the module doc).

    ``without_help`` are community numbers; ``unmet`` and ``isolated`` vertex indices (from
    the gap analysis of the same snapshot and partition); ``places`` the readable place of
    each vertex (:func:`place_of`; by default its area unless that is a CBS code)."""
    if places is None:
        places = [place_of(a, None, {}) for a in s.area]
    memb = part.membership
    sizes = np.asarray(part.sizes)
    big = [int(c) for c in np.flatnonzero(sizes >= min_size)]
    big.sort(key=lambda c: (-int(sizes[c]), c))
    slot = {c: i for i, c in enumerate(big)}
    persons = s.is_person
    members: dict[int, list[int]] = {c: [] for c in big}
    for v, c in enumerate(memb.tolist()):
        if c in members:
            members[c].append(v)

    e = s.edge_array
    inside: Counter[int] = Counter()
    out: Counter[int] = Counter()
    pairs: Counter[tuple[int, int]] = Counter()
    if len(e):
        ca, cb = memb[e[:, 0]], memb[e[:, 1]]
        for a, b in zip(ca.tolist(), cb.tolist(), strict=True):
            if a == b:
                inside[a] += 1
                continue
            out[a] += 1
            out[b] += 1
            if a in slot and b in slot:
                pairs[(min(slot[a], slot[b]), max(slot[a], slot[b]))] += 1
    xy = _layout(len(big), pairs, seed)
    biggest = float(sizes[big[0]]) if big else 1.0

    unmet_set, isolated_set, no_help = set(unmet), set(isolated), set(without_help)
    deg = s.degree
    groups: list[GroupFacts] = []
    points: list[GroupPoint] = []
    for i, c in enumerate(big):
        vs = members[c]
        pvs = [v for v in vs if persons[v]]
        main_area = _main_area([s.area[v] for v in vs])
        place = _main_place([places[v] for v in vs])
        spoken = [s.languages[v] for v in pvs if s.languages[v]]
        tongues = Counter(code for langs in spoken for code in langs if code != "nl")
        language = None
        if tongues:
            code, n = min(tongues.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= 3 and 2 * n >= len(spoken):
                language = code
        inner: Counter[int] = Counter()
        for v in vs:
            if s.kind[v] in ("initiative", "place"):
                nb = s.adjacency.neighbours(v)
                inner[v] = int(np.count_nonzero(memb[nb] == c))
        anchor = min(inner, key=lambda v: (-inner[v], s.ids[v])) if inner else None
        n_unmet = sum(1 for v in pvs if v in unmet_set)
        n_iso = sum(1 for v in pvs if v in isolated_set)
        lacks = "help" if c in no_help else "needs" if n_unmet else "isolated" if n_iso else "none"
        radius = math.sqrt(float(sizes[c]) / biggest)
        gx, gy = float(xy[i, 0]), float(xy[i, 1])
        groups.append(
            GroupFacts(
                group=c,
                size=len(vs),
                persons=len(pvs),
                x=round(gx, 4),
                y=round(gy, 4),
                radius=round(radius, 4),
                main_area=main_area,
                place=place,
                language=language,
                anchor_id=s.ids[anchor] if anchor is not None else None,
                lacks=lacks,
                without_help=c in no_help,
                unmet_persons=n_unmet,
                isolated_persons=n_iso,
                ties_inside=int(inside[c]),
                ties_out=int(out[c]),
                members=tuple(s.ids[v] for v in vs),
            )
        )
        named = [v for v in vs if s.kind[v] in POINT_KINDS]
        named.sort(key=lambda v: (-int(deg[v]), s.ids[v]))
        for j, v in enumerate(named):
            angle = 2 * math.pi * j / max(len(named), 1) + 0.4
            ring = 0.6 * (0.04 + 0.08 * radius)
            points.append(
                GroupPoint(
                    actor_id=s.ids[v],
                    kind=s.kind[v],
                    group=c,
                    x=round(gx + ring * math.cos(angle), 4),
                    y=round(gy + ring * math.sin(angle), 4),
                    degree=int(deg[v]),
                )
            )
    links = []
    for (i, j), ties in sorted(pairs.items()):
        a, b = big[i], big[j]
        links.append(GroupLink(a=a, b=b, ties=ties, density=ties / float(sizes[a] * sizes[b])))
    small = np.isin(memb, [c for c in range(part.count) if sizes[c] < min_size])
    return GroupLayout(
        groups=tuple(groups),
        links=tuple(links),
        points=tuple(points),
        ungrouped_persons=int(np.count_nonzero(small & persons)),
        ungrouped_actors=int(np.count_nonzero(small)),
    )


def rule_name(
    facts: GroupFacts,
    lang: str,
    *,
    anchor_name: str | None,
    number: int,
    detail: bool = True,
) -> str:
    """The readable name of a group (the rules of the module doc). ``detail=False`` leaves
    out the parts that describe its members (language, area): for a group whose size is
    suppressed for a viewer, only its named initiative or place may characterise it."""
    area = facts.place if detail else None
    language = facts.language if detail else None
    if language:
        speakers = text(
            "dashboard.group_name.speakers", lang, language=language_names([language], lang)
        )
        if area:
            return text("dashboard.group_name.with_area", lang, name=speakers, area=area)
        if anchor_name:
            return text(
                "dashboard.group_name.speakers_around", lang, name=speakers, anchor=anchor_name
            )
        return speakers
    if anchor_name:
        around = text("dashboard.group_name.around", lang, anchor=anchor_name)
        if area:
            return text("dashboard.group_name.with_area", lang, name=around, area=area)
        return around
    if area:
        return area
    return text("dashboard.group_name.numbered", lang, number=number)


def unique_names(names: list[str], lang: str) -> list[str]:
    """Equal names numbered in order: ``Kerkstraat``, ``Kerkstraat (2)``."""
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
