"""The exchange formats: names, media types and file names (one place for API, CLI, tests)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from netwerk.errors import ValidationFailed

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "IMPORT_FORMATS",
    "FormatInfo",
    "export_filename",
    "get",
    "media_type",
]


@dataclass(frozen=True)
class FormatInfo:
    name: str
    media_type: str
    extension: str
    export: bool
    import_: bool
    description: str


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in (
        FormatInfo(
            "graphml",
            "application/graphml+xml",
            "graphml",
            True,
            True,
            "GraphML (Gephi, yEd, networkx, igraph, Cytoscape)",
        ),
        FormatInfo(
            "gexf",
            "application/gexf+xml",
            "gexf",
            True,
            True,
            "GEXF 1.3 (Gephi); static with as_of, else the whole history as dynamic spells",
        ),
        FormatInfo(
            "json",
            "application/json",
            "json",
            True,
            True,
            "node-link JSON (networkx node_link_data / node_link_graph)",
        ),
        FormatInfo(
            "cytoscape",
            "application/json",
            "cyjs",
            True,
            True,
            "Cytoscape.js JSON (elements: nodes and edges)",
        ),
        FormatInfo(
            "csv",
            "application/zip",
            "zip",
            True,
            True,
            "actors.csv + ties.csv in a zip (Gephi spreadsheet columns); "
            "table=actors|ties gives one text/csv table",
        ),
        FormatInfo(
            "kumu",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            True,
            True,
            "Kumu workbook: sheets Elements (Label, Type, Tags) and Connections "
            "(From, To, Type, Strength); imports also read Kumu CSV or a zip of two CSVs",
        ),
        FormatInfo(
            "parquet",
            "application/zip",
            "parquet.zip",
            True,
            True,
            "Apache Parquet (Spark, DuckDB, polars, pandas): actors.parquet + ties.parquet + "
            "network.json in a zip, typed columns; imports also read one .parquet table",
        ),
        FormatInfo(
            "pajek",
            "text/x-pajek",
            "net",
            True,
            True,
            "Pajek .net (UCINET, Pajek, networkx, igraph): structure, labels, strength and "
            "tie kind only",
        ),
    )
}

CSV_TABLE = FormatInfo("csv", "text/csv; charset=utf-8", "csv", True, True, "one CSV table")

EXPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.export)
IMPORT_FORMATS = (*tuple(name for name, f in FORMATS.items() if f.import_), "xlsx")
"""``xlsx`` is accepted on import as another name for ``kumu``."""


def get(name: str, *, for_import: bool = False) -> FormatInfo:
    key = (name or "").strip().lower()
    if for_import and key == "xlsx":
        key = "kumu"
    info = FORMATS.get(key)
    allowed = IMPORT_FORMATS if for_import else EXPORT_FORMATS
    if info is None or key not in allowed:
        raise ValidationFailed(
            "format", f"'{name[:20]}' is not a format; use one of: {', '.join(allowed)}"
        )
    return info


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_filename(
    network_name: str,
    fmt: str,
    *,
    as_of: dt.date | None = None,
    table: str | None = None,
    pseudonymised: bool = False,
) -> str:
    """A safe download name such as ``wijk-noord-2024-05-01-research.graphml``."""
    stem = _UNSAFE.sub("-", network_name).strip("-").lower()[:60] or "network"
    if as_of is not None:
        stem += f"-{as_of.isoformat()}"
    if pseudonymised:
        stem += "-research"
    info = get(fmt)
    if info.name == "csv" and table:
        return f"{stem}-{table}.csv"
    return f"{stem}.{info.extension}"


def media_type(fmt: str, *, table: str | None = None) -> str:
    info = get(fmt)
    if info.name == "csv" and table:
        return CSV_TABLE.media_type
    return info.media_type
