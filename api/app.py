"""The FastAPI application factory. Routers are assembled here, in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from api.errors import install_problem_handlers
from api.middleware import AccessLog, Audit, BodyLimit, SecurityHeaders
from api.routers import (
    actors,
    analysis,
    audit,
    dashboard,
    docs,
    exchange,
    explore,
    health,
    netwerkkaart,
    networks,
    suggestions,
    ties,
    tokens,
    web,
)
from netwerk import __version__
from netwerk.config import ConfigurationError, Settings, get_settings, startup_problems
from netwerk.ratelimit import RateLimiter
from netwerk.store.db import make_engine, make_sessionmaker

__all__ = ["api_routes", "create_app"]

DESCRIPTION = """
Spinnen in het web: the network around residents, key figures, professionals,
organisations, initiatives and places — analysed, and turned into introductions worth making.

All routes under `/api/v1` need `Authorization: Bearer <token>`. Errors are RFC 9457
problem details (`application/problem+json`). Lists are paginated with `limit` and `cursor`.
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    if problems := startup_problems(settings):
        raise ConfigurationError("; ".join(problems))
    settings = settings.with_pseudonym_key()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="Spinnen in het web",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by api.routers.docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.redis_url)
    install_problem_handlers(app)
    app.state.routers = [
        m.router
        for m in (
            health,
            networks,
            actors,
            ties,
            analysis,
            suggestions,
            exchange,
            tokens,
            audit,
            explore,
            netwerkkaart,
            dashboard,
            web,
        )
    ]
    app.state.routers.append(dashboard.api_router)
    for router in app.state.routers:
        app.include_router(router)
    for folder in web.ASSET_FOLDERS:  # never the package's Python files
        app.mount(
            f"/web/{folder}",
            web.Assets(directory=web.WEB_ROOT / folder, immutable=folder == "vendor"),
            name=f"web-{folder}",
        )
    app.include_router(docs.router)
    app.mount("/docs-static/vendor", StaticFiles(directory=docs.VENDOR), name="docs-vendor")
    app.mount("/docs-static", StaticFiles(directory=docs.OWN), name="docs-static")
    for folder in web.ASSET_FOLDERS:  # never the package's Python files
        app.mount(
            f"/web/{folder}",
            web.Assets(directory=web.WEB_ROOT / folder, immutable=folder == "vendor"),
            name=f"web-{folder}",
        )

    # Middleware: the last added runs first.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language"],
        )
    app.add_middleware(Audit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_import_bytes=settings.max_import_bytes
    )
    app.add_middleware(AccessLog)
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every route of the app's routers (each router carries its full prefix)."""
    return [r for router in app.state.routers for r in router.routes if isinstance(r, APIRoute)]
