"""Store reads and writes behind the learned suggestion weights
(:mod:`netwerk.suggest.learning`): the outcomes of the shown suggestions and the stored
weights of a network. Each is one statement inside the caller's transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Feedback, Network, SuggestionImpression, SuggestionWeights

__all__ = [
    "count_outcomes",
    "delete_weights",
    "network_known",
    "outcome_rows",
    "stored_weights",
    "weights_row",
]


def _known(select: sa.Select[Any], network_id: str) -> sa.Select[Any]:
    """Restrict to the network's per-actor suggestions with a known result."""
    i = SuggestionImpression.__table__.c
    f = Feedback.__table__.c
    known = sa.or_(f.decision == "declined", (f.decision == "accepted") & f.outcome.is_not(None))
    return select.select_from(
        Feedback.__table__.join(SuggestionImpression.__table__, f.suggestion_id == i.id)
    ).where(f.network_id == network_id, i.origin == "actor", known)


def count_outcomes(conn: sa.Connection | Session, network_id: str) -> int:
    """How many suggestions of the network have a known result (one counting query)."""
    return int(conn.execute(_known(sa.select(sa.func.count()), network_id)).scalar() or 0)


def outcome_rows(conn: sa.Connection | Session, network_id: str) -> list[tuple[Any, Any]]:
    """(contributions, outcome) of the network's suggestions with a known result, oldest
    first."""
    i = SuggestionImpression.__table__.c
    f = Feedback.__table__.c
    rows = conn.execute(
        _known(sa.select(i.contributions, f.outcome), network_id).order_by(f.decided_at, f.id)
    ).all()
    return [(terms, outcome) for terms, outcome in rows]


def weights_row(conn: sa.Connection | Session, network_id: str) -> SuggestionWeights | None:
    """The network's stored weights as a detached row (one primary-key lookup), or ``None``."""
    t = SuggestionWeights.__table__.c
    found = (
        conn.execute(sa.select(SuggestionWeights.__table__).where(t.network_id == network_id))
        .mappings()
        .first()
    )
    return SuggestionWeights(**dict(found)) if found is not None else None


def stored_weights(session: Session, network_id: str) -> SuggestionWeights | None:
    """The network's weights row in the session (to update in place), or ``None``."""
    return session.get(SuggestionWeights, network_id)


def network_known(conn: sa.Connection | Session, network_id: str) -> bool:
    """Whether the network exists."""
    return conn.execute(sa.select(Network.id).where(Network.id == network_id)).scalar() is not None


def delete_weights(session: Session, network_id: str) -> bool:
    """Remove the network's stored weights; whether there were any."""
    result = session.execute(
        sa.delete(SuggestionWeights).where(SuggestionWeights.network_id == network_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
