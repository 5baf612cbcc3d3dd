"""The broker's workspace: one HTML shell for every ``/app`` path, whose ES modules (under
``/web/``, from the top-level ``web/`` folder) call the documented ``/api/v1`` routes with the
token kept in the tab's sessionStorage. The pages hold no rule of the domain: the API decides
what the caller's role may see. Every page carries a strict Content-Security-Policy (no inline
script or style) beside the security headers of the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from api.errors import PROBLEM_RESPONSES
from web import ROOT as WEB_ROOT
from web import page

__all__ = ["ASSET_FOLDERS", "CSP", "WEB_ROOT", "Assets", "router"]

ASSET_FOLDERS = ("js", "css", "i18n", "vendor", "img")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: blob:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)

router = APIRouter(tags=["pages"])


class Assets(StaticFiles):
    """The pages' files. Vendored files carry their version in the name, so a browser keeps
    them for a year; the others are revalidated on every load (ETag, 304): a new release is
    seen at once, an unchanged file costs no download. (Pages and API answers stay no-store.)
    """

    def __init__(self, *, directory: Path, immutable: bool = False) -> None:
        super().__init__(directory=directory)
        self.cache = "public, max-age=31536000, immutable" if immutable else "no-cache"

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = self.cache
        return response


_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "the page"},
    404: PROBLEM_RESPONSES[404],
    422: PROBLEM_RESPONSES[422],
}


def _shell() -> HTMLResponse:
    return HTMLResponse(page("app"), headers={"Content-Security-Policy": CSP})


@router.get("/app", response_class=HTMLResponse, operation_id="workspace", responses=_PAGE)
def workspace() -> HTMLResponse:
    """The broker's workspace: sign in with ``/app#token=…`` (the fragment is read once and
    removed from the address bar), then search, person pages, plans and the map."""
    return _shell()


@router.get(
    "/app/{path:path}",
    response_class=HTMLResponse,
    operation_id="workspacePage",
    responses=_PAGE,
)
def workspace_page(path: str) -> HTMLResponse:
    """A page of the workspace (the same shell; the page's script shows the right view)."""
    return _shell()
