"""Link prediction by local similarity: the classical proximity indices of a pair of vertices.

Every function here scores pairs ``(us[i], vs[i])`` of one undirected graph given as a
sparse adjacency matrix (weights used by the weighted forms only), vectorised over the pairs,
in the manner of :mod:`networkx.algorithms.link_prediction` (whose functions are the test
oracle, ``tests/test_linkpred.py``). The feasibility score of :mod:`.feasibility` combines
them; this module knows nothing of actors, consent or reasons.

Indices
-------
* Common neighbours ``|N(u) ∩ N(v)|`` and Jaccard ``|N(u) ∩ N(v)| / |N(u) ∪ N(v)|``
  (Liben-Nowell & Kleinberg 2007).
* Adamic–Adar ``sum_z 1 / log deg(z)`` over the common neighbours ``z`` (Adamic & Adar 2003).
* Resource allocation ``sum_z 1 / deg(z)`` (Zhou, Lü & Zhang 2009); weighted form
  ``sum_z w_uz w_zv / s_z`` (Lü & Zhou 2010).
* Local paths: the number of paths of length 3 (Lü, Jin & Zhou 2009).
* Rooted PageRank, truncated to walks of at most ``steps`` steps (Jeh & Widom 2003; as a link
  predictor in Liben-Nowell & Kleinberg 2007), and the hop distance, the path-counting limit
  of Katz (1953).

Complexity (k pairs, vol(B) = sum of degrees in a vertex set B): the common-neighbour family
O(sum of pair degrees); 3-paths O(sum over pairs of vol(N(u))); truncated rooted PageRank by
meeting in the middle, O(sum over pairs of vol(2-ball)) for 4 steps; exact distances by
breadth-first search from each distinct source, O(k (n + m)). The evidence of a pair (all of
them at once, and around one vertex from its ball alone) is in :mod:`.evidence`.

References
----------
Liben-Nowell D., Kleinberg J. (2007) The link-prediction problem for social networks. JASIST
58(7):1019-1031. doi:10.1002/asi.20591.
Adamic L.A., Adar E. (2003) Friends and neighbors on the Web. Social Networks 25(3):211-230.
doi:10.1016/S0378-8733(03)00009-1.
Zhou T., Lü L., Zhang Y.-C. (2009) Predicting missing links via local information. Eur Phys J
B 71:623-630. doi:10.1140/epjb/e2009-00335-8.
Lü L., Zhou T. (2010) Link prediction in weighted networks: the role of weak ties. EPL 89:
18001. doi:10.1209/0295-5075/89/18001.
Lü L., Jin C.-H., Zhou T. (2009) Similarity index based on local paths for link prediction of
complex networks. Phys Rev E 80:046122. doi:10.1103/PhysRevE.80.046122.
Jeh G., Widom J. (2003) Scaling personalized web search. WWW 2003:271-279.
Katz L. (1953) A new status index derived from sociometric analysis. Psychometrika 18:39-43.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

import igraph as ig
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk.graph import FloatArray, IntArray, row_positions

__all__ = [
    "LinkGraph",
    "adamic_adar",
    "common",
    "common_neighbours",
    "jaccard",
    "pair_arrays",
    "resource_allocation",
    "row_sums",
    "sample_non_edges",
]

Sparse: TypeAlias = sp.csr_matrix
Matrix: TypeAlias = sp.spmatrix | sp.sparray
Vertices: TypeAlias = npt.ArrayLike


def _as_csr(adj: Matrix) -> Sparse:
    out = sp.csr_matrix(adj, dtype=np.float64)
    if out.shape[0] != out.shape[1]:
        raise ValueError("adjacency must be square")
    return out


def _without_loops(adj: Matrix) -> Sparse:
    w = _as_csr(adj)
    w.setdiag(0)
    w.eliminate_zeros()
    return w


def _binary(adj: Sparse) -> Sparse:
    out = adj.copy()
    out.setdiag(0)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def pair_arrays(us: npt.ArrayLike, vs: npt.ArrayLike, n: int) -> tuple[IntArray, IntArray]:
    """The pairs as two int64 arrays, checked to be vertices of an ``n``-vertex graph."""
    u = np.asarray(us, dtype=np.int64).ravel()
    v = np.asarray(vs, dtype=np.int64).ravel()
    if u.shape != v.shape:
        raise ValueError("us and vs must have the same length")
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError("vertex index out of range")
    return u, v


def row_sums(m: Sparse) -> FloatArray:
    """Row sums of a sparse matrix as a flat float array."""
    return np.asarray(m.sum(axis=1), dtype=np.float64).ravel()


def common(a: Sparse, us: IntArray, vs: IntArray) -> Sparse:
    """Row i holds the common neighbours of (us[i], vs[i]) (entry-wise product of rows)."""
    return sp.csr_matrix(a[us].multiply(a[vs]))


def common_neighbours(adj: Matrix, us: Vertices, vs: Vertices) -> FloatArray:
    """Number of common neighbours ``|N(u) ∩ N(v)|`` of each pair (weights ignored).

    Parameters
    ----------
    adj
        Square symmetric adjacency matrix (any scipy sparse form); the diagonal is ignored.
    us, vs
        The pairs, as two equally long sequences of vertex indices.

    Returns
    -------
    numpy.ndarray
        One float per pair. As :func:`networkx.common_neighbor_centrality`'s numerator and
        ``len(list(networkx.common_neighbors(G, u, v)))``.

    References
    ----------
    Liben-Nowell D., Kleinberg J. (2007) doi:10.1002/asi.20591.

    Examples
    --------
    A path 0 - 1 - 2 and a chord 0 - 3 - 2: 0 and 2 share 1 and 3.

    >>> a = sp.csr_matrix(([1.0] * 8, ([0, 1, 1, 2, 0, 3, 3, 2], [1, 0, 2, 1, 3, 0, 2, 3])))
    >>> common_neighbours(a, [0, 1], [2, 3]).tolist()
    [2.0, 2.0]
    """
    a = _binary(_as_csr(adj))
    u, v = pair_arrays(us, vs, a.shape[0])
    return row_sums(common(a, u, v))


def jaccard(adj: Matrix, us: Vertices, vs: Vertices) -> FloatArray:
    """Jaccard coefficient ``|N(u) ∩ N(v)| / |N(u) ∪ N(v)|`` of each pair (weights ignored).

    Parameters and returns as :func:`common_neighbours`; 0 when both are isolated (where
    :func:`networkx.jaccard_coefficient` also gives 0).

    References
    ----------
    Liben-Nowell D., Kleinberg J. (2007) doi:10.1002/asi.20591.

    Examples
    --------
    >>> a = sp.csr_matrix(([1.0] * 6, ([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2])))
    >>> jaccard(a, [0, 1], [2, 3]).tolist()  # the path 0 - 1 - 2 - 3
    [0.5, 0.5]
    """
    a = _binary(_as_csr(adj))
    u, v = pair_arrays(us, vs, a.shape[0])
    deg = row_sums(a)
    cn = row_sums(common(a, u, v))
    union = deg[u] + deg[v] - cn
    return np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)


def adamic_adar(adj: Matrix, us: Vertices, vs: Vertices, *, weighted: bool = False) -> FloatArray:
    """Adamic–Adar index: the sum over the common neighbours ``z`` of ``1 / log deg(z)``.

    Parameters
    ----------
    adj, us, vs
        As :func:`common_neighbours`.
    weighted
        Use the weighted form ``sum_z (w_uz + w_zv) / 2 / log(1 + s_z)``, ``s_z`` the
        strength (sum of weights) of ``z`` (Lü & Zhou 2010).

    Returns
    -------
    numpy.ndarray
        One float per pair; unweighted equal to :func:`networkx.adamic_adar_index`.

    References
    ----------
    Adamic L.A., Adar E. (2003) doi:10.1016/S0378-8733(03)00009-1.

    Examples
    --------
    >>> a = sp.csr_matrix(([1.0] * 6, ([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2])))
    >>> round(float(adamic_adar(a, [0], [2])[0]), 4)  # 1 / log 2
    1.4427
    """
    w = _without_loops(adj)
    a = _binary(w)
    u, v = pair_arrays(us, vs, a.shape[0])
    if not weighted:
        deg = row_sums(a)
        inv = np.divide(1.0, np.log(np.maximum(deg, 2.0)), where=deg > 1, out=np.zeros_like(deg))
        return np.asarray(common(a, u, v) @ inv, dtype=np.float64)
    strength = row_sums(w)
    inv = 1.0 / np.log1p(np.maximum(strength, 1e-12))
    mask = common(a, u, v)
    mean_w = (sp.csr_matrix(w[u].multiply(mask)) + sp.csr_matrix(w[v].multiply(mask))) * 0.5
    return np.asarray(mean_w @ inv, dtype=np.float64)


def resource_allocation(
    adj: Matrix, us: Vertices, vs: Vertices, *, weighted: bool = False
) -> FloatArray:
    """Resource allocation index: the sum over the common neighbours ``z`` of ``1 / deg(z)``.

    ``adj``, ``us`` and ``vs`` as in :func:`common_neighbours`; ``weighted=True`` uses the
    weighted form ``sum_z w_uz w_zv / s_z`` (Lü & Zhou 2010). One float per pair, unweighted
    equal to :func:`networkx.resource_allocation_index`.

    References
    ----------
    Zhou T., Lü L., Zhang Y.-C. (2009) doi:10.1140/epjb/e2009-00335-8.

    Examples
    --------
    >>> a = sp.csr_matrix(([1.0] * 6, ([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2])))
    >>> resource_allocation(a, [0, 1], [2, 3]).tolist()
    [0.5, 0.5]
    """
    w = _without_loops(adj) if weighted else _binary(_as_csr(adj))
    u, v = pair_arrays(us, vs, w.shape[0])
    strength = row_sums(w)
    inv = np.divide(1.0, strength, where=strength > 0, out=np.zeros_like(strength))
    return np.asarray(common(w, u, v) @ inv, dtype=np.float64)


def sample_non_edges(
    n: int, edge_keys_sorted: IntArray, k: int, rng: np.random.Generator
) -> IntArray:
    """k distinct uniform random pairs u < v that are not edges (fewer if the graph is full)."""
    total = n * (n - 1) // 2 - edge_keys_sorted.size
    k = int(min(k, max(total, 0)))
    got = np.zeros(0, dtype=np.int64)
    while got.size < k:
        m = max(2 * (k - got.size), 64)
        u = rng.integers(0, n, m)
        v = rng.integers(0, n, m)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        key = lo * n + hi
        key = key[lo != hi]
        pos = np.searchsorted(edge_keys_sorted, key)
        pos = np.minimum(pos, max(edge_keys_sorted.size - 1, 0))
        if edge_keys_sorted.size:
            key = key[edge_keys_sorted[pos] != key]
        # keep first occurrences, in sampling order (deterministic for a seed)
        cand = np.concatenate([got, key])
        _, first = np.unique(cand, return_index=True)
        got = cand[np.sort(first)][:k]
    return np.column_stack([got // n, got % n]).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# all indices of many pairs on one graph
# ---------------------------------------------------------------------------------------------


_ONES = np.ones(0)


def _ones(k: int) -> FloatArray:
    """``k`` ones, a read-only view of one shared array (the 0/1 matrices' data: never
    written to, and a write would fail rather than spread). Made with room to spare, so the
    graphs of the next revisions (a few more ties) do not allocate it again."""
    global _ONES
    if _ONES.size < k:
        grown = np.ones(max(k + k // 8 + 1024, 2 * _ONES.size))
        grown.flags.writeable = False
        _ONES = grown
    return _ONES[:k]


@dataclass(frozen=True, eq=False)
class LinkGraph:
    """An undirected simple graph as sparse matrices, with the per-vertex quantities the
    indices need (built once, shared by every pair scored on it)."""

    n: int
    w: Sparse  # symmetric weights (1.0 when unweighted)
    a: Sparse  # symmetric 0/1
    deg: FloatArray
    strength: FloatArray
    inv_log_deg: FloatArray  # 1 / log(deg) (0 for deg <= 1), Adamic–Adar weights
    inv_strength: FloatArray  # 1 / strength, resource-allocation weights
    inv_log_strength: FloatArray  # 1 / log(1 + strength), weighted Adamic–Adar
    edges: IntArray  # (m, 2) with u < v
    edge_weights: FloatArray
    weighted: bool

    @cached_property
    def s(self) -> Sparse:
        """The symmetric normalised walk matrix S^-1/2 W S^-1/2 (S = diag of strengths), on
        first use: the walks of the fit and of many pairs need it, a read around one actor
        (:func:`~.evidence.evidence_around`) does not, so a new revision's graph is not made
        to pay for it (an O(m) pass)."""
        return self.s_rows()

    @property
    def has_s(self) -> bool:
        """Whether :attr:`s` is made already."""
        return "s" in self.__dict__

    def s_rows(self, rows: IntArray | None = None) -> Sparse:
        """The rows ``rows`` (sorted, distinct) of S as a ``(len(rows), n)`` matrix, all of
        them when None: O(vol(rows)). Each entry is ``w_uv / sqrt(s_u) / sqrt(s_v)``
        computed the same way for any choice of rows, so a row is the same bit for bit
        whether it was made alone or with the whole of S."""
        w = self.w
        if rows is None:
            rows_isq = np.sqrt(self.inv_strength)
            lens, cols, data, indptr = np.diff(w.indptr), w.indices, w.data, w.indptr
        else:
            _, pos = row_positions(w.indptr, rows)
            rows_isq = np.sqrt(self.inv_strength[rows])
            lens = w.indptr[rows + 1] - w.indptr[rows]
            cols, data, indptr = w.indices[pos], w.data[pos], np.r_[0, np.cumsum(lens)]
        out = data * np.repeat(rows_isq, lens)
        out *= np.sqrt(self.inv_strength[cols])
        return sp.csr_matrix((out, cols, indptr), shape=(len(lens), self.n), copy=False)

    @staticmethod
    def build(n: int, edges: IntArray, weights: FloatArray | None) -> LinkGraph:
        e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        wt = np.ones(len(e)) if weights is None else np.asarray(weights, dtype=np.float64)
        wt = np.where(np.isfinite(wt) & (wt > 0), wt, 1.0)
        keep = e[:, 0] != e[:, 1]
        e, wt = e[keep], wt[keep]
        lo, hi = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
        key = lo * n + hi
        order = np.lexsort((-wt, key))  # duplicates: keep the strongest tie
        key, lo, hi, wt = key[order], lo[order], hi[order], wt[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        lo, hi, wt = lo[first], hi[first], wt[first]
        upper = sp.csr_matrix((wt, (lo, hi)), shape=(n, n))
        w = sp.csr_matrix(upper + upper.T)
        w.sort_indices()
        a = w.copy()
        a.data[:] = 1.0
        deg = row_sums(a)
        strength = row_sums(w)
        inv_strength = np.divide(1.0, strength, where=strength > 0, out=np.zeros(n))
        return LinkGraph._of(
            w, a, deg, strength, inv_strength, np.column_stack([lo, hi]), wt, weights is not None
        )

    @staticmethod
    def _of(
        w: Sparse,
        a: Sparse,
        deg: FloatArray,
        strength: FloatArray,
        inv_strength: FloatArray,
        edges: IntArray,
        edge_weights: FloatArray,
        weighted: bool,
    ) -> LinkGraph:
        """The graph of its matrices, with the Adamic–Adar weights derived from them."""
        n = len(deg)
        inv_log_deg = np.divide(1.0, np.log(np.maximum(deg, 2.0)), where=deg > 1, out=np.zeros(n))
        inv_log_strength = np.divide(1.0, np.log1p(strength), where=strength > 0, out=np.zeros(n))
        return LinkGraph(
            n=n,
            w=w,
            a=a,
            deg=deg,
            strength=strength,
            inv_log_deg=inv_log_deg,
            inv_strength=inv_strength,
            inv_log_strength=inv_log_strength,
            edges=edges,
            edge_weights=edge_weights,
            weighted=weighted,
        )

    @staticmethod
    def from_igraph(graph: ig.Graph, weights: str | None) -> LinkGraph:
        edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        wt: FloatArray | None = None
        if weights is not None and weights in graph.es.attributes() and graph.ecount():
            wt = np.asarray(
                [np.nan if x is None else float(x) for x in graph.es[weights]], dtype=np.float64
            )
        return LinkGraph.build(graph.vcount(), edges, wt)

    @staticmethod
    def from_rows(
        indptr: IntArray,
        indices: IntArray,
        weights: FloatArray,
        edges: IntArray,
        edge_weights: FloatArray,
    ) -> LinkGraph:
        """The graph of a simple undirected graph already in sorted compressed-row form (both
        directions of each edge; :attr:`netwerk.graph.Snapshot.adjacency`) with its ``(m, 2)``
        edges (lower end first, sorted) and their weights: the matrices :meth:`build` makes,
        without its sort and deduplication (O(n + m) array work)."""
        n = len(indptr) - 1
        small = len(indices) < np.iinfo(np.int32).max and n < np.iinfo(np.int32).max
        kind = np.int32 if small else np.int64
        idx = np.asarray(indices, dtype=kind)  # one index array shared by the three matrices
        ptr = np.asarray(indptr, dtype=kind)
        wt = np.asarray(weights, dtype=np.float64)
        if wt.size and not (np.isfinite(wt).all() and wt.min() > 0):
            wt = np.where(np.isfinite(wt) & (wt > 0), wt, 1.0)
        w = sp.csr_matrix((wt, idx, ptr), shape=(n, n), copy=False)
        a = sp.csr_matrix((_ones(len(idx)), idx, ptr), shape=(n, n), copy=False)
        counts = np.diff(indptr)
        deg = counts.astype(np.float64)
        nonempty = counts > 0
        strength = np.zeros(n)
        if wt.size:
            strength[nonempty] = np.add.reduceat(wt, np.asarray(indptr[:-1])[nonempty])
        inv_strength = np.divide(1.0, strength, where=strength > 0, out=np.zeros(n))
        ew = np.asarray(edge_weights, dtype=np.float64)
        if ew.size and not (np.isfinite(ew).all() and ew.min() > 0):
            ew = np.where(np.isfinite(ew) & (ew > 0), ew, 1.0)
        edge_array = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        return LinkGraph._of(w, a, deg, strength, inv_strength, edge_array, ew, True)

    def without(self, drop: npt.NDArray[np.bool_]) -> LinkGraph:
        """The same graph without the edges flagged in ``drop`` (mask over ``edges``)."""
        keep = ~drop
        return LinkGraph.build(
            self.n, self.edges[keep], self.edge_weights[keep] if self.weighted else None
        )

    def edge_keys(self) -> IntArray:
        return np.asarray(self.edges[:, 0] * self.n + self.edges[:, 1], dtype=np.int64)

    @cached_property
    def ig_graph(self) -> ig.Graph:
        return ig.Graph(n=self.n, edges=self.edges.tolist())
