"""Analysis routes through HTTP: what each role sees, provenance, as_of, and freshness across
several app instances on one database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from netwerk.config import Settings
from tests.conftest import auth

ROUTES = [
    "summary",
    "stage",
    "centrality",
    "key-figures",
    "brokers",
    "bridges",
    "communities",
    "gaps",
]


@pytest.fixture
def hood(client: TestClient, admin: dict, make_token: Callable[..., str]) -> dict:
    """Two clusters of residents joined only through a key figure, a taalcafé and an
    organisation without faces; one resident is isolated, one has withdrawn consent."""
    nid = client.post(
        "/api/v1/networks", json={"name": "Analysewijk", "small_cell_threshold": 5}, headers=admin
    ).json()["id"]

    def actor(name: str, kind: str = "resident", **kw: object) -> str:
        r = client.post(
            f"/api/v1/networks/{nid}/actors", json={"kind": kind, "name": name, **kw}, headers=admin
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def tie(a: str, b: str, kind: str = "knows", **kw: object) -> None:
        r = client.post(
            f"/api/v1/networks/{nid}/ties",
            json={"source": a, "target": b, "kind": kind, **kw},
            headers=admin,
        )
        assert r.status_code == 201, r.text

    west = [actor(f"West {i}", consent="given", area="Westerstraat") for i in range(4)]
    east = [actor(f"Oost {i}", consent="given", area="Oosterstraat") for i in range(4)]
    for group in (west, east):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                tie(a, b, "neighbour", strength=3)
    key = actor("Sleutel Figuur", "key_figure", consent="given")
    tie(key, west[0], strength=4)
    tie(key, east[0], strength=4)
    cafe = actor("Taalcafé", "initiative", assets=["taal"])
    tie(west[1], cafe, "participates_in")
    alone = actor("Alleen Thuis", needs=["taal"], consent="given")
    hidden = actor("Ingetrokken Naam", consent="withdrawn")
    tie(hidden, east[1], "friend")
    org = actor("Gemeente Loket", "organisation")
    prof = actor("Opbouw Werker", "professional", consent="given")
    tie(prof, org, "works_for")
    return {
        "nid": nid,
        "key": key,
        "alone": alone,
        "hidden": hidden,
        "cafe": cafe,
        "west": west,
        "east": east,
        "org": org,
        "viewer": auth(make_token("viewer", [nid])),
        "broker": auth(make_token("broker", [nid])),
        "researcher": auth(make_token("researcher", [nid])),
    }


def _get(client: TestClient, hood: dict, route: str, who: str, **params: object):
    return client.get(
        f"/api/v1/networks/{hood['nid']}/analysis/{route}", params=params, headers=hood[who]
    )


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_answers_each_role_with_provenance(
    client: TestClient, hood: dict, route: str
) -> None:
    for who in ("broker", "viewer"):
        r = _get(client, hood, route, who)
        assert r.status_code == 200, (who, r.text)
        body = r.json()
        prov = (
            body.get("provenance") or body["stage"]["provenance"]
            if route == "stage"
            else body["provenance"]
        )
        assert prov["network_id"] == hood["nid"] and prov["revision"] >= 1
        assert prov["method"] and "as_of" in prov
        text = r.text
        assert "Ingetrokken Naam" not in text  # withdrawn: never by name
        if who == "viewer":
            for name in (
                "West 0",
                "Oost 0",
                "Sleutel Figuur",
                "Alleen Thuis",
                hood["alone"],
                hood["key"],
            ):
                assert name not in text, (route, name)
    assert _get(client, hood, route, "researcher").status_code == 403


def test_brokers_get_names_and_viewers_get_suppressed_counts(
    client: TestClient, hood: dict
) -> None:
    kf = _get(client, hood, "key-figures", "broker").json()
    recognised = {k["actor_id"]: k["name"] for k in kf["recognised"]}
    assert recognised == {hood["key"]: "Sleutel Figuur"}
    gaps = _get(client, hood, "gaps", "broker").json()
    isolated = [a for g in gaps["gaps"] if g["kind"] == "isolated_person" for a in g["actors"]]
    assert {a["actor_id"]: a["name"] for a in isolated}[hood["alone"]] == "Alleen Thuis"

    summary = _get(client, hood, "summary", "viewer").json()
    by_kind = summary["actors_by_kind"]
    assert by_kind["key_figure"] is None and by_kind["professional"] is None  # 1 each
    for value in by_kind.values():
        assert value is None or value == 0 or value >= 5
    # the hidden cells (1 key figure, 1 professional, 1 organisation, 1 initiative) add up
    # to 4, which summary.actors minus the shown cells would reveal: so the 10 residents
    # are hidden too (secondary suppression)
    hidden = summary["actors"] - sum(v for v in by_kind.values() if v is not None)
    assert hidden >= 5 and by_kind["resident"] is None
    assert summary["isolates"] is None  # one isolated person: a small cell
    vgaps = _get(client, hood, "gaps", "viewer").json()
    assert "gaps" not in vgaps  # one row per kind of gap, never one per person
    assert all(not a["person"] for g in vgaps["non_person_gaps"] for a in g["actors"])
    isolated = next(k for k in vgaps["kinds"] if k["kind"] == "isolated_person")
    assert isolated["count"] is None and all(c["persons"] is None for c in isolated["by_area"])


def test_what_if_the_key_figure_leaves(client: TestClient, hood: dict) -> None:
    r = _get(client, hood, "what-if", "broker", remove=hood["key"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["actor"]["name"] == "Sleutel Figuur"
    assert body["components_after"] > body["components_before"]
    # viewers may ask about organisations and places, not persons
    assert _get(client, hood, "what-if", "viewer", remove=hood["key"]).status_code == 404
    viewer = _get(client, hood, "what-if", "viewer", remove=hood["org"])
    assert viewer.status_code == 200
    seen = viewer.json()
    # counts and where, never who: no list of the residents who lose help, no handover
    assert "lose_help" not in seen and "handover" not in seen
    assert seen["actor"]["actor_id"] == hood["org"] and seen["summary"].startswith(
        "Als deze actor wegvalt, "
    )
    assert _get(client, hood, "what-if", "broker", remove="nobody").status_code == 404


def test_as_of_and_compare(client: TestClient, admin: dict, hood: dict) -> None:
    nid = hood["nid"]
    a, b = hood["west"][2], hood["east"][2]
    r = client.post(
        f"/api/v1/networks/{nid}/ties",
        headers=admin,
        json={
            "source": a,
            "target": b,
            "kind": "friend",
            "since": "2020-01-01",
            "until": "2021-12-31",
        },
    )
    assert r.status_code == 201
    then = _get(client, hood, "summary", "broker", as_of="2021-06-01").json()
    now = _get(client, hood, "summary", "broker").json()
    assert then["provenance"]["as_of"] == "2021-06-01"
    # the fixture's 17 ties have no dates (open at every date); the friend tie above was
    # open in 2020-2021 only: one tie more then than now
    assert now["ties"] == 17
    assert then["ties"] - now["ties"] == 1
    cmp = _get(client, hood, "compare", "broker", **{"from": "2021-06-01"}).json()
    lost = {(t["source_id"], t["target_id"]) for t in cmp["ties_lost"]}
    assert (a, b) in lost or (b, a) in lost
    bad = _get(client, hood, "compare", "broker", **{"from": "2030-01-01", "to": "2020-01-01"})
    assert bad.status_code == 422
    assert _get(client, hood, "summary", "broker", as_of="21-06-01").status_code == 422


def test_a_write_through_one_instance_is_seen_by_another(
    engine: sa.Engine, settings: Settings, hood: dict, admin: dict
) -> None:
    """Two app instances on one database (as two worker processes would be): the second
    never answers with a result older than a write acknowledged by the first."""
    one, two = create_app(settings, engine=engine), create_app(settings, engine=engine)
    url = f"/api/v1/networks/{hood['nid']}/analysis/summary"
    with TestClient(one) as c1, TestClient(two) as c2:
        before = c2.get(url, headers=hood["broker"]).json()
        assert c2.get(url, headers=hood["broker"]).json() == before  # cached
        r = c1.post(
            f"/api/v1/networks/{hood['nid']}/actors",
            headers=admin,
            json={"kind": "place", "name": "Nieuw buurthuis"},
        )
        assert r.status_code == 201
        # right after the write the second may answer the last result, marked stale with the
        # current revision (issue 12); asked for the fresh one, it has the write in it
        quick = c2.get(url, headers=hood["broker"]).json()["provenance"]
        after = c2.get(url, params={"fresh": "true"}, headers=hood["broker"]).json()
    revision = before["provenance"]["revision"]
    assert quick["current_revision"] == revision + 1
    assert quick["stale"] == (quick["revision"] == revision)
    assert after["actors"] == before["actors"] + 1
    assert after["provenance"]["revision"] == revision + 1
    assert after["provenance"]["stale"] is False


def test_sentences_follow_the_language_and_never_restate_a_hidden_count(
    client: TestClient, hood: dict
) -> None:
    """Communities and brokers speak Dutch by default and English on request; a viewer never
    reads a count in words that the figures beside it suppress."""
    com = _get(client, hood, "communities", "broker").json()
    west = next(c for c in com["communities"] if c["main_area"] == "Westerstraat")
    assert west["sentence"].startswith(f"Groep {west['community']} ({west['size']} actoren): ")
    assert "vooral uit Westerstraat" in west["sentence"]
    en = _get(client, hood, "communities", "broker", lang="en").json()
    assert all(c["sentence"].startswith("Group ") for c in en["communities"])
    nl = _get(client, hood, "brokers", "broker").json()
    assert nl["brokerage"]["role_labels"]["gatekeeper"] == "poortwachter"
    assert all(" is vooral " in e["sentence"] for e in nl["brokerage"]["entries"])
    br = client.get(
        f"/api/v1/networks/{hood['nid']}/analysis/brokers",
        headers={**hood["broker"], "Accept-Language": "en"},
    ).json()
    assert br["brokerage"]["role_labels"]["gatekeeper"] == "gatekeeper"

    viewer = _get(client, hood, "communities", "viewer").json()
    withheld = "Niet getoond: deze zin noemt aantallen die te klein zijn om te tonen."
    small = [c for c in viewer["communities"] if c["size"] is None]
    assert small, "the fixture has communities below the threshold"
    for c in small:
        assert c["sentence"] == withheld
    assert " 4 bewoners" not in str(viewer) and " 1 actor " not in str(viewer)
