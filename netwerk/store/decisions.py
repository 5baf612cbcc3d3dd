"""Store reads and writes behind the suggestion feedback (:mod:`netwerk.suggest.feedback`)
and the exclusions (:mod:`netwerk.suggest.exclusions`): decisions, shown suggestions and
do-not-suggest marks. Each is one set-based statement inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Actor, DoNotSuggest, Network, SuggestionImpression, Tie
from netwerk.store.tables import Feedback as FeedbackRow

__all__ = [
    "accepted_and_formed",
    "actor_ids_in",
    "decided",
    "do_not_suggest_pairs",
    "latest_decision_id",
    "latest_undecided_impression",
    "network_exists",
    "open_tie_id",
    "recent_decisions",
    "remove_do_not_suggest",
    "shown_suggestion",
    "stored_feedback",
]


def network_exists(session: Session, network_id: str) -> bool:
    return session.scalar(sa.select(Network.id).where(Network.id == network_id)) is not None


def actor_ids_in(session: Session, network_id: str, ids: Collection[str]) -> set[str]:
    """Those of ``ids`` that are actors of the network."""
    return set(
        session.scalars(
            sa.select(Actor.id).where(Actor.network_id == network_id, Actor.id.in_(list(ids)))
        )
    )


def open_tie_id(session: Session, network_id: str, a: str, b: str, day: dt.date) -> str | None:
    """An active tie between a and b (either direction) on ``day``, if any."""
    return session.scalar(
        sa.select(Tie.id)
        .where(
            Tie.network_id == network_id,
            sa.or_(
                (Tie.source_id == a) & (Tie.target_id == b),
                (Tie.source_id == b) & (Tie.target_id == a),
            ),
            sa.or_(Tie.since.is_(None), Tie.since <= day),
            sa.or_(Tie.until.is_(None), Tie.until >= day),
        )
        .order_by(Tie.id)
        .limit(1)
    )


def decided(session: Session, suggestion_id: str) -> bool:
    """Whether the shown suggestion already has a decision."""
    return (
        session.scalar(
            sa.select(FeedbackRow.id).where(FeedbackRow.suggestion_id == suggestion_id).limit(1)
        )
        is not None
    )


def shown_suggestion(
    session: Session, network_id: str, suggestion_id: str
) -> SuggestionImpression | None:
    return session.scalar(
        sa.select(SuggestionImpression).where(
            SuggestionImpression.network_id == network_id,
            SuggestionImpression.id == suggestion_id,
        )
    )


def latest_undecided_impression(
    session: Session, network_id: str, src: str, tgt: str
) -> SuggestionImpression | None:
    """The pair's most recent impression that has no decision yet."""
    i = SuggestionImpression
    done = sa.select(FeedbackRow.suggestion_id).where(
        FeedbackRow.network_id == network_id, FeedbackRow.suggestion_id.is_not(None)
    )
    return session.scalar(
        sa.select(i)
        .where(
            i.network_id == network_id,
            i.source_id == src,
            i.target_id == tgt,
            i.id.not_in(done),
        )
        .order_by(i.shown_at.desc(), i.id)
        .limit(1)
    )


def stored_feedback(session: Session, network_id: str, feedback_id: str) -> FeedbackRow | None:
    return session.scalar(
        sa.select(FeedbackRow).where(
            FeedbackRow.network_id == network_id, FeedbackRow.id == feedback_id
        )
    )


def latest_decision_id(session: Session, network_id: str, suggestion_id: str) -> str | None:
    """The id of the latest decision on a shown suggestion."""
    return session.scalar(
        sa.select(FeedbackRow.id)
        .where(FeedbackRow.network_id == network_id, FeedbackRow.suggestion_id == suggestion_id)
        .order_by(FeedbackRow.decided_at.desc(), FeedbackRow.id)
        .limit(1)
    )


def remove_do_not_suggest(session: Session, network_id: str, lo: str, hi: str) -> bool:
    """Delete the mark of the pair ``(lo, hi)`` (lower id first); whether there was one."""
    result = session.execute(
        sa.delete(DoNotSuggest).where(
            DoNotSuggest.network_id == network_id,
            DoNotSuggest.source_id == lo,
            DoNotSuggest.target_id == hi,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def do_not_suggest_pairs(
    conn: sa.Connection | Session, network_id: str, actor_id: str | None = None
) -> list[tuple[str, str]]:
    """The marked pairs of a network (or those of ``actor_id``)."""
    d = DoNotSuggest.__table__.c
    stmt = sa.select(d.source_id, d.target_id).where(d.network_id == network_id)
    if actor_id is not None:
        stmt = stmt.where(sa.or_(d.source_id == actor_id, d.target_id == actor_id))
    return [(a, b) for a, b in conn.execute(stmt).all()]


def recent_decisions(
    conn: sa.Connection | Session,
    network_id: str,
    decisions: Iterable[str],
    since: dt.datetime,
    actor_id: str | None = None,
) -> list[tuple[str, str, str, dt.datetime]]:
    """``(source, target, decision, decided_at)`` of the decisions taken from ``since`` on
    (or those of ``actor_id``)."""
    f = FeedbackRow.__table__.c
    stmt = sa.select(f.source_id, f.target_id, f.decision, f.decided_at).where(
        f.network_id == network_id,
        f.decision.in_(tuple(decisions)),
        f.decided_at >= since,
    )
    if actor_id is not None:
        stmt = stmt.where(sa.or_(f.source_id == actor_id, f.target_id == actor_id))
    return [(a, b, d, at) for a, b, d, at in conn.execute(stmt).all()]


def accepted_and_formed(
    conn: sa.Connection | Session, network_id: str, lo: dt.datetime, hi: dt.datetime
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """When suggestions were accepted, and when ties were formed from them, in ``[lo, hi)``."""
    f = FeedbackRow
    decided = conn.execute(
        sa.select(f.decided_at).where(
            f.network_id == network_id,
            f.decision == "accepted",
            f.decided_at >= lo,
            f.decided_at < hi,
        )
    ).scalars()
    formed = conn.execute(
        sa.select(f.outcome_at).where(
            f.network_id == network_id,
            f.outcome == "tie_formed",
            f.outcome_at >= lo,
            f.outcome_at < hi,
        )
    ).scalars()
    return [d for d in decided if d], [d for d in formed if d]
