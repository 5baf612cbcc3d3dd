"""Positions for the neighbourhood map, computed once per network revision.

The map of a neighbourhood (thousands of actors) is drawn by the browser with WebGL, but
the positions come from here: igraph's Fruchterman–Reingold layout with its grid
approximation (O(n + m) per iteration instead of O(n²)), 300 iterations, under a fixed seed.
Computing on the server means every broker sees the same map for the same revision, a phone
does not spend its battery on a force simulation, and the result is cached per
``(network, revision)`` alongside the analyses, so only the first map after a write pays
(about 1.5 s at 10,000 actors and 90,000 ties on the reference machine).

Ties inside a Leiden community pull four times as hard as ties between communities, so
that the groups a broker works with show as groups. The largest connected part is laid out
in the unit disc (scaled so that 98% of it fits, the few stragglers put on the edge); every
other part — small groups and isolated actors — sits on a ring just outside it, where a
broker looks for them, instead of being flung to the
far corners and squeezing the neighbourhood into a dot.

The same result carries, per actor, what the map colours and marks: the Leiden community,
whether the actor is a recognised key figure, and whether it is an isolated person, has a
need with no matching asset within reach or is in a group without a line to help — read from
the gap analysis of the same revision.

References
----------
Fruchterman T.M.J., Reingold E.M. (1991) Graph drawing by force-directed placement.
Software: Practice and Experience 21(11):1129-1164. doi:10.1002/spe.4380211102.
Csardi G., Nepusz T. (2006) The igraph software package for complex network research.
InterJournal Complex Systems 1695.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netwerk.analysis.records import Provenance, provenance
from netwerk.graph import Snapshot, seeded

__all__ = ["MapLayout", "positions"]

INSIDE_PULL = 4.0
"""How much harder a tie inside a (Leiden) community pulls than one between communities."""


@dataclass(frozen=True)
class MapLayout:
    """Columns, one entry per actor in the same order (ids sorted)."""

    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    community: tuple[int, ...]
    size: tuple[float, ...]
    """The chosen measure, normalised to [0, 1]."""
    value: tuple[float, ...]
    """The chosen measure itself."""
    measure: str
    key_figure: tuple[bool, ...]
    """Recognised key figures (kind ``key_figure``)."""
    isolated: tuple[bool, ...]
    unmet_need: tuple[bool, ...]
    no_help: tuple[bool, ...]
    """In a community with no tie to any professional, organisation, initiative or key figure."""
    areas: tuple[str | None, ...]
    themes: tuple[tuple[str, ...], ...]
    """Assets and needs together (for the theme filter)."""
    edges: tuple[tuple[int, int], ...]
    """Positions in the columns of each tie's two ends (collapsed per pair), strongest
    first."""
    edge_weight: tuple[float, ...]
    provenance: Provenance


def positions(
    s: Snapshot,
    *,
    membership: np.ndarray | None = None,
    seed: int = 0,
    iterations: int = 300,
) -> np.ndarray:
    """``(n, 2)`` coordinates (deterministic for a seed): the largest connected part laid out
    by Fruchterman–Reingold inside the unit disc; every other part (small groups, isolated
    actors) on a ring just outside it, the members of a part next to each other."""
    xy = np.zeros((s.n, 2))
    if s.n <= 1:
        return xy
    comp = s.components
    sizes = np.bincount(comp)
    giant = int(np.argmax(sizes))
    inside = np.flatnonzero(comp == giant)
    if len(inside) > 1:
        sub = s.graph.induced_subgraph(inside.tolist())
        weights = None
        if sub.ecount():
            ends = np.asarray(sub.get_edgelist(), dtype=np.int64)
            weights = np.asarray(sub.es["weight"], dtype=np.float64)
            if membership is not None:
                # ties inside a community pull harder, so that groups show as groups
                group = np.asarray(membership)[inside]
                same = group[ends[:, 0]] == group[ends[:, 1]]
                weights = weights * np.where(same, INSIDE_PULL, 1.0)
        with seeded(seed):
            layout = sub.layout_fruchterman_reingold(
                grid=True, niter=iterations, weights=None if weights is None else weights.tolist()
            )
        pts = np.asarray(layout.coords, dtype=np.float64)
        pts -= np.median(pts, axis=0)
        radius = np.hypot(pts[:, 0], pts[:, 1])
        reach = float(np.quantile(radius, 0.98)) or 1.0
        pts /= reach
        far = radius / reach > 1.0  # a few stragglers: onto the disc's edge
        pts[far] /= (radius[far] / reach)[:, None]
        xy[inside] = pts
    outside = np.flatnonzero(comp != giant)
    if len(outside):
        # by part (largest first), then by id: members of a part sit side by side
        order = np.lexsort((outside, -sizes[comp[outside]], comp[outside]))
        angles = np.linspace(0.0, 2 * np.pi, len(outside), endpoint=False) + np.pi / 2
        ring = 1.15 + 0.06 * (np.arange(len(outside)) % 3)
        xy[outside[order], 0] = ring * np.cos(angles)
        xy[outside[order], 1] = ring * np.sin(angles)
    return np.round(xy, 4)


def build(
    s: Snapshot,
    xy: np.ndarray,
    *,
    membership: np.ndarray,
    size: np.ndarray,
    measure: str,
    key_figures: set[int],
    isolated: set[int],
    unmet: set[int],
    no_help: set[int],
    seed: int,
) -> MapLayout:
    size = np.nan_to_num(np.asarray(size, dtype=np.float64))
    top = float(size.max()) if len(size) else 0.0
    norm = size / top if top > 0 else np.zeros_like(size)
    # strongest ties first (then by position): a map can draw the strongest N
    order = np.lexsort((np.arange(s.m), -s.weights)) if s.m else np.zeros(0, dtype=np.int64)
    e = s.edge_array[order]
    return MapLayout(
        ids=s.ids,
        kinds=s.kind,
        x=tuple(np.round(xy[:, 0], 4).tolist()),
        y=tuple(np.round(xy[:, 1], 4).tolist()),
        community=tuple(int(c) for c in membership.tolist()),
        size=tuple(np.round(norm, 4).tolist()),
        value=tuple(np.round(size, 4).tolist()),
        measure=measure,
        key_figure=tuple(v in key_figures for v in range(s.n)),
        isolated=tuple(v in isolated for v in range(s.n)),
        unmet_need=tuple(v in unmet for v in range(s.n)),
        no_help=tuple(v in no_help for v in range(s.n)),
        areas=s.area,
        themes=tuple(tuple(sorted(s.assets[v] | s.needs[v])) for v in range(s.n)),
        edges=tuple((int(a), int(b)) for a, b in e.tolist()),
        edge_weight=tuple(s.weights[order].tolist()),
        provenance=provenance(
            s,
            "Fruchterman-Reingold (grid), igraph",
            ("Fruchterman & Reingold 1991", "Csardi & Nepusz 2006"),
            {"iterations": 300, "measure": measure},
            seed=seed,
        ),
    )
