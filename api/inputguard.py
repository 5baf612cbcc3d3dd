"""The input guard: every string that enters through HTTP obeys ``netwerk.safetext``.

One ASGI middleware checks, before any route runs:

* the path (every path parameter by name, or the whole path when no route matches);
* every query parameter, its name and its value;
* the JSON body of a route that takes one: every value, every list item, every object key.

A flaw answers 422 with a problem that names the field (``errors[].field`` and ``in``: path,
query or body), in the request's language; the value itself is never echoed. Because the
guard sits in front of the router, a route added later is covered without doing anything,
and no database ever sees a NUL (PostgreSQL cannot store one) or a character that would make
an export unreadable. Import files are not JSON bodies of a route: the importer reads them and
applies the same rule per row (``netwerk.model.clean_text``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import language
from api.routetable import api_routes
from netwerk.i18n import text
from netwerk.safetext import Flaw, first_flaw, flaws, message

__all__ = ["InputGuard"]

MAX_LISTED = 20


def _route(scope: Scope) -> tuple[APIRoute | None, dict[str, Any]]:
    """The API route this request is for (a full match first, else one that serves the path
    with another method), with its path parameters; None for anything else."""
    partial: tuple[APIRoute, dict[str, Any]] | None = None
    for route in api_routes(scope["app"]):
        match, child = route.matches(scope)
        if match is Match.FULL:
            return route, child.get("path_params", {})
        if match is Match.PARTIAL and partial is None:
            partial = (route, child.get("path_params", {}))
    return partial or (None, {})


def _takes_json(route: APIRoute | None) -> bool:
    """Whether the body is JSON to check: the route declares a JSON body, or the request is
    for no known route at all (checked rather than trusted; it is capped by BodyLimit)."""
    if route is None:
        return True
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if dep.body_params:
            return True
        stack.extend(dep.dependencies)
    return False


class InputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found: list[tuple[str, str, Flaw, bool]] = []  # (in, field, flaw, in a key?)
        route, params = _route(scope)
        if route is None and (flaw := first_flaw(scope["path"], multiline=False)):
            found.append(("path", "path", flaw, False))
        for name, value in params.items():
            if isinstance(value, str) and (flaw := first_flaw(value, multiline=False)):
                found.append(("path", name, flaw, False))
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if (flaw := first_flaw(name, multiline=False)) is not None:
                found.append(("query", "query", flaw, True))
            elif (flaw := first_flaw(value, multiline=False)) is not None:
                found.append(("query", name, flaw, False))

        if _takes_json(route) and scope.get("method") in ("POST", "PUT", "PATCH"):
            body, receive = await _buffer(receive)
            try:
                document = json.loads(body) if _may_hold_flaws(body) else None
            except (ValueError, RecursionError):
                document = None  # not JSON: the route's own validation answers
            for field, flaw, in_key in flaws(document):
                found.append(("body", field or "body", flaw, in_key))
                if len(found) >= MAX_LISTED:
                    break

        if not found:
            await self.app(scope, receive, send)
            return
        await _refuse(scope, found)(scope, receive, send)


def _may_hold_flaws(body: bytes) -> bool:
    """Whether parsing is needed: JSON text of printable ASCII without a backslash escape
    cannot hold a forbidden character (a raw control character is not valid JSON)."""
    return bool(body) and not (body.isascii() and b"\\" not in body and b"\x7f" not in body)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body (its size is capped by ``BodyLimit`` outside this middleware) and
    give back a ``receive`` that replays it."""
    chunks: list[bytes] = []
    more = True
    while more:
        message_ = await receive()
        if message_["type"] != "http.request":
            break
        chunks.append(message_.get("body", b""))
        more = message_.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _refuse(scope: Scope, found: list[tuple[str, str, Flaw, bool]]) -> JSONResponse:
    request = Request(scope)
    lang = language(request, request.query_params.get("lang"))
    errors = [
        {"field": field, "message": message(flaw, lang, key=in_key), "in": where}
        for where, field, flaw, in_key in found[:MAX_LISTED]
    ]
    first = errors[0]
    more = f" (+{len(errors) - 1})" if len(errors) > 1 else ""
    problem: dict[str, Any] = {
        "type": "/problems/invalid-input",
        "title": text("input.title", lang),
        "status": 422,
        "detail": f"{first['field']}: {first['message']}{more}",
    }
    if first_flaw(scope["path"]) is None:  # never echo a hostile path
        problem["instance"] = scope["path"]
    problem["errors"] = errors
    return JSONResponse(
        problem,
        status_code=422,
        media_type="application/problem+json",
        headers={"Content-Language": lang},
    )
