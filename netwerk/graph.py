"""A network snapshot in memory: the store's actors and active ties as an igraph graph.

A :class:`Snapshot` is what every analysis runs on. It holds *structure only*: actor ids,
kinds, areas, languages, assets, needs and consent, never names, contact details or notes
(privacy by construction, DESIGN.md 6: the API joins names in for roles allowed to see them).

Conventions
-----------
* Vertices are the network's actors in ``id`` order, so vertex indices (and therefore every
  seeded, random analysis) are reproducible across processes.
* The graph is **undirected and simple**: all active ties between a pair are collapsed into
  one edge. Edge attributes: ``weight`` (the maximum ``strength`` 1..5 over the pair's active
  ties, a float), ``kinds`` (tuple of the tie kinds present, in :class:`~netwerk.model.TieKind`
  order) and ``support`` (tuple of support kinds, the union over the pair's ties).
* ``refers_to`` is the one directed tie kind; its direction is kept in
  :attr:`Snapshot.referrals` as ``(source, target)`` vertex pairs (it is also an edge of the
  undirected graph).
* A tie is active on date *d* when ``(since IS NULL OR since <= d) AND (until IS NULL OR
  until >= d)``. ``as_of`` defaults to today, so history ties are excluded. The store has no
  validity period for actors: every actor of the network is a vertex on every date (an actor
  without active ties on that date is simply isolated).

Layering
--------
This module is pure and in memory: it never touches the database. The store builds
snapshots with :func:`netwerk.store.snapshot.load_snapshot` (through
:func:`build_snapshot`, O(m log m) numpy work for *m* active ties); projections of a
snapshot (induced subgraphs, the person–group affiliation) are in :mod:`netwerk.projections`.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt

from netwerk.errors import NotFound, ValidationFailed
from netwerk.model import PERSON_KINDS, ActorKind, SupportKind, TieKind, offered_all
from netwerk.rows import Adjacency as Adjacency
from netwerk.rows import BoolArray as BoolArray
from netwerk.rows import FloatArray as FloatArray
from netwerk.rows import IntArray as IntArray
from netwerk.rows import SparseRows as SparseRows
from netwerk.rows import ball as ball
from netwerk.rows import row_positions as row_positions

__all__ = [
    "ACTOR_KINDS",
    "SUPPORT_BITS",
    "SUPPORT_KINDS",
    "TIE_BITS",
    "TIE_KINDS",
    "Adjacency",
    "Advance",
    "Snapshot",
    "SparseRows",
    "ball",
    "bfs_levels",
    "build_snapshot",
    "first_seen_order",
    "fresh_network_id",
    "row_positions",
    "seeded",
    "snapshot_from_networkx",
]

ACTOR_KINDS: tuple[str, ...] = tuple(k.value for k in ActorKind)
TIE_KINDS: tuple[str, ...] = tuple(k.value for k in TieKind)
SUPPORT_KINDS: tuple[str, ...] = tuple(k.value for k in SupportKind)
PERSONS: frozenset[str] = frozenset(k.value for k in PERSON_KINDS)

_KIND_CODE = {k: i for i, k in enumerate(ACTOR_KINDS)}
TIE_BITS: Mapping[str, int] = {k: 1 << i for i, k in enumerate(TIE_KINDS)}
"""Tie kind -> its bit in the per-edge kind masks :func:`build_snapshot` takes."""
SUPPORT_BITS: Mapping[str, int] = {k: 1 << i for i, k in enumerate(SUPPORT_KINDS)}
"""Support kind -> its bit in the per-edge support masks."""
_TIE_BIT, _SUPPORT_BIT = TIE_BITS, SUPPORT_BITS
_REFERS_BIT = _TIE_BIT[TieKind.refers_to.value]
_KNOWS_BIT = _TIE_BIT[TieKind.knows.value]
_EMPTY: frozenset[str] = frozenset()


def _names_of_mask(mask: int, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(names) if mask >> i & 1)


@dataclass(frozen=True, eq=False)
class Advance:
    """What changed between the snapshot of ``base_revision`` and the one advanced from it by
    the change log (:func:`netwerk.store.delta.apply_delta`), so that what was derived from
    the old snapshot can be brought along instead of recomputed (the suggestions' context)."""

    base_revision: int
    remap: IntArray
    """Per vertex of the old snapshot, its vertex in the new one (-1: the actor is gone);
    increasing."""
    actors: IntArray
    """New vertices whose actor changed or is new (ascending)."""
    pairs: IntArray
    """``(k, 2)`` new vertices of the pairs whose ties changed (added, ended, re-weighted)."""
    edges_removed: bool
    """Whether an edge of the old snapshot is gone (not only re-weighted)."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One network on one date at one revision, in memory (see the module doc)."""

    network_id: str
    revision: int
    as_of: dt.date
    ids: tuple[str, ...]
    index: Mapping[str, int]
    kind: tuple[str, ...]
    area: tuple[str | None, ...]
    languages: tuple[frozenset[str], ...]
    assets: tuple[frozenset[str], ...]
    """What each actor can offer (:func:`netwerk.model.offered`: a resident's need-only
    theme such as ``eenzaamheid`` is left out)."""
    needs: tuple[frozenset[str], ...]
    consent: tuple[str | None, ...]
    referrals: tuple[tuple[int, int], ...]
    """Directed ``refers_to`` ties as ``(source, target)`` vertices, sorted, without repeats."""
    tie_count: int = 0
    """Active tie rows (before parallel ties between a pair were collapsed)."""
    edge_array: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    """``(m, 2)`` endpoints of the graph's edges, ``edge_array[e] == graph.es[e].tuple``, lower
    endpoint first, sorted by (lower, higher) (:meth:`edge_ids` relies on it)."""
    edge_weight: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    """Per edge, its ``weight`` (the strongest of the pair's active ties)."""
    edge_kinds: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per edge, the bits (:data:`TIE_BITS`) of the tie kinds present."""
    edge_support: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per edge, the bits (:data:`SUPPORT_BITS`) of the support kinds."""
    advance: Advance | None = field(default=None, repr=False)
    """How this snapshot was made from the one before by the change log (None: loaded)."""

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.edge_array)

    @cached_property
    def graph(self) -> ig.Graph:
        """The igraph graph, built from the edge arrays on first use (conventions: the module
        doc). Lazy: a snapshot advanced by the change log (:mod:`netwerk.store.delta`) is
        used by suggestions without one; building it for 1M ties takes a few tenths of a
        second, paid by the first analysis that needs it."""
        return _igraph(
            self.n, self.edge_array, self.edge_weight, self.edge_kinds, self.edge_support
        )

    def tie_kinds(self, eid: int) -> tuple[str, ...]:
        """The tie kinds of edge ``eid`` (:data:`TIE_KINDS` order)."""
        return _names_of_mask(int(self.edge_kinds[eid]), TIE_KINDS)

    @cached_property
    def kind_codes(self) -> npt.NDArray[np.int8]:
        """Per vertex, the position of its kind in :data:`ACTOR_KINDS`."""
        return np.fromiter((_KIND_CODE.get(k, -1) for k in self.kind), dtype=np.int8, count=self.n)

    @cached_property
    def is_person(self) -> BoolArray:
        return self.kind_mask(*PERSONS)

    def kind_mask(self, *kinds: str) -> BoolArray:
        codes = [_KIND_CODE[k] for k in kinds if k in _KIND_CODE]
        return np.isin(self.kind_codes, np.asarray(codes, dtype=np.int8))

    def vertices_of_kind(self, *kinds: str) -> IntArray:
        """Vertex indices of the actors of any of ``kinds`` (ascending)."""
        return np.flatnonzero(self.kind_mask(*kinds)).astype(np.int64)

    @property
    def weights(self) -> FloatArray:
        return self.edge_weight

    @cached_property
    def degree(self) -> IntArray:
        if "adjacency" in self.__dict__:
            return np.diff(self.adjacency.indptr).astype(np.int64)
        return np.bincount(self.edge_array.ravel(), minlength=self.n).astype(np.int64)

    @cached_property
    def adjacency(self) -> Adjacency:
        # Row v holds its lower neighbours (the edges (u, v), u < v, in u order) and then its
        # higher ones (the edges (v, w) in w order). The edge array is sorted by (lower,
        # higher), so the higher-neighbour entries are in place already and the lower ones
        # need one stable sort by their higher end: no sort of all 2m entries.
        e, n = self.edge_array, self.n
        m = len(e)
        lo, hi = e[:, 0], e[:, 1]
        up = np.bincount(lo, minlength=n).astype(np.int64)  # higher neighbours per row
        down = np.bincount(hi, minlength=n).astype(np.int64)  # lower neighbours per row
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(up + down, out=indptr[1:])
        edge = np.arange(m, dtype=np.int64)
        # (v, w) entries: after row v's lower neighbours, in edge order
        first_up = np.cumsum(up) - up
        at_up = indptr[lo] + down[lo] + (edge - first_up[lo])
        # (v, u) entries: edges sorted by their higher end (stable: u order within a row)
        by_hi = np.argsort(hi, kind="stable")
        first_down = np.cumsum(down) - down
        rows = hi[by_hi]
        at_down = np.empty(m, dtype=np.int64)
        at_down[by_hi] = indptr[rows] + (edge - first_down[rows])
        indices = np.empty(2 * m, dtype=np.int64)
        eids = np.empty(2 * m, dtype=np.int64)
        weights = np.empty(2 * m, dtype=np.float64)
        indices[at_up], indices[at_down] = hi, lo
        eids[at_up], eids[at_down] = edge, edge
        weights[at_up], weights[at_down] = self.weights, self.weights
        return Adjacency(indptr=indptr, indices=indices, eids=eids, weights=weights)

    @cached_property
    def sparse(self) -> Any:
        """The adjacency as a ``scipy.sparse.csr_matrix`` of ones (float32: a product with a
        0/1 vector counts neighbours exactly), for reach by sparse products."""
        import scipy.sparse as sp

        adj = self.adjacency
        ones = np.ones(len(adj.indices), dtype=np.float32)
        return sp.csr_matrix((ones, adj.indices, adj.indptr), shape=(self.n, self.n))

    @cached_property
    def triangles(self) -> IntArray:
        """``(t, 3)`` vertex triples of every triangle (igraph ``list_triangles``)."""
        return np.asarray(self.graph.list_triangles(), dtype=np.int64).reshape(-1, 3)

    @cached_property
    def slots(self) -> tuple[IntArray, IntArray]:
        """Per edge, the position in :attr:`adjacency` of its lower-to-higher entry and of
        its higher-to-lower entry (see :meth:`slot`)."""
        adj, m = self.adjacency, self.m
        owner = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(adj.indptr))
        lower = owner == self.edge_array[adj.eids, 0] if m else np.zeros(0, dtype=bool)
        up = np.empty(m, dtype=np.int64)
        down = np.empty(m, dtype=np.int64)
        up[adj.eids[lower]] = np.flatnonzero(lower)
        down[adj.eids[~lower]] = np.flatnonzero(~lower)
        return up, down

    @cached_property
    def edge_keys(self) -> IntArray:
        """``lower * n + higher`` per edge: ascending (:attr:`edge_array` is sorted)."""
        return np.asarray(self.edge_array[:, 0] * self.n + self.edge_array[:, 1], dtype=np.int64)

    def edge_ids(self, a: IntArray, b: IntArray) -> IntArray:
        """Edge ids of the pairs ``(a[i], b[i])`` (which must be edges), vectorised."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keys, wanted = self.edge_keys, lo * max(self.n, 1) + hi
        if len(wanted) < 4096:
            return np.searchsorted(keys, wanted).astype(np.int64)
        # many: search in sorted order (neighbouring searches share their cache lines;
        # several times faster on a city-sized network)
        order = np.argsort(wanted)
        out = np.empty(len(wanted), dtype=np.int64)
        out[order] = np.searchsorted(keys, wanted[order])
        return out

    def slot(self, i: IntArray, j: IntArray, eid: IntArray) -> IntArray:
        """Adjacency positions of the directed entries ``i -> j`` over edges ``eid``."""
        up, down = self.slots
        return np.where(i < j, up[eid], down[eid])

    @cached_property
    def local_clustering(self) -> FloatArray:
        """Per vertex, the local clustering coefficient: the share of its pairs of contacts
        that are tied themselves, zero below two contacts (igraph's
        ``transitivity_local_undirected(mode="zero")``, networkx's ``clustering``). Computed
        once per snapshot: the summary, the stage and :attr:`transitivity` share it."""
        if self.m == 0:
            return np.zeros(self.n, dtype=np.float64)
        local = self.graph.transitivity_local_undirected(mode="zero")
        return np.asarray(local, dtype=np.float64)

    @cached_property
    def transitivity(self) -> float:
        """Global transitivity, 3 x triangles / connected triples (igraph's
        ``transitivity_undirected``; NaN without a connected triple), from the per-vertex
        triangle counts :attr:`local_clustering` holds (clustering x pairs of contacts, a
        whole number), so no second pass over the triangles is made."""
        d = self.degree.astype(np.float64)
        pairs = d * (d - 1.0) / 2.0
        triples = float(pairs.sum())
        if triples == 0:
            return float("nan")
        return float(np.rint(self.local_clustering * pairs).sum() / triples)

    @cached_property
    def coreness(self) -> IntArray:
        """Per vertex, its k-core number (igraph's ``coreness``), computed once per snapshot."""
        return np.asarray(self.graph.coreness(), dtype=np.int64)

    @cached_property
    def biconnected(self) -> tuple[list[list[int]], list[int]]:
        """``(blocks, articulation points)``: the vertices of each biconnected block
        (ascending) and the articulation points (ascending), from igraph's
        ``biconnected_components`` (Hopcroft & Tarjan 1973). Computed once per snapshot:
        the block-cut trees of key figures and brokers share it."""
        # igraph gives each block as the edge ids of a spanning tree; the vertices follow
        # from the edge array in numpy (the wrapper's per-edge set updates cost more than
        # the C call on a city-sized network)
        trees, aps = ig.GraphBase.biconnected_components(self.graph, True)
        e = self.edge_array
        mark = np.zeros(self.n, dtype=bool)
        blocks: list[list[int]] = []
        for t in trees:
            ends = e[np.asarray(t, dtype=np.int64)]
            if ends.size * 16 < self.n:
                blocks.append(sorted(set(ends.ravel().tolist())))  # np.unique: slower
            else:  # a large block: a mask is cheaper than a sort
                mark[ends.ravel()] = True
                inside = np.flatnonzero(mark)
                mark[inside] = False
                blocks.append(inside.tolist())
        return blocks, sorted(aps)

    @cached_property
    def components(self) -> IntArray:
        """Connected-component label per vertex, numbered by each component's lowest vertex
        (igraph's ``connected_components`` order), from the adjacency arrays with scipy: no
        igraph build for a snapshot that does not have one yet."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        adj = self.adjacency
        matrix = csr_matrix(
            (np.ones(len(adj.indices), dtype=np.int8), adj.indices, adj.indptr),
            shape=(self.n, self.n),
        )
        _, labels = connected_components(matrix, directed=False)
        return first_seen_order(np.asarray(labels, dtype=np.int64))

    def actor_index(self, actor_id: str) -> int:
        """The vertex of an actor, or :class:`~netwerk.errors.NotFound`."""
        try:
            return self.index[actor_id]
        except KeyError:
            raise NotFound("actor", actor_id) from None

    def referral_graph(self) -> ig.Graph:
        """The directed graph of ``refers_to`` ties (all vertices)."""
        return ig.Graph(n=self.n, edges=list(self.referrals), directed=True)


# --------------------------------------------------------------------------- building


def build_snapshot(
    *,
    network_id: str,
    revision: int,
    as_of: dt.date,
    ids: Sequence[str],
    kind: Sequence[str],
    area: Sequence[str | None],
    languages: Sequence[frozenset[str]],
    assets: Sequence[frozenset[str]],
    needs: Sequence[frozenset[str]],
    consent: Sequence[str | None],
    src: IntArray,
    dst: IntArray,
    kind_mask: IntArray,
    strength: FloatArray,
    support_mask: IntArray,
    index: Mapping[str, int] | None = None,
) -> Snapshot:
    """Collapse parallel ties and build the snapshot from per-tie numpy columns (actors in
    vertex order; ``src``/``dst`` vertex numbers, ``kind_mask``/``support_mask`` bits of
    :data:`TIE_BITS`/:data:`SUPPORT_BITS`): what :func:`netwerk.store.snapshot.load_snapshot`
    and the in-memory constructors below share. ``index`` (actor id -> vertex), when the
    caller has it already, is used as it is."""
    n = len(ids)
    tie_count = len(src)
    refer = (kind_mask & _REFERS_BIT) != 0
    referrals = tuple(sorted(set(zip(src[refer].tolist(), dst[refer].tolist(), strict=True))))
    lo = np.minimum(src, dst)
    hi = np.maximum(src, dst)
    key = lo * max(n, 1) + hi
    order = np.argsort(key, kind="stable")
    key = key[order]
    if tie_count:
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        ukey = key[starts]
        weight = np.maximum.reduceat(strength[order], starts)
        kinds = np.bitwise_or.reduceat(kind_mask[order], starts)
        support = np.bitwise_or.reduceat(support_mask[order], starts)
    else:
        ukey = np.zeros(0, dtype=np.int64)
        weight = np.zeros(0, dtype=np.float64)
        kinds = support = np.zeros(0, dtype=np.int64)
    edges = np.column_stack([ukey // max(n, 1), ukey % max(n, 1)]).astype(np.int64)
    ids_t = tuple(ids)
    return Snapshot(
        network_id=network_id,
        revision=revision,
        as_of=as_of,
        ids=ids_t,
        index=index if index is not None else {a: i for i, a in enumerate(ids_t)},
        kind=tuple(kind),
        area=tuple(area),
        languages=tuple(languages),
        assets=offered_all(kind, assets),
        needs=tuple(needs),
        consent=tuple(consent),
        referrals=referrals,
        tie_count=tie_count,
        edge_array=edges,
        edge_weight=np.asarray(weight, dtype=np.float64),
        edge_kinds=np.asarray(kinds, dtype=np.int64),
        edge_support=np.asarray(support, dtype=np.int64),
    )


def _igraph(
    n: int, edges: IntArray, weight: FloatArray, kinds: IntArray, support: IntArray
) -> ig.Graph:
    """The undirected igraph graph of a snapshot's edge arrays, with its edge attributes."""
    graph = ig.Graph(n=n, directed=False)
    graph.add_edges(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
    if len(edges):
        kind_names = {int(mk): _names_of_mask(int(mk), TIE_KINDS) for mk in np.unique(kinds)}
        support_names = {
            int(mk): _names_of_mask(int(mk), SUPPORT_KINDS) for mk in np.unique(support)
        }
        graph.es["weight"] = weight.astype(np.float64).tolist()
        graph.es["kinds"] = list(map(kind_names.__getitem__, kinds.tolist()))
        graph.es["support"] = list(map(support_names.__getitem__, support.tolist()))
    return graph


def first_seen_order(labels: IntArray) -> IntArray:
    """``labels`` renumbered 0, 1, ... in the order each first occurs."""
    if labels.size == 0:
        return labels
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


def snapshot_from_networkx(
    G: Any,
    *,
    weight: str | None = "weight",
    network_id: str | None = None,
    revision: int = 0,
    as_of: dt.date | None = None,
    default_kind: str = ActorKind.resident.value,
) -> Snapshot:
    """A snapshot of a networkx graph (tests, notebooks, the library used on its own).

    Node ids become ``str(node)``, in the graph's node order. Node attributes ``kind``,
    ``area``, ``languages``, ``assets``, ``needs`` and ``consent`` are used when present
    (``kind`` defaults to ``default_kind``). Edge attribute ``weight`` (or the one named)
    becomes the edge weight, default 1.0; ``kind`` (default ``knows``) becomes the tie kind.
    In a directed graph every edge also becomes a referral (``refers_to``); multigraphs are
    collapsed like the store's parallel ties (maximum weight).

    Without ``network_id`` the snapshot gets an identity of its own (``networkx:`` and 64
    random bits): the process-wide caches (:mod:`netwerk.cache`) key results by network id
    and revision, so two graphs must never share one. Pass ``network_id`` and ``revision``
    to share cached results between snapshots of the same graph.

    Examples
    --------
    >>> import networkx as nx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> s.n, s.m, s.ids[:3]
    (34, 78, ('0', '1', '2'))
    >>> s.network_id.startswith("networkx:")
    True
    >>> snapshot_from_networkx(nx.karate_club_graph()).network_id == s.network_id
    False
    """
    if network_id is None:
        network_id = fresh_network_id("networkx")
    nodes = list(G.nodes())
    pos = {v: i for i, v in enumerate(nodes)}
    data = G.nodes
    src: list[int] = []
    dst: list[int] = []
    masks: list[int] = []
    strengths: list[float] = []
    supports: list[int] = []
    for u, v, attrs in G.edges(data=True):
        if u == v:
            continue
        src.append(pos[u])
        dst.append(pos[v])
        tie_kind = str(attrs.get("kind", TieKind.knows.value))
        bit = _TIE_BIT.get(tie_kind, _TIE_BIT[TieKind.knows.value])
        masks.append(_REFERS_BIT if G.is_directed() else bit)
        strengths.append(float(attrs.get(weight, 1.0)) if weight else 1.0)
        sup = 0
        for s in attrs.get("support", ()):
            sup |= _SUPPORT_BIT.get(s, 0)
        supports.append(sup)

    def sets(name: str) -> list[frozenset[str]]:
        return [frozenset(data[v].get(name, ())) for v in nodes]

    return build_snapshot(
        network_id=network_id,
        revision=revision,
        as_of=as_of or dt.date.today(),
        ids=[str(v) for v in nodes],
        kind=[str(data[v].get("kind", default_kind)) for v in nodes],
        area=[data[v].get("area") for v in nodes],
        languages=sets("languages"),
        assets=sets("assets"),
        needs=sets("needs"),
        consent=[data[v].get("consent") for v in nodes],
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        kind_mask=np.asarray(masks, dtype=np.int64),
        strength=np.asarray(strengths, dtype=np.float64),
        support_mask=np.asarray(supports, dtype=np.int64),
    )


def fresh_network_id(prefix: str) -> str:
    """A network id no other in-memory snapshot has: 64 random bits after ``prefix:``."""
    from secrets import token_hex  # here, not at the top: only in-memory snapshots need it

    return f"{prefix}:{token_hex(8)}"


# --------------------------------------------------------------------------- helpers


def bfs_levels(
    snapshot: Snapshot,
    sources: Iterable[int] | IntArray,
    max_depth: int,
    *,
    blocked: BoolArray | None = None,
) -> npt.NDArray[np.int32]:
    """Hop distance from the nearest of ``sources`` to every vertex, up to ``max_depth``
    (``-1`` beyond it or unreachable). ``blocked`` vertices are neither entered nor left.

    :func:`ball` over :attr:`Snapshot.adjacency`, spread out to one entry per vertex.
    """
    dist = np.full(snapshot.n, -1, dtype=np.int32)
    vertices, hops = ball(snapshot.adjacency, sources, max_depth, blocked=blocked)
    dist[vertices] = hops
    return dist


_RNG_LOCK = threading.Lock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run igraph's randomised routines (Leiden, ...) on a private ``random.Random(seed)``,
    serialised by a lock, so results are reproducible and threads do not interleave."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def require_lang(lang: str) -> str:
    """``"nl"`` (default) or ``"en"``; anything else is a :class:`ValidationFailed`."""
    if lang not in ("nl", "en"):
        raise ValidationFailed("lang", "language must be 'nl' or 'en'")
    return lang


def params_key(params: Mapping[str, Any]) -> tuple[tuple[str, Hashable], ...]:
    """A hashable, order-independent form of analysis parameters (cache keys)."""

    def freeze(value: Any) -> Hashable:
        if isinstance(value, Mapping):
            return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
        if isinstance(value, list | tuple | set | frozenset):
            items = [freeze(v) for v in value]
            return (
                tuple(sorted(items, key=repr))
                if isinstance(value, set | frozenset)
                else (tuple(items))
            )
        return value

    return tuple(sorted((str(k), freeze(v)) for k, v in params.items()))
