"""The analysis facade the API calls: one function per analysis route (DESIGN.md 8).

Every function has the shape ``(source, network_id, *, as_of=None, lang="nl", **params)``
and returns the analysis module's frozen result dataclass. ``source`` is a SQLAlchemy
``Session``, ``Connection``, ``Engine`` or session factory.

Caching (:mod:`netwerk.cache`): each call reads the network's current revision (one
primary-key lookup), takes the snapshot of ``(network, revision, as_of)`` from the
snapshot cache or loads it, and takes the result of ``(network, revision, as_of, route,
params)`` from the result cache or computes it. Building blocks shared by several routes
(communities, betweenness, distance sample, structural holes) are cached the same way, so
a dashboard asking for summary, key figures, bridges and gaps computes the communities
once. A write bumps the revision, so nothing older than an acknowledged write is served,
also with several worker processes on one database.

Raises :class:`~netwerk.errors.NotFound` for an unknown network (or actor in
:func:`what_if`) and :class:`~netwerk.errors.ValidationFailed` for a bad parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from netwerk import cache
from netwerk.analysis import bridges as _bridges
from netwerk.analysis import brokers as _brokers
from netwerk.analysis import centrality as _centrality
from netwerk.analysis import communities as _communities
from netwerk.analysis import compare as _compare
from netwerk.analysis import gaps as _gaps
from netwerk.analysis import key_figures as _key_figures
from netwerk.analysis import resilience as _resilience
from netwerk.analysis import stage as _stage
from netwerk.analysis import summary as _summary
from netwerk.analysis.bridges import BridgesResult
from netwerk.analysis.brokers import BrokersResult, HoleScores
from netwerk.analysis.centrality import CentralityResult, DistanceSample, Scores
from netwerk.analysis.common import check_kinds
from netwerk.analysis.communities import CommunitiesResult, Partition
from netwerk.analysis.compare import CompareResult
from netwerk.analysis.gaps import GAP_KINDS, GapsResult
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.resilience import WhatIfResult
from netwerk.analysis.stage import StageResult
from netwerk.analysis.summary import SummaryResult
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, params_key, require_lang

__all__ = [
    "bridges",
    "brokers",
    "centrality",
    "communities",
    "compare",
    "gaps",
    "key_figures",
    "stage",
    "summary",
    "what_if",
]

Source = cache.Source


def _exact_max(value: int | None) -> int:
    if value is not None:
        if value < 10:
            raise ValidationFailed("exact_max", "must be at least 10")
        return value
    try:
        from netwerk.config import get_settings

        return int(get_settings().exact_betweenness_max)
    except Exception:
        return _centrality.DEFAULT_EXACT_MAX


def _snapshot(source: Source, network_id: str, as_of: dt.date | None, lang: str) -> Snapshot:
    require_lang(lang)
    return cache.get_snapshot(source, network_id, as_of)


# --------------------------------------------------------------------------- building blocks


def _partition(s: Snapshot, seed: int, resolution: float = 1.0) -> Partition:
    return cache.cached_for(
        s,
        "partition",
        {"seed": seed, "resolution": resolution},
        lambda: _communities.partition(s, seed=seed, resolution=resolution),
    )


def _distances(
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
    full_key = {"pivots": pivots, "seed": seed, "betweenness": True}
    if betweenness or cache.result_cache.get(_key(s, "distance_sample", full_key)) is not None:
        return cache.cached_for(
            s,
            "distance_sample",
            full_key,
            lambda: _centrality.distance_sample(
                s,
                exact_max=exact_max,
                pivots=pivots,
                seed=seed,
                reach=_reach(s),
                with_betweenness=True,
            ),
        )
    return cache.cached_for(
        s,
        "distance_sample",
        {"pivots": pivots, "seed": seed, "betweenness": False},
        lambda: _centrality.distance_sample(
            s, exact_max=exact_max, pivots=pivots, seed=seed, reach=_reach(s)
        ),
    )


def _key(s: Snapshot, name: str, params: dict[str, Any]) -> tuple[Any, ...]:
    return (s.network_id, s.revision, s.as_of, name, params_key(params))


def _reach(s: Snapshot) -> Any:
    return cache.cached_for(
        s,
        "scores",
        {"measure": "two_step_reach"},
        lambda: _centrality.scores(s, "two_step_reach"),
    ).values


def _scores(s: Snapshot, measure: str, exact_max: int, pivots: int | None, seed: int) -> Scores:
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
    distances = (
        _distances(s, exact_max, pivots, seed, betweenness=measure == "betweenness")
        if sampled or measure == "harmonic"
        else None
    )
    return cache.cached_for(
        s,
        "scores",
        params,
        lambda: _centrality.scores(
            s, measure, exact_max=exact_max, pivots=pivots, seed=seed, distances=distances
        ),
    )


def _holes(s: Snapshot, weighted: bool) -> HoleScores:
    return cache.cached_for(
        s,
        "structural_holes",
        {"weighted": weighted},
        lambda: _brokers.structural_holes(s, weighted=weighted),
    )


# --------------------------------------------------------------------------- routes


def summary(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    exact_max: int | None = None,
    pivots: int | None = None,
) -> SummaryResult:
    """Counts, density, components, clustering, path length and stage."""
    s = _snapshot(source, network_id, as_of, lang)
    em = _exact_max(exact_max)
    return cache.cached_for(
        s,
        "route.summary",
        {"lang": lang, "seed": seed, "exact_max": em, "pivots": pivots},
        lambda: _summary.summary(
            s,
            exact_max=em,
            pivots=pivots,
            seed=seed,
            lang=lang,
            distances=_distances(s, em, pivots, seed),
        ),
    )


def stage(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    exact_max: int | None = None,
    pivots: int | None = None,
) -> StageResult:
    """The Krebs & Holley development stage with its figures."""
    s = _snapshot(source, network_id, as_of, lang)
    em = _exact_max(exact_max)
    return cache.cached_for(
        s,
        "route.stage",
        {"lang": lang, "seed": seed, "exact_max": em, "pivots": pivots},
        lambda: _stage.stage(
            s,
            exact_max=em,
            pivots=pivots,
            seed=seed,
            lang=lang,
            distances=_distances(s, em, pivots, seed),
        ),
    )


def centrality(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    measure: str = "betweenness",
    top: int = 20,
    kind: str | Sequence[str] | None = None,
    seed: int = 0,
    exact_max: int | None = None,
    pivots: int | None = None,
) -> CentralityResult:
    """The ``top`` actors by ``measure`` (one of :data:`~.centrality.MEASURES`),
    optionally of ``kind`` only; sampled measures state their error."""
    s = _snapshot(source, network_id, as_of, lang)
    em = _exact_max(exact_max)
    kinds = check_kinds(kind)
    return cache.cached_for(
        s,
        "route.centrality",
        {
            "lang": lang,
            "measure": measure,
            "top": top,
            "kind": kinds,
            "seed": seed,
            "exact_max": em,
            "pivots": pivots,
        },
        lambda: _centrality.centrality(
            s,
            measure,
            top=top,
            kind=kinds,
            exact_max=em,
            pivots=pivots,
            seed=seed,
            lang=lang,
            precomputed=_scores(s, measure, em, pivots, seed),
        ),
    )


def key_figures(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    top: int = 50,
    percentile: float = 0.95,
    min_score: int = 3,
    min_group: int = 3,
    seed: int = 0,
    exact_max: int | None = None,
    pivots: int | None = None,
) -> KeyFiguresResult:
    """Recognised and unrecognised key figures, with reasons."""
    s = _snapshot(source, network_id, as_of, lang)
    em = _exact_max(exact_max)
    return cache.cached_for(
        s,
        "route.key_figures",
        {
            "lang": lang,
            "top": top,
            "percentile": percentile,
            "min_score": min_score,
            "min_group": min_group,
            "seed": seed,
            "exact_max": em,
            "pivots": pivots,
        },
        lambda: _key_figures.key_figures(
            s,
            percentile=percentile,
            min_score=min_score,
            min_group=min_group,
            top=top,
            seed=seed,
            exact_max=em,
            lang=lang,
            communities=_partition(s, seed),
            betweenness=_scores(s, "betweenness", em, pivots, seed),
            two_step=_scores(s, "two_step_reach", em, pivots, seed),
        ),
    )


def brokers(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    grouping: str = "community",
    top: int = 20,
    kind: str | Sequence[str] | None = None,
    weighted: bool = False,
    min_degree: int = 2,
    seed: int = 0,
) -> BrokersResult:
    """Articulation points, structural holes and Gould–Fernandez roles over ``grouping``
    (``community``, ``area``, ``language`` or ``kind``)."""
    s = _snapshot(source, network_id, as_of, lang)
    kinds = check_kinds(kind)
    return cache.cached_for(
        s,
        "route.brokers",
        {
            "lang": lang,
            "grouping": grouping,
            "top": top,
            "kind": kinds,
            "weighted": weighted,
            "min_degree": min_degree,
            "seed": seed,
        },
        lambda: _brokers.brokers(
            s,
            grouping=grouping,
            top=top,
            kind=kinds,
            weighted=weighted,
            min_degree=min_degree,
            seed=seed,
            communities=_partition(s, seed) if grouping == "community" else None,
            holes=_holes(s, weighted),
            lang=lang,
        ),
    )


def bridges(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    limit: int = 50,
    include_pendant: bool = False,
    seed: int = 0,
) -> BridgesResult:
    """Cut edges (largest split first) and the only ties between two communities."""
    s = _snapshot(source, network_id, as_of, lang)
    return cache.cached_for(
        s,
        "route.bridges",
        {"limit": limit, "include_pendant": include_pendant, "seed": seed},
        lambda: _bridges.bridges(
            s,
            limit=limit,
            include_pendant=include_pendant,
            seed=seed,
            communities=_partition(s, seed),
        ),
    )


def communities(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    include_members: bool = False,
    max_matrix: int = 30,
    limit: int = 500,
    resolution: float = 1.0,
    seed: int = 0,
) -> CommunitiesResult:
    """Leiden communities, modularity and between-community tie density."""
    s = _snapshot(source, network_id, as_of, lang)
    return cache.cached_for(
        s,
        "route.communities",
        {
            "lang": lang,
            "include_members": include_members,
            "max_matrix": max_matrix,
            "limit": limit,
            "resolution": resolution,
            "seed": seed,
        },
        lambda: _communities.communities(
            s,
            seed=seed,
            resolution=resolution,
            include_members=include_members,
            max_matrix=max_matrix,
            limit=limit,
            precomputed=_partition(s, seed, resolution),
            lang=lang,
        ),
    )


def gaps(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    reach: int = 2,
    min_size: int = 3,
    limit: int = 100,
    kinds: str | Sequence[str] | None = None,
    seed: int = 0,
) -> GapsResult:
    """Every gap kind of DESIGN.md 4 (or the ``kinds`` asked), with actors and sentences."""
    s = _snapshot(source, network_id, as_of, lang)
    wanted = (
        GAP_KINDS
        if kinds is None
        else tuple(k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds))
    )
    return cache.cached_for(
        s,
        "route.gaps",
        {
            "lang": lang,
            "reach": reach,
            "min_size": min_size,
            "limit": limit,
            "kinds": wanted,
            "seed": seed,
        },
        lambda: _gaps.gaps(
            s,
            reach=reach,
            min_size=min_size,
            limit=limit,
            kinds=wanted,
            seed=seed,
            lang=lang,
            communities=_partition(s, seed),
        ),
    )


def what_if(
    source: Source,
    network_id: str,
    *,
    remove: str,
    as_of: dt.date | None = None,
    lang: str = "nl",
    steps: int = 3,
    limit: int = 100,
    seed: int = 0,
) -> WhatIfResult:
    """Resilience if actor ``remove`` leaves: who loses help, what splits, handover."""
    s = _snapshot(source, network_id, as_of, lang)
    s.actor_index(remove)  # NotFound before anything is cached
    return cache.cached_for(
        s,
        "route.what_if",
        {"lang": lang, "remove": remove, "steps": steps, "limit": limit, "seed": seed},
        lambda: _resilience.what_if(
            s,
            remove,
            steps=steps,
            limit=limit,
            seed=seed,
            lang=lang,
            communities=_partition(s, seed),
        ),
    )


def compare(
    source: Source,
    network_id: str,
    *,
    from_date: dt.date,
    to_date: dt.date | None = None,
    lang: str = "nl",
    limit: int = 100,
    seed: int = 0,
    exact_max: int | None = None,
    pivots: int | None = None,
) -> CompareResult:
    """Ties gained and lost, figure changes and stage change from ``from_date`` to
    ``to_date`` (default today)."""
    to = to_date or dt.date.today()
    if from_date > to:
        raise ValidationFailed("from", "'from' must not be after 'to'")
    before = _snapshot(source, network_id, from_date, lang)
    after = _snapshot(source, network_id, to, lang)
    em = _exact_max(exact_max)

    def run() -> CompareResult:
        sb = summary(
            source, network_id, as_of=from_date, lang=lang, seed=seed, exact_max=em, pivots=pivots
        )
        sa_ = summary(
            source, network_id, as_of=to, lang=lang, seed=seed, exact_max=em, pivots=pivots
        )
        return _compare.compare_snapshots(
            before,
            after,
            limit=limit,
            lang=lang,
            summary_before=sb,
            summary_after=sa_,
            seed=seed,
        )

    return cache.cached(
        after.network_id,
        after.revision,
        "route.compare",
        {
            "lang": lang,
            "from": from_date,
            "to": to,
            "limit": limit,
            "seed": seed,
            "exact_max": em,
            "pivots": pivots,
        },
        run,
        as_of=to,
    )
