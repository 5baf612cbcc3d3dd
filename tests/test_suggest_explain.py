"""The batch explainer agrees with the public API of the feasibility model."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from netwerk.graph import snapshot_from_networkx
from netwerk.suggest.context import build_context
from netwerk.suggest.explain import BatchExplainer


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
    ball, hops = ctx.explainer.ball(3, 3)
    dist = np.asarray(s.graph.distances(source=[3])[0])
    within = np.flatnonzero(dist <= 3)
    assert ball[0] == 3
    assert sorted(ball.tolist()) == within.tolist()
    assert (hops == dist[ball]).all()


def test_around_and_pairs_agree_with_public_api(setup) -> None:
    s, ctx = setup
    ex = ctx.explainer
    fitted = ctx.fitted
    assert fitted.learned and ex.fast
    for u in (0, 17, 45):
        ball, hops = ex.ball(u, ex.radius(3))
        ps = ex.around(u, 3, ball, hops)
        cand, scores = fitted.candidates_for(u, max_hops=3, limit=s.n)
        order = np.argsort(ps.targets)
        assert ps.targets[order].tolist() == sorted(cand.tolist())
        by_target = dict(zip(cand.tolist(), scores.tolist(), strict=True))
        assert ps.logodds == pytest.approx([by_target[t] for t in ps.targets.tolist()])
        assert ps.logodds == pytest.approx(ex.intercept + ps.contributions.sum(axis=1))
        far = np.array([v for v in range(s.n) if v != u][:20])
        pp = ex.pairs(u, far)
        assert pp.logodds == pytest.approx(fitted.score_pairs(np.full(far.size, u), far))
        for i in (0, 5):
            v = int(pp.targets[i])
            public = {c.code: c for c in fitted.explain(u, v)}
            for j, code in enumerate(pp.codes):
                assert pp.contributions[i, j] == pytest.approx(public[code].contribution)


def test_public_fallback_gives_the_same_numbers(setup) -> None:
    s, ctx = setup
    slow = BatchExplainer(ctx.fitted, s.adjacency)
    slow._fast = False
    fast = ctx.explainer
    ball, hops = fast.ball(7, fast.radius(3))
    a = fast.around(7, 3, ball, hops)
    b = slow.around(7, 3, ball, hops)
    oa, ob = np.argsort(a.targets), np.argsort(b.targets)
    assert a.targets[oa].tolist() == b.targets[ob].tolist()
    assert a.logodds[oa] == pytest.approx(b.logodds[ob])
    assert a.contributions[oa] == pytest.approx(b.contributions[ob])
