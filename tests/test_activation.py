"""Activation plans on the hand-built neighbourhood of ``tests/test_suggest.py``."""

from __future__ import annotations

import dataclasses
import json

import pytest

from netwerk.errors import NotFound, ValidationFailed
from netwerk.graph import Snapshot
from netwerk.suggest.activation import ActivationPlan, activation_plan, area_matches
from tests.test_suggest import hood_snapshot


@pytest.fixture(scope="module")
def hood() -> Snapshot:
    return hood_snapshot()


def _ids(plan: ActivationPlan) -> list[str]:
    return [item.actor.actor_id for item in plan.items]


def test_area_plan_names_people_with_their_chains(hood: Snapshot) -> None:
    """For taal and klussen in the Merelstraat: the taalcafé (reached through Karel, who
    volunteers there; its faces are Karel and Ahmed), Ahmed who offers klussen and lives
    there, and Karel, key figure and klussen; never Ursula (consent unknown)."""
    plan = activation_plan(hood, area="Merelstraat", themes=["taal", "klussen"])
    ids = _ids(plan)
    assert {"taalcafe", "ahmed", "karel"} <= set(ids)
    assert plan.uncovered_themes == ()
    assert plan.sources == 11  # the Merelstraat persons who may be named (not Ursula)
    persons = [i for i in plan.items if i.actor.person]
    assert persons, "the plan names people, not organisations alone"
    cafe = next(i for i in plan.items if i.actor.actor_id == "taalcafe")
    assert cafe.themes == ("taal",)
    assert [s.actor.actor_id for s in cafe.chain] == ["karel", "taalcafe"]
    assert cafe.chain[1].tie_strength == 4.0 and cafe.chain[1].tie_kinds == ("volunteers_at",)
    assert cafe.first_call is not None and cafe.first_call.actor_id == "karel"
    assert [f.actor_id for f in cafe.faces] == ["karel", "ahmed"]
    ahmed = next(i for i in plan.items if i.actor.actor_id == "ahmed")
    assert ahmed.hops == 0 and ahmed.themes == ("klussen",)
    for item in plan.items:
        assert item.chain or item.hops is None
        named = {item.actor.actor_id, *(s.actor.actor_id for s in item.chain)}
        named |= {f.actor_id for f in item.faces}
        if item.first_call:
            named.add(item.first_call.actor_id)
        assert "ursula" not in named
    assert [i.rank for i in plan.items] == list(range(1, len(plan.items) + 1))
    json.dumps(dataclasses.asdict(plan))


def test_focus_plan_first_call_is_the_first_intermediary(hood: Snapshot) -> None:
    plan = activation_plan(hood, focus_actor="rosa", themes="taal", lang="en")
    top = plan.items[0]
    assert top.actor.actor_id == "taalcafe"
    assert [s.actor.actor_id for s in top.chain] == ["rosa", "karel", "taalcafe"]
    assert top.first_call is not None and top.first_call.actor_id == "karel"
    assert "makes the first call" in top.sentence
    karel = next(i for i in plan.items if i.actor.actor_id == "karel")
    assert karel.hops == 1 and karel.first_call is not None
    assert karel.first_call.actor_id == "rosa"  # a direct tie: Rosa can call herself
    assert "ursula" not in _ids(plan)


def test_unreachable_offer_is_listed_with_the_focus_strongest_tie(hood: Snapshot) -> None:
    """Isa has no ties: the taalcafé offers ontmoeting in her street, without a chain and
    with nobody of hers to make the call (the broker)."""
    plan = activation_plan(hood, focus_actor="isa", themes=["ontmoeting"])
    assert plan.items
    for item in plan.items:
        assert item.hops is None and item.chain == () and item.first_call is None


def test_validation(hood: Snapshot) -> None:
    with pytest.raises(ValidationFailed) as err:
        activation_plan(hood, themes=["taal"])
    assert err.value.errors[0].field == "focus_actor"
    with pytest.raises(ValidationFailed):
        activation_plan(hood, focus_actor="rosa", area="Merelstraat", themes=["taal"])
    with pytest.raises(ValidationFailed) as err:
        activation_plan(hood, area="Merelstraat", themes=[])
    assert err.value.errors[0].field == "themes"
    with pytest.raises(NotFound):
        activation_plan(hood, focus_actor="nobody", themes=["taal"])
    empty = activation_plan(hood, area="Nergensstraat", themes=["taal"])
    assert empty.items == () and empty.notice


def test_area_matching_follows_cbs_hierarchy() -> None:
    assert area_matches("WK036300", "BU03630012")
    assert area_matches("GM0363", "WK036301")
    assert area_matches("BU03630012", "BU03630012")
    assert not area_matches("WK036300", "BU03630112")
    assert area_matches("Merelstraat", "merelstraat")
    assert not area_matches("Merelstraat", None)
