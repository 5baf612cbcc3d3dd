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
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

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
