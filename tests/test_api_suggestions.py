"""Suggestions, activation, weaving and feedback through HTTP."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth


@pytest.fixture
def hood(client: TestClient, admin: dict, make_token: Callable[..., str]) -> dict:
    """Lonely Lina needs 'taal'; key figure Karim knows her and the taalcafé; Umut (consent
    unknown) also offers 'taal' but may never be suggested."""
    nid = client.post("/api/v1/networks", json={"name": "Suggestiewijk"}, headers=admin).json()[
        "id"
    ]

    def actor(name: str, kind: str = "resident", **kw: object) -> str:
        r = client.post(
            f"/api/v1/networks/{nid}/actors", json={"kind": kind, "name": name, **kw}, headers=admin
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def tie(a: str, b: str, kind: str = "knows", strength: int = 3) -> None:
        r = client.post(
            f"/api/v1/networks/{nid}/ties",
            headers=admin,
            json={"source": a, "target": b, "kind": kind, "strength": strength},
        )
        assert r.status_code == 201, r.text

    lina = actor("Lina Haddad", needs=["taal"], consent="given", area="Kerkstraat")
    karim = actor("Karim Bakri", "key_figure", consent="given", area="Kerkstraat")
    cafe = actor("Taalcafé De Brug", "initiative", assets=["taal"], area="Kerkstraat")
    umut = actor("Umut Onbekend", assets=["taal"], consent="unknown", area="Kerkstraat")
    others = [actor(f"Buur {i}", consent="given", area="Kerkstraat") for i in range(5)]
    tie(lina, karim, strength=4)
    tie(karim, cafe, "volunteers_at", strength=5)
    tie(karim, umut)
    for i, a in enumerate(others):
        tie(a, cafe, "participates_in")
        tie(a, karim)
        if i:
            tie(a, others[i - 1], "neighbour")
    return {
        "nid": nid,
        "lina": lina,
        "karim": karim,
        "cafe": cafe,
        "umut": umut,
        "broker": auth(make_token("broker", [nid])),
        "viewer": auth(make_token("viewer", [nid])),
    }


def _suggest(client: TestClient, hood: dict, **params: object):
    return client.get(
        f"/api/v1/networks/{hood['nid']}/actors/{hood['lina']}/suggestions",
        params=params,
        headers=hood["broker"],
    )


def test_lonely_resident_gets_the_taalcafe_via_the_key_figure(
    client: TestClient, hood: dict
) -> None:
    r = _suggest(client, hood)
    assert r.status_code == 200, r.text
    items = r.json()["suggestions"]
    top = items[0]
    assert top["target"]["actor_id"] == hood["cafe"]
    assert top["target"]["name"] == "Taalcafé De Brug"
    assert top["introduction"]["introducer"]["name"] == "Karim Bakri"
    codes = {reason["code"] for reason in top["reasons"]}
    # the taalcafé offers 'taal', the one theme Lina asks for
    assert "need_match" in codes
    assert all(reason["sentence"] for reason in top["reasons"])
    assert hood["umut"] not in r.text  # consent unknown: never suggested to others
    en = _suggest(client, hood, lang="en").json()["suggestions"][0]
    nl_sentences = {x["sentence"] for x in top["reasons"]}
    assert {x["sentence"] for x in en["reasons"]} != nl_sentences
    assert (
        client.get(
            f"/api/v1/networks/{hood['nid']}/actors/{hood['lina']}/suggestions",
            headers=hood["viewer"],
        ).status_code
        == 403
    )


def test_declined_pair_cools_down_and_stats_count_it(client: TestClient, hood: dict) -> None:
    url = f"/api/v1/networks/{hood['nid']}/suggestions/feedback"
    top = _suggest(client, hood).json()["suggestions"][0]
    r = client.post(
        url,
        headers=hood["broker"],
        json={
            "source": hood["lina"],
            "target": top["target"]["actor_id"],
            "decision": "declined",
            "reason_codes": [x["code"] for x in top["reasons"]],
            "suggestion_kind": top["kind"],
            "score": top["score"],
        },
    )
    assert r.status_code == 201, r.text
    again = _suggest(client, hood).json()["suggestions"]
    assert top["target"]["actor_id"] not in {s["target"]["actor_id"] for s in again}
    stats = client.get(f"/api/v1/networks/{hood['nid']}/suggestions/stats", headers=hood["broker"])
    assert stats.status_code == 200 and stats.json()["total"]["declined"] == 1
    assert (
        client.get(
            f"/api/v1/networks/{hood['nid']}/suggestions/stats", headers=hood["viewer"]
        ).status_code
        == 200
    )
    bad = client.post(
        url,
        headers=hood["broker"],
        json={"source": hood["lina"], "target": hood["cafe"], "decision": "maybe"},
    )
    assert bad.status_code == 422


def test_accepted_with_tie_formed_creates_the_tie(client: TestClient, hood: dict) -> None:
    base = f"/api/v1/networks/{hood['nid']}"
    rev = client.get(base, headers=hood["broker"]).json()["revision"]
    r = client.post(
        f"{base}/suggestions/feedback",
        headers=hood["broker"],
        json={"source": hood["lina"], "target": hood["cafe"], "decision": "accepted"},
    )
    fid = r.json()["id"]
    r = client.post(
        f"{base}/suggestions/feedback/{fid}/outcome",
        headers=hood["broker"],
        json={"outcome": "tie_formed", "create_tie": True},
    )
    assert r.status_code == 200, r.text
    assert r.json()["tie_id"]
    ties = client.get(
        f"{base}/ties", params={"actor": hood["lina"]}, headers=hood["broker"]
    ).json()["items"]
    assert hood["cafe"] in {t["target"] for t in ties} | {t["source"] for t in ties}
    assert client.get(base, headers=hood["broker"]).json()["revision"] > rev


def test_activation_plan_and_weave(client: TestClient, hood: dict) -> None:
    base = f"/api/v1/networks/{hood['nid']}"
    r = client.post(
        f"{base}/activations",
        headers=hood["broker"],
        json={"focus_actor": hood["lina"], "themes": ["taal"]},
    )
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["items"][0]["actor"]["name"] == "Taalcafé De Brug"
    assert hood["umut"] not in r.text
    assert (
        client.post(f"{base}/activations", headers=hood["broker"], json={"themes": []}).status_code
        == 422
    )
    w = client.get(f"{base}/suggestions/weave", headers=hood["broker"])
    assert w.status_code == 200, w.text
    weave = w.json()
    # Karim ties everyone into one component, and Lina's need is met within reach: no hole
    # to weave, so no introduction; the efficiency is the fixture graph's global efficiency
    # (networkx as the oracle)
    G = nx.Graph()
    G.add_edges_from([("lina", "karim"), ("karim", "cafe"), ("karim", "umut")])
    for i in range(5):
        G.add_edges_from([(i, "cafe"), (i, "karim")] + ([(i, i - 1)] if i else []))
    assert weave["components"] == 1 and weave["efficiency_exact"] is True
    assert weave["efficiency"] == pytest.approx(nx.global_efficiency(G), abs=1e-6)
    assert weave["holes_considered"] == {"components": 0, "communities": 0, "help": 0}
    assert weave["introductions"] == []


def test_suggestions_carry_ids_and_feedback_by_id_fills_the_statistics(
    client: TestClient, hood: dict, admin: dict
) -> None:
    """The README's example: feedback and outcome by the suggestion's id, and the per-reason
    statistics fill by themselves."""
    base = f"/api/v1/networks/{hood['nid']}"
    items = _suggest(client, hood, theme="taal", limit=3).json()["suggestions"]
    assert items and all(isinstance(s["id"], str) and s["id"] for s in items)
    sid = items[0]["id"]
    r = client.post(
        f"{base}/suggestions/feedback",
        headers=hood["broker"],
        json={"suggestion": sid, "decision": "accepted"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["suggestion"] == sid and r.json()["source_id"] == hood["lina"]
    assert r.json()["reason_codes"], "reason codes come from what was shown"
    again = client.post(
        f"{base}/suggestions/feedback",
        headers=hood["broker"],
        json={"suggestion": sid, "decision": "declined"},
    )
    assert again.status_code == 409
    r = client.post(
        f"{base}/suggestions/{sid}/outcome", headers=hood["broker"], json={"outcome": "tie_formed"}
    )
    assert r.status_code == 200 and r.json()["outcome"] == "tie_formed"
    assert (
        client.post(
            f"{base}/suggestions/unknown/outcome", headers=hood["broker"], json={"outcome": "other"}
        ).status_code
        == 404
    )
    st = client.get(f"{base}/suggestions/stats", headers=hood["broker"]).json()
    assert st["by_reason"], "by_reason fills by itself"
    assert st["total"]["shown"] == len(items) and st["total"]["tie_formed"] == 1
    assert st["total"]["success_interval"] == [0.2065, 1.0]
    assert st["by_broker"] is None  # per broker only for admins
    full = client.get(f"{base}/suggestions/stats", headers=admin).json()
    assert [r["shown"] for r in full["by_broker"]] == [len(items)]
    assert list(full["broker_names"].values()) == ["test broker"]
    assert st["broker_names"] is None
    seen = client.get(f"{base}/suggestions/stats", headers=hood["viewer"]).json()
    assert seen["by_broker"] is None and seen["broker_names"] is None
    assert seen["total"]["tie_formed"] is None and seen["total"]["success_rate"] is None
    assert seen["total"]["success_interval"] is None
    assert hood["lina"] not in str(seen)
    ranged = client.get(
        f"{base}/suggestions/stats", headers=hood["broker"], params={"since": "2999-01-01"}
    ).json()
    assert ranged["total"]["shown"] == 0
    bad = client.get(
        f"{base}/suggestions/stats",
        headers=hood["broker"],
        params={"since": "2026-02-01", "until": "2026-01-01"},
    )
    assert bad.status_code == 422 and "until" in bad.text


def test_order_likely_puts_the_most_likely_meetings_first(client: TestClient, hood: dict) -> None:
    likely = _suggest(client, hood, order="likely", limit=10).json()
    feas = [s["feasibility"] for s in likely["suggestions"]]
    assert feas == sorted(feas, reverse=True)
    assert likely["provenance"]["parameters"]["order"] == "likely"
    value = _suggest(client, hood, limit=10).json()
    assert value["provenance"]["parameters"]["order"] == "value"
    scores = [s["score"] for s in value["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert _suggest(client, hood, order="sideways").status_code == 422


def test_weave_and_activation_items_carry_ids(client: TestClient, hood: dict) -> None:
    base = f"/api/v1/networks/{hood['nid']}"
    plan = client.post(
        f"{base}/activations",
        headers=hood["broker"],
        json={"focus_actor": hood["lina"], "themes": ["taal"]},
    ).json()
    assert plan["items"] and all(i["id"] for i in plan["items"])
    r = client.post(
        f"{base}/suggestions/feedback",
        headers=hood["broker"],
        json={"suggestion": plan["items"][0]["id"], "decision": "accepted"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["suggestion_kind"] == "activation"
    weave = client.get(f"{base}/suggestions/weave", headers=hood["broker"]).json()
    assert all(i["id"] for i in weave["introductions"])
    st = client.get(f"{base}/suggestions/stats", headers=hood["broker"]).json()
    assert "activation" in {r["key"] for r in st["by_origin"]}


def test_weights_for_admins_only_and_reset(client: TestClient, hood: dict, admin: dict) -> None:
    url = f"/api/v1/networks/{hood['nid']}/suggestions/weights"
    r = client.get(url, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "prior" and body["min_outcomes"] == 100
    terms = {t["term"]: t for t in body["terms"]}
    assert terms["ends_isolation"]["weight"] == 1.0 and terms["feasibility"]["weight"] == 1.0
    assert client.get(url, headers=hood["broker"]).status_code in (403, 404)
    assert client.get(url, headers=hood["viewer"]).status_code in (403, 404)
    assert client.delete(url, headers=hood["broker"]).status_code in (403, 404)
    r = client.delete(url, headers=admin)
    assert r.status_code == 200 and r.json()["source"] == "prior"


def test_a_suggestion_id_does_not_cross_networks(
    client: TestClient, hood: dict, admin: dict, make_token: Callable[..., str]
) -> None:
    """A broker of another network cannot decide on, or record the outcome of, this
    network's suggestion, not even through their own network's routes."""
    sid = _suggest(client, hood).json()["suggestions"][0]["id"]
    other = client.post("/api/v1/networks", json={"name": "Anderewijk"}, headers=admin).json()
    theirs = auth(make_token("broker", [other["id"]]))
    base = f"/api/v1/networks/{other['id']}/suggestions"
    r = client.post(
        f"{base}/feedback", headers=theirs, json={"suggestion": sid, "decision": "accepted"}
    )
    assert r.status_code == 404
    r = client.post(f"{base}/{sid}/outcome", headers=theirs, json={"outcome": "tie_formed"})
    assert r.status_code == 404
    mine = f"/api/v1/networks/{hood['nid']}/suggestions"
    r = client.post(
        f"{mine}/feedback", headers=theirs, json={"suggestion": sid, "decision": "accepted"}
    )
    assert r.status_code == 404
    stats = client.get(f"{mine}/stats", headers=hood["broker"]).json()
    assert stats["total"]["decided"] == 0


def _audited(client: TestClient, admin: dict, nid: str, route: str) -> list[dict]:
    items = client.get(
        "/api/v1/audit", params={"network": nid, "limit": 500}, headers=admin
    ).json()["items"]
    return [e for e in items if e["route"] == f"/api/v1/networks/{{nid}}{route}"]


def test_what_is_shown_is_audited_in_the_same_commit_with_the_persons_named(
    client: TestClient, hood: dict, admin: dict
) -> None:
    """The suggestion routes store what they show and record their audit row in that one
    commit (api.auditing.in_commit): one row per request, naming the persons the answer
    shows (Karim introduces), never the initiative (no person); the activation plan (a
    POST, recorded at its commit as every write) names the persons it shows too."""
    nid = hood["nid"]
    r = _suggest(client, hood)
    assert r.status_code == 200, r.text
    introducers = {
        s["introduction"]["introducer"]["actor_id"]
        for s in r.json()["suggestions"]
        if s.get("introduction") and s["introduction"].get("introducer")
    }
    assert hood["karim"] in introducers
    rows = _audited(client, admin, nid, "/actors/{aid}/suggestions")
    assert len(rows) == 1
    row = rows[0]
    assert (row["action"], row["status"], row["role"]) == ("read", 200, "broker")
    assert {hood["lina"], *introducers} <= set(row["object_ids"])
    assert hood["cafe"] not in row["object_ids"]
    plan = client.post(
        f"/api/v1/networks/{nid}/activations",
        headers=hood["broker"],
        json={"focus_actor": hood["lina"], "themes": ["taal"]},
    )
    assert plan.status_code == 200, plan.text
    rows = _audited(client, admin, nid, "/activations")
    assert len(rows) == 1 and rows[0]["status"] == 200
    shown = {
        face["actor_id"]
        for item in plan.json()["items"]
        for face in [item["first_call"], *item["faces"]]
        if face and face["person"]
    }
    assert hood["karim"] in shown and shown <= set(rows[0]["object_ids"])
