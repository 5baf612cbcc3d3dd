"""Shared fixtures. Every database fixture is parametrised over SQLite and, when
``NETWERK_TEST_POSTGRES_URL`` is set, PostgreSQL: the same tests run on both stores."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine, make_url

from api.app import create_app
from netwerk.config import Settings
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.tokens import create_token
from tests.browser_kit import browser, demo_site  # noqa: F401  (the browser tests' fixtures)

# The suite never reads or writes the user's data folder (database, pseudonym key): every
# process it starts, and every Settings() it makes, uses this throw-away folder instead.
_DATA_DIR = tempfile.TemporaryDirectory(prefix="netwerk-test-data-")
os.environ["NETWERK_DATA_DIR"] = _DATA_DIR.name
# Background recomputes run in threads in the suite: many tests replace analysis functions in
# this process, and a child process per app would slow the suite. The tests of the analysis
# process (tests/test_analysis_process.py) turn it on in their own settings.
os.environ.setdefault("NETWERK_ANALYSIS_PROCESS", "false")

# Every property test in the suite is reproducible: hypothesis derives its examples from the
# test itself (derandomize), keeps no example database between runs and prints how to replay
# a failure. Random exploration lives in bench/fuzz.py, which prints its seed.
hypothesis_settings.register_profile(
    "suite",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("suite")

PG_URL = os.environ.get("NETWERK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def _pg_admin_url() -> str:
    assert PG_URL
    url = Settings(database_url=PG_URL).database_url
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its URL."""
    name = f"netwerk_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def empty_db_url(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """A factory of empty databases of a backend: ``empty_db_url('sqlite'|'postgres')``."""
    made: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'netwerk.db'}"
        url = create_pg_database()
        made.append(url)
        return url

    yield make
    for url in made:
        drop_pg_database(url)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, empty_db_url: Callable[[str], str]) -> Iterator[Engine]:
    eng = make_engine(empty_db_url(backend))
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def settings(engine: Engine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        environment="test",
        rate_limit_per_minute=0,
        pseudonym_key="test-pseudonym-key-0123456789",
    )


@pytest.fixture(scope="session")
def app(engine: Engine, settings: Settings) -> Any:
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_token(engine: Engine) -> Callable[..., str]:
    """``make_token(role, networks=[...])`` → a bearer secret."""
    factory = make_sessionmaker(engine)

    def make(role: str, networks: list[str] | None = None, **kw: Any) -> str:
        with transaction(factory) as session:
            issued = create_token(
                session, role=role, name=f"test {role}", networks=networks or [], **kw
            )
        return issued.secret

    return make


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(make_token: Callable[..., str]) -> dict[str, str]:
    return auth(make_token("admin"))


@pytest.fixture
def network(client: TestClient, admin: dict[str, str]) -> str:
    r = client.post(
        "/api/v1/networks", json={"name": "Testwijk", "area_code": "WK036300"}, headers=admin
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per database backend, so a CI log shows that PostgreSQL really ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for name in BACKENDS:
                if f"[{name}" in nodeid or f"-{name}]" in nodeid or f"-{name}-" in nodeid:
                    counts.setdefault(name, {}).setdefault(outcome, 0)
                    counts[name][outcome] += 1
    for name in BACKENDS:
        parts = ", ".join(f"{n} {o}" for o, n in sorted(counts.get(name, {}).items()))
        terminalreporter.write_line(f"database backend {name}: {parts or 'no tests'}")
    if not PG_URL:
        terminalreporter.write_line(
            "database backend postgres: not run (set NETWERK_TEST_POSTGRES_URL)"
        )


@contextmanager
def live_server(env: dict[str, str]) -> Iterator[str]:
    """A real uvicorn process on a free loopback port; yields its base URL."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env={**os.environ, "NETWERK_LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[1],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
