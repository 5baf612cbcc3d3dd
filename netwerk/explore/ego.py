"""The ego network of one actor, two steps out, laid out as a netwerkkaart (ecogram).

Dutch social workers draw a person's network as an ecogram or *netwerkkaart*: the person in
the middle, contacts around them in four sectors — family; friends and neighbours; school,
work and leisure; care and support — closer when the tie is stronger (Van Riet & Wouters
2014; Hartman 1978). This module returns that picture's data for one actor:

* **selection** — every actor within ``steps`` ties (breadth-first over active ties). When
  there are more than ``max_nodes``, the direct contacts come first (strongest tie first),
  then the second-step actors with the most ties into the first step (then the strongest);
  the result says how many were left out.
* **sector** of a direct contact, from the tie kinds between the two and the contact's kind:
  ``family`` when any tie is ``family``; ``care`` when the contact is a professional or an
  organisation, or the tie is a referral; ``school_work_leisure`` when the contact is an
  initiative or a place, or a tie is membership, volunteering, work, participation,
  partnership or meeting at; otherwise ``friends_neighbours``. A second-step actor takes the
  sector of the direct contact it is most strongly tied to (its *parent*).
* **layout** — deterministic and radial: the centre at (0, 0); direct contacts on a ring in
  their sector's quarter (family top left, friends and neighbours top right, school/work/
  leisure bottom right, care bottom left), at radius 1.25 − 0.1·strength (stronger = closer),
  ordered by community then id; second-step actors on an outer ring (radius 2.1–2.5) in
  their parent's quarter, ordered by their parent's angle. No randomness, so the same
  network always gives the same map, and a new tie moves only the actors it concerns.
* **community** of every node (Leiden on the whole network, shared with the analyses).

Complexity: O(k log k) for k actors within reach, plus the BFS over the edges touched.

References
----------
Hartman A. (1978) Diagrammatic assessment of family relationships. Social Casework
59(8):465-476.
Van Riet N., Wouters H. (2014) Casemanagement en netwerkversterking. Assen: Van Gorcum
(de netwerkkaart en het ecogram in het Nederlandse sociaal werk).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from netwerk.analysis.records import Provenance, provenance
from netwerk.graph import PERSONS, Snapshot, bfs_levels
from netwerk.model import FORMAL_KINDS, NEIGHBOURHOOD_KINDS, RESIDENT_KINDS

__all__ = ["SECTORS", "SECTOR_TIE_KINDS", "EgoEdge", "EgoNetwork", "EgoNode", "ego_network"]

SECTORS: tuple[str, ...] = ("family", "friends_neighbours", "school_work_leisure", "care")
"""The four quarters of the netwerkkaart, clockwise from the top left."""

SECTOR_TIE_KINDS: dict[str, tuple[str, ...]] = {
    "family": ("family",),
    "friends_neighbours": ("friend", "neighbour", "knows"),
    "school_work_leisure": (
        "knows",
        "participates_in",
        "member_of",
        "volunteers_at",
        "works_for",
        "meets_at",
        "partners_with",
    ),
    "care": ("knows", "refers_to", "works_for", "partners_with"),
}
"""The tie kinds a broker may pick when adding a contact in a sector (first = default)."""

_CARE_KINDS = FORMAL_KINDS
_LEISURE_KINDS = NEIGHBOURHOOD_KINDS - RESIDENT_KINDS
_LEISURE_TIES = frozenset(
    {"member_of", "volunteers_at", "works_for", "participates_in", "partners_with", "meets_at"}
)
# Angle ranges (radians, mathematical orientation, y up) of the four quarters.
_QUARTER = {
    "family": (math.pi / 2, math.pi),
    "friends_neighbours": (0.0, math.pi / 2),
    "school_work_leisure": (-math.pi / 2, 0.0),
    "care": (math.pi, 3 * math.pi / 2),
}


@dataclass(frozen=True)
class EgoNode:
    actor_id: str
    kind: str
    person: bool
    step: int
    """0 for the centre, 1 for direct contacts, 2 for their contacts."""
    sector: str | None
    community: int
    degree: int
    x: float
    y: float


@dataclass(frozen=True)
class EgoEdge:
    a: int
    """Position of one end in ``nodes``."""
    b: int
    weight: float
    kinds: tuple[str, ...]
    support: tuple[str, ...]


@dataclass(frozen=True)
class EgoNetwork:
    center_id: str
    steps: int
    nodes: tuple[EgoNode, ...]
    edges: tuple[EgoEdge, ...]
    reachable: int
    """Actors within ``steps`` ties (the centre not counted)."""
    left_out: int
    """Of those, how many are not in ``nodes`` (above ``max_nodes``)."""
    sectors: tuple[str, ...]
    sector_tie_kinds: dict[str, tuple[str, ...]]
    provenance: Provenance


def sector_of(contact_kind: str, tie_kinds: tuple[str, ...]) -> str:
    """The netwerkkaart sector of a direct contact (see the module doc)."""
    kinds = set(tie_kinds)
    if "family" in kinds:
        return "family"
    if contact_kind in _CARE_KINDS or "refers_to" in kinds:
        return "care"
    if contact_kind in _LEISURE_KINDS or kinds & _LEISURE_TIES:
        return "school_work_leisure"
    return "friends_neighbours"


def _spread(lo: float, hi: float, count: int) -> list[float]:
    """``count`` angles evenly inside (lo, hi), away from the edges."""
    step = (hi - lo) / (count + 1)
    return [lo + step * (i + 1) for i in range(count)]


def ego_network(
    s: Snapshot,
    actor_id: str,
    *,
    membership: np.ndarray,
    steps: int = 2,
    max_nodes: int = 150,
) -> EgoNetwork:
    center = s.actor_index(actor_id)
    dist = bfs_levels(s, [center], steps)
    adj = s.adjacency
    weights = s.weights
    reach = np.flatnonzero(dist > 0)

    def strongest_to(v: int, among: set[int]) -> tuple[int, float]:
        best, best_w = -1, -1.0
        lo, hi = adj.indptr[v], adj.indptr[v + 1]
        for u, w in zip(adj.indices[lo:hi].tolist(), adj.weights[lo:hi].tolist(), strict=True):
            if u in among and (w > best_w or (w == best_w and u < best)):
                best, best_w = u, w
        return best, best_w

    first = [int(v) for v in reach if dist[v] == 1]
    first_strength = {v: strongest_to(v, {center})[1] for v in first}
    first.sort(key=lambda v: (-first_strength[v], s.ids[v]))
    first = first[:max_nodes]
    first_set = set(first)
    second_all = [int(v) for v in reach if dist[v] >= 2]
    links: dict[int, int] = defaultdict(int)
    parent: dict[int, tuple[int, float]] = {}
    for v in second_all:
        lo, hi = adj.indptr[v], adj.indptr[v + 1]
        nbrs = adj.indices[lo:hi]
        links[v] = int(np.count_nonzero(dist[nbrs] == 1))
        parent[v] = strongest_to(v, first_set)
    second = [v for v in second_all if parent[v][0] >= 0]
    second.sort(key=lambda v: (-links[v], -parent[v][1], s.ids[v]))
    second = second[: max(0, max_nodes - len(first))]
    chosen = [center, *first, *second]
    position = {v: i for i, v in enumerate(chosen)}

    # edges among the chosen, with their kinds and support
    edges: list[EgoEdge] = []
    kinds_attr = s.graph.es["kinds"] if s.m else []
    support_attr = s.graph.es["support"] if s.m else []
    tie_kinds: dict[int, tuple[str, ...]] = {}
    for v in chosen:
        lo, hi = adj.indptr[v], adj.indptr[v + 1]
        for u, e in zip(adj.indices[lo:hi].tolist(), adj.eids[lo:hi].tolist(), strict=True):
            if u in position and v < u:
                edges.append(
                    EgoEdge(
                        a=position[v],
                        b=position[u],
                        weight=float(weights[e]),
                        kinds=tuple(kinds_attr[e]),
                        support=tuple(support_attr[e]),
                    )
                )
                if v == center:
                    tie_kinds[u] = tuple(kinds_attr[e])
                elif u == center:
                    tie_kinds[v] = tuple(kinds_attr[e])

    sector: dict[int, str] = {v: sector_of(s.kind[v], tie_kinds.get(v, ())) for v in first}
    coords: dict[int, tuple[float, float]] = {center: (0.0, 0.0)}
    angle: dict[int, float] = {}
    for name in SECTORS:
        members = [v for v in first if sector[v] == name]
        members.sort(key=lambda v: (int(membership[v]), s.ids[v]))
        for v, a in zip(members, _spread(*_QUARTER[name], len(members)), strict=True):
            r = 1.25 - 0.1 * first_strength[v]
            coords[v] = (r * math.cos(a), r * math.sin(a))
            angle[v] = a
    for v in second:
        sector[v] = sector[parent[v][0]]
    for name in SECTORS:
        members = [v for v in second if sector[v] == name]
        members.sort(key=lambda v: (angle[parent[v][0]], s.ids[v]))
        for i, (v, a) in enumerate(
            zip(members, _spread(*_QUARTER[name], len(members)), strict=True)
        ):
            r = 2.1 + 0.4 * (i % 2) if len(members) > 8 else 2.2
            coords[v] = (r * math.cos(a), r * math.sin(a))

    nodes = tuple(
        EgoNode(
            actor_id=s.ids[v],
            kind=s.kind[v],
            person=s.kind[v] in PERSONS,
            step=int(dist[v]) if v != center else 0,
            sector=sector.get(v),
            community=int(membership[v]),
            degree=int(s.degree[v]),
            x=round(coords[v][0], 4),
            y=round(coords[v][1], 4),
        )
        for v in chosen
    )
    return EgoNetwork(
        center_id=actor_id,
        steps=steps,
        nodes=nodes,
        edges=tuple(edges),
        reachable=len(reach),
        left_out=len(reach) - (len(chosen) - 1),
        sectors=SECTORS,
        sector_tie_kinds=SECTOR_TIE_KINDS,
        provenance=provenance(
            s,
            "ego network (breadth-first) on a netwerkkaart layout",
            ("Hartman 1978", "Van Riet & Wouters 2014"),
            {"steps": steps, "max_nodes": max_nodes},
        ),
    )
