"""Prometheus metrics of the service (``prometheus-client``), served at ``GET /metrics`` when
``NETWERK_METRICS=true``.

Labels carry only fixed vocabularies — route *templates* (``/api/v1/networks/{nid}/actors``),
methods, status codes, analysis and cache names — never a network name or id, an actor id or
anything a user typed. The metrics are recorded in every process whether or not they are
served (a counter increment is cheap).

Several worker processes: ``netwerk serve --workers N`` runs prometheus-client's multiprocess
mode (each worker writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR``, and a scrape of
any worker sums all of them), because a scrape behind one port reaches one worker at random.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

__all__ = [
    "CONTENT_TYPE_LATEST",
    "analysis_seconds",
    "audit_failures",
    "cache_hits",
    "cache_misses",
    "exposition",
    "import_rows",
    "overload_refusals",
    "rate_limit_fallbacks",
    "rate_limit_refusals",
    "redis_degraded",
    "request_seconds",
    "requests",
    "snapshot_load_seconds",
    "timed",
    "timed_call",
]

T = TypeVar("T")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

requests = Counter(
    "netwerk_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
request_seconds = Histogram(
    "netwerk_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
analysis_seconds = Histogram(
    "netwerk_analysis_duration_seconds",
    "Time to compute an analysis result (cache misses only), by analysis",
    ["analysis"],
    buckets=LATENCY_BUCKETS,
)
snapshot_load_seconds = Histogram(
    "netwerk_snapshot_load_duration_seconds",
    "Time to load a network snapshot from the database",
    buckets=LATENCY_BUCKETS,
)
cache_hits = Counter("netwerk_cache_hits", "Cache hits, by cache", ["cache"])
cache_misses = Counter("netwerk_cache_misses", "Cache misses, by cache", ["cache"])
import_rows = Counter(
    "netwerk_import_rows", "Rows created by committed imports, by table", ["table"]
)
rate_limit_refusals = Counter(
    "netwerk_rate_limit_refusals", "Requests refused with 429 by the rate limit"
)
rate_limit_fallbacks = Counter(
    "netwerk_rate_limit_fallbacks",
    "Rate-limit decisions taken per process because Redis was unreachable",
)
redis_degraded = Gauge(
    "netwerk_redis_degraded",
    "1 while Redis is unreachable and rate limits are counted per process",
    multiprocess_mode="max",
)
shared_results = Counter(
    "netwerk_shared_results",
    "Global analysis results by how they were answered across workers: 'shared' (read from "
    "Redis), 'computed' (computed and published here), 'waited' (another worker's result, "
    "waited for), 'stale' (the last result, marked stale, while it is recomputed), "
    "'fallback' (Redis unreachable: per process)",
    ["outcome"],
)
analysis_process_jobs = Counter(
    "netwerk_analysis_process_jobs",
    "Background recomputes of global analyses sent to the worker's analysis process, by "
    "outcome: 'computed' (computed there, filed here), 'failed' (the analysis failed "
    "there), 'fallback' (the process had died: computed in a thread here; the next job "
    "starts a new process), 'dropped' (an erasure came in meanwhile: not filed)",
    ["outcome"],
)
audit_failures = Counter(
    "netwerk_audit_write_failures",
    "Audit rows that could not be written: 'refused' (answered 503 instead) or 'logged' "
    "(a request without person-level data, served and logged)",
    ["outcome"],
)
overload_refusals = Counter(
    "netwerk_overload_refusals",
    "Requests answered 503 under overload: no request slot ('queue'), no database "
    "connection ('pool'), a busy database ('busy')",
    ["reason"],
)


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        histogram.observe(time.perf_counter() - start)


def timed_call(histogram: Histogram, fn: Callable[[], T]) -> T:
    with timed(histogram):
        return fn()


def exposition() -> bytes:
    """The text exposition of every metric (summed over workers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
