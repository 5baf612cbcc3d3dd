"""Audited or not served: a read of person-level data whose audit row cannot be written in
time is answered 503 with Retry-After (never 200), within a measured bound; a write waiting
for another writer's lock gives up within the same bound; once the lock is gone the same
read is served and audited. Both databases: the lock is held by another connection."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.app import create_app
from netwerk.config import Settings
from netwerk.store.db import engine_from_settings
from tests.faults.harness import Prepared

BUDGET = 1.0  # NETWERK_DB_BUSY_TIMEOUT_S in these tests
SLACK = 1.5  # scheduling on a shared 2-core machine


@contextmanager
def held_lock(url: str, table: str, mode: str = "EXCLUSIVE") -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or an exclusive lock on ``table``
    (PostgreSQL) until the block ends."""
    if url.startswith("sqlite"):
        con = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            con.rollback()
            con.close()
        return
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as con:
        con.execute(f"LOCK TABLE {table} IN {mode} MODE")
        try:
            yield
        finally:
            con.rollback()


def _client(db: Prepared) -> tuple[TestClient, sa.Engine]:
    settings = Settings(
        database_url=db.url,
        environment="test",
        rate_limit_per_minute=0,
        db_busy_timeout_s=BUDGET,
    )
    engine = engine_from_settings(settings)
    return TestClient(create_app(settings, engine=engine), raise_server_exceptions=False), engine


def _person(client: TestClient, db: Prepared) -> str:
    r = client.get(
        f"/api/v1/networks/{db.network_id}/actors",
        params={"kind": "resident", "limit": 1},
        headers=db.headers,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["items"][0]["id"])


def _audited(engine: sa.Engine, request_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM audit_events WHERE request_id = :r"),
                {"r": request_id},
            ).scalar_one()
        )


def test_person_read_is_refused_when_its_audit_row_cannot_be_written(
    prepared: Callable[..., Prepared],
) -> None:
    db = prepared(actors=60)
    client, engine = _client(db)
    with client:
        pid = _person(client, db)
        path = f"/api/v1/networks/{db.network_id}/actors/{pid}"
        with held_lock(db.url, "audit_events"):
            start = time.monotonic()
            r = client.get(path, headers={**db.headers, "X-Request-ID": "refused-read-1"})
            took = time.monotonic() - start
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) >= 1
        assert "audit" in r.json()["detail"]
        assert set(r.json()) == {"type", "title", "status", "detail", "instance"}  # no data
        assert BUDGET * 0.8 <= took <= BUDGET + SLACK, took
        assert _audited(engine, "refused-read-1") == 0
        # the lock is gone: served, and audited
        ok = client.get(path, headers={**db.headers, "X-Request-ID": "served-read-1"})
        assert ok.status_code == 200
        assert ok.headers["x-request-id"] == "served-read-1"
        assert _audited(engine, "served-read-1") == 1
    engine.dispose()


def test_audit_waits_out_a_short_lock_and_serves(prepared: Callable[..., Prepared]) -> None:
    db = prepared(actors=60)
    client, engine = _client(db)
    with client:
        pid = _person(client, db)
        path = f"/api/v1/networks/{db.network_id}/actors/{pid}"
        released = threading.Event()

        def hold() -> None:
            with held_lock(db.url, "audit_events"):
                time.sleep(BUDGET / 3)
            released.set()

        holder = threading.Thread(target=hold)
        holder.start()
        time.sleep(0.05)
        r = client.get(path, headers={**db.headers, "X-Request-ID": "waited-read-1"})
        holder.join()
        assert r.status_code == 200, r.text
        assert _audited(engine, "waited-read-1") == 1
    engine.dispose()


def test_write_behind_another_writer_gives_up_within_the_bound(
    prepared: Callable[..., Prepared],
) -> None:
    db = prepared(actors=60)
    client, engine = _client(db)
    with client:
        with held_lock(db.url, "networks"):
            start = time.monotonic()
            r = client.post(
                f"/api/v1/networks/{db.network_id}/actors",
                json={"kind": "resident", "name": "Noor Vos"},
                headers={**db.headers, "X-Request-ID": "blocked-write-1"},
            )
            took = time.monotonic() - start
        assert r.status_code == 503, r.text
        assert "retry-after" in r.headers
        assert took <= BUDGET + SLACK, took
        with engine.connect() as conn:
            assert (
                conn.execute(
                    sa.text("SELECT count(*) FROM actors WHERE name = 'Noor Vos'")
                ).scalar_one()
                == 0
            )
        # and the next write, with the lock gone, goes through with its audit row
        r = client.post(
            f"/api/v1/networks/{db.network_id}/actors",
            json={"kind": "resident", "name": "Noor Vos"},
            headers={**db.headers, "X-Request-ID": "free-write-1"},
        )
        assert r.status_code == 201, r.text
        assert _audited(engine, "free-write-1") == 1
    engine.dispose()


def test_a_locked_database_is_busy_not_unreachable(prepared: Callable[..., Prepared]) -> None:
    db = prepared(actors=40)
    client, engine = _client(db)
    try:
        with client:
            if db.url.startswith("sqlite"):
                # a connection in exclusive locking mode keeps every other one out, readers too
                con = sqlite3.connect(make_url(db.url).database or "", isolation_level=None)
                con.execute("PRAGMA locking_mode=EXCLUSIVE")
                con.execute("BEGIN EXCLUSIVE")
                con.execute("UPDATE networks SET name = name")
                try:
                    engine.dispose()  # no pooled connection that already got in
                    r = client.get("/ready")
                finally:
                    con.rollback()
                    con.close()
            else:
                with held_lock(db.url, "alembic_version", "ACCESS EXCLUSIVE"):
                    r = client.get("/ready")
            assert r.status_code == 200, r.text
            assert r.json()["database"] is True
    finally:
        engine.dispose()
