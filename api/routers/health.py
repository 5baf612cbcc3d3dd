"""Liveness and readiness (no token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.schemas import Health, Ready
from netwerk.store.migrate import is_current

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, operation_id="health")
def health() -> Health:
    """The process is up. Touches no database."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Ready,
    operation_id="ready",
    responses={503: {"model": Ready, "description": "database unreachable or not migrated"}},
)
def ready(request: Request) -> JSONResponse:
    """The database is reachable and at the newest migration."""
    engine = request.app.state.engine
    database = current = False
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = True
        current = is_current(engine)
    except SQLAlchemyError:
        pass
    body = Ready(
        status="ready" if database and current else "not ready",
        database=database,
        migrations_current=current,
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)
