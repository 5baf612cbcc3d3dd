"""Global results survive a write (the last one, marked stale, while the current one is
computed in the background) and are computed once per revision across workers sharing one
database and one Redis (issue 12, items 2 and 3)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_lib
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

import netwerk.analysis.communities as communities_module
from api.app import create_app
from netwerk import cache
from netwerk.analysis import service
from netwerk.config import Settings
from netwerk.shared_results import SharedResults, background
from tests.faults.harness import free_port, redis_server

WAIT = 60.0  # generous: only ever waited on an event, never slept


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Counts the community detections (the work of a communities result); ``hold`` makes the
    next one wait until ``release`` is set."""
    real = communities_module.partition
    state: dict[str, Any] = {"n": 0, "hold": False, "release": threading.Event()}
    started = threading.Event()
    state["started"] = started

    def counted(*args: Any, **kwargs: Any) -> Any:
        state["n"] += 1
        if state["hold"]:
            state["hold"] = False
            started.set()
            assert state["release"].wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(communities_module, "partition", counted)
    return state


@pytest.fixture
def local_store() -> Iterator[None]:
    cache.clear()
    yield
    assert background.wait_idle(WAIT)
    cache.configure(shared_store=SharedResults())
    cache.clear()


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as (url, _stop):
        yield url


def _settings(settings: Settings, **kw: Any) -> Settings:
    return settings.model_copy(update=kw)


def _actor(c: TestClient, admin: dict[str, str], nid: str, name: str) -> str:
    r = c.post(
        f"/api/v1/networks/{nid}/actors",
        json={"kind": "resident", "name": name, "consent": "given"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _network(c: TestClient, admin: dict[str, str]) -> tuple[str, list[str]]:
    nid = str(c.post("/api/v1/networks", json={"name": "Staleweg"}, headers=admin).json()["id"])
    ids = [_actor(c, admin, nid, f"Bewoner {i}") for i in range(8)]
    for a, b in [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]:
        _tie(c, admin, nid, ids[a], ids[b])
    return nid, ids


def _tie(c: TestClient, admin: dict[str, str], nid: str, a: str, b: str) -> None:
    r = c.post(
        f"/api/v1/networks/{nid}/ties",
        json={"source": a, "target": b, "kind": "knows"},
        headers=admin,
    )
    assert r.status_code == 201, r.text


def _get(c: TestClient, admin: dict[str, str], nid: str, **params: Any) -> Any:
    r = c.get(f"/api/v1/networks/{nid}/analysis/communities", params=params, headers=admin)
    assert r.status_code == 200, r.text
    return r


def _revision(c: TestClient, admin: dict[str, str], nid: str) -> int:
    return int(c.get(f"/api/v1/networks/{nid}", headers=admin).json()["revision"])


def _check(r: Any, current: int) -> dict[str, Any]:
    """The rule of issue 12: marked stale in body and headers, never older than the revision
    before the last write; a fresh answer is of the current revision."""
    p = r.json()["provenance"]
    assert p["current_revision"] == current
    assert r.headers["X-Netwerk-Current-Revision"] == str(current)
    assert r.headers["X-Netwerk-Revision"] == str(p["revision"])
    assert r.headers["X-Netwerk-Stale"] == ("true" if p["stale"] else "false")
    if p["stale"]:
        assert p["revision"] == current - 1
    else:
        assert p["revision"] == current
    return dict(p)


def test_after_a_write_the_last_result_is_answered_stale_then_fresh(
    app: Any, admin: dict[str, str], calls: dict[str, Any], local_store: None
) -> None:
    with TestClient(app) as c:
        nid, ids = _network(c, admin)
        first = _check(_get(c, admin, nid), _revision(c, admin, nid))
        assert first["stale"] is False
        computed = calls["n"]
        calls["hold"] = True  # the background recompute waits until we have looked
        _tie(c, admin, nid, ids[6], ids[7])
        now = _revision(c, admin, nid)
        stale = _get(c, admin, nid)
        p = _check(stale, now)
        assert p["stale"] is True and p["revision"] == first["revision"] == now - 1
        assert calls["started"].wait(WAIT)  # recomputing in the background
        again = _check(_get(c, admin, nid), now)  # one background job, not two
        assert again["stale"] is True
        calls["release"].set()
        assert background.wait_idle(WAIT)
        fresh = _get(c, admin, nid)
        assert _check(fresh, now)["stale"] is False
        assert calls["n"] == computed + 1
        assert len(fresh.json()["communities"]) != len(stale.json()["communities"])
        # fresh=true waits for the current result
        _tie(c, admin, nid, ids[0], ids[7])
        waited = _get(c, admin, nid, fresh="true")
        assert _check(waited, _revision(c, admin, nid))["stale"] is False


def test_a_stale_answer_is_never_older_than_the_revision_before_the_last_write(
    app: Any, admin: dict[str, str], calls: dict[str, Any], local_store: None
) -> None:
    """Random writes and reads, background jobs finishing at random moments: every answer
    is current, or of the revision just before and marked stale."""
    rng = random.Random(12)
    with TestClient(app) as c:
        nid, ids = _network(c, admin)
        stale_seen = 0
        for _ in range(24):
            step = rng.random()
            if step < 0.4:  # a new actor, and (a second write) sometimes a tie to it
                ids.append(_actor(c, admin, nid, f"Nieuw {len(ids)}"))
                if rng.random() < 0.5:
                    _tie(c, admin, nid, rng.choice(ids[:-1]), ids[-1])
            elif step < 0.55:
                assert background.wait_idle(WAIT)
            p = _check(_get(c, admin, nid), _revision(c, admin, nid))
            stale_seen += p["stale"]
        assert stale_seen > 0  # the rule was really exercised
        # two writes without a read between: the last result is two revisions old, so the
        # answer is computed, not stale
        assert background.wait_idle(WAIT)
        _tie(c, admin, nid, ids[1], ids[6])
        _tie(c, admin, nid, ids[2], ids[6])
        assert _check(_get(c, admin, nid), _revision(c, admin, nid))["stale"] is False


def test_no_stale_answer_after_an_erasure(
    app: Any, admin: dict[str, str], local_store: None
) -> None:
    """An erasure through another worker process (this process's caches are not purged,
    only the database knows): the last result may hold the erased actor, so it is not
    answered stale; the current one is computed."""
    with TestClient(app) as c:
        nid, ids = _network(c, admin)
        before = _get(c, admin, nid, members="true")
        assert ids[0] in before.text
        purge = cache.purge_network
        try:
            cache.purge_network = lambda network_id: 0  # type: ignore[assignment]
            r = c.delete(f"/api/v1/networks/{nid}/actors/{ids[0]}", headers=admin)
            assert r.status_code == 204
        finally:
            cache.purge_network = purge  # type: ignore[assignment]
        after = _get(c, admin, nid, members="true")
        assert _check(after, _revision(c, admin, nid))["stale"] is False
        assert ids[0] not in after.text


def test_global_results_round_trip_through_the_shared_format(
    app: Any, admin: dict[str, str], local_store: None
) -> None:
    """What goes to Redis is JSON of the record and comes back equal, for every global route."""
    routes = {
        "summary": {},
        "stage": {},
        "centrality": {"measure": "betweenness", "top": 5},
        "key_figures": {},
        "brokers": {"grouping": "community"},
        "bridges": {},
        "communities": {"include_members": True},
        "gaps": {},
    }
    with TestClient(app) as c:
        nid, _ = _network(c, admin)
    for name, params in routes.items():
        fn = getattr(service, name)
        result = fn(app.state.engine, nid, **params)
        adapter: TypeAdapter[Any] = TypeAdapter(type(result))
        assert adapter.validate_json(adapter.dump_json(result)) == result, name


def test_two_instances_with_one_redis_compute_once_per_revision(
    engine: Any,
    settings: Settings,
    admin: dict[str, str],
    calls: dict[str, Any],
    local_store: None,
    redis_url: str,
) -> None:
    """Two apps on one database and one Redis; between their requests this process's caches
    are emptied, as a second worker process's would be: each revision is computed once."""
    shared = _settings(settings, redis_url=redis_url)
    one, two = create_app(shared, engine=engine), create_app(shared, engine=engine)
    r = redis_lib.Redis.from_url(redis_url)
    with TestClient(one) as c1, TestClient(two) as c2:
        nid, ids = _network(c1, admin)
        before = calls["n"]
        a = _get(c1, admin, nid).json()
        cache.clear()  # "worker two" has nothing in memory
        b = _get(c2, admin, nid).json()
        assert a == b and calls["n"] == before + 1
        _tie(c1, admin, nid, ids[6], ids[7])
        now = _revision(c1, admin, nid)
        cache.clear()
        stale = _check(_get(c2, admin, nid), now)  # worker two: the shared last result
        assert stale["stale"] is True
        assert background.wait_idle(WAIT)
        cache.clear()
        fresh = _check(_get(c1, admin, nid), now)  # worker one: worker two's recompute
        assert fresh["stale"] is False
        assert calls["n"] == before + 2  # two revisions, two computations, two workers
        assert list(r.scan_iter(match=f"netwerk:res:{nid}:*"))
        # erasure removes the network's shared entries
        assert (
            c1.delete(f"/api/v1/networks/{nid}/actors/{ids[7]}", headers=admin).status_code == 204
        )
        assert not list(r.scan_iter(match=f"netwerk:res:{nid}:*"))


def test_the_lease_lets_one_worker_compute_and_the_other_wait(redis_url: str) -> None:
    one, two = SharedResults(redis_url), SharedResults(redis_url)
    day = dt.date(2026, 1, 1)
    key = one.key("n1", 3, day, "route.summary", "p")
    token = one.lease(key)
    assert token is not None
    assert two.lease(key) is None  # held by worker one
    got: list[bytes | None] = []
    waiting = threading.Thread(target=lambda: got.append(two.wait(key, timeout=WAIT)))
    waiting.start()
    one.publish(key, one.last_key("n1", day, "route.summary", "p"), 3, 0.0, b"{}")
    one.release(key, token)
    waiting.join(WAIT)
    assert got == [b"{}"]
    assert two.lease(key) is not None  # released
    assert one.purge("n1") >= 2 and two.get(key) is None


def test_without_reachable_redis_analyses_still_answer(
    engine: Any,
    settings: Settings,
    admin: dict[str, str],
    calls: dict[str, Any],
    local_store: None,
) -> None:
    with redis_server() as (url, stop):
        app = create_app(_settings(settings, redis_url=url), engine=engine)
        with TestClient(app, raise_server_exceptions=False) as c:
            nid, ids = _network(c, admin)
            assert _check(_get(c, admin, nid), _revision(c, admin, nid))["stale"] is False
            stop()
            _tie(c, admin, nid, ids[6], ids[7])
            now = _revision(c, admin, nid)
            assert _check(_get(c, admin, nid), now)["revision"] >= now - 1
            assert background.wait_idle(WAIT)
            assert _check(_get(c, admin, nid), now)["stale"] is False
            assert cache.shared.degraded
            assert (
                c.delete(f"/api/v1/networks/{nid}/actors/{ids[7]}", headers=admin).status_code
                == 204
            )
    dead = create_app(
        _settings(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0"), engine=engine
    )
    with TestClient(dead, raise_server_exceptions=False) as c:
        nid, _ = _network(c, admin)
        assert _check(_get(c, admin, nid), _revision(c, admin, nid))["stale"] is False


def test_background_runs_one_job_per_key_and_at_most_its_limit() -> None:
    from netwerk.shared_results import Background

    jobs = Background(limit=2)
    go = threading.Event()
    ran: list[str] = []

    def job(name: str) -> Any:
        def run() -> None:
            assert go.wait(WAIT)
            ran.append(name)

        return run

    assert jobs.start("a", job("a")) is True
    assert jobs.start("a", job("a again")) is False  # one job per key
    assert jobs.start("b", job("b")) is True
    assert jobs.start("c", job("c")) is None  # over the limit: the caller computes itself
    go.set()
    assert jobs.wait_idle(WAIT)
    assert sorted(ran) == ["a", "b"]


def test_an_erasure_while_redis_is_down_is_purged_when_it_is_back(redis_url: str) -> None:
    store = SharedResults(redis_url, retry_s=0.0)
    day = dt.date(2026, 1, 1)
    key = store.key("n2", 1, day, "route.gaps", "p")
    store.publish(key, store.last_key("n2", day, "route.gaps", "p"), 1, 0.0, b"{}")
    reachable = store._redis
    store._redis = redis_lib.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    assert store.purge("n2") == 0 and store.degraded  # Redis "down": nothing deleted yet
    store._redis = reachable
    assert store.get(key) is None  # the first call that reaches Redis purges first
    assert not list(reachable.scan_iter(match="netwerk:*:n2:*"))


def test_a_lease_is_kept_while_its_computation_runs_and_ends_with_it(redis_url: str) -> None:
    """A computation longer than the lease keeps it (renewed), so no second worker starts the
    same work; once it ends the lease is free at once, and a holder that stops renewing
    (a worker that died) loses it within the lease time."""
    one, two = SharedResults(redis_url, lease_s=0.3), SharedResults(redis_url, lease_s=0.3)
    key = one.key("n-lease", 1, dt.date(2026, 1, 1), "route.summary", "p")
    token = one.lease(key)
    assert token is not None
    with one.holding(key, token):
        deadline = time.monotonic() + 1.2  # four lease times
        while time.monotonic() < deadline:
            assert two.lease(key) is None
            time.sleep(0.05)
    one.release(key, token)
    dead = two.lease(key)
    assert dead is not None  # released at once; now "worker two" dies holding it
    time.sleep(0.45)
    assert one.lease(key) is not None
    one.purge("n-lease")
