"""Suggestions, weaving and introducers on a small hand-built neighbourhood where the right
answer is obvious (written next to each test).

The neighbourhood (Merelstraat, plus a Polish family on the Spreeuwstraat):

* Rosa (resident, needs ``taal``) is lonely: her only tie is Karel, the key figure.
* Karel knows nearly everyone and volunteers at the taalcafé (initiative, offers ``taal``).
* Ursula (consent ``unknown``) offers ``taal`` and is Karel's best friend (strength 5): she
  would be the obvious match for Rosa and the strongest introducer for Bram and Fatima, but
  may not be proposed to anyone nor named.
* Bram needs ``koken``; Fatima offers it; both know Ursula (5) and Karel (2 and 3).
* Isa has no ties at all and asks for ``ontmoeting``; Piet is only tied to Olga, a
  professional (so he counts as isolated).
* Piotr, Anna and Marek know only each other: a separate component.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import networkx as nx
import pytest

from netwerk.errors import NotFound, ValidationFailed
from netwerk.graph import Snapshot, snapshot_from_networkx
from netwerk.suggest.codes import REASON_CODES, SUGGESTION_KINDS
from netwerk.suggest.context import suggest_context
from netwerk.suggest.exclusions import Exclusions, pair_key
from netwerk.suggest.suggestions import suggest_for_actor
from netwerk.suggest.weave import weave

ACTORS: dict[str, dict[str, Any]] = {
    "karel": dict(
        kind="key_figure",
        consent="given",
        area="Merelstraat",
        languages=["nl", "ar"],
        assets=["ontmoeting", "klussen"],
    ),
    "rosa": dict(
        kind="resident", consent="given", area="Merelstraat", languages=["ar"], needs=["taal"]
    ),
    "taalcafe": dict(
        kind="initiative", area="Merelstraat", languages=["nl", "ar"], assets=["taal", "ontmoeting"]
    ),
    "buurthuis": dict(kind="place", area="Merelstraat", assets=["ontmoeting"]),
    "ahmed": dict(
        kind="resident",
        consent="given",
        area="Merelstraat",
        languages=["ar", "nl"],
        assets=["klussen"],
    ),
    "bram": dict(
        kind="resident", consent="given", area="Merelstraat", languages=["nl"], needs=["koken"]
    ),
    "fatima": dict(
        kind="resident",
        consent="given",
        area="Merelstraat",
        languages=["ar", "nl"],
        assets=["koken"],
    ),
    "ursula": dict(
        kind="resident",
        consent="unknown",
        area="Merelstraat",
        languages=["nl", "ar"],
        assets=["taal"],
    ),
    "jan": dict(
        kind="resident", consent="given", area="Merelstraat", languages=["nl"], assets=["huiswerk"]
    ),
    "olga": dict(
        kind="professional",
        consent="given",
        area="Merelstraat",
        languages=["nl"],
        assets=["geldzaken", "opvoeding"],
    ),
    "welzijn": dict(kind="organisation", area="Merelstraat", assets=["geldzaken"]),
    "isa": dict(
        kind="resident",
        consent="given",
        area="Merelstraat",
        languages=["nl"],
        needs=["ontmoeting"],
    ),
    "piet": dict(kind="resident", consent="given", area="Merelstraat", languages=["nl"]),
    "lisa": dict(kind="resident", consent="given", area="Merelstraat", languages=["nl"]),
    "kees": dict(kind="resident", consent="given", area="Merelstraat", languages=["nl"]),
    "piotr": dict(kind="resident", consent="given", area="Spreeuwstraat", languages=["pl"]),
    "anna": dict(
        kind="resident",
        consent="given",
        area="Spreeuwstraat",
        languages=["pl"],
        needs=["werk"],
    ),
    "marek": dict(kind="resident", consent="given", area="Spreeuwstraat", languages=["pl"]),
}
TIES: list[tuple[str, str, str, int]] = [
    ("rosa", "karel", "knows", 2),
    ("karel", "taalcafe", "volunteers_at", 4),
    ("karel", "buurthuis", "meets_at", 3),
    ("karel", "ursula", "friend", 5),
    ("karel", "ahmed", "knows", 3),
    ("karel", "olga", "knows", 3),
    ("karel", "fatima", "knows", 3),
    ("ahmed", "taalcafe", "participates_in", 3),
    ("ahmed", "buurthuis", "meets_at", 2),
    ("ursula", "bram", "friend", 5),
    ("ursula", "fatima", "friend", 5),
    ("bram", "karel", "knows", 2),
    ("bram", "lisa", "neighbour", 3),
    ("lisa", "buurthuis", "meets_at", 3),
    ("lisa", "jan", "neighbour", 3),
    ("kees", "bram", "friend", 4),
    ("kees", "buurthuis", "meets_at", 2),
    ("olga", "welzijn", "works_for", 5),
    ("olga", "piet", "knows", 2),
    ("taalcafe", "buurthuis", "meets_at", 4),
    ("welzijn", "buurthuis", "partners_with", 2),
    ("piotr", "anna", "friend", 4),
    ("anna", "marek", "friend", 4),
    ("piotr", "marek", "family", 5),
]
POLISH = {"piotr", "anna", "marek"}


def hood_graph(extra_ties: list[tuple[str, str, str, int]] | None = None) -> nx.Graph:
    g = nx.Graph()
    for key, attrs in ACTORS.items():
        g.add_node(key, **attrs)
    for a, b, kind, w in [*TIES, *(extra_ties or [])]:
        g.add_edge(a, b, kind=kind, weight=w)
    return g


def hood_snapshot(graph: nx.Graph | None = None) -> Snapshot:
    # A fresh network id per snapshot: the result cache is keyed by (network, revision).
    return snapshot_from_networkx(
        graph if graph is not None else hood_graph(), network_id=f"hood-{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture(scope="module")
def hood() -> Snapshot:
    return hood_snapshot()


def _targets(result: Any) -> list[str]:
    return [s.target.actor_id for s in result.suggestions]


def _named(result: Any) -> set[str]:
    out = {s.target.actor_id for s in result.suggestions}
    for s in result.suggestions:
        out.update(step.actor.actor_id for step in s.introduction.path[1:-1])
        if s.introduction.introducer is not None:
            out.add(s.introduction.introducer.actor_id)
    return out


# --------------------------------------------------------------------------- the worked case


def test_lonely_resident_gets_the_taalcafe_through_the_key_figure(hood: Snapshot) -> None:
    result = suggest_for_actor(hood, "rosa", limit=5)
    top = result.suggestions[0]
    assert top.target.actor_id == "taalcafe"
    assert top.kind == "need_match"
    assert top.themes == ("taal",)
    intro = top.introduction
    assert intro.introducer is not None and intro.introducer.actor_id == "karel"
    assert [s.actor.actor_id for s in intro.path] == ["rosa", "karel", "taalcafe"]
    assert [s.tie_strength for s in intro.path] == [None, 2.0, 4.0]
    assert intro.hops == 2 and intro.weakest_tie == 2.0
    need = next(r for r in top.reasons if r.code == "need_match")
    assert need.kind == "value" and need.themes == ("taal",) and need.contribution == 1.0
    # the score is feasibility x value, and the value is base + the value contributions
    value = 0.1 + sum(r.contribution for r in top.reasons if r.kind == "value")
    assert top.value == pytest.approx(value, abs=1e-3)
    assert top.score == pytest.approx(top.feasibility * top.value, rel=1e-4)


def test_reasons_in_dutch_and_in_english(hood: Snapshot) -> None:
    nl = suggest_for_actor(hood, "rosa", limit=1).suggestions[0]
    en = suggest_for_actor(hood, "rosa", limit=1, lang="en").suggestions[0]
    assert [r.code for r in nl.reasons] == [r.code for r in en.reasons]
    need_nl = next(r for r in nl.reasons if r.code == "need_match").sentence
    need_en = next(r for r in en.reasons if r.code == "need_match").sentence
    assert need_nl == "Dit initiatief kan helpen bij taal: daar wordt om gevraagd."
    assert need_en == "This initiative can help with language, which is what is asked for."
    # the introducer is named by role, not as a second "deze bewoner"
    assert nl.introduction.sentence == (
        "Een gemeenschappelijk contact (een sleutelfiguur) kent beiden en kan hen aan elkaar "
        "voorstellen (banden van sterkte 2 en 4)."
    )
    assert "knows both" in en.introduction.sentence
    assert all(r.code in REASON_CODES for r in nl.reasons)
    with pytest.raises(ValidationFailed):
        suggest_for_actor(hood, "rosa", lang="de")


def test_consent_unknown_is_never_suggested_nor_named(hood: Snapshot) -> None:
    """Ursula offers taal (what Rosa asks) and is the strongest common contact of Bram and
    Fatima, but her consent is unknown."""
    for actor in ACTORS:
        if actor == "ursula":
            continue
        result = suggest_for_actor(hood, actor, limit=20)
        assert "ursula" not in _named(result), actor
    bram = suggest_for_actor(hood, "bram", limit=20)
    fatima = next(s for s in bram.suggestions if s.target.actor_id == "fatima")
    # karel: min(2, 3) = 2 beats nothing; ursula's min(5, 5) = 5 may not be named
    assert fatima.introduction.introducer is not None
    assert fatima.introduction.introducer.actor_id == "karel"
    assert bram.excluded.get("consent", 0) == 0  # ursula is bram's friend already
    assert suggest_for_actor(hood, "rosa", limit=20).excluded["consent"] == 1


def test_existing_ties_and_self_are_never_suggested(hood: Snapshot) -> None:
    g = hood_graph()
    for actor in ACTORS:
        result = suggest_for_actor(hood, actor, limit=50, max_hops=4)
        targets = set(_targets(result))
        assert actor not in targets
        assert not targets & set(g.neighbors(actor)), actor
        assert all(s.kind in SUGGESTION_KINDS for s in result.suggestions)
        ranks = [s.rank for s in result.suggestions]
        assert ranks == list(range(1, len(ranks) + 1))
        scores = [s.score for s in result.suggestions]
        assert scores == sorted(scores, reverse=True)


def test_do_not_suggest_and_cool_downs_are_respected(hood: Snapshot) -> None:
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    blocked = Exclusions(reasons={pair_key("rosa", "taalcafe"): "do_not_suggest"}, as_of=now)
    result = suggest_for_actor(hood, "rosa", limit=20, exclusions=blocked)
    assert "taalcafe" not in _targets(result)
    assert result.excluded["do_not_suggest"] == 1
    # pairs are unordered: the taalcafé is not offered Rosa either
    other = suggest_for_actor(hood, "taalcafe", limit=20, exclusions=blocked)
    assert "rosa" not in _targets(other)


def test_isolated_resident_is_offered_help_without_an_introducer(hood: Snapshot) -> None:
    """Isa has no ties and asks for ontmoeting: Karel, the taalcafé and the buurthuis offer
    it; nobody can introduce her (the broker does)."""
    result = suggest_for_actor(hood, "isa", limit=3)
    assert set(_targets(result)) == {"karel", "taalcafe", "buurthuis"}
    for s in result.suggestions:
        codes = {r.code for r in s.reasons}
        assert {"need_match", "ends_isolation", "joins_components"} <= codes
        assert s.introduction.introducer is None and s.introduction.path == ()
        assert "verbindingsmakelaar" in s.introduction.sentence


def test_only_professional_ties_count_as_isolation(hood: Snapshot) -> None:
    result = suggest_for_actor(hood, "piet", limit=5)
    top = result.suggestions[0]
    assert top.kind == "ends_isolation"
    assert top.target.kind in ("resident", "key_figure", "initiative", "place")
    assert top.introduction.introducer is not None
    assert top.introduction.introducer.actor_id == "olga"


def test_theme_and_kind_filters(hood: Snapshot) -> None:
    only_taal = suggest_for_actor(hood, "bram", themes="taal", limit=10)
    assert _targets(only_taal)
    assert all("taal" in ACTORS[t].get("assets", []) for t in _targets(only_taal))
    people = suggest_for_actor(hood, "rosa", target_kinds=["resident"], limit=10)
    assert _targets(people) and all(ACTORS[t]["kind"] == "resident" for t in _targets(people))
    with pytest.raises(ValidationFailed) as err:
        suggest_for_actor(hood, "rosa", target_kinds="martian")
    assert err.value.errors[0].field == "target_kinds"
    with pytest.raises(ValidationFailed):
        suggest_for_actor(hood, "rosa", themes=["Not A Theme!"])
    with pytest.raises(ValidationFailed) as err:
        suggest_for_actor(hood, "rosa", max_hops=9)
    assert err.value.errors[0].field == "max_hops"
    with pytest.raises(NotFound):
        suggest_for_actor(hood, "nobody")


def test_withdrawn_consent_gets_no_suggestions() -> None:
    g = hood_graph()
    g.nodes["rosa"]["consent"] = "withdrawn"
    result = suggest_for_actor(hood_snapshot(g), "rosa")
    assert result.suggestions == () and result.notice


def test_relieves_an_overloaded_key_figure() -> None:
    """Kim, a key figure with 14 contacts, is Roos's only tie and the one who offers klussen
    around here; Henk offers klussen too and knows two of Kim's contacts."""
    g = nx.Graph()
    g.add_node("kim", kind="key_figure", consent="given", assets=["klussen"])
    g.add_node("roos", kind="resident", consent="given", needs=["klussen"])
    g.add_node("henk", kind="resident", consent="given", assets=["klussen"])
    g.add_edge("kim", "roos", weight=3)
    for i in range(13):
        g.add_node(f"r{i}", kind="resident", consent="given")
        g.add_edge("kim", f"r{i}", weight=2)
    for i in range(12):
        g.add_edge(f"r{i}", f"r{i + 1}", weight=2)
    g.add_edge("henk", "r0", weight=3)
    g.add_edge("henk", "r1", weight=3)
    s = hood_snapshot(g)
    ctx = suggest_context(s)
    assert ctx.overloaded[s.index["kim"]]
    result = suggest_for_actor(s, "roos", limit=3, context=ctx)
    henk = next(x for x in result.suggestions if x.target.actor_id == "henk")
    codes = [r.code for r in henk.reasons]
    assert "relieves_key_figure" in codes and "need_match" in codes
    assert result.suggestions[0].target.actor_id == "henk"


def test_results_are_plain_values(hood: Snapshot) -> None:
    import dataclasses
    import json

    result = suggest_for_actor(hood, "rosa", limit=3)
    json.dumps(dataclasses.asdict(result))  # no numpy types anywhere
    assert result.provenance.network_id == hood.network_id
    assert result.provenance.seed == 0


# --------------------------------------------------------------------------- weaving


def test_weave_joins_the_separate_family_with_the_stated_gain(hood: Snapshot) -> None:
    woven = weave(hood, limit=5)
    top = woven.introductions[0]
    pair = {top.a.actor_id, top.b.actor_id}
    assert len(pair & POLISH) == 1, pair
    assert top.hole == "components"
    assert top.gain.components_joined == 1
    assert top.gain.efficiency_exact
    g = hood_graph()
    before = nx.global_efficiency(g)
    g.add_edge(top.a.actor_id, top.b.actor_id)
    after = nx.global_efficiency(g)
    assert top.gain.efficiency_before == pytest.approx(before, abs=1e-5)
    assert top.gain.efficiency_after == pytest.approx(after, abs=1e-5)
    assert top.gain.efficiency_change == pytest.approx(after - before, abs=1e-6)
    # the three Polish residents get help (karel) within three steps
    assert top.gain.persons_reaching_help == 3
    assert top.introduction.introducer is None  # no path: the broker introduces them
    assert {r.code for r in top.reasons} >= {"joins_components", "efficiency_gain"}
    # every gain is the exact change in global efficiency
    for intro in woven.introductions:
        h = hood_graph()
        h.add_edge(intro.a.actor_id, intro.b.actor_id)
        assert intro.gain.efficiency_change == pytest.approx(
            nx.global_efficiency(h) - before, abs=1e-6
        )
    scores = [i.score for i in woven.introductions]
    assert scores == sorted(scores, reverse=True)
    named = set(
        itertools.chain.from_iterable((i.a.actor_id, i.b.actor_id) for i in woven.introductions)
    )
    assert "ursula" not in named


def test_weave_estimates_efficiency_by_sampling_on_large_networks(hood: Snapshot) -> None:
    exact = weave(hood, limit=3)
    sampled = weave(hood, limit=3, exact_max=5, samples=18)  # all 18 rows: estimate == exact
    assert not sampled.efficiency_exact and exact.efficiency_exact
    assert sampled.efficiency == pytest.approx(exact.efficiency, abs=1e-6)
    top_e, top_s = exact.introductions[0], sampled.introductions[0]
    assert (top_s.a, top_s.b) == (top_e.a, top_e.b)
    assert top_s.gain.efficiency_change == pytest.approx(top_e.gain.efficiency_change, abs=1e-6)
    assert top_s.gain.efficiency_half_width is not None


def test_weave_skips_excluded_pairs(hood: Snapshot) -> None:
    top = weave(hood, limit=1).introductions[0]
    excl = Exclusions(reasons={pair_key(top.a.actor_id, top.b.actor_id): "declined"})
    again = weave(hood, limit=1, exclusions=excl).introductions[0]
    assert {again.a.actor_id, again.b.actor_id} != {top.a.actor_id, top.b.actor_id}
