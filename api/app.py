"""The FastAPI application factory. Routers are assembled here, in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import jobs as resumable
from api.auditing import Audit, install_commit_hook
from api.errors import install_problem_handlers
from api.inputguard import InputGuard
from api.middleware import BodyLimit, SecurityHeaders
from api.observability import AccessLog, configure_logging, metrics_router
from api.overload import ConcurrencyLimit
from api.routers import (
    actors,
    analysis,
    audit,
    dashboard,
    docs,
    exchange,
    explore,
    health,
    jobs,
    netwerkkaart,
    networks,
    suggestions,
    ties,
    tokens,
    web,
)
from api.routetable import api_routes
from netwerk import __version__, allocator, cache
from netwerk.analysis import process
from netwerk.config import ConfigurationError, Settings, get_settings, startup_problems
from netwerk.ratelimit import RateLimiter
from netwerk.shared_results import SharedResults
from netwerk.store.db import engine_from_settings, make_sessionmaker
from netwerk.store.session import Engine
from netwerk.suggest import kept

__all__ = ["api_routes", "create_app"]

DESCRIPTION = """
Spinnen in het web: the network around residents, key figures, professionals,
organisations, initiatives and places — analysed, and turned into introductions worth making.

All routes under `/api/v1` need `Authorization: Bearer <token>`. Errors are RFC 9457
problem details (`application/problem+json`). Lists are paginated with `limit` and `cursor`.
An analysis that takes longer than the server waits answers `202 Accepted` with its status URL
in `Location` (`GET /api/v1/networks/{nid}/jobs/{job}`): ask it after `Retry-After` seconds;
it answers `202` while the analysis runs, then the result as the route answers it.
"""


log = logging.getLogger("netwerk.api")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown (SIGTERM: uvicorn stops accepting and first lets the requests in flight
    finish, within ``NETWERK_SHUTDOWN_TIMEOUT_S``): analyses still queued are cancelled,
    running ones are awaited (again within that bound) — they run to their end and file
    their result whole, or not at all — and the database connections are closed."""
    app.state.analysis_pool.shutdown(wait=False)
    app.state.analysis_pool = _analysis_pool(app.state.settings)  # fresh for each serving
    yield
    pool: ThreadPoolExecutor = app.state.analysis_pool
    pool.shutdown(wait=False, cancel_futures=True)
    finished = False
    with anyio.move_on_after(app.state.settings.shutdown_timeout_s):
        await anyio.to_thread.run_sync(lambda: pool.shutdown(wait=True), abandon_on_cancel=True)
        finished = True
    if not finished:
        # an igraph computation cannot be interrupted; it only ever fills this process's
        # memory, so being killed after the grace period leaves nothing half-written
        log.warning("analyses still running after %.0f s", app.state.settings.shutdown_timeout_s)
    if app.state.analysis_process is not None:  # its running recompute is abandoned
        await anyio.to_thread.run_sync(app.state.analysis_process.shutdown)
    app.state.engine.dispose()
    log.warning("shut down cleanly")


def _analysis_pool(settings: Settings) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.analysis_threads, thread_name_prefix="analysis")


def _analysis_process(settings: Settings, engine: Engine) -> process.Runner | None:
    """The worker's analysis process (made on its first job), configured as this app: its
    database (the engine's, which may be given apart from the settings), caches and shared
    store; none when the setting is off or the database lives in this process's memory."""
    url = engine.url.render_as_string(hide_password=False)
    if not settings.analysis_process or ":memory:" in url or url.rstrip("/") == "sqlite:":
        return None
    return process.Runner(
        process.ChildConfig(
            database_url=url,
            busy_timeout_s=settings.db_busy_timeout_s,
            snapshot_cache_size=settings.snapshot_cache_size,
            result_cache_size=settings.result_cache_size,
            redis_url=settings.redis_url,
            result_lease_s=settings.result_lease_s,
            nice=settings.analysis_process_nice,
        )
    )


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The app, configured by ``settings`` (default: read from the environment, here and in
    the CLI only): everything it starts takes its settings from here — the database engine,
    the analysis threads, the rate limiter, the middleware, the sizes of the process's
    caches — and every route reads them from ``app.state.settings``, so two apps made in
    one process each keep their own."""
    settings = settings or get_settings()
    if problems := startup_problems(settings):
        raise ConfigurationError("; ".join(problems))
    settings = settings.with_pseudonym_key()
    configure_logging(settings.log_level, settings.log_format)
    allocator.tune()
    cache.configure(
        snapshot_size=settings.snapshot_cache_size,
        result_size=settings.result_cache_size,
        shared_store=SharedResults(settings.redis_url, lease_s=settings.result_lease_s),
    )
    kept.configure(changes=settings.suggest_refit_changes, minutes=settings.suggest_refit_minutes)
    engine = engine or engine_from_settings(settings)
    runner = _analysis_process(settings, engine)
    process.configure(runner)
    app = FastAPI(
        title="Spinnen in het web",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by api.routers.docs, without a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    install_commit_hook(app.state.sessionmaker)
    app.state.analysis_pool = _analysis_pool(settings)
    app.state.analysis_process = runner
    app.state.flights = resumable.Flights()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.redis_url)
    install_problem_handlers(app)
    app.add_exception_handler(resumable.Accepted, resumable.accepted_response)
    app.state.routers = [
        m.router
        for m in (
            health,
            networks,
            actors,
            ties,
            analysis,
            jobs,
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
    if settings.metrics:
        app.include_router(metrics_router)
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
    app.add_middleware(InputGuard)  # innermost: before any route, after the body cap
    app.add_middleware(Audit)
    app.add_middleware(
        ConcurrencyLimit,
        limit=settings.max_concurrent_requests,
        queue_timeout_s=settings.queue_timeout_s,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_import_bytes=settings.max_import_bytes
    )
    app.add_middleware(AccessLog)
    return app
