"""The wijkteam dashboard page: a static shell whose script calls the API with the viewer's
token (kept in the tab's sessionStorage, never in a URL or cookie). It shows aggregates only:
the API itself decides what a viewer may see."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from api.errors import problem_only

STATIC = Path(__file__).resolve().parents[1] / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

router = APIRouter(tags=["dashboard"])


@router.get(
    "/dashboard/{nid}",
    response_class=HTMLResponse,
    operation_id="dashboard",
    responses={
        200: {"content": {"text/html": {}}, "description": "the page"},
        422: problem_only("The network id is longer than 64 characters"),
    },
)
def dashboard(nid: Annotated[str, PathParam(max_length=64)]) -> HTMLResponse:
    """The dashboard page of a network (it asks for a token, then loads the aggregates)."""
    html = (STATIC / "dashboard.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})
