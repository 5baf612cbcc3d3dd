"""RFC 9457 problem details: every error the API returns, mapped in this one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

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

__all__ = ["CONFLICT", "PROBLEM_RESPONSES", "Problem", "install_problem_handlers", "problem"]

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


def problem(request: Request, exc: NetwerkError) -> JSONResponse:
    status, type_ = next(
        (v for k, v in _STATUS.items() if isinstance(exc, k)), (400, "bad-request")
    )
    errors = [e.as_dict() for e in exc.errors] if isinstance(exc, ValidationFailed) else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    return _response(status, type_, exc.title, exc.detail, request, errors, headers)


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or (str(loc[0]) if loc else "")


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        loc = err.get("loc", ())
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        errors.append(
            {"field": _loc(tuple(loc)), "message": message, "in": str(loc[0]) if loc else "body"}
        )
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    detail = f"{first['field'] or 'request'}: {first['message']}{more}"
    return _response(422, "invalid-input", "Invalid input", detail, request, errors)


def _allowed_methods(request: Request) -> str | None:
    """Every method any route serves on this path (Starlette names only the first route's)."""
    from api.app import api_routes

    path = request.url.path
    methods = {
        m for r in api_routes(request.app) if r.path_regex.match(path) for m in r.methods or ()
    }
    return ", ".join(sorted(methods)) if methods else None


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
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
    detail = exc.detail if isinstance(exc.detail, str) else titles.get(exc.status_code, "error")
    return _response(
        exc.status_code,
        f"http-{exc.status_code}",
        titles.get(exc.status_code, "Error"),
        detail,
        request,
        headers=headers or None,
    )


def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    # Constraint checks in the database back up the domain checks (e.g. a race on a
    # unique key); report them as a conflict, never as a server error.
    log.warning("integrity error on %s %s", request.method, request.url.path)
    return _response(
        409, "conflict", "Conflict", "the change conflicts with existing data", request
    )


def _unavailable(request: Request, exc: OperationalError) -> JSONResponse:
    log.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        type(exc.orig).__name__,
    )
    return _response(
        503,
        "unavailable",
        "Service unavailable",
        "the database is not reachable; try again shortly",
        request,
        headers={"Retry-After": "5"},
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(
        500,
        "internal",
        "Internal error",
        "an unexpected error occurred; it has been logged",
        request,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NetwerkError, problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _unavailable)  # type: ignore[arg-type]
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

CONFLICT = _problem_response("Conflicts with existing data (e.g. a duplicate)")
TOO_LARGE = _problem_response("The request body is larger than the server accepts")
