"""The authorisation matrix, generated from the app's own route table: every route × every role
× own network / other network / no token / unknown, revoked or expired token.

A route's allowed roles are read from its dependencies (``api.deps.scope`` and
``api.deps.require_roles`` carry them), so a route added later is checked without editing this
file. Expectations:

* no, unknown, revoked or expired token → 401;
* a network the token may not use → 404 (ids of other networks cannot be probed);
* a role the route does not admit → 403;
* an admitted role → neither 401 nor 403 (the route runs; it may still say 404 or 422);
* no response ever contains a field of the other network, nor a person the role may not see.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import jobs
from api.app import api_routes
from netwerk.model import Role
from tests.conftest import auth

ROLES = ["broker", "viewer", "researcher", "admin"]  # admin last: its DELETEs succeed
assert set(ROLES) == {r.value for r in Role}
VISIBLE = "Zichtbaar Persoon"
WITHDRAWN = "Ingetrokken Persoon"
FOREIGN = "Ander Netwerk Persoon"


def _roles_of(route: APIRoute) -> set[str] | None:
    """The roles a route admits, or None when any valid token may call it."""
    found: set[str] | None = None
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            allowed = {Role(r).value for r in roles}
            found = allowed if found is None else found & allowed
        stack.extend(dep.dependencies)
    return found


def _is_public(route: APIRoute) -> bool:
    return not route.path.startswith("/api/")


def _routes(app: Any) -> Iterator[tuple[str, str, APIRoute]]:
    for route in api_routes(app):
        if not _is_public(route):
            for method in sorted(route.methods):
                yield method, route.path, route


def _world(client: TestClient, admin: dict, make_token: Callable[..., str], key: str) -> dict:
    nid = client.post("/api/v1/networks", json={"name": f"Matrix {key}"}, headers=admin).json()[
        "id"
    ]
    name = VISIBLE if key == "own" else FOREIGN

    def actor(body: dict) -> str:
        r = client.post(f"/api/v1/networks/{nid}/actors", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    person = actor({"kind": "resident", "name": name, "consent": "given", "needs": ["taal"]})
    hidden = actor(
        {"kind": "resident", "name": WITHDRAWN if key == "own" else FOREIGN, "consent": "withdrawn"}
    )
    org = actor({"kind": "initiative", "name": f"Taalcafé {key}", "assets": ["taal"]})
    tie = client.post(
        f"/api/v1/networks/{nid}/ties",
        json={"source": person, "target": org, "kind": "participates_in"},
        headers=admin,
    ).json()["id"]
    client.post(
        f"/api/v1/networks/{nid}/ties",
        json={"source": hidden, "target": org, "kind": "participates_in"},
        headers=admin,
    )
    tokens = {role: make_token(role, [nid]) for role in ROLES if role != "admin"}
    return {"nid": nid, "aid": person, "tie": tie, "org": org, "tokens": tokens}


def _url(path: str, world: dict, token_id: str) -> str:
    tid = token_id if path.startswith("/api/v1/tokens") else world["tie"]
    return (
        path.replace("{nid}", world["nid"])
        .replace("{aid}", world["aid"])
        .replace("{tid}", tid)
        .replace("{eid}", "x")
    )


def _token_id(client: TestClient, admin: dict) -> str:
    r = client.post(
        "/api/v1/tokens", json={"role": "viewer", "name": "victim", "networks": []}, headers=admin
    )
    if r.status_code != 201:  # a viewer needs a network; make an admin one instead
        r = client.post("/api/v1/tokens", json={"role": "admin", "name": "victim"}, headers=admin)
    return str(r.json()["id"])


def _leaks(text: str, role: str, other: dict, url: str) -> list[str]:
    """Names or ids the caller may not see. Ids the caller sent itself (echoed in a problem's
    ``instance``) are no leak; an admin sees every network."""
    for segment in url.split("?")[0].split("/"):
        if len(segment) >= 8:
            text = text.replace(segment, "")
    secrets = [FOREIGN] if role == "admin" else [FOREIGN, other["nid"], other["aid"], other["org"]]
    found = [s for s in secrets if s in text]
    if WITHDRAWN in text:
        found.append(WITHDRAWN)
    if role in ("viewer", "researcher") and VISIBLE in text:
        found.append(VISIBLE)
    return found


@pytest.fixture
def admin_secret(make_token: Callable[..., str]) -> str:
    return make_token("admin")


def test_authorisation_matrix(
    app: Any, client: TestClient, admin_secret: str, make_token: Callable[..., str]
) -> None:
    admin = auth(admin_secret)
    routes = list(_routes(app))
    assert len(routes) >= 15, "the route table looks incomplete"
    failures: list[str] = []

    revoked = client.post(
        "/api/v1/tokens", json={"role": "admin", "name": "old"}, headers=admin
    ).json()
    client.delete(f"/api/v1/tokens/{revoked['id']}", headers=admin)
    expired = make_token("admin", expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    time.sleep(1.1)
    bad_tokens = {
        "none": None,
        "unknown": "nw_" + "x" * 43,
        "revoked": revoked["secret"],
        "expired": expired,
    }

    for method, path, route in routes:
        allowed = _roles_of(route)
        # a fresh pair of networks per route, so DELETE routes cannot spoil the next check
        own = _world(client, admin, make_token, "own")
        other = _world(client, admin, make_token, "other")
        victim = _token_id(client, admin)
        body = {} if method in ("POST", "PATCH", "PUT") else None

        for label, secret in bad_tokens.items():
            headers = auth(secret) if secret else {}
            r = client.request(method, _url(path, own, victim), json=body, headers=headers)
            if r.status_code != 401:
                failures.append(f"{method} {path} with {label} token: {r.status_code}")

        scoped = "{nid}" in path
        for role in ROLES:
            secret = admin_secret if role == "admin" else own["tokens"][role]
            headers = auth(secret)
            # the other network, through a token of the own network
            if scoped and role != "admin":
                url = _url(path, other, victim)
                r = client.request(method, url, json=body, headers=headers)
                if r.status_code != 404:
                    failures.append(f"{method} {path} as {role} on other network: {r.status_code}")
                if leaks := _leaks(r.text, role, other, url):
                    failures.append(f"{method} {path} as {role} (other) leaked {leaks}")
            url = _url(path, own, victim)
            r = client.request(method, url, json=body, headers=headers)
            admitted = allowed is None or role in allowed
            if admitted and r.status_code in (401, 403):
                failures.append(f"{method} {path} as {role}: {r.status_code}, expected access")
            if not admitted and r.status_code != 403:
                failures.append(f"{method} {path} as {role}: {r.status_code}, expected 403")
            if r.status_code >= 500:
                failures.append(f"{method} {path} as {role}: server error {r.status_code}")
            if leaks := _leaks(r.text, role, other, url):
                failures.append(f"{method} {path} as {role} leaked {leaks}")
    assert not failures, "\n".join(failures)


def test_matrix_sees_every_route(app: Any) -> None:
    """Every /api/v1 route declares who may call it, or is open to any valid token on
    purpose (listing one's own networks)."""
    open_to_all = {("GET", "/api/v1/networks")}
    for method, path, route in _routes(app):
        if _roles_of(route) is None:
            assert (method, path) in open_to_all, f"{method} {path} declares no roles"


# --------------------------------------------------------------------------- viewers: aggregates


THRESHOLD = 6  # not the default 5: the network's own threshold is the one applied
# Keys that describe an actor; a list entry carrying one is a row about an actor unless it is
# a counted cell (it has a count) or names organisations, initiatives or places only.
ATTRIBUTES = {"area", "main_area", "theme", "themes", "needs", "assets", "languages", "kind"}
COUNTS = {"persons", "count", "size"}
KIND_TABLES = {
    "kinds",
    "actors_by_kind",
    "top_persons_by_kind",
    "articulation_points_by_kind",
    "outcomes",
}
# Extra query strings per route, beyond the defaults, so that every option that changes the
# shape is tried (a route missing here is still called with its defaults).
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "/analysis/centrality": [
        {"measure": m, "top": 1000} for m in ("betweenness", "degree", "two_step_reach")
    ],
    "/analysis/key-figures": [{"top": 1000}],
    "/analysis/brokers": [{"grouping": g, "top": 1000} for g in ("community", "area", "kind")],
    "/analysis/bridges": [{"limit": 1000}],
    "/analysis/communities": [{"members": "true"}],
    "/analysis/gaps": [{"limit": 500}, {"limit": 500, "reach": 3}],
    "/analysis/compare": [{"from": "2020-01-01"}],
    "/actors": [{"limit": 500}],
}


def _street_world(client: TestClient, admin: dict) -> dict:
    """Streets of very different sizes, with the network's threshold at 6: Lijstersingel has
    one resident (the one the issue found through the gaps), Kerkpad four, Vinkstraat five
    (shown if the default 5 were applied instead), Merelstraat eight; an organisation, an
    initiative and a place; a professional without area. Nobody offers 'klussen'."""
    nid = client.post(
        "/api/v1/networks",
        json={"name": "Straten", "small_cell_threshold": THRESHOLD},
        headers=admin,
    ).json()["id"]
    url = f"/api/v1/networks/{nid}"

    def actor(**body: Any) -> str:
        r = client.post(f"{url}/actors", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def tie(a: str, b: str, kind: str = "knows") -> None:
        r = client.post(f"{url}/ties", json={"source": a, "target": b, "kind": kind}, headers=admin)
        assert r.status_code == 201, r.text

    actor(
        kind="resident",
        name="Lijster Eén",
        area="Lijstersingel",
        needs=["administratie"],
        consent="given",
    )
    merel = [
        actor(
            kind="key_figure" if i == 0 else "resident",
            name=f"Merel {i}",
            area="Merelstraat",
            needs=["taal", "klussen"] if i % 3 == 0 else ["klussen"],
            assets=["koken"] if i % 2 else [],
            consent="given",
        )
        for i in range(8)
    ]
    vink = [
        actor(
            kind="resident",
            name=f"Vink {i}",
            area="Vinkstraat",
            needs=["geldzaken"],
            languages=["ar"],
            consent="unknown" if i else "given",
        )
        for i in range(5)
    ]
    for i in range(4):  # four isolated residents on Kerkpad, asking what nobody offers
        actor(kind="resident", name=f"Kerk {i}", area="Kerkpad", needs=["klussen"])
    org = actor(kind="organisation", name="Buurthuis", area="Merelstraat", assets=["taal"])
    init = actor(kind="initiative", name="Taalcafé", area="Merelstraat", assets=["taal"])
    place = actor(kind="place", name="Speeltuin", area="Vinkstraat")
    prof = actor(kind="professional", name="Wijk Werker", consent="given")
    for a, b in itertools.pairwise(merel):
        tie(a, b)
    tie(merel[0], merel[4])
    for v in merel[:3]:
        tie(v, init, "participates_in")
    tie(vink[0], vink[1])
    tie(vink[1], vink[2])
    tie(vink[0], merel[5])
    tie(vink[2], place, "participates_in")
    tie(prof, org, "works_for")
    tie(prof, merel[7], "knows")
    return {"nid": nid, "org": org, "init": init, "place": place}


def _db_persons(engine: Any, nid: str) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    from netwerk.store.tables import Actor

    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Actor.id, Actor.kind, Actor.area, Actor.assets, Actor.needs).where(
                Actor.network_id == nid, Actor.kind.in_(["resident", "key_figure", "professional"])
            )
        ).all()
    out = []
    for aid, kind, area, assets, needs in rows:
        themes = set(assets or []) | set(needs or [])
        out.append({"id": aid, "kind": kind, "area": area, "themes": themes})
    return out


def _walk(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def _aggregate_problems(
    body: Any, persons: list[dict[str, Any]], non_persons: set[str]
) -> list[str]:
    """Everything in a viewer's answer that lists persons or gives a small cell away."""
    problems: list[str] = []

    def db_count(area: str | None, theme: str | None = None, kind: str | None = None) -> int:
        return sum(
            1
            for p in persons
            if p["area"] == area
            and (theme is None or theme in p["themes"])
            and (kind is None or p["kind"] == kind)
        )

    for path, node in _walk(body):
        if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            for i, row in enumerate(node):
                where = f"{path}[{i}]"
                key = "actor_id" if "actor_id" in row else "id" if "id" in row else None
                if key is not None:
                    if row[key] not in non_persons:
                        problems.append(f"{where}: a row about a person")
                    continue
                if "actors" in row:
                    ids = [a.get("actor_id") for a in row["actors"]]
                    if not ids or any(x not in non_persons for x in ids):
                        problems.append(f"{where}: a row about persons (actors {len(ids)})")
                    continue
                if ATTRIBUTES & set(row) and not COUNTS & set(row):
                    problems.append(f"{where}: a row with {sorted(ATTRIBUTES & set(row))}")
            cells = [x for x in node if "persons" in x and ({"area", "theme"} & set(x))]
            hidden = sum(1 for x in cells if x["persons"] is None)
            if hidden == 1 and len(cells) > 1:
                problems.append(f"{path}: one hidden cell, recomputable from the total")
        if isinstance(node, dict) and "persons" in node and node["persons"] is not None:
            if "area" in node:
                true = db_count(node["area"], node.get("theme"), node.get("kind"))
                if 0 < true < THRESHOLD:
                    problems.append(f"{path}: {true} persons in {node['area']} shown")
            if "theme" in node and "area" not in node:
                true = sum(1 for p in persons if node["theme"] in p["themes"])
                if 0 < true < THRESHOLD:
                    problems.append(f"{path}: {true} persons with {node['theme']} shown")
        if isinstance(node, dict) and node.get("size", 0) is None:
            # a density with the number of ties, or the persons, would give the size away
            shown = [k for k in ("density", "internal_ties", "persons") if node.get(k) is not None]
            if shown:
                problems.append(f"{path}: hidden size, but {shown} shown")
        if isinstance(node, dict) and path.rsplit(".", 1)[-1] in KIND_TABLES:
            values = [v for v in node.values() if v is None or isinstance(v, int)]
            small = [v for v in values if v is not None and 0 < v < THRESHOLD]
            if small:
                problems.append(f"{path}: small counts {small}")
            if sum(1 for v in values if v is None) == 1 and len(values) > 1:
                problems.append(f"{path}: one hidden cell, recomputable from the total")
    return problems


def test_viewer_routes_answer_aggregates_only(
    app: Any,
    client: TestClient,
    engine: Any,
    admin_secret: str,
    make_token: Callable[..., str],
) -> None:
    """Every route a viewer may call, with every option that changes the shape: no list has
    one entry per person, no person id appears, and no (area), (area, theme) or (area, kind)
    cell below the threshold can be read or recomputed (checked against the database)."""
    world = _street_world(client, auth(admin_secret))
    nid = world["nid"]
    viewer = auth(make_token("viewer", [nid]))
    persons = _db_persons(engine, nid)
    non_persons = {world["org"], world["init"], world["place"], nid}  # and the network itself
    failures: list[str] = []
    called = 0
    for method, path, route in _routes(app):
        allowed = _roles_of(route)
        if method != "GET" or (allowed is not None and "viewer" not in allowed):
            continue
        # the status URL of a long computation: here one of the gaps route (tests/test_api_jobs.py)
        job = jobs.Job("analysisGaps", {}, [], jobs.network_digest(nid), time.time()).encode()
        url = path.replace("{nid}", nid).replace("{aid}", world["org"]).replace("{job}", job)
        tail = path.split("{nid}", 1)[1] if "{nid}" in path else path
        defaults: dict[str, Any] = {}
        if tail == "/analysis/what-if":
            defaults = {"remove": world["org"]}
        if tail == "/analysis/compare":
            defaults = {"from": dt.date.today().isoformat()}
        for params in [defaults, *({**defaults, **v} for v in VARIANTS.get(tail, []))]:
            for lang in ("nl", "en"):
                r = client.get(url, params={**params, "lang": lang}, headers=viewer)
                called += 1
                if r.status_code != 200:
                    failures.append(f"{tail} {params}: {r.status_code} {r.text[:200]}")
                    continue
                leaked = [p["id"] for p in persons if p["id"] in r.text]
                if leaked:
                    failures.append(f"{tail} {params}: person ids {len(leaked)}")
                names = [
                    n for n in ("Lijster Eén", "Merel ", "Vink ", "Wijk Werker") if n in r.text
                ]
                if names:
                    failures.append(f"{tail} {params}: names {names}")
                for problem in _aggregate_problems(r.json(), persons, non_persons):
                    failures.append(f"{tail} {params}: {problem}")
    assert called >= 40, called
    assert not failures, "\n".join(dict.fromkeys(failures))
