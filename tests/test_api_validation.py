"""Every validation case of the foundation issue: a 4xx problem naming the field, nothing
written (the network's revision and its actor and tie counts are unchanged)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def _state(client: TestClient, nid: str, admin: dict[str, str]) -> tuple[int, int, int]:
    rev = client.get(f"/api/v1/networks/{nid}", headers=admin).json()["revision"]
    actors = client.get(
        f"/api/v1/networks/{nid}/actors", params={"limit": 500}, headers=admin
    ).json()["items"]
    ties = client.get(f"/api/v1/networks/{nid}/ties", params={"limit": 500}, headers=admin).json()[
        "items"
    ]
    return rev, len(actors), len(ties)


@pytest.fixture
def two_actors(client: TestClient, admin: dict[str, str], network: str) -> tuple[str, str]:
    ids = []
    for name in ("Anna", "Bram"):
        r = client.post(
            f"/api/v1/networks/{network}/actors",
            json={"kind": "resident", "name": name},
            headers=admin,
        )
        ids.append(r.json()["id"])
    return ids[0], ids[1]


ACTOR_CASES = [
    ({"kind": "alien", "name": "X"}, "kind"),
    ({"kind": "resident"}, "name"),
    ({"kind": "resident", "name": ""}, "name"),
    ({"kind": "resident", "name": "x" * 201}, "name"),
    ({"kind": "resident", "name": "X", "area": "WK0363"}, "area"),
    ({"kind": "resident", "name": "X", "area": "BU036300"}, "area"),
    ({"kind": "resident", "name": "X", "area": "<script>"}, "area"),
    ({"kind": "resident", "name": "X", "area": "s" * 81}, "area"),
    ({"kind": "resident", "name": "X", "needs": ["Taal!"]}, "needs[0]"),
    ({"kind": "resident", "name": "X", "needs": [f"t{i}" for i in range(31)]}, "needs"),
    ({"kind": "resident", "name": "X", "languages": ["dutch"]}, "languages[0]"),
    ({"kind": "resident", "name": "X", "consent": "maybe"}, "consent"),
    ({"kind": "organisation", "name": "X", "consent": "given"}, "consent"),
    ({"kind": "resident", "name": "X", "note": "n" * 2001}, "note"),
    (
        {"kind": "resident", "name": "X", "attributes": {f"k{i}": i for i in range(51)}},
        "attributes",
    ),
    ({"kind": "resident", "name": "X", "attributes": {"a": {"nested": 1}}}, "attributes.a"),
    ({"kind": "resident", "name": "X", "shoe_size": 44}, "shoe_size"),
    ({"kind": "resident", "name": "Bad\x00name"}, "name"),
    ({"kind": "resident", "name": "X", "attributes": {"a": "bell\x07"}}, "attributes.a"),
]


@pytest.mark.parametrize(("body", "field"), ACTOR_CASES)
def test_invalid_actor_is_refused_and_nothing_written(
    client: TestClient, admin: dict[str, str], network: str, body: dict, field: str
) -> None:
    before = _state(client, network, admin)
    r = client.post(f"/api/v1/networks/{network}/actors", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 422 and problem["detail"]
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert _state(client, network, admin) == before


def _tie_cases(a: str, b: str, foreign: str) -> list[tuple[dict, str]]:
    return [
        ({"source": a, "target": b, "kind": "enemy"}, "kind"),
        ({"source": a, "target": b, "kind": "knows", "strength": 0}, "strength"),
        ({"source": a, "target": b, "kind": "knows", "strength": 6}, "strength"),
        ({"source": a, "target": b, "kind": "knows", "strength": "3.5"}, "strength"),
        ({"source": a, "target": a, "kind": "knows"}, "target"),
        ({"source": a, "target": foreign, "kind": "knows"}, "target"),
        ({"source": "doesnotexist00", "target": b, "kind": "knows"}, "source"),
        (
            {
                "source": a,
                "target": b,
                "kind": "knows",
                "since": "2024-05-01",
                "until": "2023-01-01",
            },
            "until",
        ),
        ({"source": a, "target": b, "kind": "knows", "since": "2024-13-01"}, "since"),
        ({"source": a, "target": b, "kind": "knows", "support": ["money"]}, "support[0]"),
        ({"source": a, "target": b, "kind": "knows", "note": "n" * 2001}, "note"),
        ({"source": a, "kind": "knows"}, "target"),
    ]


def test_invalid_ties_are_refused_and_nothing_written(
    client: TestClient, admin: dict[str, str], network: str, two_actors: tuple[str, str]
) -> None:
    other = client.post("/api/v1/networks", json={"name": "Andere wijk"}, headers=admin).json()
    foreign = client.post(
        f"/api/v1/networks/{other['id']}/actors",
        json={"kind": "resident", "name": "Z"},
        headers=admin,
    ).json()["id"]
    a, b = two_actors
    before = _state(client, network, admin)
    for body, field in _tie_cases(a, b, foreign):
        r = client.post(f"/api/v1/networks/{network}/ties", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    assert _state(client, network, admin) == before


def test_invalid_patches_change_nothing(
    client: TestClient, admin: dict[str, str], network: str, two_actors: tuple[str, str]
) -> None:
    a, b = two_actors
    tie = client.post(
        f"/api/v1/networks/{network}/ties",
        json={"source": a, "target": b, "kind": "friend", "since": "2022-01-01"},
        headers=admin,
    ).json()
    before = _state(client, network, admin)
    for body in ({"name": None}, {"kind": "planet"}, {"area": "WK12"}, {"needs": ["?"]}):
        r = client.patch(f"/api/v1/networks/{network}/actors/{a}", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
    for body in ({"strength": 9}, {"until": "2021-01-01"}, {"target": a}, {"kind": None}):
        r = client.patch(f"/api/v1/networks/{network}/ties/{tie['id']}", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
    assert _state(client, network, admin) == before
    assert (
        client.get(f"/api/v1/networks/{network}/actors/{a}", headers=admin).json()["name"] == "Anna"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "W", "area_code": "Kerkstraat"}, "area_code"),
        ({"name": "W", "area_code": "WK03630"}, "area_code"),
        ({"name": "W", "small_cell_threshold": 1}, "small_cell_threshold"),
        ({"name": "W", "retention_days": 3}, "retention_days"),
    ],
)
def test_invalid_network(client: TestClient, admin: dict[str, str], body: dict, field: str) -> None:
    before = client.get("/api/v1/networks", params={"limit": 500}, headers=admin).json()
    r = client.post("/api/v1/networks", json=body, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    after = client.get("/api/v1/networks", params={"limit": 500}, headers=admin).json()
    assert len(after["items"]) == len(before["items"])


def test_malformed_bodies_are_4xx(client: TestClient, admin: dict[str, str], network: str) -> None:
    url = f"/api/v1/networks/{network}/actors"
    r = client.post(url, content=b"{not json", headers=admin | {"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post(url, json=[1, 2], headers=admin)
    assert r.status_code == 422
    r = client.post(
        url, content=b"x" * 3_000_000, headers=admin | {"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["status"] == 413
    r = client.put(url, json={}, headers=admin)
    assert r.status_code == 405


def test_method_not_allowed_lists_every_method_of_the_path(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.put("/api/v1/networks", json={}, headers=admin)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    assert r.headers["content-type"] == "application/problem+json"


def test_undecodable_body_is_a_400_problem(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    r = client.post(
        f"/api/v1/networks/{network}/ties",
        content=b"\xff\xfe\x00",
        headers=admin | {"content-type": "application/json"},
    )
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_numbers_are_not_dates_or_booleans(
    client: TestClient, admin: dict[str, str], network: str
) -> None:
    r = client.post("/api/v1/networks", json={"name": "W", "coarsen_area": 0}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "coarsen_area"
    r = client.get(f"/api/v1/networks/{network}/ties", params={"active_on": "0"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "active_on"
    r = client.get("/api/v1/audit", params={"until": "0"}, headers=admin)
    assert r.status_code == 422
    r = client.patch(f"/api/v1/networks/{network}", json={"coarsen_area": None}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "coarsen_area"


# --- issue 9: one source for constraints, integral floats -----------------------------------


def test_max_hops_in_the_schema_is_what_the_server_accepts(
    client: TestClient, network: str, admin: dict
) -> None:
    from netwerk.suggest.records import ACTIVATION_HOPS, SUGGESTION_HOPS

    spec = client.get("/openapi.json").json()
    route = spec["paths"]["/api/v1/networks/{nid}/actors/{aid}/suggestions"]["get"]
    hops = next(p for p in route["parameters"] if p["name"] == "max_hops")["schema"]
    assert (hops["minimum"], hops["maximum"]) == SUGGESTION_HOPS == (2, 4)
    body = spec["components"]["schemas"]["ActivationRequest"]["properties"]["max_hops"]
    assert (body["minimum"], body["maximum"]) == ACTIVATION_HOPS

    aid = client.post(
        f"/api/v1/networks/{network}/actors",
        json={"kind": "resident", "name": "Hop", "consent": "given"},
        headers=admin,
    ).json()["id"]
    url = f"/api/v1/networks/{network}/actors/{aid}/suggestions"
    assert client.get(url, params={"max_hops": 2}, headers=admin).status_code == 200
    below = client.get(url, params={"max_hops": 1}, headers=admin)
    assert below.status_code == 422 and below.json()["errors"][0]["field"] == "max_hops"


def test_the_dashboard_documents_the_errors_it_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/dashboard/{nid}"]["get"]["responses"]
    assert set(responses["422"]["content"]) == {"application/problem+json"}
    r = client.get("/dashboard/" + "x" * 65)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_integer_fields_take_integral_floats_only(
    client: TestClient, network: str, admin: dict
) -> None:
    def actor(name: str) -> str:
        body = {"kind": "resident", "name": name}
        return client.post(f"/api/v1/networks/{network}/actors", json=body, headers=admin).json()[
            "id"
        ]

    a, b = actor("Een"), actor("Twee")
    url = f"/api/v1/networks/{network}/ties"
    for bad in (3.5, "3", True, 3.000001):
        r = client.post(
            url, json={"source": a, "target": b, "strength": bad, "kind": "knows"}, headers=admin
        )
        assert r.status_code == 422, bad
        assert r.json()["errors"][0]["field"] == "strength"
    ok = client.post(
        url, json={"source": a, "target": b, "strength": 3.0, "kind": "knows"}, headers=admin
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["strength"] == 3 and isinstance(ok.json()["strength"], int)
    made = client.post(
        "/api/v1/networks",
        json={"name": "Vijfendertig", "small_cell_threshold": 35.0, "retention_days": 35.0},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["small_cell_threshold"] == 35
    refused = client.post(
        "/api/v1/networks", json={"name": "Half", "small_cell_threshold": 35.5}, headers=admin
    )
    assert refused.status_code == 422
    plan = client.post(
        f"/api/v1/networks/{network}/activations",
        json={"area": "Kerkstraat", "themes": ["taal"], "limit": 5.0, "max_hops": "2"},
        headers=admin,
    )
    assert plan.status_code == 422 and plan.json()["errors"][0]["field"] == "max_hops"
