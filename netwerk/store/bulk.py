"""Set-based bulk insert of actors and ties (imports, the synthetic neighbourhood, benchmarks).

The rows arrive as parallel columns (one list per column) and go to the database without an
ORM object per row:

* **SQLite**: the raw ``sqlite3`` cursor's ``executemany`` over a row generator, in batches.
  For large inserts the connection's page cache is raised for the duration, and when the
  table is not larger than the insert its secondary indexes are dropped and rebuilt inside the
  same transaction (building an index by sorting beats a million random-key inserts).
* **PostgreSQL**: psycopg 3 ``COPY ... FROM STDIN`` with ``write_row``, one COPY per batch.

Both run on the DBAPI connection underneath the caller's SQLAlchemy ``Connection``, inside the
caller's transaction: nothing is committed here, so an import is all or nothing. The caller
bumps the network's revision once (:func:`netwerk.store.revision.bump_revision`).

Values are written as given (JSON columns as JSON text, ``created_at``/``updated_at`` = now in
UTC, consent metadata left empty): validation of kinds, areas, themes and the like is the
caller's job. The database still enforces its constraints (foreign keys, no self-tie,
strength 1–5, ``until >= since``); a violation is raised as the same SQLAlchemy exception
``conn.execute`` would raise (``sqlalchemy.exc.IntegrityError``, ...).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import sqlalchemy as sa

from netwerk.store.tables import Actor, Tie, utcnow

__all__ = ["ActorColumns", "TieColumns", "insert_actors", "insert_ties"]

Progress = Callable[[int], None]


@dataclass
class ActorColumns:
    """Actors as parallel lists, one entry per actor."""

    id: list[str]
    kind: list[str]
    name: list[str]
    area: list[str | None]
    languages: list[list[str]]
    assets: list[list[str]]
    needs: list[list[str]]
    consent: list[str | None]
    attributes: list[dict[str, object]] | None = None
    note: list[str | None] | None = None
    external_ref: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.id)

    def check(self) -> None:
        """Raise ``ValueError`` when the columns differ in length."""
        _check_lengths(
            len(self.id),
            {
                "kind": self.kind,
                "name": self.name,
                "area": self.area,
                "languages": self.languages,
                "assets": self.assets,
                "needs": self.needs,
                "consent": self.consent,
                "attributes": self.attributes,
                "note": self.note,
                "external_ref": self.external_ref,
            },
        )


@dataclass
class TieColumns:
    """Ties as parallel lists, one entry per tie."""

    id: list[str]
    source_id: list[str]
    target_id: list[str]
    kind: list[str]
    strength: list[int]
    support: list[list[str]]
    since: list[dt.date | None]
    until: list[dt.date | None]
    note: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.id)

    def check(self) -> None:
        """Raise ``ValueError`` when the columns differ in length."""
        _check_lengths(
            len(self.id),
            {
                "source_id": self.source_id,
                "target_id": self.target_id,
                "kind": self.kind,
                "strength": self.strength,
                "support": self.support,
                "since": self.since,
                "until": self.until,
                "note": self.note,
            },
        )


def _check_lengths(n: int, columns: dict[str, Sequence[object] | None]) -> None:
    for name, column in columns.items():
        if column is not None and len(column) != n:
            raise ValueError(f"column '{name}' has {len(column)} values, expected {n}")


ACTOR_COLUMNS = (
    "id",
    "network_id",
    "kind",
    "name",
    "area",
    "languages",
    "assets",
    "needs",
    "consent",
    "attributes",
    "note",
    "external_ref",
    "created_at",
    "updated_at",
)
TIE_COLUMNS = (
    "id",
    "network_id",
    "source_id",
    "target_id",
    "kind",
    "strength",
    "support",
    "since",
    "until",
    "note",
    "created_at",
    "updated_at",
)


def _json_list(cache: dict[tuple[str, ...], str]) -> Callable[[list[str]], str]:
    """``json.dumps`` for short lists, memoised: a column repeats few distinct lists."""

    def dump(value: list[str]) -> str:
        key = tuple(value)
        text = cache.get(key)
        if text is None:
            text = json.dumps(value)
            if len(cache) < 100_000:
                cache[key] = text
        return text

    return dump


def _memo(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Memoise a converter of few distinct values (dates); ``None`` stays ``None``."""
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        out = cache.get(value)
        if out is None:
            out = fn(value)
            cache[value] = out
        return out

    return convert


def _dump_dict(value: dict[str, object] | None) -> str:
    return json.dumps(value) if value else "{}"


def _ensure_transaction(conn: sa.Connection) -> None:
    # The rows go through the DBAPI connection; make sure SQLAlchemy has a transaction to
    # commit (what ``conn.execute`` would have autobegun), so the caller's commit commits.
    if not conn.in_transaction():
        conn.begin()


def _batches(n: int, batch: int) -> Iterator[tuple[int, int]]:
    if batch < 1:
        raise ValueError("batch must be at least 1")
    for lo in range(0, n, batch):
        yield lo, min(n, lo + batch)


def _column(values: list[Any] | None, lo: int, hi: int) -> Iterable[Any]:
    return repeat(None, hi - lo) if values is None else values[lo:hi]


def _write(
    conn: sa.Connection,
    table: str,
    columns: tuple[str, ...],
    n: int,
    rows: Callable[[int, int], Iterable[tuple[Any, ...]]],
    progress: Progress | None,
    batch: int,
) -> int:
    _ensure_transaction(conn)
    raw: Any = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    dialect = conn.dialect.name
    if dialect == "postgresql":
        statement = f"COPY {table} ({names}) FROM STDIN"
    elif dialect == "sqlite":
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    else:
        raise NotImplementedError(f"bulk insert is not implemented for {dialect}")
    dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
    try:
        with (
            contextlib.closing(raw.cursor()) as cur,
            _sqlite_cache(cur, dialect, n),
            _sqlite_deferred_indexes(cur, dialect, table, n),
        ):
            for lo, hi in _batches(n, batch):
                if dialect == "postgresql":
                    with cur.copy(statement) as copy:
                        for row in rows(lo, hi):
                            copy.write_row(row)
                else:
                    cur.executemany(statement, rows(lo, hi))
                if progress is not None:
                    progress(hi - lo)
    except dbapi_error as exc:
        # the same exception types as conn.execute raises (sa.exc.IntegrityError, ...)
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc
    return n


SQLITE_REINDEX_MIN = 50_000
"""From this many rows on, a SQLite bulk insert into a table no larger than the insert drops
the table's secondary indexes and builds them again afterwards (see
:func:`_sqlite_deferred_indexes`)."""


@contextlib.contextmanager
def _sqlite_deferred_indexes(cur: Any, dialect: str, table: str, n: int) -> Iterator[None]:
    """On SQLite, for a large insert into a table that is not much larger than the insert:
    drop the table's secondary indexes, insert, and create them again with their original SQL.

    Building an index by sorting is much faster than a million random-key index inserts. DDL
    is transactional in SQLite, so this happens inside the caller's transaction: a rollback
    restores the indexes, readers never see the table without them (WAL: they read the last
    committed state), and SQLite has a single writer anyway. Rebuilding costs time in
    proportion to the whole table, hence the size condition.
    """
    if dialect != "sqlite" or n < SQLITE_REINDEX_MIN:
        yield
        return
    existing = cur.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0
    if existing > n:
        yield
        return
    # plain CREATE INDEX indexes only: unique ones may be the parent key of a foreign key
    plain = {
        row[1]
        for row in cur.execute(f'PRAGMA index_list("{table}")')
        if not row[2] and row[3] == "c"
    }
    indexes = [
        (name, sql)
        for name, sql in cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        )
        if name in plain and sql
    ]
    if not cur.connection.in_transaction:
        cur.execute("BEGIN")  # DDL does not open the driver's implicit transaction
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        cur.execute(sql)


@contextlib.contextmanager
def _sqlite_cache(cur: Any, dialect: str, n: int) -> Iterator[None]:
    """On SQLite, raise the connection's page cache while many rows go in, then restore it.

    Index inserts with random keys (the ids) touch pages all over the indexes; once the
    indexes outgrow the cache (2 MiB by default), every insert reads and spills pages and a
    million rows take several times longer. The cache grows only as pages are used.
    """
    if dialect != "sqlite" or n < 20_000:
        yield
        return
    before = int(cur.execute("PRAGMA cache_size").fetchone()[0])
    page_kib = int(cur.execute("PRAGMA page_size").fetchone()[0]) // 1024 or 1
    before_kib = -before if before < 0 else before * page_kib
    wanted_kib = min(1024 * 1024, max(64 * 1024, n // 2))  # ~512 bytes a row, 64 MiB-1 GiB
    if wanted_kib > before_kib:
        cur.execute(f"PRAGMA cache_size = -{wanted_kib}")
    try:
        yield
    finally:
        cur.execute(f"PRAGMA cache_size = {before}")


def _stamp_and_date(conn: sa.Connection) -> tuple[Any, Callable[[Any], Any]]:
    """The 'now' value for created_at/updated_at and a date converter, as this database wants
    them (SQLite stores SQLAlchemy's string formats; psycopg adapts Python objects)."""
    now = utcnow()
    if conn.dialect.name == "postgresql":
        return now, lambda d: d
    dialect = conn.dialect
    stamp = Actor.__table__.c.created_at.type.bind_processor(dialect)
    date = Tie.__table__.c.since.type.bind_processor(dialect)
    return (stamp(now) if stamp else now), _memo(date if date else dt.date.isoformat)


def insert_actors(
    conn: sa.Connection,
    network_id: str,
    actors: ActorColumns,
    *,
    progress: Progress | None = None,
    batch: int = 20_000,
) -> int:
    """Insert ``actors`` into ``network_id`` inside the caller's transaction.

    Returns the number of rows written. ``progress(n)`` is called after each batch with the
    number of rows just written. Does not commit and does not bump the revision.
    """
    actors.check()
    now, _ = _stamp_and_date(conn)
    dump = _json_list({})

    def rows(lo: int, hi: int) -> Iterable[tuple[Any, ...]]:
        return zip(
            actors.id[lo:hi],
            repeat(network_id),
            actors.kind[lo:hi],
            actors.name[lo:hi],
            actors.area[lo:hi],
            map(dump, actors.languages[lo:hi]),
            map(dump, actors.assets[lo:hi]),
            map(dump, actors.needs[lo:hi]),
            actors.consent[lo:hi],
            map(_dump_dict, _column(actors.attributes, lo, hi)),
            _column(actors.note, lo, hi),
            _column(actors.external_ref, lo, hi),
            repeat(now),
            repeat(now),
            strict=False,
        )

    return _write(conn, "actors", ACTOR_COLUMNS, len(actors), rows, progress, batch)


def insert_ties(
    conn: sa.Connection,
    network_id: str,
    ties: TieColumns,
    *,
    progress: Progress | None = None,
    batch: int = 50_000,
) -> int:
    """Insert ``ties`` into ``network_id`` inside the caller's transaction.

    The actors they connect must exist in the same network (written earlier in the same
    transaction, or before). Returns the number of rows written; ``progress(n)`` as for
    :func:`insert_actors`. Does not commit and does not bump the revision.
    """
    ties.check()
    now, date = _stamp_and_date(conn)
    dump = _json_list({})

    def rows(lo: int, hi: int) -> Iterable[tuple[Any, ...]]:
        return zip(
            ties.id[lo:hi],
            repeat(network_id),
            ties.source_id[lo:hi],
            ties.target_id[lo:hi],
            ties.kind[lo:hi],
            ties.strength[lo:hi],
            map(dump, ties.support[lo:hi]),
            map(date, ties.since[lo:hi]),
            map(date, ties.until[lo:hi]),
            _column(ties.note, lo, hi),
            repeat(now),
            repeat(now),
            strict=False,
        )

    return _write(conn, "ties", TIE_COLUMNS, len(ties), rows, progress, batch)
