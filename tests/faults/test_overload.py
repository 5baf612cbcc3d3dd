"""Pool exhaustion: many concurrent analysis requests on one worker never jam the connection
pool (no request holds a connection while it waits for another) and never answer 500; under
real overload the answer is a quick 503 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable

from tests.faults.harness import Prepared, analysis_paths, load, server


def test_32_clients_on_one_worker_no_500_no_jam(prepared: Callable[..., Prepared]) -> None:
    db = prepared(actors=150)
    # The default pool (5 + 10 overflow) is smaller than the number of clients: before the
    # fix every request held a connection while its analysis thread waited for a second one.
    with server(db.url) as srv:
        result = load(
            srv.base,
            analysis_paths(db.network_id),
            db.headers,
            clients=32,
            seconds=6,
            timeout=20,
            per_process=32,
        )
        log = srv.log()
    assert not result.errors, result.errors
    assert 500 not in result.statuses, (result.statuses, log[-2000:])
    assert set(result.statuses) <= {200, 503}, result.statuses
    assert result.statuses[200] > 0
    assert result.retry_after_missing == 0
    # a jam shows as requests waiting for the pool timeout; a healthy worker answers fast
    assert result.percentile(0.99) < 10, result.percentile(0.99)
    assert "QueuePool limit" not in log


def test_overload_answers_503_with_retry_after_quickly(prepared: Callable[..., Prepared]) -> None:
    db = prepared(actors=150)
    # One request slot and a short queue: most of 24 clients must be refused, cleanly.
    env = {"NETWERK_MAX_CONCURRENT_REQUESTS": "1", "NETWERK_QUEUE_TIMEOUT_S": "0.2"}
    paths = [
        f"/api/v1/networks/{db.network_id}/analysis/centrality?measure=betweenness&seed={i}"
        for i in range(50)
    ]
    with server(db.url, env) as srv:
        result = load(
            srv.base, paths, db.headers, clients=24, seconds=4, timeout=20, per_process=24
        )
    assert not result.errors, result.errors
    assert 500 not in result.statuses, result.statuses
    assert result.statuses[503] > 0 and result.statuses[200] > 0, result.statuses
    assert result.retry_after_missing == 0
    assert result.percentile(0.5) < 2.0


def test_no_free_connection_is_a_quick_503_not_a_500(prepared: Callable[..., Prepared]) -> None:
    import time

    from fastapi.testclient import TestClient

    from api.app import create_app
    from netwerk.config import Settings
    from netwerk.store.db import engine_from_settings

    db = prepared(actors=60)
    settings = Settings(
        database_url=db.url,
        environment="test",
        rate_limit_per_minute=0,
        pool_size=1,
        pool_max_overflow=0,
        pool_timeout_s=0.5,
    )
    engine = engine_from_settings(settings)
    try:
        with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as c:
            with engine.connect():  # the only connection is taken
                start = time.monotonic()
                r = c.get(f"/api/v1/networks/{db.network_id}/analysis/summary", headers=db.headers)
                took = time.monotonic() - start
            assert r.status_code == 503, r.text
            assert r.json()["type"] == "/problems/overloaded"
            assert int(r.headers["retry-after"]) >= 1
            assert took < 3.0, took
            ok = c.get(f"/api/v1/networks/{db.network_id}/analysis/summary", headers=db.headers)
            assert ok.status_code == 200  # and one connection is enough for a whole request
    finally:
        engine.dispose()
