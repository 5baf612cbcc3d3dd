"""The analysis facade the API calls: one function per analysis route (DESIGN.md 8).

Every function has the shape ``(source, network_id, *, as_of=None, lang="nl", **params)``
and returns the analysis module's frozen result dataclass. ``source`` is a SQLAlchemy
``Session``, ``Connection``, ``Engine`` or session factory. Nothing here reads the settings:
``exact_max`` (above this many actors betweenness is sampled) is an argument, and the API
passes its ``exact_betweenness_max`` setting.

Caching (:mod:`netwerk.cache`): each call reads the network's current revision (one
primary-key lookup), takes the snapshot of ``(network, revision, as_of)`` from the
snapshot cache or loads it, and takes the result of ``(network, revision, as_of, route,
params)`` from the result cache or computes it. :func:`_answer` builds that key from the
route's own arguments, so each parameter is stated once, in the route's signature.
Building blocks shared by several routes (communities, betweenness, distance sample,
structural holes) are cached the same way, so a dashboard asking for summary, key figures,
bridges and gaps computes the communities once. A write bumps the revision, so nothing
older than an acknowledged write is served, also with several worker processes on one
database.

Raises :class:`~netwerk.errors.NotFound` for an unknown network (or actor in
:func:`what_if`) and :class:`~netwerk.errors.ValidationFailed` for a bad parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

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
from netwerk.analysis.centrality import (
    DEFAULT_EXACT_MAX,
    CentralityResult,
    DistanceSample,
    Scores,
)
from netwerk.analysis.communities import CommunitiesResult, Partition
from netwerk.analysis.compare import CompareResult
from netwerk.analysis.gaps import GAP_KINDS, GapsResult
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.records import check_kinds
from netwerk.analysis.resilience import WhatIfResult
from netwerk.analysis.stage import StageResult
from netwerk.analysis.summary import SummaryResult
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, params_key, require_lang

__all__ = [
    "DEFAULT_EXACT_MAX",
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

T = TypeVar("T")
Source = cache.Source
Blocks = Callable[[Snapshot, Mapping[str, Any]], Mapping[str, Any]]


def check_exact_max(value: int) -> int:
    """``value``, refused (:class:`ValidationFailed`) below 10."""
    if value < 10:
        raise ValidationFailed("exact_max", "must be at least 10")
    return value


def _snapshot(source: Source, network_id: str, as_of: dt.date | None, lang: str) -> Snapshot:
    require_lang(lang)
    return cache.get_snapshot(source, network_id, as_of)


def _answer(
    name: str,
    fn: Callable[..., T],
    arguments: Mapping[str, Any],
    *,
    blocks: Blocks | None = None,
    key_only: tuple[str, ...] = (),
) -> T:
    """The route ``name``: ``fn(snapshot, **params)``, cached under ``name`` and ``params``.

    ``arguments`` are the route function's own arguments (its ``locals()`` before anything
    else): ``source``, ``network_id`` and ``as_of`` choose the snapshot, the others are the
    ``params``, each stated once in the route's signature. ``key_only`` names params that
    ``fn`` does not take (they shape only the building blocks). ``blocks(snapshot, params)``
    gives the building blocks ``fn`` is handed besides; they are cached on their own and
    asked for only when the result is not cached.
    """
    params = {k: v for k, v in arguments.items() if k not in ("source", "network_id", "as_of")}
    s = _snapshot(arguments["source"], arguments["network_id"], arguments["as_of"], params["lang"])
    if "exact_max" in params:
        check_exact_max(params["exact_max"])
    taken = {k: v for k, v in params.items() if k not in key_only}

    def compute() -> T:
        return fn(s, **taken, **(blocks(s, params) if blocks else {}))

    return cache.cached_for(s, name, params, compute)


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
    full = {"pivots": pivots, "seed": seed, "betweenness": True}
    with_dependencies = betweenness or cache.result_cache.get(_key(s, full)) is not None
    return cache.cached_for(
        s,
        "distance_sample",
        {**full, "betweenness": with_dependencies},
        lambda: _centrality.distance_sample(
            s,
            exact_max=exact_max,
            pivots=pivots,
            seed=seed,
            reach=_reach(s),
            with_betweenness=with_dependencies,
        ),
    )


def _key(s: Snapshot, params: dict[str, Any]) -> tuple[Any, ...]:
    return (s.network_id, s.revision, s.as_of, "distance_sample", params_key(params))


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


def _with_distances(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"distances": _distances(s, p["exact_max"], p["pivots"], p["seed"])}


def _with_partition(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"communities": _partition(s, p["seed"])}


def _ranked_scores(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"precomputed": _scores(s, p["measure"], p["exact_max"], p["pivots"], p["seed"])}


def _figure_blocks(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    measures = {"betweenness": "betweenness", "two_step": "two_step_reach"}
    return {
        "communities": _partition(s, p["seed"]),
        **{
            name: _scores(s, measure, p["exact_max"], p["pivots"], p["seed"])
            for name, measure in measures.items()
        },
    }


def _broker_blocks(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    by_community = p["grouping"] == "community"
    return {
        "communities": _partition(s, p["seed"]) if by_community else None,
        "holes": _holes(s, p["weighted"]),
    }


def _grouping(s: Snapshot, p: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"precomputed": _partition(s, p["seed"], p["resolution"])}


# --------------------------------------------------------------------------- routes


def summary(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
) -> SummaryResult:
    """Counts, density, components, clustering, path length and stage."""
    return _answer("route.summary", _summary.summary, locals(), blocks=_with_distances)


def stage(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
) -> StageResult:
    """The Krebs & Holley development stage with its figures."""
    return _answer("route.stage", _stage.stage, locals(), blocks=_with_distances)


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
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
) -> CentralityResult:
    """The ``top`` actors by ``measure`` (one of :data:`~.centrality.MEASURES`),
    optionally of ``kind`` only; sampled measures state their error."""
    kind = check_kinds(kind)
    return _answer("route.centrality", _centrality.centrality, locals(), blocks=_ranked_scores)


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
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
) -> KeyFiguresResult:
    """Recognised and unrecognised key figures, with reasons."""
    return _answer(
        "route.key_figures",
        _key_figures.key_figures,
        locals(),
        blocks=_figure_blocks,
        key_only=("pivots",),
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
    kind = check_kinds(kind)
    return _answer("route.brokers", _brokers.brokers, locals(), blocks=_broker_blocks)


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
    return _answer(
        "route.bridges", _bridges.bridges, locals(), blocks=_with_partition, key_only=("lang",)
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
    return _answer("route.communities", _communities.communities, locals(), blocks=_grouping)


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
    kinds = (
        GAP_KINDS
        if kinds is None
        else tuple(k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds))
    )
    return _answer("route.gaps", _gaps.gaps, locals(), blocks=_with_partition)


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
    """Resilience if actor ``remove`` leaves: who loses help, what splits, handover.
    An unknown actor raises :class:`~netwerk.errors.NotFound` and caches nothing."""
    return _answer("route.what_if", _leaves, locals(), blocks=_with_partition)


def _leaves(s: Snapshot, *, remove: str, **params: Any) -> WhatIfResult:
    return _resilience.what_if(s, remove, **params)


def compare(
    source: Source,
    network_id: str,
    *,
    from_date: dt.date,
    to_date: dt.date | None = None,
    lang: str = "nl",
    limit: int = 100,
    seed: int = 0,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
) -> CompareResult:
    """Ties gained and lost, figure changes and stage change from ``from_date`` to
    ``to_date`` (default today)."""
    to = to_date or dt.date.today()
    if from_date > to:
        raise ValidationFailed("from", "'from' must not be after 'to'")
    check_exact_max(exact_max)
    before = _snapshot(source, network_id, from_date, lang)
    after = _snapshot(source, network_id, to, lang)
    figures: dict[str, Any] = {"lang": lang, "seed": seed, "exact_max": exact_max, "pivots": pivots}

    def run() -> CompareResult:
        return _compare.compare_snapshots(
            before,
            after,
            limit=limit,
            lang=lang,
            seed=seed,
            summary_before=summary(source, network_id, as_of=from_date, **figures),
            summary_after=summary(source, network_id, as_of=to, **figures),
        )

    params = {"from": from_date, "to": to, "limit": limit, **figures}
    return cache.cached(after.network_id, after.revision, "route.compare", params, run, as_of=to)
