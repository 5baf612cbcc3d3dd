"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_BUSY_TIMEOUT_S",
    "bounded_session",
    "engine_from_settings",
    "is_busy",
    "make_engine",
    "make_sessionmaker",
    "on_session_event",
    "ping",
    "safe_url",
    "transaction",
]

DEFAULT_BUSY_TIMEOUT_S = 5.0


def _sqlite_pragmas(busy_ms: int) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    return on_connect


def make_engine(
    url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S, **kwargs: Any
) -> Engine:
    """An engine with foreign keys enforced on SQLite and sane pooling on PostgreSQL.

    SQLite runs in WAL mode (readers never wait for the writer) with ``synchronous=NORMAL``
    and a busy timeout of ``busy_timeout_s``: a writer waits that long for another writer,
    then fails with "database is locked" (answered 503 with ``Retry-After``). PostgreSQL gets
    the same bound as ``lock_timeout`` on each connection. Pool keywords
    (``pool_size``, ``max_overflow``, ``pool_timeout``) apply to both databases.

    Bound parameters are hidden: SQLAlchemy otherwise prints them into every database error
    (``[parameters: {'lower_1': '%fatima%'}]``), and such an error ends up in the log with
    the names, notes and search terms of the request (DESIGN.md 6).
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        busy_ms = round(busy_timeout_s * 1000)
        if ":memory:" in url or url.rstrip("/") == "sqlite:":
            for key in ("pool_size", "max_overflow", "pool_timeout"):
                kwargs.pop(key, None)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
            **kwargs,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas(busy_ms))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    if url.startswith("postgresql"):
        # the same bound on waiting for another transaction's lock (then 55P03 → 503)
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("options", f"-c lock_timeout={round(busy_timeout_s * 1000)}")
    return sa.create_engine(url, **kwargs)


def engine_from_settings(settings: Any) -> Engine:
    """The service's engine: the database URL, busy timeout and pool limits of ``settings``."""
    return make_engine(
        settings.database_url,
        busy_timeout_s=settings.db_busy_timeout_s,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_s,
    )


def engine_of(source: Any) -> Engine | None:
    """``source`` when it is an engine (which a forked child can use, :func:`after_fork`),
    else None (a session or connection belongs to its process)."""
    return source if isinstance(source, Engine) else None


def after_fork(engine: Engine) -> None:
    """In a forked child: leave the parent's pooled connections to the parent (never used or
    closed here); the child opens its own (SQLAlchemy's advice for ``os.fork``)."""
    engine.dispose(close=False)


def is_busy(exc: BaseException) -> bool:
    """A database that is there but busy (a lock held by another writer, a lock or statement
    timeout), as opposed to one that cannot be reached."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    if any(m in text for m in ("database is locked", "database is busy", "table is locked")):
        return True
    sqlstate = getattr(orig, "sqlstate", None)
    # 55P03 lock_not_available, 57014 query_canceled (statement/lock timeout), 40001/40P01
    return sqlstate in {"55P03", "57014", "40001", "40P01"}


def ping(engine: Engine) -> None:
    """Run ``SELECT 1`` on a fresh connection: raises the database's error when unreachable."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def safe_url(engine: Engine) -> str:
    """The engine's URL with the password hidden (for messages)."""
    return engine.url.render_as_string(hide_password=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def url_database(url: str) -> tuple[str, str | None]:
    """A database URL's driver name and database (a file path for SQLite), as SQLAlchemy
    parses it (for the backup, which copies the SQLite file itself)."""
    parsed = sa.engine.make_url(url)
    return parsed.drivername, parsed.database


def on_session_event(factory: sessionmaker[Session], name: str, fn: Any) -> None:
    """Call ``fn(session)`` on the session event ``name`` (``"before_commit"`` …) of every
    session of ``factory``."""
    sa.event.listen(factory, name, fn)


@contextmanager
def bounded_session(engine: Engine, wait_ms: int, busy_timeout_s: float) -> Iterator[Session]:
    """A session on its own connection that waits at most ``wait_ms`` for locks (SQLite's
    busy timeout; PostgreSQL's ``lock_timeout`` and ``statement_timeout`` for the
    transaction). The caller commits; SQLite's busy timeout is put back to
    ``busy_timeout_s`` afterwards."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
            conn.commit()  # the session below begins (and commits) its own transaction
        try:
            with Session(bind=conn) as session:
                if not sqlite:
                    session.execute(sa.text(f"SET LOCAL lock_timeout = {wait_ms}"))
                    session.execute(sa.text(f"SET LOCAL statement_timeout = {wait_ms}"))
                yield session
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
                conn.commit()
