"""Export and import (DESIGN.md section 8). Researchers always get a pseudonymised export keyed
to their own token; brokers and admins may ask for one. Imports are all or nothing."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.deps import Lang, Scope, SessionDep, SettingsDep, scope
from api.errors import PROBLEM_RESPONSES, TOO_LARGE
from api.schemas import IsoDate
from netwerk.analysis import service as analysis
from netwerk.errors import ValidationFailed
from netwerk.exchange import formats
from netwerk.exchange.pseudonym import PseudonymKey
from netwerk.exchange.service import export_network, import_network
from netwerk.model import Role
from netwerk.store.networks import get_network

router = APIRouter(prefix="/api/v1/networks/{nid}", tags=["exchange"], responses=PROBLEM_RESPONSES)

Exporter = Annotated[Scope, scope(Role.admin, Role.broker, Role.researcher)]
Importer = Annotated[Scope, scope(Role.admin, Role.broker)]
ExportFormat = Literal[formats.EXPORT_FORMATS]  # type: ignore[valid-type]
ImportFormat = Literal[formats.IMPORT_FORMATS]  # type: ignore[valid-type]


def _analysis_attributes(
    engine: Any, network_id: str, include: list[str], lang: str, as_of: Any
) -> dict[str, dict[str, Any]]:
    """Analysis results as node attributes: community, key-figure flag, betweenness."""
    out: dict[str, dict[str, Any]] = {}
    if "communities" in include:
        result = analysis.communities(
            engine, network_id, as_of=as_of, lang=lang, include_members=True, limit=100_000
        )
        for c in result.communities:
            for m in c.members or ():
                out.setdefault(m.actor_id, {})["community"] = c.community
    if "key_figures" in include:
        kf = analysis.key_figures(engine, network_id, as_of=as_of, lang=lang, top=100_000)
        for k in (*kf.recognised, *kf.unrecognised):
            out.setdefault(k.actor_id, {})["key_figure"] = (
                "recognised" if k.recognised else "unrecognised"
            )
    if "betweenness" in include:
        cen = analysis.centrality(
            engine, network_id, as_of=as_of, lang=lang, measure="betweenness", top=100_000
        )
        for e in cen.entries:
            out.setdefault(e.actor_id, {})["betweenness"] = e.value
    return out


@router.get(
    "/export",
    operation_id="exportNetwork",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the file, streamed",
            "content": {
                media: {
                    "schema": {"type": "object"}
                    if media == "application/json"
                    else {"type": "string", "format": "binary"}
                }
                for media in sorted({f.media_type for f in formats.FORMATS.values()} | {"text/csv"})
            },
        },
        503: PROBLEM_RESPONSES[422] | {"description": "no pseudonym key configured"},
    },
)
def export(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    s: Exporter,
    format: ExportFormat = "graphml",
    as_of: Annotated[
        IsoDate | None, Query(description="the ties active that day (default: today)")
    ] = None,
    history: Annotated[
        bool,
        Query(
            description="every tie, ended ones included and marked (status=ended); GEXF as a "
            "dynamic graph. Default: the ties active today, as the analysis sees the network"
        ),
    ] = False,
    pseudonymise: Annotated[
        bool, Query(description="a research export (researchers: always)")
    ] = False,
    table: Annotated[Literal["actors", "ties"] | None, Query(description="csv: one table")] = None,
    include: Annotated[
        list[Literal["communities", "key_figures", "betweenness"]] | None,
        Query(description="analysis results as node attributes"),
    ] = None,
    lang: Lang = None,
) -> StreamingResponse:
    """The network as a file for Gephi, Kumu, UCINET/Pajek, networkx, igraph or Cytoscape."""
    research = pseudonymise or s.role is Role.researcher
    key = (
        PseudonymKey.load(
            s.principal.token_id,
            secret=settings.pseudonym_key,
            key_file=settings.pseudonym_key_file,
        )
        if research
        else None
    )
    network = get_network(session, s.network_id)
    extra = (
        _analysis_attributes(
            request.app.state.engine, s.network_id, list(include), lang or "nl", as_of
        )
        if include
        else None
    )
    result = export_network(
        session.connection(),
        s.network_id,
        format,
        as_of=as_of,
        pseudonymise=key,
        include_analysis=extra,
        table=table,
        history=history,
    )
    name = formats.export_filename(
        network.name, format, as_of=as_of, table=table, pseudonymised=research
    )
    return StreamingResponse(
        iter(result),
        media_type=result.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Netwerk-Actors": str(result.actors),
            "X-Netwerk-Ties": str(result.ties),
        },
    )


class ImportCounts(BaseModel):
    read: int
    created: int
    matched: int
    duplicate: int | None = None


class ImportError_(BaseModel):
    field: str
    message: str
    row: int | None = None
    line: int | None = None


class ImportReportRead(BaseModel):
    format: str
    dry_run: bool
    ok: bool
    actors: ImportCounts
    ties: ImportCounts
    error_count: int
    errors: list[ImportError_]
    warnings: list[str]
    revision: int | None
    seconds: dict[str, float]


@router.post(
    "/import",
    operation_id="importNetwork",
    response_model=ImportReportRead,
    responses={413: TOO_LARGE},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "the file itself",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_(
    request: Request,
    settings: SettingsDep,
    s: Importer,
    format: ImportFormat,
    dry_run: Annotated[bool, Query(description="report only; write nothing")] = False,
    table: Annotated[
        Literal["actors", "ties"] | None, Query(description="csv: the file is only this table")
    ] = None,
    default_kind: Annotated[
        str | None, Query(max_length=20, description=("kind for rows without one"))
    ] = None,
    mapping: Annotated[
        str | None,
        Query(
            max_length=4000,
            description=('JSON object {field: column}, e.g. {"name": "Naam", "source": "Van"}'),
        ),
    ] = None,
) -> ImportReportRead:
    """Import a file into the network: everything or nothing, with a report of what was read
    and every error with its row or line."""
    columns: dict[str, str] | None = None
    if mapping:
        try:
            columns = json.loads(mapping)
        except ValueError:
            raise ValidationFailed("mapping", "not a JSON object") from None
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise ValidationFailed("mapping", 'a JSON object of strings: {"field": "column"}')
    body = await request.body()

    def run() -> ImportReportRead:
        with request.app.state.sessionmaker() as session:
            report = import_network(
                session.connection(),
                s.network_id,
                body,
                format,
                mapping=columns,
                dry_run=dry_run,
                table=table,
                default_kind=default_kind,
                max_bytes=settings.max_import_bytes,
            )
            if dry_run:
                session.rollback()
            else:
                session.commit()
        return ImportReportRead.model_validate(report.as_dict())

    return await anyio.to_thread.run_sync(run)
