"""``netwerk serve`` with metrics on: prometheus-client's multiprocess mode, so a scrape of
either of two workers counts the requests that both answered, and one worker's scrape counts
the recomputes of its analysis process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.faults.harness import ROOT, free_port, prepare_database, wait_ready


def _serve(url: str, port: int, workers: int, **env: str) -> subprocess.Popen[bytes]:
    """``netwerk serve`` with metrics on, in a multiprocess folder of its own choosing."""
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("netwerk")),
            *("serve", "--port", str(port), "--workers", str(workers), "--no-migrate"),
        ],
        env={
            **inherited,
            "NETWERK_DATABASE_URL": url,
            "NETWERK_METRICS": "true",
            "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
            "NETWERK_LOG_LEVEL": "WARNING",
            **env,
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_workers_one_sum(empty_db_url: Callable[[str], str], tmp_path: Path) -> None:
    # the database does not matter here: metrics live in the worker processes
    db = prepare_database(empty_db_url("sqlite"), actors=40)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(db.url, port, 2)
    try:
        wait_ready(base, proc)
        for _ in range(40):  # a new connection each, spread over both workers
            r = httpx.get(f"{base}/api/v1/networks/{db.network_id}", headers=db.headers)
            assert r.status_code == 200
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(6)]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    line = 'netwerk_http_requests_total{method="GET",route="/api/v1/networks/{nid}",status="200"}'
    for text in scrapes:
        counted = [float(x.rsplit(" ", 1)[1]) for x in text.splitlines() if x.startswith(line)]
        assert counted == [40.0], counted


def _count(text: str, line: str) -> float:
    return sum(float(x.rsplit(" ", 1)[1]) for x in text.splitlines() if x.startswith(line))


def test_one_worker_counts_its_analysis_process(
    empty_db_url: Callable[[str], str], tmp_path: Path
) -> None:
    """One worker with its analysis process (the default): the recompute after a write runs
    in the child, and ``/metrics`` counts it too (multiprocess mode for one worker as well)."""
    db = prepare_database(empty_db_url("sqlite"), actors=40)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(db.url, port, 1, NETWERK_ANALYSIS_PROCESS="true")
    summary = f"{base}/api/v1/networks/{db.network_id}/analysis/summary"
    try:
        wait_ready(base, proc)
        assert httpx.get(summary, headers=db.headers, timeout=60).status_code == 200
        r = httpx.post(
            f"{base}/api/v1/networks/{db.network_id}/actors",
            json={"kind": "resident", "name": "Nieuw"},
            headers=db.headers,
        )
        assert r.status_code == 201
        deadline = time.monotonic() + 60
        while (s := httpx.get(summary, headers=db.headers, timeout=60)).headers.get(
            "x-netwerk-stale"
        ) != "false":
            assert time.monotonic() < deadline, s.headers
            time.sleep(0.1)
        text = httpx.get(f"{base}/metrics").text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    jobs = 'netwerk_analysis_process_jobs_total{outcome="computed"}'
    assert _count(text, jobs) >= 1  # the recompute ran in the child ...
    computed = 'netwerk_analysis_duration_seconds_count{analysis="route.summary"}'
    assert _count(text, computed) == 2  # ... and its computation is counted with the worker's
