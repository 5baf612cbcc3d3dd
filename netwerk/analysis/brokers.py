"""Brokers: actors whose absence splits the network, whose contacts do not know each other,
and who link groups (DESIGN.md 4).

Articulation points
    Actors whose removal disconnects their component (Hopcroft & Tarjan 1973, via igraph's
    biconnected components). What splits off is read from the block-cut tree: removing
    actor *v* leaves one piece per block-subtree hanging off *v*; all pieces but the largest
    "split off". O(n + m) for all actors at once.

Structural holes (Burt 1992)
    ``constraint`` C_i = sum_j (p_ij + sum_q p_iq p_qj)^2 with p_ij the proportional tie
    weight; ``effective_size`` = number of contacts minus their redundancy (Borgatti's
    simplification n - 2t/n on the binary graph; Burt's general formula when weighted);
    ``efficiency`` = effective size / contacts; ``hierarchy`` (Burt 1992, p. 71) =
    sum_j r_j ln r_j / (N ln N), r_j = c_ij / (C_i / N), the concentration of constraint
    in one contact. Binary by default, as networkx's ``constraint``/``effective_size``
    (``weighted=True`` uses tie strength).
    Undefined values (isolated actors; hierarchy with one contact) are ``None``. All four are
    vectorised over the triangles (each common contact q of ego i and contact j is a
    triangle), O(m + t) for t triangles.

Brokerage roles (Gould & Fernandez 1989)
    Coordinator, itinerant, representative, gatekeeper and liaison counts per broker over a
    grouping: see :mod:`.brokerage` (its names are re-exported here).

Every articulation point, structural-hole row and broker carries a sentence in the requested
language (:mod:`.sentences`); the measures stay in the figures.

Complexity: articulation points O(n + m); constraint O(sum of squared degrees); brokerage
O(m + triangles); hierarchy O(sum over reported actors of their contacts' degrees).

References
----------
Burt R.S. (1992) Structural Holes. Harvard University Press. doi:10.4159/9780674029095.
Borgatti S.P. (1997) Structural holes: unpacking Burt's redundancy measures. Connections
20(1):35-38.
Gould R.V., Fernandez R.M. (1989) Structures of mediation: a formal approach to brokerage
in transaction networks. Sociological Methodology 19:89-126. doi:10.2307/270949.
Hopcroft J., Tarjan R. (1973) Algorithm 447: efficient algorithms for graph manipulation.
Comm ACM 16(6):372-378. doi:10.1145/362248.362272.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from netwerk.analysis.brokerage import (
    GROUPINGS,
    ROLES,
    BrokerageEntry,
    BrokerageResult,
    brokerage,
    group_labels,
)
from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import (
    ActorRef,
    Provenance,
    actor_ref,
    check_kinds,
    check_positive,
    num,
    provenance,
    ranked,
)
from netwerk.analysis.sentences import articulation_sentence, hole_sentence
from netwerk.graph import Snapshot, require_lang
from netwerk.privacy import Sentence

__all__ = [
    "GROUPINGS",
    "ROLES",
    "ArticulationPoint",
    "BlockCutTree",
    "BrokerageEntry",
    "BrokerageResult",
    "BrokersResult",
    "Piece",
    "StructuralHole",
    "brokerage",
    "brokers",
    "group_labels",
    "structural_holes",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
REFERENCES = (
    "Burt R.S. (1992) Structural Holes, doi:10.4159/9780674029095",
    "Borgatti S.P. (1997) Connections 20(1):35-38",
    "Gould R.V., Fernandez R.M. (1989) doi:10.2307/270949",
    "Hopcroft J., Tarjan R. (1973) doi:10.1145/362248.362272",
)
MEMBER_CAP = 50


# --------------------------------------------------------------------------- block-cut tree


class BlockCutTree:
    """The block-cut tree of a snapshot: one node per biconnected block (weight: the
    block's vertices that are not articulation points) and one per articulation point
    (weight 1), rooted per component. Used for "what splits off" questions.

    ``vertex_weight`` (default 1 per vertex) counts something else per vertex instead, e.g.
    ``snapshot.is_person`` to measure the pieces in persons."""

    def __init__(self, snapshot: Snapshot, vertex_weight: npt.ArrayLike | None = None) -> None:
        blocks, aps = snapshot.biconnected  # shared by every tree of this snapshot
        self.snapshot = snapshot
        self.blocks: list[list[int]] = blocks
        self.aps: list[int] = aps
        nb = len(self.blocks)
        self.ap_node = {v: nb + i for i, v in enumerate(self.aps)}
        total = nb + len(self.aps)
        is_ap = np.zeros(snapshot.n, dtype=bool)
        is_ap[self.aps] = True
        vw = (
            np.ones(snapshot.n, dtype=np.int64)
            if vertex_weight is None
            else np.asarray(vertex_weight, dtype=np.int64)
        )
        weight = np.zeros(total, dtype=np.int64)
        adj: list[list[int]] = [[] for _ in range(total)]
        if nb:
            sizes = np.fromiter((len(b) for b in self.blocks), dtype=np.int64, count=nb)
            flat = np.fromiter(chain.from_iterable(self.blocks), np.int64, int(sizes.sum()))
            owner = np.repeat(np.arange(nb, dtype=np.int64), sizes)
            inner = ~is_ap[flat]
            weight[:nb] = np.bincount(owner[inner], weights=vw[flat[inner]], minlength=nb)
            at = is_ap[flat]
            for b, v in zip(owner[at].tolist(), flat[at].tolist(), strict=True):
                a = self.ap_node[v]
                adj[b].append(a)
                adj[a].append(b)
        weight[nb:] = vw[self.aps] if self.aps else 0
        parent = np.full(total, -1, dtype=np.int64)
        root_of = np.full(total, -1, dtype=np.int64)
        order: list[int] = []
        for r in range(total):
            if root_of[r] >= 0:
                continue
            root_of[r] = r
            stack = [r]
            while stack:
                x = stack.pop()
                order.append(x)
                for y in adj[x]:
                    if root_of[y] < 0:
                        root_of[y] = r
                        parent[y] = x
                        stack.append(y)
        sub = weight.copy()
        for x in reversed(order):
            if parent[x] >= 0:
                sub[parent[x]] += sub[x]
        self.adj = adj
        self.parent = parent
        self.root_of = root_of
        self.subtree = sub
        self.weight = weight
        self.n_blocks = nb

    def pieces(self, v: int) -> list[tuple[int, int]]:
        """``(tree node, size)`` of the pieces left when articulation point ``v`` goes; the
        parent-side piece has node ``-1``."""
        a = self.ap_node[v]
        total = int(self.subtree[self.root_of[a]])
        out = [(c, int(self.subtree[c])) for c in self.adj[a] if c != self.parent[a]]
        up = total - int(self.subtree[a])
        if up > 0:
            out.append((-1, up))
        return out

    def piece_members(self, v: int, node: int, cap: int) -> tuple[int, list[int]]:
        """Vertices of one piece (at most ``cap``), and its size."""
        a = self.ap_node[v]
        if node >= 0:
            nodes = self._subtree_nodes(node)
        else:
            inside = set(self._subtree_nodes(a))
            root = int(self.root_of[a])
            nodes = [x for x in self._subtree_nodes(root) if x not in inside]
        seen: set[int] = set()
        for x in nodes:
            if x < self.n_blocks:
                seen.update(self.blocks[x])
            else:
                seen.add(self.aps[x - self.n_blocks])
        seen.discard(v)
        members = sorted(seen)
        return len(members), members[:cap]

    def _subtree_nodes(self, node: int) -> list[int]:
        out, stack = [], [node]
        while stack:
            x = stack.pop()
            out.append(x)
            stack.extend(y for y in self.adj[x] if self.parent[y] == x)
        return out


@dataclass(frozen=True)
class Piece:
    size: int
    members: tuple[ActorRef, ...]
    """Up to 50 of the piece's actors."""


@dataclass(frozen=True)
class ArticulationPoint:
    actor_id: str
    kind: str
    person: bool
    splits_off: int
    """Actors cut off from the rest of the component when this actor leaves."""
    pieces: tuple[Piece, ...]
    """The pieces that split off (all but the largest), largest first."""
    sentence: str


def articulation_points(
    snapshot: Snapshot, *, top: int = 20, tree: BlockCutTree | None = None, lang: str = "nl"
) -> tuple[int, tuple[ArticulationPoint, ...]]:
    """All articulation points counted; the ``top`` by actors cut off, with their pieces."""
    bct = tree or BlockCutTree(snapshot)
    scored: list[tuple[int, int]] = []
    for v in bct.aps:
        sizes = sorted((s for _, s in bct.pieces(v)), reverse=True)
        scored.append((sum(sizes[1:]), v))
    scored.sort(key=lambda x: (-x[0], x[1]))
    out: list[ArticulationPoint] = []
    for splits, v in scored[:top]:
        pieces = sorted(bct.pieces(v), key=lambda p: (-p[1], p[0]))[1:]
        rows = []
        for node, _size in pieces:
            size, members = bct.piece_members(v, node, MEMBER_CAP)
            rows.append(Piece(size, tuple(actor_ref(snapshot, u) for u in members)))
        ref = actor_ref(snapshot, v)
        out.append(
            ArticulationPoint(
                ref.actor_id,
                ref.kind,
                ref.person,
                splits,
                tuple(rows),
                articulation_sentence(ref.kind, splits, lang),
            )
        )
    return len(bct.aps), tuple(out)


# --------------------------------------------------------------------------- structural holes


@dataclass(frozen=True, eq=False)
class HoleScores:
    """Burt's measures for every vertex (internal)."""

    constraint: FloatArray
    effective_size: FloatArray
    efficiency: FloatArray
    hierarchy: FloatArray
    weighted: bool


def _p_and_m(snapshot: Snapshot, weighted: bool) -> tuple[FloatArray, FloatArray]:
    """Per directed adjacency entry (CSR order): p_ij and m_ij (Burt's proportional and
    marginal strengths); unweighted: p_ij = 1/deg(i), m_ij = 1."""
    adj = snapshot.adjacency
    n = snapshot.n
    owner = np.repeat(np.arange(n), np.diff(adj.indptr))
    w = adj.weights if weighted else np.ones(len(adj.indices))
    total = np.bincount(owner, weights=w, minlength=n)
    peak = np.zeros(n)
    rows = np.flatnonzero(np.diff(adj.indptr) > 0)
    if len(rows):  # each row's largest weight (rows are contiguous: no ufunc.at)
        peak[rows] = np.maximum.reduceat(w, adj.indptr[rows])
    p = w / np.where(total[owner] > 0, total[owner], 1.0)
    m = w / np.where(peak[owner] > 0, peak[owner], 1.0)
    return p, m


_ROLES_IN_TRIANGLE = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))


def structural_holes(snapshot: Snapshot, *, weighted: bool = False) -> HoleScores:
    """Constraint, effective size, efficiency and hierarchy of every vertex (module doc).

    Vectorised over the triangles: for ego i, contact j and common contact q, the indirect
    term p_iq p_qj of c_ij and the redundancy p_iq m_jq of j both live on triangle (i, j, q).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))  # 0 in the middle
    >>> h = structural_holes(s)
    >>> float(h.effective_size[0]), float(h.efficiency[0]), round(float(h.constraint[0]), 2)
    (4.0, 1.0, 0.25)
    """
    n = snapshot.n
    adj = snapshot.adjacency
    slots = len(adj.indices)
    deg = snapshot.degree.astype(np.float64)
    owner = np.repeat(np.arange(n), np.diff(adj.indptr))
    p, m = _p_and_m(snapshot, weighted)
    indirect = np.zeros(slots)
    redundancy = np.zeros(n)
    tri = snapshot.triangles
    if len(tri):
        pair_eid = {
            (0, 1): snapshot.edge_ids(tri[:, 0], tri[:, 1]),
            (0, 2): snapshot.edge_ids(tri[:, 0], tri[:, 2]),
            (1, 2): snapshot.edge_ids(tri[:, 1], tri[:, 2]),
        }

        def eid(x: int, y: int) -> IntArray:
            return pair_eid[(min(x, y), max(x, y))]

        for a, b, c in _ROLES_IN_TRIANGLE:
            i, j, q = tri[:, a], tri[:, b], tri[:, c]
            s_iq = snapshot.slot(i, q, eid(a, c))
            s_qj = snapshot.slot(q, j, eid(c, b))
            s_ij = snapshot.slot(i, j, eid(a, b))
            s_jq = snapshot.slot(j, q, eid(b, c))
            indirect += np.bincount(s_ij, weights=p[s_iq] * p[s_qj], minlength=slots)
            redundancy += np.bincount(i, weights=p[s_iq] * m[s_jq], minlength=n)
    c_ij = (p + indirect) ** 2
    constraint = np.bincount(owner, weights=c_ij, minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        constraint = np.where(deg > 0, constraint, np.nan)
        eff = np.where(deg > 0, deg - redundancy, np.nan)
        efficiency = np.where(deg > 0, eff / deg, np.nan)
        share = c_ij / (constraint[owner] / np.maximum(deg[owner], 1))
        terms = np.where(share > 0, share * np.log(np.where(share > 0, share, 1.0)), 0.0)
        hier = np.bincount(owner, weights=terms, minlength=n) / (deg * np.log(deg))
        hier = np.where(deg >= 2, hier, np.nan)
    return HoleScores(constraint, eff, efficiency, hier, weighted)


def hierarchy(snapshot: Snapshot, v: int, *, weighted: bool = False) -> float | None:
    """Burt's hierarchy of one vertex (None for fewer than two contacts); a direct,
    per-vertex computation (:func:`structural_holes` gives it for all vertices)."""
    adj = snapshot.adjacency
    nbrs = adj.neighbours(v)
    k = len(nbrs)
    if k < 2:
        return None
    p, _ = _p_and_m(snapshot, weighted)
    p_v = p[adj.indptr[v] : adj.indptr[v + 1]]
    pv = dict(zip(nbrs.tolist(), p_v.tolist(), strict=True))
    indirect = dict.fromkeys(pv, 0.0)
    for q, p_vq in pv.items():
        lo, hi = adj.indptr[q], adj.indptr[q + 1]
        for j, p_qj in zip(adj.indices[lo:hi].tolist(), p[lo:hi].tolist(), strict=True):
            if j in indirect and j != q:
                indirect[j] += p_vq * p_qj
    c = np.asarray([(pv[j] + indirect[j]) ** 2 for j in pv])
    total = c.sum()
    if total <= 0:
        return None
    r = c / (total / k)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(terms.sum() / (k * math.log(k)))


@dataclass(frozen=True)
class StructuralHole:
    actor_id: str
    kind: str
    person: bool
    degree: int
    constraint: float | None
    effective_size: float | None
    efficiency: float | None
    hierarchy: float | None
    sentence: Sentence


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class BrokersResult:
    articulation_point_count: int
    articulation_points: tuple[ArticulationPoint, ...]
    structural_holes: tuple[StructuralHole, ...]
    """Lowest constraint first, among actors with at least ``min_degree`` contacts."""
    weighted: bool
    brokerage: BrokerageResult
    referral_brokerage: BrokerageResult
    provenance: Provenance


def brokers(
    snapshot: Snapshot,
    *,
    grouping: str = "community",
    top: int = 20,
    kind: str | Sequence[str] | None = None,
    weighted: bool = False,
    min_degree: int = 2,
    seed: int = 0,
    communities: Partition | None = None,
    holes: HoleScores | None = None,
    tree: BlockCutTree | None = None,
    lang: str = "nl",
) -> BrokersResult:
    """Articulation points, structural holes and brokerage roles in one result, each with a
    sentence in ``lang``.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> r = brokers(s, lang='en')
    >>> r.articulation_point_count, sorted(p.actor_id for p in r.articulation_points)
    (2, ['2', '3'])
    """
    require_lang(lang)
    kinds = check_kinds(kind)
    check_positive(top, "top", maximum=10_000)
    n_ap, aps = articulation_points(snapshot, top=top, tree=tree, lang=lang)
    if kinds:
        aps = tuple(a for a in aps if a.kind in kinds)
    hs = holes or structural_holes(snapshot, weighted=weighted)
    eligible = snapshot.degree >= min_degree
    order = ranked(
        snapshot, hs.constraint, kinds=kinds, top=top, descending=False, eligible=eligible
    )
    holes_rows = tuple(
        StructuralHole(
            actor_id=snapshot.ids[v],
            kind=snapshot.kind[v],
            person=bool(snapshot.is_person[v]),
            degree=int(snapshot.degree[v]),
            constraint=num(hs.constraint[v]),
            effective_size=num(hs.effective_size[v]),
            efficiency=num(hs.efficiency[v]),
            hierarchy=num(hs.hierarchy[v]),
            sentence=hole_sentence(
                snapshot.kind[v],
                int(snapshot.degree[v]),
                num(hs.effective_size[v]),
                num(hs.efficiency[v]),
                lang,
            ),
        )
        for v in order.tolist()
    )
    part = communities
    if grouping == "community" and part is None:
        part = partition(snapshot, seed=seed)
    sym = brokerage(
        snapshot, grouping=grouping, top=top, kind=kinds, communities=part, seed=seed, lang=lang
    )
    directed = brokerage(
        snapshot,
        grouping=grouping,
        directed=True,
        top=top,
        kind=kinds,
        communities=part,
        seed=seed,
        lang=lang,
    )
    return BrokersResult(
        articulation_point_count=n_ap,
        articulation_points=aps,
        structural_holes=holes_rows,
        weighted=hs.weighted,
        brokerage=sym,
        referral_brokerage=directed,
        provenance=provenance(
            snapshot,
            "brokers.articulation_points+structural_holes+gould_fernandez",
            REFERENCES,
            {
                "grouping": grouping,
                "top": top,
                "kind": ",".join(kinds) or None,
                "weighted": weighted,
                "min_degree": min_degree,
            },
            seed=seed if grouping == "community" else None,
        ),
    )
