"""A long analysis answered later: ``202 Accepted`` with a status URL (issue 12, item 6).

A ``GET`` route under a network that runs its computation through :func:`api.present.compute`
(or :func:`api.present.run`) and documents a ``202`` response (:data:`ACCEPTED`) is
*resumable*: when the computation does not finish
within the request's wait (``NETWERK_ANALYSIS_TIMEOUT_S``), the route answers ``202`` with
``Location`` and ``Retry-After`` and the body ``{"status": "running", "href", "retry_after",
"started"}``; the computation goes on in the app's analysis threads.

The status URL, ``GET /api/v1/networks/{nid}/jobs/{job}`` (:mod:`api.routers.jobs`), *replays*
the original route: the job id names that route (its operation id), its path parameters and
the query parameters it declares as the caller sent them, the time it was accepted and a
digest of the network — nothing else, so it carries no name, note or body, only what the
original URL carried (undeclared query parameters are left out). It is not a secret and not
a record on the server: any worker process can answer it, and a crafted one is only the
original URL in another form, run through the same route with its own validation, token,
network and role checks, so it is answered exactly as that route answers the caller — the
result, ``202`` again while running (with a shorter wait, :data:`POLL_WAIT_S`), or the
problem the computation ends in.

Within one process a status request joins the computation of its job that is still running
(one computation per route, network, revision, role view and parameters, :class:`Flights`)
instead of starting another, and takes its result when it has ended (kept for the first
status request, :data:`KEEP_S`); the analysis caches (:mod:`netwerk.cache`) and, for global
analyses, the shared store of :mod:`netwerk.shared_results` hold it as well. A status
request that lands on a worker that has neither the result nor a running computation
starts the computation there (global analyses: with Redis, the shared lease makes it wait
for the worker computing it instead of repeating the work; without Redis each worker that
is asked computes it once, and answers from its cache after that).

A ``POST`` route is never resumable: replaying it would need its body in the job id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from api.routetable import api_routes
from netwerk.errors import NotFound
from netwerk.safetext import first_flaw

__all__ = [
    "ACCEPTED",
    "JOB_SCOPE_KEY",
    "POLL_WAIT_S",
    "STATUS_OPERATION",
    "Accepted",
    "Flights",
    "Job",
    "accepted_response",
    "find_route",
    "is_resumable",
    "job_for",
    "network_digest",
    "retry_after",
]

POLL_WAIT_S = 1.0
"""How long a status request waits for the result before answering ``202`` again (or the
request's wait, when that is shorter)."""

KEEP_S = 120.0
"""A finished computation's result waits this long for its status request
(:class:`Flights`)."""

JOB_TTL_S = 86_400
"""A job id is refused (404) this many seconds after it was accepted."""

STATUS_OPERATION = "jobStatus"
"""The operation id of the status route (never resumable itself)."""

JOB_SCOPE_KEY = "netwerk.job"
"""The ASGI scope key of a replayed route: the :class:`Job` it replays."""

_VERSION = 1


def network_digest(network_id: str) -> str:
    return hashlib.sha256(network_id.encode()).hexdigest()[:12]


class Job:
    """One accepted computation: the route (operation id), its path parameters but the
    network, its declared query parameters as sent, the network's digest and the time it was
    accepted (unix seconds)."""

    __slots__ = ("network", "operation", "path", "query", "started")

    def __init__(
        self,
        operation: str,
        path: dict[str, str],
        query: list[tuple[str, str]],
        network: str,
        started: float,
    ) -> None:
        self.operation = operation
        self.path = path
        self.query = query
        self.network = network
        self.started = started

    def encode(self) -> str:
        raw = json.dumps(
            [
                _VERSION,
                self.operation,
                self.path,
                self.query,
                self.network,
                int(self.started),
            ],
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, text: str, network_id: str, now: float | None = None) -> Job:
        """The job of id ``text`` under network ``network_id``.

        Raises
        ------
        NotFound
            When ``text`` is not a job id of this network, or is older than
            :data:`JOB_TTL_S` (or dated in the future).
        """
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw.decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise NotFound("job") from None
        if not (
            isinstance(data, list)
            and len(data) == 6
            and data[0] == _VERSION
            and isinstance(data[1], str)
            and isinstance(data[2], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in data[2].items())
            and isinstance(data[3], list)
            and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in data[3]
            )
            and isinstance(data[4], str)
            and isinstance(data[5], int)
            and not isinstance(data[5], bool)
        ):
            raise NotFound("job")
        if data[4] != network_digest(network_id):
            raise NotFound("job")
        now = time.time() if now is None else now
        if not now - JOB_TTL_S <= data[5] <= now + 60:
            raise NotFound("job")
        query = [(str(k), str(v)) for k, v in data[3]]
        texts = [data[1], *data[2], *data[2].values(), *(x for pair in query for x in pair)]
        if any(first_flaw(t, multiline=False) is not None for t in texts):
            raise NotFound("job")  # what the input guard refuses in a URL (a NUL, ...)
        return cls(data[1], dict(data[2]), query, data[4], float(data[5]))

    def href(self, network_id: str) -> str:
        return f"/api/v1/networks/{network_id}/jobs/{self.encode()}"


# --------------------------------------------------------------------------- routes


def is_resumable(route: Any) -> bool:
    """True for a ``GET`` API route that documents the ``202`` of :data:`ACCEPTED` and has the
    network in its path."""
    return (
        isinstance(route, APIRoute)
        and route.methods == {"GET"}
        and 202 in route.responses
        and route.path.startswith("/api/v1/networks/{nid}/")
        and route.operation_id not in (None, STATUS_OPERATION)
    )


def find_route(app: ASGIApp, operation: str) -> APIRoute:
    """The resumable route of operation id ``operation`` (NotFound otherwise)."""
    for route in api_routes(app):
        if route.operation_id == operation and is_resumable(route):
            return route
    raise NotFound("job")


def _query_names(dependant: Any) -> set[str]:
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def job_for(request: Request, network_id: str, started: float) -> Job | None:
    """The job of this request: the one it replays, or a new one of its route, accepted at
    ``started`` (None when the route is not resumable)."""
    replayed = request.scope.get(JOB_SCOPE_KEY)
    if isinstance(replayed, Job):
        return replayed
    route = request.scope.get("route")
    if not is_resumable(route):
        return None
    assert isinstance(route, APIRoute) and route.operation_id is not None
    declared = _query_names(route.dependant)
    path = {k: str(v) for k, v in request.path_params.items() if k != "nid"}
    query = [(k, v) for k, v in request.query_params.multi_items() if k in declared]
    return Job(route.operation_id, path, query, network_digest(network_id), started)


def retry_after(job: Job, now: float | None = None) -> int:
    """Seconds to wait before asking again: a quarter of the time the job has run, from 1 to
    15."""
    elapsed = (time.time() if now is None else now) - job.started
    return max(1, min(15, math.ceil(elapsed / 4)))


# --------------------------------------------------------------------------- 202


class Accepted(Exception):
    """The computation goes on; answered ``202`` by :func:`accepted_response`."""

    def __init__(self, job: Job, network_id: str) -> None:
        super().__init__("accepted")
        self.job = job
        self.network_id = network_id


def accepted_response(request: Request, exc: Exception) -> JSONResponse:
    """``202 Accepted`` with ``Location`` (the status URL) and ``Retry-After``."""
    assert isinstance(exc, Accepted)
    href = exc.job.href(exc.network_id)
    wait = retry_after(exc.job)
    started = dt.datetime.fromtimestamp(exc.job.started, dt.UTC).isoformat(timespec="seconds")
    return JSONResponse(
        {"status": "running", "href": href, "retry_after": wait, "started": started},
        status_code=202,
        headers={"Location": href, "Retry-After": str(wait), "Cache-Control": "no-store"},
    )


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "The computation takes longer than the request waits "
        "(NETWERK_ANALYSIS_TIMEOUT_S): it goes on, and the status URL in Location answers "
        "202 while it runs and then the result, as this route answers it",
        "headers": {
            "Location": {"description": "the status URL", "schema": {"type": "string"}},
            "Retry-After": {
                "description": "seconds to wait before asking the status URL",
                "schema": {"type": "integer", "minimum": 1},
            },
        },
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "title": "Running",
                    "required": ["status", "href", "retry_after", "started"],
                    "properties": {
                        "status": {"type": "string", "enum": ["running"]},
                        "href": {"type": "string", "description": "the status URL"},
                        "retry_after": {"type": "integer", "minimum": 1},
                        "started": {"type": "string", "format": "date-time"},
                    },
                }
            }
        },
    }
}
"""The documented ``202`` of a resumable route (what makes it resumable: :func:`is_resumable`)."""


# --------------------------------------------------------------------------- flights


class Flights:
    """The computations of resumable routes in this process, by key (route, parameters,
    network, revision, role view), so that a status request joins the one of its job instead
    of starting another.

    A computation that outlived its request's wait (:meth:`abandon`) keeps its result when it
    ends, for the first status request of its key to take (at most :data:`KEEP_S` seconds):
    so a status request never depends on the caches still holding the result, nor on a
    second computation fitting in its short wait. A failed one is not kept (the status
    request computes again and answers the same problem). The key holds the revision, so a
    kept result is never served after a write (an erasure is one); it is dropped unread at
    the latest :data:`KEEP_S` seconds later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[Any]] = {}
        self._abandoned: set[Future[Any]] = set()
        self._finished: dict[Hashable, tuple[Future[Any], float]] = {}

    def submit(
        self,
        pool: ThreadPoolExecutor,
        key: Hashable,
        fn: Callable[[], Any],
        *,
        join: bool,
    ) -> Future[Any]:
        """``fn`` in ``pool``; with ``join``, the running or kept computation of ``key`` when
        there is one (a kept one is handed out once). A new computation becomes the one of
        ``key`` unless one is running already."""
        with self._lock:
            self._sweep()
            running = self._running.get(key)
            if join:
                if running is not None:
                    return running
                kept = self._finished.pop(key, None)
                if kept is not None:
                    return kept[0]
            future = pool.submit(fn)
            if running is None:
                self._running[key] = future
        future.add_done_callback(lambda f: self._done(key, f))
        return future

    def abandon(self, key: Hashable, future: Future[Any]) -> None:
        """Nobody waits for ``future`` now: keep its result for the status request."""
        with self._lock:
            if not future.done():
                self._abandoned.add(future)
                return
        self._done(key, future, abandoned=True)

    def _done(self, key: Hashable, future: Future[Any], abandoned: bool = False) -> None:
        with self._lock:
            if self._running.get(key) is future:
                del self._running[key]
            if future in self._abandoned:
                self._abandoned.discard(future)
                abandoned = True
            if abandoned and not future.cancelled() and future.exception() is None:
                self._finished[key] = (future, time.monotonic())

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, at) in self._finished.items() if now - at > KEEP_S]:
            del self._finished[key]

    def __len__(self) -> int:
        """How many computations run."""
        with self._lock:
            return len(self._running)

    def kept(self) -> int:
        """How many finished results wait for their status request."""
        with self._lock:
            self._sweep()
            return len(self._finished)
