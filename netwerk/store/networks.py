"""Networks: one map, usually one wijk. Everything else lives inside one network."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import NotFound, ValidationFailed
from netwerk.model import new_id, normalise_cbs_code
from netwerk.safetext import first_flaw, message
from netwerk.store.changes import ChangeSet
from netwerk.store.paging import Page, paginate
from netwerk.store.revision import bump_revision
from netwerk.store.tables import Network

__all__ = [
    "create_network",
    "delete_network",
    "get_network",
    "list_networks",
    "small_cell_threshold",
    "update_network",
]

_EDITABLE = {
    "name",
    "area_code",
    "description",
    "small_cell_threshold",
    "retention_days",
    "coarsen_area",
}


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationFailed(sorted(unknown)[0], "not a field of a network")
    out = dict(changes)
    for required in ("name", "small_cell_threshold", "coarsen_area"):
        if required in out and out[required] is None:
            raise ValidationFailed(required, "may not be null")

    for field in ("name", "description"):
        if isinstance(out.get(field), str) and (flaw := first_flaw(out[field])):
            raise ValidationFailed(field, message(flaw))
    if "name" in out:
        name = " ".join(str(out["name"] or "").split())
        if not name:
            raise ValidationFailed("name", "a network needs a name")
        out["name"] = name
    if out.get("area_code") is not None:
        out["area_code"] = normalise_cbs_code(out["area_code"])
    if "small_cell_threshold" in out and not 2 <= int(out["small_cell_threshold"]) <= 100:
        raise ValidationFailed("small_cell_threshold", "between 2 and 100")
    if out.get("retention_days") is not None and int(out["retention_days"]) < 30:
        raise ValidationFailed("retention_days", "at least 30 days, or null for no purge")
    return out


def create_network(session: Session, *, name: str, **fields: Any) -> Network:
    values = _clean({"name": name, **fields})
    network = Network(id=new_id(), revision=1, **values)
    session.add(network)
    session.flush()
    return network


def get_network(session: Session, network_id: str) -> Network:
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound("network", network_id)
    return network


def list_networks(
    session: Session, *, allowed: Collection[str] | None, limit: int, cursor: str | None
) -> Page[Network]:
    """Networks the caller may see: ``allowed=None`` means all (admin)."""
    stmt = sa.select(Network)
    if allowed is not None:
        stmt = stmt.where(Network.id.in_(list(allowed)))
    return paginate(session, stmt, Network.id, limit=limit, cursor=cursor)


def update_network(session: Session, network_id: str, changes: dict[str, Any]) -> Network:
    network = get_network(session, network_id)
    for key, value in _clean(changes).items():
        setattr(network, key, value)
    session.flush()
    bump_revision(session, network_id, ChangeSet())  # nothing a snapshot holds
    session.refresh(network)
    return network


def delete_network(session: Session, network_id: str) -> None:
    """Delete the network and, by cascade, all its actors and ties."""
    result = session.execute(sa.delete(Network).where(Network.id == network_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("network", network_id)


def small_cell_threshold(session: Session, network_id: str) -> int | None:
    """The network's own small-cell threshold (``None``: unset or no such network)."""
    value = session.scalar(sa.select(Network.small_cell_threshold).where(Network.id == network_id))
    return None if value is None else int(value)
