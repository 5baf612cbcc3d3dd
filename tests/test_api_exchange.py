"""Export and import through HTTP: roles, pseudonymised research exports, all-or-nothing
imports with row errors."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from netwerk.config import Settings
from tests.conftest import auth


@pytest.fixture
def small(client: TestClient, admin: dict, make_token: Callable[..., str]) -> dict:
    nid = client.post("/api/v1/networks", json={"name": "Exportwijk"}, headers=admin).json()["id"]
    ids = {}
    for name, kind, consent in (
        ("Anna de Vries", "resident", "given"),
        ("Bilal Yilmaz", "resident", "given"),
        ("Cora Geheim", "resident", "unknown"),
        ("Taalcafé De Brug", "initiative", None),
    ):
        body = {"kind": kind, "name": name, "area": "Kerkstraat", "note": "privé notitie"}
        if consent:
            body["consent"] = consent
        ids[name] = client.post(f"/api/v1/networks/{nid}/actors", json=body, headers=admin).json()[
            "id"
        ]
    for a, b in (
        ("Anna de Vries", "Bilal Yilmaz"),
        ("Anna de Vries", "Taalcafé De Brug"),
        ("Cora Geheim", "Bilal Yilmaz"),
    ):
        client.post(
            f"/api/v1/networks/{nid}/ties",
            headers=admin,
            json={"source": ids[a], "target": ids[b], "kind": "knows"},
        )
    return {
        "nid": nid,
        "ids": ids,
        "broker": auth(make_token("broker", [nid])),
        "viewer": auth(make_token("viewer", [nid])),
        "r1": auth(make_token("researcher", [nid])),
        "r2": auth(make_token("researcher", [nid])),
    }


def _export(client: TestClient, small: dict, who: str, **params: object):
    return client.get(f"/api/v1/networks/{small['nid']}/export", params=params, headers=small[who])


def test_broker_export_is_complete_and_readable_by_networkx(
    client: TestClient, small: dict
) -> None:
    r = _export(client, small, "broker", format="graphml", include="communities")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].endswith('.graphml"')
    g = nx.read_graphml(io.BytesIO(r.content))
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert "Anna de Vries" in r.text
    assert _export(client, small, "viewer").status_code == 403


def test_research_export_has_no_names_and_unlinkable_pseudonyms(
    client: TestClient, small: dict
) -> None:
    one = _export(client, small, "r1", format="json")
    two = _export(client, small, "r2", format="json")
    again = _export(client, small, "r1", format="json")
    assert one.status_code == two.status_code == 200
    for text in (one.text, two.text):
        for secret in (*small["ids"], "Anna", "Bilal", "Cora", "Taalcafé", "privé", "Kerkstraat"):
            assert secret not in text
    nodes1 = {n["id"] for n in one.json()["nodes"]}
    nodes2 = {n["id"] for n in two.json()["nodes"]}
    assert len(nodes1) == 3  # Cora (consent unknown) is left out
    assert nodes1.isdisjoint(nodes2)
    assert nodes1 == {n["id"] for n in again.json()["nodes"]}  # stable per researcher
    assert len(one.json()["edges"]) == 2


def test_research_export_without_a_configured_key_uses_a_generated_key_file(
    engine, settings: Settings, small: dict, tmp_path
) -> None:
    """Outside production a key is generated once into the data folder (mode 0600, never in
    the database), so research exports work right after `netwerk demo`."""
    keyless = settings.model_copy(
        update={"pseudonym_key": None, "pseudonym_key_file": None, "data_dir": tmp_path}
    )
    url = f"/api/v1/networks/{small['nid']}/export"
    with TestClient(create_app(keyless, engine=engine)) as c:
        first = c.get(url, headers=small["r1"], params={"format": "json"})
    key_file = tmp_path / "pseudonym.key"
    assert first.status_code == 200, first.text
    assert key_file.stat().st_mode & 0o777 == 0o600
    secret = key_file.read_text().strip()
    assert len(secret) >= 32
    with TestClient(create_app(keyless, engine=engine)) as c:  # a restart keeps the key
        again = c.get(url, headers=small["r1"], params={"format": "json"})
    assert key_file.read_text().strip() == secret
    assert {n["id"] for n in first.json()["nodes"]} == {n["id"] for n in again.json()["nodes"]}
    with engine.connect() as conn:  # never in the database
        import sqlalchemy as sa

        for table in ("networks", "actors", "tokens"):
            dump = str(conn.execute(sa.text(f"SELECT * FROM {table}")).all())
            assert secret not in dump


def test_production_without_a_key_refuses_to_start(engine, settings: Settings) -> None:
    from netwerk.config import ConfigurationError

    prod = settings.model_copy(
        update={"environment": "production", "pseudonym_key": None, "pseudonym_key_file": None}
    )
    with pytest.raises(ConfigurationError, match="NETWERK_PSEUDONYM_KEY"):
        create_app(prod, engine=engine)
    configured = prod.model_copy(update={"pseudonym_key": "k" * 32})
    assert create_app(configured, engine=engine) is not None


def test_research_export_with_a_short_key_is_a_clear_503(
    engine, settings: Settings, small: dict
) -> None:
    short = settings.model_copy(update={"pseudonym_key": "short", "pseudonym_key_file": None})
    with TestClient(create_app(short, engine=engine)) as c:
        r = c.get(f"/api/v1/networks/{small['nid']}/export", headers=small["r1"])
    assert r.status_code == 503 and "pseudonimiseringssleutel" in r.json()["detail"]


def test_import_round_trip_dry_run_and_errors(client: TestClient, admin: dict, small: dict) -> None:
    csv = _export(client, small, "broker", format="csv")
    assert zipfile.ZipFile(io.BytesIO(csv.content)).namelist() == ["actors.csv", "ties.csv"]
    target = client.post("/api/v1/networks", json={"name": "Kopie"}, headers=admin).json()
    url = f"/api/v1/networks/{target['id']}/import"
    dry = client.post(
        url, params={"format": "csv", "dry_run": True}, content=csv.content, headers=admin
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["actors"]["read"] == 4 and dry.json()["dry_run"] is True
    assert (
        client.get(f"/api/v1/networks/{target['id']}/actors", headers=admin).json()["items"] == []
    )
    real = client.post(url, params={"format": "csv"}, content=csv.content, headers=admin)
    assert real.status_code == 200 and real.json()["actors"]["created"] == 4
    assert real.json()["ties"]["created"] == 3

    bad = b"Id,Label,Type\n1,Een,resident\n2,Twee,alien\n"
    before = client.get(f"/api/v1/networks/{target['id']}", headers=admin).json()["revision"]
    r = client.post(url, params={"format": "csv", "table": "actors"}, content=bad, headers=admin)
    assert r.status_code == 422
    # rows count as a spreadsheet shows them: the header is row 1
    assert any(e.get("row") == 3 for e in r.json()["errors"]), r.json()

    after = client.get(f"/api/v1/networks/{target['id']}", headers=admin).json()["revision"]
    assert after == before
    r = client.post(
        url,
        params={"format": "graphml"},
        headers=admin,
        content=(
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<graphml><graph><node id='&b;'/></graph></graphml>"
        ),
    )
    assert r.status_code in (400, 413, 422)
    assert client.post(
        url, params={"format": "csv"}, content=b"x", headers=small["viewer"]
    ).status_code in (403, 404)
    assert (
        client.post(
            url, params={"format": "csv", "mapping": "{nope"}, content=b"x", headers=admin
        ).status_code
        == 422
    )
