"""Link-prediction indices (netwerk.suggest.linkpred) and the one neighbourhood gather
(netwerk.graph.ball), by hand on small graphs and against networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from netwerk.graph import ball, bfs_levels, snapshot_from_networkx
from netwerk.suggest.evidence import evidence_around, pair_evidence
from netwerk.suggest.linkpred import (
    LinkGraph,
    adamic_adar,
    common_neighbours,
    jaccard,
    resource_allocation,
    sample_non_edges,
)


def _adj(g: nx.Graph) -> sp.csr_matrix:
    return sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=sorted(g.nodes), weight=None))


def _kite() -> nx.Graph:
    """0 - 1, 0 - 2, 1 - 2, 1 - 3, 2 - 3, 3 - 4: a diamond with a tail."""
    return nx.Graph([(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 4)])


def test_hand_worked_kite() -> None:
    a = _adj(_kite())
    us, vs = [0, 0, 1], [3, 4, 4]
    # N(0) = {1, 2}, N(3) = {1, 2, 4}, N(4) = {3}, N(1) = {0, 2, 3}; deg 1 = deg 2 = 3
    assert common_neighbours(a, us, vs).tolist() == [2.0, 0.0, 1.0]
    assert jaccard(a, us, vs).tolist() == pytest.approx([2 / 3, 0.0, 1 / 3])
    assert resource_allocation(a, us, vs).tolist() == pytest.approx([2 / 3, 0.0, 1 / 3])
    assert adamic_adar(a, us, vs).tolist() == pytest.approx([2 / math.log(3), 0.0, 1 / math.log(3)])


def test_hand_worked_weighted_forms() -> None:
    # path 0 - 1 - 2 with weights 2 and 4: s_1 = 6
    w = sp.csr_matrix(np.array([[0, 2, 0], [2, 0, 4], [0, 4, 0]], dtype=float))
    assert resource_allocation(w, [0], [2], weighted=True)[0] == pytest.approx(2 * 4 / 6)
    assert adamic_adar(w, [0], [2], weighted=True)[0] == pytest.approx(3 / math.log(7))


@pytest.mark.parametrize(
    "g",
    [nx.karate_club_graph(), nx.florentine_families_graph(), nx.gnp_random_graph(30, 0.15, seed=3)],
    ids=["karate", "florentine", "gnp"],
)
def test_indices_match_networkx(g: nx.Graph) -> None:
    g = nx.convert_node_labels_to_integers(g, ordering="sorted")
    a = _adj(g)
    pairs = list(nx.non_edges(g))[:200]
    us = [u for u, _ in pairs]
    vs = [v for _, v in pairs]
    cn = [len(list(nx.common_neighbors(g, u, v))) for u, v in pairs]
    assert common_neighbours(a, us, vs).tolist() == cn
    for ours, theirs in (
        (jaccard, nx.jaccard_coefficient),
        (adamic_adar, nx.adamic_adar_index),
        (resource_allocation, nx.resource_allocation_index),
    ):
        want = [p for _, _, p in theirs(g, pairs)]
        assert ours(a, us, vs) == pytest.approx(want)


def test_pair_evidence_by_hand_and_local_equals_global() -> None:
    g = _kite()
    lg = LinkGraph.build(5, np.array(list(g.edges)), None)
    us, vs = np.array([0, 0]), np.array([3, 4])
    ev = pair_evidence(lg, us, vs, alpha=0.85, steps=4, exact_distance=True, horizon=32)
    assert ev.cn.tolist() == [2.0, 0.0]
    # 3-paths 0 -> 3: 0-1-2-3 and 0-2-1-3; 0 -> 4: none of length 3 ... 0-1-3-4, 0-2-3-4
    assert ev.l3.tolist() == [2.0, 2.0]
    assert ev.dist.tolist() == [2.0, 3.0]
    assert ev.dmin.tolist() == [2.0, 1.0] and ev.dmax.tolist() == [3.0, 2.0]
    # the evidence on the ball around 0 equals the evidence on the whole graph
    vertices, hops = ball(lg.a, [0], 3)
    local, pos = evidence_around(lg, vertices, hops, hops >= 2, alpha=0.85, steps=4)
    assert vertices[pos].tolist() == [3, 4]
    for name in ("cn", "jaccard", "aa", "ra", "l3", "rpr", "dist", "dmin", "dmax"):
        assert getattr(local, name) == pytest.approx(getattr(ev, name)), name


def test_non_edges_sampled_are_non_edges() -> None:
    g = nx.karate_club_graph()
    n = g.number_of_nodes()
    keys = np.sort([min(u, v) * n + max(u, v) for u, v in g.edges])
    got = sample_non_edges(n, keys, 50, np.random.default_rng(0))
    assert got.shape == (50, 2)
    assert all(not g.has_edge(int(u), int(v)) and u < v for u, v in got)
    assert len({(int(u), int(v)) for u, v in got}) == 50


# --------------------------------------------------------------------------- ball


def test_ball_by_hand() -> None:
    g = _kite()
    a = _adj(g)
    vertices, hops = ball(a, [4], 2)
    assert vertices.tolist() == [4, 3, 1, 2]
    assert hops.tolist() == [0, 1, 2, 2]
    # two sources, one blocked vertex: 3 is neither entered nor left
    blocked = np.zeros(5, dtype=bool)
    blocked[3] = True
    vertices, hops = ball(a, [4, 0], 5, blocked=blocked)
    assert vertices.tolist() == [0, 4, 1, 2]
    assert hops.tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("radius", [0, 1, 2, 3])
def test_ball_matches_networkx(seed: int, radius: int) -> None:
    g = nx.gnp_random_graph(60, 0.05, seed=seed)  # several components
    s = snapshot_from_networkx(g, network_id=f"ball-{seed}")
    for u in (0, 7, 33):
        vertices, hops = ball(s.adjacency, [u], radius)
        ego = nx.ego_graph(g, u, radius=radius)
        lengths = nx.single_source_shortest_path_length(g, u, cutoff=radius)
        assert sorted(vertices.tolist()) == sorted(ego.nodes)
        assert dict(zip(vertices.tolist(), hops.tolist(), strict=True)) == lengths
        assert vertices[0] == u
        # within a hop ascending, hops non-decreasing
        assert (np.diff(hops) >= 0).all()
        for h in range(radius + 1):
            level = vertices[hops == h]
            assert (np.diff(level) > 0).all()
        dist = bfs_levels(s, [u], radius)
        assert np.flatnonzero(dist >= 0).tolist() == sorted(vertices.tolist())
        assert (dist[vertices] == hops).all()


def test_ball_on_scipy_and_adjacency_agree() -> None:
    g = nx.karate_club_graph()
    s = snapshot_from_networkx(g, network_id="ball-karate")
    for u in range(0, 34, 5):
        x = ball(s.adjacency, [u], 3)
        y = ball(_adj(g), [u], 3)
        assert x[0].tolist() == y[0].tolist() and x[1].tolist() == y[1].tolist()
