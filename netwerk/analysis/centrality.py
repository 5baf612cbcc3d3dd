"""Centrality: who is central in which sense (DESIGN.md 4).

Measures (all on the undirected snapshot graph, see :mod:`netwerk.graph`):

============== ======================================================= ==================
measure        value                                                   ``normalised``
============== ======================================================= ==================
degree         number of distinct contacts                             / (n - 1)
strength       sum of tie weights (strength 1..5)                      / max strength
betweenness    shortest paths through the actor, unordered pairs,      / ((n-1)(n-2)/2)
               hop count (Freeman 1977; Brandes 2001)
harmonic       sum over others of 1 / distance (Marchiori & Latora     / (n - 1)
               2000; Boldi & Vigna 2014), hop count
pagerank       PageRank, damping 0.85, weighted by strength (Brin &    * n (1 = average)
               Page 1998), sums to 1
eigenvector    eigenvector centrality, weighted, scaled to max 1       same
               (Bonacich 1987)
coreness       k-core number (Seidman 1983)                            / max coreness
two_step_reach actors reached within two steps, excluding oneself      / (n - 1)
============== ======================================================= ==================

Path-based measures (betweenness, harmonic, two-step reach) count hops: a weak tie is still
a path along which someone can be reached or introduced. Strength-based measures (strength,
PageRank, eigenvector) use the weights. Values agree with networkx's functions of the same
name (``betweenness_centrality(normalized=False)``, ``harmonic_centrality``, ``pagerank``,
``eigenvector_centrality`` scaled to max 1, ``core_number``): see ``tests/test_analysis_
centrality.py``.

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
degree, strength O(m); betweenness O(nm) exact, O(km) sampled; harmonic O(nm) exact,
O(km) sampled; PageRank and eigenvector O(m) per iteration; coreness O(m);
two-step reach O(sum of squared degrees).

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
Brin S., Page L. (1998) The anatomy of a large-scale hypertextual Web search engine.
Computer Networks 30:107-117. doi:10.1016/S0169-7552(98)00110-X.
Bonacich P. (1987) Power and centrality: a family of measures. Am J Sociol 92(5):1170-1182.
doi:10.1086/228631.
Seidman S.B. (1983) Network structure and minimum degree. Social Networks 5(3):269-287.
doi:10.1016/0378-8733(83)90028-X.
Holt D., Smith T.M.F. (1979) Post stratification. J R Stat Soc A 142(1):33-46.
doi:10.2307/2982060.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.records import (
    Provenance,
    check_kinds,
    check_positive,
    num,
    provenance,
    ranked,
    t_quantile,
)
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, require_lang
from netwerk.i18n import percent, text
from netwerk.words import say

__all__ = [
    "DEFAULT_EXACT_MAX",
    "MEASURES",
    "CentralityEntry",
    "CentralityResult",
    "DistanceSample",
    "SamplingError",
    "Scores",
    "auto_pivots",
    "centrality",
    "distance_sample",
    "scores",
]

FloatArray = npt.NDArray[np.float64]

MEASURES: tuple[str, ...] = (
    "degree",
    "strength",
    "betweenness",
    "harmonic",
    "pagerank",
    "eigenvector",
    "coreness",
    "two_step_reach",
)
DEFAULT_EXACT_MAX = 5_000
EDGE_BUDGET = 120_000_000
"""Edges a default pivot sample may touch (one pivot touches every edge once)."""
DELTA = 0.05
REFERENCES = {
    "degree": ("Freeman L.C. (1978) doi:10.1016/0378-8733(78)90021-7",),
    "strength": ("Barrat A. et al. (2004) doi:10.1073/pnas.0400087101",),
    "betweenness": (
        "Brandes U. (2001) doi:10.1080/0022250X.2001.9990249",
        "Brandes U., Pich C. (2007) doi:10.1142/S0218127407018403",
        "Holt D., Smith T.M.F. (1979) doi:10.2307/2982060",
    ),
    "harmonic": (
        "Boldi P., Vigna S. (2014) doi:10.1080/15427951.2013.865686",
        "Eppstein D., Wang J. (2004) doi:10.7155/jgaa.00081",
        "Holt D., Smith T.M.F. (1979) doi:10.2307/2982060",
    ),
    "pagerank": ("Brin S., Page L. (1998) doi:10.1016/S0169-7552(98)00110-X",),
    "eigenvector": ("Bonacich P. (1987) doi:10.1086/228631",),
    "coreness": ("Seidman S.B. (1983) doi:10.1016/0378-8733(83)90028-X",),
    "two_step_reach": ("Borgatti S.P. (2006) doi:10.1007/s10588-006-7084-x",),
}
_NORMALISATION = {
    "degree": "value / (n - 1)",
    "strength": "value / maximum strength",
    "betweenness": "value / ((n - 1)(n - 2) / 2)",
    "harmonic": "value / (n - 1)",
    "pagerank": "value * n (1 = average)",
    "eigenvector": "value (maximum 1)",
    "coreness": "value / maximum coreness",
    "two_step_reach": "value / (n - 1)",
}


@dataclass(frozen=True)
class SamplingError:
    """How far a sampled estimate may be off."""

    method: str
    pivots: int
    strata: str
    confidence: float
    max_half_width: float | None
    """Largest 95% half-width among the reported entries (in the unit of ``value``)."""
    max_relative_half_width: float | None
    """Largest half-width / value among the reported entries."""
    hoeffding_bound: float | None
    """Guaranteed bound on the normalised value for all actors at once, probability
    1 - ``delta`` (loose: it ignores the variance)."""
    delta: float
    statement: str


@dataclass(frozen=True)
class CentralityEntry:
    rank: int
    actor_id: str
    kind: str
    person: bool
    value: float | None
    normalised: float | None
    error: float | None
    """95% half-width of a sampled estimate; None when exact."""


@dataclass(frozen=True)
class CentralityResult:
    measure: str
    description: str
    normalisation: str
    exact: bool
    actors_considered: int
    entries: tuple[CentralityEntry, ...]
    mean: float | None
    median: float | None
    maximum: float | None
    sampling: SamplingError | None
    provenance: Provenance


@dataclass(frozen=True, eq=False)
class Scores:
    """One measure for every vertex (internal; cached and shared between analyses)."""

    measure: str
    values: FloatArray
    normalised: FloatArray
    half_width: FloatArray | None
    exact: bool
    pivots: int
    hoeffding: float | None
    parameters: dict[str, int | float | None]


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
    """Default pivot count: about :data:`EDGE_BUDGET` edges touched, 64..1000 pivots."""
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
    """Work arrays of one single-source search, reused from pivot to pivot."""

    def __init__(self, n: int) -> None:
        self.dist = np.empty(n, dtype=np.int64)
        self.sigma = np.empty(n)
        self.delta = np.empty(n)
        self.mark = np.zeros(n, dtype=bool)


def _single_source(snapshot: Snapshot, s: int, w: _Work) -> None:
    """Brandes' (2001) single-source pass, level-synchronous over the CSR adjacency:
    leaves hop distances in ``w.dist`` (-1: unreachable) and the dependencies
    ``delta_s(v)`` (ordered pairs) in ``w.delta``. O(m) numpy work per source, no per-call
    set-up, so many single sources cost what one batched call costs."""
    adj, n = snapshot.adjacency, snapshot.n
    indptr, indices = adj.indptr, adj.indices
    dist, sigma, delta, mark = w.dist, w.sigma, w.delta, w.mark
    dist.fill(-1)
    sigma.fill(0.0)
    delta.fill(0.0)
    dist[s] = 0
    sigma[s] = 1.0
    frontier = np.array([s], dtype=np.int64)
    levels: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
    d = 0
    while frontier.size:
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if not total:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        nbr = indices[np.arange(total, dtype=np.int64) + offsets]
        own = np.repeat(frontier, counts)
        dn = dist[nbr]
        fresh = nbr[dn < 0]
        if fresh.size > n // 64:
            mark[fresh] = True
            nxt = np.flatnonzero(mark)
            mark[nxt] = False
        else:
            nxt = np.unique(fresh)
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
) -> Iterator[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
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
    breadth-first distances (cheaper). ``reach`` passes the two-step reach when at hand."""
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
    k = pivots or auto_pivots(snapshot)
    piv = _pivots(snapshot, k, seed)
    k = len(piv)
    strata = _strata(snapshot, reach)
    between = _Accumulator(n, 3)
    far = _Accumulator(n, 1)
    work = _Work(n)
    path_sums = np.zeros(k)
    path_counts = np.zeros(k)
    for lo, ps, dist in _searches(snapshot, piv, work, with_betweenness):
        stratum = np.where(dist == 1, 0, np.where(dist == 2, 1, 2))
        stratum[np.arange(len(ps)), ps] = -1
        if with_betweenness:
            # per-source dependency on unordered pairs, as igraph's subset betweenness
            between.add(stratum, work.delta[None, :] / 2.0)
        inv = np.where(dist >= 3, 1.0 / np.maximum(dist, 1), 0.0)
        far.add(np.where(stratum == 2, 0, -1), inv)
        path_sums[lo : lo + len(ps)] = np.where(dist > 0, dist, 0).sum(axis=1)
        path_counts[lo : lo + len(ps)] = (dist > 0).sum(axis=1)
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


def scores(
    snapshot: Snapshot,
    measure: str,
    *,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
    seed: int = 0,
    distances: DistanceSample | None = None,
    reach: FloatArray | None = None,
) -> Scores:
    """One centrality measure for every vertex (see the module doc for definitions).

    ``distances`` may pass a cached :func:`distance_sample` for ``harmonic``; ``reach`` the
    two-step reach (the strata sizes of the sampled measures).
    """
    if measure not in MEASURES:
        raise ValidationFailed("measure", f"'{measure[:30]}' is not one of {', '.join(MEASURES)}")
    g, n = snapshot.graph, snapshot.n
    if n == 0:
        z = np.zeros(0)
        return Scores(measure, z, z, None, True, 0, None, {})
    params: dict[str, int | float | None] = {}
    if measure == "degree":
        v = snapshot.degree.astype(np.float64)
        return Scores(measure, v, v / max(n - 1, 1), None, True, 0, None, params)
    if measure == "strength":
        # the sum of tie strengths per actor, from the snapshot's edge arrays (as
        # igraph's strength(), without reading the weights back from the graph)
        ends = snapshot.edge_array
        w = snapshot.weights
        v = (
            np.bincount(ends[:, 0], weights=w, minlength=n)
            + np.bincount(ends[:, 1], weights=w, minlength=n)
        ).astype(np.float64)

        top = v.max() if len(v) and v.max() > 0 else 1.0
        return Scores(measure, v, v / top, None, True, 0, None, params)
    if measure == "betweenness":
        pairs = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
        if n <= exact_max:
            v = np.asarray(g.betweenness(directed=False), dtype=np.float64)
            return Scores(measure, v, v / pairs, None, True, n, None, params)
        if distances is None or distances.betweenness is None:
            distances = distance_sample(
                snapshot,
                exact_max=exact_max,
                pivots=pivots,
                seed=seed,
                reach=reach,
                with_betweenness=True,
            )
        ds = distances
        assert ds.betweenness is not None
        hoeff = (n / (n - 1)) * math.sqrt(math.log(2 * n / DELTA) / (2 * ds.pivots))
        v = ds.betweenness
        return Scores(
            measure, v, v / pairs, ds.betweenness_half_width, False, ds.pivots, hoeff, params
        )
    if measure == "harmonic":
        ds = distances or distance_sample(
            snapshot, exact_max=exact_max, pivots=pivots, seed=seed, reach=reach
        )
        v = ds.harmonic
        h_bound = None if ds.exact else math.sqrt(math.log(2 * n / DELTA) / (2 * ds.pivots))
        return Scores(
            measure,
            v,
            v / max(n - 1, 1),
            ds.harmonic_half_width,
            ds.exact,
            ds.pivots,
            h_bound,
            params,
        )
    if measure == "pagerank":
        v = np.asarray(
            g.pagerank(directed=False, damping=0.85, weights="weight" if snapshot.m else None),
            dtype=np.float64,
        )
        params["damping"] = 0.85
        return Scores(measure, v, v * n, None, True, 0, None, params)
    if measure == "eigenvector":
        if snapshot.m == 0:
            v = np.zeros(n)
        else:
            with warnings.catch_warnings():  # "not meaningful for disconnected graphs"
                warnings.simplefilter("ignore", RuntimeWarning)
                # python-igraph 1.0 rejects directed=False on undirected graphs
                v = np.asarray(g.eigenvector_centrality(weights="weight"), dtype=np.float64)
            top = np.abs(v).max()
            v = np.abs(v) / top if top > 0 else v
        return Scores(measure, v, v, None, True, 0, None, params)
    if measure == "coreness":
        v = np.asarray(g.coreness(), dtype=np.float64)
        top = v.max() if v.max() > 0 else 1.0
        return Scores(measure, v, v / top, None, True, 0, None, params)
    # two_step_reach
    v = np.asarray(g.neighborhood_size(order=2), dtype=np.float64) - 1.0
    return Scores(measure, v, v / max(n - 1, 1), None, True, 0, None, params)


def centrality(
    snapshot: Snapshot,
    measure: str = "betweenness",
    *,
    top: int = 20,
    kind: str | Sequence[str] | None = None,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
    seed: int = 0,
    lang: str = "nl",
    precomputed: Scores | None = None,
) -> CentralityResult:
    """The ``top`` actors by ``measure``, optionally only actors of ``kind``.

    Ranks are within the filtered set; values are computed on the whole network. Ties in
    value are ordered by actor id. ``precomputed`` passes cached :func:`scores`.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))
    >>> r = centrality(s, "degree", top=1, lang="en")
    >>> r.entries[0].actor_id, r.entries[0].value, r.entries[0].normalised
    ('0', 4.0, 1.0)
    """
    kinds = check_kinds(kind)
    check_positive(top, "top", maximum=10_000)
    sc = precomputed or scores(snapshot, measure, exact_max=exact_max, pivots=pivots, seed=seed)
    order = ranked(snapshot, sc.values, kinds=kinds, top=top)
    considered = snapshot.n if not kinds else int(snapshot.kind_mask(*kinds).sum())
    entries = tuple(
        CentralityEntry(
            rank=i + 1,
            actor_id=snapshot.ids[v],
            kind=snapshot.kind[v],
            person=bool(snapshot.is_person[v]),
            value=num(sc.values[v]),
            normalised=num(sc.normalised[v]),
            error=num(sc.half_width[v]) if sc.half_width is not None else None,
        )
        for i, v in enumerate(order.tolist())
    )
    mask = snapshot.kind_mask(*kinds) if kinds else np.ones(snapshot.n, dtype=bool)
    pool = sc.values[mask]
    pool = pool[~np.isnan(pool)]
    sampling = None
    if not sc.exact:
        sampling = _sampling(sc, entries, lang)
    return CentralityResult(
        measure=measure,
        description=text(f"summary.measure.{measure}", require_lang(lang)),
        normalisation=_NORMALISATION[measure],
        exact=sc.exact,
        actors_considered=considered,
        entries=entries,
        mean=num(pool.mean()) if len(pool) else None,
        median=num(np.median(pool)) if len(pool) else None,
        maximum=num(pool.max()) if len(pool) else None,
        sampling=sampling,
        provenance=provenance(
            snapshot,
            f"centrality.{measure}",
            REFERENCES[measure],
            {
                "measure": measure,
                "top": top,
                "kind": ",".join(kinds) or None,
                "exact_max": exact_max,
                "pivots": sc.pivots if not sc.exact else None,
                **sc.parameters,
            },
            seed=seed if not sc.exact else None,
            exact=sc.exact,
        ),
    )


def _sampling(sc: Scores, entries: tuple[CentralityEntry, ...], lang: str) -> SamplingError:
    halves = [e.error for e in entries if e.error is not None]
    rel = [e.error / e.value for e in entries if e.error is not None and e.value and e.value > 0]
    max_half = max(halves) if halves else None
    max_rel = max(rel) if rel else None
    error = percent(max_rel, lang) if max_rel is not None else text("summary.unknown", lang)
    return SamplingError(
        method=(
            "pivot sampling without replacement (Brandes & Pich 2007), post-stratified by "
            "distance (Holt & Smith 1979); stratified standard error, finite-population "
            "corrected, Student t at Welch-Satterthwaite degrees of freedom"
        ),
        pivots=sc.pivots,
        strata="contacts, two steps away, further",
        confidence=0.95,
        max_half_width=num(max_half),
        max_relative_half_width=num(max_rel),
        hoeffding_bound=num(sc.hoeffding),
        delta=DELTA,
        statement=say("summary.sampling", lang, pivots=sc.pivots, error=error),
    )
