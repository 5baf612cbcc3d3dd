"""Loading a snapshot is the store's job (issue 11): netwerk.graph stays pure, and a
suggestions request reads the network's revision once, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from netwerk import cache, synth
from netwerk.columns import snapshot_from_columns
from netwerk.errors import NotFound
from netwerk.store.db import make_engine
from netwerk.store.migrate import upgrade
from netwerk.store.revision import bump_revision
from netwerk.store.snapshot import load_snapshot
from netwerk.store.tables import Network
from netwerk.suggest import service

REVISION_QUERY = re.compile(r"\bFROM networks\b", re.IGNORECASE)


def test_graph_imports_nothing_from_the_store() -> None:
    code = (
        "import netwerk.graph, sys; "
        "print([m for m in sys.modules if m.startswith('netwerk.store')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "import netwerk.graph, sys; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def stored(engine: Engine) -> tuple[str, synth.SynthNetwork]:
    nid = "n" + secrets.token_hex(6)
    net = synth.generate(200, seed=7, fresh_ids=True)
    with engine.begin() as c:
        c.execute(sa.insert(Network).values(id=nid, name="Telwijk", revision=1))
        synth.load(c, nid, net)
    return nid, net


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _revision_reads(seen: list[str]) -> list[str]:
    """Statements that read the network row on their own (not the two load statements,
    which carry the revision they saw as a joined column)."""
    return [
        s
        for s in seen
        if REVISION_QUERY.search(s) and not re.search(r"\b(actors|ties)\b", s, re.IGNORECASE)
    ]


def _loads(seen: list[str]) -> list[str]:
    return [s for s in seen if re.search(r"\bFROM (networks LEFT OUTER JOIN actors|ties)\b", s)]


def test_a_suggestions_request_reads_the_revision_once(
    engine: Engine, stored: tuple[str, synth.SynthNetwork]
) -> None:
    nid, net = stored
    actor = sorted(net.actors.id)[0]
    cache.clear()
    with statements(engine) as cold:
        service.suggestions(engine, nid, actor, seed=1)
    with statements(engine) as warm:
        service.suggestions(engine, nid, actor, seed=1)
    # cold: one revision query, then the snapshot's two load statements (actors, ties),
    # each stamped with the revision in the same statement instead of re-reading it.
    assert len(_revision_reads(cold)) == 1, cold
    assert len(_loads(cold)) == 2, cold
    # warm: the snapshot is cached; the revision query is the only read of the network row
    assert len(_revision_reads(warm)) == 1, warm
    assert _loads(warm) == []
    assert [s for s in warm if REVISION_QUERY.search(s)] == _revision_reads(warm)


def test_load_is_two_statements_and_labels_the_revision(
    engine: Engine, stored: tuple[str, synth.SynthNetwork]
) -> None:
    nid, net = stored
    with statements(engine) as seen, engine.connect() as c:
        snap = load_snapshot(c, nid)
    assert len(seen) == 2 and len(_loads(seen)) == 2
    assert snap.revision == 2
    mem = snapshot_from_columns(net.actors, net.ties, network_id=nid)
    assert snap.ids == mem.ids and np.array_equal(snap.edge_array, mem.edge_array)
    assert snap.graph.es["support"] == mem.graph.es["support"]


def test_a_write_between_the_two_statements_is_caught(
    engine: Engine, stored: tuple[str, synth.SynthNetwork], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The actors statement sees revision r, a write commits r+1, the ties statement sees
    r+1: the load is repeated and labelled with the revision both statements saw."""
    from netwerk.store import snapshot as store_snapshot

    nid, _ = stored
    real = store_snapshot._fetch
    calls = {"n": 0}

    def fetch(c, statement):
        calls["n"] += 1
        if calls["n"] == 2:  # before the first ties statement
            with engine.begin() as other:
                bump_revision(other, nid)
        return real(c, statement)

    monkeypatch.setattr(store_snapshot, "_fetch", fetch)
    with engine.connect() as c:
        snap = load_snapshot(c, nid)
    assert snap.revision == 3
    assert calls["n"] == 4  # one repeat


def test_unknown_and_empty_networks(engine: Engine) -> None:
    with engine.connect() as c, pytest.raises(NotFound):
        load_snapshot(c, "nope")
    nid = "n" + secrets.token_hex(6)
    with engine.begin() as c:
        c.execute(sa.insert(Network).values(id=nid, name="Leeg", revision=4))
    with engine.connect() as c:
        snap = load_snapshot(c, nid)
    assert snap.n == 0 and snap.m == 0 and snap.revision == 4


def test_sqlite_scans_the_ties_of_a_network_holding_most_of_the_store(
    backend: str, empty_db_url: Callable[[str], str]
) -> None:
    """A network with at least a quarter of the store's actors has its ties read front to
    back (no index lookup per tie); a small one through the network index. Both load the
    same snapshot as the network in memory (a store of its own: the shares are known)."""
    engine = make_engine(empty_db_url(backend))
    upgrade(engine)
    nets = {}
    for size in (60, 400):  # 60 of 460 actors: under a quarter; 400: most
        nid = "n" + secrets.token_hex(6)
        net = synth.generate(size, seed=size, fresh_ids=True)
        with engine.begin() as c:
            c.execute(sa.insert(Network).values(id=nid, name=f"Wijk {size}", revision=1))
            synth.load(c, nid, net)
        nets[size] = (nid, net)
    for size, (nid, net) in nets.items():
        with statements(engine) as seen, engine.connect() as c:
            snap = load_snapshot(c, nid)
        assert len(_loads(seen)) == 2
        ties = next(s for s in seen if re.search(r"\bFROM ties\b", s))
        if engine.dialect.name == "sqlite":
            assert ("ties.network_id || " in ties) == (size == 400), ties
        mem = snapshot_from_columns(net.actors, net.ties, network_id=nid)
        assert snap.ids == mem.ids and np.array_equal(snap.edge_array, mem.edge_array)
        assert np.array_equal(snap.weights, mem.weights)
        assert snap.graph.es["support"] == mem.graph.es["support"]
    engine.dispose()
