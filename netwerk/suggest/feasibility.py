"""Feasibility of a new tie: how plausible it is that two actors can meet.

The score for a candidate pair (u, v) is a weighted sum of a few explainable structural
features, plus optional attribute features supplied by the caller (same area, shared
language, shared place or initiative). The weights are *learned from the network's own ties*:
a share of the observed ties is held out, the features are computed on the remaining graph,
and a logistic regression separates the held-out ties from sampled non-ties. Because the
score is linear in the features, every feature's share of the score is a reason
(``Contribution``) that can be shown to a neighbourhood worker.

Methods
-------
* Link prediction as a ranking of non-adjacent pairs by proximity:
  D. Liben-Nowell, J. Kleinberg, "The link-prediction problem for social networks",
  JASIST 58(7), 2007.
* Common neighbours and Jaccard (ibid.); Adamic–Adar: L. A. Adamic, E. Adar, "Friends and
  neighbors on the Web", Social Networks 25(3), 2003.
* Resource allocation: T. Zhou, L. Lü, Y.-C. Zhang, "Predicting missing links via local
  information", Eur. Phys. J. B 71, 2009; weighted variant: L. Lü, T. Zhou, "Link prediction
  in weighted networks: the role of weak ties", EPL 89, 2010.
* Local path index (paths of length 3 added to common neighbours): L. Lü, C.-H. Jin, T. Zhou,
  "Similarity index based on local paths for link prediction of complex networks",
  Phys. Rev. E 80, 2009. Shortest-path distance is the path-counting limit of
  L. Katz, "A new status index derived from sociometric analysis", Psychometrika 18, 1953.
* Rooted (personalised) PageRank / random walk with restart: G. Jeh, J. Widom, "Scaling
  personalized web search", WWW 2003 (and their SimRank, KDD 2002); as a link predictor in
  Liben-Nowell & Kleinberg 2007. Here truncated to walks of at most ``ppr_steps`` steps so
  that it stays local and fast; restart probability ``1 - ppr_alpha``.
* Learning the combination from the network's own ties (held-out observed edges against
  sampled non-edges): M. Zhang, Y. Chen, "Link prediction based on graph neural networks"
  (SEAL), NeurIPS 2018. SEAL learns a graph neural network; we learn a logistic regression
  over the classical heuristics above, which keeps every reason readable.

Features (reason codes)
-----------------------
``common_contacts`` log(1 + CN); ``jaccard``; ``adamic_adar`` and ``resource_allocation``
(weighted forms on weighted graphs), log-scaled; ``local_paths`` log(1 + number of 3-paths);
``rooted_pagerank`` log-scaled pi_u(v) + pi_v(u); ``network_distance`` (hops, a log and a
linear term) and ``no_path`` (none within the distance horizon); ``degree_min`` and
``degree_max`` (log(1 + number of ties) of the less and the more connected of the two; on the
benchmark these carry the fact that a held-out tie leaves its endpoints short of ties, an
effect the self-supervised fit reproduces, so the benchmark reports the score without them
too); then the caller's ``PairFeatures`` (indicator or log(1 + shared items)).

Score and reasons
-----------------
``score(u, v) = intercept + sum_j beta_j * x_j(u, v)``, a log-odds. Each feature ``x_j`` is
transformed so that 0 means "no evidence" (no common contact, no path, no shared place),
hence a reason's contribution is ``beta_j * x_j`` and
``sum(c.contribution for c in explain(u, v)) == score(u, v) - intercept``. Contributions may
be negative (e.g. a long distance, or a learned negative weight).

Complexity (n vertices, m ties, k pairs, vol(B) = sum of degrees in a vertex set B)
-----------------------------------------------------------------------------------
* ``fit``: builds the sparse matrices once per fold (O(m log m)) and computes the features of
  at most ``2 * max_positives`` pairs per fold (below); the logistic regression has a dozen
  coefficients (Newton steps, negligible). About 2-5 s on a 100,000-vertex graph.
* ``score_pairs`` (vectorised, numpy/scipy sparse): common-neighbour family
  O(sum of pair degrees); 3-paths O(sum over pairs of vol(N(u))); truncated rooted PageRank by
  meeting in the middle, walks of ceil(steps / 2) steps from u and floor(steps / 2) from v,
  O(sum over pairs of vol(2-ball)) for 4 steps; distances by breadth-first search from each
  distinct source, O(k (n + m)), on graphs with n + m <= ``exact_distance_limit``, and from
  the same walk expansions (horizon ``local_horizon``, no extra cost) on larger graphs.
* ``candidates_for(u)``: local only. A breadth-first ball of radius
  max(max_hops, (max_hops + ppr_steps) // 2) around u (3 for the defaults) contains every walk
  the features need, so all features of all candidates come from a handful of sparse
  products on that ball: O(vol(ball)), plus one O(n) index array. Sub-millisecond to a few
  milliseconds on a 100,000-vertex network of ordinary degrees; tens of milliseconds when the
  3-ball holds tens of thousands of vertices (hubs of degree in the thousands).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

import igraph as ig
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = [
    "EXTRA_CODES",
    "STRUCTURAL_CODES",
    "Contribution",
    "FeasibilityModel",
    "FittedFeasibility",
    "PairFeatures",
    "adamic_adar",
    "common_neighbours",
    "jaccard",
    "resource_allocation",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Sparse: TypeAlias = sp.csr_matrix

#: Reason codes of the structural features, in column order (see ``_COLUMNS``).
STRUCTURAL_CODES: tuple[str, ...] = (
    "common_contacts",
    "jaccard",
    "adamic_adar",
    "resource_allocation",
    "local_paths",
    "rooted_pagerank",
    "network_distance",
    "no_path",
    "degree_min",
    "degree_max",
)
#: Reason codes for attribute features the product supplies (any other code is accepted too).
EXTRA_CODES: tuple[str, ...] = ("same_area", "shared_language", "shared_place")

# Column -> reason code. A code can own several columns (the distance has a log and a linear
# term); its contribution is the sum over its columns.
_COLUMNS: tuple[str, ...] = (
    "common_contacts",
    "jaccard",
    "adamic_adar",
    "resource_allocation",
    "local_paths",
    "rooted_pagerank",
    "network_distance",
    "network_distance",
    "no_path",
    "degree_min",
    "degree_max",
)

# Coefficients used when a network has too few ties to learn from (per column, raw scale):
# the classical evidence pointing the obvious way, nothing learned.
_PRIOR: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.3, 0.3, 0.5, 0.0, -1.0, 0.0, 0.0)
_PRIOR_EXTRA = 1.0
_MIN_POSITIVES = 20


# ---------------------------------------------------------------------------------------------
# plain heuristics (baselines)
# ---------------------------------------------------------------------------------------------


def _as_csr(adj: sp.spmatrix | sp.sparray) -> Sparse:
    out = sp.csr_matrix(adj, dtype=np.float64)
    if out.shape[0] != out.shape[1]:
        raise ValueError("adjacency must be square")
    return out


def _binary(adj: Sparse) -> Sparse:
    out = adj.copy()
    out.setdiag(0)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def _pair_arrays(us: npt.ArrayLike, vs: npt.ArrayLike, n: int) -> tuple[IntArray, IntArray]:
    u = np.asarray(us, dtype=np.int64).ravel()
    v = np.asarray(vs, dtype=np.int64).ravel()
    if u.shape != v.shape:
        raise ValueError("us and vs must have the same length")
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError("vertex index out of range")
    return u, v


def _row_sums(m: Sparse) -> FloatArray:
    return np.asarray(m.sum(axis=1), dtype=np.float64).ravel()


def _common(a: Sparse, us: IntArray, vs: IntArray) -> Sparse:
    """Row i holds the common neighbours of (us[i], vs[i]) (entry-wise product of rows)."""
    return sp.csr_matrix(a[us].multiply(a[vs]))


def common_neighbours(
    adj: sp.spmatrix | sp.sparray, us: npt.ArrayLike, vs: npt.ArrayLike
) -> FloatArray:
    """Number of common neighbours |N(u) ∩ N(v)| per pair (weights ignored)."""
    a = _binary(_as_csr(adj))
    u, v = _pair_arrays(us, vs, a.shape[0])
    return _row_sums(_common(a, u, v))


def jaccard(adj: sp.spmatrix | sp.sparray, us: npt.ArrayLike, vs: npt.ArrayLike) -> FloatArray:
    """Jaccard coefficient |N(u) ∩ N(v)| / |N(u) ∪ N(v)| per pair (0 when both are isolated)."""
    a = _binary(_as_csr(adj))
    u, v = _pair_arrays(us, vs, a.shape[0])
    deg = _row_sums(a)
    cn = _row_sums(_common(a, u, v))
    union = deg[u] + deg[v] - cn
    return np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)


def adamic_adar(
    adj: sp.spmatrix | sp.sparray,
    us: npt.ArrayLike,
    vs: npt.ArrayLike,
    *,
    weighted: bool = False,
) -> FloatArray:
    """Adamic–Adar: sum over common neighbours z of 1 / log(deg z).

    ``weighted=True`` uses the weighted form sum (w_uz + w_zv) / 2 / log(1 + s_z) with s_z
    the strength of z.
    """
    w = _as_csr(adj)
    w.setdiag(0)
    w.eliminate_zeros()
    a = _binary(w)
    u, v = _pair_arrays(us, vs, a.shape[0])
    if not weighted:
        deg = _row_sums(a)
        inv = np.divide(1.0, np.log(np.maximum(deg, 2.0)), where=deg > 1, out=np.zeros_like(deg))
        return np.asarray(_common(a, u, v) @ inv, dtype=np.float64)
    strength = _row_sums(w)
    inv = 1.0 / np.log1p(np.maximum(strength, 1e-12))
    mask = _common(a, u, v)
    mean_w = (sp.csr_matrix(w[u].multiply(mask)) + sp.csr_matrix(w[v].multiply(mask))) * 0.5
    return np.asarray(mean_w @ inv, dtype=np.float64)


def resource_allocation(
    adj: sp.spmatrix | sp.sparray,
    us: npt.ArrayLike,
    vs: npt.ArrayLike,
    *,
    weighted: bool = False,
) -> FloatArray:
    """Resource allocation: sum over common neighbours z of 1 / deg z.

    ``weighted=True`` uses sum w_uz * w_zv / s_z (Lü & Zhou 2010).
    """
    w = _as_csr(adj)
    w.setdiag(0)
    w.eliminate_zeros()
    if not weighted:
        w = _binary(w)
    u, v = _pair_arrays(us, vs, w.shape[0])
    strength = _row_sums(w)
    inv = np.divide(1.0, strength, where=strength > 0, out=np.zeros_like(strength))
    return np.asarray(_common(w, u, v) @ inv, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# caller-supplied pair features
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairFeatures:
    """Attribute evidence for pairs, from actor attributes (none in the benchmark).

    ``labels``: code -> one integer label per vertex (e.g. the area); the feature is 1 when
    both labels are known (>= 0) and equal.
    ``memberships``: code -> sparse vertex x item 0/1 matrix (languages spoken, places
    visited, initiatives joined); the feature is log(1 + number of shared items) and the
    reported value the number of shared items.
    """

    labels: Mapping[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    memberships: Mapping[str, sp.csr_matrix] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        return (*self.labels.keys(), *self.memberships.keys())

    def validate(self, n: int) -> None:
        for code, lab in self.labels.items():
            if np.asarray(lab).shape != (n,):
                raise ValueError(f"labels[{code!r}] must have one entry per vertex ({n})")
        for code, mem in self.memberships.items():
            if mem.shape[0] != n:
                raise ValueError(f"memberships[{code!r}] must have one row per vertex ({n})")
        if len(set(self.codes)) != len(self.codes) or set(self.codes) & set(STRUCTURAL_CODES):
            raise ValueError("extra feature codes must be unique and not structural codes")

    def values(self, us: IntArray, vs: IntArray) -> FloatArray:
        """Raw values, shape (len(us), len(codes))."""
        cols: list[FloatArray] = []
        for lab in self.labels.values():
            arr = np.asarray(lab, dtype=np.int64)
            lu, lv = arr[us], arr[vs]
            cols.append(((lu == lv) & (lu >= 0)).astype(np.float64))
        for mem in self.memberships.values():
            m = sp.csr_matrix(mem, dtype=np.float64)
            m.data[:] = 1.0
            cols.append(_row_sums(sp.csr_matrix(m[us].multiply(m[vs]))))
        if not cols:
            return np.zeros((us.size, 0))
        return np.column_stack(cols)

    def transformed(self, us: IntArray, vs: IntArray) -> tuple[FloatArray, FloatArray]:
        raw = self.values(us, vs)
        x = raw.copy()
        n_lab = len(self.labels)
        x[:, n_lab:] = np.log1p(x[:, n_lab:])
        return x, raw


# ---------------------------------------------------------------------------------------------
# graph data and structural features
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Graph:
    """Undirected simple graph as sparse matrices, with what the features need."""

    n: int
    w: Sparse  # symmetric weights (1.0 when unweighted)
    a: Sparse  # symmetric 0/1
    s: Sparse  # symmetric normalised walk matrix S^-1/2 W S^-1/2 (S = diag of strengths)
    deg: FloatArray
    strength: FloatArray
    inv_log_deg: FloatArray  # 1 / log(deg) (0 for deg <= 1), Adamic–Adar weights
    inv_strength: FloatArray  # 1 / strength, resource-allocation weights
    inv_log_strength: FloatArray  # 1 / log(1 + strength), weighted Adamic–Adar
    edges: IntArray  # (m, 2) with u < v
    edge_weights: FloatArray
    weighted: bool

    @staticmethod
    def build(n: int, edges: IntArray, weights: FloatArray | None) -> _Graph:
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
        deg = _row_sums(a)
        strength = _row_sums(w)
        inv_strength = np.divide(1.0, strength, where=strength > 0, out=np.zeros(n))
        half = sp.diags(np.sqrt(inv_strength))
        s = sp.csr_matrix(half @ w @ half)
        inv_log_deg = np.divide(1.0, np.log(np.maximum(deg, 2.0)), where=deg > 1, out=np.zeros(n))
        inv_log_strength = np.divide(1.0, np.log1p(strength), where=strength > 0, out=np.zeros(n))
        return _Graph(
            n=n,
            w=w,
            a=a,
            s=s,
            deg=deg,
            strength=strength,
            inv_log_deg=inv_log_deg,
            inv_strength=inv_strength,
            inv_log_strength=inv_log_strength,
            edges=np.column_stack([lo, hi]),
            edge_weights=wt,
            weighted=weights is not None,
        )

    @staticmethod
    def from_igraph(graph: ig.Graph, weights: str | None) -> _Graph:
        edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        wt: FloatArray | None = None
        if weights is not None and weights in graph.es.attributes() and graph.ecount():
            wt = np.asarray(
                [np.nan if x is None else float(x) for x in graph.es[weights]], dtype=np.float64
            )
        return _Graph.build(graph.vcount(), edges, wt)

    def without(self, drop: npt.NDArray[np.bool_]) -> _Graph:
        """The same graph without the edges flagged in ``drop`` (mask over ``edges``)."""
        keep = ~drop
        return _Graph.build(
            self.n, self.edges[keep], self.edge_weights[keep] if self.weighted else None
        )

    def edge_keys(self) -> IntArray:
        return np.asarray(self.edges[:, 0] * self.n + self.edges[:, 1], dtype=np.int64)

    @cached_property
    def ig_graph(self) -> ig.Graph:
        return ig.Graph(n=self.n, edges=self.edges.tolist())


@dataclass(frozen=True)
class _Raw:
    """Raw structural values for k pairs (one array per quantity)."""

    cn: FloatArray
    jaccard: FloatArray
    aa: FloatArray
    ra: FloatArray
    l3: FloatArray
    rpr: FloatArray
    dist: FloatArray  # hops; inf when no path (within the horizon, see _Scales)
    dmin: FloatArray
    dmax: FloatArray


def _rowdot(x: Sparse, y: Sparse) -> FloatArray:
    return _row_sums(sp.csr_matrix(x.multiply(y)))


def _walks(g: _Graph, nodes: IntArray, levels: int) -> list[Sparse]:
    """[S^t e_x for t = 0..levels] as sparse rows, one row per entry of ``nodes``."""
    k = nodes.size
    x = sp.csr_matrix((np.ones(k), (np.arange(k), nodes)), shape=(k, g.n))
    out = [x]
    for _ in range(levels):
        x = sp.csr_matrix(x @ g.s)
        out.append(x)
    return out


def _local_pairs(
    g: _Graph, us: IntArray, vs: IntArray, alpha: float, steps: int, horizon: int
) -> tuple[FloatArray, FloatArray]:
    """Truncated rooted PageRank pi_u(v) + pi_v(u) and hop distance up to ``horizon``.

    Meet in the middle: S^t[u, v] = <S^a e_u, S^b e_v> with a + b = t, so only walks of about
    half the length are expanded from each end. With S = D^-1/2 W D^-1/2 and D the strengths,
    (P^T)^t[v, u] = sqrt(s_v / s_u) S^t[u, v], hence
    pi_u(v) + pi_v(u) = (1 - alpha) (s_u + s_v) / sqrt(s_u s_v) sum_t alpha^t S^t[u, v].
    The distance (when ``horizon`` > 0, at most 2 * ceil(horizon / 2) is resolved) comes from
    the supports of the same expansions (balls around u and v meet).
    """
    hu = max((steps + 1) // 2, (horizon + 1) // 2)
    hv = max(steps // 2, horizon // 2)
    rpr = np.zeros(us.size)
    dist = np.full(us.size, np.inf)
    chunk = 2048
    for start in range(0, us.size, chunk):
        u, v = us[start : start + chunk], vs[start : start + chunk]
        xu, xv = _walks(g, u, hu), _walks(g, v, hv)
        acc = np.zeros(u.size)
        for t in range(1, steps + 1):
            a = min(t, hu)
            acc += alpha**t * _rowdot(xu[a], xv[t - a])
        su, sv = g.strength[u], g.strength[v]
        prod = su * sv
        fac = np.divide(su + sv, np.sqrt(prod), where=prod > 0, out=np.zeros_like(prod))
        rpr[start : start + chunk] = (1.0 - alpha) * fac * acc
        if horizon > 0:
            # balls: supports of the cumulative walk rows
            bu = [xu[0]]
            for x in xu[1:]:
                bu.append(sp.csr_matrix(bu[-1] + x))
            bv = [xv[0]]
            for x in xv[1:]:
                bv.append(sp.csr_matrix(bv[-1] + x))
            d = np.full(u.size, np.inf)
            for t in range(horizon, -1, -1):
                a = min(t, hu)
                if t - a > hv:
                    continue
                meet = _rowdot(bu[a], bv[t - a]) > 0
                d[meet] = t
            dist[start : start + chunk] = d
    return rpr, dist


def _bfs_distances(g: _Graph, us: IntArray, vs: IntArray) -> FloatArray:
    out = np.full(us.size, np.inf)
    if us.size == 0:
        return out
    src, col = np.unique(us, return_inverse=True)
    chunk = 256
    for start in range(0, src.size, chunk):
        block = src[start : start + chunk]
        sel = np.flatnonzero((col >= start) & (col < start + block.size))
        tgt, tcol = np.unique(vs[sel], return_inverse=True)
        dm = np.asarray(
            g.ig_graph.distances(source=block.tolist(), target=tgt.tolist()), dtype=np.float64
        )
        out[sel] = dm[col[sel] - start, tcol]
    return out


def _raw_pairs(
    g: _Graph,
    us: IntArray,
    vs: IntArray,
    alpha: float,
    steps: int,
    exact_distance: bool,
    horizon: int,
) -> _Raw:
    common = _common(g.a, us, vs)
    cn = _row_sums(common)
    union = g.deg[us] + g.deg[vs] - cn
    jac = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    if g.weighted:
        ra = np.asarray(_common(g.w, us, vs) @ g.inv_strength, dtype=np.float64)
        mean_w = (
            sp.csr_matrix(g.w[us].multiply(common)) + sp.csr_matrix(g.w[vs].multiply(common))
        ) * 0.5
        aa = np.asarray(mean_w @ g.inv_log_strength, dtype=np.float64)
    else:
        ra = np.asarray(common @ g.inv_strength, dtype=np.float64)
        aa = np.asarray(common @ g.inv_log_deg, dtype=np.float64)
    l3 = _row_sums(sp.csr_matrix((g.a[us] @ g.a).multiply(g.a[vs])))
    rpr, dist = _local_pairs(g, us, vs, alpha, steps, 0 if exact_distance else horizon)
    if exact_distance:
        dist = _bfs_distances(g, us, vs)
    du, dv = g.deg[us], g.deg[vs]
    return _Raw(cn, jac, aa, ra, l3, rpr, dist, np.minimum(du, dv), np.maximum(du, dv))


@dataclass(frozen=True)
class _Scales:
    """Frozen at fit time so that training and scoring features are on one scale.

    ``max_distance`` is the distance horizon: exact breadth-first distances up to it on
    graphs with n + m <= ``FeasibilityModel.exact_distance_limit``, else the local horizon
    (``FeasibilityModel.local_horizon``) resolved from the walk expansions.
    """

    aa: float
    ra: float
    rpr_floor: float
    max_distance: int
    exact_distance: bool


def _design(raw: _Raw, sc: _Scales) -> tuple[FloatArray, FloatArray]:
    """(transformed columns per ``_COLUMNS``, raw value per structural code)."""
    cap = float(sc.max_distance)
    reach = np.isfinite(raw.dist) & (raw.dist <= cap)
    d = np.where(reach, np.maximum(raw.dist, 1.0), cap)
    x = np.column_stack(
        [
            np.log1p(raw.cn),
            raw.jaccard,
            np.log1p(raw.aa / sc.aa),
            np.log1p(raw.ra / sc.ra),
            np.log1p(raw.l3),
            np.log1p(raw.rpr / sc.rpr_floor),
            np.where(reach, np.log(cap / d), 0.0),
            np.where(reach, (cap - d) / cap, 0.0),
            (~reach).astype(np.float64),
            np.log1p(raw.dmin),
            np.log1p(raw.dmax),
        ]
    )
    values = np.column_stack(
        [
            raw.cn,
            raw.jaccard,
            raw.aa,
            raw.ra,
            raw.l3,
            raw.rpr,
            np.where(reach, raw.dist, np.inf),
            (~reach).astype(np.float64),
            raw.dmin,
            raw.dmax,
        ]
    )
    return x, values


def _positive_mean(x: FloatArray) -> float:
    pos = x[x > 0]
    return float(pos.mean()) if pos.size else 1.0


# ---------------------------------------------------------------------------------------------
# sampling and learning
# ---------------------------------------------------------------------------------------------


def _sample_non_edges(
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


def _fit_logistic(x: FloatArray, y: FloatArray, l2: float) -> tuple[float, FloatArray]:
    """L2-regularised logistic regression (Newton/IRLS on standardised columns).

    Returns the intercept and coefficients on the raw (unstandardised) columns.
    """
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    live = sd > 1e-12
    z = np.zeros_like(x)
    z[:, live] = (x[:, live] - mu[live]) / sd[live]
    zz = np.column_stack([np.ones(len(z)), z])
    penalty = l2 * len(y) * np.r_[0.0, live.astype(np.float64)]
    penalty[1:][~live] = 1.0  # dead columns: pinned to 0
    w = np.zeros(zz.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(zz @ w, -35, 35)))
        grad = zz.T @ (p - y) + penalty * w
        hess = (zz * (p * (1.0 - p))[:, None]).T @ zz + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    beta = np.zeros(x.shape[1])
    beta[live] = w[1:][live] / sd[live]
    intercept = float(w[0] - np.sum(beta * mu))
    return intercept, beta


# ---------------------------------------------------------------------------------------------
# public model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One reason: a feature's raw value and its additive share of the score (log-odds)."""

    code: str
    value: float
    contribution: float


@dataclass(frozen=True)
class FeasibilityModel:
    """Settings for learning the feasibility score from a network's own ties.

    ``holdout_fraction`` of the ties is held out in each of ``folds`` disjoint folds (at most
    ``max_positives`` per fold), with as many sampled non-ties; features are computed on the
    graph without that fold. ``l2`` is the ridge penalty on standardised coefficients.
    Rooted PageRank keeps walks of at most ``ppr_steps`` steps, continuing with probability
    ``ppr_alpha``. Distances are exact breadth-first distances up to ``max_distance`` when
    the graph has n + m <= ``exact_distance_limit``; on larger graphs they are resolved up to
    ``local_horizon`` hops only (farther counts as ``no_path``), which keeps fitting local.
    ``exclude`` lists reason codes to leave out (their weight is fixed at 0).
    """

    ppr_alpha: float = 0.85
    ppr_steps: int = 4
    max_distance: int = 32
    exact_distance_limit: int = 100_000
    local_horizon: int = 4
    holdout_fraction: float = 0.1
    folds: int = 2
    max_positives: int = 2000
    l2: float = 1e-3
    exclude: tuple[str, ...] = ()

    def fit(
        self,
        graph: ig.Graph,
        *,
        weights: str | None = "weight",
        seed: int = 0,
        extra: PairFeatures | None = None,
    ) -> FittedFeasibility:
        """Learn the weights on ``graph`` (treated as undirected) and return the fitted score.

        ``weights`` names the edge attribute with tie strengths (ignored when absent or None).
        """
        if not 0.0 < self.holdout_fraction < 1.0:
            raise ValueError("holdout_fraction must be in (0, 1)")
        if self.folds < 1 or self.ppr_steps < 1 or self.max_distance < 2 or self.local_horizon < 2:
            raise ValueError("folds, ppr_steps >= 1; max_distance, local_horizon >= 2 required")
        if not 0.0 < self.ppr_alpha < 1.0:
            raise ValueError("ppr_alpha must be in (0, 1)")
        g = _Graph.from_igraph(graph, weights)
        if extra is not None:
            extra.validate(g.n)
        extra_codes = extra.codes if extra is not None else ()
        unknown = set(self.exclude) - set(STRUCTURAL_CODES) - set(extra_codes)
        if unknown:
            raise ValueError(f"unknown codes in exclude: {sorted(unknown)}")
        rng = np.random.default_rng(seed)
        m = len(g.edges)
        exact = g.n + m <= self.exact_distance_limit
        horizon = self.max_distance if exact else self.local_horizon
        per_fold = min(round(self.holdout_fraction * m), self.max_positives)
        per_fold = min(per_fold, m // (self.folds + 1))
        cols = (*_COLUMNS, *extra_codes)
        if per_fold * self.folds < _MIN_POSITIVES:
            scales = _Scales(1.0, 1.0, 1e-4 / max(g.n, 1), horizon, exact)
            beta = np.r_[np.asarray(_PRIOR), np.full(len(extra_codes), _PRIOR_EXTRA)]
            beta[[c in self.exclude for c in cols]] = 0.0
            return FittedFeasibility(self, g, scales, 0.0, beta, extra, learned=False)
        order = rng.permutation(m)
        keys_sorted = np.sort(g.edge_keys())
        raws: list[_Raw] = []
        pairs_all: list[IntArray] = []
        labels: list[FloatArray] = []
        for f in range(self.folds):
            held = order[f * per_fold : (f + 1) * per_fold]
            drop = np.zeros(m, dtype=bool)
            drop[held] = True
            inner = g.without(drop)
            neg = _sample_non_edges(g.n, keys_sorted, per_fold, rng)
            pairs = np.vstack([g.edges[held], neg])
            raws.append(
                _raw_pairs(
                    inner, pairs[:, 0], pairs[:, 1], self.ppr_alpha, self.ppr_steps, exact, horizon
                )
            )
            pairs_all.append(pairs)
            labels.append(np.r_[np.ones(held.size), np.zeros(len(neg))])
        scales = _Scales(
            aa=_positive_mean(np.concatenate([r.aa for r in raws])),
            ra=_positive_mean(np.concatenate([r.ra for r in raws])),
            rpr_floor=1e-4 * _positive_mean(np.concatenate([r.rpr for r in raws])),
            max_distance=horizon,
            exact_distance=exact,
        )
        xs = [_design(r, scales)[0] for r in raws]
        if extra_codes and extra is not None:
            xs = [
                np.column_stack([x, extra.transformed(p[:, 0], p[:, 1])[0]])
                for x, p in zip(xs, pairs_all, strict=True)
            ]
        x_all = np.vstack(xs)
        x_all[:, [c in self.exclude for c in cols]] = 0.0  # constant column: weight pinned to 0
        intercept, beta = _fit_logistic(x_all, np.concatenate(labels), self.l2)
        return FittedFeasibility(self, g, scales, intercept, beta, extra, learned=True)


@dataclass(frozen=True, eq=False)
class FittedFeasibility:
    """A feasibility score fitted on one graph; scores pairs of that graph's vertices.

    ``score = intercept + sum of contributions`` (log-odds that the pair is, or would be, a
    tie, as learned from held-out ties). ``learned`` is False when the graph had too few ties
    to learn from and fixed prior weights are used.
    """

    model: FeasibilityModel
    _g: _Graph
    _scales: _Scales
    intercept: float
    coefficients: FloatArray  # per column: _COLUMNS, then the extra codes
    extra: PairFeatures | None
    learned: bool

    @property
    def codes(self) -> tuple[str, ...]:
        """All reason codes, structural first, then the caller's extra codes."""
        return (*STRUCTURAL_CODES, *(self.extra.codes if self.extra is not None else ()))

    @property
    def weights_by_code(self) -> dict[str, float]:
        """Learned coefficient(s) per code on the transformed feature scale (summed per code)."""
        cols = (*_COLUMNS, *(self.extra.codes if self.extra is not None else ()))
        out: dict[str, float] = {}
        for c, b in zip(cols, self.coefficients, strict=True):
            out[c] = out.get(c, 0.0) + float(b)
        return out

    def _features(self, us: IntArray, vs: IntArray) -> tuple[FloatArray, FloatArray]:
        sc = self._scales
        raw = _raw_pairs(
            self._g,
            us,
            vs,
            self.model.ppr_alpha,
            self.model.ppr_steps,
            sc.exact_distance,
            sc.max_distance,
        )
        return self._assemble(raw, us, vs)

    def _assemble(self, raw: _Raw, us: IntArray, vs: IntArray) -> tuple[FloatArray, FloatArray]:
        x, values = _design(raw, self._scales)
        if self.extra is not None and self.extra.codes:
            ex, ev = self.extra.transformed(us, vs)
            x = np.column_stack([x, ex])
            values = np.column_stack([values, ev])
        return x, values

    def score_pairs(self, us: npt.ArrayLike, vs: npt.ArrayLike) -> FloatArray:
        """Feasibility (log-odds) for each pair (us[i], vs[i]); vectorised."""
        u, v = _pair_arrays(us, vs, self._g.n)
        if u.size == 0:
            return np.zeros(0)
        x, _ = self._features(u, v)
        return np.asarray(self.intercept + x @ self.coefficients, dtype=np.float64)

    def explain(self, u: int, v: int) -> list[Contribution]:
        """Every reason code with its raw value and contribution, largest contribution first.

        The contributions add up to ``score_pairs([u], [v])[0] - intercept``.
        """
        uu, vv = _pair_arrays([u], [v], self._g.n)
        x, values = self._features(uu, vv)
        parts = x[0] * self.coefficients
        n_struct = len(_COLUMNS)
        contrib: dict[str, float] = {}
        for c, p in zip(_COLUMNS, parts[:n_struct], strict=True):
            contrib[c] = contrib.get(c, 0.0) + float(p)
        extra_codes = self.extra.codes if self.extra is not None else ()
        for c, p in zip(extra_codes, parts[n_struct:], strict=True):
            contrib[c] = float(p)
        out = [
            Contribution(code, float(values[0, i]), contrib[code])
            for i, code in enumerate(self.codes)
        ]
        return sorted(out, key=lambda c: -c.contribution)

    def probability(self, scores: FloatArray) -> FloatArray:
        """Logistic transform of scores (calibrated only for the held-out-tie task)."""
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(scores, -35, 35))), dtype=np.float64)

    def candidates_for(
        self, u: int, *, max_hops: int = 3, limit: int = 200
    ) -> tuple[IntArray, FloatArray]:
        """Best-scoring non-neighbours of ``u`` within ``max_hops`` (>= 2) steps.

        Returns (vertex indices, scores), highest score first, at most ``limit``. Scores are
        those of ``score_pairs`` (same features), computed locally around ``u``.
        """
        g = self._g
        if not 0 <= u < g.n:
            raise ValueError("vertex index out of range")
        if max_hops < 2 or limit < 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        steps = self.model.ppr_steps
        # Every walk of <= steps steps from u to a vertex within max_hops stays within this
        # radius, so all features of the candidates can be computed on the ball alone.
        radius = max(max_hops, (max_hops + steps) // 2)
        ball, hops = _ball(g.a, u, radius)
        is_cand = (hops >= 2) & (hops <= max_hops)
        if not is_cand.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        raw, cand_local = self._raw_in_ball(ball, hops, is_cand)
        cand = ball[cand_local]
        us = np.full(cand.size, u, dtype=np.int64)
        x, _ = self._assemble(raw, us, cand)
        scores = self.intercept + x @ self.coefficients
        if cand.size > limit:
            top = np.argpartition(-scores, limit - 1)[:limit]
            cand, scores = cand[top], scores[top]
        order = np.lexsort((cand, -scores))
        return cand[order].astype(np.int64), np.asarray(scores[order], dtype=np.float64)

    def _raw_in_ball(
        self, ball: IntArray, hops: IntArray, is_cand: npt.NDArray[np.bool_]
    ) -> tuple[_Raw, IntArray]:
        """Features of (ball[0], c) for the candidates c, from the subgraph on ``ball``."""
        g = self._g
        k = ball.size
        local = np.full(g.n, -1, dtype=np.int64)
        local[ball] = np.arange(k)
        pos = _row_slices(g.w, ball)
        lens = g.w.indptr[ball + 1] - g.w.indptr[ball]
        rows = np.repeat(np.arange(k), lens)
        cols = local[g.w.indices[pos]]
        keep = cols >= 0
        rows, cols, wdata = rows[keep], cols[keep], g.w.data[pos][keep]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=k))]
        w_b = sp.csr_matrix((wdata, cols, indptr), shape=(k, k))
        a_b = sp.csr_matrix((np.ones(cols.size), cols, indptr), shape=(k, k))
        isq = np.sqrt(g.inv_strength[ball])
        s_b = sp.csr_matrix((wdata * isq[rows] * isq[cols], cols, indptr), shape=(k, k))
        cl = np.flatnonzero(is_cand)
        # local index 0 is u; N(u) = ball vertices at hop 1
        e_u = np.zeros(k)
        e_u[0] = 1.0
        nb = (hops == 1).astype(np.float64)
        gb = ball  # global ids, for the per-vertex weights
        cn_all = a_b @ nb
        if g.weighted:
            w_u = np.asarray(w_b @ e_u, dtype=np.float64)  # w_uz at z
            ra_all = w_b @ (w_u * g.inv_strength[gb])
            ils = g.inv_log_strength[gb]
            aa_all = 0.5 * (a_b @ (w_u * ils) + w_b @ (nb * ils))
        else:
            ra_all = a_b @ (nb * g.inv_strength[gb])
            aa_all = a_b @ (nb * g.inv_log_deg[gb])
        l3_all = a_b @ (a_b @ nb)
        alpha = self.model.ppr_alpha
        x = e_u
        acc = np.zeros(k)
        for t in range(1, self.model.ppr_steps + 1):
            x = s_b @ x
            acc += alpha**t * x
        cand_g = ball[cl]
        su, sv = g.strength[ball[0]], g.strength[cand_g]
        prod = su * sv
        fac = np.divide(su + sv, np.sqrt(prod), where=prod > 0, out=np.zeros_like(sv))
        rpr = (1.0 - alpha) * fac * acc[cl]
        cn = np.asarray(cn_all[cl], dtype=np.float64)
        du, dv = g.deg[ball[0]], g.deg[cand_g]
        union = du + dv - cn
        jac = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
        raw = _Raw(
            cn,
            jac,
            np.asarray(aa_all[cl], dtype=np.float64),
            np.asarray(ra_all[cl], dtype=np.float64),
            np.asarray(l3_all[cl], dtype=np.float64),
            rpr,
            hops[cl].astype(np.float64),
            np.minimum(du, dv),
            np.maximum(du, dv),
        )
        return raw, cl


def _ball(a: Sparse, u: int, radius: int) -> tuple[IntArray, IntArray]:
    """Vertices within ``radius`` hops of u (u first, then by hop) and their hop counts."""
    seen = np.zeros(a.shape[0], dtype=bool)
    seen[u] = True
    parts = [np.array([u], dtype=np.int64)]
    hop_parts = [np.zeros(1, dtype=np.int64)]
    frontier = parts[0]
    for h in range(1, radius + 1):
        nxt = np.unique(a.indices[_row_slices(a, frontier)])
        nxt = nxt[~seen[nxt]]
        if nxt.size == 0:
            break
        seen[nxt] = True
        parts.append(nxt.astype(np.int64))
        hop_parts.append(np.full(nxt.size, h, dtype=np.int64))
        frontier = nxt
    return np.concatenate(parts), np.concatenate(hop_parts)


def _row_slices(m: Sparse, rows: IntArray) -> IntArray:
    """Positions in ``m.indices`` of all entries of the given rows (vectorised)."""
    starts = m.indptr[rows]
    ends = m.indptr[rows + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.repeat(starts - np.cumsum(np.r_[0, lens[:-1]]), lens)
    return np.asarray(np.arange(total) + offs, dtype=np.int64)
