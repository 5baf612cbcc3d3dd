"""Tests for the feasibility score (netwerk.suggest.feasibility)."""

from __future__ import annotations

import itertools

import igraph as ig
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from netwerk.suggest.feasibility import (
    STRUCTURAL_CODES,
    FeasibilityModel,
    FittedFeasibility,
    PairFeatures,
)
from netwerk.suggest.linkpred import (
    adamic_adar,
    common_neighbours,
    jaccard,
    resource_allocation,
)


def _small_graphs() -> list[nx.Graph]:
    return [
        nx.karate_club_graph(),
        nx.florentine_families_graph(),
        nx.gnp_random_graph(40, 0.12, seed=7),
    ]


def _all_pairs(g: nx.Graph) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
    pairs = list(itertools.combinations(range(g.number_of_nodes()), 2))
    us = np.array([p[0] for p in pairs])
    vs = np.array([p[1] for p in pairs])
    return pairs, us, vs


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    diff = pos[:, None] - neg[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


def _planted(seed: int = 3) -> tuple[nx.Graph, np.ndarray]:
    g = nx.planted_partition_graph(4, 40, 0.3, 0.01, seed=seed)
    blocks = np.repeat(np.arange(4), 40)
    return g, blocks


def _to_igraph(g: nx.Graph, edges: list[tuple[int, int]] | None = None) -> ig.Graph:
    return ig.Graph(n=g.number_of_nodes(), edges=list(g.edges()) if edges is None else edges)


@pytest.fixture(scope="module")
def planted_fit() -> tuple[nx.Graph, FittedFeasibility]:
    g, _ = _planted()
    return g, FeasibilityModel().fit(_to_igraph(g), seed=0)


# --- baselines against networkx ------------------------------------------------------------


@pytest.mark.parametrize("graph", _small_graphs(), ids=["karate", "florentine", "gnp"])
def test_heuristics_match_networkx(graph: nx.Graph) -> None:
    g = nx.convert_node_labels_to_integers(graph)
    adj = nx.to_scipy_sparse_array(g, weight=None, nodelist=range(g.number_of_nodes()))
    pairs, us, vs = _all_pairs(g)
    cn_ref = [len(list(nx.common_neighbors(g, u, v))) for u, v in pairs]
    assert common_neighbours(adj, us, vs) == pytest.approx(cn_ref)
    assert jaccard(adj, us, vs) == pytest.approx([s for *_, s in nx.jaccard_coefficient(g, pairs)])
    assert adamic_adar(adj, us, vs) == pytest.approx(
        [s for *_, s in nx.adamic_adar_index(g, pairs)]
    )
    assert resource_allocation(adj, us, vs) == pytest.approx(
        [s for *_, s in nx.resource_allocation_index(g, pairs)]
    )


def test_heuristics_ignore_weights_unless_asked() -> None:
    g = nx.karate_club_graph()  # has edge attribute "weight"
    weighted = nx.to_scipy_sparse_array(g, weight="weight")
    plain = nx.to_scipy_sparse_array(g, weight=None)
    pairs, us, vs = _all_pairs(g)
    assert resource_allocation(weighted, us, vs) == pytest.approx(
        resource_allocation(plain, us, vs)
    )
    # weighted resource allocation (Lü & Zhou 2010): sum_z w_uz w_zv / s_z
    s = {z: sum(d["weight"] for *_, d in g.edges(z, data=True)) for z in g}
    ref = [
        sum(g[u][z]["weight"] * g[z][v]["weight"] / s[z] for z in nx.common_neighbors(g, u, v))
        for u, v in pairs
    ]
    assert resource_allocation(weighted, us, vs, weighted=True) == pytest.approx(ref)
    ref_aa = [
        sum(
            (g[u][z]["weight"] + g[z][v]["weight"]) / 2 / np.log1p(s[z])
            for z in nx.common_neighbors(g, u, v)
        )
        for u, v in pairs
    ]
    assert adamic_adar(weighted, us, vs, weighted=True) == pytest.approx(ref_aa)


def test_heuristics_validate_input() -> None:
    adj = sp.csr_matrix(np.ones((3, 3)))
    with pytest.raises(ValueError):
        common_neighbours(adj, [0, 1], [1])
    with pytest.raises(ValueError):
        jaccard(adj, [0], [3])


# --- fitted model ------------------------------------------------------------------------------


def test_explain_contributions_sum_to_score_minus_intercept(
    planted_fit: tuple[nx.Graph, FittedFeasibility],
) -> None:
    g, fit = planted_fit
    assert fit.learned
    rng = np.random.default_rng(1)
    for u, v in rng.integers(0, g.number_of_nodes(), size=(20, 2)):
        if u == v:
            continue
        reasons = fit.explain(int(u), int(v))
        assert [r.code for r in reasons] != []
        assert {r.code for r in reasons} == set(STRUCTURAL_CODES)
        total = sum(r.contribution for r in reasons)
        # score = intercept + sum of contributions (the intercept is not a reason)
        assert total == pytest.approx(fit.score_pairs([u], [v])[0] - fit.intercept)
        contribs = [r.contribution for r in reasons]
        assert contribs == sorted(contribs, reverse=True)
        cn = next(r for r in reasons if r.code == "common_contacts")
        assert cn.value == len(list(nx.common_neighbors(g, int(u), int(v))))


def test_candidates_exclude_neighbours_and_self(
    planted_fit: tuple[nx.Graph, FittedFeasibility],
) -> None:
    g, fit = planted_fit
    for u in (0, 17, 55, 130):
        cand, scores = fit.candidates_for(u, max_hops=3, limit=1000)
        assert u not in set(cand.tolist())
        assert not set(cand.tolist()) & set(g.neighbors(u))
        lengths = nx.single_source_shortest_path_length(g, u, cutoff=3)
        assert set(cand.tolist()) == {v for v, d in lengths.items() if d >= 2}
        assert np.all(np.diff(scores) <= 0)
        # same numbers as the vectorised pair scorer
        assert scores == pytest.approx(fit.score_pairs(np.full(cand.size, u), cand))
        top, top_scores = fit.candidates_for(u, max_hops=2, limit=5)
        assert top.size <= 5
        assert all(lengths[v] == 2 for v in top.tolist())
        assert top_scores == pytest.approx(fit.score_pairs(np.full(top.size, u), top))


def test_candidates_local_distance_mode_agrees_with_pairs() -> None:
    g = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=5)
    # force the large-graph path: distances resolved from the walk expansions (4 hops)
    fit = FeasibilityModel(exact_distance_limit=0).fit(_to_igraph(g), seed=2)
    for u in (0, 99, 250):
        for hops in (3, 5):
            cand, scores = fit.candidates_for(u, max_hops=hops, limit=10_000)
            assert scores == pytest.approx(fit.score_pairs(np.full(cand.size, u), cand))


def test_fit_is_deterministic_for_a_seed() -> None:
    g, _ = _planted(seed=4)
    graph = _to_igraph(g)
    a = FeasibilityModel().fit(graph, seed=11)
    b = FeasibilityModel().fit(graph, seed=11)
    c = FeasibilityModel().fit(graph, seed=12)
    assert np.array_equal(a.coefficients, b.coefficients)
    assert a.intercept == b.intercept
    assert not np.array_equal(a.coefficients, c.coefficients)
    us, vs = np.array([0, 1, 2, 50]), np.array([3, 90, 150, 60])
    assert np.array_equal(a.score_pairs(us, vs), b.score_pairs(us, vs))


def test_held_out_auc_on_planted_partition() -> None:
    g, _ = _planted(seed=8)
    rng = np.random.default_rng(0)
    edges = np.array(list(g.edges()))
    perm = rng.permutation(len(edges))
    n_test = len(edges) // 10
    test_pos, train = edges[perm[:n_test]], edges[perm[n_test:]]
    n = g.number_of_nodes()
    non_edges = np.array(list(nx.non_edges(g)))
    test_neg = non_edges[rng.choice(len(non_edges), n_test, replace=False)]
    fit = FeasibilityModel().fit(ig.Graph(n=n, edges=train.tolist()), seed=0)
    pos = fit.score_pairs(test_pos[:, 0], test_pos[:, 1])
    neg = fit.score_pairs(test_neg[:, 0], test_neg[:, 1])
    assert _auc(pos, neg) > 0.8


def test_extra_pair_features_are_learned_and_explained() -> None:
    g, blocks = _planted(seed=9)
    langs = sp.csr_matrix(np.eye(4)[blocks])  # one "language" per block
    extra = PairFeatures(labels={"same_area": blocks}, memberships={"shared_language": langs})
    fit = FeasibilityModel().fit(_to_igraph(g), seed=0, extra=extra)
    assert fit.codes[-2:] == ("same_area", "shared_language")
    weights = fit.weights_by_code
    assert weights["same_area"] + weights["shared_language"] > 0
    u = 0
    v = next(x for x in range(40) if x != u and not g.has_edge(u, x))
    reasons = {r.code: r for r in fit.explain(u, v)}
    assert reasons["same_area"].value == 1.0
    assert reasons["shared_language"].value == 1.0
    assert sum(r.contribution for r in reasons.values()) == pytest.approx(
        fit.score_pairs([u], [v])[0] - fit.intercept
    )
    cand, scores = fit.candidates_for(u, limit=50)
    assert scores == pytest.approx(fit.score_pairs(np.full(cand.size, u), cand))


def test_extra_features_validated() -> None:
    g, _ = _planted()
    with pytest.raises(ValueError):
        FeasibilityModel().fit(
            _to_igraph(g), extra=PairFeatures(labels={"same_area": np.zeros(3, dtype=np.int64)})
        )


def test_weighted_graph_and_exclusions() -> None:
    g = nx.karate_club_graph()
    graph = ig.Graph.from_networkx(g)
    assert "weight" in graph.es.attributes()
    model = FeasibilityModel(holdout_fraction=0.2, exclude=("degree_min", "degree_max"))
    fit = model.fit(graph, seed=0)
    assert fit.learned
    assert fit.weights_by_code["degree_min"] == 0.0
    assert fit.weights_by_code["degree_max"] == 0.0
    unweighted = model.fit(graph, weights=None, seed=0)
    ra_w = {r.code: r.value for r in fit.explain(0, 9)}["resource_allocation"]
    ra_u = {r.code: r.value for r in unweighted.explain(0, 9)}["resource_allocation"]
    plain = nx.to_scipy_sparse_array(g, weight=None)
    assert ra_u == pytest.approx(resource_allocation(plain, [0], [9])[0])
    assert ra_w != pytest.approx(ra_u)
    with pytest.raises(ValueError):
        FeasibilityModel(exclude=("nonsense",)).fit(graph)


def test_tiny_graph_uses_prior_weights() -> None:
    fit = FeasibilityModel().fit(ig.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3)]), seed=0)
    assert not fit.learned
    cand, scores = fit.candidates_for(0)
    assert cand.tolist() == [2, 3]
    assert scores[0] > scores[1]
    assert fit.score_pairs([0], [4])[0] < scores[1]


def test_walks_of_a_few_pairs_need_not_make_the_whole_walk_matrix() -> None:
    """A few pairs on a new revision's graph (issue 12: the first suggestions after a write)
    walk only the rows of S they reach; the evidence is the same, bit for bit, as with S
    made in full, and S is not made."""
    from netwerk.suggest.evidence import pair_evidence
    from netwerk.suggest.linkpred import LinkGraph

    graph = nx.barabasi_albert_graph(3000, 3, seed=1)
    rng = np.random.default_rng(0)
    edges = np.asarray(graph.edges(), dtype=np.int64)
    weights = rng.integers(1, 5, len(edges)).astype(np.float64)
    lazy, full = LinkGraph.build(3000, edges, weights), LinkGraph.build(3000, edges, weights)
    assert full.s.nnz == 2 * len(edges)
    us, vs = rng.integers(0, 3000, 6), rng.integers(0, 3000, 6)
    kw = {"alpha": 0.85, "steps": 4, "exact_distance": False, "horizon": 4}
    got, want = pair_evidence(lazy, us, vs, **kw), pair_evidence(full, us, vs, **kw)
    assert "s" not in lazy.__dict__
    for name in ("rpr", "dist", "cn", "aa", "ra", "l3"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert got.rpr.max() > 0 and np.isfinite(got.dist).any()
