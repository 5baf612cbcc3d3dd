"""Schema-based fuzzing with schemathesis against a live server: every operation of
``/openapi.json``, all checks, at least 100 generated cases per operation, for an admin token
and for a viewer token; zero server errors and zero schema violations.

Path parameters point at real objects of a seeded network so that generated requests reach
the routes' logic instead of stopping at 404; the DELETE operations get objects of their own.
The positive-data check also accepts 422: a schema cannot express that a tie's actors must
exist in the network or that ``until`` follows ``since``, and the API answers such requests
with a 422 problem that names the field.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.tokens import create_token
from tests.conftest import live_server

pytestmark = pytest.mark.slow

MAX_EXAMPLES = int(os.environ.get("NETWERK_FUZZ_EXAMPLES", "100"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'fuzz.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        admin = create_token(session, role="admin", name="fuzz admin").secret
    engine.dispose()
    stack = ExitStack()
    base = stack.enter_context(
        live_server(
            {
                "NETWERK_DATABASE_URL": url,
                "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
                "NETWERK_PSEUDONYM_KEY": "fuzz-pseudonym-key-0123456789",
            }
        )
    )
    h = {"Authorization": f"Bearer {admin}"}

    def post(path: str, body: dict) -> str:
        r = httpx.post(f"{base}{path}", json=body, headers=h)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    nid = post("/api/v1/networks", {"name": "Fuzzwijk", "area_code": "WK036300"})
    people = [
        post(
            f"/api/v1/networks/{nid}/actors",
            {"kind": "resident", "name": f"Bewoner {i}", "needs": ["taal"], "consent": "given"},
        )
        for i in range(4)
    ]
    cafe = post(
        f"/api/v1/networks/{nid}/actors",
        {"kind": "initiative", "name": "Taalcafé", "assets": ["taal"]},
    )
    ties = [
        post(
            f"/api/v1/networks/{nid}/ties", {"source": p, "target": cafe, "kind": "participates_in"}
        )
        for p in people
    ]
    doomed_net = post("/api/v1/networks", {"name": "Weg ermee"})
    viewer = httpx.post(
        f"{base}/api/v1/tokens",
        headers=h,
        json={"role": "viewer", "name": "fuzz viewer", "networks": [nid]},
    ).json()
    victim = httpx.post(
        f"{base}/api/v1/tokens",
        headers=h,
        json={"role": "broker", "name": "to revoke", "networks": [nid]},
    ).json()
    yield {
        "base": base,
        "folder": folder,
        "admin": admin,
        "viewer": viewer["secret"],
        "nid": nid,
        "aid": people[0],
        "tid": ties[0],
        "doomed_net": doomed_net,
        "doomed_actor": people[3],
        "doomed_tie": ties[2],
        "victim": victim["id"],
    }
    stack.close()


def _config(server: dict) -> str:
    return f"""
[generation]
max-examples = {MAX_EXAMPLES}
deterministic = false

[checks]
positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[parameters]
nid = "{server["nid"]}"
aid = "{server["aid"]}"
tid = "{server["tid"]}"

[[operations]]
include-operation-id = "deleteNetwork"
parameters = {{ nid = "{server["doomed_net"]}" }}

[[operations]]
include-operation-id = "deleteActor"
parameters = {{ aid = "{server["doomed_actor"]}" }}

[[operations]]
include-operation-id = "deleteTie"
parameters = {{ tid = "{server["doomed_tie"]}" }}

[[operations]]
include-operation-id = "revokeToken"
parameters = {{ tid = "{server["victim"]}" }}

[[operations]]
include-path-regex = "^/api/v1/tokens"
parameters = {{ tid = "{server["victim"]}" }}
"""


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_no_server_errors_nor_schema_violations(server: dict, role: str) -> None:
    folder: Path = server["folder"]
    config = folder / f"schemathesis-{role}.toml"
    config.write_text(_config(server))
    st = Path(sys.executable).parent / "st"
    cmd = [
        str(st),
        "--config-file",
        str(config),
        "run",
        f"{server['base']}/openapi.json",
        "--checks",
        "all",
        "-H",
        f"Authorization: Bearer {server[role]}",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--workers",
        "1",
        "--no-color",
        "--suppress-health-check",
        "all",
    ]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=folder,
        env={**os.environ, "NO_COLOR": "1"},
    )
    report = done.stdout[-12000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "generated" in report
