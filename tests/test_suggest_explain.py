"""``FittedFeasibility.explain_many`` agrees with the one-pair API of the feasibility model."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from netwerk.graph import ball, snapshot_from_networkx
from netwerk.suggest.context import build_context


@pytest.fixture(scope="module")
def setup():
    g = nx.planted_partition_graph(4, 30, 0.25, 0.02, seed=5)
    rng = np.random.default_rng(1)
    for v in g.nodes:
        g.nodes[v].update(
            kind="resident",
            consent="given",
            area=f"Straat {v % 3}",
            languages=["nl"] if v % 2 else ["nl", "ar"],
        )
    for u, v in g.edges:
        g.edges[u, v]["weight"] = int(rng.integers(1, 6))
    s = snapshot_from_networkx(g, network_id="explain-test")
    ctx = build_context(s)
    return s, ctx


def test_ball_matches_breadth_first_distances(setup) -> None:
    s, ctx = setup
    vertices, hops = ball(s.adjacency, [3], 3)
    dist = np.asarray(s.graph.distances(source=[3])[0])
    within = np.flatnonzero(dist <= 3)
    assert vertices[0] == 3
    assert sorted(vertices.tolist()) == within.tolist()
    assert (hops == dist[vertices]).all()
    # the feasibility model's own graph gives the same ball
    own, own_hops = ball(ctx.fitted._g.a, [3], 3)
    assert own.tolist() == vertices.tolist() and own_hops.tolist() == hops.tolist()


def test_explain_many_agrees_with_public_api(setup) -> None:
    s, ctx = setup
    fitted = ctx.fitted
    assert fitted.learned
    for u in (0, 17, 45):
        around = ball(s.adjacency, [u], fitted.radius(3))
        ps = fitted.explain_many(u, max_hops=3, ball=around)
        cand, scores = fitted.candidates_for(u, max_hops=3, limit=s.n)
        order = np.argsort(ps.targets)
        assert ps.targets[order].tolist() == sorted(cand.tolist())
        by_target = dict(zip(cand.tolist(), scores.tolist(), strict=True))
        assert ps.logodds == pytest.approx([by_target[t] for t in ps.targets.tolist()])
        assert ps.logodds == pytest.approx(fitted.intercept + ps.contributions.sum(axis=1))
        # without a ball given, it gathers the same one itself
        again = fitted.explain_many(u, max_hops=3)
        assert again.targets.tolist() == ps.targets.tolist()
        far = np.array([v for v in range(s.n) if v != u][:20])
        pp = fitted.explain_many(u, far)
        assert pp.targets.tolist() == far.tolist()
        assert pp.logodds == pytest.approx(fitted.score_pairs(np.full(far.size, u), far))
        for i in (0, 5):
            v = int(pp.targets[i])
            public = {c.code: c for c in fitted.explain(u, v)}
            for j, code in enumerate(pp.codes):
                assert pp.contributions[i, j] == pytest.approx(public[code].contribution)
                assert pp.values[i, j] == pytest.approx(public[code].value)


def test_explain_many_select_and_empty(setup) -> None:
    s, ctx = setup
    fitted = ctx.fitted
    vertices, hops = ball(s.adjacency, [7], fitted.radius(3))
    select = np.zeros(vertices.size, dtype=bool)
    two = np.flatnonzero(hops == 2)[:4]
    select[two] = True
    ps = fitted.explain_many(7, max_hops=3, ball=(vertices, hops), select=select)
    assert ps.targets.tolist() == vertices[two].tolist()
    none = fitted.explain_many(7, np.zeros(0, dtype=np.int64))
    assert none.size == 0 and none.contributions.shape == (0, len(fitted.codes))
    with pytest.raises(ValueError):
        fitted.explain_many(s.n + 5, max_hops=3)
