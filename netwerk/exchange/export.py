"""Export: what the HTTP router and the CLI call to write a network to a file.

Export
------
:func:`export_network` reads the network set-based (only the columns the export needs),
applies the privacy rules (research exports: :mod:`netwerk.exchange.pseudonym`) and returns
an :class:`Export`: an iterator of ``bytes`` chunks with ``media_type`` and ``filename``. The
records are read before it returns, so the caller may close its connection and stream the
export afterwards; the serialised file is never held in memory as a whole.

Which ties: by default those active today (what the analysis works on), with ``as_of``
those of one day, with ``history`` every tie, each marked with its ``status``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from itertools import compress, repeat
from typing import Any, Literal

from netwerk.errors import ValidationFailed
from netwerk.model import PERSON_KINDS, Consent, Scalar
from netwerk.privacy import anonymous_label, may_export_for_research
from netwerk.store.exchange import (
    export_actor_rows,
    export_network_row,
    export_tie_partitions,
)
from netwerk.store.session import Connection

from . import formats, gexf, graphml, jsonfmt, pajek, parquet, pseudonym, tabular
from .pseudonym import PseudonymKey, research_area
from .records import (
    ACTOR_FIELDS,
    TIE_FIELDS,
    ActorRecords,
    NetworkRecords,
    TieRecords,
    infer_attr_types,
)

__all__ = ["Export", "export_network", "load_records", "serialise"]

_PERSONS = tuple(k.value for k in PERSON_KINDS)
_RESEARCH_ACTOR_FIELDS = ("kind", "area", "languages", "assets", "needs")
_RESEARCH_TIE_FIELDS = ("kind", "strength", "support", "since", "until", "status")
_CHUNK_BYTES = 1 << 16


# -- export ------------------------------------------------------------------------------


def _json_list(value: Any, cache: dict[Any, tuple[str, ...]]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        found = cache.get(value)
        if found is None:
            found = cache[value] = tuple(json.loads(value))
        return found
    if isinstance(value, list):
        key = tuple(value)
        found = cache.get(key)
        if found is None:
            found = cache[key] = key
        return found
    return tuple(value)


def _date(value: Any, cache: dict[Any, dt.date | None]) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    found = cache.get(value)
    if found is None:
        found = cache[value] = dt.date.fromisoformat(str(value)[:10])
    return found


def load_records(
    conn: Connection,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    pseudonymise: PseudonymKey | None = None,
    include_analysis: Mapping[str, Mapping[str, Any]] | None = None,
    coarsen_area: bool | None = None,
    dynamic: bool = False,
    history: bool = False,
) -> NetworkRecords:
    """The network as export records, with the privacy rules applied: the ties active on
    ``as_of`` (default today, as the analysis sees the network), or every tie with
    ``history``."""
    network = export_network_row(conn, network_id)
    research = pseudonymise is not None
    # Research exports follow the network's setting unless told; ordinary exports coarsen
    # only when asked.
    coarsen = bool(network.coarsen_area) if coarsen_area is None else coarsen_area
    coarsen_full = bool(coarsen_area)
    list_cache: dict[Any, tuple[str, ...]] = {}

    actors = ActorRecords()
    key_of: dict[str, str] = {}
    extras = include_analysis or {}
    for row in export_actor_rows(conn, network_id, research=research):
        actor_id, kind, area, consent = row[0], row[1], row[2], row[6]
        person = kind in _PERSONS
        if research and not may_export_for_research(kind, consent):
            continue  # the SQL filter already leaves them out; this is the privacy module's word
        key = pseudonymise.pseudonym(actor_id) if pseudonymise is not None else actor_id
        key_of[actor_id] = key
        actors.key.append(key)
        actors.kind.append(kind)
        withdrawn = person and consent == Consent.withdrawn.value and not research
        if withdrawn:
            # Brokers see a person who withdrew consent by pseudonym only (DESIGN.md 6): no
            # name, note, reference, attributes, themes or languages; a CBS area at most.
            actors.languages.append(())
            actors.assets.append(())
            actors.needs.append(())
        else:
            actors.languages.append(_json_list(row[3], list_cache))
            actors.assets.append(_json_list(row[4], list_cache))
            actors.needs.append(_json_list(row[5], list_cache))
        if research:
            actors.area.append(research_area(area, coarsen_area=coarsen))
            actors.name.append(None)
            actors.consent.append(None)
            actors.note.append(None)
            actors.external_ref.append(None)
            actors.attributes.append({})
        elif withdrawn:
            actors.area.append(research_area(area, coarsen_area=coarsen))
            actors.name.append(anonymous_label(actor_id))
            actors.consent.append(consent)
            actors.note.append(None)
            actors.external_ref.append(None)
            actors.attributes.append({})
        else:
            actors.area.append(pseudonym.coarsen(area) if coarsen_full else area)
            actors.name.append(row[7])
            actors.consent.append(consent if person else None)
            actors.note.append(row[8])
            actors.external_ref.append(row[9])
            actors.attributes.append(row[10] or {})
        extra = extras.get(actor_id)
        actors.extra.append(_extra(extra) if extra else {})

    day = as_of if as_of is not None else dt.date.today()
    ties = TieRecords()
    date_cache: dict[Any, dt.date | None] = {}

    def support_of(value: Any) -> tuple[str, ...]:
        return _json_list(value, list_cache)

    def date_of(value: Any) -> dt.date | None:
        return _date(value, date_cache)

    for part in export_tie_partitions(
        conn, network_id, research=research, day=day, history=history
    ):
        columns: list[Any] = list(zip(*part, strict=True))
        sources = list(map(key_of.get, columns[0]))
        targets = list(map(key_of.get, columns[1]))
        if research and (None in sources or None in targets):
            # An endpoint left out of a research export: the tie goes too.
            keep = [s is not None and t is not None for s, t in zip(sources, targets, strict=True)]
            columns = [list(compress(c, keep)) for c in columns]
            sources = list(compress(sources, keep))
            targets = list(compress(targets, keep))
        ties.source.extend(sources)  # type: ignore[arg-type]
        ties.target.extend(targets)  # type: ignore[arg-type]
        ties.kind.extend(columns[2])
        ties.strength.extend(columns[3])
        ties.support.extend(map(support_of, columns[4]))
        ties.since.extend(map(date_of, columns[5]))
        ties.until.extend(map(date_of, columns[6]))
        if research:
            ties.note.extend(repeat(None, len(sources)))
        else:
            ties.note.extend(columns[7])

    if research:
        # Order by pseudonym, so that row positions cannot link two researchers' exports.
        order = sorted(range(len(actors)), key=actors.key.__getitem__)
        actors = actors.take(order)
        t = ties
        tie_order = sorted(
            range(len(t)),
            key=lambda i: (
                t.source[i],
                t.target[i],
                t.kind[i],
                t.since[i] or dt.date.min,
                t.until[i] or dt.date.min,
            ),
        )
        ties = ties.take(tie_order)

    return NetworkRecords(
        actors=actors,
        ties=ties,
        actor_fields=_RESEARCH_ACTOR_FIELDS if research else ACTOR_FIELDS,
        tie_fields=_RESEARCH_TIE_FIELDS if research else TIE_FIELDS,
        attr_types={} if research else infer_attr_types(actors.attributes),
        extra_types=infer_attr_types(actors.extra),
        title="Research export" if research else str(network.name),
        as_of=as_of,
        dynamic=dynamic,
        pseudonymised=research,
        history=history,
        day=day,
    )


def _extra(values: Mapping[str, Any]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for name, value in values.items():
        if isinstance(value, list | tuple | set | frozenset):
            out[str(name)] = ";".join(str(v) for v in value)
        elif value is None or isinstance(value, str | int | float | bool):
            out[str(name)] = value
        else:
            out[str(name)] = str(value)
    return out


def _encode(chunks: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= _CHUNK_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


class Export:
    """An export ready to stream: iterate it for ``bytes`` chunks."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        *,
        fmt: str,
        media_type: str,
        filename: str,
        actors: int,
        ties: int,
        pseudonymised: bool,
    ) -> None:
        self._chunks = chunks
        self.format = fmt
        self.media_type = media_type
        self.filename = filename
        self.actors = actors
        self.ties = ties
        self.pseudonymised = pseudonymised

    def __iter__(self) -> Export:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def read_all(self) -> bytes:
        return b"".join(self)


def export_network(
    conn: Connection,
    network_id: str,
    fmt: str,
    *,
    as_of: dt.date | None = None,
    pseudonymise: PseudonymKey | None = None,
    include_analysis: Mapping[str, Mapping[str, Any]] | None = None,
    coarsen_area: bool | None = None,
    table: Literal["actors", "ties"] | None = None,
    history: bool = False,
) -> Export:
    """Export a network as ``fmt`` (see :data:`formats.FORMATS`).

    By default the ties active today, the ones the analysis works on; ``as_of``: the ties
    active on that date; ``history``: every tie, each with its ``status`` (``ended`` before
    today, ``future``), GEXF as one dynamic graph of spells. ``pseudonymise``: a research
    export for the researcher the key belongs to. ``include_analysis``:
    ``{actor_id: {name: value}}`` added as ``analysis.<name>`` node attributes.
    ``coarsen_area``: ``None`` follows the network's setting. ``table``: for ``csv``, one
    table instead of a zip of both.
    """
    info = formats.get(fmt)
    if table is not None and (info.name != "csv" or table not in ("actors", "ties")):
        raise ValidationFailed("table", "table=actors|ties applies to the csv format only")
    if history and as_of is not None:
        raise ValidationFailed(
            "history",
            "history=true exports every tie, as_of the ties of one day: give one of the two",
        )
    if info.name == "parquet":
        return _export_parquet(
            conn,
            network_id,
            # Today's ties by default, like every format; every tie with history.
            as_of=None if history else (as_of or dt.date.today()),
            pseudonymise=pseudonymise,
            include_analysis=include_analysis,
            coarsen_area=coarsen_area,
        )
    records = load_records(
        conn,
        network_id,
        as_of=as_of,
        pseudonymise=pseudonymise,
        include_analysis=include_analysis,
        coarsen_area=coarsen_area,
        dynamic=info.name == "gexf" and history,
        history=history,
    )
    chunks = serialise(records, info.name, table=table)
    network_name = records.title if pseudonymise is None else "network"
    return Export(
        chunks,
        fmt=info.name,
        media_type=formats.media_type(info.name, table=table),
        filename=formats.export_filename(
            network_name, info.name, as_of=as_of, table=table, pseudonymised=records.pseudonymised
        ),
        actors=len(records.actors),
        ties=len(records.ties),
        pseudonymised=records.pseudonymised,
    )


def _export_parquet(
    conn: Connection, network_id: str, *, pseudonymise: PseudonymKey | None, **kw: Any
) -> Export:
    """Parquet is written straight from set-based queries in row groups
    (:mod:`netwerk.exchange.parquet`), never through :func:`load_records`."""
    summary, chunks = parquet.zip_to_spool(conn, network_id, pseudonymise=pseudonymise, **kw)
    network = summary.metadata["network"]
    research = pseudonymise is not None
    return Export(
        chunks,
        fmt="parquet",
        media_type=formats.media_type("parquet"),
        filename=formats.export_filename(
            "network" if research else str(network.get("name") or "network"),
            "parquet",
            as_of=kw.get("as_of"),
            pseudonymised=research,
        ),
        actors=summary.actors,
        ties=summary.ties,
        pseudonymised=research,
    )


def serialise(
    records: NetworkRecords, fmt: str, *, table: Literal["actors", "ties"] | None = None
) -> Iterator[bytes]:
    """Records → bytes chunks in a format (no database needed)."""
    if fmt == "graphml":
        return _encode(graphml.write(records))
    if fmt == "gexf":
        return _encode(gexf.write(records))
    if fmt == "json":
        return _encode(jsonfmt.write_node_link(records))
    if fmt == "cytoscape":
        return _encode(jsonfmt.write_cytoscape(records))
    if fmt == "csv":
        if table == "actors":
            return _encode(tabular.write_actors_csv(records))
        if table == "ties":
            return _encode(tabular.write_ties_csv(records))
        return tabular.write_csv_zip(records)
    if fmt == "kumu":
        return tabular.write_kumu_xlsx(records)
    if fmt == "pajek":
        return _encode(pajek.write(records))
    raise ValidationFailed("format", f"'{fmt}' cannot be exported")
