"""The building blocks the analysis routes share, each cached on its own per snapshot
(:func:`netwerk.cache.cached_for`) and asked for only when a route's result is not cached: the
Leiden partition (Traag, Waltman & van Eck 2019), the pivot pass of sampled distances and
betweenness (Brandes & Pich 2007) with the two-step reach it needs, centrality scores and
Burt's structural holes (Burt 1992). :mod:`.service` hands them to the routes by parameter
name; each ``block(snapshot, params)`` takes the route's parameters.

References
----------
Traag V.A., Waltman L., van Eck N.J. (2019) From Louvain to Leiden. Scientific Reports 9:5233.
doi:10.1038/s41598-019-41695-z.
Brandes U., Pich C. (2007) Centrality estimation in large networks. Int J Bifurcation and
Chaos 17(7):2303-2318. doi:10.1142/S0218127407018403.
Burt R.S. (1992) Structural Holes. Harvard University Press. ISBN 0674843711.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netwerk import cache
from netwerk.analysis import brokers as _brokers
from netwerk.analysis import centrality as _centrality
from netwerk.analysis import communities as _communities
from netwerk.analysis.brokers import HoleScores
from netwerk.analysis.centrality import DistanceSample, Scores
from netwerk.analysis.communities import Partition
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, params_key

__all__ = ["partition", "scores"]


def partition(s: Snapshot, seed: int, resolution: float = 1.0) -> Partition:
    """The Leiden partition of ``s`` (:func:`.communities.partition`), once per snapshot,
    seed and resolution.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> partition(s, seed=1) is partition(s, seed=1)
    True
    >>> partition(s, seed=1).membership.size
    34
    """
    return cache.cached_for(
        s,
        "partition",
        {"seed": seed, "resolution": resolution},
        lambda: _communities.partition(s, seed=seed, resolution=resolution),
    )


def distances(
    s: Snapshot, exact_max: int, pivots: int | None, seed: int, betweenness: bool = False
) -> DistanceSample:
    """The pivot pass: with Brandes' dependencies when ``betweenness`` (or when such a pass
    is cached already), else the cheaper distances-only pass."""
    if s.n <= exact_max:
        return cache.cached_for(
            s,
            "distance_sample",
            {"exact": True},
            lambda: _centrality.distance_sample(s, exact_max=exact_max),
        )
    full = {"pivots": pivots, "seed": seed, "betweenness": True}
    with_dependencies = betweenness or cache.result_cache.get(key(s, full)) is not None
    return cache.cached_for(
        s,
        "distance_sample",
        {**full, "betweenness": with_dependencies},
        lambda: _centrality.distance_sample(
            s,
            exact_max=exact_max,
            pivots=pivots,
            seed=seed,
            reach=reach(s),
            with_betweenness=with_dependencies,
        ),
    )


def key(s: Snapshot, params: dict[str, Any]) -> tuple[Any, ...]:
    return (s.network_id, s.revision, s.as_of, "distance_sample", params_key(params))


def reach(s: Snapshot) -> Any:
    return cache.cached_for(
        s,
        "scores",
        {"measure": "two_step_reach"},
        lambda: _centrality.scores(s, "two_step_reach"),
    ).values


def scores(s: Snapshot, measure: str, exact_max: int, pivots: int | None, seed: int) -> Scores:
    """The centrality ``measure`` of ``s`` (:func:`.centrality.scores`), once per snapshot;
    the sampled measures above ``exact_max`` actors share one pivot pass.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> len(scores(s, "betweenness", 5000, None, 0).values)
    34
    """
    if measure not in _centrality.MEASURES:
        raise ValidationFailed(
            "measure", f"'{measure[:30]}' is not one of {', '.join(_centrality.MEASURES)}"
        )
    sampled = measure in ("betweenness", "harmonic") and s.n > exact_max
    params: dict[str, Any] = {"measure": measure}
    if sampled:
        params.update(pivots=pivots, seed=seed)
    if measure == "two_step_reach":
        return cache.cached_for(s, "scores", params, lambda: _centrality.scores(s, measure))
    # the sampled measures share one pass of pivot searches (and the two-step reach)
    sample = (
        distances(s, exact_max, pivots, seed, betweenness=measure == "betweenness")
        if sampled or measure == "harmonic"
        else None
    )
    return cache.cached_for(
        s,
        "scores",
        params,
        lambda: _centrality.scores(
            s, measure, exact_max=exact_max, pivots=pivots, seed=seed, distances=sample
        ),
    )


def holes(s: Snapshot, weighted: bool) -> HoleScores:
    return cache.cached_for(
        s,
        "structural_holes",
        {"weighted": weighted},
        lambda: _brokers.structural_holes(s, weighted=weighted),
    )


def distance_pass(s: Snapshot, p: Mapping[str, Any]) -> DistanceSample:
    return distances(s, p["exact_max"], p["pivots"], p["seed"])


def communities_of(s: Snapshot, p: Mapping[str, Any]) -> Partition:
    return partition(s, p["seed"])


def ranked(s: Snapshot, p: Mapping[str, Any]) -> Scores:
    return scores(s, p["measure"], p["exact_max"], p["pivots"], p["seed"])


def betweenness(s: Snapshot, p: Mapping[str, Any]) -> Scores:
    return scores(s, "betweenness", p["exact_max"], p["pivots"], p["seed"])


def two_step(s: Snapshot, p: Mapping[str, Any]) -> Scores:
    return scores(s, "two_step_reach", p["exact_max"], p["pivots"], p["seed"])


def grouped_communities(s: Snapshot, p: Mapping[str, Any]) -> Partition | None:
    return partition(s, p["seed"]) if p["grouping"] == "community" else None


def holes_of(s: Snapshot, p: Mapping[str, Any]) -> HoleScores:
    return holes(s, p["weighted"])


def resolved(s: Snapshot, p: Mapping[str, Any]) -> Partition:
    return partition(s, p["seed"], p["resolution"])
