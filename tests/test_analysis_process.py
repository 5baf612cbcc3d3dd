"""Background recomputes of global analyses in the worker's analysis process (issue 12): the
stale answer at once, then the current one, computed in a child process; an erasure purges
the child; a killed child does not break the worker."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import netwerk.analysis.communities as communities_module
from api.app import create_app
from netwerk import cache, metrics
from netwerk.analysis import process, service
from netwerk.config import Settings
from netwerk.graph import params_key
from netwerk.shared_results import SharedResults, background
from tests.faults.harness import ROOT, free_port, prepare_database, wait_ready
from tests.test_shared_results import _check, _get, _network, _revision, _tie

NETWERK = str(Path(sys.executable).with_name("netwerk"))
WAIT = 120.0  # generous: the child's first job imports the analysis stack (only ever waited)


@pytest.fixture
def in_parent(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the community detections run in this process (the child has its own module)."""
    real = communities_module.partition
    state = {"n": 0}

    def counted(*args: Any, **kwargs: Any) -> Any:
        state["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(communities_module, "partition", counted)
    return state


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """An app with the analysis process on (the suite has it off by default)."""
    cache.clear()
    app = create_app(settings.model_copy(update={"analysis_process": True}), engine=engine)
    assert app.state.analysis_process is process.runner() is not None
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    assert background.wait_idle(WAIT)
    process.configure(None)
    cache.configure(shared_store=SharedResults())
    cache.clear()


def _jobs(outcome: str) -> float:
    return float(metrics.analysis_process_jobs.labels(outcome)._value.get())


def _probe() -> dict[str, Any]:
    runner = process.runner()
    assert runner is not None
    return runner.probe().result(timeout=WAIT)


def _stale_then_fresh(
    c: TestClient, admin: dict[str, str], nid: str, ids: list[str], a: int
) -> Any:
    """A write, the stale answer, and once the background job is done the fresh one."""
    _tie(c, admin, nid, ids[a], ids[7])
    now = _revision(c, admin, nid)
    stale = _check(_get(c, admin, nid), now)
    assert stale["stale"] is True and stale["revision"] == now - 1
    assert background.wait_idle(WAIT)
    fresh = _get(c, admin, nid)
    assert _check(fresh, now)["stale"] is False
    return fresh


def test_the_recompute_after_a_write_runs_in_the_child(
    client: TestClient, admin: dict[str, str], in_parent: dict[str, int]
) -> None:
    nid, ids = _network(client, admin)
    first = _get(client, admin, nid).json()["provenance"]
    assert first["stale"] is False
    assert in_parent["n"] == 1  # no last result yet: computed here, as before
    computed = _jobs("computed")
    fresh = _stale_then_fresh(client, admin, nid, ids, 6)
    assert in_parent["n"] == 1  # not recomputed in this process ...
    assert _jobs("computed") == computed + 1  # ... but in the child, and filed here
    assert len(fresh.json()["communities"]) >= 1
    child = _probe()
    assert child["pid"] != os.getpid()
    # it yields the cores to the worker's requests (NETWERK_ANALYSIS_PROCESS_NICE, default 10)
    assert child["nice"] == min(19, os.nice(0) + 10)
    assert nid in child["networks"]  # the child keeps its own snapshot (and results)
    # a second write: the child's kept snapshot is advanced, the result filed again
    _stale_then_fresh(client, admin, nid, ids, 5)
    assert _jobs("computed") == computed + 2 and in_parent["n"] == 1


def test_an_erasure_purges_the_child(client: TestClient, admin: dict[str, str]) -> None:
    nid, ids = _network(client, admin)
    _get(client, admin, nid)
    _stale_then_fresh(client, admin, nid, ids, 6)
    assert nid in _probe()["networks"]
    r = client.delete(f"/api/v1/networks/{nid}/actors/{ids[0]}", headers=admin)
    assert r.status_code == 204
    # the purge was sent to the child before the probe: one worker, run in order
    assert nid not in _probe()["networks"]
    after = _get(client, admin, nid).json()["provenance"]
    assert after["stale"] is False  # never the last result from before the erasure


def test_a_result_of_before_an_erasure_is_not_filed(
    client: TestClient, admin: dict[str, str]
) -> None:
    """The child's result came back after an erasure in its network: it is not filed here as
    current nor as the last result (the fence of the service)."""
    nid, ids = _network(client, admin)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    value = service.communities(engine, nid)
    cache.clear()
    assert (
        client.delete(f"/api/v1/networks/{nid}/actors/{ids[0]}", headers=admin).status_code == 204
    )

    class Returns:
        def compute(self, *args: Any) -> Any:
            return value

    dropped = _jobs("dropped")
    pk = params_key({"seed": 0})
    got = service._in_process(
        Returns(),  # type: ignore[arg-type]
        "route.communities",
        engine,
        nid,
        None,
        pk,
        {},
        lambda: pytest.fail("not recomputed here"),
    )
    assert got is None and _jobs("dropped") == dropped + 1
    day = dt.date.today()
    assert all(k[0] != nid for k in cache.result_cache.held_keys())
    assert all(k[0] != nid for k in cache.last_results.held_keys())
    assert (nid, value.provenance.revision, day, "route.communities", pk) not in cache.result_cache


def test_a_killed_child_does_not_break_the_worker(
    client: TestClient, admin: dict[str, str], in_parent: dict[str, int]
) -> None:
    nid, ids = _network(client, admin)
    _get(client, admin, nid)
    _stale_then_fresh(client, admin, nid, ids, 6)
    first = _probe()["pid"]
    os.kill(first, signal.SIGKILL)
    fallback, computed = _jobs("fallback"), _jobs("computed")
    before = in_parent["n"]
    _stale_then_fresh(client, admin, nid, ids, 5)  # this job: in a thread here
    assert _jobs("fallback") == fallback + 1 and in_parent["n"] == before + 1
    _stale_then_fresh(client, admin, nid, ids, 4)  # the next: in a new child
    assert _jobs("computed") == computed + 1 and in_parent["n"] == before + 1
    assert _probe()["pid"] not in (first, os.getpid())


def test_shutdown_stops_the_child(engine: Engine, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"analysis_process": True}), engine=engine)
    runner = app.state.analysis_process
    try:
        with TestClient(app):
            pid = runner.probe().result(timeout=WAIT)["pid"]
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopped (and reaped) with the app
    finally:
        process.configure(None)


def _descendants(pid: int) -> list[tuple[int, str]]:
    """The processes below ``pid``, with their command lines."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = [pid]
    for p in found:
        found += [child for child, parent in parents.items() if parent == p]
    out = []
    for p in found[1:]:
        try:
            out.append((p, Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")))
        except OSError:
            continue
    return out


def test_sigterm_stops_the_analysis_process_with_the_service(
    backend: str, empty_db_url: Any, tmp_path: Path
) -> None:
    """The service (netwerk serve) recomputing in its analysis process after a write: SIGTERM
    ends it cleanly and leaves no process behind."""
    db = prepare_database(empty_db_url(backend), actors=600)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "server.log").open("wb") as out:
        proc = subprocess.Popen(
            [NETWERK, "serve", "--no-migrate", "--port", str(port)],
            env={
                **os.environ,
                "NETWERK_DATABASE_URL": db.url,
                "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
                "NETWERK_LOG_LEVEL": "WARNING",
                "NETWERK_ANALYSIS_PROCESS": "true",
            },
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"{base}/api/v1/networks/{db.network_id}"
    try:
        wait_ready(base, proc)
        ids = [
            httpx.post(
                f"{url}/actors",
                json={"kind": "resident", "name": f"Nieuw {i}", "consent": "given"},
                headers=db.headers,
            ).json()["id"]
            for i in range(2)
        ]
        assert httpx.get(f"{url}/analysis/gaps", headers=db.headers, timeout=60).status_code == 200
        r = httpx.post(
            f"{url}/ties",
            json={"source": ids[0], "target": ids[1], "kind": "knows"},
            headers=db.headers,
        )
        assert r.status_code == 201, r.text
        r = httpx.get(f"{url}/analysis/gaps", headers=db.headers, timeout=60)
        assert r.headers["X-Netwerk-Stale"] == "true"  # recomputed in the background ...
        deadline = time.monotonic() + WAIT
        while not any("spawn_main" in cmd for _, cmd in _descendants(proc.pid)):
            assert time.monotonic() < deadline, "no analysis process"
            time.sleep(0.05)  # ... in the analysis process, started for it
        below = [pid for pid, _ in _descendants(proc.pid)]
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "server.log").read_text()
    assert code in (0, -signal.SIGTERM), log
    assert "shut down cleanly" in log and "Traceback" not in log, log
    deadline = time.monotonic() + 10
    while (
        left := [p for p in below if Path(f"/proc/{p}").exists()]
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left  # the analysis process (and multiprocessing's helper) are gone
