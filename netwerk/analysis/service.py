"""The analysis facade the API calls: one function per analysis route (DESIGN.md 8).

Every function has the shape ``(source, network_id, *, as_of=None, lang="nl", **params)``
and returns the analysis module's frozen result dataclass; ``params`` are those of the
analysis function it runs (``summary`` runs :func:`.summary.summary`, and so on), stated
once there. ``source`` is a SQLAlchemy ``Session``, ``Connection``, ``Engine`` or session
factory. Nothing here reads the settings: ``exact_max`` (above this many actors
betweenness is sampled) is an argument, and the API passes its ``exact_betweenness_max``
setting.

Caching (:mod:`netwerk.cache`): each call reads the network's current revision (one
primary-key lookup), takes the snapshot of ``(network, revision, as_of)`` from the
snapshot cache or loads it, and takes the result of ``(network, revision, as_of, route,
params)`` from the result cache or computes it; :func:`_route` builds that key from the
arguments the analysis function binds, its defaults included.
Building blocks shared by several routes (communities, betweenness, distance sample,
structural holes) are cached the same way, so a dashboard asking for summary, key figures,
bridges and gaps computes the communities once. A write bumps the revision, so nothing
older than an acknowledged write is served, also with several worker processes on one
database.

Global routes (summary, stage, centrality, key figures, brokers, bridges, communities, gaps:
one whole-network computation each) also survive a write and are shared between workers
(issue 12): when the current revision's result is neither in this process nor in the shared
store (:mod:`netwerk.shared_results`) but the result of the revision just before is (this
process's or any worker's), that one is answered at once, its provenance marked ``stale``
with the ``current_revision``, and the current one is computed in the background (one
job per network, route and parameters, at most 8 at once: beyond that a read waits for the
current result): in the worker's analysis process when the app has one
(:mod:`netwerk.analysis.process`, by the route's name in :data:`ROUTES`; its result is filed
here), else in a thread. A stale answer is never older than the revision
before the last write (``revision >= current_revision - 1``), is never given after an
erasure in the network (the audit log's erasure events since its computation began, with a
minute's margin, fence it off), and only when asked for with ``fresh=False`` (the API's
default; the default here, for the CLI and other callers, is the current result) and
``source`` is an engine or session factory (a background thread needs its own connection).
Otherwise the current result is computed once across workers: under a lease in the shared
store, the others wait for it. :func:`what_if` and :func:`compare` (and suggestions,
:mod:`netwerk.suggest.service`) are never answered stale.

Raises :class:`~netwerk.errors.NotFound` for an unknown network (or actor in
:func:`what_if`) and :class:`~netwerk.errors.ValidationFailed` for a bad parameter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import logging
import time
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import TypeAdapter

from netwerk import cache, metrics
from netwerk.analysis import blocks, process
from netwerk.analysis import bridges as _bridges
from netwerk.analysis import brokers as _brokers
from netwerk.analysis import centrality as _centrality
from netwerk.analysis import communities as _communities
from netwerk.analysis import compare as _compare
from netwerk.analysis import gaps as _gaps
from netwerk.analysis import key_figures as _key_figures
from netwerk.analysis import parallel as parallel_blocks
from netwerk.analysis import resilience as _resilience
from netwerk.analysis import stage as _stage
from netwerk.analysis import summary as _summary
from netwerk.analysis.centrality import (
    DEFAULT_EXACT_MAX,
)
from netwerk.analysis.compare import CompareResult
from netwerk.analysis.records import check_kinds
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, params_key, require_lang
from netwerk.shared_results import background, digest
from netwerk.store.db import after_fork, engine_of
from netwerk.store.erasures import erased_since

__all__ = [
    "DEFAULT_EXACT_MAX",
    "bridges",
    "brokers",
    "centrality",
    "communities",
    "compare",
    "full_analysis",
    "gaps",
    "key_figures",
    "stage",
    "summary",
    "what_if",
]

log = logging.getLogger("netwerk.analysis")

ERASURE_MARGIN_S = 60.0
"""A stale result is not answered when an erasure in its network was recorded later than
this many seconds before its computation began (longer than any write transaction)."""

T = TypeVar("T")
Source = cache.Source
Block = Callable[[Snapshot, Mapping[str, Any]], Any]

ROUTES: dict[str, Callable[..., Any]] = {}
"""The global routes by name (filled by :func:`_route`): what the analysis process
(:mod:`netwerk.analysis.process`) computes, by name, with the route's own parameters."""


def check_exact_max(value: int) -> int:
    """``value``, refused (:class:`ValidationFailed`) below 10."""
    if value < 10:
        raise ValidationFailed("exact_max", "must be at least 10")
    return value


def _snapshot(source: Source, network_id: str, as_of: dt.date | None, lang: str) -> Snapshot:
    require_lang(lang)
    return cache.get_snapshot(source, network_id, as_of)


def _route(
    name: str,
    fn: Callable[..., T],
    summary: str,
    *,
    blocks: Mapping[str, Block] | None = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
    shared: bool = False,
) -> Callable[..., T]:
    """The route ``name``: ``route(source, network_id, *, as_of=None, **params)`` is
    ``fn(snapshot, **params)`` on the snapshot of ``(source, network_id, as_of)``, cached
    under ``name`` and every parameter ``fn`` binds, its defaults included.

    So each parameter is stated once, in ``fn``'s signature. ``prepare`` normalises the
    parameters first. ``extra`` names the route's parameters that ``fn`` does not take,
    with their defaults: they are in the key and shape only the building blocks.
    ``blocks`` are the arguments of ``fn`` the route hands it, each ``block(snapshot,
    key)``: building blocks cached on their own and asked for only when the result is not
    cached. ``shared``: a global route (see the module doc), answered by :func:`_global`.
    """
    signature = inspect.signature(fn)
    handed = set(blocks or {})
    codec: TypeAdapter[Any] | None = (
        TypeAdapter(typing.get_type_hints(fn)["return"]) if shared else None
    )

    def route(
        source: Source,
        network_id: str,
        *,
        as_of: dt.date | None = None,
        fresh: bool = True,
        **params: Any,
    ) -> T:
        asked = dict(params)
        params = prepare(dict(params)) if prepare else dict(params)
        own = {k: params.pop(k, default) for k, default in (extra or {}).items()}
        bound = signature.bind_partial(None, **params)
        bound.apply_defaults()
        args = {k: v for k, v in list(bound.arguments.items())[1:] if k not in handed}
        key = {**args, **own}
        if "exact_max" in key:
            check_exact_max(key["exact_max"])

        def compute(s: Snapshot) -> T:
            return fn(s, **args, **{k: block(s, key) for k, block in (blocks or {}).items()})

        if codec is not None:
            require_lang(key.get("lang", "nl"))
            return _global(name, codec, source, network_id, as_of, key, compute, fresh, asked)
        s = _snapshot(source, network_id, as_of, key.get("lang", "nl"))
        return cache.cached_for(s, name, key, lambda: compute(s))

    route.__name__ = route.__qualname__ = name.removeprefix("route.")
    route.__doc__ = f"{summary}\n\nParameters: those of :func:`{fn.__module__}.{fn.__name__}`."
    if shared:
        ROUTES[name] = route
    return route


# --------------------------------------------------------------------------- global results


def _global(
    name: str,
    codec: TypeAdapter[Any],
    source: Source,
    network_id: str,
    as_of: dt.date | None,
    key: dict[str, Any],
    compute: Callable[[Snapshot], T],
    fresh: bool,
    asked: dict[str, Any],
) -> T:
    """A global route's result: this process's, the shared store's, the last one marked
    stale (and recomputed in the background: in the analysis process when there is one,
    with the parameters ``asked``), or computed here under the shared lease."""
    day = as_of or dt.date.today()
    pk = params_key(key)
    revision = cache.read_revision(source, network_id)
    found = cache.result_cache.get((network_id, revision, day, name, pk))
    if found is not None:
        return typing.cast(T, found)
    store = cache.shared
    entry = store.key(network_id, revision, day, name, digest(pk))
    data = store.get(entry)
    if data is not None:
        metrics.shared_results.labels("shared").inc()
        value = codec.validate_json(data)
        cache.result_cache.put((network_id, revision, day, name, pk), value)
        cache.remember_last((network_id, day, name, pk), revision, time.time(), value)
        return typing.cast(T, value)

    def current() -> T:
        return _current(name, codec, source, network_id, as_of, key, pk, compute)

    if not fresh and cache.is_factory(source):
        last = _last(name, codec, source, network_id, day, pk, revision)
        runner = process.runner()
        job: Callable[[], Any] = current
        if runner is not None:

            def job() -> Any:
                return _in_process(runner, name, source, network_id, as_of, pk, asked, current)

        if last is not None and background.start((network_id, day, name, pk), job) is not None:
            metrics.shared_results.labels("stale").inc()
            return typing.cast(T, _stale(last, revision))
    return current()


def _current(
    name: str,
    codec: TypeAdapter[Any],
    source: Source,
    network_id: str,
    as_of: dt.date | None,
    key: dict[str, Any],
    pk: Any,
    compute: Callable[[Snapshot], T],
) -> T:
    """The current revision's result, computed once per process (single flight) and once
    across workers (the shared lease; the others wait for the leaseholder's result)."""
    began = time.time()
    s = _snapshot(source, network_id, as_of, key.get("lang", "nl"))
    store = cache.shared
    entry = store.key(s.network_id, s.revision, s.as_of, name, digest(pk))
    last = (s.network_id, s.as_of, name, pk)

    def leased() -> T:
        token = store.lease(entry)
        while token is None:  # another worker computes it: wait while it holds the lease
            data = store.wait(entry, timeout=store.lease_s)
            if data is not None:
                return typing.cast(T, codec.validate_json(data))
            token = store.lease(entry)
        try:
            # published by a leaseholder that finished before this lease was taken
            data = store.get(entry) if store.configured else None
            if data is not None:
                metrics.shared_results.labels("shared").inc()
                return typing.cast(T, codec.validate_json(data))
            with store.holding(entry, token):
                value = metrics.timed_call(
                    metrics.analysis_seconds.labels(name), lambda: compute(s)
                )
            # not shared when an erasure may have landed meanwhile (purged already)
            if store.configured and not _erased_since(
                source, s.network_id, began - ERASURE_MARGIN_S
            ):
                body = codec.dump_json(value)
                store.publish(entry, store.last_key(*last[:3], digest(pk)), s.revision, began, body)
                metrics.shared_results.labels("computed").inc()
            return value
        finally:
            if token is not None:
                store.release(entry, token)

    value = cache.result_cache.get_or_compute((*last[:1], s.revision, *last[1:]), leased)
    cache.remember_last(last, s.revision, began, value)
    return value


def _in_process(
    runner: process.Runner,
    name: str,
    source: Source,
    network_id: str,
    as_of: dt.date | None,
    pk: Any,
    asked: dict[str, Any],
    current: Callable[[], Any],
) -> Any:
    """A background recompute in the analysis process: the child computes the current result
    (under the shared lease, publishing it, as :func:`_current` does), this process files it
    in its caches, unless an erasure in the network may have landed meanwhile. When the child
    died, ``current()`` here after all (the next job starts a new child)."""
    began = time.time()
    try:
        value = runner.compute(name, network_id, as_of, asked)
    except process.Stopped:
        return None  # shutting down
    except process.BrokenProcessPool:
        metrics.analysis_process_jobs.labels("fallback").inc()
        log.warning("the analysis process died; %s is recomputed in a thread", name)
        return current()
    except process.ChildFailed:
        metrics.analysis_process_jobs.labels("failed").inc()
        raise
    day = as_of or dt.date.today()
    revision = value.provenance.revision
    key = (network_id, revision, day, name, pk)
    last = (network_id, day, name, pk)
    cache.result_cache.put(key, value)
    cache.remember_last(last, revision, began, value)
    # filed first, then fenced: an erasure committed after this check purges it after us
    if _erased_since(source, network_id, began - ERASURE_MARGIN_S):
        cache.result_cache.discard(key, lambda kept: kept is value)
        cache.last_results.discard(last, lambda kept: kept[2] is value)
        metrics.analysis_process_jobs.labels("dropped").inc()
        return None
    metrics.analysis_process_jobs.labels("computed").inc()
    return value


def _last(
    name: str,
    codec: TypeAdapter[Any],
    source: Source,
    network_id: str,
    day: dt.date,
    pk: Any,
    revision: int,
) -> Any:
    """The last result of the revision before ``revision`` (this process's or the shared
    store's), or None, also when an erasure may have touched it."""
    kept = cache.last_results.get((network_id, day, name, pk))
    if kept is None or kept[0] != revision - 1:
        published = cache.shared.get_last(cache.shared.last_key(network_id, day, name, digest(pk)))
        if published is None or published[0] != revision - 1:
            return None
        kept = (published[0], published[1], codec.validate_json(published[2]))
    if _erased_since(source, network_id, kept[1] - ERASURE_MARGIN_S):
        return None
    return kept[2]


def _erased_since(source: Source, network_id: str, since: float) -> bool:
    stamp = dt.datetime.fromtimestamp(since, dt.UTC)
    return cache.with_connection(source, lambda conn: erased_since(conn, network_id, stamp))


def _stale(result: Any, revision: int) -> Any:
    """``result`` with its provenance marked stale at the current ``revision``."""
    marked = dataclasses.replace(result.provenance, stale=True, current_revision=revision)
    return dataclasses.replace(result, provenance=marked)


def _kinds(params: dict[str, Any]) -> dict[str, Any]:
    return {**params, "kind": check_kinds(params.get("kind"))}


def _gap_kinds(params: dict[str, Any]) -> dict[str, Any]:
    kinds = params.pop("kinds", None)
    if kinds is not None:  # none: every kind (the default of gaps.gaps)
        listed = kinds.split(",") if isinstance(kinds, str) else kinds
        params["kinds"] = tuple(k.strip() for k in listed)
    return params


def _actor(params: dict[str, Any]) -> dict[str, Any]:
    """``remove`` is the actor who leaves (``actor_id`` of :func:`.resilience.what_if`)."""
    params = dict(params)
    params["actor_id"] = params.pop("remove")
    return params


# --------------------------------------------------------------------------- routes

_FIGURES = {"distances": blocks.distance_pass}
_COMMUNITIES = {"communities": blocks.communities_of}

summary = _route(
    "route.summary",
    _summary.summary,
    "Counts, density, components, clustering, path length and stage.",
    blocks=_FIGURES,
    shared=True,
)
stage = _route(
    "route.stage",
    _stage.stage,
    "The Krebs & Holley development stage with its figures.",
    blocks=_FIGURES,
    shared=True,
)
centrality = _route(
    "route.centrality",
    _centrality.centrality,
    "The ``top`` actors by ``measure`` (one of :data:`~.centrality.MEASURES`), optionally "
    "of ``kind`` only; sampled measures state their error.",
    blocks={"precomputed": blocks.ranked},
    prepare=_kinds,
    shared=True,
)
key_figures = _route(
    "route.key_figures",
    _key_figures.key_figures,
    "Recognised and unrecognised key figures, with reasons.",
    blocks={**_COMMUNITIES, "betweenness": blocks.betweenness, "two_step": blocks.two_step},
    extra={"pivots": None},
    shared=True,
)
brokers = _route(
    "route.brokers",
    _brokers.brokers,
    "Articulation points, structural holes and Gould–Fernandez roles over ``grouping`` "
    "(``community``, ``area``, ``language`` or ``kind``).",
    blocks={"communities": blocks.grouped_communities, "holes": blocks.holes_of},
    prepare=_kinds,
    shared=True,
)
bridges = _route(
    "route.bridges",
    _bridges.bridges,
    "Cut edges (largest split first) and the only ties between two communities.",
    blocks=_COMMUNITIES,
    extra={"lang": "nl"},
    shared=True,
)
communities = _route(
    "route.communities",
    _communities.communities,
    "Leiden communities, modularity and between-community tie density.",
    blocks={"precomputed": blocks.resolved},
    shared=True,
)
gaps = _route(
    "route.gaps",
    _gaps.gaps,
    "Every gap kind of DESIGN.md 4 (or the ``kinds`` asked), with actors and sentences.",
    blocks=_COMMUNITIES,
    prepare=_gap_kinds,
    shared=True,
)
what_if = _route(
    "route.what_if",
    _resilience.what_if,
    "Resilience if actor ``remove`` leaves: who loses help, what splits, handover. An "
    "unknown actor raises :class:`~netwerk.errors.NotFound` and caches nothing.",
    blocks=_COMMUNITIES,
    prepare=_actor,
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


FULL_ANALYSIS: tuple[str, ...] = (
    "summary",
    "stage",
    "key_figures",
    "brokers",
    "bridges",
    "communities",
    "gaps",
)
"""The analyses of the full analysis (every route but :func:`what_if`, which needs an actor,
and :func:`compare`, which needs a second date), in the order of their results."""

_SAMPLED = ("summary", "stage", "key_figures")  # the routes that take exact_max
_COMPUTE_ORDER = ("key_figures", "summary", "stage", "brokers", "bridges", "communities", "gaps")
_FORKED = "brokers"
"""With ``parallel``, the analysis computed in a forked child while this process runs the
ones after key figures (its order: last)."""
_PARALLEL_ORDER = (*(n for n in _COMPUTE_ORDER if n != _FORKED), _FORKED)


def full_analysis(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    exact_max: int = DEFAULT_EXACT_MAX,
    parallel: bool = False,
) -> list[tuple[str, Callable[[], Any]]]:
    """The steps of the full analysis of a network: ``("snapshot", load)`` and then one
    ``(name, run)`` per analysis of :data:`FULL_ANALYSIS`, each a call without arguments that
    returns the route's result. The caller runs them in the order given (and may time them).

    The steps share one snapshot and the building blocks through the cache (one partition,
    one pivot pass, one set of structural-hole scores). Key figures come first: their pivot
    pass carries Brandes' dependencies and so holds everything summary and stage need,
    while summary first would run a distances-only pass that betweenness cannot reuse.

    ``parallel``: the key-figures step first computes the partition, the two-step reach and
    the pivot pass in two processes (:func:`.parallel.prefetch`; the same values); then,
    when ``source`` is an engine, brokers are computed in a forked child (on connections of
    its own) while this process runs summary, stage, bridges, communities and gaps, and
    come last. For a caller whose other threads run no seeded igraph routine meanwhile
    (the CLI).
    """
    check_exact_max(exact_max)
    sampled = {"exact_max": exact_max}
    routes: dict[str, Callable[..., Any]] = {
        "summary": summary,
        "stage": stage,
        "key_figures": key_figures,
        "brokers": brokers,
        "bridges": bridges,
        "communities": communities,
        "gaps": gaps,
    }
    params = {name: sampled if name in _SAMPLED else {} for name in routes}

    def load() -> Snapshot:
        return _snapshot(source, network_id, as_of, lang)

    def analysis(name: str) -> Any:
        return routes[name](source, network_id, as_of=as_of, lang=lang, **params[name])

    forked: dict[str, Callable[[], Any]] = {}

    engine = engine_of(source)

    def in_child() -> Any:
        assert engine is not None
        after_fork(engine)  # the parent's pooled connections stay the parent's
        return analysis(_FORKED)

    def step(name: str) -> Callable[[], Any]:
        def run() -> Any:
            if name in forked:
                value = forked.pop(name)()
                if value is not None:
                    return value
            if parallel and name == "key_figures":
                parallel_blocks.prefetch(load(), exact_max=exact_max)
            value = analysis(name)
            if parallel and name == "key_figures" and engine is not None:
                forked[_FORKED] = parallel_blocks.forked(in_child)
            return value

        return run

    order = _PARALLEL_ORDER if parallel else _COMPUTE_ORDER
    return [("snapshot", load), *((name, step(name)) for name in order)]
