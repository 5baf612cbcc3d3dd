"""Settings are passed, not fetched: every app made by ``create_app(settings)`` behaves by its
own settings, also beside another app with other settings in the same process, and nothing
below the API and the CLI entry points reads the global settings."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from netwerk import cache
from netwerk.config import Settings
from tests.conftest import auth

ROOT = Path(__file__).resolve().parents[1]
# The entry points: the app factory and the command line (and the migrations' own env).
MAY_READ_SETTINGS = {
    "api/app.py",
    "netwerk/cli/admin.py",
    "netwerk/cli/ops.py",
    "netwerk/cli/work.py",
    "netwerk/cli/database.py",
    "netwerk/config.py",
}


@pytest.fixture
def two_apps(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """App ``small`` samples betweenness above 10 actors and takes imports of at most
    1,000 bytes; app ``large`` has the defaults (5,000 actors, 200 MB)."""
    small = create_app(
        settings.model_copy(update={"exact_betweenness_max": 10, "max_import_bytes": 1_000}),
        engine=engine,
    )
    large = create_app(settings, engine=engine)
    with (
        TestClient(small, raise_server_exceptions=False) as a,
        TestClient(large, raise_server_exceptions=False) as b,
    ):
        yield a, b


@pytest.fixture
def ring(client: TestClient, make_token: Callable[..., str]) -> dict[str, Any]:
    """A ring of 16 residents with two chords: more than 10 actors, far fewer than 5,000."""
    admin = auth(make_token("admin"))
    nid = client.post("/api/v1/networks", json={"name": "Ringwijk"}, headers=admin).json()["id"]
    ids = [
        client.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "resident", "name": f"Bewoner {i}", "consent": "given"},
            headers=admin,
        ).json()["id"]
        for i in range(16)
    ]
    pairs = [(i, (i + 1) % 16) for i in range(16)] + [(0, 8), (4, 12)]
    for a, b in pairs:
        r = client.post(
            f"/api/v1/networks/{nid}/ties",
            json={"source": ids[a], "target": ids[b], "kind": "knows"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
    return {"nid": nid, "admin": admin, "broker": auth(make_token("broker", [nid]))}


def test_each_app_samples_betweenness_by_its_own_setting(
    two_apps: tuple[TestClient, TestClient], ring: dict[str, Any]
) -> None:
    small, large = two_apps
    url = f"/api/v1/networks/{ring['nid']}/analysis/centrality"
    for _ in range(2):  # the second round comes from the cache: still each app's own answer
        sampled = small.get(url, params={"measure": "betweenness"}, headers=ring["broker"])
        exact = large.get(url, params={"measure": "betweenness"}, headers=ring["broker"])
        assert sampled.status_code == exact.status_code == 200, (sampled.text, exact.text)
        assert sampled.json()["sampling"] is not None
        assert exact.json()["sampling"] is None
    summary = f"/api/v1/networks/{ring['nid']}/analysis/summary"
    a = small.get(summary, headers=ring["broker"]).json()
    b = large.get(summary, headers=ring["broker"]).json()
    assert a["provenance"]["parameters"]["exact_max"] == 10
    assert b["provenance"]["parameters"]["exact_max"] == 5_000


def test_each_app_caps_imports_by_its_own_setting(
    two_apps: tuple[TestClient, TestClient], ring: dict[str, Any]
) -> None:
    small, large = two_apps
    rows = "".join(f"r{i},Bewoner met een lange naam {i},resident\n" for i in range(60))
    body = ("Id,Label,Type\n" + rows).encode()
    assert 1_000 < len(body) < 5_000
    url = f"/api/v1/networks/{ring['nid']}/import"
    params = {"format": "csv", "table": "actors", "dry_run": True}
    refused = small.post(url, params=params, content=body, headers=ring["admin"])
    taken = large.post(url, params=params, content=body, headers=ring["admin"])
    assert refused.status_code == 413, refused.text
    assert taken.status_code == 200, taken.text
    assert taken.json()["actors"]["read"] == 60


def test_create_app_sizes_the_caches(engine: Engine, settings: Settings) -> None:
    try:
        create_app(
            settings.model_copy(update={"snapshot_cache_size": 3, "result_cache_size": 17}),
            engine=engine,
        )
        assert cache.stats()["snapshots"].maxsize == 3
        assert cache.stats()["results"].maxsize == 17
    finally:
        create_app(settings, engine=engine)
    assert cache.stats()["results"].maxsize == settings.result_cache_size


def test_only_the_entry_points_read_the_global_settings() -> None:
    readers = set()
    for path in [*ROOT.joinpath("netwerk").rglob("*.py"), *ROOT.joinpath("api").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                if name == "get_settings":
                    readers.add(path.relative_to(ROOT).as_posix())
    assert readers <= MAY_READ_SETTINGS, sorted(readers - MAY_READ_SETTINGS)
    assert "netwerk/analysis/service.py" not in readers and "netwerk/cache.py" not in readers


def test_production_refuses_to_start_without_a_pseudonym_key(engine: Engine) -> None:
    from netwerk.config import ConfigurationError

    bare = Settings(_env_file=None, environment="production", pseudonym_key=None)
    assert not bare.has_pseudonym_key
    with pytest.raises(ConfigurationError, match="NETWERK_PSEUDONYM_KEY"):
        create_app(bare, engine=engine)
    # elsewhere a key is generated, so every role works right after `netwerk demo`
    create_app(bare.model_copy(update={"environment": "development"}), engine=engine)
