"""Two networks, two tokens: no read or write crosses between them on any route, and each
role sees only what DESIGN.md section 2 allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth


@pytest.fixture
def world(client: TestClient, admin: dict[str, str], make_token: Callable[..., str]) -> dict:
    out: dict = {}
    for key in ("a", "b"):
        nid = client.post("/api/v1/networks", json={"name": f"Wijk {key}"}, headers=admin).json()[
            "id"
        ]
        p = client.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "resident", "name": f"Geheim {key}"},
            headers=admin,
        ).json()["id"]
        q = client.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "organisation", "name": f"Org {key}"},
            headers=admin,
        ).json()["id"]
        t = client.post(
            f"/api/v1/networks/{nid}/ties",
            json={"source": p, "target": q, "kind": "knows"},
            headers=admin,
        ).json()["id"]
        out[key] = {
            "nid": nid,
            "person": p,
            "org": q,
            "tie": t,
            "broker": auth(make_token("broker", [nid])),
            "viewer": auth(make_token("viewer", [nid])),
            "researcher": auth(make_token("researcher", [nid])),
        }
    return out


def _requests(target: dict, own: dict) -> list[tuple[str, str, dict | None]]:
    """Every network route, aimed at ``target``'s objects."""
    n = target["nid"]
    return [
        ("GET", f"/api/v1/networks/{n}", None),
        ("PATCH", f"/api/v1/networks/{n}", {"name": "overgenomen"}),
        ("DELETE", f"/api/v1/networks/{n}", None),
        ("GET", f"/api/v1/networks/{n}/actors", None),
        ("POST", f"/api/v1/networks/{n}/actors", {"kind": "resident", "name": "indringer"}),
        ("GET", f"/api/v1/networks/{n}/actors/{target['person']}", None),
        ("PATCH", f"/api/v1/networks/{n}/actors/{target['person']}", {"name": "x"}),
        ("DELETE", f"/api/v1/networks/{n}/actors/{target['person']}", None),
        ("GET", f"/api/v1/networks/{n}/ties", None),
        (
            "POST",
            f"/api/v1/networks/{n}/ties",
            {"source": target["person"], "target": target["org"], "kind": "friend"},
        ),
        ("GET", f"/api/v1/networks/{n}/ties/{target['tie']}", None),
        ("PATCH", f"/api/v1/networks/{n}/ties/{target['tie']}", {"strength": 1}),
        ("DELETE", f"/api/v1/networks/{n}/ties/{target['tie']}", None),
        # objects of the other network addressed through the caller's own network
        ("GET", f"/api/v1/networks/{own['nid']}/actors/{target['person']}", None),
        ("PATCH", f"/api/v1/networks/{own['nid']}/actors/{target['person']}", {"name": "x"}),
        ("DELETE", f"/api/v1/networks/{own['nid']}/actors/{target['person']}", None),
        ("GET", f"/api/v1/networks/{own['nid']}/ties/{target['tie']}", None),
        ("DELETE", f"/api/v1/networks/{own['nid']}/ties/{target['tie']}", None),
        (
            "POST",
            f"/api/v1/networks/{own['nid']}/ties",
            {"source": own["person"], "target": target["person"], "kind": "friend"},
        ),
    ]


@pytest.mark.parametrize("role", ["broker", "viewer", "researcher"])
def test_no_route_crosses_networks(
    client: TestClient, admin: dict[str, str], world: dict, role: str
) -> None:
    a, b = world["a"], world["b"]
    before = client.get(f"/api/v1/networks/{b['nid']}", headers=admin).json()["revision"]
    for method, url, body in _requests(b, a):
        r = client.request(method, url, json=body, headers=a[role])
        assert r.status_code in (403, 404, 422), (role, method, url, r.status_code)
        assert "Geheim b" not in r.text and "Org b" not in r.text
        assert set(r.json()) >= {"type", "title", "status", "detail"}  # a problem, no data
    after = client.get(f"/api/v1/networks/{b['nid']}", headers=admin).json()
    assert after["revision"] == before and after["name"] == "Wijk b"
    listed = client.get("/api/v1/networks", headers=a[role]).json()["items"]
    assert [n["id"] for n in listed] == [a["nid"]]


def test_roles_within_own_network(client: TestClient, world: dict) -> None:
    a = world["a"]
    n = a["nid"]
    # broker: full person-level access to its own network
    assert (
        client.get(f"/api/v1/networks/{n}/actors/{a['person']}", headers=a["broker"]).status_code
        == 200
    )
    assert (
        client.patch(f"/api/v1/networks/{n}", json={"name": "x"}, headers=a["broker"]).status_code
        == 403
    )
    assert (
        client.post("/api/v1/networks", json={"name": "x"}, headers=a["broker"]).status_code == 403
    )
    assert client.get("/api/v1/tokens", headers=a["broker"]).status_code == 403
    # viewer: organisations, initiatives and places only; never persons or ties
    r = client.get(f"/api/v1/networks/{n}/actors", headers=a["viewer"])
    assert [x["name"] for x in r.json()["items"]] == ["Org a"]
    r = client.get(f"/api/v1/networks/{n}/actors", params={"kind": "resident"}, headers=a["viewer"])
    assert r.json()["items"] == []
    assert (
        client.get(f"/api/v1/networks/{n}/actors/{a['person']}", headers=a["viewer"]).status_code
        == 404
    )
    assert client.get(f"/api/v1/networks/{n}/ties", headers=a["viewer"]).status_code == 403
    assert (
        client.post(
            f"/api/v1/networks/{n}/actors", json={"kind": "place", "name": "p"}, headers=a["viewer"]
        ).status_code
        == 403
    )
    # researcher: no person-level routes (the export is theirs)
    assert client.get(f"/api/v1/networks/{n}/actors", headers=a["researcher"]).status_code == 403


def test_missing_bad_revoked_and_expired_tokens(
    client: TestClient, world: dict, make_token: Callable[..., str]
) -> None:
    import datetime as dt

    url = f"/api/v1/networks/{world['a']['nid']}/actors"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nw_guess"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
    r = client.get(url)
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/problem+json"
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    secret = make_token("broker", [world["a"]["nid"]], expires_at=soon)
    import time

    time.sleep(1.2)
    assert client.get(url, headers=auth(secret)).status_code == 401
