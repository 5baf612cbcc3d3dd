"""The audit log of the API (DESIGN.md 6): audited or not served.

* A write records its audit row **in its own transaction**: a ``before_commit`` hook on the
  app's sessions adds the row when the route commits, so a write is never committed without
  its row and a row never names a write that did not happen.
* A read that commits anyway (the suggestion routes store what they show) may record its row
  the same way, in that commit (:func:`in_commit`): one commit per request, not two.
* Every other authenticated ``/api/v1`` request (reads, exports, refused writes) gets its row
  **before the response leaves**: :class:`Audit` holds back the response start, writes the
  row, and only then lets the response go. A busy database is retried within a bounded wait
  (``NETWERK_DB_BUSY_TIMEOUT_S``). If the row cannot be written, a request that read
  person-level data (it named objects), exported, or wrote is answered ``503`` with
  ``Retry-After`` instead; a request without person-level data (a network list, a viewer's
  aggregates) is served, and the failure is logged and counted.

The row holds token, role, network, route template, status, request id and the object ids
the route named (``api.deps.audit_objects``) plus the ids in the path. Never the data itself.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.overload import send_problem
from netwerk import metrics
from netwerk.audit import record
from netwerk.store.db import bounded_session, is_busy, on_session_event
from netwerk.store.session import (
    DatabaseError,
    DBAPIError,
    Engine,
    PoolTimeout,
    Session,
    SessionFactory,
)

__all__ = ["Audit", "AuditRow", "in_commit", "install_commit_hook", "write_with_retry"]

log = logging.getLogger("netwerk.audit")

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
AuditRow = dict[str, Any]


def _row(scope: Scope, state: dict[str, Any], principal: Any, status: int) -> AuditRow:
    method = scope.get("method", "GET")
    route = getattr(scope.get("route"), "path", None) or "(unmatched)"
    params = scope.get("path_params") or {}
    action = (
        "export" if route.endswith("/export") else "write" if method in WRITE_METHODS else "read"
    )
    objects = [str(v) for k, v in params.items() if k != "nid"]
    objects += state.get("audit_objects", [])
    return {
        "token_id": principal.token_id,
        "role": principal.role.value,
        "network_id": params.get("nid"),
        "action": action,
        "method": method,
        "route": route,
        "status": status,
        "object_ids": objects,
        "request_id": state.get("request_id"),
    }


def _required(row: AuditRow) -> bool:
    """Person-level data, an export or a completed write: no row, no answer."""
    return bool(
        row["object_ids"]
        or row["action"] == "export"
        or (row["action"] == "write" and row["status"] < 400)
    )


IN_COMMIT = "audit_in_commit"
"""Request state: a read that commits anyway (the suggestions it showed) records its audit row
in that commit, as a write does (:func:`in_commit`)."""


def in_commit(state: Any) -> None:
    """Record this read's audit row in its next commit (the route's own, which then must
    come after everything that names objects: :func:`api.deps.audit_objects`) instead of in
    a transaction of its own before the response: one commit per request instead of two.
    The row is as durable and as complete; if that commit fails, the row is written by
    :class:`Audit` as for any request."""
    state.audit_in_commit = True


def install_commit_hook(factory: SessionFactory) -> None:
    """Record a request's audit row in the transaction of its first commit (a write, or a read
    marked with :func:`in_commit`)."""

    def _audit_in_transaction(session: Session) -> None:
        request = session.info.get("request")
        if request is None:
            return
        scope = request.scope
        state = scope.setdefault("state", {})
        principal = state.get("principal")
        if (
            principal is None
            or (scope.get("method") not in WRITE_METHODS and not state.get(IN_COMMIT))
            or state.get("audit_skip")
            or state.get("audit_done")
        ):
            return
        status = getattr(scope.get("route"), "status_code", None) or 200
        record(session, **_row(scope, state, principal, status))
        session.info["audit_recorded"] = True

    def _audit_committed(session: Session) -> None:
        # only a commit that went through counts: a failed one (a 409) is recorded afterwards
        if session.info.pop("audit_recorded", False):
            session.info["request"].scope.setdefault("state", {})["audit_done"] = True

    def _audit_rolled_back(session: Session) -> None:
        session.info.pop("audit_recorded", None)

    on_session_event(factory, "before_commit", _audit_in_transaction)
    on_session_event(factory, "after_commit", _audit_committed)
    on_session_event(factory, "after_rollback", _audit_rolled_back)


def write_with_retry(
    engine: Engine, row: AuditRow, *, budget_s: float, busy_timeout_s: float
) -> bool:
    """Write one audit row in its own transaction, retrying while the database is busy, for at
    most ``budget_s`` of waiting on locks (plus the pool's wait for a connection). True when
    the row is committed."""
    deadline = time.monotonic() + budget_s
    delay = 0.01
    while True:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        try:
            with bounded_session(engine, remaining_ms, busy_timeout_s) as session:
                record(session, **row)
                session.commit()
            return True
        except DBAPIError as exc:
            if not is_busy(exc) or time.monotonic() + delay >= deadline:
                log.error(
                    "audit write failed for %s %s: %s",
                    row["method"],
                    row["route"],
                    type(getattr(exc, "orig", exc)).__name__,
                )
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        except (PoolTimeout, DatabaseError) as exc:
            log.error(
                "audit write failed for %s %s: %s", row["method"], row["route"], type(exc).__name__
            )
            return False


class Audit:
    """Writes the audit row of every authenticated ``/api/v1`` request that its commit did not
    already record, before the response leaves (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        engine = scope["app"].state.engine
        budget = settings.db_busy_timeout_s
        started = False
        refused = False

        def pending() -> tuple[dict[str, Any], Any] | None:
            state = scope.setdefault("state", {})
            principal = state.get("principal")
            if principal is None or state.get("audit_skip") or state.get("audit_done"):
                return None
            return state, principal

        async def write(status: int) -> bool:
            found = pending()
            if found is None:
                return True
            state, principal = found
            row = _row(scope, state, principal, status)
            state["audit_done"] = True
            ok = await anyio.to_thread.run_sync(
                lambda: write_with_retry(
                    engine, row, budget_s=budget, busy_timeout_s=settings.db_busy_timeout_s
                )
            )
            if ok:
                return True
            if _required(row):
                metrics.audit_failures.labels("refused").inc()
                return False
            metrics.audit_failures.labels("logged").inc()
            return True

        async def audited_send(message: Message) -> None:
            nonlocal started, refused
            if message["type"] == "http.response.start":
                started = True
                if not await write(int(message["status"])):
                    refused = True
                    await send_problem(
                        send,
                        scope,
                        503,
                        "audit-unavailable",
                        "ops.problem.audit",
                        max(1, math.ceil(budget)),
                    )
                    return
            elif refused:
                return  # the refused response's body goes nowhere
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        finally:
            if not started:  # an unhandled error: the server answers 500; record it anyway
                with anyio.CancelScope(shield=True):
                    await write(500)
