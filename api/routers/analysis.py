"""Analysis routes (DESIGN.md sections 4 and 8). Brokers and admins get person-level results
with names; viewers get aggregates and non-person actors only (``api.present``); researchers
use the export. Every route takes ``as_of`` and answers with the result's provenance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api import present
from api.deps import Lang, Scope, SessionDep, SettingsDep, scope
from api.errors import PROBLEM_RESPONSES
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
    responses={**PROBLEM_RESPONSES, 503: {"description": "the analysis took too long"}},
)

Reader = Annotated[Scope, scope(Role.admin, Role.broker, Role.viewer)]
AsOf = Annotated[IsoDate | None, Query(description="analyse the network as it was that day")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="seed of randomised steps")]
Top = Annotated[int, Query(ge=1, le=1000)]


def _route(path: str, result_type: Any, operation_id: str, summary: str) -> Any:
    return router.get(
        path,
        response_class=JSONResponse,
        operation_id=operation_id,
        summary=summary,
        responses=present.documented(result_type, summary),
    )


@_route(
    "/summary",
    SummaryResult,
    "analysisSummary",
    "Counts, density, components, clustering, path length and stage",
)
def summary(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.summary,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/stage",
    StageResult,
    "analysisStage",
    "Development stage after Krebs & Holley, with the figures behind it",
)
def stage(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.stage,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/centrality",
    CentralityResult,
    "analysisCentrality",
    "Actors ranked by a centrality measure (sampled measures state their error)",
)
def centrality(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    measure: Annotated[Literal[MEASURES], Query()] = "betweenness",  # type: ignore[valid-type]
    top: Top = 20,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6)] = None,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.centrality,
        measure=measure,
        top=top,
        kind=[k.value for k in kind] if kind else None,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/key-figures",
    KeyFiguresResult,
    "analysisKeyFigures",
    "Recognised key figures and persons who act as one, with why",
)
def key_figures(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    top: Top = 50,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.key_figures,
        top=top,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/brokers",
    BrokersResult,
    "analysisBrokers",
    "Articulation points, structural holes and Gould–Fernandez brokerage roles",
)
def brokers(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    grouping: Literal["community", "area", "language", "kind"] = "community",
    top: Top = 20,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.brokers,
        grouping=grouping,
        top=top,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/bridges", BridgesResult, "analysisBridges", "Cut edges and the only ties between communities"
)
def bridges(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    limit: Top = 50,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.bridges,
        limit=limit,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/communities",
    CommunitiesResult,
    "analysisCommunities",
    "Leiden communities, modularity and the tie density between them",
)
def communities(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    members: bool = False,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.communities,
        include_members=members and s.sees_persons,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/gaps",
    GapsResult,
    "analysisGaps",
    "Every kind of gap in the network, with the actors concerned and an explanation",
)
def gaps(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    reach: Annotated[int, Query(ge=1, le=3)] = 2,
    limit: Top = 100,
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.gaps,
        reach=reach,
        limit=limit,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/what-if",
    WhatIfResult,
    "analysisWhatIf",
    "Resilience if this actor leaves: who loses help, what splits, whom to introduce",
)
def what_if(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    remove: Annotated[str, Query(min_length=1, max_length=64)],
    as_of: AsOf = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    actor = get_actor(session, s.network_id, remove)
    if not s.sees_persons and is_person(actor.kind):
        raise NotFound("actor", remove)  # viewers may ask about organisations and places
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.what_if,
        remove=remove,
        as_of=as_of,
        lang=lang,
        seed=seed,
    )


@_route(
    "/compare",
    CompareResult,
    "analysisCompare",
    "Change between two dates: ties gained and lost, figures, stage",
)
def compare(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    from_: Annotated[IsoDate, Query(alias="from", description="the earlier day")],
    to: Annotated[IsoDate | None, Query(description="the later day (default today)")] = None,
    lang: Lang = None,
    seed: Seed = 0,
) -> JSONResponse:
    return present.respond(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        service.compare,
        from_date=from_,
        to_date=to or dt.date.today(),
        lang=lang,
        seed=seed,
    )
