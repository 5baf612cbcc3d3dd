"""Analysis routes (DESIGN.md sections 4 and 8). Brokers and admins get person-level results
with names; viewers get aggregates and non-person actors only (``api.present``); researchers
use the export. Every route takes ``as_of`` and answers with the result's provenance, also in
the ``X-Netwerk-Revision``, ``X-Netwerk-Current-Revision`` and ``X-Netwerk-Stale`` headers
(a global result may be the last one, marked stale, right after a write; ``fresh=true``
waits for the current one: :mod:`netwerk.analysis.service`). An analysis that takes longer
than the request waits is answered ``202 Accepted`` with a status URL (:mod:`api.jobs`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api import jobs, present
from api.deps import Lang, Scope
from api.errors import PROBLEM_RESPONSES
from api.presenter import Presenter, presenter
from api.schemas import IsoDate
from netwerk.analysis import service
from netwerk.analysis.bridges import BridgesResult
from netwerk.analysis.brokers import BrokersResult
from netwerk.analysis.centrality import MEASURES, CentralityResult
from netwerk.analysis.communities import CommunitiesResult
from netwerk.analysis.compare import CompareResult
from netwerk.analysis.gaps import GapsResult
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.resilience import WhatIfResult
from netwerk.analysis.stage import StageResult
from netwerk.analysis.summary import SummaryResult
from netwerk.errors import NotFound
from netwerk.model import ActorKind, Role
from netwerk.privacy import is_person
from netwerk.store.actors import get_actor

router = APIRouter(
    prefix="/api/v1/networks/{nid}/analysis",
    tags=["analysis"],
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Presenter, presenter(Role.admin, Role.broker, Role.viewer)]
AsOf = Annotated[IsoDate | None, Query(description="analyse the network as it was that day")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="seed of randomised steps")]
Top = Annotated[int, Query(ge=1, le=1000)]


def _route(path: str, result_type: Any, summary: str) -> Any:
    """``GET <path>``, operation ``analysis<Path>`` (``/key-figures``: ``analysisKeyFigures``)."""
    words = path.strip("/").split("-")
    return router.get(
        path,
        response_class=JSONResponse,
        operation_id="analysis" + "".join(w.title() for w in words),
        summary=summary,
        responses={
            **present.documented(result_type, summary, headers=present.REVISION_HEADERS),
            **jobs.ACCEPTED,
        },
    )


@dataclass(frozen=True)
class Analysis:
    """What every analysis route passes on: its presenter and the parameters all routes
    share (the language, the seed and, but for ``compare``, the day)."""

    presenter: Presenter
    shared: dict[str, Any]

    @property
    def scope(self) -> Scope:
        return self.presenter.scope

    @property
    def exact_max(self) -> int:
        """Above this many actors betweenness is sampled (the app's setting)."""
        return self.presenter.settings.exact_betweenness_max

    def respond(self, fn: Any, **params: Any) -> JSONResponse:
        return self.presenter.respond(fn, **self.shared, **params)


def _between_days(p: Reader, lang: Lang = None, seed: Seed = 0) -> Analysis:
    return Analysis(p, {"lang": lang, "seed": seed})


BetweenDays = Annotated[Analysis, Depends(_between_days)]


Fresh = Annotated[
    bool,
    Query(
        description="wait for the result of the current revision instead of the last one "
        "marked stale (X-Netwerk-Stale) right after a write"
    ),
]


def _on_a_day(a: BetweenDays, as_of: AsOf = None, fresh: Fresh = False) -> Analysis:
    return Analysis(a.presenter, {**a.shared, "as_of": as_of, "fresh": fresh})


OnADay = Annotated[Analysis, Depends(_on_a_day)]


@_route("/summary", SummaryResult, "Counts, density, components, clustering, path length and stage")
def summary(a: OnADay) -> JSONResponse:
    return a.respond(service.summary, exact_max=a.exact_max)


@_route("/stage", StageResult, "Development stage after Krebs & Holley, with the figures behind it")
def stage(a: OnADay) -> JSONResponse:
    return a.respond(service.stage, exact_max=a.exact_max)


@_route(
    "/centrality",
    CentralityResult,
    "Actors ranked by a centrality measure (sampled measures state their error)",
)
def centrality(
    a: OnADay,
    measure: Annotated[Literal[MEASURES], Query()] = "betweenness",  # type: ignore[valid-type]
    top: Top = 20,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6)] = None,
) -> JSONResponse:
    kinds = [k.value for k in kind] if kind else None
    return a.respond(
        service.centrality, measure=measure, top=top, kind=kinds, exact_max=a.exact_max
    )


@_route(
    "/key-figures", KeyFiguresResult, "Recognised key figures and persons who act as one, with why"
)
def key_figures(a: OnADay, top: Top = 50) -> JSONResponse:
    return a.respond(service.key_figures, top=top, exact_max=a.exact_max)


@_route(
    "/brokers",
    BrokersResult,
    "Articulation points, structural holes and Gould–Fernandez brokerage roles",
)
def brokers(
    a: OnADay,
    grouping: Literal["community", "area", "language", "kind"] = "community",
    top: Top = 20,
) -> JSONResponse:
    return a.respond(service.brokers, grouping=grouping, top=top)


@_route("/bridges", BridgesResult, "Cut edges and the only ties between communities")
def bridges(a: OnADay, limit: Top = 50) -> JSONResponse:
    return a.respond(service.bridges, limit=limit)


@_route(
    "/communities",
    CommunitiesResult,
    "Leiden communities, modularity and the tie density between them",
)
def communities(a: OnADay, members: bool = False) -> JSONResponse:
    return a.respond(service.communities, include_members=members and a.scope.sees_persons)


@_route(
    "/gaps",
    GapsResult,
    "Every kind of gap in the network, with the actors concerned and an explanation",
)
def gaps(a: OnADay, reach: Annotated[int, Query(ge=1, le=3)] = 2, limit: Top = 100) -> JSONResponse:
    return a.respond(service.gaps, reach=reach, limit=limit)


@_route(
    "/what-if",
    WhatIfResult,
    "Resilience if this actor leaves: who loses help, what splits, whom to introduce",
)
def what_if(a: OnADay, remove: Annotated[str, Query(min_length=1, max_length=64)]) -> JSONResponse:
    actor = get_actor(a.presenter.session, a.scope.network_id, remove)
    if not a.scope.sees_persons and is_person(actor.kind):
        raise NotFound("actor", remove)  # viewers may ask about organisations and places
    return a.respond(service.what_if, remove=remove)


@_route("/compare", CompareResult, "Change between two dates: ties gained and lost, figures, stage")
def compare(
    a: BetweenDays,
    from_: Annotated[IsoDate, Query(alias="from", description="the earlier day")],
    to: Annotated[IsoDate | None, Query(description="the later day (default today)")] = None,
) -> JSONResponse:
    return a.respond(
        service.compare,
        from_date=from_,
        to_date=to or dt.date.today(),
        exact_max=a.exact_max,
    )
