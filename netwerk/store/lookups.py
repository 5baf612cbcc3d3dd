"""Small store reads for the workspace, the CLI and the explore routes: actors' names and
consent, an actor's existence, the consent provenance and the decisions on one actor, the
networks a token may see. Each is one statement inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Actor, Network, Token, utcnow
from netwerk.store.tables import Feedback as FeedbackRow

__all__ = [
    "actor_decisions",
    "actor_exists",
    "actor_names",
    "consent_row",
    "network_exists",
    "network_named",
    "network_rows",
    "networks_by_name",
    "revoke_tokens_named",
    "search_actors",
    "token_name",
]


def actor_names(
    conn: sa.Connection | Session, network_id: str
) -> list[tuple[str, str, str, str | None]]:
    """``(id, kind, name, consent)`` of every actor of the network."""
    rows = conn.execute(
        sa.select(Actor.id, Actor.kind, Actor.name, Actor.consent).where(
            Actor.network_id == network_id
        )
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def actor_exists(conn: sa.Connection | Session, network_id: str, actor_id: str) -> bool:
    """Whether ``actor_id`` is an actor of the network."""
    return (
        conn.execute(
            sa.select(Actor.id).where(Actor.network_id == network_id, Actor.id == actor_id)
        ).first()
        is not None
    )


def network_exists(conn: sa.Connection | Session, network_id: str) -> bool:
    """Whether the network exists."""
    return conn.execute(sa.select(Network.id).where(Network.id == network_id)).first() is not None


def consent_row(session: Session, network_id: str, actor_id: str) -> tuple[Any, ...] | None:
    """``(kind, consent, basis, set at, set by, setter's token name, its role)`` of the
    actor, or ``None`` when it is not an actor of the network."""
    row = session.execute(
        sa.select(
            Actor.kind,
            Actor.consent,
            Actor.consent_basis,
            Actor.consent_set_at,
            Actor.consent_set_by,
            Token.name,
            Token.role,
        )
        .outerjoin(Token, Token.id == Actor.consent_set_by)
        .where(Actor.network_id == network_id, Actor.id == actor_id)
    ).one_or_none()
    return tuple(row) if row is not None else None


def actor_decisions(
    session: Session, network_id: str, actor_id: str, limit: int
) -> list[FeedbackRow]:
    """The feedback rows where ``actor_id`` is the source or the target, newest first."""
    return list(
        session.scalars(
            sa.select(FeedbackRow)
            .where(
                FeedbackRow.network_id == network_id,
                sa.or_(FeedbackRow.source_id == actor_id, FeedbackRow.target_id == actor_id),
            )
            .order_by(FeedbackRow.decided_at.desc(), FeedbackRow.id)
            .limit(limit)
        ).all()
    )


def token_name(session: Session, token_id: str | None) -> str:
    """The token's name, ``""`` when there is none."""
    return session.scalar(sa.select(Token.name).where(Token.id == token_id)) or ""


def networks_by_name(session: Session, ids: Collection[str] | None, limit: int) -> list[Any]:
    """``(id, name, area_code)`` of the networks (those of ``ids`` unless ``None``), by name."""
    stmt = sa.select(Network.id, Network.name, Network.area_code).order_by(Network.name)
    if ids is not None:
        stmt = stmt.where(Network.id.in_(list(ids)))
    return list(session.execute(stmt.limit(limit)).all())


def network_rows(conn: sa.Connection | Session) -> list[Any]:
    """Rows ``(id, name)`` of every network, by name."""
    return list(conn.execute(sa.select(Network.id, Network.name).order_by(Network.name)).all())


def search_actors(
    conn: sa.Connection | Session, network_id: str, needle: str, limit: int
) -> list[Any]:
    """Rows ``(id, kind, name, area, consent)`` of the actors whose name contains ``needle``
    (case-insensitive), by name. Persons with withdrawn consent are never matched by name."""
    pattern = needle.strip().casefold().replace("\\", "\\\\").replace("%", "\\%")
    pattern = pattern.replace("_", "\\_")
    stmt = (
        sa.select(Actor.id, Actor.kind, Actor.name, Actor.area, Actor.consent)
        .where(
            Actor.network_id == network_id,
            sa.func.lower(Actor.name).like(f"%{pattern}%", escape="\\"),
            sa.or_(Actor.consent.is_(None), Actor.consent != "withdrawn"),
        )
        .order_by(Actor.name, Actor.id)
        .limit(limit)
    )
    return list(conn.execute(stmt).all())


def network_named(conn: sa.Connection | Session, name: str) -> str | None:
    """The id of a network called ``name`` (the first one found), or ``None``."""
    return conn.execute(sa.select(Network.id).where(Network.name == name)).scalar()


def revoke_tokens_named(session: Session, name: str) -> None:
    """Revoke every live token called ``name`` (one set-based ``UPDATE``)."""
    session.execute(
        sa.update(Token)
        .where(Token.name == name, Token.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
