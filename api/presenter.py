"""The dependency of a route that runs an analysis or a suggestion in an analysis thread and
answers with its result as the caller's role may see it (:mod:`api.present`): the request,
its session, the checked network scope and the app's settings, gathered once instead of in
every handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from api import present
from api.deps import Scope, SessionDep, SettingsDep, scope
from netwerk.config import Settings
from netwerk.model import Role
from netwerk.store.session import Session

__all__ = ["Presenter", "presenter"]


@dataclass(frozen=True)
class Presenter:
    """One request's way to run a domain function and present its result."""

    request: Request
    session: Session
    scope: Scope
    settings: Settings

    @property
    def timeout(self) -> float:
        return self.settings.analysis_timeout_s

    def compute(self, fn: Callable[..., Any], **params: Any) -> tuple[Any, str]:
        """:func:`api.present.compute` within the app's time limit."""
        return present.compute(self.request, self.session, self.scope, self.timeout, fn, **params)

    def respond(self, fn: Callable[..., Any], **params: Any) -> JSONResponse:
        """:func:`api.present.respond` within the app's time limit."""
        return present.respond(self.request, self.session, self.scope, self.timeout, fn, **params)


def presenter(*roles: Role) -> Any:
    """``Annotated[Presenter, presenter(...)]``: the network in the path, for ``roles``."""

    def dependency(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        s: Scope = scope(*roles),
    ) -> Presenter:
        return Presenter(request, session, s, settings)

    return Depends(dependency)
