"""Feedback, cool-downs, do-not-suggest, statistics and the service facade, through the store
(SQLite, and PostgreSQL when configured), on the neighbourhood of ``tests/test_suggest.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from netwerk import cache
from netwerk.errors import NotFound, ValidationFailed
from netwerk.store.actors import create_actor
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.networks import create_network
from netwerk.store.revision import current_revision
from netwerk.store.tables import Tie
from netwerk.store.ties import create_tie
from netwerk.suggest import service
from netwerk.suggest.context import suggest_context
from netwerk.suggest.feedback import record_feedback, record_outcome, unmark_do_not_suggest
from tests.test_suggest import ACTORS, TIES

NOW = dt.datetime.now(dt.UTC)


class Hood:
    def __init__(self, factory: sessionmaker[Session], network_id: str, ids: dict[str, str]):
        self.factory = factory
        self.network_id = network_id
        self.ids = ids
        self.keys = {v: k for k, v in ids.items()}

    def targets(self, who: str, **kw: object) -> list[str]:
        result = service.suggestions(self.factory, self.network_id, self.ids[who], limit=20, **kw)  # type: ignore[arg-type]
        return [self.keys[s.target.actor_id] for s in result.suggestions]


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


def _feedback(h: Hood, a: str, b: str, decision: str, days_ago: float, **kw: object) -> None:
    with transaction(h.factory) as session:
        record_feedback(
            session,
            h.network_id,
            source=h.ids[a],
            target=h.ids[b],
            decision=decision,
            now=NOW - dt.timedelta(days=days_ago),
            **kw,  # type: ignore[arg-type]
        )


def test_service_suggests_the_taalcafe_from_the_store(hood: Hood) -> None:
    result = service.suggestions(hood.factory, hood.network_id, hood.ids["rosa"], limit=3)
    top = result.suggestions[0]
    assert hood.keys[top.target.actor_id] == "taalcafe"
    assert top.introduction.introducer is not None
    assert hood.keys[top.introduction.introducer.actor_id] == "karel"
    assert result.provenance.network_id == hood.network_id
    en = service.suggestions(hood.factory, hood.network_id, hood.ids["rosa"], limit=1, lang="en")
    assert "can help with language" in en.suggestions[0].reasons[0].sentence
    with pytest.raises(NotFound):
        service.suggestions(hood.factory, hood.network_id, "nope")
    with pytest.raises(NotFound):
        service.suggestions(hood.factory, "no-network", hood.ids["rosa"])


def test_repeated_calls_reuse_the_snapshot_and_the_fitted_model(hood: Hood) -> None:
    with hood.factory() as session:
        s1 = cache.get_snapshot(session, hood.network_id)
        s2 = cache.get_snapshot(session, hood.network_id)
    assert s1 is s2
    assert suggest_context(s1) is suggest_context(s2)


@pytest.mark.parametrize(
    ("decision", "days_ago", "excluded"),
    [
        ("declined", 10, True),
        ("declined", 89, True),
        ("declined", 100, False),
        ("not_now", 10, True),
        ("not_now", 40, False),
    ],
)
def test_declined_pairs_cool_down(hood: Hood, decision: str, days_ago: int, excluded: bool) -> None:
    assert "taalcafe" in hood.targets("rosa")
    _feedback(hood, "taalcafe", "rosa", decision, days_ago)  # either direction
    assert ("taalcafe" not in hood.targets("rosa")) is excluded
    # and after the cool-down, whatever it was, the pair comes back
    later = NOW + dt.timedelta(days=100)
    assert "taalcafe" in hood.targets("rosa", now=later)


def test_do_not_suggest(hood: Hood) -> None:
    with transaction(hood.factory) as session:
        first = service.do_not_suggest(
            session, hood.network_id, source=hood.ids["rosa"], target=hood.ids["taalcafe"]
        )
        again = service.do_not_suggest(
            session, hood.network_id, source=hood.ids["taalcafe"], target=hood.ids["rosa"]
        )
    assert (first.source_id, first.target_id) == (again.source_id, again.target_id)
    assert first.source_id < first.target_id
    assert "taalcafe" not in hood.targets("rosa")
    assert "taalcafe" not in hood.targets("rosa", now=NOW + dt.timedelta(days=1000))
    with transaction(hood.factory) as session:
        assert unmark_do_not_suggest(
            session, hood.network_id, hood.ids["rosa"], hood.ids["taalcafe"]
        )
    assert "taalcafe" in hood.targets("rosa")


def test_tie_formed_creates_the_tie_and_bumps_the_revision(hood: Hood) -> None:
    with hood.factory() as session:
        before = current_revision(session, hood.network_id)
    with transaction(hood.factory) as session:
        fb = service.feedback(
            session,
            hood.network_id,
            source=hood.ids["rosa"],
            target=hood.ids["taalcafe"],
            decision="accepted",
            outcome="tie_formed",
            introducer=hood.ids["karel"],
            reason_codes=["need_match", "rooted_pagerank"],
            suggestion_kind="need_match",
            score=1.1,
            create_tie=True,
        )
    assert fb.tie_id is not None and fb.revision == before + 1
    with hood.factory() as session:
        tie = session.get(Tie, fb.tie_id)
        assert tie is not None
        assert (tie.kind, tie.strength, tie.since) == ("knows", 2, dt.date.today())
        assert {tie.source_id, tie.target_id} == {hood.ids["rosa"], hood.ids["taalcafe"]}
        assert current_revision(session, hood.network_id) == before + 1
    # the new snapshot has the tie: the taalcafé is no longer a suggestion for Rosa
    assert "taalcafe" not in hood.targets("rosa", now=NOW + dt.timedelta(days=365))


def test_outcome_later_and_an_existing_tie_is_linked(hood: Hood) -> None:
    with transaction(hood.factory) as session:
        fb = record_feedback(
            session,
            hood.network_id,
            source=hood.ids["bram"],
            target=hood.ids["fatima"],
            decision="accepted",
            suggestion_kind="need_match",
            reason_codes=["need_match"],
        )
    assert fb.outcome is None and fb.outcome_at is None
    with transaction(hood.factory) as session:
        create_tie(
            session,
            hood.network_id,
            {"source": hood.ids["fatima"], "target": hood.ids["bram"], "kind": "friend"},
        )
    with transaction(hood.factory) as session:
        done = service.outcome(
            session, hood.network_id, fb.id, outcome="tie_formed", create_tie=True
        )
    assert done.outcome == "tie_formed" and done.outcome_at is not None
    with hood.factory() as session:
        ties = session.scalars(
            sa.select(Tie).where(
                Tie.network_id == hood.network_id,
                Tie.source_id.in_([hood.ids["bram"], hood.ids["fatima"]]),
                Tie.target_id.in_([hood.ids["bram"], hood.ids["fatima"]]),
            )
        ).all()
    assert len(ties) == 1 and done.tie_id == ties[0].id  # linked, not duplicated
    with transaction(hood.factory) as session, pytest.raises(NotFound):
        record_outcome(session, hood.network_id, "missing", outcome="other")


def test_stats_rates_per_reason_and_kind(hood: Hood) -> None:
    rows = [
        (
            "rosa",
            "taalcafe",
            "accepted",
            "tie_formed",
            ["need_match", "common_contacts"],
            "need_match",
        ),
        ("bram", "fatima", "accepted", "no_contact", ["need_match"], "need_match"),
        ("bram", "kees", "accepted", None, ["need_match"], "need_match"),
        ("isa", "karel", "declined", None, ["need_match", "ends_isolation"], "ends_isolation"),
        ("piet", "lisa", "not_now", None, ["ends_isolation"], "ends_isolation"),
        ("anna", "karel", "declined", None, ["joins_components"], "joins_components"),
    ]
    for a, b, decision, outcome, codes, kind in rows:
        _feedback(
            hood, a, b, decision, 1, outcome=outcome, reason_codes=codes, suggestion_kind=kind
        )
    st = service.stats(hood.factory, hood.network_id)
    assert st.total.suggestions == 6
    assert (st.total.accepted, st.total.declined, st.total.not_now) == (3, 2, 1)
    assert st.total.acceptance_rate == 0.5
    assert st.total.outcomes_known == 2 and st.total.tie_rate == 0.5
    assert st.total.success_rate == pytest.approx(0.3333, abs=1e-4)
    need = next(r for r in st.by_reason if r.key == "need_match")
    assert (need.suggestions, need.accepted, need.declined) == (4, 3, 1)
    assert need.acceptance_rate == 0.75
    assert need.outcomes == {"tie_formed": 1, "no_contact": 1, "not_helpful": 0, "other": 0}
    assert need.tie_rate == 0.5
    iso = next(r for r in st.by_reason if r.key == "ends_isolation")
    assert (iso.suggestions, iso.accepted, iso.acceptance_rate, iso.tie_rate) == (2, 0, 0.0, None)
    kinds = {r.key: r for r in st.by_kind}
    assert set(kinds) == {"need_match", "ends_isolation", "joins_components"}
    assert kinds["need_match"].acceptance_rate == 1.0
    assert kinds["joins_components"].acceptance_rate == 0.0
    empty = service.stats(hood.factory, hood.network_id).by_reason
    assert [r.key for r in empty] == sorted(r.key for r in empty)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"target": "nobody"}, "target"),
        ({"target": "rosa"}, "target"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "declined", "outcome": "tie_formed"}, "outcome"),
        ({"outcome": "great"}, "outcome"),
        ({"create_tie": True}, "create_tie"),
        ({"reason_codes": ["because"]}, "reason_codes[0]"),
        ({"suggestion_kind": "hunch"}, "suggestion_kind"),
        ({"score": float("nan")}, "score"),
        ({"introducer": "rosa"}, "introducer"),
        ({"introducer": "nobody"}, "introducer"),
    ],
)
def test_feedback_validation_names_the_field(hood: Hood, kw: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"source": "rosa", "target": "taalcafe", "decision": "accepted"}
    values.update(kw)
    for key in ("source", "target", "introducer"):
        if isinstance(values.get(key), str) and values[key] in hood.ids:
            values[key] = hood.ids[str(values[key])]
    with transaction(hood.factory) as session, pytest.raises(ValidationFailed) as err:
        record_feedback(session, hood.network_id, **values)  # type: ignore[arg-type]
    assert err.value.errors[0].field == field


def test_feedback_on_unknown_network(hood: Hood) -> None:
    with transaction(hood.factory) as session, pytest.raises(NotFound):
        record_feedback(session, "nope", source="a", target="b", decision="accepted")
    with pytest.raises(NotFound):
        service.stats(hood.factory, "nope")


def test_weave_and_activation_through_the_service(hood: Hood) -> None:
    woven = service.weave(hood.factory, hood.network_id, limit=3)
    top = woven.introductions[0]
    assert {hood.keys[top.a.actor_id], hood.keys[top.b.actor_id]} & {"piotr", "anna", "marek"}
    assert top.gain.components_joined == 1
    assert service.weave(hood.factory, hood.network_id, limit=3) is woven  # cached
    # a decision on that pair changes the exclusions, hence the answer
    _feedback(hood, hood.keys[top.a.actor_id], hood.keys[top.b.actor_id], "declined", 1)
    again = service.weave(hood.factory, hood.network_id, limit=3).introductions[0]
    assert {again.a.actor_id, again.b.actor_id} != {top.a.actor_id, top.b.actor_id}
    plan = service.activation(
        hood.factory, hood.network_id, area="Merelstraat", themes=["taal", "klussen"]
    )
    assert {"taalcafe", "ahmed", "karel"} <= {hood.keys[i.actor.actor_id] for i in plan.items}
    assert "ursula" not in {hood.keys[i.actor.actor_id] for i in plan.items}
    focus = service.activation(
        hood.factory, hood.network_id, focus_actor=hood.ids["rosa"], themes="taal"
    )
    assert hood.keys[focus.items[0].actor.actor_id] == "taalcafe"
