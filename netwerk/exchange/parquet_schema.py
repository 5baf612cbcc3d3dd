"""The Parquet layout's schemas, names and row-group writer (see :mod:`.parquet`)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from .records import AttrType, attribute_column

__all__ = [
    "ACTORS_FILE",
    "ANALYSIS_COLUMN_PREFIX",
    "ARROW_TYPES",
    "ATTRIBUTE_COLUMN_PREFIX",
    "METADATA_FILE",
    "ROW_GROUP_ROWS",
    "SCHEMA_VERSION",
    "TEXT_LIST",
    "TIES_FILE",
    "GroupWriter",
    "actor_schema",
    "attribute_name",
    "tie_schema",
]

SCHEMA_VERSION = 1
"""Raised when a column changes meaning or type; adding a column keeps it."""

ACTORS_FILE = "actors.parquet"
TIES_FILE = "ties.parquet"
METADATA_FILE = "network.json"
ROW_GROUP_ROWS = 500_000
COMPRESSION = "zstd"
TEXT_LIST = pa.list_(pa.string())
ARROW_TYPES: dict[AttrType, pa.DataType] = {
    "boolean": pa.bool_(),
    "long": pa.int64(),
    "double": pa.float64(),
    "string": pa.string(),
}
ANALYSIS_COLUMN_PREFIX = "analysis_"
ATTRIBUTE_COLUMN_PREFIX = "attr_"


def attribute_name(key: str) -> str:
    """The column a free attribute gets in ``actors.parquet``: its own name, or ``attr_`` +
    its name where that collides with a column or a prefix (the reader strips one ``attr_``)."""
    lowered = key.lower()
    if (
        attribute_column(key) != key
        or lowered.startswith(ATTRIBUTE_COLUMN_PREFIX)
        or lowered.startswith(ANALYSIS_COLUMN_PREFIX)
    ):
        return ATTRIBUTE_COLUMN_PREFIX + key
    return key


# -- schemas -----------------------------------------------------------------------------


def actor_schema(
    *, research: bool, attr_types: Mapping[str, AttrType], extra_types: Mapping[str, AttrType]
) -> pa.Schema:
    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
    ]
    if not research:
        fields.append(pa.field("name", pa.string()))
    fields += [
        pa.field("area", pa.string()),
        pa.field("languages", TEXT_LIST),
        pa.field("assets", TEXT_LIST),
        pa.field("needs", TEXT_LIST),
    ]
    if not research:
        fields += [
            pa.field("consent", pa.string()),
            pa.field("note", pa.string()),
            pa.field("external_ref", pa.string()),
        ]
        fields += [pa.field(attribute_name(k), ARROW_TYPES[t]) for k, t in attr_types.items()]
    fields += [pa.field(ANALYSIS_COLUMN_PREFIX + k, ARROW_TYPES[t]) for k, t in extra_types.items()]
    return pa.schema(fields, metadata=_schema_metadata("actors"))


def tie_schema(*, research: bool) -> pa.Schema:
    fields = [
        pa.field("source", pa.string(), nullable=False),
        pa.field("target", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("directed", pa.bool_(), nullable=False),
        pa.field("strength", pa.int8(), nullable=False),
        pa.field("support", TEXT_LIST),
        pa.field("since", pa.date32()),
        pa.field("until", pa.date32()),
        pa.field("ended", pa.bool_(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
    ]
    if not research:
        fields.append(pa.field("note", pa.string()))
    return pa.schema(fields, metadata=_schema_metadata("ties"))


def _schema_metadata(table: str) -> dict[bytes, bytes]:
    return {
        b"netwerk.table": table.encode(),
        b"netwerk.schema_version": str(SCHEMA_VERSION).encode(),
    }


class GroupWriter:
    """A Parquet writer that collects record batches into row groups of ``rows`` rows."""

    def __init__(self, sink: IO[bytes], schema: pa.Schema, rows: int) -> None:
        self.schema = schema
        self.rows = rows
        self.count = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._writer = pq.ParquetWriter(
            sink,
            schema,
            compression=COMPRESSION,
            use_dictionary=True,
            write_statistics=True,
        )

    def __enter__(self) -> GroupWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self.close()
        else:  # release the file; what was written is discarded with it
            self._pending = []
            with contextlib.suppress(Exception):
                self._writer.close()

    def add(self, batch: pa.RecordBatch) -> None:
        """Add rows; their columns must be those of the schema, in its order."""
        if batch.num_rows == 0:
            return
        if batch.schema is not self.schema:
            batch = pa.RecordBatch.from_arrays(list(batch.columns), schema=self.schema)
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        while self._pending_rows >= self.rows:
            table = pa.Table.from_batches(self._pending, schema=self.schema)
            self._write(table.slice(0, self.rows))
            rest = table.slice(self.rows)
            self._pending = rest.combine_chunks().to_batches() if rest.num_rows else []
            self._pending_rows = rest.num_rows

    def _write(self, table: pa.Table) -> None:
        """One row group."""
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.count += table.num_rows

    def _flush(self) -> None:
        if self._pending:
            self._write(pa.Table.from_batches(self._pending, schema=self.schema))
        self._pending, self._pending_rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
