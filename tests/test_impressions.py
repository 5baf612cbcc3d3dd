"""Every suggestion remembered: impressions, feedback and outcomes by suggestion id, statistics
from what was shown, retention and erasure, and the same suggestions in the same order on the
same network and revision — through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from netwerk import cache
from netwerk.aggregate.build import stats as viewer_stats
from netwerk.errors import Conflict, NotFound, ValidationFailed
from netwerk.retention import run_retention
from netwerk.store.actors import create_actor, delete_actor
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.networks import create_network, update_network
from netwerk.store.tables import Feedback, SuggestionImpression
from netwerk.store.ties import create_tie
from netwerk.suggest import service
from netwerk.suggest.stats import wilson
from tests.test_feedback import Hood
from tests.test_suggest import ACTORS, TIES

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def hood(engine: Engine) -> Iterator[Hood]:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        net = create_network(session, name="Vogelbuurt", area_code="WK036300")
        ids: dict[str, str] = {}
        for key, attrs in ACTORS.items():
            ids[key] = create_actor(session, net.id, {"name": key.title(), **attrs}).id
        for a, b, kind, w in TIES:
            create_tie(
                session, net.id, {"source": ids[a], "target": ids[b], "kind": kind, "strength": w}
            )
        network_id = net.id
    yield Hood(factory, network_id, ids)
    cache.purge_network(network_id)


def _shown(h: Hood, who: str, token: str | None = "tok-a", **kw: Any) -> Any:
    result = service.suggestions(h.factory, h.network_id, h.ids[who], limit=5, **kw)
    with transaction(h.factory) as session:
        return service.remember(session, h.network_id, result, token_id=token, **kw_now(kw))


def kw_now(kw: dict[str, Any]) -> dict[str, Any]:
    return {"now": kw["now"]} if "now" in kw else {}


def _count(h: Hood, table: Any) -> int:
    with h.factory() as session:
        query = sa.select(sa.func.count()).select_from(table)
        return int(session.scalar(query.where(table.network_id == h.network_id)) or 0)


def test_shown_suggestions_get_ids_and_are_stored_in_one_statement(hood: Hood) -> None:
    result = service.suggestions(hood.factory, hood.network_id, hood.ids["rosa"], limit=5)
    assert all(s.id is None for s in result.suggestions)  # the library alone stores nothing
    statements: list[str] = []
    engine = hood.factory.kw["bind"]

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "suggestion_impressions" in statement:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction(hood.factory) as session:
            shown = service.remember(session, hood.network_id, result, token_id="tok-a")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1, "one multi-row INSERT per request (set-based)"
    ids = [s.id for s in shown.suggestions]
    assert all(ids) and len(set(ids)) == len(ids) == len(result.suggestions)
    with hood.factory() as session:
        rows = {
            r.id: r
            for r in session.scalars(
                sa.select(SuggestionImpression).where(
                    SuggestionImpression.network_id == hood.network_id
                )
            )
        }
    top = shown.suggestions[0]
    row = rows[top.id]  # type: ignore[index]
    assert (row.source_id, row.target_id, row.rank) == (hood.ids["rosa"], hood.ids["taalcafe"], 1)
    assert row.introducer_id == hood.ids["karel"]
    assert row.suggestion_kind == top.kind and row.score == pytest.approx(top.score)
    assert set(row.reason_codes) == {r.code for r in top.reasons}
    assert row.contributions["need_match"] > 0 and "feasibility" in row.contributions
    assert row.model_version.endswith("+prior") and row.token_id == "tok-a"
    assert row.revision == shown.provenance.revision


def test_feedback_by_id_takes_pair_reasons_and_kind_from_what_was_shown(hood: Hood) -> None:
    shown = _shown(hood, "rosa")
    top = shown.suggestions[0]
    with transaction(hood.factory) as session:
        fb = service.feedback(session, hood.network_id, suggestion=top.id, decision="accepted")
    assert (fb.source_id, fb.target_id) == (hood.ids["rosa"], hood.ids["taalcafe"])
    assert fb.suggestion == top.id and fb.suggestion_kind == top.kind
    assert set(fb.reason_codes) == {r.code for r in top.reasons}
    assert fb.introducer_id == hood.ids["karel"]
    with transaction(hood.factory) as session:
        done = service.outcome(session, hood.network_id, suggestion=top.id, outcome="tie_formed")
    assert done.outcome == "tie_formed" and done.id == fb.id
    with pytest.raises(Conflict), transaction(hood.factory) as session:
        service.feedback(session, hood.network_id, suggestion=top.id, decision="declined")
    with pytest.raises(NotFound), transaction(hood.factory) as session:
        service.feedback(session, hood.network_id, suggestion="nope", decision="declined")
    second = shown.suggestions[1]
    with pytest.raises(ValidationFailed) as err, transaction(hood.factory) as session:
        service.feedback(
            session,
            hood.network_id,
            suggestion=second.id,
            source=hood.ids["bram"],
            decision="declined",
        )
    assert err.value.errors[0].field == "source"
    with pytest.raises(NotFound), transaction(hood.factory) as session:
        service.outcome(session, hood.network_id, suggestion=second.id, outcome="no_contact")
    st = service.stats(hood.factory, hood.network_id)
    need = next(r for r in st.by_reason if r.key == "need_match")
    assert need.tie_formed == 1 and need.accepted == 1


def test_pair_form_links_the_latest_undecided_impression(hood: Hood) -> None:
    shown = _shown(hood, "rosa")
    top = shown.suggestions[0]
    with transaction(hood.factory) as session:
        fb = service.feedback(
            session,
            hood.network_id,
            source=hood.ids["rosa"],
            target=top.target.actor_id,
            decision="declined",
        )
    assert fb.suggestion == top.id
    assert set(fb.reason_codes) == {r.code for r in top.reasons}  # filled by itself
    st = service.stats(hood.factory, hood.network_id)
    assert st.total.shown == len(shown.suggestions) and st.total.declined == 1
    assert {r.key for r in st.by_reason} >= {r.code for r in top.reasons}


def test_stats_from_what_was_shown_with_wilson_intervals_range_and_brokers(hood: Hood) -> None:
    old = NOW - dt.timedelta(days=40)
    first = _shown(hood, "rosa", token="tok-a", now=old)
    second = _shown(hood, "bram", token="tok-b")
    with transaction(hood.factory) as session:
        for s in first.suggestions[:2]:
            service.feedback(
                session, hood.network_id, suggestion=s.id, decision="accepted", outcome="tie_formed"
            )
        service.feedback(
            session, hood.network_id, suggestion=second.suggestions[0].id, decision="declined"
        )
    st = service.stats(hood.factory, hood.network_id, by_broker=True)
    n = len(first.suggestions) + len(second.suggestions)
    assert (st.total.shown, st.total.decided, st.total.accepted, st.total.tie_formed) == (
        n,
        3,
        2,
        2,
    )
    assert st.total.tie_per_shown == round(2 / n, 4)
    assert st.total.tie_per_shown_interval == wilson(2, n)
    assert st.total.acceptance_interval == wilson(2, 3)
    assert st.by_broker is not None
    brokers = {r.key: r for r in st.by_broker}
    assert brokers["tok-a"].shown == len(first.suggestions) and brokers["tok-a"].tie_formed == 2
    assert brokers["tok-b"].declined == 1
    assert {r.key for r in st.by_origin} == {"actor"}
    recent = service.stats(hood.factory, hood.network_id, since=(NOW - dt.timedelta(days=7)).date())
    assert recent.total.shown == len(second.suggestions) and recent.total.accepted == 0
    assert recent.by_broker is None
    with pytest.raises(ValidationFailed) as err:
        service.stats(hood.factory, hood.network_id, since=NOW.date(), until=old.date())
    assert err.value.errors[0].field == "until"
    # viewers: counts below the threshold are suppressed, and the rates made from them
    viewer = viewer_stats(st, 5)
    assert viewer.total.accepted is None and viewer.total.acceptance_rate is None
    assert viewer.total.acceptance_interval is None and viewer.by_broker is None
    assert viewer.total.shown == (n if n >= 5 else None)


def test_wilson_interval_matches_the_published_formula() -> None:
    # Brown, Cai & DasGupta (2001): k = 0 of n = 10 gives [0, 0.2775]
    assert wilson(0, 10) == (0.0, 0.2775)
    lo, hi = wilson(5, 10)  # type: ignore[misc]
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson(3, 0) is None


def test_erasure_and_retention_remove_impressions(hood: Hood) -> None:
    _shown(hood, "rosa", now=NOW - dt.timedelta(days=400))
    recent = _shown(hood, "bram")
    before = _count(hood, SuggestionImpression)
    assert before > 0
    with transaction(hood.factory) as session:
        update_network(session, hood.network_id, {"retention_days": 365})
        report = {r.network_id: r for r in run_retention(session)}[hood.network_id]
    assert report.impressions_purged == before - len(recent.suggestions)
    assert _count(hood, SuggestionImpression) == len(recent.suggestions)
    with transaction(hood.factory) as session:
        service.feedback(
            session, hood.network_id, suggestion=recent.suggestions[0].id, decision="declined"
        )
        delete_actor(session, hood.network_id, hood.ids["bram"])
    assert _count(hood, SuggestionImpression) == 0
    assert _count(hood, Feedback) == 0


def test_same_network_and_revision_give_the_same_suggestions_in_the_same_order(
    hood: Hood,
) -> None:
    def run() -> list[tuple[str, float]]:
        cache.clear()  # a fresh fit of the model and fresh communities, as in a new process
        out = []
        for who in ("rosa", "bram", "piet", "anna"):
            for order in ("value", "likely"):
                res = service.suggestions(
                    hood.factory, hood.network_id, hood.ids[who], limit=10, order=order
                )
                out += [(s.target.actor_id, s.score) for s in res.suggestions]
        woven = service.weave(hood.factory, hood.network_id, limit=5)
        out += [(f"{w.a.actor_id}-{w.b.actor_id}", w.score) for w in woven.introductions]
        return out

    first = run()
    assert first == run()
    res = service.suggestions(hood.factory, hood.network_id, hood.ids["rosa"])
    seed = service.network_seed(hood.network_id, res.provenance.revision)
    assert res.provenance.seed == seed
    other = service.network_seed(hood.network_id, res.provenance.revision + 1)
    assert other != seed  # a write reseeds


RUN_SUGGESTIONS = """
import sys
from netwerk.store.db import make_engine
from netwerk.suggest import service
engine = make_engine(sys.argv[1])
for actor in sys.argv[3:]:
    result = service.suggestions(engine, sys.argv[2], actor, limit=10)
    print(actor, [(s.target.actor_id, s.score) for s in result.suggestions])
"""


def test_two_processes_give_the_same_suggestions_in_the_same_order(hood: Hood) -> None:
    """As two API workers (or two runs) would: separate processes, different hash seeds."""
    import os
    import subprocess
    import sys

    url = hood.factory.kw["bind"].url.render_as_string(hide_password=False)
    actors = [hood.ids[k] for k in ("rosa", "bram", "isa", "anna")]
    outputs = []
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", RUN_SUGGESTIONS, url, hood.network_id, *actors],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == len(actors)


def test_the_database_refuses_a_second_decision_on_one_suggestion(hood: Hood) -> None:
    """Backs up the domain's 409 when two requests race: one feedback row per suggestion."""
    from netwerk.store.tables import Feedback as Row

    top = _shown(hood, "rosa").suggestions[0]
    with transaction(hood.factory) as session:
        service.feedback(session, hood.network_id, suggestion=top.id, decision="not_now")
    with pytest.raises(sa.exc.IntegrityError), transaction(hood.factory) as session:
        session.add(
            Row(
                id="racing-feedback",
                network_id=hood.network_id,
                source_id=hood.ids["rosa"],
                target_id=top.target.actor_id,
                suggestion_kind=top.kind,
                reason_codes=[],
                decision="declined",
                suggestion_id=top.id,
            )
        )
        session.flush()
    assert _count(hood, Feedback) == 1
