"""The dashboard's API on SQLite and PostgreSQL: what a viewer may see (checked against the
database), rule-based group names on a hand-built network and a broker's name that survives
a write, the monthly series against the compare route, report.pdf read back, refusals."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from netwerk import synth
from netwerk.dashboard.names import StoredName, match
from netwerk.store.tables import Actor, GroupName
from tests.conftest import auth

PERSON_KINDS = ("resident", "key_figure", "professional")


@pytest.fixture
def synthetic(
    client: TestClient, network: str, engine: Engine, make_token: Callable[..., str]
) -> dict:
    with engine.begin() as conn:
        synth.load(conn, network, synth.generate(300, seed=5, fresh_ids=True))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Actor.id, Actor.name, Actor.kind).where(Actor.network_id == network)
        ).all()
    return {
        "nid": network,
        "persons": {i: n for i, n, k in rows if k in PERSON_KINDS},
        "viewer": auth(make_token("viewer", [network])),
        "broker": auth(make_token("broker", [network])),
    }


def _strings(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(str(k))
            out |= _strings(v)
    elif isinstance(node, list):
        for v in node:
            out |= _strings(v)
    elif isinstance(node, str):
        out.add(node)
    return out


def _hidden_ok(cells: list[int | None], threshold: int) -> None:
    shown = [c for c in cells if c is not None]
    assert all(c == 0 or c >= threshold for c in shown), cells
    assert sum(1 for c in cells if c is None) != 1 or len(cells) == 1, f"one hidden cell: {cells}"


def test_viewer_sees_no_person_and_no_small_count(client: TestClient, synthetic: dict) -> None:
    nid = synthetic["nid"]
    r = client.get(f"/api/v1/networks/{nid}/dashboard", headers=synthetic["viewer"])
    assert r.status_code == 200, r.text
    data = r.json()
    text = json.dumps(data, ensure_ascii=False)
    assert not [i for i in synthetic["persons"] if i in text], "a person id reaches a viewer"
    words = _strings(data)
    for name in synthetic["persons"].values():
        assert name not in words and name not in text
    t = data["threshold"]
    assert not data["sees_persons"]
    groups = data["map"]["groups"]
    _hidden_ok([g["persons"] for g in groups] + [data["summary"]["ungrouped_persons"]], t)
    _hidden_ok([g["unmet_persons"] for g in groups if g["persons"] is not None], t)
    for g in groups:
        if g["persons"] is None:
            assert g["size"] is None and g["language"] is None and g["main_area"] is None
    for kind in {a["kind"] for a in data["gaps"]["areas"]}:
        cells = [a["persons"] for a in data["gaps"]["areas"] if a["kind"] == kind]
        _hidden_ok(cells, t)
    assert all(a["actor_ids"] == [] for a in data["gaps"]["areas"])
    assert all(p["kind"] in ("organisation", "initiative", "place") for p in data["map"]["points"])
    assert "people" not in data["key_figures"] and "top" not in data["resilience"]
    assert data["resilience"]["central"]["name"] is None
    # the shown group sizes are the database's persons (broker's view says the same)
    b = client.get(f"/api/v1/networks/{nid}/dashboard", headers=synthetic["broker"]).json()
    full = {g["group"]: g["persons"] for g in b["map"]["groups"]}
    for g in groups:
        if g["persons"] is not None:
            assert g["persons"] == full[g["group"]]
    assert sum(full.values()) <= len(synthetic["persons"])
    hidden = [full[g["group"]] for g in groups if g["persons"] is None]
    assert not hidden or sum(hidden) >= t


def test_broker_sees_names_and_the_people_of_each_gap(client: TestClient, synthetic: dict) -> None:
    nid = synthetic["nid"]
    data = client.get(f"/api/v1/networks/{nid}/dashboard", headers=synthetic["broker"]).json()
    assert data["sees_persons"]
    row = next(a for a in data["gaps"]["areas"] if a["kind"] == "isolated_person")
    assert row["persons"] == len(row["actor_ids"])
    assert set(row["actor_ids"]) <= set(synthetic["persons"])
    gaps = client.get(
        f"/api/v1/networks/{nid}/analysis/gaps",
        params={"kinds": "isolated_person", "limit": 1000},
        headers=synthetic["broker"],
    ).json()
    expected = {
        a["actor_id"]
        for g in gaps["gaps"]
        if g["kind"] == "isolated_person" and g["area"] == row["area"]
        for a in g["actors"]
    }
    assert set(row["actor_ids"]) == expected
    assert data["key_figures"]["people"] and all(p["name"] for p in data["key_figures"]["people"])


def test_monthly_series_matches_the_compare_route(client: TestClient, synthetic: dict) -> None:
    nid = synthetic["nid"]
    r = client.get(f"/api/v1/networks/{nid}/dashboard/trend", headers=synthetic["broker"])
    assert r.status_code == 200, r.text
    months = r.json()["months"]
    assert len(months) == 12
    for m in months[-3:]:
        c = client.get(
            f"/api/v1/networks/{nid}/analysis/compare",
            params={"from": m["start"], "to": m["end"]},
            headers=synthetic["broker"],
        ).json()
        assert (m["ties_gained"], m["ties_lost"]) == (c["ties_gained_count"], c["ties_lost_count"])
        assert m["stage"] == c["stage_after"]["number"]
        g = client.get(
            f"/api/v1/networks/{nid}/analysis/gaps",
            params={"as_of": m["end"]},
            headers=synthetic["broker"],
        ).json()
        assert m["isolated"] == g["counts"].get("isolated_person", 0)
    viewer = client.get(f"/api/v1/networks/{nid}/dashboard/trend", headers=synthetic["viewer"])
    for m in viewer.json()["months"]:
        for key in ("isolated", "unmet_needs", "accepted", "ties_formed"):
            assert m[key] is None or m[key] == 0 or m[key] >= 5


def test_report_pdf_holds_the_figures(client: TestClient, synthetic: dict) -> None:
    nid = synthetic["nid"]
    r = client.get(f"/dashboard/{nid}/report.pdf", headers=synthetic["viewer"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) >= 2
    pages = [p.extract_text() for p in reader.pages]
    data = client.get(f"/api/v1/networks/{nid}/dashboard", headers=synthetic["viewer"]).json()
    s = data["summary"]
    first = pages[0]
    assert "Groepen in de wijk" in first
    assert f"Actoren: {s['actors']}" in first and f"Groepen: {s['groups']}" in first
    ties = f"{s['ties']:,}".replace(",", ".")
    assert f"Relaties: {ties}" in first
    assert all(f"revisie {data['revision']}" in p for p in pages)
    for name in synthetic["persons"].values():
        assert name not in "".join(pages)
    en = client.get(f"/dashboard/{nid}/report.pdf?lang=en", headers=synthetic["viewer"])
    assert (
        "Groups in the neighbourhood"
        in pypdf.PdfReader(io.BytesIO(en.content)).pages[0].extract_text()
    )


def test_refusals(
    client: TestClient, synthetic: dict, make_token: Callable[..., str], admin: dict
) -> None:
    nid = synthetic["nid"]
    assert client.get(f"/api/v1/networks/{nid}/dashboard").status_code == 401
    assert client.get(f"/dashboard/{nid}/report.pdf", headers=auth("nw_wrong")).status_code == 401
    other = client.post("/api/v1/networks", json={"name": "Andere wijk"}, headers=admin).json()[
        "id"
    ]
    stranger = auth(make_token("broker", [other]))
    assert client.get(f"/api/v1/networks/{nid}/dashboard", headers=stranger).status_code == 404
    assert client.get(f"/dashboard/{nid}/report.pdf", headers=stranger).status_code == 404
    url = f"/api/v1/networks/{nid}/dashboard/groups/0/name"
    assert client.put(url, json={"name": "x"}, headers=synthetic["viewer"]).status_code == 403
    assert client.put(url, json={"name": "x"}, headers=stranger).status_code == 404
    researcher = auth(make_token("researcher", [nid]))
    assert client.get(f"/api/v1/networks/{nid}/dashboard", headers=researcher).status_code == 403
    bad = client.put(url, json={"name": "   "}, headers=synthetic["broker"])
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    stale = client.put(url, json={"name": "Oud", "revision": 0}, headers=synthetic["broker"])
    assert stale.status_code == 409
    missing = f"/api/v1/networks/{nid}/dashboard/groups/99999/name"
    assert client.put(missing, json={"name": "x"}, headers=synthetic["broker"]).status_code == 404


# --------------------------------------------------------------------------- group names


@pytest.fixture
def hand_built(
    client: TestClient, network: str, admin: dict, make_token: Callable[..., str]
) -> dict:
    base = f"/api/v1/networks/{network}"

    def actor(**body: Any) -> str:
        r = client.post(f"{base}/actors", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def tie(a: str, b: str, kind: str = "knows") -> None:
        r = client.post(
            f"{base}/ties", json={"source": a, "target": b, "kind": kind}, headers=admin
        )
        assert r.status_code == 201, r.text

    def clique(ids: list[str]) -> None:
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                tie(a, b)

    eritrean = [
        actor(
            kind="resident", name=f"T{i}", area="Noord", languages=["ti", "nl"] if i < 2 else ["ti"]
        )
        for i in range(6)
    ]
    clique(eritrean)
    cafe = actor(kind="initiative", name="Taalcafé De Brug", area="Kerkstraat", assets=["taal"])
    church = [
        actor(kind="resident", name=f"K{i}", area="Kerkstraat", languages=["nl"]) for i in range(6)
    ]
    clique(church)
    for a in church[:4]:
        tie(a, cafe, "participates_in")
    square = [actor(kind="resident", name=f"P{i}", area="Pleinstraat") for i in range(6)]
    clique(square)
    tie(eritrean[0], church[0])
    tie(church[1], square[0])
    return {
        "nid": network,
        "base": base,
        "broker": auth(make_token("broker", [network])),
        "tie": tie,
        "square": square,
        "eritrean": eritrean,
    }


def _names(client: TestClient, h: dict) -> dict[str, dict]:
    data = client.get(f"{h['base']}/dashboard", headers=h["broker"]).json()
    return {g["name"]: g for g in data["map"]["groups"]}, data["revision"]  # type: ignore[return-value]


def test_group_names_follow_the_rules_and_a_rename_survives_a_write(
    client: TestClient, hand_built: dict, engine: Engine
) -> None:
    h = hand_built
    names, revision = _names(client, h)
    assert set(names) == {
        "Tigrinya-sprekers, Noord",
        "Rond Taalcafé De Brug, Kerkstraat",
        "Pleinstraat",
    }
    square = names["Pleinstraat"]["group"]
    r = client.put(
        f"{h['base']}/dashboard/groups/{square}/name",
        json={"name": "  Rond het   Plein ", "revision": revision},
        headers=h["broker"],
    )
    assert r.status_code == 200, r.text
    names, _ = _names(client, h)
    assert names["Rond het Plein"]["renamed"] is True
    # a write that keeps the groups: one more tie inside the Eritrean group, and a new resident
    h["tie"](h["eritrean"][2], h["eritrean"][5], "friend")
    newcomer = client.post(
        f"{h['base']}/actors",
        json={"kind": "resident", "name": "P9", "area": "Pleinstraat"},
        headers=h["broker"],
    ).json()["id"]
    h["tie"](newcomer, h["square"][1])
    names, later = _names(client, h)
    assert later > revision
    assert set(names) == {
        "Tigrinya-sprekers, Noord",
        "Rond Taalcafé De Brug, Kerkstraat",
        "Rond het Plein",
    }
    en = client.get(f"{h['base']}/dashboard?lang=en", headers=h["broker"]).json()
    assert {g["name"] for g in en["map"]["groups"]} >= {
        "Tigrinya speakers, Noord",
        "Around Taalcafé De Brug, Kerkstraat",
    }
    # erasure: the erased resident leaves the stored group too; the name stays with the rest
    gone = h["square"][2]
    assert client.delete(f"{h['base']}/actors/{gone}", headers=h["broker"]).status_code == 204
    with engine.connect() as conn:
        stored = conn.execute(sa.select(GroupName.members)).scalars().all()
    assert stored and all(gone not in m for m in stored)
    names, _ = _names(client, h)
    assert "Rond het Plein" in names
    # back to the rule's name
    group = names["Rond het Plein"]["group"]
    assert (
        client.delete(f"{h['base']}/dashboard/groups/{group}/name", headers=h["broker"]).status_code
        == 204
    )
    assert "Pleinstraat" in _names(client, h)[0]


def test_names_match_by_overlap_best_first() -> None:
    a = StoredName("1", "Rond het Plein", frozenset("abcdef"))
    b = StoredName("2", "Noord", frozenset("uvwxyz"))
    groups = {0: frozenset("abcdeg"), 1: frozenset("uvw"), 2: frozenset("abc")}
    got = match([a, b], groups)
    assert got[0].name == "Rond het Plein" and 2 not in got
    assert got[1].name == "Noord"  # 3/6 = 0.5 is enough
    assert match([a], {0: frozenset("agh")}) == {}


def test_too_little_data_says_what_to_add_first(
    client: TestClient, network: str, make_token: Callable[..., str]
) -> None:
    viewer = auth(make_token("viewer", [network]))
    data = client.get(f"/api/v1/networks/{network}/dashboard", headers=viewer).json()
    assert data["too_little"] == "actors" and data["map"]["groups"] == []


def test_after_a_write_the_old_series_comes_at_once_marked_stale(
    client: TestClient, hand_built: dict
) -> None:
    h = hand_built
    url = f"{h['base']}/dashboard/trend"
    first = client.get(url, headers=h["broker"]).json()
    assert first["stale"] is False
    h["tie"](h["square"][0], h["eritrean"][3], "neighbour")
    quick = client.get(url, params={"wait": "false"}, headers=h["broker"]).json()
    assert quick["stale"] is True and quick["revision"] == first["revision"]
    assert quick["current_revision"] > first["revision"]
    fresh = client.get(url, headers=h["broker"]).json()
    assert fresh["stale"] is False and fresh["revision"] == quick["current_revision"]


CBS = r"^(GM\d{4}|WK\d{6}|BU\d{8})$"


def test_groups_without_area_names_are_named_by_what_characterises_them(
    client: TestClient, network: str, admin: dict, make_token: Callable[..., str]
) -> None:
    """A hand-built network whose areas are bare CBS codes, without names: the groups are
    named by their street, their initiative or their shared language, a code is never a
    name (it shows as "buurt BU…" beside the group), and a name the network supplies for a
    code (the ``area_name`` attribute) is used."""
    import re

    base = f"/api/v1/networks/{network}"
    broker = auth(make_token("broker", [network]))

    def actor(**body: Any) -> str:
        r = client.post(f"{base}/actors", json={"kind": "resident", **body}, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def clique(ids: list[str]) -> None:
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                r = client.post(
                    f"{base}/ties", json={"source": a, "target": b, "kind": "knows"}, headers=admin
                )
                assert r.status_code == 201, r.text

    street = [
        actor(name=f"M{i}", area="BU03630001", attributes={"street": "Merelstraat"})
        for i in range(8)
    ]
    garden = [actor(kind="initiative", name="Buurttuin De Linde", area="BU03630001")]
    garden += [actor(name=f"G{i}", area="BU03630002") for i in range(6)]
    arabic = [actor(name=f"A{i}", area="BU03630002", languages=["ar"]) for i in range(6)]
    plain = [actor(name=f"P{i}", area="BU03630003") for i in range(5)]
    for group in (street, garden, arabic, plain):
        clique(group)
    clique([street[0], garden[1]])
    clique([garden[2], arabic[0]])
    clique([arabic[1], plain[0]])

    def groups() -> dict[str, dict]:
        data = client.get(f"{base}/dashboard", headers=broker).json()
        return {g["name"]: g for g in data["map"]["groups"]}

    named = groups()
    assert set(named) == {"Merelstraat", "Rond Buurttuin De Linde", "Arabisch-sprekers", "Groep 4"}
    assert not any(re.match(CBS, n) or "BU0363" in n for n in named)
    # the code is there, readably, as secondary text only
    assert named["Groep 4"]["main_area"] == "BU03630003"
    assert named["Groep 4"]["area_label"] == "buurt BU03630003"
    en = client.get(f"{base}/dashboard?lang=en", headers=broker).json()
    assert {g["area_label"] for g in en["map"]["groups"]} >= {"neighbourhood BU03630003"}
    # the network names the code: the name takes the code's place
    for aid in plain:
        r = client.patch(
            f"{base}/actors/{aid}", json={"attributes": {"area_name": "Lindenbuurt"}}, headers=admin
        )
        assert r.status_code == 200, r.text
    named = groups()
    assert "Lindenbuurt" in named and "Groep 4" not in named
    assert named["Lindenbuurt"]["area_label"] == "Lindenbuurt"


def test_report_pdf_prints_geez_and_arabic_script(client: TestClient, hand_built: dict) -> None:
    """report.pdf sets its text in Unicode fonts: a group a broker names in Ge'ez script
    (Tigrinya) and one in Arabic come back from the PDF's text, not as "?"."""
    h = hand_built
    names, revision = _names(client, h)
    tigrinya, arabic = "ተጋሩ ሰሜን", "مقهى اللغة"
    for old, new in (("Tigrinya-sprekers, Noord", tigrinya), ("Pleinstraat", arabic)):
        r = client.put(
            f"{h['base']}/dashboard/groups/{names[old]['group']}/name",
            json={"name": new, "revision": revision},
            headers=h["broker"],
        )
        assert r.status_code == 200, r.text
    nid = h["nid"]
    r = client.get(f"/dashboard/{nid}/report.pdf", headers=h["broker"])
    assert r.status_code == 200, r.text
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert tigrinya in text and "???" not in text  # Latin-1 fonts gave "???? ???"
    # right-to-left script is stored in visual order: read back either way round
    assert arabic in text or arabic[::-1] in text, text
    assert "Rond Taalcafé De Brug, Kerkstraat" in text
