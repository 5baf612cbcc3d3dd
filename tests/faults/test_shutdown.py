"""Graceful shutdown: SIGTERM during an import lets the import finish and commit (the client
gets its report), refuses new connections, stops background analyses cleanly and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa

from netwerk.store.db import make_engine
from tests.faults.harness import ROOT, Prepared, free_port, wait_ready

ROWS = 12_000


def _serve(db: Prepared, port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                str(Path(sys.executable).with_name("netwerk")),
                "serve",
                "--port",
                str(port),
                "--no-migrate",
            ],
            env={
                **os.environ,
                "NETWERK_DATABASE_URL": db.url,
                "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
                "NETWERK_LOG_LEVEL": "WARNING",
                "NETWERK_SHUTDOWN_TIMEOUT_S": "30",
                **env,
            },
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_sigterm_during_an_import_lets_it_finish(
    prepared: Callable[..., Prepared], tmp_path: Path
) -> None:
    db = prepared(actors=50)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(db, port, tmp_path / "server.log")
    try:
        wait_ready(base, proc)
        body = "name,kind\n" + "".join(f"Sigterm-org {i},organisation\n" for i in range(ROWS))
        answer: dict[str, httpx.Response] = {}

        def post() -> None:
            answer["r"] = httpx.post(
                f"{base}/api/v1/networks/{db.network_id}/import",
                params={"format": "csv", "table": "actors"},
                content=body.encode(),
                headers=db.headers,
                timeout=120,
            )

        engine = make_engine(db.url)
        with engine.connect() as conn:
            revision = conn.execute(
                sa.text("SELECT revision FROM networks WHERE id = :n"), {"n": db.network_id}
            ).scalar_one()
        client = threading.Thread(target=post)
        client.start()
        time.sleep(0.3)  # the import is in flight
        assert "r" not in answer, "the import ended before the signal; make it bigger"
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        refused = False
        try:
            httpx.get(f"{base}/health", timeout=2)
        except httpx.TransportError:
            refused = True
        client.join(timeout=120)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "server.log").read_text()
    assert answer["r"].status_code == 200, answer["r"].text
    assert answer["r"].json()["actors"]["created"] == ROWS
    assert refused, "a new connection was accepted after SIGTERM"
    assert code in (0, -signal.SIGTERM), log  # uvicorn re-raises the signal once it is done
    assert "shut down cleanly" in log and "Traceback" not in log, log
    with engine.connect() as conn:
        created = conn.execute(
            sa.text("SELECT count(*) FROM actors WHERE name LIKE 'Sigterm-org %'")
        ).scalar_one()
        after = conn.execute(
            sa.text("SELECT revision FROM networks WHERE id = :n"), {"n": db.network_id}
        ).scalar_one()
    engine.dispose()
    assert created == ROWS and after > revision


def test_sigterm_with_a_background_analysis_exits_cleanly(
    prepared: Callable[..., Prepared], tmp_path: Path
) -> None:
    db = prepared(actors=600)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(db, port, tmp_path / "server.log", NETWERK_ANALYSIS_TIMEOUT_S="0.01")
    try:
        wait_ready(base, proc)
        r = httpx.get(
            f"{base}/api/v1/networks/{db.network_id}/analysis/brokers",
            headers=db.headers,
            timeout=60,
        )
        assert r.status_code == 202, r.text  # answered; the analysis goes on in the background
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "server.log").read_text()
    assert code in (0, -signal.SIGTERM), log  # uvicorn re-raises the signal once it is done
    assert "shut down cleanly" in log and "Traceback" not in log, log
