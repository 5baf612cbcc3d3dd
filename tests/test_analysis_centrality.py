"""Centrality against networkx on four classic graphs, and sampled betweenness at scale."""

from __future__ import annotations

import hashlib
import time
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from netwerk.analysis.centrality import MEASURES, centrality, distance_sample, scores
from netwerk.columns import snapshot_from_columns
from netwerk.errors import ValidationFailed
from netwerk.graph import snapshot_from_networkx

GRAPHS = {
    "karate": nx.karate_club_graph,  # weighted (interaction counts)
    "florentine": nx.florentine_families_graph,
    "davis": nx.davis_southern_women_graph,  # bipartite
    "lesmis": nx.les_miserables_graph,  # weighted (co-occurrences)
}


def as_array(G: nx.Graph, values: dict) -> np.ndarray:
    return np.array([values[v] for v in G.nodes()], dtype=float)


@pytest.fixture(params=sorted(GRAPHS))
def graph(request: pytest.FixtureRequest):
    G = GRAPHS[request.param]()
    return G, snapshot_from_networkx(G)


def test_degree_and_strength(graph):
    G, s = graph
    assert scores(s, "degree").normalised == pytest.approx(
        as_array(G, nx.degree_centrality(G)), rel=1e-6
    )
    assert scores(s, "strength").values == pytest.approx(
        as_array(G, dict(G.degree(weight="weight"))), rel=1e-6
    )


def test_betweenness_exact(graph):
    G, s = graph
    sc = scores(s, "betweenness")
    assert sc.exact
    # unordered pairs: networkx normalized=False halves its ordered-pair count on undirected
    assert sc.values == pytest.approx(
        as_array(G, nx.betweenness_centrality(G, normalized=False)), rel=1e-6, abs=1e-9
    )
    assert sc.normalised == pytest.approx(
        as_array(G, nx.betweenness_centrality(G)), rel=1e-6, abs=1e-12
    )


def test_harmonic(graph):
    G, s = graph
    assert scores(s, "harmonic").values == pytest.approx(
        as_array(G, nx.harmonic_centrality(G)), rel=1e-6
    )


def test_pagerank(graph):
    G, s = graph
    # networkx's reference power iteration, driven to convergence (its default tol is 1e-6)
    ref = _pagerank_python(G, alpha=0.85, weight="weight", tol=1e-13, max_iter=100_000)
    assert scores(s, "pagerank").values == pytest.approx(as_array(G, ref), rel=1e-6)


def test_eigenvector(graph):
    G, s = graph
    ref = nx.eigenvector_centrality(G, weight="weight", tol=1e-13, max_iter=100_000)
    # networkx scales to unit Euclidean norm, we scale to maximum 1: compare after rescaling
    top = max(ref.values())
    assert scores(s, "eigenvector").values == pytest.approx(
        as_array(G, {k: v / top for k, v in ref.items()}), rel=1e-6, abs=1e-12
    )


def test_coreness_and_two_step_reach(graph):
    G, s = graph
    assert scores(s, "coreness").values == pytest.approx(as_array(G, nx.core_number(G)))
    reach = {v: len(nx.single_source_shortest_path_length(G, v, cutoff=2)) - 1 for v in G.nodes()}
    assert scores(s, "two_step_reach").values == pytest.approx(as_array(G, reach))


def test_average_path_length(graph):
    G, s = graph
    ds = distance_sample(s)
    assert ds.exact
    assert ds.mean_path == pytest.approx(nx.average_shortest_path_length(G), rel=1e-9)


def test_ranked_output_top_and_kind_filter():
    G = nx.karate_club_graph()
    for v in G.nodes():
        G.nodes[v]["kind"] = "professional" if v in (0, 33) else "resident"
    s = snapshot_from_networkx(G)
    r = centrality(s, "degree", top=3)
    assert [e.actor_id for e in r.entries] == ["33", "0", "32"]
    assert [e.rank for e in r.entries] == [1, 2, 3]
    assert r.entries[0].value == 17 and r.entries[0].normalised == pytest.approx(17 / 33)
    assert r.entries[0].kind == "professional" and r.entries[0].person
    only = centrality(s, "degree", top=2, kind="resident")
    assert [e.actor_id for e in only.entries] == ["32", "2"]
    assert only.actors_considered == 32
    assert only.provenance.parameters["kind"] == "resident"
    assert r.provenance.exact and r.sampling is None and r.provenance.revision == 0
    assert r.provenance.as_of == s.as_of.isoformat()
    with pytest.raises(ValidationFailed):
        centrality(s, "fame")
    with pytest.raises(ValidationFailed):
        centrality(s, "degree", kind="alien")
    assert {m for m in MEASURES} >= {"betweenness", "pagerank", "coreness"}


def test_sampling_is_seeded_and_states_its_error():
    G = nx.connected_watts_strogatz_graph(600, 6, 0.1, seed=3)
    s = snapshot_from_networkx(G)
    a = centrality(s, "betweenness", exact_max=100, pivots=120, seed=7, lang="en")
    b = centrality(s, "betweenness", exact_max=100, pivots=120, seed=7, lang="en")
    assert a == b
    assert not a.exact and a.sampling is not None and not a.provenance.exact
    assert a.provenance.seed == 7 and a.sampling.pivots == 120
    assert all(e.error is not None and e.error > 0 for e in a.entries)
    assert "120 random starting points" in a.sampling.statement
    h = centrality(s, "harmonic", exact_max=100, pivots=120, seed=7)
    exact = nx.harmonic_centrality(G)
    for e in h.entries:
        assert abs(e.value - exact[int(e.actor_id)]) <= 2 * e.error


# --------------------------------------------------------------------------- at scale


def neighbourhood(n: int, seed: int):
    """A deterministic neighbourhood-like network: buurten of households on streets, friends
    mostly within the buurt, places and organisations as hubs, professionals and a few
    friendships linking the buurten. Returns bulk-style columns."""
    rng = np.random.default_rng(seed)
    buurten = max(1, n // 2000)
    kinds = np.array(["resident"] * n, dtype=object)
    buurt = np.sort(rng.integers(0, buurten, n))
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    # households of 1-4 along the vertex order, neighbours on the street
    size = rng.choice([1, 2, 3, 4], size=n, p=[0.35, 0.3, 0.2, 0.15])
    starts = np.cumsum(np.concatenate([[0], size]))[:-1]
    starts = starts[starts < n]
    hh = np.repeat(np.arange(len(starts)), np.diff(np.concatenate([starts, [n]])))
    for off in (1, 2, 3):
        a = np.arange(n - off)
        same = hh[a] == hh[a + off]
        src.append(a[same])
        dst.append(a[same] + off)
    heads = starts
    for off in (1, 2):
        src.append(heads[:-off])
        dst.append(heads[off:])
    # friends: mostly within the buurt
    m = n * 3
    a = rng.integers(0, n, m)
    local = rng.random(m) < 0.97
    lo = np.searchsorted(buurt, buurt[a])
    hi = np.searchsorted(buurt, buurt[a], side="right")
    b = np.where(local, lo + (rng.random(m) * (hi - lo)).astype(np.int64), rng.integers(0, n, m))
    src.append(a)
    dst.append(b)
    # hubs per buurt: places, organisations, initiatives, professionals, key figures
    hub_kinds = ["place"] * 4 + ["organisation"] * 3 + ["initiative"] * 4 + ["professional"] * 6
    pros: list[int] = []
    for bu in range(buurten):
        members = np.flatnonzero(buurt == bu)
        hubs = rng.choice(members, size=len(hub_kinds) + 20, replace=False)
        for v, k in zip(hubs[: len(hub_kinds)], hub_kinds, strict=True):
            kinds[v] = k
            deg = int(rng.integers(20, 250)) if k != "professional" else int(rng.integers(15, 60))
            src.append(np.full(deg, v))
            dst.append(rng.choice(members, size=deg, replace=False))
            if k == "professional":
                pros.append(int(v))
        for v in hubs[len(hub_kinds) :]:
            kinds[v] = "key_figure"
            deg = int(rng.integers(20, 80))
            src.append(np.full(deg, v))
            dst.append(rng.choice(members, size=deg, replace=False))
    pros_a = np.array(pros)
    refs = rng.choice(pros_a, size=(len(pros) * 2, 2))
    src.append(refs[:, 0])
    dst.append(refs[:, 1])
    s = np.concatenate(src)
    t = np.concatenate(dst)
    keep = s != t
    s, t = s[keep], t[keep]
    ids = [f"v{i:06d}" for i in range(n)]
    actors = SimpleNamespace(
        id=ids,
        kind=kinds.tolist(),
        area=[f"buurt{b}" for b in buurt.tolist()],
        languages=[[]] * n,
        assets=[[]] * n,
        needs=[[]] * n,
        consent=[None] * n,
    )
    ties = SimpleNamespace(
        source_id=[ids[i] for i in s.tolist()],
        target_id=[ids[i] for i in t.tolist()],
        kind=["knows"] * len(s),
        strength=[3] * len(s),
        support=[[]] * len(s),
        since=[None] * len(s),
        until=[None] * len(s),
    )
    return actors, ties


def fingerprint(s) -> str:
    return hashlib.sha1(s.edge_array.astype("<i8").tobytes()).hexdigest()[:16]


# Exact betweenness of neighbourhood(20_000, seed=20) — 20,000 actors, see FINGERPRINT —
# computed once with igraph's exact Brandes algorithm (about three minutes on one core), as
# (actor id, value) for the top 60. The test recomputes it when the generator's output
# differs (numpy changed its streams), so it never compares against a stale reference.
# fmt: off
FINGERPRINT = "56b7391a6e8ea016"
EXACT_TOP: list[tuple[str, float]] = [
    ("v004544", 7701295.497210),
    ("v015905", 4200660.816469),
    ("v011487", 4041673.518150),
    ("v019406", 3903631.723085),
    ("v000946", 3874150.152117),
    ("v018611", 3865271.704847),
    ("v012524", 3284231.870092),
    ("v012817", 3251702.093430),
    ("v013411", 3183996.081297),
    ("v004139", 3121661.575397),
    ("v006707", 3109967.699314),
    ("v009861", 3060193.560370),
    ("v002587", 2999762.541219),
    ("v015762", 2996486.129685),
    ("v000614", 2970646.099796),
    ("v016953", 2931984.777555),
    ("v003453", 2927072.078352),
    ("v011757", 2874342.033031),
    ("v000693", 2701045.820921),
    ("v016618", 2699701.501369),
    ("v010358", 2672002.767182),
    ("v004038", 2667758.840497),
    ("v013260", 2662985.208639),
    ("v012122", 2652413.662686),
    ("v004752", 2645242.702846),
    ("v003839", 2609741.536117),
    ("v014226", 2609384.552832),
    ("v019935", 2568168.899901),
    ("v012572", 2530090.768250),
    ("v018504", 2473281.847971),
    ("v001956", 2441958.646674),
    ("v006303", 2432583.534687),
    ("v007775", 2393206.442246),
    ("v016966", 2383199.029188),
    ("v006276", 2359002.234471),
    ("v019216", 2330966.845273),
    ("v010146", 2310675.766063),
    ("v006638", 2301354.952402),
    ("v008495", 2198142.141075),
    ("v000474", 2192993.562475),
    ("v007674", 2190663.957956),
    ("v008294", 2141592.958065),
    ("v018892", 2133852.790158),
    ("v001843", 2117811.586696),
    ("v016343", 2102259.074926),
    ("v007504", 2089147.541380),
    ("v008880", 2047612.200932),
    ("v017417", 2047522.655822),
    ("v014126", 2041471.447442),
    ("v008516", 2035823.699017),
    ("v005228", 2028824.642470),
    ("v016688", 2022600.154265),
    ("v007784", 1998146.713403),
    ("v003529", 1992594.695461),
    ("v011660", 1970784.532464),
    ("v002015", 1951111.701679),
    ("v003129", 1947869.128282),
    ("v005529", 1896255.094281),
    ("v008171", 1877656.285718),
    ("v011907", 1876807.508344),
]
# fmt: on


@pytest.mark.slow
def test_sampled_betweenness_ranks_the_exact_top_50():
    actors, ties = neighbourhood(20_000, seed=20)
    s = snapshot_from_columns(actors, ties)
    assert s.n == 20_000
    if fingerprint(s) == FINGERPRINT and EXACT_TOP:
        exact = dict(EXACT_TOP)
    else:  # pragma: no cover - only when numpy's random streams change
        values = np.asarray(s.graph.betweenness(directed=False))
        order = np.argsort(-values)[:60]
        exact = {s.ids[v]: float(values[v]) for v in order}
    top50 = sorted(exact, key=lambda a: -exact[a])[:50]
    threshold = sorted(exact.values(), reverse=True)[49]
    started = time.perf_counter()
    r = centrality(s, "betweenness", top=50, exact_max=5_000, seed=0)
    took = time.perf_counter() - started
    assert not r.exact and r.sampling is not None
    sampled = {e.actor_id for e in r.entries}
    overlap = len(sampled & set(top50)) / 50
    assert overlap >= 0.9, overlap
    # the stated error holds: the 95% half-widths cover the exact values of the actors shown
    # (actors outside the exact top 60 have an exact value below the 60th, an upper bound)
    low60 = sorted(exact.values(), reverse=True)[-1]
    covered = 0
    for e in r.entries:
        if e.actor_id in exact:
            covered += abs(e.value - exact[e.actor_id]) <= e.error
        else:
            covered += e.value - e.error <= low60
    # nominal 95%; the standard errors are themselves estimated from few pivots per stratum
    assert covered / len(r.entries) >= 0.85, covered
    assert r.sampling.max_relative_half_width is not None
    assert threshold > 0 and took > 0  # timing is reported by bench/analysis.py
