"""Every suggestion the API shows is remembered: an *impression*.

:func:`remember` stores, for each suggestion of a result (per actor, weaving, activation plan),
what was shown: the pair, rank, score, feasibility, value, reason codes, the terms behind the
score (:mod:`.learning`), the suggestion kind, the model version with the weights that ranked
it, the network revision, who asked and when; and returns the result with each suggestion's
``id``. Feedback and outcomes refer to that id (:mod:`.feedback`), the statistics count from
what was shown (:mod:`.stats`), and the outcomes re-weight the ranking (:mod:`.learning`).

Storage is one multi-row ``INSERT`` per request (SQLAlchemy "insertmanyvalues": a single
statement for the 10 rows of a typical request), inside the caller's transaction.
Impressions go with either actor (erasure, ON DELETE CASCADE) and with the network's
``retention_days`` (:mod:`netwerk.retention`). They hold ids, figures and codes only: no names,
notes or search terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, TypeVar, cast

from netwerk.errors import NotFound
from netwerk.model import new_id
from netwerk.store.impressions import get_impression, insert_impressions
from netwerk.store.session import Session
from netwerk.store.tables import SuggestionImpression
from netwerk.suggest.activation import ActivationPlan
from netwerk.suggest.records import Reason
from netwerk.suggest.suggestions import SuggestionList
from netwerk.suggest.weave import WeaveList

__all__ = ["ORIGINS", "Impression", "find_impression", "remember"]

ORIGINS = ("actor", "weave", "activation")
R = TypeVar("R", SuggestionList, WeaveList, ActivationPlan)
Impression = SuggestionImpression


def _codes(reasons: tuple[Reason, ...]) -> list[str]:
    return sorted({r.code for r in reasons})


def _by_code(reasons: tuple[Reason, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in reasons:
        out[r.code] = round(out.get(r.code, 0.0) + float(r.contribution), 6)
    return out


def _version(result: SuggestionList | WeaveList | ActivationPlan) -> str:
    params = result.provenance.parameters
    model = str(params.get("model_version") or result.provenance.method)
    weights = params.get("weights") or "prior"
    if weights != "prior":
        weights = f"learned@{params.get('weights_fitted_at')}/{params.get('weights_outcomes')}"
    return f"{model}+{weights}"[:80]


def remember(
    session: Session,
    network_id: str,
    result: R,
    *,
    token_id: str | None,
    now: dt.datetime | None = None,
) -> R:
    """Store the suggestions of ``result`` as shown and return it with their ids (inside the
    caller's transaction)."""
    moment = now or dt.datetime.now(dt.UTC)
    version = _version(result)
    revision = result.provenance.revision
    rows: list[dict[str, object]] = []

    def row(**kw: object) -> str:
        rid = new_id()
        rows.append(
            {
                "id": rid,
                "network_id": network_id,
                "model_version": version,
                "revision": revision,
                "token_id": token_id,
                "shown_at": moment,
                **kw,
            }
        )
        return rid

    out: Any
    res: Any = result
    if isinstance(res, SuggestionList):
        src = res.source.actor_id
        items = tuple(
            replace(
                s,
                id=row(
                    origin="actor",
                    source_id=src,
                    target_id=s.target.actor_id,
                    introducer_id=s.introduction.introducer.actor_id
                    if s.introduction.introducer
                    else None,
                    suggestion_kind=s.kind,
                    rank=s.rank,
                    score=s.score,
                    feasibility=s.feasibility,
                    value=s.value,
                    reason_codes=_codes(s.reasons),
                    contributions=dict(s.terms) or _by_code(s.reasons),
                ),
            )
            for s in res.suggestions
        )
        out = replace(res, suggestions=items)
    elif isinstance(res, WeaveList):
        weave_items = tuple(
            replace(
                w,
                id=row(
                    origin="weave",
                    source_id=w.a.actor_id,
                    target_id=w.b.actor_id,
                    introducer_id=w.introduction.introducer.actor_id
                    if w.introduction.introducer
                    else None,
                    suggestion_kind="weave",
                    rank=w.rank,
                    score=w.score,
                    feasibility=w.feasibility,
                    value=None,
                    reason_codes=_codes(w.reasons),
                    contributions=_by_code(w.reasons),
                ),
            )
            for w in res.introductions
        )
        out = replace(res, introductions=weave_items)
    else:
        focus = res.focus.actor_id if res.focus else None
        plan_items = tuple(
            replace(
                a,
                id=row(
                    origin="activation",
                    source_id=focus if focus != a.actor.actor_id else None,
                    target_id=a.actor.actor_id,
                    introducer_id=a.first_call.actor_id if a.first_call else None,
                    suggestion_kind="activation",
                    rank=a.rank,
                    score=a.score,
                    feasibility=None,
                    value=None,
                    reason_codes=_codes(a.reasons),
                    contributions=_by_code(a.reasons),
                ),
            )
            for a in res.items
        )
        out = replace(res, items=plan_items)
    insert_impressions(session, rows)
    return cast(R, out)


def find_impression(session: Session, network_id: str, suggestion_id: str) -> SuggestionImpression:
    """The stored impression of this network (404 otherwise, also for another network's)."""
    row = get_impression(session, network_id, suggestion_id)
    if row is None:
        raise NotFound("suggestion", suggestion_id)
    return row
