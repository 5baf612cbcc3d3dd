"""RFC 9457 problem details: every error the API returns, mapped in this one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routetable import api_routes
from netwerk import errors_text as problem_text
from netwerk import metrics
from netwerk.errors import (
    Conflict,
    Forbidden,
    NetwerkError,
    NotFound,
    Timeout,
    TooLarge,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from netwerk.exchange.pseudonym import PseudonymKeyMissing
from netwerk.i18n import text
from netwerk.store.db import is_busy
from netwerk.store.session import IntegrityError, OperationalError, PoolTimeout

__all__ = [
    "CONFLICT",
    "PROBLEM_RESPONSES",
    "Problem",
    "install_problem_handlers",
    "problem",
    "problem_only",
]

log = logging.getLogger("netwerk.api")

MEDIA_TYPE = "application/problem+json"

_STATUS: dict[type[NetwerkError], tuple[int, str]] = {
    ValidationFailed: (422, "invalid-input"),
    NotFound: (404, "not-found"),
    Conflict: (409, "conflict"),
    Forbidden: (403, "forbidden"),
    Unauthorized: (401, "unauthorized"),
    TooLarge: (413, "too-large"),
    TooManyRequests: (429, "rate-limited"),
    PseudonymKeyMissing: (503, "not-configured"),
    Timeout: (503, "timeout"),
}


class FieldProblem(BaseModel):
    field: str = Field(description="where: a field path such as 'ties[3].strength' or a column")
    message: str
    row: int | None = None
    line: int | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="a URI reference naming the problem type")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


def _response(
    status: int,
    type_: str,
    title: str,
    detail: str,
    request: Request,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{type_}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _lang(request: Request) -> str:
    from api.deps import language

    return language(request)


def problem(request: Request, exc: NetwerkError) -> JSONResponse:
    status, type_ = next(
        (v for k, v in _STATUS.items() if isinstance(exc, k)), (400, "bad-request")
    )
    lang = _lang(request)
    errors = None
    if isinstance(exc, ValidationFailed):
        errors = [e.as_dict() for e in exc.errors]
        for e in errors:
            e["message"] = problem_text.message(str(e["message"]), lang)
    detail = problem_text.domain_message(exc.detail, lang)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    title = problem_text.title(type_, lang, exc.title)
    return _response(status, type_, title, detail, request, errors, headers)


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or (str(loc[0]) if loc else "")


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    lang = _lang(request)
    errors = []
    for err in exc.errors():
        loc = err.get("loc", ())
        message = problem_text.field_message(dict(err), lang)
        errors.append(
            {"field": _loc(tuple(loc)), "message": message, "in": str(loc[0]) if loc else "body"}
        )
    first = errors[0] if errors else {"field": "", "message": text("problem.invalid", lang)}
    more = {"more": str(len(errors) - 1)} if len(errors) > 1 else {}
    detail = problem_text.join_detail(
        first["field"] or text("problem.request", lang), first["message"], more, lang
    )
    title = problem_text.title("invalid-input", lang, "Invalid input")
    return _response(422, "invalid-input", title, detail, request, errors)


def _allowed_methods(request: Request) -> str | None:
    """Every method any route serves on this path (Starlette names only the first route's)."""
    path = request.url.path
    methods = {
        m for r in api_routes(request.app) if r.path_regex.match(path) for m in r.methods or ()
    }
    return ", ".join(sorted(methods)) if methods else None


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers) if exc.headers else {}
    allowed = _allowed_methods(request) if exc.status_code == 405 else None
    if allowed:
        headers["Allow"] = allowed
    titles = {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        401: "Unauthorized",
        403: "Forbidden",
        413: "Payload too large",
        429: "Too many requests",
    }
    lang = _lang(request)
    detail = exc.detail if isinstance(exc.detail, str) else titles.get(exc.status_code, "error")
    if lang != "en":
        if exc.status_code == 404 and detail == "Not Found":
            detail = text("problem.http.not_found", lang, path=request.url.path)
        elif exc.status_code == 405:
            detail = text(
                "problem.http.method", lang, method=request.method, allowed=allowed or "-"
            )
        elif exc.status_code == 400 and detail.startswith(("Bad request", "There was an error")):
            detail = text("problem.http.body", lang)
        else:
            detail = problem_text.domain_message(detail, lang)
    key = f"http-{exc.status_code}" if exc.status_code in _HTTP_TITLED else "http-other"
    title = problem_text.title(key, lang, titles.get(exc.status_code, "Error"))
    return _response(
        exc.status_code,
        f"http-{exc.status_code}",
        title,
        detail,
        request,
        headers=headers or None,
    )


_HTTP_TITLED = {400, 401, 403, 404, 405, 406, 413, 415, 429}


def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    # Constraint checks in the database back up the domain checks (e.g. a race on a
    # unique key); report them as a conflict, never as a server error.
    log.warning("integrity error on %s %s", request.method, request.url.path)
    lang = _lang(request)
    return _response(
        409,
        "conflict",
        problem_text.title("conflict", lang, "Conflict"),
        text("problem.domain.conflict", lang),
        request,
    )


def _unavailable(request: Request, exc: OperationalError) -> JSONResponse:
    if is_busy(exc):
        # locked by another writer (SQLite) or a lock/statement timeout: there, but busy
        metrics.overload_refusals.labels("busy").inc()
        log.warning("database busy on %s %s", request.method, _route(request))
        lang = _lang(request)
        return _response(
            503,
            "busy",
            problem_text.title("unavailable", lang, "Service unavailable"),
            text("ops.problem.busy", lang, seconds=2),
            request,
            headers={"Retry-After": "2"},
        )
    log.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        type(exc.orig).__name__,
    )
    lang = _lang(request)
    return _response(
        503,
        "unavailable",
        problem_text.title("unavailable", lang, "Service unavailable"),
        text("problem.domain.unavailable", lang),
        request,
        headers={"Retry-After": "5"},
    )


def _pool_timeout(request: Request, exc: PoolTimeout) -> JSONResponse:
    metrics.overload_refusals.labels("pool").inc()
    log.warning("no database connection free in time on %s %s", request.method, _route(request))
    lang = _lang(request)
    return _response(
        503,
        "overloaded",
        problem_text.title("unavailable", lang, "Service unavailable"),
        text("ops.problem.pool", lang, seconds=2),
        request,
        headers={"Retry-After": "2"},
    )


def _route(request: Request) -> str:
    """The route template (never the concrete path, which may hold ids or search terms)."""
    return getattr(request.scope.get("route"), "path", None) or "(unmatched)"


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = _lang(request)
    return _response(
        500,
        "internal",
        problem_text.title("internal", lang, "Internal error"),
        text("problem.domain.internal", lang),
        request,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NetwerkError, problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _unavailable)  # type: ignore[arg-type]
    app.add_exception_handler(PoolTimeout, _pool_timeout)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response("Malformed request: a body that is not UTF-8 JSON"),
    401: _problem_response("Missing, unknown, revoked or expired token"),
    403: _problem_response("The token's role may not do this"),
    404: _problem_response("No such object in a network this token may use"),
    422: _problem_response("Invalid input: `errors` names every field"),
    429: _problem_response("Too many requests for this token; see Retry-After"),
}


def problem_only(description: str) -> dict[str, Any]:
    """A documented error response of a route whose own media type is not JSON (a page):
    only ``application/problem+json``, which is what it answers."""
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


CONFLICT = _problem_response("Conflicts with existing data (e.g. a duplicate)")
TOO_LARGE = _problem_response("The request body is larger than the server accepts")
