"""Routes the broker's workspace needs beyond the v1 basics, usable by brokers' own tools too:
who am I, type-ahead search, the ego network of an actor, the neighbourhood map, consent
provenance and the decisions on an actor's suggestions. Thin: each calls
:mod:`netwerk.explore.service` and presents the result for the caller's role."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api import jobs, present
from api.deps import (
    ALL_ROLES,
    Lang,
    Scope,
    SessionDep,
    audit_objects,
    language,
    require_roles,
    scope,
)
from api.errors import PROBLEM_RESPONSES
from api.presenter import Presenter, presenter
from netwerk import cache, words
from netwerk.dashboard.service import area_facts
from netwerk.explore import service
from netwerk.explore.ego import SECTOR_TIE_KINDS, SECTORS, EgoNetwork
from netwerk.explore.service import MAP_MEASURES, ConsentRecord, DecisionList, SearchResult
from netwerk.model import (
    PERSON_KINDS,
    ActorKind,
    Consent,
    ConsentBasis,
    Role,
    SupportKind,
    TieKind,
)
from netwerk.privacy import anonymous_label
from netwerk.store.lookups import actor_names, networks_by_name, token_name
from netwerk.store.tokens import Principal

router = APIRouter(prefix="/api/v1", tags=["workspace"], responses=PROBLEM_RESPONSES)

Broker = Annotated[Scope, scope(Role.admin, Role.broker)]
BrokerPresenter = Annotated[Presenter, presenter(Role.admin, Role.broker)]
Reader = Annotated[Scope, scope(Role.admin, Role.broker, Role.viewer)]
AnyRole = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
NON_PERSONS = tuple(k.value for k in ActorKind if k not in PERSON_KINDS)


class NetworkBrief(BaseModel):
    id: str
    name: str
    area_code: str | None


class Me(BaseModel):
    token_id: str
    name: str
    role: Role
    networks: list[NetworkBrief]
    """The networks this token may use (every network for an admin)."""


@router.get("/me", response_model=Me, operation_id="me")
def me(session: SessionDep, principal: AnyRole) -> Me:
    """The caller: the token's name and role, and the networks it may use (no secret)."""
    name = token_name(session, principal.token_id)
    ids = sorted(principal.networks) if principal.networks is not None else None
    rows = networks_by_name(session, ids, 1000)
    return Me(
        token_id=principal.token_id,
        name=name,
        role=principal.role,
        networks=[NetworkBrief(id=i, name=n, area_code=a) for i, n, a in rows],
    )


@router.get(
    "/networks/{nid}/search",
    response_class=JSONResponse,
    operation_id="searchActors",
    responses=present.documented(SearchResult, "Actors whose name matches, best first"),
)
def search(
    request: Request,
    session: SessionDep,
    s: Reader,
    q: Annotated[str | None, Query(max_length=100, description="a name, or part of it")] = None,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6)] = None,
    area: Annotated[str | None, Query(max_length=80)] = None,
    theme: Annotated[str | None, Query(max_length=40, description="a need or an asset")] = None,
    language_: Annotated[
        str | None, Query(alias="language", max_length=3, description="ISO 639 code")
    ] = None,
    consent: Literal["given", "unknown", "withdrawn"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    lang: Lang = None,
) -> JSONResponse:
    """Type-ahead search on name, tolerant of accents and small typos ("Lína", "Lnia" find
    Lina), with filters on kind, area, theme, language and consent. Viewers search
    organisations, initiatives and places only; a person with withdrawn consent is never
    found by name."""
    kinds = [k.value for k in kind or []]
    if not s.sees_persons:
        kinds = [k for k in kinds if k in NON_PERSONS] if kinds else list(NON_PERSONS)
        consent = None
    if not kinds and kind:
        kinds = ["-"]  # asked only for kinds this role may not see: nothing
    result = service.search(
        request.app.state.engine,
        s.network_id,
        q=q,
        kinds=kinds,
        area=area,
        theme=theme,
        language=language_,
        consent=consent,
        limit=limit,
    )
    # Viewers asked for organisations, initiatives and places only (above): no person row and
    # no count of persons is in the answer, and their names are public in the network, so
    # the names are joined in for every role (and no row about a person survives for them).
    data = present.to_data(result)
    if not s.sees_persons:
        data["items"] = [i for i in data["items"] if not i["person"]]
    data, persons = present.for_broker(data, session, s.network_id, language(request, lang))
    audit_objects(request, persons)
    return JSONResponse(data)


@router.get(
    "/networks/{nid}/actors/{aid}/ego",
    response_class=JSONResponse,
    operation_id="actorEgoNetwork",
    responses={
        **present.documented(EgoNetwork, "The actor's network, steps ties out"),
        **jobs.ACCEPTED,
    },
)
def ego(
    p: BrokerPresenter,
    aid: str,
    steps: Annotated[int, Query(ge=1, le=3)] = 2,
    max_nodes: Annotated[int, Query(ge=10, le=500)] = 150,
    lang: Lang = None,
) -> JSONResponse:
    """The actor's ego network (default two steps out) laid out as a netwerkkaart: sectors
    family, friends and neighbours, school/work/leisure, care and support; positions,
    communities, tie strengths and support kinds."""
    return p.respond(
        service.ego,
        actor_id=aid,
        steps=steps,
        max_nodes=max_nodes,
        lang=lang,
    )


@router.get(
    "/networks/{nid}/actors/{aid}/consent",
    response_class=JSONResponse,
    operation_id="actorConsent",
    responses=present.documented(ConsentRecord, "Consent, its basis and who recorded it"),
)
def consent_record(
    request: Request, session: SessionDep, s: Broker, aid: str, lang: Lang = None
) -> JSONResponse:
    """A person's consent with its provenance: the basis (consent or legal task), when it
    was recorded and by which token (name and role)."""
    record = service.consent_record(session, s.network_id, aid)
    return present.show(request, session, s, record, language(request, lang))


@router.get(
    "/networks/{nid}/actors/{aid}/decisions",
    response_class=JSONResponse,
    operation_id="actorDecisions",
    responses=present.documented(DecisionList, "Decisions and outcomes, newest first"),
)
def decisions(
    request: Request,
    session: SessionDep,
    s: Broker,
    aid: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    lang: Lang = None,
) -> JSONResponse:
    """What brokers decided on suggestions that involve this actor (as source or target),
    and what came of them: the feedback ids to record an outcome on."""
    result = service.decisions(session, s.network_id, aid, limit=limit)
    return present.show(request, session, s, result, language(request, lang))


class MapNodes(BaseModel):
    ids: list[str]
    names: list[str]
    kinds: list[str]
    x: list[float]
    y: list[float]
    community: list[int]
    size: list[float]
    value: list[float]
    key_figure: list[bool]
    isolated: list[bool]
    unmet_need: list[bool]
    no_help: list[bool]
    areas: list[str | None]
    themes: list[list[str]]


class MapRead(BaseModel):
    measure: str
    nodes: MapNodes
    edges: list[tuple[int, int]]
    """Positions in the node columns of the two ends of each tie (collapsed per pair),
    strongest first, at most ``max_edges``."""
    edge_weight: list[float]
    edges_total: int
    area_names: dict[str, str]
    """Names of the CBS area codes among ``areas``, where the network supplies them (an
    ``area_name`` attribute beside a coded ``area``): show the name, not the code."""
    provenance: dict[str, object]


@router.get(
    "/networks/{nid}/map",
    response_model=MapRead,
    operation_id="networkMap",
    responses=jobs.ACCEPTED,
)
def network_map(
    request: Request,
    session: SessionDep,
    s: Broker,
    measure: Literal[MAP_MEASURES] = "degree",  # type: ignore[valid-type]
    max_edges: Annotated[
        int, Query(ge=0, le=2_000_000, description="draw at most this many ties, strongest first")
    ] = 30_000,
    lang: Lang = None,
) -> Response:
    """Every actor of the network with a position (igraph Fruchterman–Reingold, computed
    once per revision), its community, a size from the chosen centrality, and marks for key
    figures, isolated persons, unmet needs and groups without help; the strongest ties
    between them (``edges_total`` says how many there are). In columns, for maps of many
    thousands of actors; the encoded answer is cached per revision. A layout that takes
    longer than the request waits is answered ``202 Accepted`` with a status URL."""
    text_lang = language(request, lang)
    settings = request.app.state.settings
    exact_max = settings.exact_betweenness_max
    engine = request.app.state.engine
    layout = present.run(
        request,
        session,
        s,
        settings.analysis_timeout_s,
        ("map", measure, exact_max),
        lambda: service.map_layout(engine, s.network_id, measure=measure, exact_max=exact_max),
    )

    def encode() -> bytes:
        label = {
            aid: anonymous_label(aid, text_lang) if consent == "withdrawn" else name
            for aid, _kind, name, consent in actor_names(session, s.network_id)
        }
        body = {
            "measure": layout.measure,
            "nodes": {
                "ids": layout.ids,
                "names": [label.get(a, "") for a in layout.ids],
                "kinds": layout.kinds,
                "x": layout.x,
                "y": layout.y,
                "community": layout.community,
                "size": layout.size,
                "value": layout.value,
                "key_figure": layout.key_figure,
                "isolated": layout.isolated,
                "unmet_need": layout.unmet_need,
                "no_help": layout.no_help,
                "areas": layout.areas,
                "themes": layout.themes,
            },
            "edges": layout.edges[:max_edges],
            "edge_weight": layout.edge_weight[:max_edges],
            "edges_total": len(layout.edges),
            "area_names": area_facts(request.app.state.engine, s.network_id)[1],
            "provenance": present.to_data(layout.provenance),
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    prov = layout.provenance
    content = cache.cached(
        prov.network_id,
        prov.revision,
        "http.map",
        {"measure": measure, "lang": text_lang, "max_edges": max_edges, "exact_max": exact_max},
        encode,
    )
    # A map is a read of the whole network: the audit log names that, not every id on it.
    request.state.audit_objects = ["map"]
    return Response(content, media_type="application/json")


class Vocabulary(BaseModel):
    actor_kinds: list[str]
    person_kinds: list[str]
    tie_kinds: list[str]
    support_kinds: list[str]
    consent: list[str]
    consent_basis: list[str]
    sectors: list[str]
    """The four sectors of the netwerkkaart (ecogram), clockwise from the top left."""
    sector_tie_kinds: dict[str, list[str]]
    """The tie kinds that fit a sector (first = the usual one)."""
    theme_labels: dict[str, str]
    """Themes as a professional reads them, in the asked language (``digitaal`` →
    ``digitale vaardigheden``); a theme not listed is shown as it is."""
    language_names: dict[str, str]
    """Names of languages by ISO 639 code (``ar`` → ``Arabisch``); an unknown code is shown
    in capitals."""


@router.get("/vocabulary", response_model=Vocabulary, operation_id="vocabulary")
def vocabulary(request: Request, _: AnyRole, lang: Lang = None) -> Vocabulary:
    """The words of the model (kinds, support, consent) and the netwerkkaart's sectors with
    the tie kinds that fit each, so that forms offer only what the API accepts."""
    return Vocabulary(
        actor_kinds=[k.value for k in ActorKind],
        person_kinds=[k.value for k in ActorKind if k in PERSON_KINDS],
        tie_kinds=[k.value for k in TieKind],
        support_kinds=[k.value for k in SupportKind],
        consent=[c.value for c in Consent],
        consent_basis=[b.value for b in ConsentBasis],
        sectors=list(SECTORS),
        sector_tie_kinds={k: list(v) for k, v in SECTOR_TIE_KINDS.items()},
        theme_labels=words.labels("theme.label", language(request, lang)),
        language_names=words.labels("theme.language", language(request, lang)),
    )
