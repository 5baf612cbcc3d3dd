"""Dependencies shared by every router: the database session, the caller, the network scope.

Order of checks on a network route: token (401) → the network is in the token's scope, else
404 so that ids of other networks cannot be probed → the role may use the route (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.jobs import JOB_SCOPE_KEY
from netwerk.config import Settings
from netwerk.errors import Forbidden, NotFound, TooManyRequests
from netwerk.model import Role
from netwerk.privacy import sees_persons
from netwerk.store.tables import Network
from netwerk.store.tokens import Principal, authenticate

__all__ = [
    "ALL_ROLES",
    "CurrentPrincipal",
    "Lang",
    "Limit",
    "Scope",
    "SessionDep",
    "SettingsDep",
    "audit_objects",
    "release",
    "require_roles",
    "scope",
]

ALL_ROLES = (Role.admin, Role.broker, Role.viewer, Role.researcher)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. It is closed as soon as the route function returns, before the
    response is sent, so that the audit row (``api.auditing``) never waits for a connection
    while this request still holds one. A write's ``commit`` records its audit row in the
    same transaction (``session.info["request"]`` tells the hook whose request it is)."""
    session: Session = request.app.state.sessionmaker()
    session.info["request"] = request
    try:
        yield session
    finally:
        session.rollback()  # a no-op after commit; undoes anything a failed request left
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def release(session: Session) -> None:
    """Give the session's connection back to the pool before waiting for other work that
    needs a connection of its own (an analysis thread): no request may hold one connection
    while it waits for another. Objects already loaded keep their values (detached); the
    session opens a new transaction if it is used again."""
    session.close()


_bearer = HTTPBearer(auto_error=False, description="A token made with `netwerk token create`")


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = authenticate(session, credentials.credentials if credentials else None)
    request.state.principal = principal
    if JOB_SCOPE_KEY in request.scope:  # a status request's replay: counted once, as that
        return principal
    verdict = request.app.state.rate_limiter.hit(principal.token_id)
    if not verdict.allowed:
        raise TooManyRequests(
            "too many requests for this token; slow down", retry_after=verdict.retry_after
        )
    return principal


def audit_objects(request: Request, ids: Iterable[str]) -> None:
    """Name the objects this request read, for the audit log (ids only, never data)."""
    request.state.audit_objects = [*getattr(request.state, "audit_objects", []), *ids]


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """A dependency that admits only the given roles (403 otherwise)."""

    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"the role '{principal.role.value}' may not do this")
        return principal

    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency


@dataclass(frozen=True)
class Scope:
    """A network route's caller and network, checked."""

    principal: Principal
    network_id: str

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def sees_persons(self) -> bool:
        return sees_persons(self.principal.role)


def scope(*roles: Role) -> Any:
    """``Annotated[Scope, scope(...)]``: the network in the path, for the given roles."""

    def dependency(
        principal: CurrentPrincipal,
        session: SessionDep,
        nid: Annotated[str, Path(min_length=1, max_length=64, description="network id")],
    ) -> Scope:
        if not principal.may_use(nid) or session.get(Network, nid) is None:
            raise NotFound("network", nid)
        if principal.role not in roles:
            raise Forbidden(f"the role '{principal.role.value}' may not do this")
        return Scope(principal=principal, network_id=nid)

    dependency.roles = roles  # type: ignore[attr-defined]
    return Depends(dependency)


Limit = Annotated[
    int, Query(ge=1, le=100_000, description="page size; capped at the server's maximum")
]
Lang = Annotated[
    str | None,
    Query(pattern="^(nl|en)$", description="language of sentences: nl (default) or en"),
]


def page_limit(settings: Settings, limit: int | None) -> int:
    return min(limit or settings.page_size_default, settings.page_size_max)


def language(request: Request, lang: str | None = None) -> str:
    """The language of user-facing words: the ``lang`` query parameter (``nl`` or ``en``)
    first, then the first of English and Dutch in ``Accept-Language`` by its q-values (a
    missing q counts as 1, ties keep the header's order), else Dutch."""
    if lang in ("nl", "en"):
        return lang
    if lang is None and request.query_params.get("lang") in ("nl", "en"):
        return str(request.query_params["lang"])
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        code, _, params = part.partition(";")
        code = code.strip().lower()[:2]
        if code not in ("nl", "en"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, code))
    return min(ranked)[2] if ranked else "nl"
