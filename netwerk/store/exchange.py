"""The export's and the import's reads and writes (:mod:`netwerk.exchange`): set-based
queries returning plain rows, with the privacy rules that are SQL filters (which actors a
research export may read) applied in the query. The Python rules stay in ``exchange``.

:func:`fetch` reads rows from the driver's own cursor in partitions (a server-side cursor and
a read-ahead thread on PostgreSQL), for the Parquet export's million-row reads."""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from netwerk.errors import NotFound
from netwerk.model import PERSON_KINDS, Consent
from netwerk.store.tables import Actor, Network, Tie

__all__ = [
    "FETCH_ROWS",
    "actor_refs",
    "export_actor_rows",
    "export_network_row",
    "export_tie_partitions",
    "fetch",
    "parquet_actor_rows",
    "parquet_attribute_texts",
    "parquet_network_row",
    "parquet_tie_rows",
    "sqlite_import_cache",
    "tie_periods",
]

FETCH_ROWS = 50_000
_PERSONS = tuple(k.value for k in PERSON_KINDS)
_SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def _exportable() -> Any:
    """Research exports read only the actors that may be exported for research: not persons,
    or persons who gave consent (the SQL form of ``privacy.may_export_for_research``)."""
    return sa.or_(Actor.kind.not_in(_PERSONS), Actor.consent == Consent.given.value)


def _active_on(day: dt.date) -> tuple[Any, Any]:
    return (
        sa.or_(Tie.since.is_(None), Tie.since <= day),
        sa.or_(Tie.until.is_(None), Tie.until >= day),
    )


# -- the record export (every format but Parquet) and the import -------------------------


def export_network_row(conn: sa.Connection, network_id: str) -> Any:
    """The network's ``name`` and ``coarsen_area``; :class:`NotFound` if there is none."""
    row = conn.execute(
        sa.select(Network.name, Network.coarsen_area).where(Network.id == network_id)
    ).first()
    if row is None:
        raise NotFound("network", network_id)
    return row


def export_actor_rows(conn: sa.Connection, network_id: str, *, research: bool) -> Iterable[Any]:
    """Actor rows in id order: ``id, kind, area, languages, assets, needs, consent`` and, but
    for a research export, ``name, note, external_ref, attributes``. A research export reads
    only the actors it may export."""
    columns: list[Any] = [
        Actor.id,
        Actor.kind,
        Actor.area,
        Actor.languages,
        Actor.assets,
        Actor.needs,
    ]
    columns.append(Actor.consent)
    if not research:
        columns += [Actor.name, Actor.note, Actor.external_ref, Actor.attributes]
    stmt = sa.select(*columns).where(Actor.network_id == network_id)
    if research:
        stmt = stmt.where(_exportable())
    return conn.execute(stmt.order_by(Actor.id))


def _tie_select(
    network_id: str, research: bool, active_on: dt.date | None, as_text: Callable[..., Any]
) -> sa.Select[Any]:
    """``source, target, kind, strength, support`` (JSON text), ``since, until`` (through
    ``as_text``: ``sa.cast`` or ``sa.type_coerce``) and, but for research, ``note``: of the
    ties active on ``active_on``, or of every tie."""
    columns: list[Any] = [
        Tie.source_id,
        Tie.target_id,
        Tie.kind,
        Tie.strength,
        sa.cast(Tie.support, sa.Text),
        as_text(Tie.since, sa.String),
        as_text(Tie.until, sa.String),
    ]
    if not research:
        columns.append(Tie.note)
    stmt = sa.select(*columns).where(Tie.network_id == network_id)
    return stmt if active_on is None else stmt.where(*_active_on(active_on))


def export_tie_partitions(
    conn: sa.Connection, network_id: str, *, research: bool, day: dt.date, history: bool
) -> Iterator[Sequence[Any]]:
    """Tie rows in partitions of :data:`FETCH_ROWS`: ``source, target, kind, strength`` and,
    as raw text (cheap to parse through small caches), ``support, since, until``; then, but
    for a research export, ``note``. Those active on ``day``, or every tie with ``history``."""
    # Raw text: far cheaper than a JSON/date conversion per row (support is cast in SQL, as
    # psycopg parses json values itself).
    stmt = _tie_select(network_id, research, None if history else day, sa.type_coerce)
    result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
    yield from result.partitions()


def actor_refs(conn: sa.Connection, network_id: str) -> Iterable[tuple[str | None, str]]:
    """``(external_ref, id)`` of every actor in the network (the import's matching)."""
    return conn.execute(
        sa.select(Actor.external_ref, Actor.id).where(Actor.network_id == network_id)
    )


def tie_periods(
    conn: sa.Connection, network_id: str
) -> Iterable[tuple[str, str, str, dt.date | None, dt.date | None]]:
    """``(source, target, kind, since, until)`` of every tie in the network."""
    return conn.execute(
        sa.select(Tie.source_id, Tie.target_id, Tie.kind, Tie.since, Tie.until).where(
            Tie.network_id == network_id
        )
    )


@contextlib.contextmanager
def sqlite_import_cache(conn: sa.Connection, rows: int) -> Iterator[None]:
    """A large import into SQLite inserts into B-tree indexes in random key order; with the
    default 2 MiB page cache that thrashes (4x slower). Raise it for the import only."""
    if conn.dialect.name != "sqlite" or rows < 20_000:
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


# -- the Parquet export ------------------------------------------------------------------


def parquet_network_row(conn: sa.Connection, network_id: str) -> Any:
    """The network's ``id, name, area_code, revision, coarsen_area, small_cell_threshold``;
    :class:`NotFound` if there is none."""
    network = conn.execute(
        sa.select(
            Network.id,
            Network.name,
            Network.area_code,
            Network.revision,
            Network.coarsen_area,
            Network.small_cell_threshold,
        ).where(Network.id == network_id)
    ).first()
    if network is None:
        raise NotFound("network", network_id)
    return network


def parquet_attribute_texts(conn: sa.Connection, network_id: str) -> Iterator[list[Any]]:
    """The non-empty attribute maps (JSON text, or a dict), one 1-tuple each, in partitions;
    never those of persons who withdrew consent."""
    text = sa.cast(Actor.attributes, sa.Text)
    stmt = sa.select(text).where(
        Actor.network_id == network_id,
        Actor.attributes.is_not(None),
        text != "{}",
        sa.not_(sa.and_(Actor.kind.in_(_PERSONS), Actor.consent == Consent.withdrawn.value)),
    )
    yield from fetch(conn, stmt)


def parquet_actor_rows(
    conn: sa.Connection, network_id: str, *, research: bool
) -> Iterator[list[Any]]:
    """Actor rows in id order, partition by partition: ``id, kind, area`` and as JSON text
    ``languages, assets, needs``, then ``consent``; but for research ``name, note,
    external_ref`` and ``attributes`` (JSON text). Research reads only exportable actors."""
    columns: list[Any] = [
        Actor.id,
        Actor.kind,
        Actor.area,
        sa.cast(Actor.languages, sa.Text),
        sa.cast(Actor.assets, sa.Text),
        sa.cast(Actor.needs, sa.Text),
        Actor.consent,
    ]
    if not research:
        columns += [Actor.name, Actor.note, Actor.external_ref, sa.cast(Actor.attributes, sa.Text)]
    stmt = sa.select(*columns).where(Actor.network_id == network_id)
    if research:
        stmt = stmt.where(_exportable())
    stmt = stmt.order_by(Actor.id)
    yield from fetch(conn, stmt)


def parquet_tie_rows(
    conn: sa.Connection, network_id: str, *, research: bool, as_of: dt.date | None
) -> Iterator[list[Any]]:
    """Tie rows in partitions: ``source, target, kind, strength`` and as text ``support,
    since, until``; but for research ``note``. Those active on ``as_of``, or every tie."""
    stmt = _tie_select(network_id, research, as_of, sa.cast)
    yield from fetch(conn, stmt, scan="ties" if _most_of(conn, Tie, network_id) else None)


def _most_of(conn: sa.Connection, table: Any, network_id: str) -> bool:
    """Whether the network holds at least a quarter of the table's rows (SQLite only)."""
    if conn.dialect.name != "sqlite":
        return False
    total = conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
    mine = conn.scalar(sa.select(sa.func.count()).where(table.network_id == network_id)) or 0
    return mine * 4 >= total


def fetch(
    conn: sa.Connection, stmt: sa.Select[Any], *, scan: str | None = None
) -> Iterator[list[Any]]:
    """The rows of ``stmt`` in partitions of :data:`FETCH_ROWS` tuples, from the driver's
    own cursor in the caller's transaction: no SQLAlchemy ``Row`` per row (a third of the
    time of a million-tie export), and on PostgreSQL a server-side cursor, so only one
    partition is ever in memory.

    ``scan``: on SQLite, read this table front to back (``NOT INDEXED``) instead of through
    the network index: when the network holds most of the table's rows that is 2.5x faster
    (sequential pages instead of one random lookup per row)."""
    dialect = conn.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
        for part in result.partitions():
            yield [tuple(row) for row in part]
        return
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    raw: Any = conn.connection.driver_connection
    if dialect.name == "sqlite":
        params: Any = [_bind(compiled.params[k]) for k in compiled.positiontup or ()]
        cursor = raw.cursor()
    else:
        params = {k: _bind(v) for k, v in compiled.params.items()}
        cursor = raw.cursor(name=f"netwerk_parquet_{secrets.token_hex(6)}")
        cursor.itersize = FETCH_ROWS
    sql = str(compiled)
    if scan is not None and dialect.name == "sqlite":
        sql = sql.replace(f"FROM {scan} ", f"FROM {scan} NOT INDEXED ", 1)
    try:
        cursor.execute(sql, params)
        if dialect.name == "postgresql":
            yield from _read_ahead(cursor)
        else:
            while part := cursor.fetchmany(FETCH_ROWS):
                yield part
    finally:
        cursor.close()


def _read_ahead(cursor: Any) -> Iterator[list[Any]]:
    """The cursor's partitions, the next one fetched by a thread while the caller turns the
    current one into Arrow: PostgreSQL's server-side cursor then sends while we convert,
    instead of each side waiting for the other (psycopg releases the GIL while it waits).
    At most two partitions are in memory; the thread stops when the caller stops early."""
    parts: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            while not stop.is_set():
                part = cursor.fetchmany(FETCH_ROWS)
                parts.put(part or None)
                if not part:
                    return
        except BaseException as error:  # handed to the caller, raised there
            parts.put(error)

    reader = threading.Thread(target=produce, name="netwerk-parquet-fetch", daemon=True)
    reader.start()
    try:
        while (item := parts.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                parts.get(timeout=0.05)
        reader.join()


def _bind(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
