"""Every gap kind, the what-if, key figures, communities, bridges, summary and stage on a
small neighbourhood built by hand, where the right answers are obvious (see the map)."""

from __future__ import annotations

import json
from dataclasses import asdict

import networkx as nx
import pytest

from netwerk.analysis.bridges import bridges
from netwerk.analysis.communities import communities, partition
from netwerk.analysis.gaps import GAP_KINDS, gaps
from netwerk.analysis.key_figures import key_figures
from netwerk.analysis.resilience import what_if
from netwerk.analysis.stage import stage
from netwerk.analysis.summary import summary
from netwerk.errors import NotFound, ValidationFailed
from netwerk.graph import snapshot_from_networkx

# The map of "Testwijk" (tie strength 3 unless said otherwise):
#
#   Merelstraat (group A)        r1 - r2 - r3 - r1 (a triangle), all three know kf1
#                                kf1 (key figure) - init1 (taalcafé, taal), kf1 - init2
#                                (language buddies, taal; only tied to kf1), kf1 - prof1 (4)
#                                init1 - prof1 (partners), prof1 works for org1,
#                                prof1 - r12, prof1 - r13 (clients), r12 - r14 (friends)
#   housing corporation          org2 - prof2 (huismeester), prof2 - prof1: no resident
#   Vinkstraat (group B)         r4, r5, r6, r7 all know each other; r4 - r3 is the only tie
#                                to group A; r5, r6, r7 speak only Arabic, r4 Arabic and Dutch
#   Lijsterstraat (group C)      r8 - r9 - r10 - r8, no tie to anyone else
#   alone                        r11 (no ties)
#
#   needs: r1 taal (init1 2 steps away), r4 taal (3 steps), r6 taal (4 steps), r5 geldzaken
#   (nobody offers it)
NODES = {
    "r1": dict(kind="resident", area="Merelstraat", needs={"taal"}),
    "r2": dict(kind="resident", area="Merelstraat"),
    "r3": dict(kind="resident", area="Merelstraat"),
    "kf1": dict(kind="key_figure", area="Merelstraat"),
    "init1": dict(kind="initiative", area="Merelstraat", assets={"taal", "ontmoeting"}),
    "init2": dict(kind="initiative", area="Merelstraat", assets={"taal"}),
    "prof1": dict(kind="professional", area="Merelstraat"),
    "org1": dict(kind="organisation"),
    "prof2": dict(kind="professional"),
    "org2": dict(kind="organisation", assets={"wonen"}),
    "r12": dict(kind="resident", area="Merelstraat"),
    "r13": dict(kind="resident", area="Merelstraat"),
    "r14": dict(kind="resident", area="Merelstraat"),
    "r4": dict(kind="resident", area="Vinkstraat", languages={"ar", "nl"}, needs={"taal"}),
    "r5": dict(kind="resident", area="Vinkstraat", languages={"ar"}, needs={"geldzaken"}),
    "r6": dict(kind="resident", area="Vinkstraat", languages={"ar"}, needs={"taal"}),
    "r7": dict(kind="resident", area="Vinkstraat", languages={"ar"}),
    "r8": dict(kind="resident", area="Lijsterstraat"),
    "r9": dict(kind="resident", area="Lijsterstraat"),
    "r10": dict(kind="resident", area="Lijsterstraat"),
    "r11": dict(kind="resident", area="Merelstraat"),
}
EDGES = [
    ("r1", "r2", {}), ("r2", "r3", {}), ("r1", "r3", {}),
    ("kf1", "r1", {}), ("kf1", "r2", {}), ("kf1", "r3", {}),
    ("kf1", "init1", {}), ("kf1", "init2", {"weight": 2}), ("kf1", "prof1", {"weight": 4}),
    ("init1", "prof1", {"kind": "partners_with"}), ("prof1", "org1", {"kind": "works_for"}),
    ("prof1", "r12", {}), ("prof1", "r13", {}), ("r12", "r14", {"kind": "friend"}),
    ("org2", "prof2", {"kind": "works_for"}), ("prof2", "prof1", {}),
    ("r4", "r5", {}), ("r4", "r6", {}), ("r4", "r7", {}), ("r5", "r6", {}), ("r5", "r7", {}),
    ("r6", "r7", {}), ("r4", "r3", {}),
    ("r8", "r9", {}), ("r9", "r10", {}), ("r8", "r10", {}),
]  # fmt: skip
GROUP_A = {"r1", "r2", "r3", "kf1"}
GROUP_B = {"r4", "r5", "r6", "r7"}
GROUP_C = {"r8", "r9", "r10"}


def build() -> nx.Graph:
    G = nx.Graph()
    for v, attrs in NODES.items():
        G.add_node(v, **attrs)
    for a, b, attrs in EDGES:
        G.add_edge(a, b, weight=attrs.get("weight", 3), kind=attrs.get("kind", "knows"))
    return G


@pytest.fixture(scope="module")
def s():
    return snapshot_from_networkx(build(), network_id="testwijk", revision=7)


def ids(refs) -> set[str]:
    return {r.actor_id for r in refs}


def community_of(s, part, actor: str) -> int:
    return int(part.membership[s.index[actor]])


def test_the_partition_sees_the_streets(s):
    part = partition(s, seed=0)
    assert len({community_of(s, part, a) for a in GROUP_B}) == 1
    assert len({community_of(s, part, a) for a in GROUP_C}) == 1
    b, c = community_of(s, part, "r4"), community_of(s, part, "r8")
    assert community_of(s, part, "r3") != b and b != c
    assert part.sizes[b] == 4 and part.sizes[c] == 3


# --------------------------------------------------------------------------- gaps


def by_kind(result, kind, code=None):
    return [g for g in result.gaps if g.kind == kind and (code is None or g.code == code)]


def test_isolated_persons(s):
    r = gaps(s)
    none = by_kind(r, "isolated_person", "no_ties")
    only = by_kind(r, "isolated_person", "only_professional_ties")
    assert [ids(g.actors) for g in none] == [{"r11"}]
    assert [ids(g.actors) for g in only] == [{"r13"}]  # r12 has a friend, r14
    assert none[0].explanation == "Deze bewoner heeft geen enkele actieve band in het netwerk."
    en = gaps(s, lang="en")
    assert by_kind(en, "isolated_person", "no_ties")[0].explanation == (
        "This resident has no active tie in the network."
    )


def test_communities_without_help(s):
    r = gaps(s)
    found = [ids(g.actors) for g in by_kind(r, "community_without_help")]
    assert sorted(found, key=sorted) == sorted([GROUP_B, GROUP_C], key=sorted)
    g = by_kind(r, "community_without_help")[0]
    assert (
        "geen band met een professional, organisatie, initiatief of sleutelfiguur" in g.explanation
    )


def test_community_pairs(s):
    part = partition(s, seed=0)
    a, b, c = (community_of(s, part, x) for x in ("r3", "r4", "r8"))
    r = gaps(s)
    single = by_kind(r, "community_pair", "single_tie")
    pairs = {g.communities: ids(g.actors) for g in single}
    assert pairs[tuple(sorted((a, b)))] == {"r3", "r4"}
    none = {g.communities for g in by_kind(r, "community_pair", "no_tie")}
    assert tuple(sorted((b, c))) in none and tuple(sorted((a, c))) in none
    assert "maar door één band verbonden" in single[0].explanation


def test_unmet_needs_depend_on_reach(s):
    two = {(next(iter(ids(g.actors))), g.themes) for g in by_kind(gaps(s), "unmet_need")}
    assert two == {("r4", ("taal",)), ("r6", ("taal",)), ("r5", ("geldzaken",))}
    three = {(next(iter(ids(g.actors))), g.themes) for g in by_kind(gaps(s, reach=3), "unmet_need")}
    assert three == {("r6", ("taal",)), ("r5", ("geldzaken",))}
    g = next(g for g in by_kind(gaps(s), "unmet_need") if g.themes == ("geldzaken",))
    assert g.explanation == "Vraagt hulp bij geldzaken, maar niemand in het netwerk biedt dat aan."
    g = next(g for g in by_kind(gaps(s), "unmet_need") if ids(g.actors) == {"r4"})
    assert g.explanation == "Vraagt hulp bij taal, maar niemand binnen twee stappen biedt dat aan."
    g = next(g for g in by_kind(gaps(s, lang="en"), "unmet_need") if ids(g.actors) == {"r4"})
    assert g.explanation == "Asks for help with language, but nobody within two steps offers it."
    with pytest.raises(ValidationFailed):
        gaps(s, reach=4)


def test_organisations_without_faces(s):
    found = by_kind(gaps(s), "organisation_without_faces")
    assert [ids(g.actors) for g in found] == [{"org2"}]  # org1 has faces through prof1
    assert found[0].themes == ("wonen",)


def test_initiatives_unaware_of_each_other(s):
    found = by_kind(gaps(s), "initiatives_unaware")
    assert [ids(g.actors) for g in found] == [{"init1", "init2"}]
    assert found[0].themes == ("taal",) and found[0].area == "Merelstraat"
    assert found[0].explanation == (  # kf1 can introduce them
        "Twee initiatieven werken allebei aan taal in Merelstraat, maar kennen elkaar niet; "
        "1 gezamenlijk contact kan hen aan elkaar voorstellen."
    )


def test_gap_counts_limit_and_kinds(s):
    r = gaps(s)
    assert set(r.counts) == set(GAP_KINDS) and r.total == len(r.gaps)
    assert r.counts["isolated_person"] == 2 and r.counts["unmet_need"] == 3
    limited = gaps(s, limit=1, kinds=("isolated_person", "unmet_need"))
    assert limited.counts == {"isolated_person": 2, "unmet_need": 3}
    assert len(limited.gaps) == 2
    assert r.provenance.revision == 7 and r.provenance.parameters["reach"] == 2
    with pytest.raises(ValidationFailed):
        gaps(s, kinds=("potholes",))


# --------------------------------------------------------------------------- what if


def test_what_if_the_key_figure_leaves(s):
    r = what_if(s, "kf1")
    # kf1 is help itself (netwerk.model.HELP_KINDS): r1-r3 know him, r4 reaches him in two
    # steps and r5-r7 in three through r3, and none of them reaches other help within three
    lost = (GROUP_A - {"kf1"}) | GROUP_B
    assert ids(r.lose_help) == lost and r.lose_help_count == 7
    # the component falls into {r1..r7}, {init2} and the rest (8 actors, the largest)
    assert sorted((p.size, frozenset(ids(p.members))) for p in r.split_off) == [
        (1, frozenset({"init2"})),
        (7, frozenset(GROUP_A - {"kf1"} | GROUP_B)),
    ]
    assert (r.components_before, r.components_after) == (3, 5)
    # kf1's group loses init2 (tied only to kf1); the rest of it stays together
    assert r.community_parts_after > r.community_parts_before
    assert not r.community_falls_apart and r.community_cut_off == 1
    # handover: prof1 is help itself and kf1's strongest tie
    hand = {h.dependent.actor_id: h for h in r.handover}
    assert set(hand) == lost
    assert {h.candidate.actor_id for h in hand.values()} == {"prof1"}
    assert hand["r4"].via is not None and hand["r4"].via.actor_id == "r3"
    assert hand["r1"].via is None
    assert set(hand["r1"].reasons) >= {"is_help", "strong_tie_to_leaver", "same_area"}
    assert r.summary == (
        "Als deze sleutelfiguur wegvalt, verliezen 7 bewoners hun enige weg naar hulp binnen "
        "drie stappen. 1 initiatief en een groep van 7 actoren raken los van de rest van het "
        f"netwerk. De rest van de eigen groep (groep {r.community}) blijft bij elkaar."
    )
    assert hand["r1"].explanation == (
        "Overdracht: deze sleutelfiguur stelt de bewoner die hulp verliest voor aan een "
        "professional uit de eigen kring, die zelf hulp biedt."
    )
    assert hand["r4"].explanation.startswith(
        "Overdracht: deze sleutelfiguur stelt het contact van de bewoner die hulp verliest voor"
    )
    assert r.actor.actor_id == "kf1" and r.actor.kind == "key_figure"


def test_what_if_a_resident_without_dependents(s):
    r = what_if(s, "r14", lang="en")
    assert r.lose_help == () and r.split_off == () and r.handover == ()
    assert r.components_after == r.components_before
    assert r.summary == (
        "If this resident leaves, everyone keeps a path to help within three steps. The rest "
        f"of the network stays connected. Their own group (group {r.community}) stays together."
    )
    with pytest.raises(NotFound):
        what_if(s, "nobody")


# --------------------------------------------------------------------------- key figures


def test_key_figures(s):
    r = key_figures(s)
    assert [f.actor_id for f in r.recognised] == ["kf1"]
    kf1 = r.recognised[0]
    # kf1 is the only one from outside tied into the professionals' side: confirmed
    assert kf1.recognised and kf1.confirmed
    assert "sole_gateway" in {x.code for x in kf1.reasons}
    assert kf1.betweenness == 71.0  # second to prof1 (73): below the 95th percentile
    found = {f.actor_id: {x.code for x in f.reasons} for f in r.unrecognised}
    # r3 is the only one from outside with a tie into the Vinkstraat group; r4 the only
    # link to the three residents who speak Arabic and no Dutch
    assert "sole_gateway" in found["r3"]
    assert "sole_language_gateway" in found["r4"]
    assert all(not f.recognised and f.score >= 3 for f in r.unrecognised)
    r4 = next(f for f in r.unrecognised if f.actor_id == "r4")
    sentence = next(x.sentence for x in r4.reasons if x.code == "sole_language_gateway")
    assert sentence == (
        "Is de enige verbinding met de 3 mensen die Arabisch en geen Nederlands spreken."
    )
    assert r.betweenness_exact and r.provenance.parameters["min_score"] == 3


# The youth group joins "Testwijk" through one resident (y1, who knows r1 and r2): y1..y10 know each
# other in a ring with chords, and eight newcomers (n1..n8, a clique) know only y5. Everyone
# in this group of 18 reaches the rest of the neighbourhood through y1 alone. Six neighbours
# of r1 and r2 (w1..w6, a clique, each tied to both) make the rest the larger part.
YOUTH = [f"y{i}" for i in range(1, 11)]
NEWCOMERS = [f"n{i}" for i in range(1, 9)]
NEIGHBOURS = [f"w{i}" for i in range(1, 7)]


def build_with_youth() -> nx.Graph:
    G = build()
    for i, a in enumerate(NEIGHBOURS):
        G.add_node(a, kind="resident", area="Merelstraat")
        for b in [*NEIGHBOURS[i + 1 :], "r1", "r2"]:
            G.add_edge(a, b, weight=3, kind="knows")
    for v in YOUTH:
        G.add_node(v, kind="resident", area="Spreeuwplein")
    for v in NEWCOMERS:
        G.add_node(v, kind="resident", area="Spreeuwplein", languages={"ti"})
    ring = [*zip(YOUTH, YOUTH[1:] + YOUTH[:1], strict=True), *zip(YOUTH, YOUTH[2:], strict=False)]
    for a, b in ring:
        G.add_edge(a, b, weight=3, kind="friend")
    for i, a in enumerate(NEWCOMERS):
        for b in NEWCOMERS[i + 1 :]:
            G.add_edge(a, b, weight=3, kind="knows")
        G.add_edge(a, "y5", weight=2, kind="knows")
    for b in ("r1", "r2"):
        G.add_edge("y1", b, weight=2, kind="knows")
    return G


def test_the_only_way_out_of_a_group_is_a_key_figure():
    """y1 has the highest betweenness of all and is the only link between 18 people and the
    rest: a unique reach from inside the group (issue 9)."""
    s2 = snapshot_from_networkx(build_with_youth(), network_id="testwijk", revision=8)
    r = key_figures(s2)
    btw = nx.betweenness_centrality(build_with_youth(), normalized=False)
    assert max(btw, key=btw.get) == "y1"
    found = {f.actor_id: f for f in r.unrecognised}
    assert "y1" in found, sorted(found)
    codes = {x.code for x in found["y1"].reasons}
    assert "cuts_off_group" in codes
    cut = next(x.sentence for x in found["y1"].reasons if x.code == "cuts_off_group")
    assert cut == "Als deze persoon wegvalt, raken 17 personen los van de rest van het netwerk."
    # y5 is the newcomers' only way to anyone else: 8 persons cut off, and the only member
    # of their community (y5 and the newcomers) with a tie outside it
    part = partition(s2, seed=0)
    assert {community_of(s2, part, v) for v in [*NEWCOMERS, "y5"]} == {community_of(s2, part, "n1")}
    y5 = {x.code: x.sentence for x in found["y5"].reasons}
    assert {"cuts_off_group", "sole_exit"} <= set(y5)
    assert y5["sole_exit"].startswith("Is voor de 8 anderen in groep ")
    # the figures stay sorted by score, then betweenness: y1 ranks above the residents it
    # used to be listed below
    assert found["y1"].score >= 3 and found["y1"].betweenness == pytest.approx(btw["y1"])


# --------------------------------------------------------------------------- the rest


def test_communities_and_density(s):
    G = build()
    part = partition(s, seed=0)
    groups = [{s.ids[v] for v in range(s.n) if part.membership[v] == c} for c in range(part.count)]
    assert part.modularity == pytest.approx(
        nx.community.modularity(G, groups, weight="weight"), rel=1e-9
    )
    r = communities(s, include_members=True)
    assert r.singletons == 1 and r.count == part.count - 1
    b = next(c for c in r.communities if ids(c.members) == GROUP_B)
    assert b.internal_ties == 6 and b.density == 1.0 and b.ties_out == 1
    assert b.main_area == "Vinkstraat" and b.kinds == {"resident": 4}
    link = next(x for x in r.links if b.community in (x.a, x.b) and x.ties == 1)
    a_size = part.sizes[community_of(s, part, "r3")]
    assert link.density == pytest.approx(1 / (4 * a_size))
    i = r.matrix.communities.index(b.community)
    assert r.matrix.density[i][i] == 1.0 and r.matrix.ties[i][i] == 6


def test_bridges(s):
    G = build()
    r = bridges(s, include_pendant=True)
    cut = {frozenset((t.source_id, t.target_id)) for t in r.cut_edges}
    assert cut == {frozenset(e) for e in nx.bridges(G)}
    r3r4 = next(t for t in r.cut_edges if {t.source_id, t.target_id} == {"r3", "r4"})
    assert r3r4.splits_off == 4 and r3r4.only_link and r3r4.person_pair
    assert r.pendant_cut_edge_count == sum(1 for t in r.cut_edges if t.splits_off == 1)
    assert {frozenset((t.source_id, t.target_id)) for t in r.only_links} >= {
        frozenset(("r3", "r4"))
    }
    default = bridges(s)
    assert all(t.splits_off and t.splits_off > 1 for t in default.cut_edges)


def test_summary_against_networkx(s):
    G = build()
    r = summary(s)
    assert r.actors == 21 and r.connected_pairs == G.number_of_edges() == r.ties
    assert r.actors_by_kind["resident"] == 14 and r.persons == 17
    assert r.density == pytest.approx(nx.density(G))
    assert r.clustering == pytest.approx(nx.transitivity(G))
    assert r.mean_local_clustering == pytest.approx(nx.average_clustering(G))
    assert r.components == nx.number_connected_components(G) == 3
    assert r.isolates == 1 and r.largest_component == 17
    pairs = [
        d
        for comp in nx.connected_components(G)
        for _, dist in nx.all_pairs_shortest_path_length(G.subgraph(comp))
        for d in dist.values()
        if d > 0
    ]
    assert r.path_length == pytest.approx(sum(pairs) / len(pairs))
    assert r.ties_by_kind["works_for"] == 2 and r.ties_by_kind["knows"] == 22


def test_stage():
    # scattered: three triangles and two isolates
    G = nx.disjoint_union_all([nx.complete_graph(3)] * 3)
    G.add_nodes_from([100, 101])
    assert stage(snapshot_from_networkx(G)).stage.code == "scattered_fragments"
    # hub and spoke: one weaver holds twenty residents
    star = snapshot_from_networkx(nx.star_graph(20))
    st = stage(star, lang="en").stage
    assert st.code == "hub_and_spoke" and st.number == 2
    assert st.figures.degree_centralisation == pytest.approx(1.0) and st.figures.hubs == 1
    assert st.label == "single hub and spoke"
    # small world: a ring of cliques with a few shortcuts, no dense core
    ws = snapshot_from_networkx(nx.connected_watts_strogatz_graph(300, 8, 0.05, seed=1))
    st = stage(ws).stage
    assert st.code == "multi_hub_small_world" and st.figures.small_world_sigma > 1
    # core/periphery: a dense core of 15 weavers, 200 people each tied to one or two of them
    cp = nx.complete_graph(15)
    for i in range(15, 215):
        cp.add_edge(i, i % 15)
        if i % 2:
            cp.add_edge(i, (i + 7) % 15)
    st = stage(snapshot_from_networkx(cp)).stage
    assert st.code == "core_periphery", st.figures
    assert st.figures.core_size == 15 and st.figures.periphery_tied_to_core == 1.0
    assert st.label == "een hechte kern met een rand eromheen"
    # the share in Dutch number format (15 of 215 = 6,98%), the measure itself not named
    assert st.reasons[0] == (
        "Een hechte kern van 15 actoren (7% van het grootste deel) die elkaar goed kennen; "
        "100% van de rest heeft een directe band met die kern."
    )


def test_stage_sentences_say_it_plainly_with_dutch_numbers():
    # the largest part holds 3 of the 9 actors: 33,3% (decimal comma), "4 losse delen"
    parts = [nx.path_graph(3), nx.path_graph(3), nx.path_graph(2), nx.path_graph(1)]
    G = nx.disjoint_union_all(parts)
    st = stage(snapshot_from_networkx(G)).stage
    assert st.code == "scattered_fragments" and st.label == "losse eilandjes"
    assert st.reasons[0] == (
        "Het grootste samenhangende deel omvat maar 33,3% van de actoren (4 losse delen)."
    )
    en = stage(snapshot_from_networkx(G), lang="en").stage
    assert en.reasons[0] == (
        "The largest connected part holds only 33.3% of the actors (4 separate parts)."
    )
    star = stage(snapshot_from_networkx(nx.star_graph(20))).stage
    assert star.label == "één spin in het web"
    assert star.reasons[0] == (
        "De banden lopen vooral via één spil, een actor met veel meer contacten dan de rest "
        "(centralisatie 100%)."
    )
    ws = snapshot_from_networkx(nx.connected_watts_strogatz_graph(300, 8, 0.05, seed=1))
    reasons = stage(ws).stage.reasons
    assert reasons[-1] == "Mensen zitten in hechte groepjes, met korte lijnen tussen die groepjes."
    assert not any("sigma" in r or "hub" in r for r in reasons)


# --------------------------------------------------------------------------- what splits


def _leaver_graph(extra: list[tuple[str, str]]) -> nx.Graph:
    """Key figure K with a triangle a-b-c (a knows professional P) and ``extra`` ties."""
    G = nx.Graph()
    G.add_node("K", kind="key_figure", area="Merelstraat")
    G.add_node("P", kind="professional", area="Merelstraat")
    for a, b in [("a", "b"), ("b", "c"), ("a", "c"), ("K", "a"), ("K", "b"), ("a", "P"), *extra]:
        for v in (a, b):
            if v not in G:
                G.add_node(v, kind="resident", area="Merelstraat")
        G.add_edge(a, b, weight=3, kind="knows")
    return G


def _one_community(s):
    import numpy as np

    from netwerk.analysis.communities import Partition

    n = s.n
    return Partition(np.zeros(n, dtype=np.int64), np.array([n]), 0.0, 0, 1.0)


def test_what_if_three_single_residents_split_off_is_no_falling_apart():
    """Issue 9: parts 1 -> 4 because three residents hang on K alone; the group itself stays
    together, so the sentence says who splits off and never 'valt groep ... uiteen'."""
    s = snapshot_from_networkx(_leaver_graph([("K", "s1"), ("K", "s2"), ("K", "s3")]))
    r = what_if(s, "K", communities=_one_community(s))
    assert (r.community_parts_before, r.community_parts_after) == (1, 4)
    assert not r.community_falls_apart and r.community_cut_off == 3
    assert sorted(p.size for p in r.split_off) == [1, 1, 1]
    assert r.summary == (
        "Als deze sleutelfiguur wegvalt, verliezen 3 bewoners hun enige weg naar hulp binnen "
        "drie stappen. 3 bewoners raken los van de rest van het netwerk. De rest van de eigen "
        "groep (groep 0) blijft bij elkaar."
    )
    assert "uiteen" not in r.summary
    en = what_if(s, "K", communities=_one_community(s), lang="en")
    assert "3 residents are cut off from the rest of the network." in en.summary
    assert "falls apart" not in en.summary
    # one resident: singular all the way
    one = snapshot_from_networkx(_leaver_graph([("K", "s1")]))
    r1 = what_if(one, "K", communities=_one_community(one))
    assert r1.summary.startswith(
        "Als deze sleutelfiguur wegvalt, verliest 1 bewoner de enige weg naar hulp binnen "
        "drie stappen. 1 bewoner raakt los van de rest van het netwerk."
    )


def test_what_if_a_group_that_really_falls_apart():
    """K is the only link between the triangle a-b-c and the triangle d-e-f (with its own
    professional Q): both halves keep help, the group falls apart into two parts."""
    G = _leaver_graph([("K", "d"), ("d", "e"), ("e", "f"), ("d", "f")])
    G.add_node("Q", kind="professional", area="Merelstraat")
    G.add_edge("Q", "d", weight=3, kind="knows")
    s = snapshot_from_networkx(G)
    r = what_if(s, "K", communities=_one_community(s))
    assert r.community_falls_apart and r.community_parts_after == 2
    assert r.summary == (
        "Als deze sleutelfiguur wegvalt, houdt iedereen binnen drie stappen een weg naar hulp. "
        "Een groep van 4 actoren raakt los van de rest van het netwerk. De eigen groep "
        "(groep 0) valt uiteen in 2 delen."
    )


def test_what_if_a_member_loses_the_group_but_not_the_network():
    """s1 hangs on K inside the group but also knows x, outside it: s1 loses the group,
    not the network."""
    G = _leaver_graph([("K", "s1"), ("s1", "x"), ("x", "P")])
    s = snapshot_from_networkx(G)
    import numpy as np

    from netwerk.analysis.communities import Partition

    memb = np.array([1 if s.ids[v] == "x" else 0 for v in range(s.n)], dtype=np.int64)
    part = Partition(memb, np.bincount(memb), 0.0, 0, 1.0)
    r = what_if(s, "K", communities=part)
    assert r.split_off == () and r.community_cut_off == 1 and not r.community_falls_apart
    assert r.summary.endswith(
        "De rest van het netwerk blijft verbonden. 1 lid van de eigen groep (groep 0) heeft "
        "daarna geen band meer met die groep; de rest blijft bij elkaar."
    )


# --------------------------------------------------------------------------- sentences


def test_communities_and_brokers_speak_dutch(s):
    r = communities(s)
    b = next(c for c in r.communities if c.main_area == "Vinkstraat")
    assert b.sentence == (
        f"Groep {b.community} (4 actoren): 4 bewoners, vooral uit Vinkstraat; talen: Arabisch "
        "en Nederlands. 6 banden binnen de groep en 1 band met andere groepen."
    )
    c = next(c for c in r.communities if c.main_area == "Lijsterstraat")
    assert c.sentence.endswith("deze groep staat los van de rest.")
    assert r.summary == (
        "Het netwerk heeft 4 groepen van twee of meer actoren die elkaar vooral onderling "
        "kennen; 1 actor staat helemaal alleen."
    )
    en = communities(s, lang="en")
    assert "4 residents, mainly from Vinkstraat; languages: Arabic and Dutch" in (
        next(c for c in en.communities if c.main_area == "Vinkstraat").sentence
    )
    from netwerk.analysis.brokers import brokers

    br = brokers(s)
    kf1 = next(a for a in br.articulation_points if a.actor_id == "kf1")
    assert kf1.sentence == (
        "Als deze sleutelfiguur wegvalt, raken 8 actoren los van de rest van het netwerk."
    )
    prof1 = next(h for h in br.structural_holes if h.actor_id == "prof1")
    assert prof1.sentence == (
        "Deze professional heeft 6 contacten die elkaar vrijwel niet kennen: verbindt kringen "
        "die elkaar anders niet treffen."
    )
    assert br.brokerage.role_labels == {
        "coordinator": "coördinator",
        "itinerant": "bemiddelaar",
        "representative": "vertegenwoordiger",
        "gatekeeper": "poortwachter",
        "liaison": "verbinder",
    }
    for e in br.brokerage.entries:
        counts = {r: getattr(e, r) for r in br.brokerage.role_labels}
        assert counts[e.role] == max(counts.values())
        assert e.role_label == br.brokerage.role_labels[e.role]
        assert f"is vooral {e.role_label}:" in e.sentence
        assert f"{counts[e.role]} keer" in e.sentence
    kf = next(e for e in br.brokerage.entries if e.actor_id == "kf1")
    assert kf.role == "representative" and kf.sentence == (
        "Deze sleutelfiguur is vooral vertegenwoordiger: brengt 8 keer iemand uit de eigen "
        "groep in contact met buiten."
    )


def test_results_are_plain_json(s):
    for result in (
        gaps(s),
        what_if(s, "kf1"),
        key_figures(s),
        communities(s),
        bridges(s),
        summary(s),
        stage(s),
    ):
        text = json.dumps(asdict(result))
        assert "NaN" not in text and "Infinity" not in text
