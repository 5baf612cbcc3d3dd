"""The words a frontline worker reads (issue 9): every code has a sentence in both languages,
no Dutch sentence leaks English jargon, plural agreement, Dutch number format in real
outputs, and nobody from the neighbourhood "offers loneliness"."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest

from netwerk import synth
from netwerk.analysis.brokers import ROLES, brokers
from netwerk.analysis.communities import communities
from netwerk.analysis.compare import compare_snapshots
from netwerk.analysis.gaps import GAP_KINDS, gaps
from netwerk.analysis.key_figures import REASON_WEIGHTS, key_figures
from netwerk.analysis.resilience import what_if
from netwerk.analysis.stage import STAGES, stage
from netwerk.columns import snapshot_from_columns
from netwerk.graph import ACTOR_KINDS, Snapshot
from netwerk.i18n import LANGS, catalogue, keys, text
from netwerk.model import NEED_ONLY_THEMES, can_offer
from netwerk.suggest.activation import activation_plan
from netwerk.suggest.codes import (
    ACTIVATION_CODES,
    FEASIBILITY_CODES,
    REASON_CODES,
    VALUE_CODES,
    WEAVE_CODES,
    feasibility_sentence,
    value_sentence,
)
from netwerk.suggest.suggestions import suggest_for_actor
from netwerk.suggest.weave import weave
from tests.test_suggest import hood_graph, hood_snapshot

GAP_CODES = {
    "isolated_person": ("no_ties", "only_professional_ties"),
    "community_without_help": ("community_without_help",),
    "community_pair": ("single_tie", "no_tie"),
    "unmet_need": ("unmet_need",),
    "organisation_without_faces": ("organisation_without_faces",),
    "initiatives_unaware": ("initiatives_unaware",),
}

# English words that leak into Dutch text, checked in every catalogue entry. Words that are
# Dutch too stay allowed (actor, score, of = "or", team, help, data); "cluster" is listed as
# jargon where "groep" is meant. Quoted values and identifiers (field names, options) are
# not words of the sentence and are left out.
# fmt: off
LEAKS = frozenset({
    "hub", "hubs", "broker", "brokers", "brokerage", "gatekeeper", "gatekeepers", "liaison",
    "liaisons", "coordinator", "representative", "itinerant", "community", "communities",
    "cluster", "clusters", "path", "paths", "tie", "ties", "node", "nodes", "the", "and",
    "with", "network", "networks", "people", "resident", "residents", "offers", "asks",
    "betweenness", "closeness", "efficiency", "sigma", "spoke", "periphery", "weaving",
    "pivots",
})
# The engine's own sentences (and its catalogue sections) are held to a longer list.
ENGINE_LEAKS = frozenset({
    "hub", "hubs", "broker", "brokers", "brokerage", "gatekeeper", "gatekeepers", "liaison",
    "liaisons", "coordinator", "representative", "itinerant", "community", "communities",
    "cluster", "clusters", "path", "paths", "tie", "ties", "node", "nodes", "the", "and",
    "with", "network", "networks", "people", "resident", "residents", "offers", "asks",
    "betweenness", "closeness", "efficiency", "sigma", "spoke", "periphery", "weaving",
    "pivots", "group", "groups", "person", "persons", "actors", "offer", "need", "needs",
    "key", "figure", "figures", "degree", "constraint", "effective", "size", "small", "world",
    "core", "scattered", "fragments", "weave", "pivot", "evidence", "reach", "reaches", "step",
    "steps",
})
# fmt: on


def _sample(name: str, spec: str) -> Any:
    if spec in ("num", "num2"):
        return 1234.56
    if spec == "pct":
        return 0.125
    if name in ("Who", "who", "A", "b", "Group", "group", "source", "leaver", "dependent"):
        return "deze bewoner"
    return "x"


def _render(key: str, lang: str) -> Iterator[str]:
    entry = catalogue(lang)[key]
    forms = entry.values() if isinstance(entry, dict) else [entry]
    for form in forms:
        fields = {(f, spec or "") for _, f, spec, _ in string.Formatter().parse(form) if f}
        values = {name: _sample(name, spec) for name, spec in fields}
        for count in (1, 3):
            values["count"] = count
            yield text(key, lang, **values)


def _words(sentence: str) -> set[str]:
    """Lower-case words outside quotes, code spans, options and identifiers."""
    plain = re.sub(r"'[^']*'|‘[^’]*’|`[^`]*`|\"[^\"]*\"", " ", sentence)
    return {
        w.lower()
        for w in re.findall(r"[A-Za-zÀ-ÿ_\-/.]+", plain)
        if not any(c in w for c in "_-/.") and not w.isupper()
    }


# --------------------------------------------------------------------------- every code


def test_every_reason_code_has_a_sentence_in_both_languages() -> None:
    for code in REASON_CODES:
        assert any(k == f"reason.{code}" for k in keys("nl")), code
    for code in VALUE_CODES:
        nl, en = (value_sentence(code, lang, themes=("taal",), count=2, size=4) for lang in LANGS)
        assert nl and en and nl != en, code
    for code in FEASIBILITY_CODES:
        nl, en = (feasibility_sentence(code, 2.0, lang) for lang in LANGS)
        assert nl != en and not nl.startswith("Aanwijzing"), code
    assert set(WEAVE_CODES) | set(ACTIVATION_CODES) <= REASON_CODES


def test_every_gap_stage_role_kind_and_key_figure_code_has_a_sentence() -> None:
    assert set(GAP_CODES) == set(GAP_KINDS)
    wanted = {f"gap.{c}" for codes in GAP_CODES.values() for c in codes}
    wanted |= {f"stage.label.{c}" for c in STAGES} | {f"stage.reason.{c}" for c in STAGES}
    wanted |= {f"brokers.{part}.{r}" for r in ROLES for part in ("role", "role_about", "sentence")}
    wanted |= {f"kind.{k}" for k in ACTOR_KINDS}
    wanted |= {f"kind.{form}.{k}" for k in ACTOR_KINDS for form in ("this", "a", "the")}
    for lang in LANGS:
        assert wanted <= keys(lang), wanted - keys(lang)
        for code in REASON_WEIGHTS:  # a new criterion may bring its words in [figures]
            assert {f"key_figures.{code}", f"figures.{code}"} & keys(lang), code


def test_the_gap_codes_are_the_ones_the_analysis_gives() -> None:
    from netwerk.graph import snapshot_from_networkx
    from tests.test_analysis_neighbourhood import build

    found = {(g.kind, g.code) for g in gaps(snapshot_from_networkx(build())).gaps}
    assert found == {(kind, code) for kind, codes in GAP_CODES.items() for code in codes}


def test_synthetic_themes_and_languages_have_names() -> None:
    for lang in LANGS:
        for theme in synth.THEMES:
            assert f"theme.label.{theme}" in keys(lang), theme
    net = synth.generate(300, seed=2)
    spoken = {x for langs in net.actors.languages for x in langs}
    for lang in LANGS:
        assert {f"theme.language.{c}" for c in spoken} <= keys(lang)


# --------------------------------------------------------------------------- Dutch words


ENGINE_SECTIONS = (
    "reason.", "gap.", "stage.", "whatif.", "brokers.", "communities.", "key_figures.",
    "figures.", "theme.", "kind.", "compare.", "summary.",
)  # fmt: skip


@pytest.mark.parametrize("key", sorted(keys("nl")))
def test_no_english_word_in_a_dutch_sentence(key: str) -> None:
    leaks = ENGINE_LEAKS if key.startswith(ENGINE_SECTIONS) else LEAKS
    for sentence in _render(key, "nl"):
        leaked = _words(sentence) & leaks
        assert not leaked, (key, sentence, leaked)


def test_plural_agreement_in_every_table() -> None:
    singular = {"actor", "bewoner", "stap", "band", "contact", "groep", "persoon", "lid", "deel"}
    plural = {"actoren", "bewoners", "stappen", "banden", "contacten", "groepen", "personen"}
    plural |= {"mensen", "leden", "delen", "talen", "initiatieven", "organisaties"}
    for key, entry in catalogue("nl").items():
        if not isinstance(entry, dict):
            continue
        assert set(entry) == {"one", "other"}, key
        for sentence in _render(key, "nl"):
            for n, word in re.findall(r"\b(1|3)\s+(?:\w+e\s+)?(\w+)", sentence):
                bad = plural if n == "1" else singular
                if n == "1" and "{count" not in entry["one"]:
                    continue
                assert word not in bad, (key, sentence)


def test_numbers_in_dutch_sentences_use_a_decimal_comma() -> None:
    assert text("reason.efficiency_gain", "nl", change=0.11, how="exact berekend").endswith(
        "stijgt met 0,11%, exact berekend)."
    )
    assert "1.234 verbindingen" in text("compare.gained", "nl", count=1234)
    assert "1,234 connections" in text("compare.gained", "en", count=1234)


# --------------------------------------------------------------------------- real outputs


def _sentences(value: Any) -> Iterator[str]:
    """Every sentence-like string in a result (explanations, summaries, reasons, labels)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("sentence", "explanation", "summary", "statement", "description", "label"):
                if isinstance(v, str):
                    yield v
            elif k == "reasons" and isinstance(v, list | tuple):
                for r in v:
                    yield from (r,) if isinstance(r, str) else _sentences(r)
            else:
                yield from _sentences(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _sentences(v)


@pytest.fixture(scope="module")
def town() -> tuple[Snapshot, Snapshot]:
    import datetime as dt

    net = synth.generate(600, seed=21, start=dt.date(2019, 1, 1))
    before = snapshot_from_columns(
        net.actors, net.ties, network_id="wijk", as_of=dt.date(2022, 6, 1)
    )
    after = snapshot_from_columns(
        net.actors, net.ties, network_id="wijk", as_of=dt.date(2024, 12, 31)
    )
    return before, after


def _dutch_outputs(before: Snapshot, s: Snapshot) -> list[str]:
    person = next(
        s.ids[v] for v in range(s.n) if s.kind[v] == "resident" and s.consent[v] == "given"
    )
    kf = key_figures(s)
    leaver = (kf.recognised or kf.unrecognised)[0].actor_id
    results: list[Any] = [
        gaps(s),
        what_if(s, leaver),
        kf,
        communities(s),
        brokers(s),
        stage(s),
        compare_snapshots(before, s),
        suggest_for_actor(s, person, limit=10),
        weave(s, limit=5),
        activation_plan(s, area=s.area[s.index[person]], themes=("taal", "eenzaamheid")),
    ]
    return [x for r in results for x in _sentences(asdict(r))]


def test_real_dutch_outputs_speak_dutch(town: tuple[Snapshot, Snapshot]) -> None:
    sentences = _dutch_outputs(*town)
    assert len(sentences) > 100
    for sentence in sentences:
        assert not re.search(r"\d\.\d{1,2}(?!\d)", sentence), sentence  # 0.11% -> 0,11%
        assert not re.search(r"\d,\d{3}(?!\d)", sentence), sentence  # 1,234 -> 1.234
        assert not re.search(r"\b1 (actoren|bewoners|stappen|banden|contacten|mensen)\b", sentence)
        assert not re.search(r"\biedt eenzaamheid|helpen bij eenzaamheid", sentence) or (
            sentence.startswith(("Dit initiatief", "Deze organisatie", "Deze professional"))
            or sentence.startswith("Deze ontmoetingsplek")
        ), sentence
        leaked = _words(sentence) & ENGINE_LEAKS
        assert not leaked, (sentence, leaked)


# --------------------------------------------------------------------------- need-only themes


def test_need_only_themes_are_modelled() -> None:
    assert "eenzaamheid" in NEED_ONLY_THEMES
    assert not can_offer("resident", "eenzaamheid") and not can_offer("key_figure", "eenzaamheid")
    assert can_offer("initiative", "eenzaamheid") and can_offer("resident", "taal")


def test_nobody_from_the_neighbourhood_offers_loneliness() -> None:
    """Issue 9: "Deze bewoner biedt eenzaamheid". Fatima recorded 'eenzaamheid' as an asset;
    she is never matched on it, while the buurthuis (a place that works on it) is, in words
    that fit: "kan helpen bij eenzaamheid"."""
    g = hood_graph()
    g.nodes["rosa"]["needs"] = ["eenzaamheid"]
    g.nodes["fatima"]["assets"] = [*g.nodes["fatima"].get("assets", []), "eenzaamheid"]
    g.nodes["buurthuis"]["assets"] = [*g.nodes["buurthuis"].get("assets", []), "eenzaamheid"]
    s = hood_snapshot(g)
    assert "eenzaamheid" not in s.assets[s.index["fatima"]]
    assert "eenzaamheid" in s.assets[s.index["buurthuis"]]
    result = suggest_for_actor(s, "rosa", limit=10, themes="eenzaamheid")
    by_target = {x.target.actor_id: x for x in result.suggestions}
    assert "fatima" not in by_target
    need = next(r for r in by_target["buurthuis"].reasons if r.code == "need_match")
    assert (
        need.sentence == "Deze ontmoetingsplek kan helpen bij eenzaamheid: daar wordt om gevraagd."
    )
    plan = activation_plan(s, focus_actor="rosa", themes="eenzaamheid")
    assert "fatima" not in {i.actor.actor_id for i in plan.items if i.themes}
    found = gaps(s, kinds=("unmet_need",), reach=3).gaps
    assert not any("fatima" in {a.actor_id for a in g.actors} for g in found)


# --------------------------------------------------------------------------- who is meant


def test_the_two_degree_reasons_differ_and_say_who() -> None:
    """Issue 9: "Actief in het netwerk (17 contacten)" / "(9 contacten)" looked alike and
    did not say who."""
    low = feasibility_sentence("degree_min", 9, "nl")
    high = feasibility_sentence("degree_max", 17, "nl", busiest_kind="key_figure")
    mine = feasibility_sentence(
        "degree_max", 17, "nl", busiest_kind="resident", busiest_is_source=True
    )
    assert (
        low == "Allebei actief in het netwerk: ook de minst actieve van de twee heeft 9 contacten."
    )
    assert high.startswith("Deze sleutelfiguur heeft veel contacten (17)")
    assert mine.startswith("De bewoner voor wie dit voorstel is, heeft veel contacten (17)")
    assert feasibility_sentence("degree_max", 17, "nl").startswith("De actiefste van de twee")


def test_introductions_and_first_calls_say_which_one() -> None:
    """Issue 9: "deze bewoner doet de eerste stap" (which one?)."""
    s = hood_snapshot()
    piet = next(
        x for x in suggest_for_actor(s, "bram", limit=5).suggestions if x.target.actor_id == "piet"
    )
    assert piet.introduction.sentence == (
        "Via 2 tussenpersonen (3 stappen, zwakste band: sterkte 2); de eerste tussenpersoon "
        "(een sleutelfiguur) zet de eerste stap."
    )
    plan = activation_plan(s, focus_actor="rosa", themes="taal")
    by_actor = {i.actor.actor_id: i for i in plan.items}
    assert by_actor["taalcafe"].sentence == (
        "Dit initiatief kan helpen bij taal. Bereikbaar in 2 stappen via bestaande banden, "
        "zwakste band: sterkte 2; de eerste tussenpersoon (een sleutelfiguur) belt als eerste."
    )
    assert by_actor["karel"].sentence.endswith("de bewoner om wie het gaat belt als eerste.")


def test_weaving_a_single_actor_agrees_in_number() -> None:
    """Issue 9: "een los deel van 1 actoren"."""
    sentences = [
        r.sentence for i in weave(hood_snapshot(), limit=5).introductions for r in i.reasons
    ]
    assert "Verbindt 1 actor die nu helemaal los staat met de rest van het netwerk." in sentences
    assert "Verbindt een los deel van 3 actoren met de rest van het netwerk." in sentences
    assert not any("1 actoren" in x for x in sentences)
    gain = next(x for x in sentences if x.startswith("Iedereen in het netwerk"))
    assert re.search(r"stijgt met \d+,\d+%, exact berekend\)\.$", gain), gain
