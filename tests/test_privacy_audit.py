"""Audit log, erasure, consent presentation, rate limits, security headers, and logs that
never hold personal data."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from netwerk import cache
from netwerk.config import Settings
from netwerk.store import delta
from netwerk.suggest import kept
from tests.conftest import auth


def _person(client: TestClient, nid: str, headers: dict, name: str, **kw: object) -> str:
    r = client.post(
        f"/api/v1/networks/{nid}/actors",
        json={"kind": "resident", "name": name, **kw},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_reads_and_writes_are_audited_without_data(
    client: TestClient, admin: dict, network: str, make_token: Callable[..., str]
) -> None:
    broker = auth(make_token("broker", [network]))
    pid = _person(client, network, broker, "Yusuf Demir", note="heeft schulden")
    client.get(f"/api/v1/networks/{network}/actors", headers=broker)
    client.get(f"/api/v1/networks/{network}/actors/{pid}", headers=broker)
    extract = client.get(f"/api/v1/networks/{network}/actors/{pid}/audit", headers=admin)
    assert extract.status_code == 200
    entries = extract.json()["items"]
    assert [e["action"] for e in entries] == ["read", "read", "write"]
    assert all(e["role"] == "broker" and pid in e["object_ids"] for e in entries)
    assert {e["route"] for e in entries} == {
        "/api/v1/networks/{nid}/actors/{aid}",
        "/api/v1/networks/{nid}/actors",
    }
    everything = client.get(
        "/api/v1/audit", params={"network": network, "limit": 500}, headers=admin
    ).text
    assert "Yusuf" not in everything and "schulden" not in everything
    assert client.get("/api/v1/audit", headers=broker).status_code == 403
    writes = client.get(
        "/api/v1/audit", params={"network": network, "action": "write"}, headers=admin
    ).json()["items"]
    assert writes and all(e["action"] == "write" for e in writes)


def test_erasure_leaves_no_trace(
    client: TestClient, admin: dict, network: str, engine: sa.Engine
) -> None:
    pid = _person(client, network, admin, "Erik Verdwijn", note="privé")
    other = _person(client, network, admin, "Blijft")
    r = client.post(
        f"/api/v1/networks/{network}/ties",
        json={"source": pid, "target": other, "kind": "friend"},
        headers=admin,
    )
    tie_id = r.json()["id"]
    client.get(f"/api/v1/networks/{network}/actors/{pid}", headers=admin)
    # fill the caches with results that contain the person
    for route in ("summary", "gaps", "key-figures", "communities"):
        assert (
            client.get(f"/api/v1/networks/{network}/analysis/{route}", headers=admin).status_code
            == 200
        )
    assert any(pid in repr(v) for v in cache.snapshot_cache._data.values())
    with engine.connect() as conn:  # the change log names the person until the erasure
        assert pid in repr(conn.execute(sa.text("SELECT * FROM changes")).fetchall())
    assert any(pid in s.ids for s, _ in delta._HELD.values())
    # the kept suggestion model (issue 12, local) holds the person too
    assert (
        client.get(
            f"/api/v1/networks/{network}/actors/{other}/suggestions", headers=admin
        ).status_code
        == 200
    )
    assert any(pid in m.ids for m in kept.kept_models(network))
    assert (
        client.delete(f"/api/v1/networks/{network}/actors/{pid}", headers=admin).status_code == 204
    )
    assert not kept.kept_models(network)
    for store in (cache.snapshot_cache, cache.result_cache):
        assert not any(pid in repr(k) + repr(v) for k, v in store._data.items())
    assert not any(pid in s.ids for s, _ in delta._HELD.values())  # kept to advance
    assert pid not in client.get(f"/api/v1/networks/{network}/analysis/gaps", headers=admin).text
    for params in (
        {"format": "graphml"},
        {"format": "json"},
        {"format": "gexf"},
        {"format": "csv", "table": "actors"},
        {"format": "csv", "table": "ties"},
    ):
        exported = client.get(f"/api/v1/networks/{network}/export", params=params, headers=admin)

        assert exported.status_code == 200
        assert pid.encode() not in exported.content
        assert b"Erik Verdwijn" not in exported.content

    # the next snapshot (loaded afresh: the erasure's log row names nobody) has no trace
    assert pid not in client.get(f"/api/v1/networks/{network}/analysis/summary", headers=admin).text
    assert not any(pid in s.ids for s, _ in delta._HELD.values())
    client.get(f"/api/v1/networks/{network}/actors/{other}/suggestions", headers=admin)
    assert not any(pid in m.ids for m in kept.kept_models(network))  # refitted without
    with engine.connect() as conn:
        assert "changes" in sa.inspect(engine).get_table_names()
        for table in sa.inspect(engine).get_table_names():
            if table == "alembic_version":
                continue
            rows = conn.execute(sa.text(f"SELECT * FROM {table}")).fetchall()
            blob = repr(rows)
            assert "Erik Verdwijn" not in blob, table
            assert pid not in blob, table
            assert tie_id not in blob or table == "audit_objects", table
    erasures = client.get(
        "/api/v1/audit", params={"action": "erasure", "network": network}, headers=admin
    ).json()["items"]
    assert len(erasures) == 1 and erasures[0]["object_ids"] == []


def test_withdrawn_consent_shows_a_pseudonym_to_brokers(
    client: TestClient, admin: dict, network: str
) -> None:
    pid = _person(
        client,
        network,
        admin,
        "Mira Janssen",
        consent="withdrawn",
        area="Kerkstraat",
        needs=["taal"],
        note="x",
    )
    got = client.get(f"/api/v1/networks/{network}/actors/{pid}", headers=admin).json()
    assert got["name"].startswith("Anoniem ") and "Mira" not in str(got)
    assert got["area"] is None and got["needs"] == [] and got["note"] is None
    en = client.get(
        f"/api/v1/networks/{network}/actors/{pid}", headers=admin | {"Accept-Language": "en"}
    ).json()
    assert en["name"].startswith("Anonymous ")
    listed = client.get(
        f"/api/v1/networks/{network}/actors", params={"q": "Mira"}, headers=admin
    ).json()["items"]
    assert all("Mira" not in a["name"] for a in listed)


def test_rate_limit_holds_across_workers_with_redis(
    engine: sa.Engine, settings: Settings, make_token: Callable[..., str]
) -> None:
    import redis

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    shared = settings.model_copy(update={"redis_url": url, "rate_limit_per_minute": 6})
    one, two = create_app(shared, engine=engine), create_app(shared, engine=engine)
    headers = auth(make_token("admin"))
    codes = []
    with TestClient(one) as c1, TestClient(two) as c2:
        for i in range(8):
            codes.append((c1 if i % 2 else c2).get("/api/v1/networks", headers=headers))
    assert [r.status_code for r in codes[:6]] == [200] * 6
    assert [r.status_code for r in codes[6:]] == [429, 429]
    assert int(codes[-1].headers["retry-after"]) > 0


def test_security_headers_and_no_cors_by_default(client: TestClient, admin: dict) -> None:
    r = client.get("/api/v1/networks", headers=admin | {"Origin": "https://evil.example"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in r.headers


def test_logs_hold_no_personal_data(
    client: TestClient, admin: dict, network: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pid = _person(client, network, admin, "Geheime Naam", note="gevoelige notitie")
    client.get(f"/api/v1/networks/{network}/actors", params={"q": "Geheime"}, headers=admin)
    client.patch(
        f"/api/v1/networks/{network}/actors/{pid}", json={"name": "Nog Geheimer"}, headers=admin
    )
    client.post(
        f"/api/v1/networks/{network}/actors", json={"kind": "x", "name": "Lek Naam"}, headers=admin
    )
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in server)
    assert any(r.name == "netwerk.access" for r in server), "the access log wrote nothing"
    for secret in ("Geheime", "gevoelige", "Geheimer", "Lek Naam"):
        assert secret not in text


def test_listing_ties_audits_the_actors_seen(client: TestClient, admin: dict, network: str) -> None:
    a = _person(client, network, admin, "Een")
    b = _person(client, network, admin, "Twee")
    client.post(
        f"/api/v1/networks/{network}/ties",
        json={"source": a, "target": b, "kind": "friend"},
        headers=admin,
    )
    client.get(f"/api/v1/networks/{network}/ties", headers=admin)
    reads = client.get(
        "/api/v1/audit", params={"object": b, "action": "read"}, headers=admin
    ).json()["items"]
    assert [e["route"] for e in reads] == ["/api/v1/networks/{nid}/ties"]


def test_a_slow_analysis_is_accepted_and_a_slow_activation_is_a_503_problem(
    engine: sa.Engine,
    settings: Settings,
    network: str,
    admin: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from netwerk.analysis import service
    from netwerk.suggest import service as suggest_service

    real = service.brokers
    real_plan = suggest_service.activation

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)  # longer than the limit below, whatever the machine's speed
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def slow_plan(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)
        return real_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "brokers", slow)
    monkeypatch.setattr(suggest_service, "activation", slow_plan)
    impatient = settings.model_copy(update={"analysis_timeout_s": 0.05})
    with TestClient(create_app(impatient, engine=engine)) as c:
        c.post(
            f"/api/v1/networks/{network}/actors", json={"kind": "place", "name": "P"}, headers=admin
        )
        r = c.get(
            f"/api/v1/networks/{network}/analysis/brokers", params={"seed": 12345}, headers=admin
        )
        assert r.status_code == 202  # a GET goes on, with a status URL (tests/test_api_jobs.py)
        assert r.headers["location"].startswith(f"/api/v1/networks/{network}/jobs/")
        # a POST has no status URL (its body would have to be in it): 503, repeat it
        r = c.post(
            f"/api/v1/networks/{network}/activations",
            json={"area": "Westerstraat", "themes": ["taal"]},
            headers=admin,
        )
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        assert "achtergrond" in r.json()["detail"]
