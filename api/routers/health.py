"""Liveness and readiness (no token)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.schemas import Health, Ready
from netwerk.store.db import is_busy, ping
from netwerk.store.migrate import is_current
from netwerk.store.session import DatabaseError

router = APIRouter(tags=["health"])
log = logging.getLogger("netwerk.api")


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
    """The database is reachable and at the newest migration (a busy, locked database is
    reachable: it answers once the lock is gone). Redis, when configured, is ``ok`` or
    ``degraded``: then the service still serves, with rate limits counted per process."""
    engine = request.app.state.engine
    database = current = False
    try:
        ping(engine)
        database = True
        current = is_current(engine)
    except DatabaseError as exc:
        if is_busy(exc):
            database = current = True  # locked by a writer, not gone
        else:
            log.warning("readiness: database not reachable (%s)", type(exc).__name__)
    redis = request.app.state.rate_limiter.redis_state()
    status = (
        "not ready"
        if not (database and current)
        else "degraded"
        if redis == "degraded"
        else "ready"
    )
    body = Ready(status=status, database=database, migrations_current=current, redis=redis)
    return JSONResponse(body.model_dump(), status_code=503 if status == "not ready" else 200)
