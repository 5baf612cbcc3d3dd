"""Reading the Parquet layout back (:mod:`netwerk.exchange.parquet`) for an import.

Accepted: a zip with ``actors.parquet`` and/or ``ties.parquet`` (``network.json`` optional;
when present its ``schema_version`` must be one this server reads), or a single Parquet file
(actors or ties, told apart by its columns or by ``table``). Other ``.parquet`` members are
read as actors or ties by their name or columns, so a researcher's enriched tables written
by polars, DuckDB or Spark come back too.

Rows go through the same :class:`netwerk.exchange.normalise.Builder` as every other format:
values arrive typed (lists as lists, dates as dates, numbers as numbers) and are validated
with the same rules; an error names the file, the column and the row (1 = the first row of
the file). File-level problems (not Parquet, a column type an import cannot hold, a file that
unpacks beyond the limit, a newer schema) raise :class:`ValidationFailed` at once.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.types as pat

from netwerk.errors import ValidationFailed

from .normalise import Header, Item, RawActor, RawTie
from .parquet_schema import (
    ACTORS_FILE,
    ATTRIBUTE_COLUMN_PREFIX,
    METADATA_FILE,
    SCHEMA_VERSION,
    TIES_FILE,
)
from .records import ATTRIBUTE_PREFIX
from .tabular import _check_zip, _open_zip, _section_of

__all__ = ["MAGIC", "is_parquet", "pack_folder", "read"]

Table = Literal["actors", "ties"]
MAGIC = b"PAR1"
_BATCH_ROWS = 20_000


def is_parquet(data: bytes) -> bool:
    return data[:4] == MAGIC


def pack_folder(folder: str | Path) -> bytes:
    """A folder written by :func:`netwerk.exchange.parquet.write_folder` (or a researcher's
    folder of ``.parquet`` tables) as one zip, for :func:`netwerk.exchange.import_network`."""
    root = Path(folder)
    members = sorted(
        p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".parquet", ".json")
    )
    if not any(p.suffix.lower() == ".parquet" for p in members):
        raise ValidationFailed("file", f"the folder '{root.name[:60]}' holds no .parquet tables")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in members:
            archive.write(path, path.name)
    return out.getvalue()


def read(raw: bytes, *, table: Table | None = None, max_unpacked: int) -> Iterator[Item]:
    """Reader items for the :class:`Builder`, actors before ties."""
    if is_parquet(raw):
        yield from _read_table(raw, "file", table, max_unpacked)
        return
    archive = _open_zip(raw)
    _check_zip(archive, max_unpacked)
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and "__MACOSX" not in info.filename
        and not info.filename.rsplit("/", 1)[-1].startswith((".", "_"))
    ]
    meta = [m for m in members if m.filename.rsplit("/", 1)[-1].lower() == METADATA_FILE]
    if meta:
        _check_metadata(archive.read(meta[0]))
    tables = [m for m in members if m.filename.lower().endswith(".parquet")]
    if not tables:
        raise ValidationFailed(
            "file", f"the zip holds no .parquet tables (expected {ACTORS_FILE} and {TIES_FILE})"
        )
    # Sections first from names, else from columns; actors before ties.
    ordered: list[tuple[Table, str, bytes]] = []
    for info in tables:
        content = archive.read(info)
        name = info.filename.rsplit("/", 1)[-1]
        columns = _schema(content, name).names
        ordered.append((_section_of(columns, name.rsplit(".", 1)[0]), name, content))
    ordered.sort(key=lambda t: t[0] != "actors")
    for section, name, content in ordered:
        yield from _read_table(content, name, section, max_unpacked)


def _check_metadata(data: bytes) -> None:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed(METADATA_FILE, "not a readable JSON document") from None
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if version is None:
        return
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationFailed(
            f"{METADATA_FILE}.schema_version", f"'{str(version)[:20]}' is not a schema version"
        )
    if version > SCHEMA_VERSION:
        raise ValidationFailed(
            f"{METADATA_FILE}.schema_version",
            f"schema version {version} is newer than this server reads ({SCHEMA_VERSION}); "
            "export again from the same version, or update the server",
        )


def _parquet_file(content: bytes, name: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(pa.BufferReader(content))
    except (pa.ArrowException, OSError, ValueError):
        raise ValidationFailed(name, "not a readable Parquet file") from None


def _schema(content: bytes, name: str) -> pa.Schema:
    return _parquet_file(content, name).schema_arrow


def _readable(kind: pa.DataType) -> bool:
    """Types an import reads: text, numbers, booleans, dates and times, and lists of those."""
    if pat.is_dictionary(kind):
        kind = kind.value_type
    if pat.is_list(kind) or pat.is_large_list(kind):
        kind = kind.value_type
        if pat.is_dictionary(kind):
            kind = kind.value_type
        return _scalar_type(kind)
    return _scalar_type(kind)


def _scalar_type(kind: pa.DataType) -> bool:
    return bool(
        pat.is_string(kind)
        or pat.is_large_string(kind)
        or (hasattr(pat, "is_string_view") and pat.is_string_view(kind))
        or pat.is_integer(kind)
        or pat.is_floating(kind)
        or pat.is_boolean(kind)
        or pat.is_date(kind)
        or pat.is_timestamp(kind)
        or pat.is_null(kind)
    )


def _read_table(
    content: bytes, name: str, table: Table | None, max_unpacked: int
) -> Iterator[Item]:
    pf = _parquet_file(content, name)
    meta = pf.metadata
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > max_unpacked:
        raise ValidationFailed(
            name, f"the table unpacks to {unpacked} bytes, more than the limit of {max_unpacked}"
        )
    schema = pf.schema_arrow
    names = list(schema.names)
    section = table or _section_of(names, name.rsplit(".", 1)[0])
    if name == "file":
        name = ACTORS_FILE if section == "actors" else TIES_FILE
    seen: set[str] = set()
    for f in schema:
        if f.name in seen:
            raise ValidationFailed(f"{name}.{f.name[:40]}", "this column appears twice")
        seen.add(f.name)
        if not _readable(f.type):
            raise ValidationFailed(
                f"{name}.{f.name[:40]}",
                f"a column of type {str(f.type)[:60]} cannot be imported; use text, numbers, "
                "true/false, dates or lists of text",
            )
    columns = [_column_name(n, section) for n in names]
    yield Header(section, columns, structural=False, where=name, typed=True)
    make = RawActor if section == "actors" else RawTie
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=_BATCH_ROWS):
            values: list[list[Any]] = [c.to_pylist() for c in batch.columns]
            for cells in zip(*values, strict=True):
                row += 1
                yield make(dict(zip(columns, cells, strict=True)), row=row)
    except (pa.ArrowException, OSError, ValueError):
        raise ValidationFailed(
            name, f"not a readable Parquet file (after row {row})", row=row or None
        ) from None


def _column_name(column: str, section: Table) -> str:
    """``attr_<name>`` (a free attribute whose name collides) → ``attr.<name>``, the prefix the
    Builder strips; every other column as it is."""
    if section == "actors" and column.startswith(ATTRIBUTE_COLUMN_PREFIX):
        return ATTRIBUTE_PREFIX + column[len(ATTRIBUTE_COLUMN_PREFIX) :]
    return column
