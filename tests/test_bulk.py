"""Set-based bulk insert (netwerk.store.bulk) and synth.load, on SQLite and PostgreSQL (the
``engine`` fixture runs every test on both when NETWERK_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from netwerk.model import new_id
from netwerk.store.bulk import ActorColumns, TieColumns, insert_actors, insert_ties
from netwerk.store.revision import current_revision
from netwerk.store.tables import Actor, Network, Tie
from netwerk.synth import SynthNetwork, generate, load

START = dt.date(2020, 1, 1)


def make_network(engine: Engine) -> str:
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name="Bulkwijk"))
    return network_id


def counts(engine: Engine, network_id: str) -> tuple[int, int]:
    with engine.connect() as conn:
        actors = conn.execute(
            sa.select(sa.func.count()).select_from(Actor).where(Actor.network_id == network_id)
        ).scalar_one()
        ties = conn.execute(
            sa.select(sa.func.count()).select_from(Tie).where(Tie.network_id == network_id)
        ).scalar_one()
    return int(actors), int(ties)


@pytest.fixture(scope="module")
def synth() -> SynthNetwork:
    return generate(300, seed=11, start=START)


def fresh(n: int = 300, seed: int = 11) -> SynthNetwork:
    """Ids are primary keys across networks: every load into the shared database needs its
    own ids."""
    return generate(n, seed=seed, start=START, fresh_ids=True)


def small_actors(n: int = 3, **extra: Any) -> ActorColumns:
    return ActorColumns(
        id=[new_id() for _ in range(n)],
        kind=["resident"] * n,
        name=[f"Bewoner {i}" for i in range(n)],
        area=["BU03630000"] * n,
        languages=[["nl"]] * n,
        assets=[["koken"]] * n,
        needs=[[]] * n,
        consent=["given"] * n,
        **extra,
    )


def test_round_trip(engine: Engine) -> None:
    synth = fresh()
    network_id = make_network(engine)
    written: list[int] = []
    with engine.begin() as conn:
        revision = load(conn, network_id, synth, progress=written.append)
    assert revision == 1
    assert sum(written) == len(synth.actors) + len(synth.ties)
    assert counts(engine, network_id) == (len(synth.actors), len(synth.ties))

    a = synth.actors
    assert a.attributes is not None
    with Session(engine) as session:
        stored = {
            x.id: x for x in session.scalars(sa.select(Actor).where(Actor.network_id == network_id))
        }
        for i, actor_id in enumerate(a.id):
            x = stored[actor_id]
            assert (x.kind, x.name, x.area, x.consent) == (
                a.kind[i],
                a.name[i],
                a.area[i],
                a.consent[i],
            )
            assert (x.languages, x.assets, x.needs) == (a.languages[i], a.assets[i], a.needs[i])
            assert x.attributes == a.attributes[i]
            assert x.note is None and x.external_ref is None
            assert x.consent_set_at is None and x.consent_basis is None
            assert isinstance(x.created_at, dt.datetime) and x.created_at == x.updated_at
        t = synth.ties
        ties = {
            x.id: x for x in session.scalars(sa.select(Tie).where(Tie.network_id == network_id))
        }
        for i, tie_id in enumerate(t.id):
            y = ties[tie_id]
            assert (y.source_id, y.target_id, y.kind, y.strength) == (
                t.source_id[i],
                t.target_id[i],
                t.kind[i],
                t.strength[i],
            )
            assert (y.support, y.since, y.until, y.note) == (
                t.support[i],
                t.since[i],
                t.until[i],
                None,
            )
        # the stamps are "now" in UTC, as the ORM writes them
        stamp = next(iter(stored.values())).created_at
        naive = stamp.replace(tzinfo=None) if stamp.tzinfo else stamp
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert abs((now - naive).total_seconds()) < 600


def test_load_bumps_the_revision_once_per_load(engine: Engine) -> None:
    network_id = make_network(engine)
    for expected in (1, 2):
        with engine.begin() as conn:
            assert load(conn, network_id, fresh(120, seed=expected)) == expected
    with engine.connect() as conn:
        assert current_revision(conn, network_id) == 2


def test_batches_and_progress(engine: Engine) -> None:
    network_id = make_network(engine)
    actors = small_actors(17)
    calls: list[int] = []
    with engine.begin() as conn:
        assert insert_actors(conn, network_id, actors, progress=calls.append, batch=5) == 17
    assert calls == [5, 5, 5, 2]
    ties = TieColumns(
        id=[new_id() for _ in range(16)],
        source_id=actors.id[:16],
        target_id=actors.id[1:17],
        kind=["knows"] * 16,
        strength=[3] * 16,
        support=[[]] * 16,
        since=[None] * 16,
        until=[None] * 16,
    )
    calls.clear()
    with engine.begin() as conn:
        assert insert_ties(conn, network_id, ties, progress=calls.append, batch=8) == 16
    assert calls == [8, 8]
    assert counts(engine, network_id) == (17, 16)
    with engine.begin() as conn:
        assert insert_actors(conn, network_id, small_actors(0)) == 0


def test_awkward_text_and_optional_columns(engine: Engine) -> None:
    network_id = make_network(engine)
    awkward = "tab\there, newline\nthere, back\\slash, \\N, \"quotes\", 'single', ünïcødé 🕸"
    actors = small_actors(
        2,
        attributes=[{"role": awkward, "n": 3, "ok": True, "none": None}, {}],
        note=[awkward, None],
        external_ref=["ext-1", None],
    )
    actors.name[0] = awkward
    ties = TieColumns(
        id=[new_id()],
        source_id=[actors.id[0]],
        target_id=[actors.id[1]],
        kind=["refers_to"],
        strength=[5],
        support=[["advice", "practical"]],
        since=[dt.date(2021, 2, 3)],
        until=[dt.date(2024, 5, 6)],
        note=[awkward],
    )
    with engine.begin() as conn:
        insert_actors(conn, network_id, actors)
        insert_ties(conn, network_id, ties)
    with Session(engine) as session:
        first = session.get(Actor, actors.id[0])
        second = session.get(Actor, actors.id[1])
        tie = session.get(Tie, ties.id[0])
    assert first is not None and second is not None and tie is not None
    assert first.name == awkward and first.note == awkward and first.external_ref == "ext-1"
    assert first.attributes == {"role": awkward, "n": 3, "ok": True, "none": None}
    assert second.attributes == {} and second.note is None and second.external_ref is None
    assert tie.note == awkward and tie.support == ["advice", "practical"]
    assert (tie.since, tie.until) == (dt.date(2021, 2, 3), dt.date(2024, 5, 6))


def test_error_mid_insert_leaves_nothing(engine: Engine, synth: SynthNetwork) -> None:
    network_id = make_network(engine)
    data = fresh()

    def fail_after_first_batch(n: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_actors(conn, network_id, data.actors)
        insert_ties(conn, network_id, data.ties, batch=100, progress=fail_after_first_batch)
    assert counts(engine, network_id) == (0, 0)
    with engine.connect() as conn:
        assert current_revision(conn, network_id) == 0


def test_constraint_violation_is_a_sqlalchemy_error_and_leaves_nothing(engine: Engine) -> None:
    network_id = make_network(engine)
    actors = small_actors(3)
    ties = TieColumns(
        id=[new_id(), new_id()],
        source_id=[actors.id[0], actors.id[1]],
        target_id=[actors.id[1], "no-such-actor"],
        kind=["knows", "knows"],
        strength=[3, 3],
        support=[[], []],
        since=[None, None],
        until=[None, None],
    )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        insert_actors(conn, network_id, actors)
        insert_ties(conn, network_id, ties)
    assert counts(engine, network_id) == (0, 0)
    # the engine's connections are usable afterwards
    with engine.begin() as conn:
        insert_actors(conn, network_id, actors)
    assert counts(engine, network_id) == (3, 0)


def test_the_caller_commits_or_rolls_back(engine: Engine) -> None:
    network_id = make_network(engine)
    with engine.connect() as conn:
        insert_actors(conn, network_id, small_actors(4))
        conn.rollback()
    assert counts(engine, network_id) == (0, 0)
    with engine.connect() as conn:
        insert_actors(conn, network_id, small_actors(4))
        conn.commit()
    assert counts(engine, network_id) == (4, 0)


def test_columns_of_unequal_length_are_refused(engine: Engine) -> None:
    network_id = make_network(engine)
    actors = small_actors(3)
    actors.name.pop()
    with pytest.raises(ValueError, match="name"), engine.begin() as conn:
        insert_actors(conn, network_id, actors)
    assert counts(engine, network_id) == (0, 0)


def test_sqlite_large_insert_rebuilds_its_indexes_inside_the_transaction(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large inserts into a small SQLite table drop and rebuild the secondary indexes; a
    rollback must bring them back, a commit must leave them exactly as the migration made
    them."""
    from netwerk.store import bulk
    from netwerk.store.db import make_engine
    from netwerk.store.migrate import upgrade

    monkeypatch.setattr(bulk, "SQLITE_REINDEX_MIN", 10)
    engine = make_engine(f"sqlite:///{tmp_path / 'reindex.db'}")
    upgrade(engine)

    def indexes() -> set[tuple[str, str]]:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
        return {(r[0], r[1]) for r in rows}

    before = indexes()
    assert {"ix_ties_network_source", "ix_actors_network_kind"} <= {n for n, _ in before}
    network_id = make_network(engine)
    data = fresh(200)

    def stop(n: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_actors(conn, network_id, data.actors, progress=stop)
    assert indexes() == before and counts(engine, network_id) == (0, 0)

    with engine.begin() as conn:
        load(conn, network_id, data)
    assert indexes() == before
    assert counts(engine, network_id) == (len(data.actors), len(data.ties))
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM ties WHERE network_id = 'x' AND source_id = 'y'"
        ).all()
    assert "ix_ties_network_source" in str(plan)
    engine.dispose()
