"""Outcomes re-weight the suggestions: the fit's direction on fixed data, the floors, a small
fixed simulation in which the learned weights put likelier meetings in the top 5, and the
learned weights through the store (provenance, report with intervals, reset) on SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from netwerk.columns import snapshot_from_columns
from netwerk.store.db import transaction
from netwerk.suggest import service
from netwerk.suggest.activation import activation_plan
from netwerk.suggest.context import build_context
from netwerk.suggest.learning import (
    MIN_OUTCOMES,
    PRIOR,
    TERMS,
    VALUE_FLOOR,
    LearnedWeights,
    fit,
    term_matrix,
)
from netwerk.suggest.suggestions import suggest_for_actor
from netwerk.suggest.weave import weave
from netwerk.synth import generate
from tests.test_feedback import Hood
from tests.test_impressions import hood  # noqa: F401  (fixture)
from tests.test_suggest import hood_snapshot


def _fixed_rows() -> tuple[np.ndarray, np.ndarray]:
    """240 suggestions: shared language holds 3 in 5 times, without 1 in 5; ends_isolation
    introductions (a third) almost never hold; need_match ones a little more often."""
    rows = []
    ys = []
    for i in range(240):
        lang = 0.8 if i % 2 == 0 else 0.0
        iso = 1.0 if i % 3 == 0 else 0.0
        need = 1.0 if i % 4 < 2 else 0.0
        rows.append(
            {
                "feasibility": -1.0 + (i % 7) / 3,
                "shared_language": lang,
                "ends_isolation": iso,
                "need_match": need,
            }
        )
        if iso:
            y = i % 12 == 0
        elif lang:
            y = i % 5 < 3 or (need > 0 and i % 5 == 3)
        else:
            y = i % 5 == 0
        ys.append(float(y))
    return term_matrix(rows), np.asarray(ys)


def test_fit_learns_the_direction_and_the_floor_holds() -> None:
    x, y = _fixed_rows()
    result = fit(x, y)
    w = result.weights
    assert w.source == "learned" and w.outcomes == 240
    assert w.attributes["shared_language"] > 0.5  # cross-language introductions fail more
    assert result.estimate["ends_isolation"] < np.log(VALUE_FLOOR)  # the evidence says drop it
    assert w.value["ends_isolation"] == VALUE_FLOOR  # ... but never below the floor
    assert w.value["need_match"] > 1.0
    assert 1.0 <= w.feasibility <= 3.0
    low, high = result.interval["shared_language"]
    assert low < result.estimate["shared_language"] < high
    # with no evidence the weights are the prior
    flat = fit(term_matrix([{}] * 150), np.array([0.0, 1.0] * 75)).weights
    assert flat.value == PRIOR.value and flat.feasibility == pytest.approx(1.0)


def test_learned_weights_put_likelier_meetings_in_the_top_5_on_a_fixed_case() -> None:
    """A small fixed simulation (seeded): introductions hold with the generator's latent
    chance, doubled through a key figure; after 160 outcomes the learned weights' top 5 hold
    more often than the prior's."""
    synth = generate(400, seed=4)
    s = snapshot_from_columns(synth.actors, synth.ties, network_id="learning-fixed")
    ctx = build_context(s, seed=0)
    pos = {a: i for i, a in enumerate(synth.actors.id)}
    persons = np.flatnonzero(ctx.allowed & s.kind_mask("resident", "key_figure"))
    order = np.random.default_rng(4).permutation(persons).tolist()
    evaluation, train = order[:30], order[30:]
    draws = np.random.default_rng(15)

    def chance(u: int, sug: object) -> float:
        target = pos[sug.target.actor_id]  # type: ignore[attr-defined]
        p = float(synth.tie_chance(np.array([pos[s.ids[u]]]), np.array([target]))[0])
        intro = sug.introduction.introducer  # type: ignore[attr-defined]
        return min(0.95, 2 * p) if intro is not None and intro.kind == "key_figure" else p

    def top(u: int, w: LearnedWeights) -> tuple:
        return suggest_for_actor(s, s.ids[u], limit=5, context=ctx, learned=w).suggestions

    def share(w: LearnedWeights) -> float:
        return float(np.mean([chance(u, g) for u in evaluation for g in top(u, w)]))

    rows, ys = [], []
    for u in train:
        for sug in top(u, PRIOR)[:2]:
            rows.append(dict(sug.terms))
            ys.append(float(draws.random() < chance(u, sug)))
        if len(ys) >= 160:
            break
    learned = fit(term_matrix(rows), np.asarray(ys)).weights
    assert min(learned.value.values()) >= VALUE_FLOOR
    assert share(learned) > share(PRIOR)


def test_outcomes_in_the_store_reweight_and_provenance_says_so(
    hood: Hood,  # noqa: F811
) -> None:
    who = hood.ids["rosa"]
    result = service.suggestions(hood.factory, hood.network_id, who, limit=5)
    assert result.provenance.parameters["weights"] == "prior"
    # a broker decides MIN_OUTCOMES shown suggestions: same-language ones hold
    moment = dt.datetime.now(dt.UTC)
    with transaction(hood.factory) as session:
        for k in range(MIN_OUTCOMES // len(result.suggestions) + 1):
            shown = service.remember(session, hood.network_id, result, token_id="t", now=moment)
            for s in shown.suggestions:
                lang = s.terms.get("shared_language", 0.0) > 0
                if lang and k % 3:
                    service.feedback(
                        session,
                        hood.network_id,
                        suggestion=s.id,
                        decision="accepted",
                        outcome="tie_formed",
                    )
                else:
                    service.feedback(session, hood.network_id, suggestion=s.id, decision="declined")
    report = service.weights(hood.factory, hood.network_id)
    assert report.source == "learned" and report.outcomes >= MIN_OUTCOMES
    assert report.outcomes_available - report.outcomes < 10  # refitted every 10 outcomes
    terms = {t.term: t for t in report.terms}
    assert set(terms) == set(TERMS)
    assert all(t.low <= t.estimate <= t.high for t in terms.values())
    assert all(terms[c].weight >= VALUE_FLOOR for c in terms if terms[c].kind == "value")
    again = service.suggestions(hood.factory, hood.network_id, who, limit=5)
    params = again.provenance.parameters
    assert params["weights"] == "learned" and params["weights_outcomes"] == report.outcomes
    assert params["weights_fitted_at"]
    # weave and activation plans are ranked with the same learned weights and say so
    woven = service.weave(hood.factory, hood.network_id, limit=3)
    plan = service.activation(hood.factory, hood.network_id, focus_actor=who, themes="taal")
    for res in (woven, plan):
        p = res.provenance.parameters
        assert p["weights"] == "learned" and p["weights_outcomes"] == report.outcomes
        assert p["weights_fitted_at"] == params["weights_fitted_at"]
    with transaction(hood.factory) as session:
        shown = service.remember(session, hood.network_id, again, token_id="t")
        shown_plan = service.remember(session, hood.network_id, plan, token_id="t")
        assert service.reset_weights(session, hood.network_id)
    with hood.factory() as session:
        from netwerk.store.tables import SuggestionImpression

        row = session.get(SuggestionImpression, shown.suggestions[0].id)
        assert row is not None and "+learned@" in row.model_version
        if shown_plan.items:
            item = session.get(SuggestionImpression, shown_plan.items[0].id)
            assert item is not None and "+learned@" in item.model_version
    assert service.weights(hood.factory, hood.network_id).source == "prior"
    plain = service.suggestions(hood.factory, hood.network_id, who, limit=5)
    assert plain.provenance.parameters["weights"] == "prior"
    assert (
        service.weave(hood.factory, hood.network_id, limit=3).provenance.parameters["weights"]
        == "prior"
    )


# --------------------------------------------------------------------------- weave, activation


def _learned(**value: float) -> LearnedWeights:
    multipliers = {code: value.get(code, 1.0) for code in PRIOR.value}
    return LearnedWeights(
        value=multipliers,
        source="learned",
        fitted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        outcomes=150,
    )


def test_weave_ranks_with_learned_weights() -> None:
    """A network that learned that its introductions into a key figure's circle fail and that
    joining components pays half as often: the weave picks other partners, weighs each
    hole's gain by its learned multiplier, and says which weights ranked it."""
    snap = hood_snapshot()
    prior = weave(snap, limit=10)
    assert weave(snap, limit=10, learned=PRIOR) == prior
    lw = dataclasses.replace(
        _learned(joins_components=VALUE_FLOOR, bridges_communities=2.0), key_figure_contact=-3.0
    )
    learned = weave(snap, limit=10, learned=lw)
    pairs = [(i.a.actor_id, i.b.actor_id) for i in learned.introductions]
    assert pairs != [(i.a.actor_id, i.b.actor_id) for i in prior.introductions]
    before = {(i.a.actor_id, i.b.actor_id): i for i in prior.introductions}
    factor = {"components": VALUE_FLOOR, "communities": 2.0, "help": 1.0}
    kept = 0
    for intro in learned.introductions:
        old = before.get((intro.a.actor_id, intro.b.actor_id))
        if old is not None:  # the same introduction: its gain weighed by the learned multiplier
            kept += 1
            assert intro.score == pytest.approx(old.score * factor[intro.hole], rel=1e-6)
    assert kept >= 1
    scores = [i.score for i in learned.introductions]
    assert scores == sorted(scores, reverse=True)
    p = learned.provenance.parameters
    assert p["weights"] == "learned" and p["weights_outcomes"] == 150
    assert p["learned_joins_components"] == VALUE_FLOOR
    assert prior.provenance.parameters["weights"] == "prior"


def test_activation_ranks_with_learned_weights() -> None:
    """Under the prior the taalcafé (offers taal, two steps away) comes before Karel (a key
    figure, as connector); a network whose need matches held half as often as assumed puts
    the connector first."""
    snap = hood_snapshot()
    prior = activation_plan(snap, focus_actor="rosa", themes="taal")
    order = [i.actor.actor_id for i in prior.items]
    assert order.index("taalcafe") < order.index("karel")
    learned = activation_plan(
        snap, focus_actor="rosa", themes="taal", learned=_learned(need_match=VALUE_FLOOR)
    )
    again = [i.actor.actor_id for i in learned.items]
    assert again.index("karel") < again.index("taalcafe")
    cafe = {i.actor.actor_id: i.score for i in prior.items}["taalcafe"]
    assert {i.actor.actor_id: i.score for i in learned.items}["taalcafe"] == pytest.approx(
        cafe * VALUE_FLOOR, abs=1e-6
    )
    assert learned.provenance.parameters["weights"] == "learned"
    assert prior.provenance.parameters["weights"] == "prior"
