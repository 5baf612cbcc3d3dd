"""The suggestion facade the API and the CLI call (DESIGN.md 8: suggestions, weave,
activations, feedback and stats).

Reads take ``source``: a SQLAlchemy ``Session``, ``Connection``, ``Engine`` or session
factory. Each read takes the network's snapshot from :func:`netwerk.cache.get_snapshot` (one
primary-key lookup for the current revision; the snapshot is loaded only when none is cached
for it) and the :class:`~netwerk.suggest.context.SuggestContext` (fitted feasibility model,
communities, flags) from the result cache, so repeated calls on an unchanged network reuse
both. Exclusions (do-not-suggest, cool-downs) are read fresh on every call with one
set-based query each: a decision does not change the revision, so it must not be cached
away. Weaving and activation results are cached by ``(network, revision, as_of, params)``
(weaving also by a fingerprint of the exclusions).

Writes (:func:`feedback`, :func:`outcome`, :func:`do_not_suggest`) take a ``Session`` and
run inside the caller's transaction; a feedback that forms a tie creates it through
:func:`netwerk.store.ties.create_tie`, which bumps the revision in the same transaction.

Every result is a frozen dataclass of plain values, usable as a FastAPI response model as
it is. Errors: :class:`~netwerk.errors.NotFound` (network, actor, feedback) and
:class:`~netwerk.errors.ValidationFailed` (a bad parameter, the field named).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk import cache
from netwerk.graph import require_lang
from netwerk.suggest.activation import ActivationPlan, activation_plan
from netwerk.suggest.context import suggest_context
from netwerk.suggest.exclusions import CoolDown, Exclusions, load_exclusions
from netwerk.suggest.feedback import (
    DoNotSuggestPair,
    Feedback,
    FeedbackStats,
    mark_do_not_suggest,
    record_feedback,
    record_outcome,
)
from netwerk.suggest.feedback import stats as _stats
from netwerk.suggest.suggestions import SuggestionList, suggest_for_actor
from netwerk.suggest.weave import WeaveList
from netwerk.suggest.weave import weave as _weave

__all__ = [
    "activation",
    "do_not_suggest",
    "feedback",
    "outcome",
    "stats",
    "suggestions",
    "weave",
]

Source = cache.Source
T = TypeVar("T")


def suggestions(
    source: Source,
    network_id: str,
    actor_id: str,
    *,
    limit: int = 10,
    theme: str | Iterable[str] | None = None,
    target_kinds: str | Sequence[str] | None = None,
    max_hops: int = 3,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    now: dt.datetime | None = None,
    cool_down: CoolDown | None = None,
) -> SuggestionList:
    """Ranked suggestions for one actor (:func:`~.suggestions.suggest_for_actor`), with the
    actor's exclusions read from the store at ``now`` (default: now)."""
    require_lang(lang)

    def run(conn: sa.Connection | Session) -> SuggestionList:
        snap = cache.get_snapshot(conn, network_id, as_of)
        snap.actor_index(actor_id)
        excl = load_exclusions(conn, network_id, actor_id=actor_id, now=now, cool_down=cool_down)
        return suggest_for_actor(
            snap,
            actor_id,
            limit=limit,
            themes=theme,
            target_kinds=target_kinds,
            max_hops=max_hops,
            exclusions=excl,
            lang=lang,
            seed=seed,
            context=suggest_context(snap, seed=seed),
        )

    return cache.with_connection(source, run)


def _fingerprint(excl: Exclusions) -> str:
    digest = hashlib.sha256()
    for pair, why in sorted(excl.reasons.items()):
        digest.update(f"{pair[0]}|{pair[1]}|{why};".encode())
    return digest.hexdigest()[:16]


def weave(
    source: Source,
    network_id: str,
    *,
    limit: int = 10,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
    now: dt.datetime | None = None,
) -> WeaveList:
    """Network-level introductions that close the largest structural holes
    (:func:`~.weave.weave`), skipping excluded pairs."""
    require_lang(lang)

    def run(conn: sa.Connection | Session) -> WeaveList:
        snap = cache.get_snapshot(conn, network_id, as_of)
        excl = load_exclusions(conn, network_id, now=now)
        return cache.cached_for(
            snap,
            "suggest.route.weave",
            {"limit": limit, "lang": lang, "seed": seed, "exclusions": _fingerprint(excl)},
            lambda: _weave(
                snap,
                limit=limit,
                lang=lang,
                seed=seed,
                exclusions=excl,
                context=suggest_context(snap, seed=seed),
            ),
        )

    return cache.with_connection(source, run)


def activation(
    source: Source,
    network_id: str,
    *,
    focus_actor: str | None = None,
    area: str | None = None,
    themes: str | Iterable[str],
    limit: int = 15,
    max_hops: int = 3,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
) -> ActivationPlan:
    """The activation plan for ``themes`` around ``focus_actor`` or ``area``
    (:func:`~.activation.activation_plan`)."""
    require_lang(lang)
    theme_key = themes if isinstance(themes, str) else tuple(themes)

    def run(conn: sa.Connection | Session) -> ActivationPlan:
        snap = cache.get_snapshot(conn, network_id, as_of)
        return cache.cached_for(
            snap,
            "suggest.route.activation",
            {
                "focus_actor": focus_actor,
                "area": area,
                "themes": theme_key,
                "limit": limit,
                "max_hops": max_hops,
                "lang": lang,
                "seed": seed,
            },
            lambda: activation_plan(
                snap,
                focus_actor=focus_actor,
                area=area,
                themes=theme_key,
                limit=limit,
                max_hops=max_hops,
                lang=lang,
                seed=seed,
                context=suggest_context(snap, seed=seed),
            ),
        )

    return cache.with_connection(source, run)


def feedback(
    session: Session,
    network_id: str,
    *,
    source: str,
    target: str,
    decision: str,
    outcome: str | None = None,
    introducer: str | None = None,
    reason_codes: Iterable[str] | None = None,
    suggestion_kind: str = "contact",
    score: float | None = None,
    token_id: str | None = None,
    create_tie: bool = False,
) -> Feedback:
    """Store a decision on a suggestion (:func:`~.feedback.record_feedback`)."""
    return record_feedback(
        session,
        network_id,
        source=source,
        target=target,
        decision=decision,
        outcome=outcome,
        introducer=introducer,
        reason_codes=reason_codes,
        suggestion_kind=suggestion_kind,
        score=score,
        token_id=token_id,
        create_tie=create_tie,
    )


def outcome(
    session: Session,
    network_id: str,
    feedback_id: str,
    *,
    outcome: str,
    create_tie: bool = False,
) -> Feedback:
    """Store what came of an accepted suggestion (:func:`~.feedback.record_outcome`)."""
    return record_outcome(session, network_id, feedback_id, outcome=outcome, create_tie=create_tie)


def do_not_suggest(
    session: Session, network_id: str, *, source: str, target: str, token_id: str | None = None
) -> DoNotSuggestPair:
    """Never suggest this pair again (:func:`~.feedback.mark_do_not_suggest`)."""
    return mark_do_not_suggest(session, network_id, source, target, token_id=token_id)


def stats(source: Source, network_id: str, *, lang: str = "nl") -> FeedbackStats:
    """Acceptance and outcome rates per reason code and kind (:func:`~.feedback.stats`).
    ``lang`` is accepted like every route function's (the figures carry no sentences)."""
    return cache.with_connection(source, lambda conn: _stats(conn, network_id))
