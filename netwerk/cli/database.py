"""The command line's database: an engine on a database that is ready (or one clear line
saying what to run), and finding networks and actors in it by id or by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from netwerk.cli.terminal import fail, kind_label, msg
from netwerk.config import Settings, get_settings
from netwerk.store.db import make_engine

__all__ = [
    "ready_engine",
    "resolve_actor",
    "resolve_network",
    "search_actors",
    "writable_engine",
]


def _safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///") :])
    return None


def writable_engine(settings: Settings | None = None) -> sa.Engine:
    """An engine for a command that may create the database (db upgrade, demo, synth,
    serve): the data folder of the embedded default is made first."""
    settings = settings or get_settings()
    path = _sqlite_file(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return make_engine(settings.database_url)


def ready_engine() -> sa.Engine:
    """An engine on a database that exists and has every migration, else one line that says
    what to run. A missing SQLite file is not created."""
    from netwerk.store.migrate import is_current

    url = get_settings().database_url
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        fail(msg("db.missing", path=str(path)))
    engine = make_engine(url)
    try:
        current = is_current(engine)
    except sa.exc.OperationalError:
        fail(msg("db.unreachable", url=_safe_url(engine)))
    if not current:
        fail(msg("db.not_migrated", url=_safe_url(engine)))
    return engine


def resolve_network(engine: sa.Engine, value: str) -> str:
    """A network id from an id or a unique (part of a) name."""
    from netwerk.store.tables import Network

    with engine.connect() as conn:
        if conn.execute(sa.select(Network.id).where(Network.id == value)).first():
            return value
        rows = conn.execute(sa.select(Network.id, Network.name).order_by(Network.name)).all()
    needle = value.strip().casefold()
    exact = [r for r in rows if r.name.casefold() == needle]
    found = exact or [r for r in rows if needle in r.name.casefold()]
    if len(found) == 1:
        return str(found[0].id)
    if not found:
        fail(msg("network.not_found", value=value))
    listing = "; ".join(f"{r.id} ({r.name})" for r in found[:10])
    fail(msg("network.ambiguous", value=value, count=len(found), candidates=listing))


def search_actors(engine: sa.Engine, network_id: str, needle: str, limit: int = 50) -> list[Any]:
    """Actors whose name contains ``needle`` (case-insensitive). Persons with withdrawn
    consent are never matched by name: that would disclose it."""
    from netwerk.store.tables import Actor

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
    with engine.connect() as conn:
        return list(conn.execute(stmt).all())


def resolve_actor(engine: sa.Engine, network_id: str, value: str) -> str:
    """An actor id from an id or a unique name (an exact name wins over a partial one);
    an ambiguous name fails with the candidates listed."""
    from netwerk.store.tables import Actor

    with engine.connect() as conn:
        if conn.execute(
            sa.select(Actor.id).where(Actor.network_id == network_id, Actor.id == value)
        ).first():
            return value
    rows = search_actors(engine, network_id, value, limit=200)
    needle = value.strip().casefold()
    exact = [r for r in rows if r.name.casefold() == needle]
    first = [r for r in rows if r.name.casefold().split(" ")[0] == needle]
    found = exact or first or rows
    if len(found) == 1:
        return str(found[0].id)
    if not found:
        fail(msg("actor.not_found", value=value, network=network_id))
    listing = "; ".join(f"{r.id} ({r.name}, {kind_label(r.kind)})" for r in found[:10])
    fail(msg("actor.ambiguous", value=value, count=len(found), candidates=listing))
