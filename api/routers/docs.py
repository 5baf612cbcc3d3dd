"""The API documentation pages, served from the application itself: Swagger UI at ``/docs``
and ReDoc at ``/redoc`` work without internet.

The JavaScript and CSS come from the PyPI package ``fastapi-offline`` (pinned in
pyproject.toml; MIT), which ships the ``swagger-ui-dist`` bundle (Swagger UI, Apache-2.0) and
``redoc.standalone.js`` (ReDoc, MIT), mounted at ``/docs-static/vendor``. The pages follow the
dashboard's CSP: scripts only from this origin and never inline (Swagger UI is started by
``/docs-static/swagger-init.js``; ReDoc starts itself from its ``<redoc spec-url>``
element). Both renderers set element styles and ReDoc injects its stylesheet, so the docs pages
allow inline *styles* (not scripts); ReDoc's search runs in a ``blob:`` worker.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

__all__ = ["CSP", "VENDOR", "router"]

VENDOR = Path(str(files("fastapi_offline") / "static"))
OWN = Path(__file__).resolve().parents[1] / "static" / "docs"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

router = APIRouter(include_in_schema=False)

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="icon" href="/docs-static/vendor/favicon.png">
<link rel="stylesheet" href="/docs-static/vendor/swagger-ui.css">
</head><body data-openapi="{openapi}">
<div id="swagger-ui"></div>
<script src="/docs-static/vendor/swagger-ui-bundle.js"></script>
<script src="/docs-static/swagger-init.js"></script>
</body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="icon" href="/docs-static/vendor/favicon.png">
</head><body>
<redoc spec-url="{openapi}"></redoc>
<script src="/docs-static/vendor/redoc.standalone.js"></script>
</body></html>
"""


def _page(template: str, request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    html = template.format(
        title=escape(request.app.title), openapi=escape(f"{root}{request.app.openapi_url}")
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _page(_SWAGGER, request)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _page(_REDOC, request)
