"""Tables: CSV (Gephi's spreadsheet import) and Kumu workbooks (XLSX), plus their readers.

CSV export (``csv``): a zip with two tables, or one table with ``table=actors|ties``:

* ``actors.csv``: ``Id, Label, Type, Tags, needs, languages, area, consent, note,
  external_ref``, the free attributes, then ``analysis.<name>`` columns. ``Id``/``Label``
  are Gephi's node columns; ``Label``, ``Type`` (the actor kind) and ``Tags`` (the assets,
  the themes an actor offers) are Kumu's element columns, so the same table imports into
  both.
* ``ties.csv``: ``Source, Target, Type, Weight, kind, support, since, until, note, status``:
  Gephi's edge columns (``Type`` is ``Directed`` for ``refers_to``, else ``Undirected``;
  ``Weight`` is the strength). Kumu wants ``From``/``To`` and its ``Type`` is the
  connection type, which clashes with Gephi's, so Kumu gets its own workbook (below).

Multi-valued cells are joined with ``|`` (Kumu's convention; Gephi keeps them as text).

Kumu export (``kumu``): one XLSX workbook with sheets ``Elements`` (``ID, Label, Type, Tags,
...``) and ``Connections`` (``From, To, Type, Direction, Strength, ...``), connections
referring to element IDs, as Kumu's spreadsheet import expects.

Import reads a single CSV (actors or ties, told apart by their columns, or forced with
``table``), a zip of CSVs, or an XLSX workbook (sheets named like Elements/Connections or
told apart by their columns; sheets with ``(ignore)`` in the name are skipped, as in Kumu).
CSV text must be UTF-8 (a BOM is fine); the delimiter (``,`` ``;`` or tab) is detected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from netwerk.errors import ValidationFailed

from .normalise import Header, Item, RawActor, RawError, RawTie, _norm
from .records import NetworkRecords, attribute_column

__all__ = [
    "read_csv",
    "read_xlsx",
    "read_zip",
    "write_actors_csv",
    "write_csv_zip",
    "write_kumu_xlsx",
    "write_ties_csv",
]

Table = Literal["actors", "ties"]

_ROWS_PER_CHUNK = 2000


def _cell(value: Any, sep: str = "|") -> Any:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return sep.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _actor_table(doc: NetworkRecords, *, kumu: bool) -> tuple[list[str], Iterator[list[Any]]]:
    a = doc.actors
    fields = doc.actor_fields
    head = ["ID" if kumu else "Id", "Label", "Type", "Tags"]
    rest = [
        f for f in ("needs", "languages", "area", "consent", "note", "external_ref") if f in fields
    ]
    names = {"note": "Description"} if kumu else {}
    header = head + [names.get(f, f) for f in rest]
    attr_names = list(doc.attr_types)
    extra_names = list(doc.extra_types)
    header += [attribute_column(n) for n in attr_names]
    header += [f"analysis.{n}" for n in extra_names]
    labels = doc.labels
    has_kind = "kind" in fields
    has_assets = "assets" in fields
    columns = [getattr(a, f) for f in rest]

    def rows() -> Iterator[list[Any]]:
        for i, key in enumerate(a.key):
            row: list[Any] = [
                key,
                labels[i],
                a.kind[i] if has_kind else "",
                "|".join(a.assets[i]) if has_assets else "",
            ]
            row.extend(_cell(column[i]) for column in columns)
            if attr_names:
                attributes = a.attributes[i]
                row.extend(_cell(attributes.get(n)) for n in attr_names)
            if extra_names:
                extra = a.extra[i]
                row.extend(_cell(extra.get(n)) for n in extra_names)
            yield row

    return header, rows()


def _tie_table(doc: NetworkRecords, *, kumu: bool) -> tuple[list[str], Iterator[list[Any]]]:
    t = doc.ties
    fields = doc.tie_fields
    if kumu:
        header = ["From", "To", "Type", "Direction", "Strength"]
    else:
        header = ["Source", "Target", "Type", "Weight", "kind"]
    rest = [f for f in ("support", "since", "until", "note", "status") if f in fields]
    names = {"note": "Description"} if kumu else {}
    header += [names.get(f, f) for f in rest]

    def rows() -> Iterator[list[Any]]:
        has_support = "support" in fields
        has_since = "since" in fields
        has_until = "until" in fields
        has_note = "note" in fields
        has_status = "status" in fields
        for i in range(len(t)):
            kind = t.kind[i]
            directed = kind == "refers_to"
            if kumu:
                row: list[Any] = [
                    t.source[i],
                    t.target[i],
                    kind,
                    "directed" if directed else "undirected",
                    t.strength[i],
                ]
            else:
                row = [
                    t.source[i],
                    t.target[i],
                    "Directed" if directed else "Undirected",
                    t.strength[i],
                    kind,
                ]
            if has_support:
                row.append("|".join(t.support[i]))
            if has_since:
                since = t.since[i]
                row.append(since.isoformat() if since is not None else "")
            if has_until:
                until = t.until[i]
                row.append(until.isoformat() if until is not None else "")
            if has_note:
                row.append(t.note[i] or "")
            if has_status:
                row.append(doc.status(i))
            yield row

    return header, rows()


def _csv_text(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_actors_csv(doc: NetworkRecords) -> Iterator[str]:
    header, rows = _actor_table(doc, kumu=False)
    return _csv_text(header, rows)


def write_ties_csv(doc: NetworkRecords) -> Iterator[str]:
    header, rows = _tie_table(doc, kumu=False)
    return _csv_text(header, rows)


class _Sink:
    """A write-only, unseekable file for :class:`zipfile.ZipFile` that we drain as we go."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def write_csv_zip(doc: NetworkRecords) -> Iterator[bytes]:
    sink = _Sink()
    archive: Any = sink  # a write-only stream: zipfile writes data descriptors then
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, writer in (("actors.csv", write_actors_csv), ("ties.csv", write_ties_csv)):
            with zf.open(name, "w", force_zip64=True) as member:
                for text in writer(doc):
                    member.write(text.encode("utf-8"))
                    chunk = sink.drain()
                    if chunk:
                        yield chunk
    yield sink.drain()


def write_kumu_xlsx(doc: NetworkRecords) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, (header, rows) in (
        ("Elements", _actor_table(doc, kumu=True)),
        ("Connections", _tie_table(doc, kumu=True)),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    for offset in range(0, len(data), 1 << 20):
        yield data[offset : offset + (1 << 20)]


# -- reading ---------------------------------------------------------------------------

_TIE_MARKERS = {"source", "target", "from", "to", "van", "naar"}
_ACTOR_SHEETS = re.compile(r"^(elements?|actors?|actoren|nodes?|knopen|personen|people)$")
_TIE_SHEETS = re.compile(
    r"^(connections?|ties?|edges?|links?|relaties?|verbindingen|banden|relations?)$"
)


def _section_of(columns: list[str], hint: str | None = None) -> Table:
    if hint:
        name = _norm(hint)
        if _TIE_SHEETS.match(name):
            return "ties"
        if _ACTOR_SHEETS.match(name):
            return "actors"
    normed = {_norm(c) for c in columns}
    return "ties" if normed & _TIE_MARKERS else "actors"


def decode_text(data: bytes, what: str = "file") -> str:
    """UTF-8 text (BOM allowed), or a ValidationFailed naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            what,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); save the file as "
            "UTF-8 (in Excel: 'CSV UTF-8')",
            line=line,
        ) from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(data: bytes, *, table: Table | None = None, name: str = "") -> Iterator[Item]:
    text = decode_text(data, name or "file")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(name or "file", "the CSV file is empty", line=1) from None
    except csv.Error as exc:
        raise ValidationFailed(name or "file", f"not a readable CSV: {exc}", line=1) from None
    header = [h.strip() for h in header]
    section = table or _section_of(header)
    where = name.rsplit("/", 1)[-1] if name else ""
    yield Header(section, header, structural=False, where=where)
    width = len(header)
    make = RawActor if section == "actors" else RawTie
    previous = reader.line_num
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            line = previous + 1
            previous = reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                yield RawError(
                    where or "row",
                    f"{len(row)} cells but the header has {width} columns",
                    row_number,
                    line,
                )
                continue
            values = dict(zip(header, row, strict=False))
            yield make(values, row=row_number, line=line)
    except csv.Error as exc:
        raise ValidationFailed(
            where or "file", f"not a readable CSV: {exc}", line=reader.line_num
        ) from None


def _check_zip(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / max(info.compress_size, 1) > 1000:
            raise ValidationFailed(
                "file", f"'{info.filename[:60]}' expands more than 1000-fold: refused"
            )
    if total > max_unpacked:
        raise ValidationFailed(
            "file", f"the archive unpacks to {total} bytes, more than the limit of {max_unpacked}"
        )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValidationFailed("file", "not a readable zip archive") from None


def is_xlsx(data: bytes) -> bool:
    """A zip that is an Office Open XML workbook."""
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def read_zip(data: bytes, *, max_unpacked: int) -> Iterator[Item]:
    archive = _open_zip(data)
    _check_zip(archive, max_unpacked)
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and info.filename.lower().endswith((".csv", ".tsv", ".txt"))
        and not info.filename.split("/")[-1].startswith((".", "_"))
        and "__MACOSX" not in info.filename
    ]
    if not members:
        raise ValidationFailed("file", "the zip holds no .csv tables")
    # Actors before ties, so the builder has both headers in a sensible order.
    tables: list[tuple[Table, str, bytes]] = []
    for info in members:
        content = archive.read(info)
        first = content[:65536].decode("utf-8", "replace").lstrip("\ufeff").split("\n", 1)[0]
        header = next(csv.reader(io.StringIO(first), delimiter=_delimiter(first)), [])
        stem = info.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        tables.append((_section_of(header, stem), info.filename, content))
    tables.sort(key=lambda t: t[0] != "actors")
    for section, name, content in tables:
        yield from read_csv(content, table=section, name=name)


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


def _check_xlsx_xml(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook any of whose XML parts declares a DTD or entities (the XML bombs
    and external entities of an XLSX), or is not UTF-8 (where such a scan could miss them)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as member:
            head = member.read(4)
            if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
                raise ValidationFailed("file", f"'{info.filename[:60]}' is not UTF-8 XML")
            tail = b""
            chunk = head
            while chunk:
                window = tail + chunk
                if any(marker in window for marker in _DTD_MARKERS):
                    raise ValidationFailed(
                        "file",
                        f"'{info.filename[:60]}' declares a DTD or entities: refused for safety",
                    )
                tail = window[-16:]
                chunk = member.read(1 << 20)


def read_xlsx(data: bytes, *, max_unpacked: int) -> Iterator[Item]:
    from openpyxl import load_workbook

    archive = _open_zip(data)
    _check_zip(archive, max_unpacked)
    _check_xlsx_xml(archive)
    try:
        # openpyxl reads worksheets with defusedxml's iterparse (installed) and the other
        # parts with entity resolution off; _check_xlsx_xml refused any DTD before that.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ValidationFailed(
            "file", f"not a readable XLSX workbook ({type(exc).__name__})"
        ) from None
    try:
        sheets: list[tuple[Table, Any]] = []
        for sheet in workbook.worksheets:
            if "(ignore)" in sheet.title.lower():
                continue
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
            if not first or not any(c is not None for c in first):
                continue
            header = [str(c).strip() if c is not None else "" for c in first]
            sheets.append((_section_of(header, sheet.title), sheet))
        if not sheets:
            raise ValidationFailed("file", "the workbook has no sheet with a header row")
        sheets.sort(key=lambda s: s[0] != "actors")
        for section, sheet in sheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(rows)]
            yield Header(section, header, structural=False, where=sheet.title)
            make = RawActor if section == "actors" else RawTie
            for number, row in enumerate(rows, start=2):
                if not any(c is not None and str(c).strip() for c in row):
                    continue
                values = {h: c for h, c in zip(header, row, strict=False) if h}
                yield make(values, row=number)
    finally:
        workbook.close()
