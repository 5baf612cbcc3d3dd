"""Gaps to act on, and resilience in aggregate, for the dashboard.

*Gaps per area*: every person gap of :mod:`netwerk.analysis.gaps` (isolated persons, unmet
needs) counted per area of the person concerned, and every group gap (no line to help)
counted per main area of the group, with the persons in those groups.

*Actions*: for each gap the engine proposes one concrete first step, built from the
network's own structure (asset-based: an existing place, initiative or person that already
touches the people concerned, Kretzmann & McKnight 1993), and the three that concern the
most persons are shown:

* a group without a line to help: the place, initiative or outside actor that knows most of
  its members, and the professional (or key figure) tied most strongly to that one;
* isolated persons in an area: the initiative or place of that area with the most ties, and
  its strongest tie to a key figure or professional;
* an unmet need: the actor that offers the theme and is tied to most others, and its
  strongest tie to a key figure or professional (who can make the introduction).

*Resilience*: residents whose only direct line to help (a key figure or professional; no
organisation or initiative) is one person — they depend on a single key figure or
professional (a one-step version of the what-if analysis of
:mod:`netwerk.analysis.resilience`, computed for all at once in O(n + m)); and the what-if
of the professional with the highest betweenness.

Reference: Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out.
ACTA Publications, ISBN 0879462183.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from netwerk.analysis.gaps import GapsResult
from netwerk.graph import Snapshot

__all__ = [
    "Action",
    "AreaRow",
    "Dependence",
    "actions",
    "area_rows",
    "dependence",
]

HELPERS = ("key_figure", "professional")


@dataclass(frozen=True)
class AreaRow:
    """One gap kind in one area: how many persons (or groups), and who (brokers only)."""

    kind: str
    area: str | None
    persons: int
    groups: int
    actor_ids: tuple[str, ...]
    group_ids: tuple[int, ...]


@dataclass(frozen=True)
class Action:
    code: str
    """``group_without_help``, ``isolated_in_area`` or ``unmet_theme``."""
    persons: int
    group: int | None
    area: str | None
    theme: str | None
    via_id: str | None
    via_kind: str | None
    via_knows: int
    """Members of the group the ``via`` actor has a tie to."""
    contact_id: str | None
    contact_kind: str | None
    contact_org_id: str | None
    """The organisation the contact works for (named to viewers instead of the person)."""


@dataclass(frozen=True)
class Dependence:
    dependent_residents: int
    """Residents whose only direct line to help is one key figure or professional."""
    figures_depended_on: int
    most_on_one: int
    top: tuple[tuple[str, int], ...]
    """(actor id, dependents) of the key figures and professionals most depended on
    (brokers only)."""


def area_rows(gaps: GapsResult, sizes: dict[int, int], persons: dict[int, int]) -> list[AreaRow]:
    """Gaps per (kind, area), persons counted once per kind and area."""
    who: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    groups: dict[tuple[str, str | None], set[int]] = defaultdict(set)
    for gap in gaps.gaps:
        if gap.kind in ("isolated_person", "unmet_need"):
            who[(gap.kind, gap.area)].update(a.actor_id for a in gap.actors if a.person)
        elif gap.kind == "community_without_help":
            key = (gap.kind, gap.area)
            groups[key].update(gap.communities)
            who[key].update(a.actor_id for a in gap.actors if a.person)
    rows = []
    for (kind, area), ids in who.items():
        gs = groups.get((kind, area), set())
        count = sum(persons.get(g, 0) for g in gs) if gs else len(ids)
        rows.append(AreaRow(kind, area, count, len(gs), tuple(sorted(ids)), tuple(sorted(gs))))
    rows.sort(key=lambda r: (r.kind, -r.persons, r.area or "~"))
    return rows


def _strongest(s: Snapshot, v: int, kinds: Iterable[str]) -> int | None:
    adj = s.adjacency
    lo, hi = adj.indptr[v], adj.indptr[v + 1]
    wanted = set(kinds)
    best = None
    for u, w in zip(adj.indices[lo:hi].tolist(), adj.weights[lo:hi].tolist(), strict=True):
        if s.kind[u] in wanted:
            key = (-w, -int(s.degree[u]), s.ids[u])
            if best is None or key < best[0]:
                best = (key, u)
    return best[1] if best else None


def _employer(s: Snapshot, v: int | None) -> int | None:
    if v is None or s.kind[v] != "professional":
        return None
    return _strongest(s, v, ("organisation",))


def _action(
    s: Snapshot,
    code: str,
    persons: int,
    via: int | None,
    knows: int = 0,
    *,
    group: int | None = None,
    area: str | None = None,
    theme: str | None = None,
) -> Action:
    contact = _strongest(s, via, HELPERS) if via is not None else None
    if via is not None and s.kind[via] in HELPERS:
        contact = via
    org = _employer(s, contact)
    return Action(
        code=code,
        persons=persons,
        group=group,
        area=area,
        theme=theme,
        via_id=s.ids[via] if via is not None else None,
        via_kind=s.kind[via] if via is not None else None,
        via_knows=knows,
        contact_id=s.ids[contact] if contact is not None else None,
        contact_kind=s.kind[contact] if contact is not None else None,
        contact_org_id=s.ids[org] if org is not None else None,
    )


def actions(
    s: Snapshot,
    gaps: GapsResult,
    membership: np.ndarray,
    group_persons: dict[int, int],
    *,
    top: int = 3,
) -> list[Action]:
    """The first steps for the gaps that concern the most persons (see the module doc)."""
    out: list[Action] = []
    adj = s.adjacency
    for gap in gaps.gaps:
        if gap.kind != "community_without_help":
            continue
        c = gap.communities[0]
        members = np.flatnonzero(membership == c)
        _, nb = adj.gather(members)
        outside = nb[membership[nb] != c]
        known = Counter(outside.tolist())
        places = {u: n for u, n in known.items() if s.kind[u] in ("place", "initiative")}
        pool = places or known
        via = min(pool, key=lambda u: (-pool[u], s.ids[u])) if pool else None
        out.append(
            _action(
                s,
                "group_without_help",
                group_persons.get(c, 0),
                via,
                pool.get(via, 0) if via is not None else 0,
                group=c,
                area=gap.area,
            )
        )
    isolated: dict[str | None, int] = Counter()
    for gap in gaps.gaps:
        if gap.kind == "isolated_person":
            isolated[gap.area] += 1
    for area, n in isolated.items():
        if area is None:
            continue
        spots = [
            v
            for v in s.vertices_of_kind("initiative", "place").tolist()
            if s.area[v] == area and s.degree[v] > 0
        ]
        via = min(spots, key=lambda v: (-int(s.degree[v]), s.ids[v])) if spots else None
        out.append(_action(s, "isolated_in_area", n, via, area=area))
    unmet: dict[str, int] = Counter()
    for gap in gaps.gaps:
        if gap.kind == "unmet_need" and gap.themes:
            unmet[gap.themes[0]] += 1
    for theme, n in unmet.items():
        offers = [v for v in range(s.n) if theme in s.assets[v] and s.degree[v] > 0]
        offers.sort(key=lambda v: (s.kind[v] in ("resident", "key_figure"), -int(s.degree[v])))
        via = offers[0] if offers else None
        out.append(_action(s, "unmet_theme", n, via, theme=theme))
    out.sort(key=lambda a: (-a.persons, a.code, a.area or "", a.theme or "", a.group or 0))
    return out[:top]


def dependence(s: Snapshot, *, top: int = 5) -> Dependence:
    """Residents who depend on a single key figure or professional (see the module doc)."""
    helper = s.kind_mask(*HELPERS)
    formal = s.kind_mask("organisation", "initiative")
    adj = s.adjacency
    residents = s.vertices_of_kind("resident")
    owner, nb = adj.gather(residents)
    h_count = np.bincount(owner[helper[nb]], minlength=s.n)
    f_count = np.bincount(owner[formal[nb]], minlength=s.n)
    dependent = residents[(h_count[residents] == 1) & (f_count[residents] == 0)]
    on: Counter[int] = Counter()
    if len(dependent):
        _, nbs = adj.gather(dependent)
        for u in nbs[helper[nbs]].tolist():
            on[u] += 1
    ranked = sorted(on.items(), key=lambda kv: (-kv[1], s.ids[kv[0]]))
    return Dependence(
        dependent_residents=len(dependent),
        figures_depended_on=len(on),
        most_on_one=ranked[0][1] if ranked else 0,
        top=tuple((s.ids[u], n) for u, n in ranked[:top]),
    )
