"""Projections of a :class:`~netwerk.graph.Snapshot`, pure and in memory: the snapshot
induced by a set of vertices, the person–person network, and the person–group affiliation
(bipartite) network with its co-membership projection.

Each is O(n + m) numpy work plus one igraph construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import igraph as ig
import numpy as np

from netwerk.graph import IntArray, Snapshot
from netwerk.model import ActorKind

__all__ = ["Affiliation", "affiliation", "persons_only", "subsnapshot"]


def subsnapshot(snapshot: Snapshot, vertices: Iterable[int]) -> Snapshot:
    """The snapshot induced by ``vertices`` (kept in ascending order), same provenance."""
    keep = np.unique(np.fromiter(vertices, dtype=np.int64))
    remap = np.full(snapshot.n, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    e = snapshot.edge_array
    inside = (remap[e[:, 0]] >= 0) & (remap[e[:, 1]] >= 0) if len(e) else np.zeros(0, bool)
    eids = np.flatnonzero(inside)
    edges = np.column_stack([remap[e[eids, 0]], remap[e[eids, 1]]]).astype(np.int64)
    ks = keep.tolist()
    referrals = tuple(
        (int(remap[s]), int(remap[t]))
        for s, t in snapshot.referrals
        if remap[s] >= 0 and remap[t] >= 0
    )
    ids = tuple(snapshot.ids[i] for i in ks)
    return Snapshot(
        network_id=snapshot.network_id,
        revision=snapshot.revision,
        as_of=snapshot.as_of,
        ids=ids,
        index={a: i for i, a in enumerate(ids)},
        kind=tuple(snapshot.kind[i] for i in ks),
        area=tuple(snapshot.area[i] for i in ks),
        languages=tuple(snapshot.languages[i] for i in ks),
        assets=tuple(snapshot.assets[i] for i in ks),
        needs=tuple(snapshot.needs[i] for i in ks),
        consent=tuple(snapshot.consent[i] for i in ks),
        referrals=referrals,
        tie_count=len(eids),
        edge_array=edges,
        edge_weight=snapshot.edge_weight[eids],
        edge_kinds=snapshot.edge_kinds[eids],
        edge_support=snapshot.edge_support[eids],
    )


def persons_only(snapshot: Snapshot) -> Snapshot:
    """The person–person network: residents, key figures and professionals, their ties."""
    return subsnapshot(snapshot, np.flatnonzero(snapshot.is_person).tolist())


@dataclass(frozen=True, eq=False)
class Affiliation:
    """Persons and the initiatives/organisations they are tied to, as a bipartite graph.

    ``graph`` has the persons first (``type`` False) then the groups (``type`` True);
    ``persons[i]`` / ``groups[j]`` are the snapshot vertices behind bipartite vertex ``i`` /
    ``len(persons) + j``. Edge ``weight`` is the tie weight.
    """

    graph: ig.Graph
    persons: IntArray
    groups: IntArray

    def co_membership(self) -> ig.Graph:
        """Persons linked by the number of groups they share (igraph bipartite projection),
        edge attribute ``weight``; vertex ``i`` is ``persons[i]``."""
        projected = self.graph.bipartite_projection(types="type", multiplicity=True, which=0)
        if projected.ecount():
            projected.es["weight"] = [float(x) for x in projected.es["weight"]]
        return projected


def affiliation(
    snapshot: Snapshot,
    group_kinds: Iterable[str] = (ActorKind.initiative.value, ActorKind.organisation.value),
) -> Affiliation:
    """The person–initiative/organisation bipartite projection of ``snapshot``."""
    persons = np.flatnonzero(snapshot.is_person).astype(np.int64)
    groups = snapshot.vertices_of_kind(*group_kinds)
    pos = np.full(snapshot.n, -1, dtype=np.int64)
    pos[persons] = np.arange(len(persons))
    pos[groups] = len(persons) + np.arange(len(groups))
    e = snapshot.edge_array
    if len(e):
        is_p = snapshot.is_person
        is_g = np.zeros(snapshot.n, dtype=bool)
        is_g[groups] = True
        keep = (is_p[e[:, 0]] & is_g[e[:, 1]]) | (is_g[e[:, 0]] & is_p[e[:, 1]])
        eids = np.flatnonzero(keep)
        edges = np.column_stack([pos[e[eids, 0]], pos[e[eids, 1]]])
        weights = snapshot.weights[eids]
    else:
        edges = np.zeros((0, 2), dtype=np.int64)
        weights = np.zeros(0)
    graph = ig.Graph(n=len(persons) + len(groups), edges=edges.tolist(), directed=False)
    graph.vs["type"] = [False] * len(persons) + [True] * len(groups)
    graph.es["weight"] = weights.tolist()
    return Affiliation(graph=graph, persons=persons, groups=groups)
