"""Hostile characters in every string that enters, on every route, on both databases.

The routes, their path and query parameters come from the app's own route table (like
``tests/test_authz_matrix.py``), so a route added later is swept without editing this file;
a route with a JSON body must have a valid example body in ``BODIES`` (the test says so when
one is missing). Every string of that body — values, list items and object keys — is replaced
in turn by a hostile one. Expected for each request: 422 with a problem that names the field
(never a 500, never accepted), and the network unchanged afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import api_routes

# NUL, another C0 control, a noncharacter XML forbids; lone surrogates only fit in JSON.
URL_HOSTILE = ["\x00", "\x1b", "\ufffe"]
BODY_HOSTILE = [*URL_HOSTILE, "\ud800"]

# A valid body per (method, path): the sweep swaps one string at a time for a hostile one.
# Placeholders in values: {nid} {aid} {org} {tid} {fid}.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/networks"): {
        "name": "Veilige wijk",
        "area_code": "WK036300",
        "description": "Een beschrijving",
    },
    ("PATCH", "/api/v1/networks/{nid}"): {"name": "Veilige wijk", "description": "Tekst"},
    ("POST", "/api/v1/networks/{nid}/actors"): {
        "kind": "resident",
        "name": "Fatima",
        "area": "Kerkstraat",
        "languages": ["nl"],
        "assets": ["koken"],
        "needs": ["taal"],
        "consent": "given",
        "consent_basis": "consent",
        "attributes": {"kleur": "rood"},
        "note": "Een notitie",
        "external_ref": "EXT-1",
    },
    ("PATCH", "/api/v1/networks/{nid}/actors/{aid}"): {
        "name": "Fatima",
        "area": "Kerkstraat",
        "attributes": {"kleur": "rood"},
        "note": "Een notitie",
        "external_ref": "EXT-1",
    },
    ("POST", "/api/v1/networks/{nid}/ties"): {
        "source": "{aid}",
        "target": "{org}",
        "kind": "knows",
        "note": "Een notitie",
    },
    ("PATCH", "/api/v1/networks/{nid}/ties/{tid}"): {"note": "Een notitie", "source": "{aid}"},
    ("POST", "/api/v1/networks/{nid}/activations"): {
        "focus_actor": "{aid}",
        "themes": ["taal"],
    },
    ("POST", "/api/v1/networks/{nid}/suggestions/feedback"): {
        "source": "{aid}",
        "target": "{org}",
        "decision": "declined",
        "introducer": "{aid}",
        "reason_codes": ["need_asset"],
    },
    ("POST", "/api/v1/networks/{nid}/suggestions/feedback/{fid}/outcome"): {
        "outcome": "no_contact"
    },
    ("POST", "/api/v1/networks/{nid}/suggestions/do-not-suggest"): {
        "source": "{aid}",
        "target": "{org}",
    },
    ("POST", "/api/v1/tokens"): {"role": "broker", "name": "Balie", "networks": ["{nid}"]},
    ("POST", "/api/v1/networks/{nid}/persons"): {
        "person": {"kind": "resident", "name": "Nadia", "area": "Kerkstraat", "needs": ["taal"]},
        "contacts": [
            {"actor_id": "{aid}", "kind": "friend", "support": ["company"], "note": "Notitie"}
        ],
    },
    ("POST", "/api/v1/networks/{nid}/actors/{aid}/contacts"): {
        "contacts": [{"actor_id": "{org}", "kind": "participates_in", "note": "Een notitie"}]
    },
    ("POST", "/api/v1/networks/{nid}/suggestions/{sid}/outcome"): {"outcome": "no_contact"},
    ("PUT", "/api/v1/networks/{nid}/dashboard/groups/{group}/name"): {"name": "Rond het plein"},
}


def _flat(dependant: Any, kind: str) -> set[str]:
    found = {p.alias for p in getattr(dependant, kind)}
    for sub in dependant.dependencies:
        found |= _flat(sub, kind)
    return found


def routes(app: Any) -> Iterator[tuple[str, APIRoute]]:
    for route in api_routes(app):
        for method in sorted(route.methods):
            yield method, route


def fill(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in world.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {fill(k, world): fill(v, world) for k, v in value.items()}
    return value


def _join(prefix: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{prefix}[{part}]"
    return f"{prefix}.{part}" if prefix else part


def body_variants(body: Any, bad: str, where: str = "") -> Iterator[tuple[str, Any]]:
    """(field path, body with one string made hostile) for every string value and key."""
    if isinstance(body, str):
        yield where, body[:1] + bad + body[1:]
    elif isinstance(body, list):
        for i, item in enumerate(body):
            for field, new in body_variants(item, bad, _join(where, i)):
                yield field, [*body[:i], new, *body[i + 1 :]]
    elif isinstance(body, dict):
        for key, item in body.items():
            for field, new in body_variants(item, bad, _join(where, key)):
                yield field, {**body, key: new}
            spoiled = {(k[:1] + bad + k[1:] if k == key else k): v for k, v in body.items()}
            yield where or "body", spoiled  # a bad key is named by the object holding it


def _url(path: str, world: dict[str, str], swap: str | None = None, bad: str = "") -> str:
    """The path with every parameter filled in (ids from the world; others a plain value),
    the one named ``swap`` spoiled with ``bad``."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        key = "token" if name == "tid" and path.startswith("/api/v1/tokens") else name
        text = world.get(key, "0" if name == "group" else "abc")
        if swap == name:
            text = text[:2] + bad + text[2:]
        return quote(text, safe="")

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def world(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    nid = client.post("/api/v1/networks", json={"name": "Sweepwijk"}, headers=admin).json()["id"]

    def post(path: str, body: dict[str, Any]) -> str:
        r = client.post(f"/api/v1/networks/{nid}{path}", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    aid = post("/actors", {"kind": "resident", "name": "Anna", "consent": "given"})
    org = post("/actors", {"kind": "initiative", "name": "Taalcafé", "assets": ["taal"]})
    tid = post("/ties", {"source": aid, "target": org, "kind": "participates_in"})
    r = client.post(
        f"/api/v1/networks/{nid}/suggestions/feedback",
        json={"source": aid, "target": org, "decision": "accepted"},
        headers=admin,
    )
    assert r.status_code in (200, 201), r.text
    fid = str(r.json()["id"])
    token = client.post(
        "/api/v1/tokens",
        json={"role": "viewer", "name": "kijker", "networks": [nid]},
        headers=admin,
    ).json()["id"]
    return {"nid": nid, "aid": aid, "org": org, "tid": tid, "fid": fid, "token": token}


def _state(client: TestClient, admin: dict[str, str], w: dict[str, str]) -> tuple[Any, ...]:
    net = client.get(f"/api/v1/networks/{w['nid']}", headers=admin).json()
    nets = client.get("/api/v1/networks?limit=1000", headers=admin).json()["items"]
    tokens = client.get("/api/v1/tokens?limit=1000", headers=admin).json()["items"]
    return (net["revision"], len(nets), len([t for t in tokens if not t["revoked_at"]]))


def names_field(response: Any, field: str) -> bool:
    try:
        problem = response.json()
    except ValueError:
        return False
    return any(e.get("field") == field for e in problem.get("errors") or [])


def sweep(client: TestClient, app: Any, admin: dict[str, str]) -> dict[str, list[str]]:
    """Every hostile request; returns {'500': [...], 'accepted': [...], 'unnamed': [...]}."""
    w = world(client, admin)
    before = _state(client, admin, w)
    found: dict[str, list[str]] = {"500": [], "accepted": [], "unnamed": [], "changed": []}

    def judge(label: str, r: Any, field: str) -> None:
        if r.status_code >= 500:
            found["500"].append(label)
        elif r.status_code < 400:
            found["accepted"].append(f"{label} → {r.status_code}")
        elif r.status_code != 422 or not names_field(r, field):
            found["unnamed"].append(f"{label} → {r.status_code} {r.text[:160]}")

    missing = []
    for method, route in routes(app):
        path = route.path
        for name in sorted(_flat(route.dependant, "path_params")):
            for bad in URL_HOSTILE:
                r = client.request(method, _url(path, w, name, bad), headers=admin)
                judge(f"{method} {path} path {name}={bad!r}", r, name)
        base = _url(path, w)
        for name in sorted(_flat(route.dependant, "query_params")):
            for bad in URL_HOSTILE:
                value = quote(f"ab{bad}cd", safe="")
                r = client.request(method, f"{base}?{name}={value}", headers=admin)
                judge(f"{method} {path} query {name}={bad!r}", r, name)
        if _flat(route.dependant, "body_params"):
            if (method, path) not in BODIES:
                missing.append(f"{method} {path}")
                continue
            body = fill(BODIES[(method, path)], w)
            for bad in BODY_HOSTILE:
                for field, variant in body_variants(body, bad):
                    raw = json.dumps(variant).encode()  # ASCII escapes: lone surrogates too
                    r = client.request(
                        method,
                        base,
                        content=raw,
                        headers={**admin, "content-type": "application/json"},
                    )
                    judge(f"{method} {path} body {field}={bad!r}", r, field)
    assert not missing, f"give these routes an example body in BODIES: {missing}"
    if _state(client, admin, w) != before:
        found["changed"].append(f"{before} → {_state(client, admin, w)}")
    return found


def test_no_route_takes_a_hostile_string(app: Any, client: TestClient, admin: dict) -> None:
    found = sweep(client, app, admin)
    report = "\n".join(f"{k}: {v}" for k, items in found.items() for v in items)
    assert not any(found.values()), report


def test_every_body_route_has_an_example(app: Any) -> None:
    with_body = {(m, r.path) for m, r in routes(app) if _flat(r.dependant, "body_params")}
    assert with_body == set(BODIES), with_body ^ set(BODIES)


def test_the_refusal_speaks_the_request_language_and_never_echoes_the_value(
    client: TestClient, admin: dict, network: str
) -> None:
    url = f"/api/v1/networks/{network}/actors"
    body = {"kind": "resident", "name": "Geheim\x00naam"}
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["errors"] == [
        {
            "field": "name",
            "message": "bevat een stuurteken (U+0000); dat is geen tekst en wordt niet aangenomen",
            "in": "body",
        }
    ]
    assert problem["title"] == "Ongeldige invoer" and "Geheim" not in r.text
    r = client.post(url, json=body, headers={**admin, "Accept-Language": "en"})
    assert r.json()["errors"][0]["message"].startswith("contains a control character (U+0000)")
    r = client.get(f"{url}?q=a%EF%BF%BFb&lang=en", headers=admin)
    assert r.json()["errors"] == [
        {
            "field": "q",
            "message": "contains U+FFFF, a code that is not a character and would make an "
            "export unreadable",
            "in": "query",
        }
    ]


def test_keys_of_the_query_and_paths_outside_the_api_are_guarded_too(
    client: TestClient, admin: dict, network: str
) -> None:
    r = client.get(f"/api/v1/networks/{network}/actors?q%00=1", headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query"
    for path in ("/dashboard-static/a%00b.css", "/nergens/a%00b", "/dashboard/a%1Bb"):
        r = client.get(path)
        assert r.status_code == 422, (path, r.status_code)
        assert "instance" not in r.json()  # a hostile path is not echoed


def test_ordinary_text_still_enters(client: TestClient, admin: dict, network: str) -> None:
    """Tabs, line breaks (also Windows ones), accents, Arabic, emoji and the rest of Unicode
    are text, and stay exactly as sent."""
    body = {
        "kind": "resident",
        "name": "Zoë Ğüneş-El Amrani 👩🏽‍🍳 نور",
        "note": "regel 1\r\nregel 2\n\tingesprongen",
        "attributes": {"opmerking": "a\tb", "ß": "ok"},
    }
    r = client.post(f"/api/v1/networks/{network}/actors", json=body, headers=admin)
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["name"], got["note"], got["attributes"]) == (
        body["name"],
        body["note"],
        body["attributes"],
    )
