"""The status URL of a long analysis (issue 12, item 6; :mod:`api.jobs`).

``GET /api/v1/networks/{nid}/jobs/{job}`` replays the route the job names, with its
parameters, through that route itself: its dependencies check the token, the network and the
role exactly as they do for the original URL, and it answers the result for the caller's
role, ``202`` again while the computation runs, or the problem the computation ends in. A job
id that is not one of this network, is older than a day or names no resumable route is a
``404`` problem.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from api import jobs
from api.deps import Scope as NetworkScope
from api.deps import scope
from api.errors import PROBLEM_RESPONSES
from netwerk.errors import NotFound
from netwerk.model import Role

router = APIRouter(prefix="/api/v1/networks/{nid}", tags=["analysis"], responses=PROBLEM_RESPONSES)

Reader = Annotated[NetworkScope, scope(Role.admin, Role.broker, Role.viewer)]
JobId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=2048,
        description="the job id of the status URL a route answered with 202",
    ),
]


class Replay(Response):
    """The response of ``route`` to the request ``scope`` (sent by the route itself)."""

    def __init__(self, route: APIRoute, scope: Scope) -> None:
        super().__init__(status_code=200)
        self.route = route
        self.replayed = scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(self.replayed, receive, send)


def _replay_scope(request: Request, route: APIRoute, job: jobs.Job, network_id: str) -> Scope:
    try:
        path = route.path_format.format(
            nid=quote(network_id, safe=""), **{k: quote(v, safe="") for k, v in job.path.items()}
        )
    except (KeyError, IndexError):
        raise NotFound("job") from None
    path = request.scope.get("root_path", "") + path
    replayed = dict(request.scope)
    replayed.update(
        path=path,
        raw_path=path.encode(),
        query_string=urlencode(job.query).encode(),
        method="GET",
        path_params={},
    )
    replayed[jobs.JOB_SCOPE_KEY] = job
    match, child = route.matches(replayed)
    if match is not Match.FULL:
        raise NotFound("job")
    replayed.update(child)
    return replayed


@router.get(
    "/jobs/{job}",
    response_class=JSONResponse,
    operation_id=jobs.STATUS_OPERATION,
    summary="The status of a long computation, then its result",
    responses={
        200: {
            "description": "the result, exactly as the route that answered 202 answers it "
            "(its schema and headers are that route's)",
            "content": {"application/json": {"schema": {}}},
        },
        **jobs.ACCEPTED,
    },
)
def status(request: Request, s: Reader, job: JobId) -> Response:
    """Ask a route that answered ``202 Accepted`` for its result: ``202`` (with
    ``Retry-After``) while the computation runs, then the result as that route answers the
    caller (the same token, network and role checks, so a token that may not call the route
    may not read its result), or the problem it ended in."""
    found = jobs.Job.decode(job, s.network_id)
    route = jobs.find_route(request.app, found.operation)
    replayed = _replay_scope(request, route, found, s.network_id)
    # the audit row names the replayed route's objects (an actor in its path), not the job id
    params: dict[str, Any] = dict(replayed.get("path_params") or {})
    request.scope["path_params"] = params
    return Replay(route, replayed)
