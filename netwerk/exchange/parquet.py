"""Columnar exports: Apache Parquet tables that Spark, DuckDB and polars read as they are.

Layout (``format=parquet``): a zip, or from the CLI a folder, holding

* ``actors.parquet``: ``id`` (the actor id, or in a research export the researcher's
  pseudonym), ``kind``, ``area``, ``languages``, ``assets``, ``needs`` (lists of text);
  ordinary exports also ``name``, ``consent`` (persons only), ``note``, ``external_ref`` and
  one typed column per free attribute (``attr_`` before a name that collides with a column);
  ``analysis_community``, ``analysis_key_figure``, ``analysis_betweenness`` when asked.
* ``ties.parquet``: ``source``, ``target`` (actor ``id`` values), ``kind``, ``directed``
  (``refers_to`` only), ``strength`` (int8, 1–5), ``support`` (list of text), ``since``,
  ``until`` (dates), ``ended`` (``until`` before the reference date: ``as_of``, else the day
  of the export) and ``status`` (``active``, ``ended`` or ``future`` on that date); ordinary
  exports also ``note``. ``export_network`` gives the ties active today by default, those of
  ``as_of``, or every tie with ``history``.
* ``network.json``: the network's metadata, ``as_of``, the reference date, the network's
  ``revision``, the pseudonymisation mode, the row counts, the columns and their types, and
  ``schema_version`` (:data:`SCHEMA_VERSION`).

Analysis columns are named with ``_`` rather than the other formats' ``.``, because Spark reads a
dot in a column name as a struct field.

Bounded memory
--------------
Rows are read from the database set-based in partitions (``yield_per``) and written as
Parquet row groups of :data:`ROW_GROUP_ROWS` rows: an ordinary export holds one row group in
Arrow buffers at a time, never the table as Python objects. A research export must order its
rows by pseudonym (so that row positions cannot link two researchers' files): it keeps the
actors in Arrow (id, pseudonym, fields), and of the ties only fixed-width columns (two int32
pseudonym ranks, an int8 strength, date32 days, small dictionary codes) until it has sorted
them; pseudonym text is only materialised per row group. That is about 20 bytes per tie
(200 MB for 10 million ties) instead of several hundred as Python objects.

The privacy rules are those of :func:`netwerk.exchange.service.load_records` (DESIGN.md 6,
:mod:`netwerk.exchange.pseudonym`), applied per row group.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from netwerk.store.exchange import parquet_network_row
from netwerk.store.session import Connection

from .parquet_rows import (
    Plan,
    actor_batches,
    attribute_types,
    extra_types,
    research_actors,
    research_ties,
    tie_batches,
)
from .parquet_schema import (
    ACTORS_FILE,
    ANALYSIS_COLUMN_PREFIX,
    METADATA_FILE,
    ROW_GROUP_ROWS,
    SCHEMA_VERSION,
    TIES_FILE,
    GroupWriter,
    actor_schema,
    attribute_name,
    tie_schema,
)
from .pseudonym import PseudonymKey

__all__ = [
    "ACTORS_FILE",
    "METADATA_FILE",
    "ROW_GROUP_ROWS",
    "SCHEMA_VERSION",
    "TIES_FILE",
    "ParquetSummary",
    "write_dataset",
    "write_folder",
    "write_zip",
    "zip_to_spool",
]

_CHUNK_BYTES = 1 << 20

OpenMember = Callable[[str], AbstractContextManager[IO[bytes]]]
"""``open_member(name)``: a context manager giving a binary file to write ``name`` into."""


@dataclass
class ParquetSummary:
    """What was written: row counts and the ``network.json`` document."""

    actors: int = 0
    ties: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


def write_dataset(
    conn: Connection,
    network_id: str,
    open_member: OpenMember,
    *,
    as_of: dt.date | None = None,
    pseudonymise: PseudonymKey | None = None,
    include_analysis: Mapping[str, Mapping[str, Any]] | None = None,
    coarsen_area: bool | None = None,
    row_group_rows: int = ROW_GROUP_ROWS,
    today: dt.date | None = None,
) -> ParquetSummary:
    """Write ``actors.parquet``, ``ties.parquet`` and ``network.json`` through
    ``open_member``, reading the network set-based. Arguments as
    :func:`netwerk.exchange.service.export_network`."""
    network = parquet_network_row(conn, network_id)
    research = pseudonymise is not None
    extras = include_analysis or {}
    plan = Plan(
        network_id=network_id,
        network=network,
        research=research,
        key=pseudonymise,
        coarsen=bool(network.coarsen_area) if coarsen_area is None else coarsen_area,
        coarsen_full=bool(coarsen_area),
        as_of=as_of,
        reference=as_of or today or dt.date.today(),
        attr_types={} if research else attribute_types(conn, network_id),
        extras=extras,
        extra_types=extra_types(extras),
        row_group_rows=row_group_rows,
    )
    summary = ParquetSummary()
    a_schema = actor_schema(
        research=research, attr_types=plan.attr_types, extra_types=plan.extra_types
    )
    t_schema = tie_schema(research=research)
    if research:
        actors = research_actors(conn, plan, a_schema)
        with open_member(ACTORS_FILE) as sink, GroupWriter(sink, a_schema, row_group_rows) as w:
            for batch in actors.drop_columns(["_actor_id"]).to_batches(row_group_rows):
                w.add(batch)
        summary.actors = w.count
        with open_member(TIES_FILE) as sink:
            summary.ties = research_ties(conn, plan, actors, sink, t_schema)
        del actors
    else:
        with open_member(ACTORS_FILE) as sink, GroupWriter(sink, a_schema, row_group_rows) as w:
            for batch in actor_batches(conn, plan, a_schema):
                w.add(batch)
        summary.actors = w.count
        with open_member(TIES_FILE) as sink, GroupWriter(sink, t_schema, row_group_rows) as w:
            for batch in tie_batches(conn, plan, t_schema):
                w.add(batch)
        summary.ties = w.count
    summary.metadata = _metadata(plan, summary, a_schema, t_schema)
    with open_member(METADATA_FILE) as sink:
        sink.write(json.dumps(summary.metadata, indent=2, ensure_ascii=False).encode("utf-8"))
    return summary


def write_zip(conn: Connection, network_id: str, out: IO[bytes], **kw: Any) -> ParquetSummary:
    """:func:`write_dataset` into a zip (members stored: Parquet compresses its own pages)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:

        def open_member(name: str) -> AbstractContextManager[IO[bytes]]:
            return archive.open(name, "w", force_zip64=True)

        return write_dataset(conn, network_id, open_member, **kw)


def write_folder(
    conn: Connection, network_id: str, folder: str | Path, **kw: Any
) -> ParquetSummary:
    """:func:`write_dataset` into a folder (made if missing), as Spark and DuckDB read it."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)

    def open_member(name: str) -> AbstractContextManager[IO[bytes]]:
        return (root / name).open("wb")

    return write_dataset(conn, network_id, open_member, **kw)


# -- network.json ------------------------------------------------------------------------


def _metadata(
    plan: Plan, summary: ParquetSummary, actors: pa.Schema, ties: pa.Schema
) -> dict[str, Any]:
    network = plan.network
    if plan.research:
        assert plan.key is not None
        about: dict[str, Any] = {
            "id": plan.key.pseudonym(f"network:{network.id}"),
            "area_code": network.area_code,
        }
        mode: dict[str, Any] = {
            "mode": "per_researcher",
            "method": "HMAC-SHA256(server key, researcher token id + ':' + actor id), "
            "first 64 bits in hex after 'p'",
            "stable_for": "this researcher, across exports",
            "linkable_across_researchers": False,
            "persons": "only those whose consent is 'given'; ties to others left out",
            "left_out": ["name", "note", "external_ref", "attributes", "tie note"],
            "area": "CBS codes only (street labels left out)"
            + ("; buurt coarsened to wijk" if plan.coarsen else ""),
            "row_order": "by pseudonym",
        }
    else:
        about = {
            "id": network.id,
            "name": network.name,
            "area_code": network.area_code,
            "small_cell_threshold": network.small_cell_threshold,
        }
        mode = {
            "mode": "none",
            "persons_with_withdrawn_consent": "anonymous label only; no note, reference, "
            "attributes, languages or themes; CBS area at most",
            "area": "buurt coarsened to wijk" if plan.coarsen_full else "as recorded",
        }
    about["coarsen_area"] = bool(network.coarsen_area)
    return {
        "format": "netwerk-parquet",
        "schema_version": SCHEMA_VERSION,
        "network": about,
        "as_of": plan.as_of.isoformat() if plan.as_of else None,
        "reference_date": plan.reference.isoformat(),
        "exported_on": dt.date.today().isoformat(),
        "revision": int(network.revision or 0),
        "pseudonymisation": mode,
        "counts": {"actors": summary.actors, "ties": summary.ties},
        "files": {"actors": ACTORS_FILE, "ties": TIES_FILE},
        "analysis": [ANALYSIS_COLUMN_PREFIX + n for n in plan.extra_types],
        "attributes": {attribute_name(k): v for k, v in plan.attr_types.items()},
        "columns": {
            "actors": {f.name: str(f.type) for f in actors},
            "ties": {f.name: str(f.type) for f in ties},
        },
        "notes": {
            "ended": "until is before reference_date (as_of, else the day of the export)",
            "status": "active, ended (until before reference_date) or future (since after it)",
            "directed": "refers_to ties point from source to target; the others are symmetric",
            "strength": "1 (weak) to 5 (strong)",
        },
    }


def zip_to_spool(
    conn: Connection, network_id: str, **kw: Any
) -> tuple[ParquetSummary, Iterator[bytes]]:
    """:func:`write_zip` into a temporary file, then its bytes in 1 MiB chunks: the database
    is read before this returns (the caller may close its connection), and neither the rows
    nor the file are ever held in memory as a whole."""
    spool = tempfile.TemporaryFile(prefix="netwerk-parquet-")  # noqa: SIM115 - closed by chunks()
    try:
        summary = write_zip(conn, network_id, spool, **kw)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(_CHUNK_BYTES):
                yield chunk

    return summary, chunks()
