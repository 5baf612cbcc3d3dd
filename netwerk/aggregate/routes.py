"""The viewer's side of every route a viewer may call: the same analysis, answered as an
aggregate (DESIGN.md 6).

:func:`for_viewer` maps a route's domain function (``netwerk.analysis.service.gaps``, ...)
to its viewer function here; a function without one raises
:class:`~netwerk.privacy.PrivacyError`, so a route added later cannot reach a viewer with
person rows by accident. Each viewer function has the route function's parameters plus
``threshold`` (the network's small-cell threshold), returns an aggregate type with the
person counts still raw, and leaves suppression to :func:`present` (one place).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from netwerk import cache
from netwerk.aggregate import build
from netwerk.aggregate.types import (
    BridgesView,
    BrokersView,
    CentralityView,
    CommunitiesView,
    CompareView,
    FeedbackStatsView,
    GapsView,
    KeyFiguresView,
    WhatIfView,
)
from netwerk.analysis import blocks, service
from netwerk.analysis.resilience import _pieces
from netwerk.analysis.stage import StageResult
from netwerk.analysis.summary import SummaryResult
from netwerk.privacy import PrivacyError, check_aggregate, suppress
from netwerk.suggest import service as suggest_service

__all__ = ["VIEWS", "for_viewer", "present"]

Source = cache.Source


def present(view: Any, threshold: int) -> Any:
    """Suppress the marked counts and make sure the view is an aggregate."""
    out = suppress(view, threshold)
    check_aggregate(out)
    return out


def _snapshot(source: Source, network_id: str, as_of: dt.date | None) -> Any:
    return cache.get_snapshot(source, network_id, as_of)


def summary(source: Source, network_id: str, *, threshold: int, **params: Any) -> SummaryResult:
    return service.summary(source, network_id, **params)


def stage(source: Source, network_id: str, *, threshold: int, **params: Any) -> StageResult:
    return service.stage(source, network_id, **params)


def centrality(source: Source, network_id: str, *, threshold: int, **params: Any) -> CentralityView:
    result = service.centrality(source, network_id, **params)
    return build.centrality(result, _snapshot(source, network_id, params.get("as_of")))


def key_figures(
    source: Source, network_id: str, *, threshold: int, **params: Any
) -> KeyFiguresView:
    params["top"] = 10_000  # every figure counted, none listed
    result = service.key_figures(source, network_id, **params)
    return build.key_figures(result, _snapshot(source, network_id, params.get("as_of")))


def brokers(source: Source, network_id: str, *, threshold: int, **params: Any) -> BrokersView:
    result = service.brokers(source, network_id, **params)
    return build.brokers(result, _snapshot(source, network_id, params.get("as_of")))


def bridges(source: Source, network_id: str, *, threshold: int, **params: Any) -> BridgesView:
    result = service.bridges(source, network_id, **params)
    return build.bridges(result, _snapshot(source, network_id, params.get("as_of")))


def communities(
    source: Source, network_id: str, *, threshold: int, **params: Any
) -> CommunitiesView:
    params["include_members"] = False
    return build.communities(service.communities(source, network_id, **params), threshold)


def gaps(source: Source, network_id: str, *, threshold: int, **params: Any) -> GapsView:
    params["limit"] = 100_000  # every gap counted, none listed about a person
    result = service.gaps(source, network_id, **params)
    s = _snapshot(source, network_id, params.get("as_of"))
    part = blocks.partition(s, int(params.get("seed", 0)))
    return build.gaps(result, s, part, threshold, params.get("lang", "nl"))


def what_if(source: Source, network_id: str, *, threshold: int, **params: Any) -> WhatIfView:
    params["limit"] = 100_000
    result = service.what_if(source, network_id, **params)
    s = _snapshot(source, network_id, params.get("as_of"))
    if result.actor.person:
        raise PrivacyError("what-if about a person")
    pieces = _pieces(s, s.actor_index(result.actor.actor_id))[1:]
    return build.what_if(result, s, pieces, threshold, params.get("lang", "nl"))


def compare(source: Source, network_id: str, *, threshold: int, **params: Any) -> CompareView:
    return build.compare(service.compare(source, network_id, **params), threshold)


def stats(
    source: Source,
    network_id: str,
    *,
    threshold: int,
    lang: str = "nl",
    since: dt.date | None = None,
    until: dt.date | None = None,
    **_: Any,
) -> FeedbackStatsView:
    """Never per broker for viewers, whatever the route asked."""
    return build.stats(
        suggest_service.stats(source, network_id, since=since, until=until), threshold
    )


VIEWS: dict[Callable[..., Any], Callable[..., Any]] = {
    service.summary: summary,
    service.stage: stage,
    service.centrality: centrality,
    service.key_figures: key_figures,
    service.brokers: brokers,
    service.bridges: bridges,
    service.communities: communities,
    service.gaps: gaps,
    service.what_if: what_if,
    service.compare: compare,
    suggest_service.stats: stats,
}


def for_viewer(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The viewer function of a route's domain function (see the module doc)."""
    try:
        return VIEWS[fn]
    except KeyError:
        raise PrivacyError(f"{getattr(fn, '__name__', fn)!r} has no aggregate view") from None
