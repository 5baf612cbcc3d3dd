"""A long analysis answers ``202 Accepted`` with a status URL, which answers ``202`` while the
computation runs and then the result exactly as the route answers it (issue 12, item 6):
for every resumable route and role, across the role and network boundaries, for bad job ids,
for a computation that fails, and across two server processes on one database.

The computations are held back by a gate on the snapshot load (every uncached analysis loads
its snapshot first) in an app that waits a millisecond, so the 202 does not depend on the
machine's speed."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api import jobs
from api.app import api_routes, create_app
from netwerk import cache
from netwerk.config import Settings
from netwerk.errors import ValidationFailed
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.tokens import create_token
from tests.conftest import auth, live_server
from tests.test_api_analysis import hood  # noqa: F401  (the fixture)


class Gate:
    """Holds every snapshot load until opened."""

    def __init__(self) -> None:
        self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    g = Gate()
    real = cache.get_snapshot

    def held(*args: Any, **kwargs: Any) -> Any:
        assert g.opened.wait(20), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "get_snapshot", held)
    yield g
    g.open()  # never leave an analysis thread waiting


@pytest.fixture
def slow(engine: sa.Engine, settings: Settings) -> Iterator[TestClient]:
    """An app that waits a millisecond for an analysis."""
    impatient = settings.model_copy(update={"analysis_timeout_s": 0.001})
    with TestClient(create_app(impatient, engine=engine), raise_server_exceptions=False) as c:
        yield c


def _poll(client: TestClient, href: str, headers: dict[str, str]) -> httpx.Response:
    """The status URL until it answers something else than 202 (at most 20 s)."""
    deadline = time.monotonic() + 20
    while True:
        r = client.get(href, headers=headers)
        if r.status_code != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.02)


def _without_ids(data: Any) -> Any:
    """``data`` without the impression ids a suggestion route stores anew on every call."""
    if isinstance(data, dict):
        return {k: _without_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [_without_ids(v) for v in data]
    return data


CASES: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = [
    # (route id, path under the network, query, roles)
    ("summary", "/analysis/summary", {}, ("admin", "viewer")),
    ("stage", "/analysis/stage", {"seed": 3}, ("viewer",)),
    ("centrality", "/analysis/centrality", {"measure": "degree", "top": 5}, ("broker", "viewer")),
    ("key-figures", "/analysis/key-figures", {"top": 10}, ("broker", "viewer")),
    ("brokers", "/analysis/brokers", {"grouping": "area"}, ("broker",)),
    ("bridges", "/analysis/bridges", {}, ("viewer",)),
    ("communities", "/analysis/communities", {"members": "true"}, ("broker", "viewer")),
    ("gaps", "/analysis/gaps", {"reach": 3}, ("broker", "viewer")),
    ("what-if", "/analysis/what-if", {"remove": "{key}"}, ("broker",)),
    ("what-if-org", "/analysis/what-if", {"remove": "{org}"}, ("viewer",)),
    ("compare", "/analysis/compare", {"from": "2020-01-01"}, ("broker", "viewer")),
    ("suggestions", "/actors/{alone}/suggestions", {"limit": 5}, ("broker",)),
    ("weave", "/suggestions/weave", {"limit": 3}, ("broker",)),
    ("stats", "/suggestions/stats", {}, ("broker",)),  # reads no snapshot: gated below
    ("dashboard", "/dashboard", {}, ("broker", "viewer")),
    ("ego", "/actors/{key}/ego", {"steps": 2}, ("broker",)),
    ("map", "/map", {"measure": "degree"}, ("broker",)),
]


def _fill(text: str, world: dict) -> str:
    return text.format(**{k: v for k, v in world.items() if isinstance(v, str)})


@pytest.mark.parametrize(
    ("path", "query", "role"),
    [
        pytest.param(path, query, role, id=f"{name}-{role}")
        for name, path, query, roles in CASES
        for role in roles
    ],
)
def test_a_long_computation_is_accepted_then_served_as_the_route_serves_it(
    client: TestClient,
    slow: TestClient,
    gate: Gate,
    hood: dict,  # noqa: F811
    path: str,
    query: dict[str, Any],
    role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if path == "/suggestions/stats":
        from netwerk.suggest import service

        real = service.stats

        def held(*args: Any, **kwargs: Any) -> Any:
            assert gate.opened.wait(20)
            return real(*args, **kwargs)

        monkeypatch.setattr(service, "stats", held)
    url = f"/api/v1/networks/{hood['nid']}{_fill(path, hood)}"
    params = {k: _fill(str(v), hood) for k, v in query.items()}
    who = hood[role] if role != "admin" else hood["broker"]
    first = slow.get(url, params=params, headers=who)
    assert first.status_code == 202, first.text
    body = first.json()
    href = first.headers["location"]
    assert body["status"] == "running" and body["href"] == href
    assert href.startswith(f"/api/v1/networks/{hood['nid']}/jobs/")
    assert int(first.headers["retry-after"]) == body["retry_after"] >= 1
    assert abs(dt.datetime.fromisoformat(body["started"]).timestamp() - time.time()) < 60

    again = slow.get(href, headers=who)  # still held back
    assert again.status_code == 202 and again.headers["location"] == href
    assert again.json()["started"] == body["started"]

    gate.open()
    done = _poll(slow, href, who)
    assert done.status_code == 200, done.text
    fast = client.get(url, params=params, headers=who)
    assert fast.status_code == 200
    assert _without_ids(done.json()) == _without_ids(fast.json())
    for header in ("x-netwerk-revision", "x-netwerk-stale"):
        assert done.headers.get(header) == fast.headers.get(header)


def _accepted(slow: TestClient, world: dict, path: str, who: str, **params: Any) -> str:
    r = slow.get(f"/api/v1/networks/{world['nid']}{path}", params=params, headers=world[who])
    assert r.status_code == 202, r.text
    return str(r.headers["location"])


def test_the_status_url_checks_token_network_and_role_as_the_route_does(
    client: TestClient,
    slow: TestClient,
    gate: Gate,
    hood: dict,  # noqa: F811
    admin: dict,
    make_token: Callable[..., str],
) -> None:
    nid = hood["nid"]
    suggestions = _accepted(slow, hood, f"/actors/{hood['alone']}/suggestions", "broker")
    what_if = _accepted(slow, hood, "/analysis/what-if", "broker", remove=hood["key"])
    members = _accepted(slow, hood, "/analysis/communities", "broker", members="true")
    summary = _accepted(slow, hood, "/analysis/summary", "viewer")

    other = client.post("/api/v1/networks", json={"name": "Elders"}, headers=admin).json()["id"]
    outsider = auth(make_token("broker", [other]))
    job = summary.rsplit("/", 1)[1]

    def problem(r: httpx.Response, status: int) -> None:
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"

    # a viewer may not read a broker's person-level job: the routes' own refusals
    problem(slow.get(suggestions, headers=hood["viewer"]), 403)
    problem(slow.get(what_if, headers=hood["viewer"]), 404)  # a person: not for viewers
    problem(slow.get(summary, headers=hood["researcher"]), 403)
    problem(slow.get(summary), 401)
    # a token of another network: not under this network, and not under its own
    problem(slow.get(summary, headers=outsider), 404)
    problem(slow.get(f"/api/v1/networks/{other}/jobs/{job}", headers=outsider), 404)
    problem(slow.get(f"/api/v1/networks/{other}/jobs/{job}", headers=admin), 404)

    gate.open()
    # the viewer asking the broker's communities-with-members job gets the viewer's answer
    seen = _poll(slow, members, hood["viewer"])
    assert seen.status_code == 200
    direct = client.get(
        f"/api/v1/networks/{nid}/analysis/communities",
        params={"members": "true"},
        headers=hood["viewer"],
    )
    assert seen.json() == direct.json()
    assert "Oost 1" not in seen.text and "West 1" not in seen.text
    brokers_view = _poll(slow, members, hood["broker"])
    assert brokers_view.status_code == 200 and "Oost 1" in brokers_view.text
    # once done, the refusals stand
    problem(slow.get(suggestions, headers=hood["viewer"]), 403)
    problem(slow.get(what_if, headers=hood["viewer"]), 404)


def test_a_job_id_carries_only_what_the_url_carried(
    slow: TestClient,
    gate: Gate,
    hood: dict,  # noqa: F811
) -> None:
    href = _accepted(
        slow, hood, "/analysis/what-if", "broker", remove=hood["key"], note="Jan Jansen"
    )
    job = href.rsplit("/", 1)[1]
    raw = base64.urlsafe_b64decode(job + "=" * (-len(job) % 4)).decode()
    assert "Jan" not in raw and "note" not in raw
    assert hood["nid"] not in raw  # a digest of the network, not its id
    version, operation, path, query, _digest, started = json.loads(raw)
    assert (version, operation, path) == (1, "analysisWhatIf", {})
    assert query == [["remove", hood["key"]]]
    assert abs(started - time.time()) < 60


def _job(operation: str, nid: str, **kw: Any) -> str:
    fields: dict[str, Any] = {"path": {}, "query": [], "started": time.time(), **kw}
    return jobs.Job(
        operation,
        fields["path"],
        fields["query"],
        jobs.network_digest(fields.get("network", nid)),
        fields["started"],
    ).encode()


def test_bad_job_ids_are_404_problems(
    client: TestClient,
    hood: dict,  # noqa: F811
    admin: dict,
) -> None:
    nid = hood["nid"]

    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    bad = [
        "x",
        "%21%21",
        b64("[]"),
        b64("not json"),
        b64('[2,"analysisSummary",{},[],"abc",1]'),
        b64('[1,"analysisSummary",{},[["a"]],"abc",1]'),
        _job("noSuchOperation", nid),
        _job("listActors", nid),  # a route, but not a resumable one
        _job("activationPlan", nid),  # a POST
        _job(jobs.STATUS_OPERATION, nid),  # the status route itself
        _job("actorSuggestions", nid),  # its path parameter missing
        _job("analysisSummary", nid, network="another"),
        _job("analysisSummary", nid, started=time.time() - jobs.JOB_TTL_S - 5),
        _job("analysisSummary", nid, started=time.time() + 3600),
        # what the input guard refuses in a URL never reaches a route through a job id
        _job("analysisWhatIf", nid, query=[["remove", "a\x00b"]]),
        _job("actorSuggestions", nid, path={"aid": "a\x07b"}),
    ]
    for job in bad:
        r = client.get(f"/api/v1/networks/{nid}/jobs/{job}", headers=admin)
        assert r.status_code == 404, (job, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 404
        assert r.json()["detail"] == "berekening niet gevonden"
    long = client.get(f"/api/v1/networks/{nid}/jobs/{'a' * 3000}", headers=admin)
    assert long.status_code == 422
    fine = client.get(f"/api/v1/networks/{nid}/jobs/{_job('analysisSummary', nid)}", headers=admin)
    assert fine.status_code == 200 and "density" in fine.json()


def test_polls_join_the_running_computation_and_a_failure_is_its_problem(
    slow: TestClient,
    gate: Gate,
    hood: dict,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from netwerk.analysis import service

    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        assert gate.opened.wait(20)
        raise ValidationFailed("grouping", "must be at least 10")

    monkeypatch.setattr(service, "brokers", failing)
    href = _accepted(slow, hood, "/analysis/brokers", "broker", seed=7)
    for _ in range(3):
        assert slow.get(href, headers=hood["broker"]).status_code == 202
    assert len(calls) == 1  # the polls joined the running computation
    assert len(slow.app.state.flights) == 1  # type: ignore[attr-defined]
    gate.open()
    r = _poll(slow, href, hood["broker"])
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "grouping"


@pytest.mark.slow
def test_a_status_request_on_another_worker_process_is_answered(
    backend: str, empty_db_url: Callable[[str], str]
) -> None:
    """Two server processes on one database, each with its own memory: the job accepted by
    one is served by the other (which computes it itself: no Redis here)."""
    url = empty_db_url(backend)
    eng = make_engine(url)
    upgrade(eng)
    with transaction(make_sessionmaker(eng)) as session:
        secret = create_token(session, role="admin", name="jobs", networks=[]).secret
    eng.dispose()
    headers = auth(secret)
    env = {"NETWERK_DATABASE_URL": url, "NETWERK_ANALYSIS_TIMEOUT_S": "0.000001"}
    with live_server(env) as one, live_server(env) as two:
        nid = httpx.post(
            f"{one}/api/v1/networks", json={"name": "Twee werkers"}, headers=headers
        ).json()["id"]
        ids = [
            httpx.post(
                f"{one}/api/v1/networks/{nid}/actors",
                json={"kind": "resident", "name": f"R{i}"},
                headers=headers,
            ).json()["id"]
            for i in range(6)
        ]
        for a, b in itertools.pairwise(ids):
            httpx.post(
                f"{one}/api/v1/networks/{nid}/ties",
                json={"source": a, "target": b, "kind": "knows"},
                headers=headers,
            )
        started = time.time()
        first = httpx.get(
            f"{one}/api/v1/networks/{nid}/analysis/key-figures", params={"seed": 5}, headers=headers
        )
        # A separate process cannot be held by the gate: on a busy machine its analysis
        # thread may finish within the microsecond it waits. The job id is stateless (the
        # route, its query and the time), so the one it would have handed out is built here.
        assert first.status_code in (200, 202), first.text
        if first.status_code == 202:
            href = first.headers["location"]
        else:
            job = jobs.Job(
                "analysisKeyFigures", {}, [("seed", "5")], jobs.network_digest(nid), started
            )
            href = job.href(nid)
        deadline = time.monotonic() + 30
        while (r := httpx.get(f"{two}{href}", headers=headers)).status_code == 202:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 30
        while (mine := httpx.get(f"{one}{href}", headers=headers)).status_code == 202:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert mine.status_code == 200
        assert r.json() == mine.json()
        assert {f["actor_id"] for f in r.json()["recognised"] + r.json()["unrecognised"]} <= set(
            ids
        )


def test_after_a_write_the_status_url_never_answers_the_old_result_as_current(
    client: TestClient,
    slow: TestClient,
    gate: Gate,
    hood: dict,  # noqa: F811
    admin: dict,
) -> None:
    href = _accepted(slow, hood, "/analysis/summary", "broker")
    gate.open()
    deadline = time.monotonic() + 20
    flights = slow.app.state.flights  # type: ignore[attr-defined]
    while len(flights) or not flights.kept():  # finished, its result kept for the poll
        assert time.monotonic() < deadline
        time.sleep(0.02)
    before = client.get(f"/api/v1/networks/{hood['nid']}", headers=admin).json()["revision"]
    r = client.post(
        f"/api/v1/networks/{hood['nid']}/ties",
        json={"source": hood["alone"], "target": hood["cafe"], "kind": "participates_in"},
        headers=admin,
    )
    assert r.status_code == 201
    done = _poll(slow, href, hood["broker"])
    assert done.status_code == 200
    now = int(done.headers["x-netwerk-current-revision"])
    assert now > before
    provenance = done.json()["provenance"]
    if provenance["revision"] < now:  # the last result, marked as such
        assert done.headers["x-netwerk-stale"] == "true" and provenance["stale"] is True


RESUMABLE = {
    "analysisSummary",
    "analysisStage",
    "analysisCentrality",
    "analysisKeyFigures",
    "analysisBrokers",
    "analysisBridges",
    "analysisCommunities",
    "analysisGaps",
    "analysisWhatIf",
    "analysisCompare",
    "actorSuggestions",
    "weave",
    "suggestionStats",
    "dashboardFigures",
    "actorEgoNetwork",
    "networkMap",
}


def test_the_openapi_schema_documents_the_202_and_the_status_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    accepted = {
        op["operationId"]: op
        for path, ops in spec["paths"].items()
        for op in ops.values()
        if "202" in op.get("responses", {})
    }
    assert set(accepted) == RESUMABLE | {jobs.STATUS_OPERATION}
    for op in accepted.values():
        response = op["responses"]["202"]
        assert {"Location", "Retry-After"} <= set(response["headers"])
        schema = response["content"]["application/json"]["schema"]
        assert schema["required"] == ["status", "href", "retry_after", "started"]
    status = spec["paths"]["/api/v1/networks/{nid}/jobs/{job}"]["get"]
    assert status["operationId"] == jobs.STATUS_OPERATION
    assert {"200", "202", "401", "403", "404", "422"} <= set(status["responses"])
    # every route that may answer 202 is one the status route can replay, and only those
    routes = {r.operation_id: r for r in api_routes(client.app)}
    assert {o for o, r in routes.items() if jobs.is_resumable(r)} == RESUMABLE


def test_flights_keep_an_abandoned_result_once_and_never_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    flights = jobs.Flights()
    go = threading.Event()
    with ThreadPoolExecutor(2) as pool:

        def held(value: int) -> Callable[[], int]:
            def run() -> int:
                assert go.wait(10)
                if value < 0:
                    raise ValueError("failed")
                return value

            return run

        first = flights.submit(pool, "a", held(1), join=False)
        assert flights.submit(pool, "a", held(2), join=True) is first  # joined while running
        flights.abandon("a", first)
        failing = flights.submit(pool, "b", held(-1), join=False)
        flights.abandon("b", failing)
        go.set()
        assert first.result(10) == 1
        with pytest.raises(ValueError):
            failing.result(10)
        deadline = time.monotonic() + 10
        while len(flights) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(flights) == 0 and flights.kept() == 1  # the result of "a" only
        assert flights.submit(pool, "a", held(3), join=True) is first  # handed out once
        assert flights.kept() == 0
        again = flights.submit(pool, "a", held(4), join=True)  # a new computation
        assert again is not first and again.result(10) == 4
        # a result nobody asks for is dropped after KEEP_S
        flights.abandon("c", again)
        assert flights.kept() == 1
        monkeypatch.setattr(jobs, "KEEP_S", -1.0)
        assert flights.kept() == 0


def test_retry_after_grows_with_the_time_the_job_has_run() -> None:
    job = jobs.Job("analysisSummary", {}, [], jobs.network_digest("n"), 1000.0)
    assert [jobs.retry_after(job, now=1000.0 + t) for t in (0, 3, 5, 20, 59, 3600)] == [
        1,
        1,
        2,
        5,
        15,
        15,
    ]
