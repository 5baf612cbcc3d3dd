"""The throwaway databases the benches run on (one home for them): a SQLite file in a
temporary folder or at a path kept between runs, and a PostgreSQL database made (and
dropped, unless kept) through the admin URL. Both are migrated to the current schema."""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.store.db import make_engine  # noqa: E402
from netwerk.store.migrate import upgrade  # noqa: E402

__all__ = ["postgres_engine", "sqlite_engine"]


@contextmanager
def sqlite_engine(path: str | Path | None = None) -> Iterator[sa.Engine]:
    """SQLite at ``path`` (kept, and reused by a later run: a city-sized network takes
    minutes to load), or in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="netwerk-bench-") as tmp:
        file = Path(path) if path is not None else Path(tmp) / "bench.db"
        file.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{file}")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(admin_url: str, name: str | None = None) -> Iterator[sa.Engine]:
    """A PostgreSQL database through ``admin_url``: ``name`` is made if missing and kept
    (reused by a later run); without it a fresh database is made and dropped afterwards."""
    keep = name is not None
    database = name or f"netwerk_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    url = sa.engine.make_url(admin_url).set(database=database)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()
