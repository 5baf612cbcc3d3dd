"""Schema-based fuzzing with schemathesis against a live server: every operation of
``/openapi.json``, all checks, at least 100 generated cases per operation, for an admin token
and for a viewer token; zero server errors and zero schema violations.

Reproducible: the run is derandomised (``deterministic = true`` with a fixed seed and no
example database), so the same commit draws the same cases on every machine; the random
exploration is ``bench/fuzz.py``, which prints its seed. ``tests/fuzzing.py`` adds hostile
strings (NUL, control characters, XML-illegal noncharacters) to the generated strings, checks
that they are refused with 422, and judges negative cases by what the server received (a
boolean drawn for a string query parameter arrives as the text ``true``: valid, not a
violation).

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
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from api.app import create_app
from netwerk.config import Settings
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.tokens import create_token
from tests.conftest import live_server

pytestmark = pytest.mark.slow

MAX_EXAMPLES = int(os.environ.get("NETWERK_FUZZ_EXAMPLES", "100"))
SEED = 20261129
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with fuzz_server(tmp_path_factory.mktemp("fuzz")) as found:
        yield found


@contextmanager
def fuzz_server(folder: Path) -> Iterator[dict]:
    """A live server on a seeded network in ``folder``; yields what the config needs."""
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
    feedback = httpx.post(
        f"{base}/api/v1/networks/{nid}/suggestions/feedback",
        headers=h,
        json={"source": people[1], "target": cafe, "decision": "accepted"},
    )
    assert feedback.status_code in (200, 201), feedback.text
    found = {
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
        "fid": feedback.json()["id"],
    }
    try:
        yield found
    finally:
        stack.close()


def config(
    server: dict, *, seed: int = SEED, deterministic: bool = True, examples: int = MAX_EXAMPLES
) -> str:
    """The schemathesis configuration: derandomised for the suite; bench/fuzz.py asks for a
    random run from a seed it prints."""
    return f"""
hooks = "tests.fuzzing"
seed = {seed}

[generation]
max-examples = {examples}
deterministic = {"true" if deterministic else "false"}
database = "none"

[checks]
positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[parameters]
nid = "{server["nid"]}"
aid = "{server["aid"]}"
tid = "{server["tid"]}"
fid = "{server["fid"]}"

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


def run_schemathesis(
    server: dict, role: str, config_file: Path, timeout: int = 1200
) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).parent / "st"
    cmd = [
        str(st),
        "--config-file",
        str(config_file),
        "run",
        f"{server['base']}/openapi.json",
        "--checks",
        "all",
        # replaced by tests/fuzzing.py's negative_data_rejection_on_the_wire
        "--exclude-checks",
        "negative_data_rejection",
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
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=config_file.parent, env=env
    )


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_no_server_errors_nor_schema_violations(server: dict, role: str) -> None:
    folder: Path = server["folder"]
    path = folder / f"schemathesis-{role}.toml"
    path.write_text(config(server))
    done = run_schemathesis(server, role, path)
    report = done.stdout[-12000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "generated" in report


# -- the rule for negative cases, on its own ----------------------------------------------


@pytest.fixture(scope="module")
def openapi() -> dict:
    return create_app(Settings(database_url="sqlite://", environment="test")).openapi()


def _judge(openapi: dict, template: str, url: str) -> bool:
    from tests.fuzzing import sent_request_conforms

    case = SimpleNamespace(
        operation=SimpleNamespace(
            schema=SimpleNamespace(raw_schema=openapi), path=template, method="GET"
        )
    )
    response = SimpleNamespace(request=SimpleNamespace(url=f"http://testserver{url}"))
    return sent_request_conforms(case, response)


SUGGESTIONS = "/api/v1/networks/{nid}/actors/{aid}/suggestions"


@pytest.mark.parametrize(
    ("query", "conforms"),
    [
        ("theme=true", True),  # a boolean on the wire is the text 'true': a valid slug
        ("theme=taal&theme=koken", True),
        ("max_hops=2", True),
        ("limit=1", True),
        ("theme=1taal", False),  # a slug starts with a letter
        ("max_hops=5", False),
        ("limit=true", False),  # 'true' is no integer
        ("limit=1.5", False),
        ("kind=alien", False),
    ],
)
def test_a_negative_case_is_judged_by_what_reached_the_server(
    openapi: dict, query: str, conforms: bool
) -> None:
    url = f"/api/v1/networks/n1/actors/a1/suggestions?{query}"
    assert _judge(openapi, SUGGESTIONS, url) is conforms


def test_hostile_strings_are_planted_in_values_and_keys() -> None:
    from tests.fuzzing import HOSTILE, _spoil, _spots

    body = {"name": "Anna", "attributes": {"kleur": "rood"}, "themes": ["taal"]}
    spots = _spots(body)
    assert (("attributes", "kleur"), True) in spots and (("themes", 0), False) in spots
    spoiled = _spoil(body, (("attributes", "kleur"), True), "\x00")
    assert "kl\x00ur" in spoiled["attributes"] and body["attributes"] == {"kleur": "rood"}
    assert _spoil(body, (("name",), False), "\ufffe")["name"] == "An\ufffea"
    assert {"\x00", "\ufffe", "\uffff"} <= set(HOSTILE)
