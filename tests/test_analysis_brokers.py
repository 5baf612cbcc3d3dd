"""Brokers: articulation points, Burt's structural holes against networkx, and the
Gould–Fernandez roles on small hand-worked examples."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from netwerk.analysis.brokers import (
    BlockCutTree,
    brokerage,
    brokers,
    hierarchy,
    structural_holes,
)
from netwerk.errors import ValidationFailed
from netwerk.graph import snapshot_from_networkx

GRAPHS = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "davis": nx.davis_southern_women_graph,
    "lesmis": nx.les_miserables_graph,
}


@pytest.fixture(params=sorted(GRAPHS))
def graph(request: pytest.FixtureRequest):
    G = GRAPHS[request.param]()
    return G, snapshot_from_networkx(G)


def values(G, d):
    return np.array([d[v] for v in G.nodes()], dtype=float)


def test_constraint_effective_size_efficiency_binary(graph):
    G, s = graph
    hs = structural_holes(s)
    assert hs.constraint == pytest.approx(values(G, nx.constraint(G)), rel=1e-6)
    eff = values(G, nx.effective_size(G))
    assert hs.effective_size == pytest.approx(eff, rel=1e-6)
    deg = values(G, dict(G.degree()))
    assert hs.efficiency == pytest.approx(eff / deg, rel=1e-6)


def test_constraint_effective_size_weighted(graph):
    G, s = graph
    hs = structural_holes(s, weighted=True)
    assert hs.constraint == pytest.approx(values(G, nx.constraint(G, weight="weight")), rel=1e-6)
    # networkx's whole-graph scipy path for weighted effective size divides each contact's
    # weights by the *other* end's maximum (a broadcasting slip); its per-node path is
    # Burt's formula m_jq = w_jq / max_k w_jk, which is what we compute. Compare with that.
    ref = nx.effective_size(G, nodes=list(G.nodes()), weight="weight")
    assert hs.effective_size == pytest.approx(values(G, ref), rel=1e-6)


def test_hierarchy_matches_burt_from_networkx_local_constraint(graph):
    G, s = graph
    for v in list(G.nodes())[:12]:
        contacts = list(G.neighbors(v))
        k = len(contacts)
        ours = hierarchy(s, s.index[str(v)])
        if k < 2:
            assert ours is None
            continue
        c = np.array([nx.local_constraint(G, v, j) for j in contacts])
        r = c / (c.sum() / k)
        expected = float(np.sum(r * np.log(r)) / (k * math.log(k)))
        assert ours == pytest.approx(expected, rel=1e-6, abs=1e-12)


def test_articulation_points_and_what_splits_off(graph):
    G, s = graph
    tree = BlockCutTree(s)
    assert {s.ids[v] for v in tree.aps} == {str(v) for v in nx.articulation_points(G)}
    for v in tree.aps:
        H = G.copy()
        node = list(G.nodes())[v]
        comp = nx.node_connected_component(G, node)
        H.remove_node(node)
        sizes = sorted(
            (len(c) for c in nx.connected_components(H.subgraph(comp - {node}))), reverse=True
        )
        assert sorted((size for _, size in tree.pieces(v)), reverse=True) == sizes


def test_articulation_points_report_the_pieces():
    # a hub with two tails: removing 'h' cuts off {a1, a2} and {b1}; the rest stays
    G = nx.Graph(
        [("h", "x"), ("h", "y"), ("x", "y"), ("h", "a1"), ("a1", "a2"), ("h", "b1"), ("y", "z")]
    )
    s = snapshot_from_networkx(G)
    r = brokers(s, grouping="area")
    first = r.articulation_points[0]
    assert first.actor_id == "h" and first.splits_off == 3
    assert [(p.size, sorted(m.actor_id for m in p.members)) for p in first.pieces] == [
        (2, ["a1", "a2"]),
        (1, ["b1"]),
    ]
    assert r.articulation_point_count == 3  # h, a1, y
    assert {a.actor_id for a in r.articulation_points} == {"h", "a1", "y"}


# --------------------------------------------------------------------------- Gould–Fernandez


def test_gould_fernandez_symmetric_hand_worked():
    """Broker B (group X) with contacts a1, a2 (X), c1, c2 (Y), d1 (Z); a1-a2 and c1-d1 are
    tied, so of the 5 * 4 = 20 ordered contact pairs, 4 are closed and 16 open:

    coordinator  (X,X,X): (a1,a2), (a2,a1)                  both closed  -> 0
    itinerant    (Y,X,Y): (c1,c2), (c2,c1)                               -> 2
    representative (X,X,other): a1|a2 -> c1|c2|d1           2 * 3        -> 6
    gatekeeper   (other,X,X): c1|c2|d1 -> a1|a2             3 * 2        -> 6
    liaison (Y,X,Z)/(Z,X,Y): (c1,d1),(d1,c1),(c2,d1),(d1,c2) minus 2 closed -> 2

    No other actor brokers an open pair (every other two-path is closed by a tie to B)."""
    G = nx.Graph()
    groups = {"B": "X", "a1": "X", "a2": "X", "c1": "Y", "c2": "Y", "d1": "Z"}
    for v, g in groups.items():
        G.add_node(v, area=g)
    G.add_edges_from([("B", x) for x in ("a1", "a2", "c1", "c2", "d1")])
    G.add_edges_from([("a1", "a2"), ("c1", "d1")])
    s = snapshot_from_networkx(G)
    r = brokerage(s, grouping="area")
    assert not r.directed
    assert [e.actor_id for e in r.entries] == ["B"]
    b = r.entries[0]
    assert (b.coordinator, b.itinerant, b.representative, b.gatekeeper, b.liaison) == (
        0,
        2,
        6,
        6,
        2,
    )
    assert b.total == 16 and b.group == "X"
    assert r.totals == {
        "coordinator": 0,
        "itinerant": 2,
        "representative": 6,
        "gatekeeper": 6,
        "liaison": 2,
    }


def test_gould_fernandez_directed_referrals_hand_worked():
    """Referrals (refers_to, directed) between professionals of three teams X, Y, Z:

    p1(X)->p2(X), p4(Y)->p2, p2->p3(Y), p2->p5(Z), p4->p3, p5->p6(Z), p6->p7(Z)

    broker p2: (p1,p3) X,X,Y representative; (p1,p5) X,X,Z representative;
               (p4,p3) closed by p4->p3;      (p4,p5) Y,X,Z liaison
    broker p5: (p2,p6) X,Z,Z gatekeeper
    broker p6: (p5,p7) Z,Z,Z coordinator
    """
    G = nx.DiGraph()
    teams = {"p1": "X", "p2": "X", "p3": "Y", "p4": "Y", "p5": "Z", "p6": "Z", "p7": "Z"}
    for v, g in teams.items():
        G.add_node(v, area=g, kind="professional")
    G.add_edges_from(
        [("p1", "p2"), ("p4", "p2"), ("p2", "p3"), ("p2", "p5"), ("p4", "p3"), ("p5", "p6"),
         ("p6", "p7")]
    )  # fmt: skip
    s = snapshot_from_networkx(G)
    assert len(s.referrals) == 7
    r = brokerage(s, grouping="area", directed=True)
    got = {
        e.actor_id: (e.coordinator, e.itinerant, e.representative, e.gatekeeper, e.liaison)
        for e in r.entries
    }
    assert got == {
        "p2": (0, 0, 2, 0, 1),
        "p5": (0, 0, 0, 1, 0),
        "p6": (1, 0, 0, 0, 0),
    }
    assert r.totals["representative"] == 2 and sum(r.totals.values()) == 5


def test_gould_fernandez_symmetric_matches_brute_force():
    G = nx.karate_club_graph()
    for v in G.nodes():
        G.nodes[v]["area"] = "ABC"[v % 3]
    s = snapshot_from_networkx(G)
    r = brokerage(s, grouping="area", top=100)
    got = {e.actor_id: e for e in r.entries}
    for b in G.nodes():
        counts = [0] * 5
        gb = G.nodes[b]["area"]
        for a in G.neighbors(b):
            for c in G.neighbors(b):
                if a == c or G.has_edge(a, c):
                    continue
                ga, gc = G.nodes[a]["area"], G.nodes[c]["area"]
                if ga == gb == gc:
                    counts[0] += 1
                elif ga == gc:
                    counts[1] += 1
                elif ga == gb:
                    counts[2] += 1
                elif gc == gb:
                    counts[3] += 1
                else:
                    counts[4] += 1
        e = got.get(str(b))
        ours = (
            [0] * 5
            if e is None
            else [e.coordinator, e.itinerant, e.representative, e.gatekeeper, e.liaison]
        )
        assert ours == counts, b


def test_brokers_result_shape_and_validation():
    G = nx.karate_club_graph()
    s = snapshot_from_networkx(G)
    r = brokers(s, top=5)
    assert len(r.structural_holes) == 5
    cons = [h.constraint for h in r.structural_holes]
    assert cons == sorted(cons)
    assert r.brokerage.grouping == "community" and r.referral_brokerage.directed
    assert r.provenance.seed == 0 and "Gould" in " ".join(r.provenance.references)
    with pytest.raises(ValidationFailed):
        brokers(s, grouping="religion")
