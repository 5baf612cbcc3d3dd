"""The change log and incremental snapshots (issue 12): applying the changes since a
snapshot's revision gives exactly the snapshot a fresh load gives, for random sequences of
every kind of write; bulk writes and erasures force a fresh load; retention prunes the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from netwerk import cache
from netwerk.graph import Snapshot
from netwerk.model import new_id
from netwerk.retention import run_retention
from netwerk.store import actors, delta, networks, ties
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.snapshot import load_snapshot
from netwerk.store.tables import Change, Network

TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=400)
SOON = TODAY + dt.timedelta(days=30)
KINDS = ["resident", "key_figure", "professional", "organisation", "initiative", "place"]
TIE_KINDS = ["knows", "friend", "family", "neighbour", "refers_to", "member_of", "works_for"]
THEMES = ["taal", "koken", "eenzaamheid", "schulden", "sport"]
SUPPORT = ["emotional", "practical", "advice"]


def fresh(engine: Engine, nid: str) -> Snapshot:
    """A full load, past every kept snapshot."""
    cache.clear()
    with engine.connect() as conn:
        return load_snapshot(conn, nid)


def assert_same(got: Snapshot, want: Snapshot) -> None:
    """Vertex by vertex and edge by edge, attributes included."""
    assert (got.network_id, got.revision, got.as_of) == (want.network_id, want.revision, want.as_of)
    assert got.ids == want.ids
    assert dict(got.index) == dict(want.index)
    for i in range(want.n):
        for name in ("kind", "area", "languages", "assets", "needs", "consent"):
            assert getattr(got, name)[i] == getattr(want, name)[i], (name, i)
    assert got.edge_array.tolist() == want.edge_array.tolist()
    assert [e.tuple for e in got.graph.es] == [e.tuple for e in want.graph.es]
    assert got.graph.vcount() == want.graph.vcount()
    for attr in ("weight", "kinds", "support"):
        if want.m:
            assert got.graph.es[attr] == want.graph.es[attr], attr
    assert got.referrals == want.referrals
    assert got.tie_count == want.tie_count
    for column in ("edge_weight", "edge_kinds", "edge_support", "degree", "components"):
        assert getattr(got, column).tolist() == getattr(want, column).tolist(), column
    assert got.kind_codes.tolist() == want.kind_codes.tolist()
    # the adjacency arrays a held snapshot had are advanced, not rebuilt: the same arrays
    for part in ("indptr", "indices", "eids", "weights"):
        assert getattr(got.adjacency, part).tolist() == getattr(want.adjacency, part).tolist()


# One write: (operation, arguments drawn as indices into what exists when it runs).
op = st.one_of(
    st.tuples(
        st.just("actor"),
        st.sampled_from(KINDS),
        st.sampled_from(["given", "unknown", "withdrawn"]),
        st.lists(st.sampled_from(THEMES), max_size=2),
    ),
    st.tuples(
        st.just("change_actor"),
        st.integers(0, 50),
        st.sampled_from(KINDS),
        st.sampled_from(["given", "withdrawn", None]),
        st.lists(st.sampled_from(THEMES), max_size=2),
    ),
    st.tuples(
        st.just("tie"),
        st.integers(0, 50),
        st.integers(0, 50),
        st.sampled_from(TIE_KINDS),
        st.integers(1, 5),
        st.sampled_from([None, PAST, SOON]),
        st.lists(st.sampled_from(SUPPORT), max_size=2),
    ),
    st.tuples(
        st.just("change_tie"),
        st.integers(0, 50),
        st.integers(1, 5),
        st.sampled_from(["none", "ended", "future", "open", "move"]),
        st.integers(0, 50),
    ),
    st.tuples(st.just("end_tie"), st.integers(0, 50)),
    st.tuples(st.just("delete_tie"), st.integers(0, 50)),
    st.tuples(st.just("erase"), st.integers(0, 50)),
    st.tuples(st.just("rename_network")),
)


def run_op(session: Any, nid: str, step: tuple[Any, ...]) -> bool:
    """Run one write (skipped when it does not apply); ``True`` when it forces a reload."""
    people = sorted(
        session.scalars(sa.select(actors.Actor.id).where(actors.Actor.network_id == nid))
    )
    tie_ids = sorted(session.scalars(sa.select(ties.Tie.id).where(ties.Tie.network_id == nid)))
    name = step[0]
    try:
        with session.begin_nested():
            if name == "actor":
                _, kind, consent, themes = step
                values = {"kind": kind, "name": "x", "assets": themes, "needs": themes[:1]}
                if kind in ("resident", "key_figure", "professional"):
                    values["consent"] = consent
                actors.create_actor(session, nid, values | {"area": "Kerkstraat"})
            elif name == "change_actor" and people:
                _, i, kind, consent, themes = step
                changes: dict[str, Any] = {"kind": kind, "assets": themes, "languages": ["nl"]}
                if kind in ("resident", "key_figure", "professional") and consent:
                    changes["consent"] = consent
                actors.update_actor(session, nid, people[i % len(people)], changes)
            elif name == "tie" and len(people) > 1:
                _, i, j, kind, strength, since, support = step
                a, b = people[i % len(people)], people[j % len(people)]
                if a == b:
                    return False
                ties.create_tie(
                    session,
                    nid,
                    {"source": a, "target": b, "kind": kind, "strength": strength}
                    | {"since": since, "support": support},
                )
            elif name == "change_tie" and tie_ids:
                _, i, strength, how, j = step
                change: dict[str, Any] = {"strength": strength}
                if how == "ended":
                    change["until"] = TODAY - dt.timedelta(days=1)
                elif how == "future":
                    change |= {"since": SOON, "until": None}
                elif how == "open":
                    change |= {"since": None, "until": None}
                elif how == "move" and people:
                    change["target"] = people[j % len(people)]
                ties.update_tie(session, nid, tie_ids[i % len(tie_ids)], change)
            elif name == "end_tie" and tie_ids:
                ties.update_tie(session, nid, tie_ids[step[1] % len(tie_ids)], {"until": TODAY})
            elif name == "delete_tie" and tie_ids:
                ties.delete_tie(session, nid, tie_ids[step[1] % len(tie_ids)])
            elif name == "erase" and people:
                actors.delete_actor(session, nid, people[step[1] % len(people)])
                return True
            elif name == "rename_network":
                networks.update_network(session, nid, {"name": new_id()})
    except Exception as exc:  # a refused write (duplicate, bad period, self tie) changes nothing
        from netwerk.errors import Conflict, ValidationFailed

        assert isinstance(exc, Conflict | ValidationFailed), exc
    return False


def _network(engine: Engine) -> str:
    nid = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=nid, name="delta", revision=1))
    return nid


@settings(max_examples=200)
@given(
    seed_ops=st.lists(op, min_size=4, max_size=10),
    batches=st.lists(st.lists(op, min_size=1, max_size=6), min_size=1, max_size=3),
)
def test_applying_the_log_gives_the_fresh_snapshot(
    engine: Engine, seed_ops: list[tuple[Any, ...]], batches: list[list[tuple[Any, ...]]]
) -> None:
    factory = make_sessionmaker(engine)
    nid = _network(engine)
    with transaction(factory) as session:
        for _ in range(3):
            run_op(session, nid, ("actor", "resident", "given", ["taal"]))
        for step in seed_ops:
            run_op(session, nid, step)
    held = fresh(engine, nid)
    for batch in batches:
        reload = False
        with transaction(factory) as session:
            for step in batch:
                reload |= run_op(session, nid, step)
        want = fresh(engine, nid)
        with engine.connect() as conn:
            d = delta.read_delta(conn, held, want.revision, limit=1000)
        if reload:
            assert d is None  # an erasure's log row names nobody: a fresh load
            held = want
            continue
        assert d is not None
        # what a held snapshot has computed is advanced or carried over, not rebuilt
        assert held.adjacency.indptr.size == held.kind_codes.size + 1 == held.graph.vcount() + 1
        assert held.components.size == held.n
        got = delta.apply_delta(held, d)
        assert got is not None
        assert_same(got, want)
        held = got


def test_the_loader_advances_a_kept_snapshot(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    nid = _network(engine)
    with transaction(factory) as session:
        ids = [
            actors.create_actor(session, nid, {"kind": "resident", "name": f"p{i}"}).id
            for i in range(6)
        ]
        ties.create_tie(session, nid, {"source": ids[0], "target": ids[1], "kind": "friend"})
    cache.clear()
    with engine.connect() as conn:
        first = load_snapshot(conn, nid)
    calls: list[int] = []
    with transaction(factory) as session:
        ties.create_tie(session, nid, {"source": ids[2], "target": ids[3], "kind": "refers_to"})
        actors.update_actor(session, nid, ids[4], {"consent": "withdrawn"})

    def counting_load(*args: Any) -> Snapshot:
        calls.append(1)
        raise AssertionError("a full load where the log suffices")

    with engine.connect() as conn:
        got = delta.advance_or_load(conn, nid, first.as_of, first.revision + 2, counting_load)
    assert not calls and got.revision == first.revision + 2
    assert got.m == 2 and got.consent[got.index[ids[4]]] == "withdrawn"
    assert_same(got, fresh(engine, nid))


def test_bulk_writes_and_erasure_log_a_reload_marker_without_ids(engine: Engine) -> None:
    from netwerk import synth

    factory = make_sessionmaker(engine)
    nid = _network(engine)
    with engine.begin() as conn:
        synth.load(conn, nid, synth.generate(60, seed=3, fresh_ids=True))
    with transaction(factory) as session:
        victim = session.scalars(
            sa.select(actors.Actor.id).where(actors.Actor.network_id == nid).limit(1)
        ).one()
        other = session.scalars(
            sa.select(actors.Actor.id)
            .where(actors.Actor.network_id == nid, actors.Actor.id != victim)
            .limit(1)
        ).one()
        actors.update_actor(session, nid, victim, {"languages": ["nl"]})
        ties.create_tie(session, nid, {"source": victim, "target": other, "kind": "works_for"})
    before = fresh(engine, nid)
    with transaction(factory) as session:
        actors.delete_actor(session, nid, victim)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Change.revision, Change.what, Change.actor_id, Change.other_id)
            .where(Change.network_id == nid)
            .order_by(Change.id)
        ).all()
        assert rows[0].what == "reload"  # the synthetic load
        assert rows[-1].what == "reload" and rows[-1].actor_id is None
        assert victim not in repr(rows)
        assert delta.read_delta(conn, before, before.revision + 1) is None
    after = fresh(engine, nid)
    assert victim not in after.index and victim not in repr(after.ids)


def test_retention_prunes_the_log_and_a_pruned_stretch_forces_a_reload(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    nid = _network(engine)
    with transaction(factory) as session:
        a = actors.create_actor(session, nid, {"kind": "organisation", "name": "a"}).id
        b = actors.create_actor(session, nid, {"kind": "place", "name": "b"}).id
    held = fresh(engine, nid)
    with transaction(factory) as session:
        ties.create_tie(session, nid, {"source": a, "target": b, "kind": "knows", "until": PAST})
        ties.create_tie(session, nid, {"source": a, "target": b, "kind": "friend"})
        session.execute(sa.update(Network).where(Network.id == nid).values(retention_days=30))
        session.execute(
            sa.update(Change)
            .where(Change.network_id == nid)
            .values(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        )
    with transaction(factory) as session:
        (report,) = run_retention(session, network_id=nid)
    assert report.ties_purged == 1
    with engine.connect() as conn:
        left = conn.execute(sa.select(Change.what).where(Change.network_id == nid)).scalars().all()
        assert left == ["reload"]  # the old rows are gone; the purge itself says reload
        assert delta.read_delta(conn, held, held.revision + 3) is None
    want = fresh(engine, nid)
    assert want.m == 1 and want.tie_count == 1


@pytest.mark.parametrize("n_changes", [1, 80])
def test_a_long_log_forces_a_reload(engine: Engine, n_changes: int) -> None:
    factory = make_sessionmaker(engine)
    nid = _network(engine)
    with transaction(factory) as session:
        a = actors.create_actor(session, nid, {"kind": "organisation", "name": "a"}).id
    held = fresh(engine, nid)
    with transaction(factory) as session:
        for i in range(n_changes):
            actors.update_actor(session, nid, a, {"name": f"a{i}"})
    with engine.connect() as conn:
        d = delta.read_delta(conn, held, held.revision + n_changes)
    assert (d is None) == (n_changes > delta.MIN_ROWS)


def test_an_import_logs_one_reload_marker_and_the_loader_reloads(engine: Engine) -> None:
    from netwerk import synth
    from netwerk.exchange import export_network, import_network

    source, target = _network(engine), _network(engine)
    with engine.begin() as conn:
        synth.load(conn, source, synth.generate(40, seed=5, fresh_ids=True))
    with engine.connect() as conn:
        data = export_network(conn, source, "json").read_all()
    held = fresh(engine, target)
    with engine.begin() as conn:
        report = import_network(conn, target, data, "json")
    assert report.ties_created > 0
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Change.what).where(Change.network_id == target)).all()
        assert [r.what for r in rows] == ["reload"]  # one row, not one per imported row
        assert delta.read_delta(conn, held, report.revision) is None
        got = load_snapshot(conn, target)  # the hook falls back to a full load
    assert_same(got, fresh(engine, target))
    assert got.n == 40
