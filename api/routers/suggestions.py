"""Suggestions, weaving, activation plans and feedback (DESIGN.md section 5). Suggestions name
persons, so they go to brokers and admins; feedback rates are aggregates that viewers see too
(small cells suppressed). Every suggestion shown is stored with an id (an impression) in the
request's transaction; feedback and outcomes refer to that id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool

from api import jobs, present
from api.auditing import in_commit
from api.deps import Lang, Scope, SessionDep, language, scope
from api.errors import PROBLEM_RESPONSES
from api.presenter import Presenter, presenter
from api.schemas import IsoDate, Ref, Strict, Theme, Themes, WholeNumber
from netwerk.model import ActorKind, Role
from netwerk.suggest import service
from netwerk.suggest.activation import ActivationPlan
from netwerk.suggest.codes import DECISIONS, OUTCOMES, SUGGESTION_KINDS
from netwerk.suggest.feedback import DoNotSuggestPair, Feedback
from netwerk.suggest.learning import WeightReport
from netwerk.suggest.records import ACTIVATION_HOPS, SUGGESTION_HOPS
from netwerk.suggest.stats import FeedbackStats
from netwerk.suggest.suggestions import ORDERS, SuggestionList
from netwerk.suggest.weave import WeaveList

router = APIRouter(
    prefix="/api/v1/networks/{nid}", tags=["suggestions"], responses=PROBLEM_RESPONSES
)

Broker = Annotated[Scope, scope(Role.admin, Role.broker)]
BrokerPresenter = Annotated[Presenter, presenter(Role.admin, Role.broker)]
ReaderPresenter = Annotated[Presenter, presenter(Role.admin, Role.broker, Role.viewer)]
Admin = Annotated[Scope, scope(Role.admin)]
AsOf = Annotated[IsoDate | None, Query(description="the network as it was that day")]
Decision = Literal[DECISIONS]  # type: ignore[valid-type]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
SuggestionKind = Literal[SUGGESTION_KINDS]  # type: ignore[valid-type]
Order = Literal[ORDERS]  # type: ignore[valid-type]


def _shown(p: Presenter, fn: Callable[..., Any], **params: Any) -> JSONResponse:
    """Compute, store what is shown (ids), present, commit. The answer is rendered before the
    commit, so the audit row (with the persons shown) goes into the same transaction as
    what is shown (:func:`api.auditing.in_commit`): one commit per request."""
    result, lang = p.compute(fn, **params)
    s = p.scope
    result = service.remember(p.session, s.network_id, result, token_id=s.principal.token_id)
    response = present.show(p.request, p.session, s, result, lang)
    in_commit(p.request.state)
    p.session.commit()
    return response


@router.get(
    "/actors/{aid}/suggestions",
    response_class=JSONResponse,
    operation_id="actorSuggestions",
    responses={
        **present.documented(SuggestionList, "Whom this actor could meet"),
        **jobs.ACCEPTED,
    },
)
def actor_suggestions(
    p: BrokerPresenter,
    aid: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    theme: Annotated[list[Theme] | None, Query(max_length=10)] = None,
    kind: Annotated[list[ActorKind] | None, Query(max_length=6, description="target kinds")] = None,
    max_hops: Annotated[
        int,
        Query(
            ge=SUGGESTION_HOPS[0], le=SUGGESTION_HOPS[1], description="longest introduction chain"
        ),
    ] = 3,
    order: Annotated[
        Order,
        Query(
            description="value: feasibility x value (default); likely: the most likely "
            "meetings first"
        ),
    ] = "value",
    as_of: AsOf = None,
    lang: Lang = None,
) -> JSONResponse:
    """Ranked people, initiatives, places and professionals this actor could meet, each with
    the reasons (Dutch by default, English on request), who can introduce them, and an
    ``id`` to give feedback on. What is shown is stored (an impression)."""
    return _shown(
        p,
        service.suggestions,
        actor_id=aid,
        limit=limit,
        theme=theme,
        target_kinds=[k.value for k in kind] if kind else None,
        max_hops=max_hops,
        order=order,
        as_of=as_of,
        lang=lang,
    )


@router.get(
    "/suggestions/weave",
    response_class=JSONResponse,
    operation_id="weave",
    responses={
        **present.documented(WeaveList, "Introductions that close structural holes"),
        **jobs.ACCEPTED,
    },
)
def weave(
    p: BrokerPresenter,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    as_of: AsOf = None,
    lang: Lang = None,
) -> JSONResponse:
    """Network-level introductions that would close the largest structural holes, each with
    the measured gain if made (and an ``id``)."""
    return _shown(
        p,
        service.weave,
        limit=limit,
        as_of=as_of,
        lang=lang,
    )


class ActivationRequest(Strict):
    focus_actor: Ref | None = Field(None, description="the person the question is about")
    area: Annotated[str, Field(max_length=80)] | None = Field(
        None, description="or a buurt code / street label"
    )
    themes: Themes = Field(min_length=1, description="what is asked, e.g. taal, eenzaamheid")
    limit: WholeNumber = Field(15, ge=1, le=100)
    max_hops: WholeNumber = Field(3, ge=ACTIVATION_HOPS[0], le=ACTIVATION_HOPS[1])
    as_of: IsoDate | None = None


@router.post(
    "/activations",
    response_class=JSONResponse,
    operation_id="activationPlan",
    responses=present.documented(ActivationPlan, "Whom to activate, and how"),
)
def activation(
    body: ActivationRequest,
    p: BrokerPresenter,
    lang: Lang = None,
) -> JSONResponse:
    """For a question (themes) around a person or an area: the actors to activate, ranked,
    each with the chain of existing ties to reach them, who makes the first call, and an
    ``id``."""
    return _shown(
        p,
        service.activation,
        focus_actor=body.focus_actor,
        area=body.area,
        themes=body.themes,
        limit=body.limit,
        max_hops=body.max_hops,
        as_of=body.as_of,
        lang=lang,
    )


class FeedbackRequest(Strict):
    suggestion: Ref | None = Field(
        None, description="the id of the shown suggestion (then source and target may be left out)"
    )
    source: Ref | None = None
    target: Ref | None = None
    decision: Decision
    outcome: Outcome | None = None
    introducer: Ref | None = None
    reason_codes: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] = (
        Field(default_factory=list, description="left out: taken from the shown suggestion")
    )
    suggestion_kind: SuggestionKind = "contact"
    score: float | None = Field(None, ge=0, le=1e6)
    create_tie: StrictBool = Field(False, description="with outcome tie_formed: record the tie")


class OutcomeRequest(Strict):
    outcome: Outcome
    create_tie: StrictBool = False  # JSON 0 or "no" is not a boolean


class PairRequest(Strict):
    source: Ref
    target: Ref


@router.post(
    "/suggestions/feedback",
    status_code=201,
    response_class=JSONResponse,
    operation_id="suggestionFeedback",
    responses=present.documented(Feedback, "The stored feedback", 201),
)
def feedback(
    request: Request, body: FeedbackRequest, session: SessionDep, s: Broker
) -> JSONResponse:
    """What the broker did with a suggestion (and, if known, what came of it): by the
    suggestion's ``id``, or by the pair (``source``, ``target``) for tools without ids."""
    record = service.feedback(
        session, s.network_id, **body.model_dump(), token_id=s.principal.token_id
    )
    session.commit()
    response = present.show(request, session, s, record, language(request))
    response.status_code = 201
    return response


@router.post(
    "/suggestions/feedback/{fid}/outcome",
    response_class=JSONResponse,
    operation_id="suggestionOutcome",
    responses=present.documented(Feedback, "The feedback with its outcome"),
)
def outcome(
    request: Request, body: OutcomeRequest, session: SessionDep, s: Broker, fid: str
) -> JSONResponse:
    """Record later what came of an accepted suggestion; ``tie_formed`` can create the tie."""
    record = service.outcome(
        session, s.network_id, fid, outcome=body.outcome, create_tie=body.create_tie
    )
    session.commit()
    return present.show(request, session, s, record, language(request))


@router.post(
    "/suggestions/{sid}/outcome",
    response_class=JSONResponse,
    operation_id="suggestionOutcomeById",
    responses=present.documented(Feedback, "The decision with its outcome"),
)
def outcome_by_suggestion(
    request: Request, body: OutcomeRequest, session: SessionDep, s: Broker, sid: str
) -> JSONResponse:
    """Record what came of an accepted suggestion, by the suggestion's id."""
    record = service.outcome(
        session, s.network_id, suggestion=sid, outcome=body.outcome, create_tie=body.create_tie
    )
    session.commit()
    return present.show(request, session, s, record, language(request))


@router.post(
    "/suggestions/do-not-suggest",
    status_code=201,
    response_class=JSONResponse,
    operation_id="doNotSuggest",
    responses=present.documented(DoNotSuggestPair, "The pair, never suggested", 201),
)
def do_not_suggest(
    request: Request, body: PairRequest, session: SessionDep, s: Broker
) -> JSONResponse:
    """Never suggest these two to each other."""
    pair = service.do_not_suggest(
        session, s.network_id, source=body.source, target=body.target, token_id=s.principal.token_id
    )
    session.commit()
    response = present.show(request, session, s, pair, language(request))
    response.status_code = 201
    return response


@router.get(
    "/suggestions/stats",
    response_class=JSONResponse,
    operation_id="suggestionStats",
    responses={
        **present.documented(FeedbackStats, "Acceptance and outcome rates"),
        **jobs.ACCEPTED,
    },
)
def stats(
    p: ReaderPresenter,
    since: Annotated[IsoDate | None, Query(description="shown on or after this day")] = None,
    until: Annotated[IsoDate | None, Query(description="shown on or before this day")] = None,
    lang: Lang = None,
) -> JSONResponse:
    """What was shown, decided, accepted and formed a tie, with rates and Wilson intervals,
    per reason code, kind and origin; per broker for admins; small cells suppressed for
    viewers."""
    return p.respond(
        service.stats,
        since=since,
        until=until,
        by_broker=p.scope.role is Role.admin,
        lang=lang,
    )


@router.get(
    "/suggestions/weights",
    response_class=JSONResponse,
    operation_id="suggestionWeights",
    responses=present.documented(WeightReport, "The weights that rank the suggestions"),
)
def weights(request: Request, session: SessionDep, s: Admin) -> JSONResponse:
    """The value and feasibility weights this network ranks with — prior, or learned from its
    outcomes — with their 90 % intervals and the floors that bound them."""
    return present.show(
        request, session, s, service.weights(session, s.network_id), language(request)
    )


@router.delete(
    "/suggestions/weights",
    response_class=JSONResponse,
    operation_id="resetSuggestionWeights",
    responses=present.documented(WeightReport, "The weights after the reset (the prior)"),
)
def reset_weights(request: Request, session: SessionDep, s: Admin) -> JSONResponse:
    """Back to the prior weights; the outcomes stay and the next refit starts from them."""
    service.reset_weights(session, s.network_id)
    session.commit()
    return present.show(
        request, session, s, service.weights(session, s.network_id), language(request)
    )
