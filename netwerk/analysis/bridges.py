"""Bridges: ties whose loss tears the network (DESIGN.md 4).

Cut edges
    Ties whose removal disconnects their component (Tarjan 1974; igraph ``bridges``). How
    much each one holds together is read from the bridge tree: contract every 2-edge-
    connected component to a node, the cut edges form a forest, and the actors on the
    smaller side of a cut edge are the ones it "splits off". A cut edge to an actor with
    no other tie (a pendant tie) splits off one actor; those are counted but listed only
    on request (``include_pendant``).

Only links between communities
    Pairs of (Leiden) communities joined by exactly one tie: that tie is their only link.

Complexity: O(n + m) for the cut edges and the bridge tree; O(m) for the community pairs.

References
----------
Tarjan R.E. (1974) A note on finding the bridges of a graph. Information Processing Letters
2(6):160-161. doi:10.1016/0020-0190(74)90003-9.
Granovetter M.S. (1973) The strength of weak ties. Am J Sociol 78(6):1360-1380.
doi:10.1086/225469.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import Provenance, check_positive, provenance
from netwerk.graph import PERSONS, Snapshot
from netwerk.rows import distinct

__all__ = ["BridgeTie", "BridgesResult", "bridges", "cut_edge_sides"]

IntArray = npt.NDArray[np.int64]
REFERENCES = (
    "Tarjan R.E. (1974) doi:10.1016/0020-0190(74)90003-9",
    "Granovetter M.S. (1973) doi:10.1086/225469",
)


@dataclass(frozen=True)
class BridgeTie:
    source_id: str
    source_kind: str
    target_id: str
    target_kind: str
    person_pair: bool
    """True when either end is a person (person-level information)."""
    kinds: tuple[str, ...]
    weight: float
    cut_edge: bool
    splits_off: int | None
    """Actors on the smaller side when this tie goes (cut edges only)."""
    communities: tuple[int, int]
    only_link: bool
    """The only tie between its two communities."""


@dataclass(frozen=True)
class BridgesResult:
    cut_edge_count: int
    pendant_cut_edge_count: int
    cut_edges: tuple[BridgeTie, ...]
    """Largest split first."""
    only_link_count: int
    only_links: tuple[BridgeTie, ...]
    """Ties that are the only link between two communities, largest communities first."""
    provenance: Provenance


def cut_edge_sides(snapshot: Snapshot) -> tuple[IntArray, IntArray]:
    """The cut edges (edge ids) and, for each, the number of actors on its smaller side.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> a, b = cut_edge_sides(s)
    >>> a.tolist(), b.tolist()
    ([3], [3])
    """
    g = snapshot.graph
    cut = np.asarray(g.bridges(), dtype=np.int64)
    if not len(cut):
        return cut, np.zeros(0, dtype=np.int64)
    # the components once the cut edges are gone, on the adjacency without their entries
    # (scipy's connected components: no copy of the graph and its attributes)
    csr = snapshot.adjacency
    keep = np.ones(snapshot.m, dtype=bool)
    keep[cut] = False
    kept = keep[csr.eids]
    rows = np.repeat(np.arange(snapshot.n, dtype=np.int64), np.diff(csr.indptr))[kept]
    indptr = np.zeros(snapshot.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=snapshot.n), out=indptr[1:])
    rest = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.int8), csr.indices[kept], indptr),
        shape=(snapshot.n, snapshot.n),
    )
    k, labels = connected_components(rest, directed=False)
    comp = labels.astype(np.int64)
    size = np.bincount(comp, minlength=k).astype(np.int64)
    e = snapshot.edge_array[cut]
    a, b = comp[e[:, 0]], comp[e[:, 1]]
    adj: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        adj[x].append((y, i))
        adj[y].append((x, i))
    parent_edge = np.full(k, -1, dtype=np.int64)
    seen = np.zeros(k, dtype=bool)
    root = np.full(k, -1, dtype=np.int64)
    order: list[int] = []
    for r in distinct(np.concatenate([a, b])).tolist():
        if seen[r]:
            continue
        seen[r] = True
        root[r] = r
        stack = [r]
        while stack:
            x = stack.pop()
            order.append(x)
            for y, i in adj[x]:
                if not seen[y]:
                    seen[y] = True
                    root[y] = r
                    parent_edge[y] = i
                    stack.append(y)
    sub = size.copy()
    parent = np.full(k, -1, dtype=np.int64)
    for x in order:
        i = parent_edge[x]
        if i >= 0:
            parent[x] = a[i] if b[i] == x else b[i]
    for x in reversed(order):
        if parent[x] >= 0:
            sub[parent[x]] += sub[x]
    smaller = np.zeros(len(cut), dtype=np.int64)
    for x in order:
        i = parent_edge[x]
        if i >= 0:
            total = sub[root[x]]
            smaller[i] = min(sub[x], total - sub[x])
    return cut, smaller


def bridges(
    snapshot: Snapshot,
    *,
    limit: int = 50,
    include_pendant: bool = False,
    seed: int = 0,
    communities: Partition | None = None,
) -> BridgesResult:
    """Cut edges and only-links between communities (see the module doc).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> r = bridges(s)
    >>> r.cut_edge_count, [(b.source_id, b.target_id, b.splits_off) for b in r.cut_edges]
    (1, [('2', '3', 3)])
    """
    check_positive(limit, "limit", maximum=100_000)
    part = communities or partition(snapshot, seed=seed)
    memb = part.membership
    cut, smaller = cut_edge_sides(snapshot)
    splits = dict(zip(cut.tolist(), smaller.tolist(), strict=True))
    e = snapshot.edge_array
    # only links between communities
    only: list[int] = []
    if len(e):
        ca, cb = memb[e[:, 0]], memb[e[:, 1]]
        inter = np.flatnonzero(ca != cb)
        k = max(part.count, 1)
        key = np.minimum(ca[inter], cb[inter]) * k + np.maximum(ca[inter], cb[inter])
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        only = inter[first[counts == 1]].tolist()
    only_set = set(only)
    g = snapshot.graph
    kinds_attr = g.es["kinds"] if snapshot.m else []
    weights = snapshot.weights

    def row(eid: int) -> BridgeTie:
        s, t = int(e[eid, 0]), int(e[eid, 1])
        ks, kt = snapshot.kind[s], snapshot.kind[t]
        c1, c2 = int(memb[s]), int(memb[t])
        return BridgeTie(
            source_id=snapshot.ids[s],
            source_kind=ks,
            target_id=snapshot.ids[t],
            target_kind=kt,
            person_pair=ks in PERSONS or kt in PERSONS,
            kinds=tuple(kinds_attr[eid]),
            weight=float(weights[eid]),
            cut_edge=eid in splits,
            splits_off=int(splits[eid]) if eid in splits else None,
            communities=(min(c1, c2), max(c1, c2)),
            only_link=eid in only_set,
        )

    pendant = int((smaller == 1).sum())
    listed = [
        (int(sz), int(eid))
        for eid, sz in zip(cut.tolist(), smaller.tolist(), strict=True)
        if include_pendant or sz > 1
    ]
    listed.sort(key=lambda x: (-x[0], x[1]))
    sizes = part.sizes

    def only_key(eid: int) -> tuple[int, int]:
        c1, c2 = int(memb[e[eid, 0]]), int(memb[e[eid, 1]])
        return (-int(min(sizes[c1], sizes[c2])), eid)

    only.sort(key=only_key)
    return BridgesResult(
        cut_edge_count=len(cut),
        pendant_cut_edge_count=pendant,
        cut_edges=tuple(row(eid) for _, eid in listed[:limit]),
        only_link_count=len(only),
        only_links=tuple(row(eid) for eid in only[:limit]),
        provenance=provenance(
            snapshot,
            "bridges.cut_edges+community_only_links",
            REFERENCES,
            {"limit": limit, "include_pendant": include_pendant, "communities": "leiden"},
            seed=part.seed,
        ),
    )
