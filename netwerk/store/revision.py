"""The per-network revision: bumped in the same transaction as every write (DESIGN.md 7),
so caches keyed by (network, revision) never serve a result older than an acknowledged write.
The same transaction appends what the write changed to the change log
(:mod:`netwerk.store.changes`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import NotFound
from netwerk.store.changes import ChangeSet, append
from netwerk.store.tables import Network, utcnow

__all__ = ["bump_revision", "current_revision", "revision_of"]


def bump_revision(
    conn: sa.Connection | Session, network_id: str, changes: ChangeSet | None = None
) -> int:
    """Increment and return the network's revision inside the caller's transaction, and log
    ``changes`` under it (``None``: a reload marker, for bulk writes such as an import)."""
    row = conn.execute(
        sa.update(Network)
        .where(Network.id == network_id)
        .values(revision=Network.revision + 1, updated_at=utcnow())
        .returning(Network.revision)
    ).first()
    if row is None:
        raise NotFound("network", network_id)
    revision = int(row[0])
    append(conn, network_id, revision, changes or ChangeSet.reload())
    return revision


def revision_of(network_id: str) -> sa.ScalarSelect[int]:
    """The network's revision as a scalar subquery (NULL for an unknown network), for a
    statement that must report the revision it saw (:mod:`netwerk.store.snapshot`)."""
    return sa.select(Network.revision).where(Network.id == network_id).scalar_subquery()


def current_revision(conn: sa.Connection | Session, network_id: str) -> int:
    """The network's current revision (one primary-key lookup), or :class:`NotFound`."""
    rev = conn.execute(sa.select(revision_of(network_id))).scalar()
    if rev is None:
        raise NotFound("network", network_id)
    return int(rev)
