"""Bounded concurrency per worker: at most ``NETWERK_MAX_CONCURRENT_REQUESTS`` API requests
are handled at once; the others wait in line for at most ``NETWERK_QUEUE_TIMEOUT_S`` and are
then answered ``503`` with ``Retry-After`` — quickly and cleanly, instead of piling up on the
connection pool until everything times out. ``/health``, ``/ready`` and ``/metrics`` never
wait in line, so a busy worker still says that it lives and why it is slow."""

from __future__ import annotations

import json
import math

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from netwerk import metrics

__all__ = ["ConcurrencyLimit", "scope_language", "send_problem"]


def scope_language(scope: Scope) -> str:
    """The caller's language (``lang`` query parameter, then Accept-Language; Dutch)."""
    from starlette.requests import Request

    from api.deps import language

    request = Request(scope)
    return language(request, request.query_params.get("lang"))


async def send_problem(
    send: Send, scope: Scope, status: int, type_: str, detail_key: str, retry_after: int
) -> None:
    """A problem details response straight from ASGI middleware (in the caller's language)."""
    from netwerk import errors_text
    from netwerk.i18n import text

    lang = scope_language(scope)
    body = json.dumps(
        {
            "type": f"/problems/{type_}",
            "title": errors_text.title("unavailable", lang, "Service unavailable"),
            "status": status,
            "detail": text(detail_key, lang, seconds=retry_after),
            "instance": scope.get("path", ""),
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ConcurrencyLimit:
    def __init__(self, app: ASGIApp, *, limit: int, queue_timeout_s: float) -> None:
        self.app = app
        self.limit = limit
        self.queue_timeout_s = queue_timeout_s
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made inside the running event loop
            self._slots = anyio.Semaphore(self.limit)
        acquired = False
        with anyio.move_on_after(self.queue_timeout_s):
            await self._slots.acquire()
            acquired = True
        if not acquired:
            metrics.overload_refusals.labels("queue").inc()
            retry = max(1, math.ceil(self.queue_timeout_s / 2))
            await send_problem(send, scope, 503, "overloaded", "ops.problem.queue", retry)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
