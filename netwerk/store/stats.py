"""Store reads behind the suggestion statistics (:mod:`netwerk.suggest.stats`): the shown
suggestions and the pair-form feedback, counted by group in two grouped queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Feedback, SuggestionImpression, Token

__all__ = ["decision_counts", "token_names"]


def _range(
    column: Any, since: dt.date | None, until: dt.date | None
) -> list[sa.ColumnElement[bool]]:
    out: list[sa.ColumnElement[bool]] = []
    if since is not None:
        out.append(column >= dt.datetime.combine(since, dt.time.min, dt.UTC))
    if until is not None:
        out.append(column < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC))
    return out


def decision_counts(
    conn: sa.Connection | Session,
    network_id: str,
    since: dt.date | None,
    until: dt.date | None,
) -> list[tuple[Any, ...]]:
    """Rows (origin, kind, reason codes as text, token, decision, outcome, count): the shown
    suggestions (origin from the impression) with their feedback, then the pair-form feedback
    on pairs never shown (origin ``"pair"``), within the date range."""
    i = SuggestionImpression.__table__.c
    f = Feedback.__table__.c
    codes_i = sa.cast(i.reason_codes, sa.Text)
    shown = conn.execute(
        sa.select(
            i.origin, i.suggestion_kind, codes_i, i.token_id, f.decision, f.outcome, sa.func.count()
        )
        .select_from(
            SuggestionImpression.__table__.outerjoin(Feedback.__table__, f.suggestion_id == i.id)
        )
        .where(i.network_id == network_id, *_range(i.shown_at, since, until))
        .group_by(i.origin, i.suggestion_kind, codes_i, i.token_id, f.decision, f.outcome)
    ).all()
    codes_f = sa.cast(f.reason_codes, sa.Text)
    pairs = conn.execute(
        sa.select(
            sa.literal("pair"),
            f.suggestion_kind,
            codes_f,
            f.token_id,
            f.decision,
            f.outcome,
            sa.func.count(),
        )
        .where(
            f.network_id == network_id,
            f.suggestion_id.is_(None),
            *_range(f.decided_at, since, until),
        )
        .group_by(f.suggestion_kind, codes_f, f.token_id, f.decision, f.outcome)
    ).all()
    return [tuple(r) for r in (*shown, *pairs)]


def token_names(conn: sa.Connection | Session, token_ids: Collection[str]) -> dict[str, str]:
    """Token id → the token's name, for those of ``token_ids`` that exist."""
    return {
        str(tid): str(name)
        for tid, name in conn.execute(
            sa.select(Token.id, Token.name).where(Token.id.in_(list(token_ids)))
        ).all()
    }
