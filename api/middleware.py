"""ASGI middleware: body size caps and security headers.

The access log and request ids are in ``api.observability``, the audit in ``api.auditing``,
bounded concurrency in ``api.overload``.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netwerk.i18n import text

__all__ = ["BodyLimit", "SecurityHeaders"]

log = logging.getLogger("netwerk.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]
CSP_API = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class _TooLarge(Exception):
    pass


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": f"/problems/http-{status}", "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _scope_lang(scope: Scope) -> str:
    from starlette.requests import Request

    from api.deps import language

    return language(Request(scope))


async def _too_large(scope: Scope, send: Send, cap: int) -> None:
    lang = _scope_lang(scope)
    await _problem(
        send,
        413,
        text("problem.title.too-large", lang),
        text("problem.http.too_large", lang, limit=cap),
    )


class BodyLimit:
    """Refuse bodies above a cap (413): by Content-Length up front, or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_import_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_import_bytes = max_import_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.max_import_bytes if scope["path"].endswith("/import") else self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    lang = _scope_lang(scope)
                    await _problem(
                        send,
                        400,
                        text("problem.title.bad-request", lang),
                        text("problem.http.content_length", lang),
                    )
                    return
                if declared > cap:
                    await _too_large(scope, send, cap)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(scope, send, cap)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_page = scope["path"].startswith(("/dashboard", "/docs", "/redoc"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [h for h in SECURITY_HEADERS if h[0] not in present]
                if not is_page and CSP_API[0] not in present:
                    extra.append(CSP_API)
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)
