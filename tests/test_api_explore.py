"""The routes the broker's workspace added to the API (issue 13), through HTTP, on SQLite and
PostgreSQL: who am I, type-ahead search (accents, typos, filters, withdrawn consent), the ego
network on a netwerkkaart layout, the map layout cached per revision, consent provenance,
decisions per actor, the all-or-nothing netwerkkaart recording, and every role and tenant
boundary, tried from the wrong side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from netwerk.explore.ego import sector_of
from netwerk.explore.search import fold, match_score, osa_distance, words
from tests.conftest import auth


@pytest.fixture
def hood(client: TestClient, admin: dict, network: str, make_token: Callable[..., str]) -> dict:
    base = f"/api/v1/networks/{network}"

    def actor(**body: Any) -> str:
        r = client.post(f"{base}/actors", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def tie(a: str, b: str, kind: str, strength: int = 3) -> None:
        r = client.post(
            f"{base}/ties",
            json={"source": a, "target": b, "kind": kind, "strength": strength},
            headers=admin,
        )
        assert r.status_code == 201, r.text

    ids = {
        "lina": actor(
            kind="resident",
            name="Lina Haddad",
            area="Kerkstraat",
            needs=["taal"],
            languages=["ar"],
            consent="given",
        ),
        "gulsen": actor(
            kind="resident",
            name="Gülşen Öztürk",
            area="Dorpsweg",
            consent="given",
            assets=["koken"],
        ),
        "hidden": actor(kind="resident", name="Verborgen Lina", consent="withdrawn"),
        "karim": actor(kind="key_figure", name="Karim", area="Kerkstraat", consent="given"),
        "cafe": actor(
            kind="initiative", name="Taalcafé De Brug", area="Kerkstraat", assets=["taal"]
        ),
        "mother": actor(kind="resident", name="Mama Haddad", consent="given"),
        "gp": actor(kind="organisation", name="Huisartsenpraktijk Oost"),
    }
    tie(ids["lina"], ids["karim"], "neighbour", 4)
    tie(ids["karim"], ids["cafe"], "volunteers_at", 5)
    tie(ids["lina"], ids["mother"], "family", 5)
    tie(ids["lina"], ids["gp"], "refers_to", 2)
    tie(ids["hidden"], ids["karim"], "knows", 2)
    broker = auth(make_token("broker", [network]))
    return {
        "base": base,
        "nid": network,
        "ids": ids,
        "broker": broker,
        "viewer": auth(make_token("viewer", [network])),
        "researcher": auth(make_token("researcher", [network])),
    }


# --- search, by hand-worked examples --------------------------------------------------------


def test_fold_and_distance_by_hand() -> None:
    assert fold("Gülşen-Öztürk") == "gulsen ozturk"
    assert fold("Straße ı") == "strasse i"
    assert osa_distance("lnia", "lina", 1) == 1  # one transposition
    assert osa_distance("fatma", "fatima", 1) == 1  # one insertion
    assert osa_distance("abc", "xyz", 1) == 2  # above the limit: limit + 1
    assert match_score(words("lina"), words("Lina Haddad")) > match_score(
        words("lina"), words("Carolina Jansen")
    )
    assert match_score(words("li"), words("Lina")) > 0  # type-ahead prefix
    assert match_score(words("xx"), words("Lina")) == 0


def test_search_forgives_accents_and_typos(client: TestClient, hood: dict) -> None:
    b, ids = hood["base"], hood["ids"]
    for q, who in [
        ("Lína", "lina"),
        ("lnia hadad", "lina"),
        ("gulsen", "gulsen"),
        ("GÜLŞEN öztürk", "gulsen"),
        ("taalcafe", "cafe"),
        ("taalc", "cafe"),
    ]:
        r = client.get(f"{b}/search", params={"q": q}, headers=hood["broker"])
        assert r.status_code == 200, r.text
        first = r.json()["items"][0]
        assert first["actor_id"] == ids[who], (q, r.json()["items"])
        assert first["name"]  # joined in for brokers
    r = client.get(f"{b}/search", params={"q": "lina"}, headers=hood["broker"]).json()
    assert r["items"][0]["match"] == "exact" and r["items"][0]["ties"] == 3
    assert r["items"][0]["needs"] == ["taal"] and r["items"][0]["area"] == "Kerkstraat"


def test_search_never_finds_a_withdrawn_person_by_name(client: TestClient, hood: dict) -> None:
    r = client.get(f"{hood['base']}/search", params={"q": "verborgen"}, headers=hood["broker"])
    assert r.json()["items"] == []
    r = client.get(
        f"{hood['base']}/search", params={"consent": "withdrawn"}, headers=hood["broker"]
    )
    names = [i["name"] for i in r.json()["items"]]
    assert names and all(n.startswith("Anoniem") for n in names)
    assert "Verborgen Lina" not in r.text


def test_search_filters(client: TestClient, hood: dict) -> None:
    b, ids, h = hood["base"], hood["ids"], hood["broker"]

    def got(**p: object) -> list[str]:
        r = client.get(f"{b}/search", params=p, headers=h)  # type: ignore[arg-type]
        return [i["actor_id"] for i in r.json()["items"]]

    assert set(got(area="Kerkstraat")) == {ids["lina"], ids["karim"], ids["cafe"]}
    assert got(theme="taal", kind="initiative") == [ids["cafe"]]
    assert got(language="ar") == [ids["lina"]]
    assert set(got(q="haddad", kind="resident")) == {ids["lina"], ids["mother"]}


def test_viewers_search_only_non_persons(client: TestClient, hood: dict) -> None:
    r = client.get(f"{hood['base']}/search", params={"q": "lina"}, headers=hood["viewer"])
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get(f"{hood['base']}/search", params={"q": "taalcafe"}, headers=hood["viewer"])
    assert [i["actor_id"] for i in r.json()["items"]] == [hood["ids"]["cafe"]]
    r = client.get(f"{hood['base']}/search", params={"kind": "resident"}, headers=hood["viewer"])
    assert r.json()["items"] == [] and "Lina" not in r.text


def test_search_problems_are_422_not_500(client: TestClient, hood: dict) -> None:
    for params in [
        {"theme": "!!"},
        {"area": "Kerk#straat"},
        {"language": "1"},
        {"consent": "maybe"},
        {"q": "x" * 101},
        {"limit": 0},
    ]:
        r = client.get(f"{hood['base']}/search", params=params, headers=hood["broker"])
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"][0]["field"]


# --- ego network ------------------------------------------------------------------------------


def test_ego_network_two_steps_on_the_netwerkkaart(client: TestClient, hood: dict) -> None:
    ids = hood["ids"]
    r = client.get(f"{hood['base']}/actors/{ids['lina']}/ego", headers=hood["broker"])
    assert r.status_code == 200, r.text
    ego = r.json()
    nodes = {n["actor_id"]: n for n in ego["nodes"]}
    assert ego["center_name"] == "Lina Haddad"
    assert nodes[ids["lina"]]["step"] == 0 and (
        nodes[ids["lina"]]["x"],
        nodes[ids["lina"]]["y"],
    ) == (0, 0)
    assert nodes[ids["karim"]]["step"] == 1 and nodes[ids["cafe"]]["step"] == 2
    assert nodes[ids["mother"]]["sector"] == "family"
    assert nodes[ids["gp"]]["sector"] == "care"
    assert nodes[ids["karim"]]["sector"] == "friends_neighbours"
    assert nodes[ids["cafe"]]["sector"] == "friends_neighbours"  # its parent's sector
    # family top left, care bottom left (the netwerkkaart's quarters)
    assert nodes[ids["mother"]]["x"] < 0 < nodes[ids["mother"]]["y"]
    assert nodes[ids["gp"]]["x"] < 0 and nodes[ids["gp"]]["y"] < 0
    # the withdrawn person two steps out is drawn, as a pseudonym only
    assert nodes[ids["hidden"]]["name"].startswith("Anoniem") and "Verborgen" not in r.text
    edges = {
        (ego["nodes"][e["a"]]["actor_id"], ego["nodes"][e["b"]]["actor_id"]) for e in ego["edges"]
    }
    assert (ids["karim"], ids["cafe"]) in edges or (ids["cafe"], ids["karim"]) in edges
    assert ego["reachable"] == 5 and ego["left_out"] == 0
    one = client.get(
        f"{hood['base']}/actors/{ids['lina']}/ego", params={"steps": 1}, headers=hood["broker"]
    ).json()
    assert ids["cafe"] not in {n["actor_id"] for n in one["nodes"]}


def test_ego_network_is_cut_at_max_nodes_and_says_so(client: TestClient, hood: dict) -> None:
    r = client.get(
        f"{hood['base']}/actors/{hood['ids']['lina']}/ego",
        params={"max_nodes": 10},
        headers=hood["broker"],
    )
    assert r.status_code == 200
    r = client.get(
        f"{hood['base']}/actors/{hood['ids']['lina']}/ego",
        params={"max_nodes": 5},
        headers=hood["broker"],
    )
    assert r.status_code == 422


def test_sector_rule_by_hand() -> None:
    assert sector_of("resident", ("family", "friend")) == "family"
    assert sector_of("professional", ("knows",)) == "care"
    assert sector_of("resident", ("refers_to",)) == "care"
    assert sector_of("place", ("knows",)) == "school_work_leisure"
    assert sector_of("resident", ("member_of",)) == "school_work_leisure"
    assert sector_of("resident", ("neighbour",)) == "friends_neighbours"


# --- map --------------------------------------------------------------------------------------


def test_map_layout_is_cached_per_revision_and_complete(client: TestClient, hood: dict) -> None:
    b, h, ids = hood["base"], hood["broker"], hood["ids"]
    first = client.get(f"{b}/map", headers=h)
    assert first.status_code == 200, first.text
    m = first.json()
    n = m["nodes"]
    assert len(n["ids"]) == 7 == len(n["x"]) == len(n["names"]) == len(n["community"])
    assert all(-1.5 <= v <= 1.5 for v in n["x"] + n["y"])
    at = {a: i for i, a in enumerate(n["ids"])}
    assert n["key_figure"][at[ids["karim"]]] is True
    assert n["names"][at[ids["hidden"]]].startswith("Anoniem") and "Verborgen" not in first.text
    assert "taal" in n["themes"][at[ids["cafe"]]]
    assert len(m["edges"]) == 5 and max(m["edge_weight"]) == 5
    again = client.get(f"{b}/map", headers=h).json()
    assert (
        again["nodes"]["x"] == n["x"]
        and again["provenance"]["revision"] == m["provenance"]["revision"]
    )
    client.post(
        f"{b}/actors", json={"kind": "place", "name": "Bibliotheek"}, headers=hood["broker"]
    )
    later = client.get(f"{b}/map", headers=h).json()
    assert later["provenance"]["revision"] > m["provenance"]["revision"]
    assert len(later["nodes"]["ids"]) == 8
    by_measure = client.get(f"{b}/map", params={"measure": "betweenness"}, headers=h).json()
    assert by_measure["measure"] == "betweenness"
    karim = by_measure["nodes"]["ids"].index(ids["karim"])
    assert by_measure["nodes"]["value"][karim] > 0  # the only path between two groups
    assert client.get(f"{b}/map", params={"measure": "nonsense"}, headers=h).status_code == 422


# --- consent, decisions ---------------------------------------------------------------------


def test_consent_provenance_names_who_recorded_it(client: TestClient, hood: dict) -> None:
    b, ids = hood["base"], hood["ids"]
    r = client.get(f"{b}/actors/{ids['lina']}/consent", headers=hood["broker"])
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["consent"] == "given" and c["basis"] == "consent"
    assert c["recorded_by"] == "test admin" and c["recorded_by_role"] == "admin"
    assert c["recorded_at"]
    patched = client.patch(
        f"{b}/actors/{ids['lina']}",
        json={"consent": "given", "consent_basis": "legal_task"},
        headers=hood["broker"],
    )
    assert patched.status_code == 200
    c = client.get(f"{b}/actors/{ids['lina']}/consent", headers=hood["broker"]).json()
    assert c["recorded_by"] == "test broker" and c["basis"] == "legal_task"
    r = client.get(f"{b}/actors/{ids['cafe']}/consent", headers=hood["broker"])
    assert r.status_code == 422  # an initiative carries no consent


def test_decisions_list_the_feedback_on_an_actor(client: TestClient, hood: dict) -> None:
    b, ids, h = hood["base"], hood["ids"], hood["broker"]
    assert client.get(f"{b}/actors/{ids['lina']}/decisions", headers=h).json()["items"] == []
    fb = client.post(
        f"{b}/suggestions/feedback",
        json={
            "source": ids["lina"],
            "target": ids["cafe"],
            "decision": "accepted",
            "introducer": ids["karim"],
        },
        headers=h,
    )
    assert fb.status_code == 201, fb.text
    items = client.get(f"{b}/actors/{ids['lina']}/decisions", headers=h).json()["items"]
    assert [(i["id"], i["decision"], i["target_name"], i["introducer_name"]) for i in items] == [
        (fb.json()["id"], "accepted", "Taalcafé De Brug", "Karim")
    ]
    # the target sees it too
    assert client.get(f"{b}/actors/{ids['cafe']}/decisions", headers=h).json()["items"]


# --- netwerkkaart recording -------------------------------------------------------------------


def _count(client: TestClient, hood: dict) -> tuple[int, int]:
    b, h = hood["base"], hood["broker"]
    actors = client.get(f"{b}/actors", params={"limit": 500}, headers=h).json()["items"]
    ties = client.get(f"{b}/ties", params={"limit": 500}, headers=h).json()["items"]
    return len(actors), len(ties)


def test_new_person_with_two_contacts_in_one_request(client: TestClient, hood: dict) -> None:
    b, ids, h = hood["base"], hood["ids"], hood["broker"]
    before = _count(client, hood)
    r = client.post(
        f"{b}/persons",
        json={
            "person": {
                "kind": "resident",
                "name": "Noor",
                "area": "Kerkstraat",
                "needs": ["ontmoeting"],
                "consent": "given",
            },
            "contacts": [
                {
                    "actor_id": ids["karim"],
                    "kind": "neighbour",
                    "strength": 4,
                    "support": ["practical"],
                },
                {
                    "new_actor": {"kind": "resident", "name": "Elif", "consent": "unknown"},
                    "kind": "family",
                    "strength": 5,
                    "support": ["emotional"],
                    "since": "2020-01-01",
                },
            ],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["actor"]["name"] == "Noor" and body["actor"]["consent"] == "given"
    assert [a["name"] for a in body["new_actors"]] == ["Elif"]
    assert [(t["kind"], t["strength"]) for t in body["ties"]] == [("neighbour", 4), ("family", 5)]
    assert _count(client, hood) == (before[0] + 2, before[1] + 2)
    consent = client.get(f"{b}/actors/{body['actor']['id']}/consent", headers=h).json()
    assert consent["recorded_by"] == "test broker"


@pytest.mark.parametrize(
    ("contacts", "field"),
    [
        ([{"actor_id": "nope", "kind": "knows"}], None),
        ([{"kind": "knows"}], "contacts[0]"),
        (
            [
                {
                    "new_actor": {"kind": "resident", "name": "X", "area": "Kerk#straat"},
                    "kind": "knows",
                }
            ],
            "contacts[0].new_actor.area",
        ),
        (
            [{"new_actor": {"kind": "resident", "name": "Y"}, "kind": "knows", "strength": 9}],
            "contacts[0].strength",
        ),
        (
            [{"new_actor": {"kind": "place", "name": "Z", "consent": "given"}, "kind": "meets_at"}],
            "contacts[0].new_actor.consent",
        ),
    ],
)
def test_a_bad_contact_writes_nothing(
    client: TestClient, hood: dict, contacts: list[dict], field: str | None
) -> None:
    before = _count(client, hood)
    r = client.post(
        f"{hood['base']}/persons",
        json={"person": {"kind": "resident", "name": "Half Geschreven"}, "contacts": contacts},
        headers=hood["broker"],
    )
    assert r.status_code in (404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field:
        assert r.json()["errors"][0]["field"] == field
    assert _count(client, hood) == before
    assert (
        client.get(
            f"{hood['base']}/search", params={"q": "Half Geschreven"}, headers=hood["broker"]
        ).json()["items"]
        == []
    )


def test_bad_person_field_is_named(client: TestClient, hood: dict) -> None:
    r = client.post(
        f"{hood['base']}/persons",
        json={"person": {"kind": "resident", "name": "A", "area": "Kerkstraat #1"}},
        headers=hood["broker"],
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "person.area"


def test_add_contacts_to_an_existing_actor(client: TestClient, hood: dict) -> None:
    b, ids, h = hood["base"], hood["ids"], hood["broker"]
    r = client.post(
        f"{b}/actors/{ids['gulsen']}/contacts",
        json={"contacts": [{"actor_id": ids["cafe"], "kind": "participates_in", "strength": 2}]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    again = client.post(
        f"{b}/actors/{ids['gulsen']}/contacts",
        json={"contacts": [{"actor_id": ids["cafe"], "kind": "participates_in"}]},
        headers=h,
    )
    assert again.status_code == 409  # a second open tie of the same kind


# --- roles and tenants ------------------------------------------------------------------------


def test_me_names_the_token_and_its_networks_only(
    client: TestClient, hood: dict, admin: dict
) -> None:
    other = client.post("/api/v1/networks", json={"name": "Andere wijk"}, headers=admin).json()
    me = client.get("/api/v1/me", headers=hood["broker"]).json()
    assert me["role"] == "broker" and me["name"] == "test broker"
    assert [n["id"] for n in me["networks"]] == [hood["nid"]]
    assert other["id"] not in str(me)
    assert client.get("/api/v1/me").status_code == 401
    every = client.get("/api/v1/me", headers=admin).json()
    assert {hood["nid"], other["id"]} <= {n["id"] for n in every["networks"]}


@pytest.mark.parametrize(
    "path",
    ["/actors/{lina}/ego", "/actors/{lina}/consent", "/actors/{lina}/decisions", "/map"],
)
def test_person_routes_refuse_viewers_and_researchers(
    client: TestClient, hood: dict, path: str
) -> None:
    url = hood["base"] + path.replace("{lina}", hood["ids"]["lina"])
    for role in ("viewer", "researcher"):
        r = client.get(url, headers=hood[role])
        assert r.status_code == 403, (role, r.text)
        assert "Lina" not in r.text
    assert client.get(url, headers=hood["broker"]).status_code == 200


def test_writes_refuse_viewers_and_researchers(client: TestClient, hood: dict) -> None:
    before = _count(client, hood)
    for role in ("viewer", "researcher"):
        r = client.post(
            f"{hood['base']}/persons",
            json={"person": {"kind": "resident", "name": "Ongewenst"}},
            headers=hood[role],
        )
        assert r.status_code == 403
    assert _count(client, hood) == before


def test_another_networks_broker_cannot_cross(
    client: TestClient, hood: dict, admin: dict, make_token: Callable[..., str]
) -> None:
    other = client.post("/api/v1/networks", json={"name": "Buurwijk"}, headers=admin).json()["id"]
    stranger = auth(make_token("broker", [other]))
    ids, b = hood["ids"], hood["base"]
    for method, path, body in [
        ("GET", "/search?q=lina", None),
        ("GET", f"/actors/{ids['lina']}/ego", None),
        ("GET", f"/actors/{ids['lina']}/consent", None),
        ("GET", f"/actors/{ids['lina']}/decisions", None),
        ("GET", "/map", None),
        ("POST", "/persons", {"person": {"kind": "resident", "name": "Inbreker"}}),
        (
            "POST",
            f"/actors/{ids['lina']}/contacts",
            {"contacts": [{"new_actor": {"kind": "place", "name": "P"}, "kind": "meets_at"}]},
        ),
    ]:
        r = client.request(method, b + path, json=body, headers=stranger)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert "Lina" not in r.text
    # and an actor of this network used from the other one is not found either
    r = client.post(
        f"/api/v1/networks/{other}/persons",
        json={
            "person": {"kind": "resident", "name": "Brug"},
            "contacts": [{"actor_id": ids["lina"], "kind": "knows"}],
        },
        headers=stranger,
    )
    assert r.status_code == 404
    assert (
        client.get(
            f"/api/v1/networks/{other}/search", params={"q": "Brug"}, headers=stranger
        ).json()["items"]
        == []
    )


def test_vocabulary_matches_what_the_api_accepts(client: TestClient, hood: dict) -> None:
    v = client.get("/api/v1/vocabulary", headers=hood["viewer"]).json()
    assert v["sectors"] == ["family", "friends_neighbours", "school_work_leisure", "care"]
    for kinds in v["sector_tie_kinds"].values():
        assert set(kinds) <= set(v["tie_kinds"])
    assert v["theme_labels"]["digitaal"] == "digitale vaardigheden"
    assert v["language_names"]["ar"] == "Arabisch"
    en = client.get("/api/v1/vocabulary", params={"lang": "en"}, headers=hood["broker"]).json()
    assert en["language_names"]["ar"] == "Arabic"
    assert set(en["theme_labels"]) == set(v["theme_labels"])
    assert client.get("/api/v1/vocabulary").status_code == 401


def test_a_new_token_comes_with_its_sign_in_link(
    client: TestClient, admin: dict, network: str
) -> None:
    r = client.post(
        "/api/v1/tokens",
        json={"role": "broker", "name": "Sanne", "networks": [network]},
        headers=admin,
    )
    assert r.status_code == 201
    issued = r.json()
    assert issued["sign_in_link"] == f"http://testserver/app#token={issued['secret']}"
    listed = client.get("/api/v1/tokens", headers=admin).text
    assert issued["secret"] not in listed  # shown once


def test_the_cli_prints_a_sign_in_link(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "NETWERK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    run = [sys.executable, "-m", "netwerk.cli"]
    subprocess.run([*run, "db", "upgrade"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*run, "token", "create", "--role", "admin", "--url", "https://wijk.example.nl/"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    secret = done.stdout.strip()
    assert secret.startswith("nw_")  # stdout stays the secret alone, for scripts
    assert f"https://wijk.example.nl/app#token={secret}" in done.stderr.replace("\n", "")
