"""ASGI middleware: body size caps, security headers, and an access log without personal data.

The access log writes the route *template* (``/api/v1/networks/{nid}/actors``), never the
concrete path or query string: a search such as ``?q=Fatima`` must not reach a log file.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netwerk.i18n import text

__all__ = ["AccessLog", "Audit", "BodyLimit", "SecurityHeaders"]

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


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            log.info(
                "%s %s %s %.1fms",
                scope.get("method"),
                template,
                status["code"],
                (time.perf_counter() - start) * 1000,
            )


WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


class Audit:
    """Writes one audit row for every authenticated ``/api/v1`` request, after the response:
    token, role, network, route template, status and the object ids the route named via
    ``api.deps.audit_objects`` (plus the ids in the path). Never the data itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        status: dict[str, int] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state") or {}
            principal = state.get("principal")
            if principal is not None and not state.get("audit_skip"):
                await anyio.to_thread.run_sync(self._write, scope, state, principal, status["code"])

    @staticmethod
    def _write(scope: Scope, state: dict[str, Any], principal: Any, status: int) -> None:
        from netwerk.audit import record

        method = scope.get("method", "GET")
        route = getattr(scope.get("route"), "path", None) or "(unmatched)"
        params = scope.get("path_params") or {}
        action = (
            "export"
            if route.endswith("/export")
            else "write"
            if method in WRITE_METHODS
            else "read"
        )
        objects = [str(v) for k, v in params.items() if k != "nid"]
        objects += state.get("audit_objects", [])
        factory = scope["app"].state.sessionmaker
        try:
            with factory() as session:
                record(
                    session,
                    token_id=principal.token_id,
                    role=principal.role.value,
                    network_id=params.get("nid"),
                    action=action,
                    method=method,
                    route=route,
                    status=status,
                    object_ids=objects,
                )
                session.commit()
        except Exception:  # the audit must never turn a good answer into an error
            log.exception("audit write failed for %s %s", method, route)
