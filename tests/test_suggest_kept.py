"""Suggestions survive a small change (issue 12, *local*): a kept model refitted on a
schedule, the current snapshot's ties in every answer (read-your-writes), and the context
brought along from the previous revision equal to one built afresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from netwerk import cache
from netwerk.graph import snapshot_from_networkx
from netwerk.store.delta import Delta, PairState, apply_delta
from netwerk.suggest import kept
from netwerk.suggest.context import build_context, fit_model
from netwerk.suggest.service import network_seed
from tests.conftest import auth


@pytest.fixture
def schedule() -> Iterator[None]:
    """A model that is never refitted within a test, unless the test says otherwise."""
    kept.configure(changes=1000, minutes=600)
    yield
    kept.wait_for_refits()
    kept.configure(changes=100, minutes=10)


@pytest.fixture
def street(client: TestClient, admin: dict, make_token: Callable[..., str]) -> dict:
    """Ten residents in a street (consent given), each knowing the next two, plus a hub."""
    nid = client.post("/api/v1/networks", json={"name": "Kept"}, headers=admin).json()["id"]
    ids = []
    for i in range(10):
        r = client.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "resident", "name": f"Buur {i}", "consent": "given", "area": "Laan"},
            headers=admin,
        )
        ids.append(r.json()["id"])
    for i in range(10):
        for j in (i + 1, i + 2):
            if j < 10:
                tie(client, admin, nid, ids[i], ids[j])
    return {"nid": nid, "ids": ids, "broker": auth(make_token("broker", [nid]))}


def tie(client: TestClient, headers: dict, nid: str, a: str, b: str) -> int:
    r = client.post(
        f"/api/v1/networks/{nid}/ties",
        json={"source": a, "target": b, "kind": "knows", "strength": 3},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return int(r.headers["X-Netwerk-Revision"]) if "X-Netwerk-Revision" in r.headers else -1


def suggestions(client: TestClient, street: dict, actor: str) -> dict:
    r = client.get(
        f"/api/v1/networks/{street['nid']}/actors/{actor}/suggestions",
        params={"limit": 20},
        headers=street["broker"],
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_brokers_own_tie_is_in_the_next_suggestions(
    client: TestClient, street: dict, schedule: None
) -> None:
    ids = street["ids"]
    a, b = ids[0], ids[3]  # two hops apart (0 - 1 - 3): a candidate
    before = suggestions(client, street, a)
    assert b in {s["target"]["actor_id"] for s in before["suggestions"]}
    model_revision = before["provenance"]["parameters"]["model_revision"]
    tie(client, street["broker"], street["nid"], a, b)
    revision = client.get(f"/api/v1/networks/{street['nid']}", headers=street["broker"]).json()[
        "revision"
    ]
    after = suggestions(client, street, a)
    assert b not in {s["target"]["actor_id"] for s in after["suggestions"]}
    assert after["provenance"]["revision"] >= revision > before["provenance"]["revision"]
    # answered with the kept model, fitted before the write, on the current ties
    assert after["provenance"]["parameters"]["model_revision"] == model_revision < revision
    # and never offered from the other end either
    assert a not in {s["target"]["actor_id"] for s in suggestions(client, street, b)["suggestions"]}


def test_a_new_tie_counts_in_the_scores_of_its_ends_at_once(
    client: TestClient, street: dict, engine: Engine, schedule: None
) -> None:
    ids = street["ids"]
    a, b, c = ids[0], ids[4], ids[6]  # c knows b; a and c have no contact in common yet

    def evidence() -> tuple[dict[str, float], float, int]:
        snap = cache.get_snapshot(engine, street["nid"])
        ctx = kept.context_for(snap, None, network_seed)
        u, v = snap.index[a], snap.index[c]
        values = {r.code: r.value for r in ctx.fitted.explain(u, v)}
        return values, float(ctx.fitted.score_pairs([u], [v])[0]), ctx.model_revision

    suggestions(client, street, a)
    before, score_before, model_before = evidence()
    assert before["common_contacts"] == 0.0
    tie(client, street["broker"], street["nid"], a, b)
    after, score_after, model_after = evidence()
    assert model_after == model_before  # not refitted: the same learned weights
    assert after["common_contacts"] == 1.0  # b, from the write just made
    assert after["network_distance"] == 2.0 < before["network_distance"]
    assert score_after != score_before
    shown = {s["target"]["actor_id"]: s for s in suggestions(client, street, a)["suggestions"]}
    assert c in shown  # two steps away now: a candidate


def test_the_model_is_refitted_in_the_background_when_due(
    client: TestClient, street: dict, schedule: None
) -> None:
    ids = street["ids"]
    first = suggestions(client, street, ids[0])["provenance"]["parameters"]["model_revision"]
    kept.configure(changes=2)
    tie(client, street["broker"], street["nid"], ids[0], ids[5])
    assert suggestions(client, street, ids[0])["provenance"]["parameters"]["model_revision"] == (
        first
    )
    tie(client, street["broker"], street["nid"], ids[0], ids[7])
    due = suggestions(client, street, ids[0])  # starts the refit, answers with the old model
    assert due["provenance"]["parameters"]["model_revision"] == first
    kept.wait_for_refits()
    now = suggestions(client, street, ids[0])
    assert now["provenance"]["parameters"]["model_revision"] == due["provenance"]["revision"]


def test_erasure_drops_the_kept_models(
    client: TestClient, street: dict, admin: dict, schedule: None
) -> None:
    suggestions(client, street, street["ids"][0])
    assert kept.kept_models(street["nid"])
    r = client.delete(f"/api/v1/networks/{street['nid']}/actors/{street['ids'][9]}", headers=admin)
    assert r.status_code in (200, 204), r.text
    assert not kept.kept_models(street["nid"])
    assert street["ids"][9] not in {a for m in kept.kept_models(street["nid"]) for a in m.ids}


def _ring() -> object:
    import networkx as nx

    g = nx.connected_watts_strogatz_graph(80, 4, 0.2, seed=5)
    for v in g.nodes:
        g.nodes[v]["kind"] = "resident" if v % 7 else "initiative"
        g.nodes[v]["consent"] = "given"
        g.nodes[v]["assets"] = ["taal"] if v % 11 == 0 else []
        g.nodes[v]["needs"] = ["taal"] if v % 5 == 0 else []
    g.add_node(200, kind="resident", consent="given", needs=["taal"])  # isolated, unmet
    return g


@pytest.mark.parametrize(("remove", "refitted"), [(False, False), (True, False), (False, True)])
def test_a_context_brought_along_equals_one_built_afresh(remove: bool, refitted: bool) -> None:
    cache.clear()
    s0 = snapshot_from_networkx(_ring(), network_id="kept-ring", revision=1)
    model = fit_model(s0, seed=7)
    c0 = build_context(s0, model=model)
    lo, hi = sorted([s0.ids[3], s0.ids[-1]])  # the isolated one joins the ring
    pairs: dict[tuple[str, str], PairState | None] = {(lo, hi): PairState(2.0, 1, 0, frozenset())}
    if remove:
        u, v = s0.edge_array[10]
        pairs[tuple(sorted((s0.ids[u], s0.ids[v])))] = None  # type: ignore[index]
    s1 = apply_delta(s0, Delta(2, {}, pairs, 1))
    assert s1 is not None
    if refitted:  # the model was refitted meanwhile: the context is brought along all the same
        model = fit_model(s0, seed=8)
    along = build_context(s1, model=model, previous=c0)
    fresh = build_context(s1, model=model)
    for name in (
        "allowed",
        "membership",
        "community_sizes",
        "community_has_help",
        "components",
        "component_sizes",
        "isolated",
        "covered",
        "unmet",
        "overloaded",
    ):
        assert np.array_equal(getattr(along, name), getattr(fresh, name)), name
    assert (along.community_ties != fresh.community_ties).nnz == 0
    assert along.places is not None and fresh.places is not None
    assert (along.places != fresh.places).nnz == 0
    assert not along.isolated[s1.index[s0.ids[-1]]] and c0.isolated[s0.index[s0.ids[-1]]]
    u = s1.index[lo]
    a, b = along.fitted.explain_many(u), fresh.fitted.explain_many(u)
    assert np.array_equal(a.targets, b.targets) and np.allclose(a.logodds, b.logodds)


def test_a_refit_under_way_during_an_erasure_is_not_kept(
    monkeypatch: pytest.MonkeyPatch, schedule: None
) -> None:
    import threading

    cache.clear()
    s0 = snapshot_from_networkx(_ring(), network_id="kept-race", revision=1)
    first = kept.context_for(s0, None, network_seed)  # a cold start: fitted now
    lo, hi = sorted([s0.ids[3], s0.ids[-1]])
    s1 = apply_delta(s0, Delta(2, {}, {(lo, hi): PairState(2.0, 1, 0, frozenset())}, 1))
    assert s1 is not None
    release = threading.Event()
    fit = kept.fit_model

    def slow_fit(*args: object, **kwargs: object) -> object:
        release.wait(30)
        return fit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kept, "fit_model", slow_fit)
    kept.configure(changes=1)
    answer = kept.context_for(s1, None, network_seed)  # due: refitting in the background
    assert answer.model_revision == first.model_revision == 1 and answer.snapshot is s1
    cache.purge_network("kept-race")  # an erasure while the refit runs
    release.set()
    kept.wait_for_refits()
    assert not kept.kept_models("kept-race")
    assert not any(k[0] == "kept-race" for k in cache.result_cache._data)
