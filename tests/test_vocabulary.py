"""One vocabulary, one answer: the gaps, the suggestions and the what-if read "help" and
"isolated" from the same definitions (netwerk.model), so they cannot disagree about a
community or a person."""

from __future__ import annotations

import uuid
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from netwerk.analysis.communities import partition
from netwerk.analysis.gaps import gaps, helped_communities, isolated_mask
from netwerk.graph import Snapshot, snapshot_from_networkx
from netwerk.model import FORMAL_KINDS, HELP_KINDS, NEIGHBOURHOOD_KINDS, RESIDENT_KINDS
from netwerk.privacy import anonymous_label, display_name
from netwerk.suggest.context import build_context

ROOT = Path(__file__).resolve().parent.parent

# Four streets, each a triangle of residents plus (at most) one helper tied to all three:
#   Merel  a key figure is the only help       Vink   a professional is the only help
#   Lijster an initiative is the only help     Spreeuw nobody helps
# The streets are joined by one tie each (a1 - b1 - c1 - d1) so that they form one network.
# Alone: x1 has no tie; x2 knows only the professional; x3 knows only the key figure.
HELPERS = {"a": "key_figure", "b": "professional", "c": "initiative", "d": None}


def street_graph() -> nx.Graph:
    g = nx.Graph()
    for street, helper in HELPERS.items():
        residents = [f"{street}{i}" for i in (1, 2, 3)]
        for r in residents:
            g.add_node(r, kind="resident")
        for i, r in enumerate(residents):
            for q in residents[i + 1 :]:
                g.add_edge(r, q, weight=3)
        if helper:
            g.add_node(f"{street}h", kind=helper)
            for r in residents:
                g.add_edge(f"{street}h", r, weight=3)
    g.add_edge("a1", "b1", weight=1)
    g.add_edge("b1", "c1", weight=1)
    g.add_edge("c1", "d1", weight=1)
    g.add_node("x1", kind="resident")
    g.add_node("x2", kind="resident")
    g.add_edge("x2", "bh", weight=2)
    g.add_node("x3", kind="resident")
    g.add_edge("x3", "ah", weight=2)
    return g


@pytest.fixture(scope="module")
def streets() -> Snapshot:
    return snapshot_from_networkx(street_graph(), network_id=f"streets-{uuid.uuid4().hex[:8]}")


def _community(s: Snapshot, memb: np.ndarray, actor: str) -> int:
    return int(memb[s.index[actor]])


def test_the_sets_are_stated_once():
    assert {k.value for k in HELP_KINDS} == {
        "key_figure",
        "professional",
        "organisation",
        "initiative",
    }
    assert {k.value for k in FORMAL_KINDS} == {"professional", "organisation"}
    assert NEIGHBOURHOOD_KINDS.isdisjoint(FORMAL_KINDS)
    assert RESIDENT_KINDS < NEIGHBOURHOOD_KINDS


def test_the_streets_are_four_communities(streets):
    part = partition(streets, seed=0)
    found = {_community(streets, part.membership, f"{st}1") for st in HELPERS}
    assert len(found) == 4
    for st in HELPERS:
        c = _community(streets, part.membership, f"{st}1")
        assert {_community(streets, part.membership, f"{st}{i}") for i in (2, 3)} == {c}


def test_gaps_and_suggestions_agree_on_which_communities_have_help(streets):
    ctx = build_context(streets, seed=0)
    memb = ctx.membership
    result = gaps(streets, kinds=("community_without_help",), seed=0)
    gap_communities = {g.communities[0] for g in result.gaps}
    # the key figure's street and the professional's street are helped in both
    for st in ("a", "b", "c"):
        c = _community(streets, memb, f"{st}1")
        assert ctx.community_has_help[c], st
        assert c not in gap_communities, st
    # the street without any helper is a gap, and the suggestions see it without help
    bare = _community(streets, memb, "d1")
    assert gap_communities == {bare}
    assert not ctx.community_has_help[bare]
    # one definition: the gaps' helper check is what the suggestions hold
    part = partition(streets, seed=0)
    assert np.array_equal(
        helped_communities(streets, part.membership, part.count), ctx.community_has_help
    )


def test_gaps_and_suggestions_agree_on_who_is_isolated(streets):
    ctx = build_context(streets, seed=0)
    result = gaps(streets, kinds=("isolated_person",))
    from_gaps = {g.actors[0].actor_id for g in result.gaps}
    from_context = {streets.ids[v] for v in np.flatnonzero(ctx.isolated).tolist()}
    # x1 has no tie, x2 knows only a professional; x3 knows a key figure (a neighbour)
    assert from_gaps == from_context == {"x1", "x2"}
    assert np.array_equal(isolated_mask(streets), ctx.isolated)


# --------------------------------------------------------------------------- actor rules

BAD_ACTORS = [
    # (what is wrong, the actor's fields, the field the API names). Only values that pass
    # the API's request schema (api/schemas.py checks lengths and slug patterns first, in
    # pydantic's words) reach the shared rules of netwerk.model.clean_actor_field.
    ("consent on an organisation", {"kind": "organisation", "name": "Org", "consent": "given"},
     "consent"),
    ("half a CBS code", {"kind": "resident", "name": "Ans", "area": "WK12"}, "area"),
    ("a street label with a stray sign",
     {"kind": "resident", "name": "Bo", "area": "Kerkstraat @ 5"}, "area"),
    ("consent on a place", {"kind": "place", "name": "Plek", "consent": "withdrawn"},
     "consent"),
]  # fmt: skip


def _csv(fields: dict[str, str]) -> bytes:
    columns = ["id", *fields]
    values = ["a1", *fields.values()]
    return (",".join(columns) + "\n" + ",".join(values) + "\n").encode()


@pytest.mark.parametrize(
    ("what", "fields", "api_field"), BAD_ACTORS, ids=[b[0] for b in BAD_ACTORS]
)
def test_the_api_and_the_import_give_the_same_message(
    client, admin, network, what, fields, api_field
):
    body = {k: ([v] if k in ("assets", "languages") else v) for k, v in fields.items()}
    r = client.post(f"/api/v1/networks/{network}/actors", json=body, headers=admin)
    assert r.status_code == 422, r.text
    api = {(e["field"], e["message"]) for e in r.json()["errors"]}
    r = client.post(
        f"/api/v1/networks/{network}/import",
        params={"format": "csv", "table": "actors"},
        content=_csv(fields),
        headers=admin,
    )
    assert r.status_code == 422, r.text
    imported = {e["message"] for e in r.json()["errors"] if e.get("row") == 2}
    assert [m for f, m in api if f == api_field] and {m for _, m in api} == imported, (
        api,
        r.json(),
    )


# --------------------------------------------------------------------------- pseudonyms


def test_a_withdrawn_person_is_shown_by_pseudonym_and_only_a_person():
    label = anonymous_label("p1", "nl")
    assert display_name("p1", "resident", "withdrawn", "Ans", "nl") == label
    assert display_name("p1", "resident", "given", "Ans", "nl") == "Ans"
    assert display_name("p1", "resident", None, "Ans", "nl") == "Ans"
    # consent is a person's: an organisation is shown by its name whatever the row says
    assert display_name("o1", "organisation", "withdrawn", "Buurthuis", "nl") == "Buurthuis"


@pytest.mark.parametrize(
    "path", ["api/present.py", "netwerk/cli/work.py", "netwerk/explore/service.py"]
)
def test_the_pseudonym_rule_is_read_from_privacy_not_restated(path):
    source = (ROOT / path).read_text()
    assert '== "withdrawn"' not in source and "anonymous_label(" not in source


# --------------------------------------------------------------------------- privacy marks


def test_every_sentence_a_viewer_can_read_is_marked_on_its_type():
    """The viewer's sentences are found by the marks on the types (api.present reads them);
    a sentence field left unmarked would reach a viewer unchecked."""
    import dataclasses
    import typing

    import netwerk.aggregate.types  # registers the aggregate types
    from api.present import VIEWER_TYPES
    from netwerk.analysis.stage import StageResult
    from netwerk.analysis.summary import SummaryResult
    from netwerk.privacy import _AGGREGATES, SAYS, marked_fields

    assert netwerk.aggregate.types.GapsView in VIEWER_TYPES.values()
    sentences = {"sentence", "summary", "explanation", "reasons"}
    unmarked = []
    for cls in sorted(_AGGREGATES | {StageResult, SummaryResult}, key=lambda c: c.__name__):
        hints = typing.get_type_hints(cls, include_extras=True)
        marked = marked_fields(cls, SAYS)
        for f in dataclasses.fields(cls):
            wording = hints[f.name] in (str, tuple[str, ...]) or (
                typing.get_origin(hints[f.name]) is typing.Annotated
                and typing.get_args(hints[f.name])[0] in (str, tuple[str, ...])
            )
            if f.name in sentences and wording and f.name not in marked:
                unmarked.append(f"{cls.__name__}.{f.name}")
    assert unmarked == []
    assert marked_fields(VIEWER_TYPES[netwerk.analysis.gaps.GapsResult], SAYS) == {"explanation"}
