"""The snapshot (netwerk.graph) and the caches (netwerk.cache), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time

import networkx as nx
import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from netwerk import cache
from netwerk.analysis import service
from netwerk.columns import snapshot_from_columns
from netwerk.errors import NotFound
from netwerk.graph import bfs_levels, snapshot_from_networkx
from netwerk.projections import affiliation, persons_only, subsnapshot
from netwerk.store import snapshot as store_snapshot
from netwerk.store.revision import bump_revision
from netwerk.store.snapshot import load_snapshot
from netwerk.store.tables import Actor, Network, Tie

TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=400)


def new_network(engine: Engine) -> str:
    nid = "n" + secrets.token_hex(6)
    with engine.begin() as c:
        c.execute(sa.insert(Network).values(id=nid, name="Testwijk", revision=1))
    return nid


def add_actor(c: sa.Connection, nid: str, aid: str, kind: str = "resident", **kw) -> str:
    full = f"{nid}-{aid}"
    c.execute(sa.insert(Actor).values(id=full, network_id=nid, kind=kind, name=aid.upper(), **kw))
    return full


def add_tie(c: sa.Connection, nid: str, a: str, b: str, kind: str = "knows", **kw) -> None:
    c.execute(
        sa.insert(Tie).values(
            id="t" + secrets.token_hex(8),
            network_id=nid,
            source_id=f"{nid}-{a}",
            target_id=f"{nid}-{b}",
            kind=kind,
            **kw,
        )
    )


@pytest.fixture
def small(engine: Engine) -> str:
    """a-b (two parallel ties), b-c, c->d referral, d-e history, e-a not yet started;
    f is an initiative, g an organisation."""
    nid = new_network(engine)
    with engine.begin() as c:
        add_actor(c, nid, "a", languages=["nl", "ar"], needs=["taal"], consent="given")
        add_actor(c, nid, "b", "key_figure", area="BU03630000", assets=["taal", "koken"])
        add_actor(c, nid, "c", "professional")
        add_actor(c, nid, "d", "professional")
        add_actor(c, nid, "e")
        add_actor(c, nid, "f", "initiative", area="Merelstraat")
        add_actor(c, nid, "g", "organisation")
        add_tie(c, nid, "a", "b", strength=2, support=["company"])
        add_tie(c, nid, "b", "a", "family", strength=5, support=["practical", "emotional"])
        add_tie(c, nid, "b", "c", since=PAST)
        add_tie(c, nid, "c", "d", "refers_to", strength=4, since=PAST, until=TODAY)
        add_tie(c, nid, "d", "e", since=PAST, until=TODAY - dt.timedelta(days=1))
        add_tie(c, nid, "e", "a", since=TODAY + dt.timedelta(days=1))
        add_tie(c, nid, "a", "f", "participates_in")
        add_tie(c, nid, "c", "g", "works_for")
        bump_revision(c, nid)
    return nid


def pair(s, a: str, b: str):
    e = s.graph.get_eid(s.index[f"{s.network_id}-{a}"], s.index[f"{s.network_id}-{b}"])
    return s.graph.es[e]


def test_load_snapshot_collapses_filters_and_keeps_direction(engine: Engine, small: str):
    with engine.connect() as c:
        s = load_snapshot(c, small)
    assert s.ids == tuple(sorted(s.ids)) and s.n == 7
    assert s.revision == 2 and s.as_of == TODAY
    assert s.kind[s.index[f"{small}-b"]] == "key_figure"
    assert s.languages[s.index[f"{small}-a"]] == frozenset({"nl", "ar"})
    assert s.assets[s.index[f"{small}-b"]] == frozenset({"taal", "koken"})
    assert s.needs[s.index[f"{small}-a"]] == frozenset({"taal"})
    assert s.area[s.index[f"{small}-f"]] == "Merelstraat"
    assert s.consent[s.index[f"{small}-a"]] == "given"
    # a-b: two ties, one edge: max strength, kinds and supports united
    ab = pair(s, "a", "b")
    assert ab["weight"] == 5.0 and ab["kinds"] == ("knows", "family")
    assert ab["support"] == ("practical", "company", "emotional")  # SupportKind order
    # today: d-e is history (until yesterday), e-a starts tomorrow, c->d ends today (active)
    assert s.tie_count == 6 and s.m == 5
    assert s.graph.get_eid(s.index[f"{small}-d"], s.index[f"{small}-e"], error=False) < 0
    assert s.referrals == ((s.index[f"{small}-c"], s.index[f"{small}-d"]),)
    assert list(map(tuple, s.edge_array)) == [e.tuple for e in s.graph.es]
    assert s.is_person.tolist() == [True, True, True, True, True, False, False]


def test_as_of_filtering(engine: Engine, small: str):
    with engine.connect() as c:
        before = load_snapshot(c, small, as_of=PAST - dt.timedelta(days=1))
        start = load_snapshot(c, small, as_of=PAST)
        later = load_snapshot(c, small, as_of=TODAY + dt.timedelta(days=1))
    # before PAST only the undated ties exist: a-b, a-f, c-g
    assert before.m == 3 and before.referrals == ()
    # from PAST on: b-c, c->d and d-e are active too
    assert start.m == 6 and len(start.referrals) == 1
    # tomorrow: c->d and d-e are history, e-a has started
    names = {frozenset(later.ids[v][len(small) + 1 :] for v in e.tuple) for e in later.graph.es}
    assert names == {frozenset(p) for p in ("ab", "bc", "ea", "af", "cg")}


def test_load_snapshot_unknown_network(engine: Engine):
    with engine.connect() as c, pytest.raises(NotFound):
        load_snapshot(c, "nope")


@pytest.mark.parametrize("day", [PAST, TODAY])
def test_fast_paths_equal_the_portable_path(engine: Engine, small: str, monkeypatch, day):
    """Each database's one-statement tie read (PostgreSQL: a bytea of binary rows; SQLite:
    group_concat columns) gives the snapshot the portable row-by-row read gives, and neither
    database takes the other's path."""
    fast_path, other = (
        ("_ties_postgres", "_ties_sqlite")
        if engine.dialect.name == "postgresql"
        else ("_ties_sqlite", "_ties_postgres")
    )

    def refuse(*a, **k):
        raise AssertionError(f"{other} used on {engine.dialect.name}")

    monkeypatch.setattr(store_snapshot, other, refuse)
    taken = []
    real = getattr(store_snapshot, fast_path)

    def spy(*a, **k):
        out = real(*a, **k)
        taken.append(out is not None)
        return out

    monkeypatch.setattr(store_snapshot, fast_path, spy)
    with engine.connect() as c:
        fast = load_snapshot(c, small, as_of=day)
        assert taken == [True]
        monkeypatch.setattr(store_snapshot, fast_path, lambda *a, **k: None)
        slow = load_snapshot(c, small, as_of=day)
    assert fast.ids == slow.ids and fast.referrals == slow.referrals and fast.m > 0
    assert fast.tie_count == slow.tie_count
    assert np.array_equal(fast.edge_array, slow.edge_array)
    for attr in ("weight", "kinds", "support"):
        assert fast.graph.es[attr] == slow.graph.es[attr]


def test_sqlite_fast_path_declines_ids_of_mixed_length(engine: Engine, small: str):
    """Actor ids of different lengths cannot be read as fixed-width rows: the portable path
    loads them (same snapshot conventions)."""
    with engine.begin() as c:
        add_actor(c, small, "longer-id")
        add_tie(c, small, "a", "longer-id", strength=4)
    with engine.connect() as c:
        s = load_snapshot(c, small)
        if engine.dialect.name == "sqlite":
            ids = s.ids
            assert store_snapshot._ties_sqlite(c, small, TODAY, ids) is None
    assert pair(s, "a", "longer-id")["weight"] == 4.0


def test_store_matches_in_memory_columns(engine: Engine):
    synth = pytest.importorskip("netwerk.synth")
    net = synth.generate(300, seed=4, fresh_ids=True)
    nid = new_network(engine)
    with engine.begin() as c:
        synth.load(c, nid, net)
    with engine.connect() as c:
        stored = load_snapshot(c, nid)
    mem = snapshot_from_columns(net.actors, net.ties, network_id=nid)
    assert stored.ids == mem.ids and stored.kind == mem.kind
    assert stored.languages == mem.languages and stored.needs == mem.needs
    assert np.array_equal(stored.edge_array, mem.edge_array)
    assert stored.graph.es["weight"] == mem.graph.es["weight"]
    assert stored.graph.es["kinds"] == mem.graph.es["kinds"]
    assert stored.graph.es["support"] == mem.graph.es["support"]
    assert stored.referrals == mem.referrals and stored.tie_count == mem.tie_count


def test_projections():
    G = nx.Graph()
    G.add_nodes_from(["p1", "p2", "p3"], kind="resident")
    G.add_node("pro", kind="professional")
    G.add_node("club", kind="initiative")
    G.add_node("org", kind="organisation")
    G.add_node("cafe", kind="place")
    G.add_edges_from(
        [("p1", "club"), ("p2", "club"), ("p2", "org"), ("p3", "org"), ("pro", "org"),
         ("p1", "p2"), ("p3", "cafe"), ("club", "org")]
    )  # fmt: skip
    s = snapshot_from_networkx(G)
    p = persons_only(s)
    assert p.ids == ("p1", "p2", "p3", "pro") and p.m == 1
    assert list(map(tuple, p.edge_array)) == [e.tuple for e in p.graph.es]
    aff = affiliation(s)
    assert [s.ids[v] for v in aff.persons] == ["p1", "p2", "p3", "pro"]
    assert [s.ids[v] for v in aff.groups] == ["club", "org"]
    assert aff.graph.ecount() == 5 and aff.graph.is_bipartite()
    co = aff.co_membership()
    shared = {frozenset(s.ids[aff.persons[v]] for v in e.tuple): e["weight"] for e in co.es}
    assert shared == {
        frozenset({"p1", "p2"}): 1.0,
        frozenset({"p2", "p3"}): 1.0,
        frozenset({"p2", "pro"}): 1.0,
        frozenset({"p3", "pro"}): 1.0,
    }
    sub = subsnapshot(s, [s.index["club"], s.index["org"], s.index["p2"]])
    assert sub.ids == ("p2", "club", "org") and sub.m == 3


def test_bfs_levels_matches_igraph_distances():
    G = nx.connected_watts_strogatz_graph(200, 4, 0.2, seed=2)
    s = snapshot_from_networkx(G)
    d = np.asarray(s.graph.distances(source=[0, 17])).min(axis=0)
    got = bfs_levels(s, [0, 17], 3)
    assert np.array_equal(got, np.where(d <= 3, d, -1))
    blocked = np.zeros(s.n, dtype=bool)
    blocked[list(G.neighbors(0))] = True
    assert (bfs_levels(s, [0], 5, blocked=blocked) >= 0).sum() == 1


# --------------------------------------------------------------------------- cache


def test_snapshot_cache_follows_the_revision(engine: Engine, small: str):
    cache.clear()
    s1 = cache.get_snapshot(engine, small)
    assert cache.get_snapshot(engine, small) is s1
    with engine.begin() as c:
        add_actor(c, small, "h")
        add_tie(c, small, "h", "a")
        bump_revision(c, small)
    s2 = cache.get_snapshot(engine, small)
    assert s2 is not s1 and s2.revision == s1.revision + 1 and s2.n == s1.n + 1
    # the older revision was dropped as soon as the newer one was seen
    assert (small, s1.revision, TODAY) not in cache.snapshot_cache


def test_result_cache_invalidated_on_revision_bump(engine: Engine, small: str):
    cache.clear()
    r1 = service.summary(engine, small)
    assert service.summary(engine, small) is r1
    assert r1.actors == 7
    with engine.begin() as c:
        add_actor(c, small, "i")
        bump_revision(c, small)
    r2 = service.summary(engine, small)
    assert r2.actors == 8 and r2.provenance.revision == r1.provenance.revision + 1
    # another "process" (a fresh cache) on the same database agrees at once
    cache.clear()
    assert service.summary(engine, small).actors == 8


def test_results_keyed_by_date_and_parameters(engine: Engine, small: str):
    cache.clear()
    today = service.centrality(engine, small, measure="degree")
    past = service.centrality(engine, small, measure="degree", as_of=PAST - dt.timedelta(days=1))
    assert today is not past and past.provenance.as_of == (PAST - dt.timedelta(days=1)).isoformat()
    assert service.centrality(engine, small, measure="degree", top=2) is not today
    assert service.centrality(engine, small, measure="degree") is today


def test_purge_network(engine: Engine, small: str):
    cache.clear()
    service.summary(engine, small)
    service.gaps(engine, small)
    assert cache.purge_network(small) >= 3
    assert len(cache.snapshot_cache) == 0 and cache.purge_network(small) == 0


def test_lru_bound_and_single_flight():
    lru: cache.LRUCache[tuple, int] = cache.LRUCache(2)
    for i in range(3):
        lru.put(("n", 1, i), i)
    assert len(lru) == 2 and ("n", 1, 0) not in lru
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    out: list[int] = []
    threads = [
        threading.Thread(target=lambda: out.append(lru.get_or_compute(("n", 1, "x"), slow)))
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 5 and len(calls) == 1
    lru.saw_revision("n", 2)
    assert len(lru) == 0
    lru.put(("n", 1, "late"), 1)  # a result of a superseded revision is not kept
    assert len(lru) == 0


def test_components_and_degree_from_the_arrays_agree_with_igraph() -> None:
    import networkx as nx

    from netwerk.graph import snapshot_from_networkx

    g = nx.disjoint_union_all([nx.path_graph(3), nx.empty_graph(2), nx.karate_club_graph()])
    g.add_edge(1, 40)  # components whose lowest vertices are not in label order of size
    s = snapshot_from_networkx(g)
    assert s.components.tolist() == s.graph.connected_components().membership
    assert s.degree.tolist() == s.graph.degree()
    assert s.m == s.graph.ecount()
