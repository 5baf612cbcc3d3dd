"""Store reads and writes of the names brokers give to groups (:mod:`netwerk.dashboard.names`),
inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import GroupName

__all__ = [
    "add_group_name",
    "delete_group_names",
    "group_members",
    "group_names",
    "set_group_members",
]


def group_names(
    conn: sa.Connection | Session, network_id: str
) -> list[tuple[str, str, list[str] | None]]:
    """``(id, name, members)`` of the network's stored names, oldest first."""
    rows = conn.execute(
        sa.select(GroupName.id, GroupName.name, GroupName.members)
        .where(GroupName.network_id == network_id)
        .order_by(GroupName.created_at, GroupName.id)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def group_members(session: Session, network_id: str) -> list[tuple[str, list[str] | None]]:
    """``(id, members)`` of the network's stored names."""
    rows = session.execute(
        sa.select(GroupName.id, GroupName.members).where(GroupName.network_id == network_id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def delete_group_names(session: Session, ids: Collection[str]) -> None:
    """Remove the stored names ``ids`` (one ``DELETE``)."""
    session.execute(sa.delete(GroupName).where(GroupName.id.in_(list(ids))))


def set_group_members(session: Session, row_id: str, members: Sequence[str]) -> None:
    """Replace the members of one stored name."""
    session.execute(
        sa.update(GroupName).where(GroupName.id == row_id).values(members=list(members))
    )


def add_group_name(session: Session, **values: Any) -> str:
    """Insert one stored name (flushed); its id."""
    row = GroupName(**values)
    session.add(row)
    session.flush()
    return row.id
