"""CRUD of networks, actors and ties through HTTP, and the revision that every write bumps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth


def _actor(client: TestClient, nid: str, headers: dict[str, str], **body: object) -> dict:
    body.setdefault("kind", "resident")
    body.setdefault("name", "Fatima")
    r = client.post(f"/api/v1/networks/{nid}/actors", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _revision(client: TestClient, nid: str, headers: dict[str, str]) -> int:
    return int(client.get(f"/api/v1/networks/{nid}", headers=headers).json()["revision"])


def test_health_needs_no_database_and_ready_checks_migrations(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/ready")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "database": True,
        "migrations_current": True,
        "redis": "off",
    }


def test_actor_lifecycle(client: TestClient, admin: dict[str, str], network: str) -> None:
    rev0 = _revision(client, network, admin)
    a = _actor(
        client,
        network,
        admin,
        name="Fatima El Amrani",
        area="BU03630001",
        languages=["NL", "ar"],
        assets=["Koken", "taal"],
        needs=["geldzaken"],
        attributes={"age_band": "35-49"},
    )
    assert a["languages"] == ["nl", "ar"]
    assert a["assets"] == ["koken", "taal"]
    assert a["consent"] == "unknown"  # default for persons
    assert len(a["id"]) >= 16 and not a["id"].isdigit()
    assert _revision(client, network, admin) == rev0 + 1

    url = f"/api/v1/networks/{network}/actors/{a['id']}"
    r = client.patch(url, json={"needs": ["geldzaken", "werk"], "consent": "given"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["needs"] == ["geldzaken", "werk"]
    assert r.json()["consent"] == "given" and r.json()["consent_basis"] == "consent"
    assert r.json()["consent_set_at"] is not None
    assert client.get(url, headers=admin).json()["name"] == "Fatima El Amrani"
    assert _revision(client, network, admin) == rev0 + 2

    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404


def test_organisation_carries_no_consent(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    org = _actor(client, network, admin, kind="organisation", name="Buurtwerk Noord")
    assert org["consent"] is None
    r = client.post(
        f"/api/v1/networks/{network}/actors",
        json={"kind": "place", "name": "Buurthuis", "consent": "given"},
        headers=admin,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "consent"


def test_ties_and_cascade_on_actor_delete(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    a = _actor(client, network, admin, name="Anna")
    b = _actor(client, network, admin, name="Bram")
    c = _actor(client, network, admin, kind="initiative", name="Taalcafé")
    base = f"/api/v1/networks/{network}/ties"
    r = client.post(
        base,
        json={
            "source": a["id"],
            "target": b["id"],
            "kind": "neighbour",
            "strength": 4,
            "support": ["practical", "company"],
            "since": "2021-03-01",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    tie = r.json()
    assert tie["source"] == a["id"] and tie["directed"] is False
    assert tie["support"] == ["company", "practical"]
    r = client.post(
        base, json={"source": a["id"], "target": c["id"], "kind": "participates_in"}, headers=admin
    )
    assert r.status_code == 201
    # the same open symmetric tie the other way round is a duplicate
    r = client.post(
        base, json={"source": b["id"], "target": a["id"], "kind": "neighbour"}, headers=admin
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")

    r = client.patch(
        f"{base}/{tie['id']}", json={"until": "2024-01-01", "strength": 2}, headers=admin
    )
    assert r.status_code == 200 and r.json()["until"] == "2024-01-01"
    listed = client.get(base, params={"actor": a["id"]}, headers=admin).json()["items"]
    assert len(listed) == 2
    active = client.get(base, params={"active_on": "2025-01-01"}, headers=admin).json()
    assert [t["kind"] for t in active["items"]] == ["participates_in"]

    assert (
        client.delete(f"/api/v1/networks/{network}/actors/{a['id']}", headers=admin).status_code
        == 204
    )
    assert client.get(base, headers=admin).json()["items"] == []


def test_filters_and_cursor_pagination(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    for i in range(7):
        _actor(
            client,
            network,
            admin,
            name=f"Bewoner {i}",
            area="Kerkstraat",
            needs=["taal"] if i % 2 else [],
            assets=["klussen"] if i == 3 else [],
        )
    _actor(client, network, admin, kind="place", name="Bibliotheek West", assets=["taal"])
    base = f"/api/v1/networks/{network}/actors"
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get(base, params=params, headers=admin).json()
        assert len(page["items"]) <= 3
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8

    def names(**params: object) -> list[str]:
        return sorted(
            a["name"] for a in client.get(base, params=params, headers=admin).json()["items"]
        )

    assert names(theme="taal") == ["Bewoner 1", "Bewoner 3", "Bewoner 5", "Bibliotheek West"]
    assert names(kind="place") == ["Bibliotheek West"]
    assert names(q="bewoner 4") == ["Bewoner 4"]
    assert names(q="%") == []  # LIKE wildcards are literal
    assert len(names(area="Kerkstraat")) == 7
    assert names(theme="klussen") == ["Bewoner 3"]
    r = client.get(base, params={"cursor": "!!not-a-cursor"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


def test_page_size_is_capped(client: TestClient, admin: dict[str, str], network: str, app) -> None:  # type: ignore[no-untyped-def]
    cap = app.state.settings.page_size_max
    r = client.get(f"/api/v1/networks/{network}/actors", params={"limit": cap * 10}, headers=admin)
    assert r.status_code == 200  # capped, not refused
    assert (
        client.get(
            f"/api/v1/networks/{network}/actors", params={"limit": 0}, headers=admin
        ).status_code
        == 422
    )


def test_network_update_delete_and_tokens_via_api(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    r = client.patch(
        f"/api/v1/networks/{network}",
        json={"small_cell_threshold": 10, "area_code": "bu03630000"},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["area_code"] == "BU03630000"
    r = client.post(
        "/api/v1/tokens",
        json={"role": "broker", "name": "Sanne", "networks": [network]},
        headers=admin,
    )
    assert r.status_code == 201
    issued = r.json()
    broker = auth(issued["secret"])
    assert client.get(f"/api/v1/networks/{network}", headers=broker).status_code == 200
    listed = client.get("/api/v1/tokens", params={"limit": 500}, headers=admin).json()
    assert all("secret" not in t for t in listed["items"])
    assert client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/networks/{network}", headers=broker).status_code == 401

    assert client.delete(f"/api/v1/networks/{network}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/networks/{network}", headers=admin).status_code == 404
