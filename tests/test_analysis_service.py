"""The analysis facade on a store: every route, caching across dates and revisions, and
results that FastAPI can serialise as they are."""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pydantic
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from netwerk import cache, synth
from netwerk.analysis import service
from netwerk.errors import NotFound, ValidationFailed
from netwerk.store.tables import Network

TODAY = dt.date.today()
LAST_YEAR = TODAY - dt.timedelta(days=365)


@pytest.fixture(scope="module")
def neighbourhood(engine: Engine) -> str:
    """A 400-actor synthetic neighbourhood (netwerk.synth) in the store."""
    nid = "s" + secrets.token_hex(6)
    with engine.begin() as c:
        c.execute(sa.insert(Network).values(id=nid, name="Synthwijk", revision=0))
        synth.load(c, nid, synth.generate(400, seed=11, fresh_ids=True))
    return nid


ROUTES = {
    "summary": {},
    "centrality": {"measure": "betweenness", "top": 5},
    "key_figures": {},
    "brokers": {"grouping": "area"},
    "bridges": {},
    "communities": {},
    "gaps": {"reach": 3},
    "stage": {},
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_serialises_and_caches(engine: Engine, neighbourhood: str, route: str):
    fn = getattr(service, route)
    with engine.connect() as conn:
        first = fn(conn, neighbourhood, **ROUTES[route])
        again = fn(conn, neighbourhood, **ROUTES[route])
    assert again is first  # served from the result cache
    assert first.provenance.network_id == neighbourhood
    assert first.provenance.as_of == TODAY.isoformat()
    # usable as a FastAPI response model: pydantic validates and dumps it as it is
    adapter = pydantic.TypeAdapter(type(first))
    data = adapter.dump_python(first, mode="json")
    assert data["provenance"]["revision"] == first.provenance.revision
    adapter.validate_python(first)


def test_person_flags_let_the_api_hide_persons(engine: Engine, neighbourhood: str):
    r = service.centrality(engine, neighbourhood, measure="degree", top=50)
    assert {e.person for e in r.entries} == {True, False}
    for e in r.entries:
        assert e.person == (e.kind in ("resident", "key_figure", "professional"))
    only_orgs = service.centrality(engine, neighbourhood, measure="degree", kind="organisation")
    assert all(not e.person for e in only_orgs.entries)


def test_what_if_and_english(engine: Engine, neighbourhood: str):
    kf = service.key_figures(engine, neighbourhood, lang="en")
    actor = kf.recognised[0].actor_id
    r = service.what_if(engine, neighbourhood, remove=actor, lang="en")
    assert r.actor.actor_id == actor and r.summary.startswith("If this key figure leaves")
    with pytest.raises(NotFound):
        service.what_if(engine, neighbourhood, remove="nobody")
    with pytest.raises(ValidationFailed):
        service.summary(engine, neighbourhood, lang="fr")
    with pytest.raises(NotFound):
        service.summary(engine, "no-such-network")


def test_compare_two_dates(engine: Engine, neighbourhood: str):
    r = service.compare(engine, neighbourhood, from_date=LAST_YEAR, to_date=TODAY)
    assert r.from_date == LAST_YEAR.isoformat() and r.to_date == TODAY.isoformat()
    # the synthetic history: ties start over six years, some end
    assert r.ties_gained_count > 0
    metrics = {m.metric: m for m in r.metrics}
    assert metrics["connected_pairs"].change == (
        metrics["connected_pairs"].after - metrics["connected_pairs"].before
    )
    assert r.ties_gained_count - r.ties_lost_count == metrics["connected_pairs"].change
    past = service.summary(engine, neighbourhood, as_of=LAST_YEAR)
    assert metrics["connected_pairs"].before == past.connected_pairs
    with pytest.raises(ValidationFailed):
        service.compare(engine, neighbourhood, from_date=TODAY, to_date=LAST_YEAR)


_WRITER = textwrap.dedent(
    """
    import datetime as dt, secrets, sys
    import sqlalchemy as sa
    from netwerk.analysis import service
    from netwerk.store.db import make_engine
    from netwerk.store.revision import bump_revision

    url, network = sys.argv[1], sys.argv[2]
    engine = make_engine(url)
    before = service.gaps(engine, network)  # this process's own cache
    with engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO actors (id, network_id, kind, name, languages, assets, needs, "
                "attributes, created_at, updated_at) VALUES (:id, :n, 'resident', 'X', "
                "'[]', '[]', '[]', '{}', :t, :t)"
            ),
            {"id": "x" + secrets.token_hex(6), "n": network, "t": dt.datetime.now(dt.UTC)},
        )
        revision = bump_revision(c, network)
    after = service.gaps(engine, network)
    assert after.provenance.revision == revision == before.provenance.revision + 1
    print(revision)
    """
)


def test_write_through_one_process_read_through_another(engine: Engine, neighbourhood: str):
    """Two worker processes share the database but not their caches: after a write and
    revision bump in another process (a real one, with its own caches), this one never
    serves its older cached result."""
    before = service.gaps(engine, neighbourhood)
    assert service.gaps(engine, neighbourhood) is before  # cached here
    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            _WRITER,
            engine.url.render_as_string(hide_password=False),
            neighbourhood,
        ],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert writer.returncode == 0, writer.stderr
    assert int(writer.stdout.strip()) == before.provenance.revision + 1
    after = service.gaps(engine, neighbourhood)
    assert after is not before
    assert after.provenance.revision == before.provenance.revision + 1
    assert after.counts["isolated_person"] == before.counts["isolated_person"] + 1
    cache.clear()
