"""The app's route table: every route of its routers (``app.state.routers``, set by
:func:`api.app.create_app`), each carrying its full prefix.

``app.routes`` does not serve here: FastAPI keeps an included router as one nested entry
there. Reading the table from the app the request came in on, instead of importing
:mod:`api.app`, keeps the modules that app imports (the problem handlers, the input guard)
free of a circle through every router."""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.types import ASGIApp

__all__ = ["api_routes"]


def api_routes(app: ASGIApp) -> list[APIRoute]:
    """Every route of the app's routers."""
    routers = app.state.routers  # type: ignore[attr-defined]
    return [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
