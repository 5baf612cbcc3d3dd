"""Distances from pivots: harmonic closeness, the average path length and betweenness of
every vertex from one pass of breadth-first searches, exact or sampled (DESIGN.md 4). Shared
by centrality, key figures, summary and stage (:mod:`netwerk.analysis.centrality` re-exports
:func:`distance_sample`, :class:`DistanceSample` and :func:`auto_pivots`).

Sampling
--------
Above ``exact_max`` actors (default 5,000) betweenness and harmonic closeness are estimated
from ``k`` pivots drawn uniformly without replacement (Brandes & Pich 2007; Eppstein & Wang
2004). Each estimate is **post-stratified by distance** (Holt & Smith 1979): for actor *v*
the sources fall into three strata whose sizes are known exactly from the snapshot: the
contacts of *v* (``deg(v)``), the actors two steps away (``two-step reach - deg(v)``) and
the rest. A stratum's total is its size times the mean over the pivots that fell in it:

* betweenness: ``BC(v) = sum_h N_h(v) * mean_{s in S_h(v)} delta_s(v)``, with
  ``delta_s(v)`` the dependency of source ``s`` on ``v`` (Brandes 2001). The sources next
  to a hub carry most of its betweenness; fixing their share removes most of the variance
  of the plain estimator ``n/k * sum_s delta_s(v)`` (about four times less on synthetic
  neighbourhoods).
* harmonic closeness: the first two strata are exact (``deg(v) + N_2(v) / 2``); only the
  rest, ``sum 1/d`` over actors three or more steps away, is estimated.

The error of every estimate is its stratified standard error (within-stratum sample
variances, finite-population corrected), reported per actor as a 95% half-width with a
Student t quantile at the Welch–Satterthwaite degrees of freedom. The result also states
the guaranteed, much looser Hoeffding bound that holds for all actors at once with
probability 1 - delta. By default ``k`` is chosen so that the sample touches about
1.2 * 10^8 edges, between 64 and 1,000 pivots (about 120 for a million ties, 1,000 for
120,000 or fewer).

Complexity
----------
Exact: O(nm) (igraph's harmonic centrality, average path length and betweenness). Sampled:
O(km) for k pivots; with betweenness, Brandes' accumulation from every pivot, O(km) numpy
work, plus O(n) per pivot for the strata sums.

References
----------
Brandes U. (2001) A faster algorithm for betweenness centrality. J Math Sociol 25(2):163-177.
doi:10.1080/0022250X.2001.9990249.
Brandes U., Pich C. (2007) Centrality estimation in large networks. Int J Bifurcation and
Chaos 17(7):2303-2318. doi:10.1142/S0218127407018403.
Eppstein D., Wang J. (2004) Fast approximation of centrality. J Graph Algorithms Appl 8(1):
39-45. doi:10.7155/jgaa.00081.
Boldi P., Vigna S. (2014) Axioms for centrality. Internet Math 10(3-4):222-262.
doi:10.1080/15427951.2013.865686.
Holt D., Smith T.M.F. (1979) Post stratification. J R Stat Soc A 142(1):33-46.
doi:10.2307/2982060.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from netwerk.analysis.records import t_quantile
from netwerk.graph import Snapshot
from netwerk.rows import distinct

__all__ = [
    "DEFAULT_EXACT_MAX",
    "EDGE_BUDGET",
    "DistanceSample",
    "Partial",
    "accumulate",
    "auto_pivots",
    "combine",
    "distance_sample",
    "halves",
    "pivot_set",
]

FloatArray = npt.NDArray[np.float64]

DEFAULT_EXACT_MAX = 5_000
EDGE_BUDGET = 120_000_000
"""Edges a default pivot sample may touch (one pivot touches every edge once)."""
FIRST_SHARE = 0.75
"""The share of the pivots in the first of the two parts of a sampled pass (:func:`halves`)."""


@dataclass(frozen=True, eq=False)
class DistanceSample:
    """One pass of breadth-first searches from a set of pivots (all vertices when exact):
    harmonic closeness, the average shortest-path length and, when sampled (or asked for),
    betweenness; shared by centrality, key figures, summary and stage."""

    exact: bool
    pivots: int
    harmonic: FloatArray
    harmonic_half_width: FloatArray | None
    mean_path: float | None
    mean_path_half_width: float | None
    connected_pairs_share: float
    betweenness: FloatArray | None = None
    betweenness_half_width: FloatArray | None = None


def auto_pivots(snapshot: Snapshot) -> int:
    """Default pivot count: about :data:`EDGE_BUDGET` edges touched, 64..1000 pivots.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> auto_pivots(s)  # every actor, for a graph this small
    34
    """
    m = max(snapshot.m, 1)
    return int(min(snapshot.n, max(64, min(1000, EDGE_BUDGET // m))))


def _pivots(snapshot: Snapshot, k: int, seed: int) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(snapshot.n, size=min(k, snapshot.n), replace=False)).astype(np.int64)


def _fpc(n: int, k: int) -> float:
    """Finite-population correction for sampling k of n without replacement."""
    return math.sqrt(max(n - k, 0) / max(n - 1, 1))


@dataclass(frozen=True, eq=False)
class _Strata:
    """Per vertex, the sizes of the three distance strata of the other actors."""

    sizes: FloatArray  # (3, n): at distance 1, at distance 2, further or unreachable


def _strata(snapshot: Snapshot, reach: FloatArray | None = None) -> _Strata:
    n = snapshot.n
    deg = snapshot.degree.astype(np.float64)
    two = (
        reach
        if reach is not None
        else np.asarray(snapshot.graph.neighborhood_size(order=2), dtype=np.float64) - 1.0
    )
    return _Strata(np.vstack([deg, two - deg, (n - 1) - two]))


_T_TABLE = np.asarray([math.inf] + [t_quantile(d) for d in range(1, 31)])


def _t_quantiles(df: FloatArray) -> FloatArray:
    """Vectorised :func:`t_quantile` (degrees of freedom rounded down, at least 1)."""
    d = np.maximum(np.floor(df), 1.0)
    small = _T_TABLE[np.minimum(d, 30).astype(np.int64)]
    return np.where(d <= 30, small, 1.96 + 2.4 / d)


class _Accumulator:
    """Per-stratum sums, squared sums and counts of a per-pivot quantity, per vertex."""

    def __init__(self, n: int, strata: int) -> None:
        self.n, self.h = n, strata
        self.total = np.zeros(strata * n)
        self.squares = np.zeros(strata * n)
        self.count = np.zeros(strata * n)

    def add(self, stratum: npt.NDArray[np.int64], values: FloatArray) -> None:
        ok = stratum >= 0
        key = stratum[ok] * self.n + np.flatnonzero(ok) % self.n  # rows of pivots allowed
        x = values[ok]
        size = self.h * self.n
        self.total += np.bincount(key, weights=x, minlength=size)
        self.squares += np.bincount(key, weights=x * x, minlength=size)
        self.count += np.bincount(key, minlength=size)

    def merge(self, other: _Accumulator) -> None:
        """Add the sums of ``other`` (the same vertices and strata)."""
        self.total += other.total
        self.squares += other.squares
        self.count += other.count

    def estimate(self, sizes: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Post-stratified totals and their 95% half-widths (t at Satterthwaite df)."""
        shape = (self.h, self.n)
        tot, sq, cnt = (x.reshape(shape) for x in (self.total, self.squares, self.count))
        all_cnt = cnt.sum(axis=0)
        all_mean = tot.sum(axis=0) / np.maximum(all_cnt, 1)
        all_var = np.maximum(sq.sum(axis=0) / np.maximum(all_cnt, 1) - all_mean**2, 0.0)
        all_var *= all_cnt / np.maximum(all_cnt - 1, 1)
        mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), all_mean)
        var = np.where(
            cnt > 1,
            np.maximum(sq - tot**2 / np.maximum(cnt, 1), 0.0) / np.maximum(cnt - 1, 1),
            all_var,  # one pivot or none in the stratum: borrow the overall variance
        )
        c = np.maximum(cnt, 1)
        fpc = np.clip(1 - c / np.maximum(sizes, 1), 0.0, 1.0)
        parts = np.where(sizes > 0, sizes**2 * var / c * fpc, 0.0)
        value = (sizes * mean).sum(axis=0)
        se2 = parts.sum(axis=0)
        denom = np.where(sizes > 0, parts**2 / np.maximum(c - 1, 1), 0.0).sum(axis=0)
        df = np.where(denom > 0, se2**2 / np.where(denom > 0, denom, 1.0), 1.0)
        quantile = _t_quantiles(df)
        return value, np.sqrt(se2) * quantile


class _Work:
    """Work arrays of one single-source search, reused from pivot to pivot, and the CSR
    adjacency in 32-bit integers when it fits (half the memory traffic of the gathers that
    dominate a pass: about 30% less time on a million actors, the same results)."""

    def __init__(self, snapshot: Snapshot) -> None:
        n, adj = snapshot.n, snapshot.adjacency
        kind = np.int32 if max(n, len(adj.indices)) < 2**31 - 1 else np.int64
        self.indptr: npt.NDArray[np.integer[Any]] = adj.indptr.astype(kind)
        self.indices: npt.NDArray[np.integer[Any]] = adj.indices.astype(kind)
        self.dist: npt.NDArray[np.integer[Any]] = np.empty(n, dtype=kind)
        self.sigma = np.empty(n)
        self.delta = np.empty(n)
        self.mark = np.zeros(n, dtype=bool)


def _single_source(snapshot: Snapshot, s: int, w: _Work) -> None:
    """Brandes' (2001) single-source pass, level-synchronous over the CSR adjacency:
    leaves hop distances in ``w.dist`` (-1: unreachable) and the dependencies
    ``delta_s(v)`` (ordered pairs) in ``w.delta``. O(m) numpy work per source, no per-call
    set-up, so many single sources cost what one batched call costs."""
    n = snapshot.n
    indptr, indices = w.indptr, w.indices
    dist, sigma, delta, mark = w.dist, w.sigma, w.delta, w.mark
    dist.fill(-1)
    sigma.fill(0.0)
    delta.fill(0.0)
    dist[s] = 0
    sigma[s] = 1.0
    frontier = np.array([s], dtype=indices.dtype)
    levels: list[tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]]]] = []
    d = 0
    while frontier.size:
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if not total:
            break
        offsets = np.repeat(starts - np.cumsum(counts, dtype=indptr.dtype) + counts, counts)
        nbr = indices[np.arange(total, dtype=indptr.dtype) + offsets]
        own = np.repeat(frontier, counts)
        dn = dist[nbr]
        fresh = nbr[dn < 0]
        if fresh.size > n // 64:
            mark[fresh] = True
            nxt = np.flatnonzero(mark).astype(indices.dtype)
            mark[nxt] = False
        else:
            nxt = distinct(fresh)
        dist[nxt] = d + 1
        down = (dn < 0) | (dn == d + 1)
        tk, sk = nbr[down], own[down]
        if tk.size < 4096:
            np.add.at(sigma, tk, sigma[sk])
        else:
            sigma += np.bincount(tk, weights=sigma[sk], minlength=n)
        levels.append((sk, tk))
        frontier = nxt
        d += 1
    for sk, tk in reversed(levels):
        contrib = sigma[sk] / sigma[tk] * (1.0 + delta[tk])
        if sk.size < 4096:
            np.add.at(delta, sk, contrib)
        else:
            delta += np.bincount(sk, weights=contrib, minlength=n)
    delta[s] = 0.0


def _searches(
    snapshot: Snapshot, piv: npt.NDArray[np.int64], work: _Work, dependencies: bool
) -> Iterator[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.integer[Any]]]]:
    """(offset, pivots, hop distances (pivots x n, -1 unreachable)) per block of pivots;
    with ``dependencies`` one pivot per block, and Brandes' pass leaves delta_s in
    ``work.delta``."""
    if dependencies:
        for i, p in enumerate(piv.tolist()):
            _single_source(snapshot, p, work)
            yield i, piv[i : i + 1], work.dist[None, :]
        return
    g, n = snapshot.graph, snapshot.n
    chunk = max(1, min(64, 4_000_000 // max(n, 1)))
    for lo in range(0, len(piv), chunk):
        part = piv[lo : lo + chunk]
        rows = np.asarray(g.distances(source=part.tolist()), dtype=np.float64)
        yield lo, part, np.where(np.isfinite(rows), rows, -1).astype(np.int64)


def distance_sample(
    snapshot: Snapshot,
    *,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
    seed: int = 0,
    reach: FloatArray | None = None,
    with_betweenness: bool = False,
) -> DistanceSample:
    """Harmonic closeness, the average path length between connected pairs and (when
    ``with_betweenness``) betweenness of every vertex, from one pass of searches: exact up
    to ``exact_max`` vertices, else from pivots (see the module doc). Sampled, the pass
    with betweenness runs Brandes' accumulation from every pivot; without, only igraph's
    breadth-first distances (cheaper). ``reach`` passes the two-step reach when at hand.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.path_graph(4))
    >>> ds = distance_sample(s)
    >>> ds.exact, [round(h, 3) for h in ds.harmonic.tolist()], round(ds.mean_path, 3)
    (True, [1.833, 2.5, 2.5, 1.833], 1.667)
    """
    g, n = snapshot.graph, snapshot.n
    if n <= 1:
        z = np.zeros(n)
        return DistanceSample(True, n, z, None, None, None, 0.0, z, None)
    if n <= exact_max:
        harmonic = np.asarray(g.harmonic_centrality(normalized=False), dtype=np.float64)
        sizes = np.bincount(snapshot.components)
        connected = float((sizes * (sizes - 1)).sum())
        mean_path = float(g.average_path_length(directed=False, unconn=True)) if connected else None
        btw = (
            np.asarray(g.betweenness(directed=False), dtype=np.float64)
            if with_betweenness
            else None
        )
        return DistanceSample(
            True, n, harmonic, None, mean_path, None, connected / (n * (n - 1)), btw, None
        )
    piv = pivot_set(snapshot, pivots, seed)
    parts = [accumulate(snapshot, half, with_betweenness) for half in halves(piv)]
    return combine(snapshot, parts, reach)


def pivot_set(snapshot: Snapshot, pivots: int | None, seed: int) -> npt.NDArray[np.int64]:
    """The pivots of a sampled pass: ``pivots`` (default :func:`auto_pivots`) drawn
    uniformly without replacement with ``seed``, in vertex order.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.path_graph(10))
    >>> pivot_set(s, 4, 0).tolist() == sorted(pivot_set(s, 4, 0).tolist())
    True
    """
    return _pivots(snapshot, pivots or auto_pivots(snapshot), seed)


def halves(piv: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The two parts of a pass whose sums :func:`combine` adds, in this order, wherever they
    ran (one process or two, :mod:`netwerk.analysis.parallel`), so the estimates do not
    depend on it: the first :data:`FIRST_SHARE` of the pivots and the rest.

    Examples
    --------
    >>> [part.tolist() for part in halves(np.arange(8))]
    [[0, 1, 2, 3, 4, 5], [6, 7]]
    """
    cut = math.ceil(len(piv) * FIRST_SHARE)
    return piv[:cut], piv[cut:]


@dataclass(frozen=True, eq=False)
class Partial:
    """The sums of a pass over some of the pivots (:func:`accumulate`)."""

    pivots: npt.NDArray[np.int64]
    between: _Accumulator | None
    far: _Accumulator
    path_sums: FloatArray
    path_counts: FloatArray


def accumulate(snapshot: Snapshot, piv: npt.NDArray[np.int64], with_betweenness: bool) -> Partial:
    """The per-stratum sums of the searches from ``piv`` (Brandes' dependencies too when
    ``with_betweenness``); the strata are read off the hop distances, their sizes are needed
    only by :func:`combine`.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.path_graph(10))
    >>> part = accumulate(s, np.array([0, 9]), True)
    >>> part.path_sums.tolist()  # 1 + 2 + ... + 9 from either end
    [45.0, 45.0]
    """
    n, k = snapshot.n, len(piv)
    between = _Accumulator(n, 3) if with_betweenness else None
    far = _Accumulator(n, 1)
    path_sums = np.zeros(k)
    path_counts = np.zeros(k)
    if not k:
        return Partial(piv, between, far, path_sums, path_counts)
    work = _Work(snapshot)
    for lo, ps, dist in _searches(snapshot, piv, work, with_betweenness):
        stratum = np.where(dist == 1, 0, np.where(dist == 2, 1, 2))
        stratum[np.arange(len(ps)), ps] = -1
        if between is not None:
            # per-source dependency on unordered pairs, as igraph's subset betweenness
            between.add(stratum, work.delta[None, :] / 2.0)
        inv = np.where(dist >= 3, 1.0 / np.maximum(dist, 1), 0.0)
        far.add(np.where(stratum == 2, 0, -1), inv)
        path_sums[lo : lo + len(ps)] = np.where(dist > 0, dist, 0).sum(axis=1)
        path_counts[lo : lo + len(ps)] = (dist > 0).sum(axis=1)
    return Partial(piv, between, far, path_sums, path_counts)


def combine(
    snapshot: Snapshot, parts: list[Partial], reach: FloatArray | None = None
) -> DistanceSample:
    """The sampled :class:`DistanceSample` from the sums of its parts, added in the order
    given; ``reach`` (the two-step reach) sizes the strata.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.path_graph(10))
    >>> piv = pivot_set(s, 4, 0)
    >>> parts = [accumulate(s, half, True) for half in halves(piv)]
    >>> ds = combine(s, parts)
    >>> ds.pivots, ds.exact, ds.betweenness is not None
    (4, False, True)
    >>> bool(np.array_equal(ds.harmonic, distance_sample(s, exact_max=5, pivots=4).harmonic))
    True
    """
    n = snapshot.n
    k = sum(len(p.pivots) for p in parts)
    with_betweenness = parts[0].between is not None
    between, far = _Accumulator(n, 3), _Accumulator(n, 1)
    for p in parts:
        far.merge(p.far)
        if p.between is not None:
            between.merge(p.between)
    path_sums = np.concatenate([p.path_sums for p in parts])
    path_counts = np.concatenate([p.path_counts for p in parts])
    strata = _strata(snapshot, reach)
    btw, btw_half = between.estimate(strata.sizes) if with_betweenness else (None, None)
    far_sum, harmonic_half = far.estimate(strata.sizes[2:3])
    harmonic = strata.sizes[0] + strata.sizes[1] / 2 + far_sum
    total = path_counts.sum()
    mean_path = float(path_sums.sum() / total) if total else None
    pm_half = None
    if mean_path is not None and k > 1:
        # ratio estimator over pivots: linearised standard error
        resid = path_sums - mean_path * path_counts
        se = math.sqrt(float((resid**2).sum()) / (k * (k - 1))) / (total / k) * _fpc(n, k)
        pm_half = se * t_quantile(k - 1)
    return DistanceSample(
        False,
        k,
        harmonic,
        harmonic_half,
        mean_path,
        pm_half,
        float(total / (k * (n - 1))),
        btw,
        btw_half,
    )
