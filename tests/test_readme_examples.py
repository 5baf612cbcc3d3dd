"""The README's examples, run against a freshly loaded demo wijk (``netwerk demo``): every
request it shows answers as the README says (issue 9: "the README's examples answer as
written")."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from netwerk import demo
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.networks import create_network
from tests.conftest import auth


@pytest.fixture(scope="module")
def wijk(engine: Engine) -> dict[str, Any]:
    data = demo.generate(1500, seed=7, fresh_ids=True)
    with transaction(make_sessionmaker(engine)) as session:
        nid = create_network(session, name="Demo wijk (README)", area_code="WK036300").id
    with engine.begin() as conn:
        demo.load(conn, nid, data)
    return {"nid": nid, "ids": demo.story_ids(data), "actors": len(data.actors)}


def test_the_demo_holds_the_story_and_loads_fast(engine: Engine) -> None:
    import time

    started = time.perf_counter()
    data = demo.generate(1500, seed=7)
    assert time.perf_counter() - started < 5
    assert len(data.actors) == 1500
    names = data.actors.name
    assert [n for n in names if "lina" in n.lower()] == ["Lina Haddad"]
    assert [n for n in names if "karim" in n.lower()] == ["Karim Bouali"]
    areas = set(data.actors.area)
    assert {"Kerkstraat", "Molenweg", "Schoolstraat"} <= areas
    kinds = {
        k for k, a in zip(data.actors.kind, data.actors.area, strict=True) if a in demo.STREETS
    }
    assert {"resident", "key_figure", "initiative", "place"} <= kinds
    # same seed, same story (the demo is reproducible)
    assert demo.generate(1500, seed=7).actors.id == data.actors.id


def test_a_brokers_question_worked_through(
    client: TestClient, wijk: dict[str, Any], make_token: Callable[..., str]
) -> None:
    H = auth(make_token("broker", [wijk["nid"]]))
    B = f"/api/v1/networks/{wijk['nid']}"

    # find her (brokers see names)
    found = client.get(f"{B}/actors", params={"q": "Lina"}, headers=H).json()["items"]
    assert [a["name"] for a in found] == ["Lina Haddad"]
    lina = found[0]
    assert lina["area"] == "Kerkstraat" and {"taal", "ontmoeting"} <= set(lina["needs"])
    LINA = lina["id"]

    # ... and ask for suggestions around the theme taal
    r = client.get(
        f"{B}/actors/{LINA}/suggestions", params={"theme": "taal", "limit": 3}, headers=H
    )
    assert r.status_code == 200, r.text
    suggestions = r.json()["suggestions"]
    cafe = next(s for s in suggestions if s["target"]["name"] == "Taalcafé Kerkstraat")
    assert cafe["rank"] == 1
    assert cafe["introduction"]["introducer"]["name"] == "Karim Bouali"
    karim = client.get(
        f"{B}/actors/{cafe['introduction']['introducer']['actor_id']}", headers=H
    ).json()
    assert karim["kind"] == "key_figure" and karim["area"] == "Kerkstraat"
    assert any("taal" in r["sentence"] for r in cafe["reasons"])
    english = client.get(
        f"{B}/actors/{LINA}/suggestions",
        params={"theme": "taal", "limit": 3},
        headers={**H, "Accept-Language": "en"},
    ).json()["suggestions"][0]
    assert english["target"]["name"] == "Taalcafé Kerkstraat"
    assert [r["sentence"] for r in english["reasons"]] != [r["sentence"] for r in cafe["reasons"]]

    # the outcome goes back, with the suggestion's reason codes (see the README)
    CAFE = cafe["target"]["actor_id"]
    codes = [reason["code"] for reason in cafe["reasons"]]
    fb = client.post(
        f"{B}/suggestions/feedback",
        headers=H,
        json={
            "source": LINA,
            "target": CAFE,
            "decision": "accepted",
            "reason_codes": codes,
            "suggestion_kind": cafe["kind"],
        },
    )
    assert fb.status_code == 201, fb.text
    FID = fb.json()["id"]
    out = client.post(
        f"{B}/suggestions/feedback/{FID}/outcome",
        headers=H,
        json={"outcome": "tie_formed", "create_tie": True},
    )
    assert out.status_code == 200, out.text
    ties = client.get(f"{B}/ties", params={"actor": LINA}, headers=H).json()["items"]
    assert any({t["source"], t["target"]} == {LINA, CAFE} for t in ties)
    stats = client.get(f"{B}/suggestions/stats", headers=H).json()
    assert stats["by_reason"], stats  # per-reason rates fill once the codes are passed


def test_a_question_about_a_whole_street(
    client: TestClient, wijk: dict[str, Any], make_token: Callable[..., str]
) -> None:
    H = auth(make_token("broker", [wijk["nid"]]))
    r = client.post(
        f"/api/v1/networks/{wijk['nid']}/activations",
        headers=H,
        json={"area": "Kerkstraat", "themes": ["taal", "eenzaamheid"]},
    )
    assert r.status_code == 200, r.text
    plan = r.json()
    named = {item["actor"]["name"]: item for item in plan["items"]}
    assert {"Taalcafé Kerkstraat", "Seniorensoos De Molen", "Wandelgroep Kerkbuurt"} <= set(named)
    cafe = named["Taalcafé Kerkstraat"]
    assert [step["actor"]["name"] for step in cafe["chain"]][-2:] == [
        "Karim Bouali",
        "Taalcafé Kerkstraat",
    ]
    assert cafe["first_call"]["name"] == "Karim Bouali"
    kinds = {item["actor"]["kind"] for item in plan["items"]}
    assert {"initiative", "resident"} <= kinds or {"initiative", "key_figure"} <= kinds
    assert not plan["uncovered_themes"]


def test_the_library_example(engine: Engine, wijk: dict[str, Any]) -> None:
    from netwerk.analysis import service as analysis
    from netwerk.suggest import service as suggest

    summary = analysis.summary(engine, wijk["nid"])
    assert summary.actors == wijk["actors"] and summary.provenance.revision >= 1
    plan = suggest.activation(engine, wijk["nid"], area="Kerkstraat", themes=["taal"])
    ids = [item.actor.actor_id for item in plan.items]
    assert wijk["ids"]["taalcafe"] in ids and plan.items[0].rank == 1


def test_tokens_create_actor_and_csv_export_as_the_readme_shows(
    client: TestClient, wijk: dict[str, Any], make_token: Callable[..., str]
) -> None:
    admin = auth(make_token("admin"))
    NID = wijk["nid"]
    made = client.post(
        "/api/v1/tokens",
        headers=admin,
        json={"role": "researcher", "name": "onderzoek UvA", "networks": [NID]},
    )
    assert made.status_code == 201, made.text
    researcher = auth(made.json()["secret"])
    export = client.get(
        f"/api/v1/networks/{NID}/export", params={"format": "csv"}, headers=researcher
    )
    assert export.status_code == 200
    assert export.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(export.content)).namelist() == ["actors.csv", "ties.csv"]
    assert b"Lina" not in export.content  # pseudonymised

    fatima = client.post(
        f"/api/v1/networks/{NID}/actors",
        headers=admin,
        json={
            "kind": "resident",
            "name": "Fatima",
            "area": "BU03630001",
            "needs": ["taal"],
            "consent": "given",
        },
    )
    assert fatima.status_code == 201, fatima.text
    without = client.post("/api/v1/tokens", headers=admin, json={"role": "researcher"})
    assert without.status_code == 422
    assert {e["field"] for e in without.json()["errors"]} >= {"name"}
