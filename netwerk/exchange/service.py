"""Import and export services: what the HTTP router and the CLI call.

Export
------
:mod:`netwerk.exchange.export` (re-exported here): the network as a file, streamed.

Import
------
:func:`import_network` reads the whole file, validates every row, and only when nothing is
wrong writes it with the set-based bulk insert in the *caller's* transaction, bumping the
network's revision once: all or nothing. An actor whose external reference (or, for a
network's own export, whose id) already exists in the network is *matched*: not duplicated and
not changed; a tie identical to one in the network (same kind, pair and, for a closed tie,
period) is matched too, and ties in the file may refer to actors already in the network by
external reference or id (a ties-only CSV). A dry run validates and reports without writing.

Both take a SQLAlchemy ``Connection`` (from a Session: ``session.connection()``).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from netwerk.config import Settings
from netwerk.errors import FieldError, TooLarge, ValidationFailed
from netwerk.model import PERSON_KINDS, SYMMETRIC_TIE_KINDS, TieKind
from netwerk.store.exchange import (
    actor_refs,
    export_network_row,
    sqlite_import_cache,
    tie_periods,
)
from netwerk.store.session import Connection

from . import formats, gexf, graphml, jsonfmt, pajek, parquet_read, tabular
from .export import Export, export_network, load_records
from .normalise import Builder, ErrorList, ImportData, Item
from .records import (
    ActorRecords,
)

__all__ = [
    "Export",
    "ImportReport",
    "Progress",
    "export_network",
    "import_network",
    "load_records",
]

Progress = Callable[[str, int, int | None], None]
"""``progress(phase, done, total)``: phases ``read``, ``actors``, ``ties`` (import)."""

_PERSONS = tuple(k.value for k in PERSON_KINDS)
_RESEARCH_ACTOR_FIELDS = ("kind", "area", "languages", "assets", "needs")
_RESEARCH_TIE_FIELDS = ("kind", "strength", "support", "since", "until", "status")
_CHUNK_BYTES = 1 << 16
MAX_IMPORT_BYTES: int = Settings.model_fields["max_import_bytes"].default
"""The size cap of an import when the caller names none: the setting's declared default."""
_DIRECTED = frozenset(k.value for k in TieKind) - {k.value for k in SYMMETRIC_TIE_KINDS}


# -- import ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import read, created, matched, and every error found (first 100 listed)."""

    format: str
    dry_run: bool
    actors_read: int = 0
    ties_read: int = 0
    actors_created: int = 0
    actors_matched: int = 0
    ties_created: int = 0
    ties_matched: int = 0
    ties_duplicate: int = 0
    error_count: int = 0
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    revision: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    """Time per phase: ``read`` (parse and validate), ``resolve``, ``write``."""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "actors": {
                "read": self.actors_read,
                "created": self.actors_created,
                "matched": self.actors_matched,
            },
            "ties": {
                "read": self.ties_read,
                "created": self.ties_created,
                "matched": self.ties_matched,
                "duplicate": self.ties_duplicate,
            },
            "error_count": self.error_count,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "revision": self.revision,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def read_capped(data: bytes | IO[bytes], max_bytes: int) -> bytes:
    """The upload as bytes, refusing (413) as soon as it passes ``max_bytes``."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > max_bytes:
            raise TooLarge(f"the file is {len(raw)} bytes; the limit is {max_bytes} bytes")
        return raw
    buffer = io.BytesIO()
    while True:
        chunk = data.read(1 << 20)
        if not chunk:
            break
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise TooLarge(f"the file is larger than the limit of {max_bytes} bytes")
    return buffer.getvalue()


def _is_zip(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_items(
    raw: bytes, fmt: str, *, table: Literal["actors", "ties"] | None, max_unpacked: int
) -> Iterator[Item]:
    """The reader for a format (``xlsx`` is ``kumu``), sniffing zip vs. text where both fit."""
    if fmt == "graphml":
        return graphml.read(raw)
    if fmt == "gexf":
        return gexf.read(raw)
    if fmt in ("json", "cytoscape"):
        return jsonfmt.read(raw)
    if fmt == "pajek":
        return pajek.read(raw)
    if fmt == "parquet":
        return parquet_read.read(raw, table=table, max_unpacked=max_unpacked)
    if fmt in ("csv", "kumu"):
        if _is_zip(raw):
            if tabular.is_xlsx(raw):
                return tabular.read_xlsx(raw, max_unpacked=max_unpacked)
            return tabular.read_zip(raw, max_unpacked=max_unpacked)
        return tabular.read_csv(raw, table=table)
    raise ValidationFailed("format", f"'{fmt}' cannot be imported")


_ID_TRANS = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"abcdefghijkmnpqrstuvwxyz23456789"
)


def new_ids(n: int) -> list[str]:
    """``n`` opaque ids like :func:`netwerk.model.new_id` (80 random bits, same alphabet)."""
    if n <= 0:
        return []
    text = base64.b32encode(secrets.token_bytes(10 * n)).translate(_ID_TRANS).decode("ascii")
    return [text[i : i + 16] for i in range(0, 16 * n, 16)]


def import_network(
    conn: Connection,
    network_id: str,
    data: bytes | IO[bytes],
    fmt: str,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    default_kind: str | None = None,
    table: Literal["actors", "ties"] | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Import a file into a network, all or nothing, in the caller's transaction.

    ``mapping``: ``{field: column}`` for files with their own column names (fields:
    :data:`normalise.MAPPING_FIELDS`). ``default_kind``: the kind of actors whose file gives
    none (Pajek always; defaults to ``resident`` there). ``table``: what a single CSV holds,
    when its columns do not tell. ``max_bytes``: the size cap (the API and the CLI pass the
    ``max_import_bytes`` setting); a larger file is refused with :class:`TooLarge`.

    Raises :class:`ValidationFailed` listing every error (row/line; the first
    :data:`normalise.MAX_ERRORS`, then a count) unless ``dry_run``, which returns the report
    with its errors instead and never writes. File-level problems (too large, not UTF-8, not
    well-formed, a DTD or entities in XML, a zip bomb) raise in a dry run too.
    """
    info = formats.get(fmt, for_import=True)
    raw = read_capped(data, max_bytes)
    export_network_row(conn, network_id)
    report = ImportReport(format=info.name, dry_run=dry_run)
    errors = ErrorList()
    started = time.perf_counter()
    items = read_items(raw, info.name, table=table, max_unpacked=max(max_bytes, 1) * 4)
    del raw  # the reader holds the bytes until it is exhausted, and no longer
    parsed = _read(items, info.name, report, errors, mapping, default_kind, progress)
    report.seconds["read"] = time.perf_counter() - started
    started = time.perf_counter()
    actors = _match_actors(conn, network_id, parsed.actors, report)
    ends = _resolve_ends(parsed, actors, errors)
    final = _new_ties(conn, network_id, parsed, ends, errors, report)
    report.seconds["resolve"] = time.perf_counter() - started
    started = time.perf_counter()
    report.error_count = errors.count
    report.errors = errors.listed()
    if errors:
        if dry_run:
            report.actors_created = report.ties_created = 0
            return report
        raise ValidationFailed(report.errors)
    if dry_run:
        return report

    from netwerk.store.revision import bump_revision

    with sqlite_import_cache(conn, len(actors.new_rows) + len(final)):
        _write(conn, network_id, parsed, actors, ends, final, progress)
    if actors.new_rows or final:
        report.revision = bump_revision(conn, network_id)
    report.seconds["write"] = time.perf_counter() - started
    return report


def _read(
    items: Iterator[Item],
    fmt: str,
    report: ImportReport,
    errors: ErrorList,
    mapping: Mapping[str, str] | None,
    default_kind: str | None,
    progress: Progress | None,
) -> ImportData:
    """Read and validate: every row of the reader's ``items`` through the
    :class:`~.normalise.Builder` (errors into ``errors``; counts and warnings into
    ``report``)."""
    if fmt == "pajek" and default_kind is None:
        default_kind = "resident"
        report.warnings.append(
            "Pajek files carry no actor kinds: every actor is imported as 'resident'"
        )
    builder = Builder(mapping=mapping, default_kind=default_kind, errors=errors)
    builder.feed(items, (lambda n: progress("read", n, None)) if progress else None)
    parsed = builder.result()
    report.warnings.extend(parsed.warnings)
    report.actors_read = len(parsed.actors)
    report.ties_read = len(parsed.ties)
    return parsed


@dataclass
class _MatchedActors:
    """The file's actors against the network's: the id of each (matched or new)."""

    existing: dict[str, str]
    """What the file may refer to in the network: external references and actor ids."""
    ids: list[str]
    new_rows: list[int]
    id_of: dict[str, str]
    """File key -> actor id."""


def _match_actors(
    conn: Connection, network_id: str, actors: ActorRecords, report: ImportReport
) -> _MatchedActors:
    """Resolve actors: matched by external reference (or, for a network's own export, by
    id), else new. New ids are handed out in sorted order, so the primary-key indexes grow
    at their end (much faster bulk inserts)."""
    existing: dict[str, str] = {}
    own_ids: set[str] = set()
    for ref, actor_id in actor_refs(conn, network_id):
        own_ids.add(actor_id)
        if ref is not None:
            existing[ref] = actor_id
    for actor_id in own_ids:
        existing.setdefault(actor_id, actor_id)
    ids: list[str] = [""] * len(actors)
    new_rows: list[int] = []
    for i, (ref, key) in enumerate(zip(actors.external_ref, actors.key, strict=True)):
        found = existing.get(ref) if ref is not None else None
        if found is None and ref == key:
            found = existing.get(key)
        if found is not None:
            ids[i] = found
        else:
            new_rows.append(i)
    for i, new_id in zip(new_rows, sorted(new_ids(len(new_rows))), strict=True):
        ids[i] = new_id
    report.actors_matched = len(actors) - len(new_rows)
    report.actors_created = len(new_rows)
    return _MatchedActors(existing, ids, new_rows, dict(zip(actors.key, ids, strict=True)))


@dataclass
class _Ends:
    """The ties whose two ends resolved: positions into the file's ties, and their ends."""

    keep: list[int]
    sources: list[str]
    targets: list[str]
    uses_existing: bool
    """Whether the file refers to actors already in the network (then ties may be too)."""


def _resolve_ends(parsed: ImportData, actors: _MatchedActors, errors: ErrorList) -> _Ends:
    """Resolve tie ends: file keys, else external references (or ids) already in the
    network; an end that is neither is an error naming its row or line."""
    ties, existing = parsed.ties, actors.existing
    all_sources = list(map(actors.id_of.get, ties.source))
    all_targets = list(map(actors.id_of.get, ties.target))
    uses_existing = len(actors.new_rows) < len(parsed.actors)
    if None not in all_sources and None not in all_targets:
        return _Ends(list(range(len(ties))), all_sources, all_targets, uses_existing)  # type: ignore[arg-type]
    for j in range(len(ties)):
        for end, column, key_column in (
            ("source", all_sources, ties.source),
            ("target", all_targets, ties.target),
        ):
            if column[j] is None:
                key = key_column[j]
                column[j] = existing.get(key)
                if column[j] is not None:
                    uses_existing = True
                else:
                    row, line = parsed.tie_rows[j]
                    errors.add(
                        f"{parsed.tie_where}.{end}" if parsed.tie_where else end,
                        ("this label" if parsed.keys_are_labels else f"'{key[:40]}'")
                        + " is not an actor in this file"
                        + (" or an external reference in this network" if existing else ""),
                        row,
                        line,
                    )
    keep = [
        j for j in range(len(ties)) if all_sources[j] is not None and all_targets[j] is not None
    ]
    sources: list[str] = [all_sources[j] for j in keep]  # type: ignore[misc]
    targets: list[str] = [all_targets[j] for j in keep]  # type: ignore[misc]
    return _Ends(keep, sources, targets, uses_existing)


def _new_ties(
    conn: Connection,
    network_id: str,
    parsed: ImportData,
    ends: _Ends,
    errors: ErrorList,
    report: ImportReport,
) -> list[int]:
    """Validate the ties against each other and the network: a tie already in the network
    is matched, an identical repeat in the file is a duplicate, a different repeat (same
    kind and pair, other strength, support or note) is an error. Returns the positions into
    ``ends`` to insert, in source order (the (network, source) index then grows in order)."""
    ties, keep = parsed.ties, ends.keep
    existing_ties: set[tuple[Any, ...]] = set()
    if ends.uses_existing:
        for s, t, kind, since, until in tie_periods(conn, network_id):
            existing_ties.add(_tie_ident(kind, s, t, since, until))
    idents = list(
        map(
            _tie_ident,
            [ties.kind[j] for j in keep],
            ends.sources,
            ends.targets,
            [ties.since[j] for j in keep],
            [ties.until[j] for j in keep],
        )
    )
    final: list[int]  # positions into keep/sources/targets
    if not existing_ties and len(set(idents)) == len(idents):
        final = list(range(len(keep)))
    else:
        final = []
        seen: dict[tuple[Any, ...], int] = {}
        for pos, ident in enumerate(idents):
            j = keep[pos]
            if ident in existing_ties:
                report.ties_matched += 1
                continue
            first = seen.get(ident)
            if first is None:
                seen[ident] = pos
                final.append(pos)
                continue
            fj = keep[first]
            if (
                ties.strength[fj] == ties.strength[j]
                and ties.support[fj] == ties.support[j]
                and ties.note[fj] == ties.note[j]
            ):
                report.ties_duplicate += 1
                continue
            row, line = parsed.tie_rows[j]
            first_row, first_line = parsed.tie_rows[fj]
            at = f"row {first_row}" if first_row is not None else f"line {first_line}"
            errors.add(
                "tie",
                f"a second '{ties.kind[j]}' tie between the same actors, different from "
                f"the one at {at} (two actors have one open tie of a kind)",
                row,
                line,
            )
    final.sort(key=ends.sources.__getitem__)
    report.ties_created = len(final)
    return final


def _write(
    conn: Connection,
    network_id: str,
    parsed: ImportData,
    matched: _MatchedActors,
    ends: _Ends,
    final: list[int],
    progress: Progress | None,
) -> None:
    """Write: the new actors and the new ties (``final``: positions into ``ends``) with the
    set-based bulk insert."""
    actors, ids, new_rows = parsed.actors, matched.ids, matched.new_rows
    ties, keep, sources, targets = parsed.ties, ends.keep, ends.sources, ends.targets
    from netwerk.store.bulk import ActorColumns, TieColumns, insert_actors, insert_ties

    if new_rows:
        if progress:
            progress("actors", 0, len(new_rows))
        columns = ActorColumns(
            id=[ids[i] for i in new_rows],
            kind=[actors.kind[i] for i in new_rows],
            name=[actors.name[i] or actors.key[i] for i in new_rows],
            area=[actors.area[i] for i in new_rows],
            languages=[list(actors.languages[i]) for i in new_rows],
            assets=[list(actors.assets[i]) for i in new_rows],
            needs=[list(actors.needs[i]) for i in new_rows],
            consent=[actors.consent[i] for i in new_rows],
            attributes=[dict(actors.attributes[i]) for i in new_rows],
            note=[actors.note[i] for i in new_rows],
            external_ref=[actors.external_ref[i] for i in new_rows],
        )
        insert_actors(
            conn, network_id, columns, progress=_bulk_progress(progress, "actors", len(new_rows))
        )
        del columns
    if final:
        if progress:
            progress("ties", 0, len(final))
        list_cache: dict[tuple[str, ...], list[str]] = {}
        tie_columns = TieColumns(
            id=sorted(new_ids(len(final))),
            source_id=[sources[p] for p in final],
            target_id=[targets[p] for p in final],
            kind=[ties.kind[keep[p]] for p in final],
            strength=[ties.strength[keep[p]] for p in final],
            support=[
                list_cache.setdefault(ties.support[keep[p]], list(ties.support[keep[p]]))
                for p in final
            ],
            since=[ties.since[keep[p]] for p in final],
            until=[ties.until[keep[p]] for p in final],
            note=[ties.note[keep[p]] for p in final],
        )
        insert_ties(
            conn, network_id, tie_columns, progress=_bulk_progress(progress, "ties", len(final))
        )


def _tie_ident(
    kind: str, source: str, target: str, since: dt.date | None, until: dt.date | None
) -> tuple[Any, ...]:
    """What makes two ties the same: kind and pair (unordered but for ``refers_to``) and,
    for a closed tie, its period. An open tie is unique per kind and pair (the store's
    rule), whatever its ``since``."""
    if target < source and kind not in _DIRECTED:
        source, target = target, source
    if until is None:
        return (kind, source, target)
    return (kind, source, target, since, until)


def _bulk_progress(
    progress: Progress | None, phase: str, total: int
) -> Callable[[int], None] | None:
    """Adapt the bulk insert's ``progress(rows_just_written)`` to ``(phase, done, total)``."""
    if progress is None:
        return None
    done = 0

    def report(n: int) -> None:
        nonlocal done
        done += n
        progress(phase, done, total)

    return report
