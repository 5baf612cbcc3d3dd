"""The wijkteam dashboard: its page (``/dashboard/{nid}``, from the shared ``web/`` folder),
the figures behind it in one call, the monthly series, a broker's group names, and the
report as a PDF. Thin: :mod:`netwerk.dashboard` computes, :mod:`netwerk.dashboard.view`
decides what the caller's role may see (viewers: aggregates only, small counts suppressed)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from api import jobs as resumable
from api.deps import Lang, Scope, SessionDep, SettingsDep, language, scope
from api.errors import CONFLICT, PROBLEM_RESPONSES, problem_only
from api.present import network_threshold, run
from api.routers.web import CSP
from api.schemas import IsoDate
from netwerk.dashboard import names as group_names_store
from netwerk.dashboard import report as pdf_report
from netwerk.dashboard import service, trend, view
from netwerk.errors import Conflict, NotFound
from netwerk.model import Role
from netwerk.store.revision import current_revision
from netwerk.store.tables import Network
from web import page

router = APIRouter(tags=["dashboard"])
api_router = APIRouter(prefix="/api/v1", tags=["dashboard"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Scope, scope(Role.admin, Role.broker, Role.viewer)]
Broker = Annotated[Scope, scope(Role.admin, Role.broker)]
AsOf = Annotated[IsoDate | None, Query(description="the date the ties were active on")]


@router.get(
    "/dashboard/{nid}",
    response_class=HTMLResponse,
    operation_id="dashboard",
    responses={
        200: {"content": {"text/html": {}}, "description": "the page"},
        422: problem_only("The network id is longer than 64 characters"),
    },
)
def dashboard_page(nid: Annotated[str, PathParam(max_length=64)]) -> HTMLResponse:
    """The dashboard page of a network (it asks for a token, then loads the figures)."""
    return HTMLResponse(page("dashboard"), headers={"Content-Security-Policy": CSP})


def _view(
    request: Request,
    session: SessionDep,
    s: Scope,
    as_of: dt.date | None,
    lang: str,
    timeout: float | None = None,
) -> dict[str, Any]:
    """The dashboard's figures for the caller's role; with ``timeout``, computed in an
    analysis thread within that wait (:func:`api.present.run`: ``202`` with a status URL
    when it takes longer), else here."""
    engine = request.app.state.engine
    threshold = network_threshold(session, s.network_id)
    persons = s.sees_persons

    def build() -> dict[str, Any]:
        d = service.dashboard(engine, s.network_id, as_of=as_of, lang=lang)
        names = service.actor_names(
            engine, s.network_id, service.referenced_ids(d), sees_persons=persons, lang=lang
        )
        shown = None
        if not persons:
            cells = view.group_cells(d, threshold)
            shown = {g.group: cells[g.group] is not None for g in d.layout.groups}
        return view.present(
            d,
            sees_persons=persons,
            threshold=threshold,
            lang=lang,
            group_names=service.group_names(engine, d, lang, shown=shown),
            names=names,
        )

    if timeout is None:
        data = build()
    else:  # a copy: a status request may share the computation's result
        data = dict(run(request, session, s, timeout, ("dashboard", as_of, lang, threshold), build))
    data["network_name"] = session.get(Network, s.network_id).name  # type: ignore[union-attr]
    if persons:
        request.state.audit_objects = ["dashboard"]
    return data


@api_router.get(
    "/networks/{nid}/dashboard", operation_id="dashboardFigures", responses=resumable.ACCEPTED
)
def figures(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Reader,
    as_of: AsOf = None,
    lang: Lang = None,
) -> JSONResponse:
    """Everything the dashboard shows, for the caller's role: key figures and stage, the
    group map (named groups, links by tie density, named organisations, initiatives and
    places), gaps per area with the first three actions, key figures and resilience,
    activation results. Viewers: aggregates only, counts below the threshold ``null``.
    Longer than the request waits: ``202 Accepted`` with a status URL."""
    lang = language(request, lang)
    return JSONResponse(_view(request, session, s, as_of, lang, settings.analysis_timeout_s))


@api_router.get("/networks/{nid}/dashboard/trend", operation_id="dashboardTrend")
def monthly(
    request: Request,
    session: SessionDep,
    s: Reader,
    to: Annotated[IsoDate | None, Query(description="last day of the series")] = None,
    months: Annotated[int, Query(ge=1, le=24)] = 12,
    wait: Annotated[
        bool, Query(description="false: an older revision's series now (stale) rather than wait")
    ] = True,
    lang: Lang = None,
) -> JSONResponse:
    """Per month up to ``to`` (default today): ties gained and lost (as the compare route
    between the month's two dates), isolated residents, groups without help, unmet needs,
    stage, suggestions accepted and ties formed. Viewers: person counts below the threshold
    ``null``."""
    result = trend.trend(
        request.app.state.engine,
        s.network_id,
        to=to,
        months=months,
        lang=language(request, lang),
        wait=wait,
    )
    threshold = network_threshold(session, s.network_id)
    rows = []
    for m in result.months:
        row = dict(m.__dict__)
        if not s.sees_persons:
            for key in ("isolated", "unmet_needs", "accepted", "ties_formed"):
                if 0 < row[key] < threshold:
                    row[key] = None
        rows.append(row)
    return JSONResponse(
        {
            "network_id": s.network_id,
            "revision": result.revision,
            "stale": result.stale,
            "current_revision": result.current_revision,
            "months": rows,
        }
    )


class GroupNameBody(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    revision: int | None = Field(
        default=None, description="the revision the group number was read at (409 if older)"
    )


def _group(
    request: Request, session: SessionDep, s: Scope, group: int, revision: int | None
) -> tuple[Any, int]:
    now = current_revision(session, s.network_id)
    if revision is not None and revision != now:
        raise Conflict(
            f"the network changed since revision {revision} (now {now}): reload the dashboard"
        )
    d = service.dashboard(request.app.state.engine, s.network_id)
    g = service.group_of(d, group)
    if g is None:
        raise NotFound("group", str(group))
    return g, d.revision


@api_router.put(
    "/networks/{nid}/dashboard/groups/{group}/name",
    operation_id="nameGroup",
    responses={409: CONFLICT},
)
def name_group(
    request: Request,
    session: SessionDep,
    s: Broker,
    group: Annotated[int, PathParam(ge=0, le=1_000_000)],
    body: GroupNameBody,
) -> JSONResponse:
    """Give a group a name of the team's own; it follows the group to later revisions as
    long as most of its members stay together."""
    g, revision = _group(request, session, s, group, body.revision)
    group_names_store.store(
        session,
        s.network_id,
        name=body.name,
        members=frozenset(g.members),
        revision=revision,
        token_id=s.principal.token_id,
    )
    session.commit()
    return JSONResponse({"group": group, "name": group_names_store.clean_name(body.name)})


@api_router.delete(
    "/networks/{nid}/dashboard/groups/{group}/name",
    operation_id="forgetGroupName",
    status_code=204,
)
def forget_group_name(
    request: Request,
    session: SessionDep,
    s: Broker,
    group: Annotated[int, PathParam(ge=0, le=1_000_000)],
) -> Response:
    """Back to the name the rules give."""
    g, _ = _group(request, session, s, group, None)
    group_names_store.forget(session, s.network_id, frozenset(g.members))
    session.commit()
    return Response(status_code=204)


@router.get(
    "/dashboard/{nid}/report.pdf",
    operation_id="dashboardReport",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the report"},
        **PROBLEM_RESPONSES,
    },
)
def report(
    request: Request, session: SessionDep, s: Reader, as_of: AsOf = None, lang: Lang = None
) -> Response:
    """The dashboard as an A4 PDF (the same figures and map as the page, for the role),
    with the date and revision on every page."""
    text_lang = language(request, lang)
    data = _view(request, session, s, as_of, text_lang)
    end = dt.date.fromisoformat(data["as_of"])
    series = trend.trend(request.app.state.engine, s.network_id, to=end, lang=text_lang)
    threshold = data["threshold"]
    months = []
    for m in series.months[-6:]:
        row = dict(m.__dict__)
        if not s.sees_persons:
            for key in ("isolated", "unmet_needs", "accepted", "ties_formed"):
                if 0 < row[key] < threshold:
                    row[key] = None
        months.append(row)
    body = pdf_report.render(data, months, text_lang)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="dashboard-{s.network_id}.pdf"'},
    )
