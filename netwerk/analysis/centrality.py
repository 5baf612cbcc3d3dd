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
from pivots, post-stratified by distance, with a per-actor 95% half-width and a Hoeffding
bound for all actors at once: :mod:`netwerk.analysis.distances` describes the estimators.

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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.distances import (
    DEFAULT_EXACT_MAX,
    DistanceSample,
    auto_pivots,
    distance_sample,
)
from netwerk.analysis.records import (
    Provenance,
    check_kinds,
    check_positive,
    num,
    provenance,
    ranked,
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
    "two_step_scores",
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

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))  # 0 in the middle
    >>> sc = scores(s, 'degree')
    >>> sc.values.tolist(), sc.normalised.tolist(), sc.exact
    ([4.0, 1.0, 1.0, 1.0, 1.0], [1.0, 0.25, 0.25, 0.25, 0.25], True)
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
        v = snapshot.coreness.astype(np.float64)
        top = v.max() if v.max() > 0 else 1.0
        return Scores(measure, v, v / top, None, True, 0, None, params)
    # two_step_reach
    return two_step_scores(snapshot, np.asarray(g.neighborhood_size(order=2)))


def two_step_scores(snapshot: Snapshot, sizes: npt.NDArray[np.integer]) -> Scores:
    """The ``two_step_reach`` :class:`Scores` from igraph's ``neighborhood_size(order=2)``
    of every vertex (oneself included).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.path_graph(4))
    >>> two_step_scores(s, np.array([3, 4, 4, 3])).values.tolist()
    [2.0, 3.0, 3.0, 2.0]
    """
    v = np.asarray(sizes, dtype=np.float64) - 1.0
    return Scores("two_step_reach", v, v / max(snapshot.n - 1, 1), None, True, 0, None, {})


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
