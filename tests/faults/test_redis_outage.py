"""Redis stopped mid-run: the rate limiter degrades to per-process counting (a warning in the
log, a metric), /ready reports Redis as degraded, and no request answers 500."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from netwerk import metrics
from netwerk.ratelimit import RateLimiter
from tests.faults.harness import Prepared, free_port, load, redis_server, server


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_limiter_without_reachable_redis_counts_per_process() -> None:
    before = metrics.rate_limit_fallbacks._value.get()
    limiter = RateLimiter(3, f"redis://127.0.0.1:{free_port()}/0", retry_s=60)
    verdicts = [limiter.hit("token-a") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert limiter.degraded and limiter.redis_state() == "degraded"
    assert metrics.rate_limit_fallbacks._value.get() - before == 4


def test_redis_stopped_mid_run_degrades_and_never_500(prepared: Callable[..., Prepared]) -> None:
    db = prepared(actors=60)
    paths = [
        f"/api/v1/networks/{db.network_id}",
        f"/api/v1/networks/{db.network_id}/actors?limit=5",
        f"/api/v1/networks/{db.network_id}/analysis/summary",
    ]
    with redis_server() as (redis_url, stop_redis):
        env = {
            "NETWERK_REDIS_URL": redis_url,
            "NETWERK_RATE_LIMIT_PER_MINUTE": "100000",
            "NETWERK_METRICS": "true",
            "NETWERK_LOG_LEVEL": "WARNING",
        }
        with server(db.url, env) as srv:
            ready = httpx.get(f"{srv.base}/ready").json()
            assert ready["status"] == "ready" and ready["redis"] == "ok", ready
            before = load(srv.base, paths, db.headers, clients=4, seconds=1)
            assert set(before.statuses) == {200}, before.statuses
            stop_redis()
            after = load(srv.base, paths, db.headers, clients=4, seconds=2)
            r = httpx.get(f"{srv.base}/ready")
            scrape = httpx.get(f"{srv.base}/metrics").text
            log = srv.log()
    assert not after.errors, after.errors
    assert set(after.statuses) == {200}, after.statuses  # never a 500
    assert r.status_code == 200
    assert r.json()["status"] == "degraded" and r.json()["redis"] == "degraded", r.json()
    assert "Redis unreachable" in log
    assert log.count("Redis unreachable") == 1  # one warning per outage, not one per request
    assert _sample(scrape, "netwerk_rate_limit_fallbacks_total") >= after.count
    assert _sample(scrape, "netwerk_redis_degraded") == 1.0
