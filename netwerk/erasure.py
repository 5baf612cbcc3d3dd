"""Erasure (AVG/GDPR art. 17): an actor is removed with its ties, its feedback, its pseudonym
entries, its place among the members of the dashboard's named groups and every cached
snapshot or result that contains it, for good. The audit log keeps
only that an erasure happened: the actor's id in earlier audit rows is replaced by the id of
the erasure event."""

from __future__ import annotations

from netwerk import audit, cache
from netwerk.dashboard import names as group_names
from netwerk.store.actors import delete_actor
from netwerk.store.session import Session

__all__ = ["erase_actor"]


def erase_actor(
    session: Session,
    network_id: str,
    actor_id: str,
    *,
    token_id: str | None,
    role: str | None,
    route: str = "erasure",
) -> int:
    """Erase in the caller's transaction; returns the erasure event id. Call
    :func:`purge_caches` after the commit."""
    delete_actor(session, network_id, actor_id)  # ties and feedback go by ON DELETE CASCADE
    group_names.erase_member(session, network_id, actor_id)  # the dashboard's named groups
    event_id = audit.record(
        session,
        token_id=token_id,
        role=role,
        network_id=network_id,
        action="erasure",
        method="DELETE",
        route=route,
        status=204,
    )
    audit.erase_references(session, [actor_id], event_id)
    return event_id


def purge_caches(network_id: str) -> None:
    """Drop every cached snapshot and result of the network in this process. Other processes
    drop theirs when they next see the network's newer revision."""
    cache.purge_network(network_id)
