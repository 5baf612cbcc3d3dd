"""Helpers shared by ``tests/faults`` and ``bench/faults.py``: a prepared database, a real
uvicorn server process (one or more workers), a private redis-server, and a load driver
that records every status and latency."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Prepared:
    url: str
    network_id: str
    admin: str  # bearer secret

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


def prepare_database(url: str, *, actors: int = 300, seed: int = 3) -> Prepared:
    from netwerk import synth
    from netwerk.store.networks import create_network

    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_sessionmaker(engine)
        with transaction(factory) as session:
            network_id = create_network(session, name="Foutwijk", area_code="WK036300").id
        data = synth.generate(actors, seed=seed)
        with engine.begin() as conn:
            synth.load(conn, network_id, data)
        with transaction(factory) as session:
            secret = create_token(session, role="admin", name="faults admin").secret
    finally:
        engine.dispose()
    return Prepared(url=url, network_id=network_id, admin=secret)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def server(
    url: str,
    env: dict[str, str] | None = None,
    *,
    workers: int = 1,
    port: int | None = None,
    graceful_s: float | None = None,
) -> Iterator[Server]:
    """A real uvicorn server (``workers`` processes) on a free loopback port."""
    port = port or free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="netwerk-faults-"))
    log_path = log_dir / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--timeout-worker-healthcheck",
        "30",
    ]
    if graceful_s is not None:
        cmd += ["--timeout-graceful-shutdown", str(graceful_s)]
    full_env = {
        **os.environ,
        "NETWERK_DATABASE_URL": url,
        "NETWERK_LOG_LEVEL": "WARNING",
        "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
        "NETWERK_ENVIRONMENT": "test",
        **(env or {}),
    }
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            cmd, env=full_env, stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT
        )
    base = f"http://127.0.0.1:{port}"
    srv = Server(base, proc, log_path)
    try:
        wait_ready(base, proc)
        yield srv
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(log_dir, ignore_errors=True)


def wait_ready(base: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


@contextmanager
def redis_server(port: int | None = None) -> Iterator[tuple[str, Callable[[], None]]]:
    """A private redis-server on a free port (no persistence); yields its URL and ``stop()``."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = port or free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", stop
    finally:
        stop()


@dataclass
class LoadResult:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    retry_after_missing: int = 0
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load(
    base: str,
    paths: list[str],
    headers: dict[str, str],
    *,
    clients: int,
    seconds: float,
    timeout: float = 60.0,
    per_process: int = 16,
) -> LoadResult:
    """``clients`` concurrent clients, each asking the ``paths`` in turn for ``seconds``:
    threads in up to ``clients / per_process`` processes (one Python process driving 64
    threads measures its own GIL more than the server)."""
    processes = max(1, -(-clients // per_process))
    if processes == 1:
        return _load_threads(base, paths, headers, clients, seconds, timeout, 0)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    shares = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as ex:
        parts = list(
            ex.map(
                _load_threads,
                *zip(
                    *[
                        (base, paths, headers, n, seconds, timeout, i * per_process)
                        for i, n in enumerate(shares)
                    ],
                    strict=True,
                ),
            )
        )
    total = LoadResult()
    for part in parts:
        total.statuses.update(part.statuses)
        total.errors.update(part.errors)
        total.latencies.extend(part.latencies)
        total.retry_after_missing += part.retry_after_missing
    total.seconds = max(p.seconds for p in parts)
    return total


def _load_threads(
    base: str,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    seconds: float,
    timeout: float,
    first: int,
) -> LoadResult:
    result = LoadResult()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
            i = offset
            while time.monotonic() < stop_at:
                path = paths[i % len(paths)]
                i += 1
                start = time.perf_counter()
                try:
                    r = client.get(path)
                except httpx.HTTPError as exc:
                    with lock:
                        result.errors[type(exc).__name__] += 1
                    continue
                took = time.perf_counter() - start
                with lock:
                    result.statuses[r.status_code] += 1
                    result.latencies.append(took)
                    if r.status_code == 503 and "retry-after" not in r.headers:
                        result.retry_after_missing += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(first + i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


ANALYSIS_PATHS = [
    "analysis/summary",
    "analysis/centrality?measure=degree&top=10",
    "analysis/key-figures?top=10",
    "analysis/gaps?limit=10",
    "analysis/bridges?limit=10",
    "analysis/communities",
]


def analysis_paths(network_id: str) -> list[str]:
    return [f"/api/v1/networks/{network_id}/{p}" for p in ANALYSIS_PATHS]


# --- database state, kills and writers (shared by the tests and bench/faults.py) ------------


@dataclass(frozen=True)
class DbState:
    actors: int
    ties: int
    revision: int
    indexes: tuple[str, ...]
    integrity: str  # SQLite: PRAGMA integrity_check; PostgreSQL: "n/a"


def db_state(url: str, network_id: str) -> DbState:
    import sqlalchemy as sa

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            actors = conn.execute(
                sa.text("SELECT count(*) FROM actors WHERE network_id = :n"), {"n": network_id}
            ).scalar_one()
            ties = conn.execute(
                sa.text(
                    "SELECT count(*) FROM ties t JOIN actors a ON a.id = t.source_id "
                    "WHERE a.network_id = :n"
                ),
                {"n": network_id},
            ).scalar_one()
            revision = conn.execute(
                sa.text("SELECT revision FROM networks WHERE id = :n"), {"n": network_id}
            ).scalar_one()
            if engine.dialect.name == "sqlite":
                indexes = conn.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE type='index' ORDER BY name")
                ).scalars()
                integrity = conn.execute(sa.text("PRAGMA integrity_check")).scalar_one()
            else:
                indexes = conn.execute(
                    sa.text(
                        "SELECT indexname FROM pg_indexes WHERE schemaname='public' "
                        "ORDER BY indexname"
                    )
                ).scalars()
                invalid = conn.execute(
                    sa.text("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
                ).scalar_one()
                integrity = "ok" if invalid == 0 else f"{invalid} invalid indexes"
            return DbState(int(actors), int(ties), int(revision), tuple(indexes), str(integrity))
    finally:
        engine.dispose()


def import_file(path: Path, rows: int, prefix: str = "Kill") -> Path:
    """A CSV of ``rows`` organisations, for an import that takes a while."""
    path.write_text(
        "name,kind\n" + "".join(f"{prefix} {i},organisation\n" for i in range(rows)),
        encoding="utf-8",
    )
    return path


def kill_mid_import(url: str, network_id: str, csv: Path, after_s: float) -> bool:
    """Start ``netwerk import`` and ``kill -9`` it after ``after_s``; True when it was still
    running at that moment (so the kill really hit the middle of the import)."""
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("netwerk")),
            "import",
            "--network",
            network_id,
            "--format",
            "csv",
            str(csv),
        ],
        env={**os.environ, "NETWERK_DATABASE_URL": url},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_s)
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return running


@dataclass
class WriteResult:
    acknowledged: int = 0
    retried_503: int = 0
    other: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    stale_reads: int = 0
    reads: int = 0


def concurrent_writers(
    base: str,
    network_id: str,
    headers: dict[str, str],
    *,
    writers: int,
    writes_each: int,
    read_every: int = 1,
) -> WriteResult:
    """``writers`` threads each create ``writes_each`` actors (a 503 is retried after its
    Retry-After, as a client should); after every ``read_every``-th write the writer reads
    the summary and checks that it holds the revision its write produced, or says it is
    stale and knows the current revision."""
    result = WriteResult()
    lock = threading.Lock()

    def run(w: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            done = 0
            while done < writes_each:
                try:
                    r = client.post(
                        f"/api/v1/networks/{network_id}/actors",
                        json={"kind": "organisation", "name": f"Writer {w}-{done}"},
                    )
                except httpx.HTTPError:
                    with lock:
                        result.errors += 1
                    continue
                if r.status_code == 503:
                    with lock:
                        result.retried_503 += 1
                    time.sleep(min(float(r.headers.get("retry-after", "1")), 0.5))
                    continue
                if r.status_code != 201:
                    with lock:
                        result.other[r.status_code] += 1
                    done += 1
                    continue
                done += 1
                with lock:
                    result.acknowledged += 1
                if done % read_every:
                    continue
                network = client.get(f"/api/v1/networks/{network_id}").json()
                summary = client.get(f"/api/v1/networks/{network_id}/analysis/summary")
                if summary.status_code == 200:
                    # A global analysis may answer the last result after a write, but then
                    # marked stale with the current revision (issue 12); unmarked, it must
                    # hold the write.
                    prov = summary.json()["provenance"]
                    with lock:
                        result.reads += 1
                        if prov["current_revision"] < network["revision"] or (
                            prov["revision"] < network["revision"] and not prov["stale"]
                        ):
                            result.stale_reads += 1

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result
