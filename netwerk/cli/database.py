"""The command line's database: an engine on a database that is ready (or one clear line
saying what to run), and finding networks and actors in it by id or by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netwerk.cli.terminal import fail, kind_label, msg
from netwerk.config import Settings, get_settings
from netwerk.store.db import make_engine, safe_url
from netwerk.store.session import Engine, OperationalError

__all__ = [
    "ready_engine",
    "resolve_actor",
    "resolve_network",
    "search_actors",
    "writable_engine",
]


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///") :])
    return None


def writable_engine(settings: Settings | None = None) -> Engine:
    """An engine for a command that may create the database (db upgrade, demo, synth,
    serve): the data folder of the embedded default is made first."""
    settings = settings or get_settings()
    path = _sqlite_file(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return make_engine(settings.database_url)


def ready_engine() -> Engine:
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
    except OperationalError:
        fail(msg("db.unreachable", url=safe_url(engine)))
    if not current:
        fail(msg("db.not_migrated", url=safe_url(engine)))
    return engine


def resolve_network(engine: Engine, value: str) -> str:
    """A network id from an id or a unique (part of a) name."""
    from netwerk.store.lookups import network_exists, network_rows

    with engine.connect() as conn:
        if network_exists(conn, value):
            return value
        rows = network_rows(conn)
    needle = value.strip().casefold()
    exact = [r for r in rows if r.name.casefold() == needle]
    found = exact or [r for r in rows if needle in r.name.casefold()]
    if len(found) == 1:
        return str(found[0].id)
    if not found:
        fail(msg("network.not_found", value=value))
    listing = "; ".join(f"{r.id} ({r.name})" for r in found[:10])
    fail(msg("network.ambiguous", value=value, count=len(found), candidates=listing))


def search_actors(engine: Engine, network_id: str, needle: str, limit: int = 50) -> list[Any]:
    """Actors whose name contains ``needle`` (case-insensitive). Persons with withdrawn
    consent are never matched by name: that would disclose it."""
    from netwerk.store.lookups import search_actors as matching

    with engine.connect() as conn:
        return matching(conn, network_id, needle, limit)


def resolve_actor(engine: Engine, network_id: str, value: str) -> str:
    """An actor id from an id or a unique name (an exact name wins over a partial one);
    an ambiguous name fails with the candidates listed."""
    from netwerk.store.lookups import actor_exists

    with engine.connect() as conn:
        if actor_exists(conn, network_id, value):
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
