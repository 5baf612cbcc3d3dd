"""Request ids, the access log (text or JSON lines), request metrics and ``GET /metrics``.

Every request gets an id: the caller's ``X-Request-ID`` when it is a short token of letters,
digits and ``-_.:``, otherwise a fresh one. It goes back in the ``X-Request-ID`` response
header, into every log line written while the request runs, and into its audit row, so that
a complaint, a log line and an audit row can be matched.

Logs never hold personal data: the access log names the route *template*
(``/api/v1/networks/{nid}/actors``), never the concrete path or the query string.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netwerk import metrics
from netwerk.logs import JsonFormatter, configure_logging, request_id

__all__ = ["AccessLog", "JsonFormatter", "configure_logging", "metrics_router", "request_id"]

access = logging.getLogger("netwerk.access")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class AccessLog:
    """Assigns the request id, answers it in ``X-Request-ID``, logs one line per request and
    counts it in the request metrics (by route template and status)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", []) if k == b"x-request-id"), b"")
        rid = given.decode("latin-1") if _GOOD_ID.match(given.decode("latin-1")) else ""
        rid = rid or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            took = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            method = scope.get("method", "")
            if route != "/metrics":
                metrics.requests.labels(method, route, str(status)).inc()
                metrics.request_seconds.labels(method, route).observe(took)
            access.info(
                "%s %s %s %.1fms",
                method,
                route,
                status,
                took * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(took * 1000, 1),
                },
            )
            request_id.reset(token)


metrics_router = APIRouter(tags=["health"])


@metrics_router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def prometheus_metrics() -> Response:
    """Prometheus metrics (only when ``NETWERK_METRICS=true``; no token)."""
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE_LATEST)
