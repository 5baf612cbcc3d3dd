"""The full analysis's building blocks on two cores (netwerk.analysis.parallel, issue 12):
the same values bit for bit as one process computes them, one pivot pass per full analysis
(split between the two processes, never repeated), and a failed child computed here."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from netwerk import cache, synth
from netwerk.analysis import blocks, communities, distances, parallel, service
from netwerk.graph import Snapshot, snapshot_from_networkx
from netwerk.store.tables import Network

EXACT_MAX = 100  # below the test networks' size, so betweenness is sampled


@pytest.fixture
def snap() -> Snapshot:
    cache.clear()
    return snapshot_from_networkx(nx.powerlaw_cluster_graph(600, 3, 0.3, seed=5))


def _blocks(s: Snapshot) -> dict[str, Any]:
    btw = blocks.scores(s, "betweenness", EXACT_MAX, None, 0)
    harmonic = blocks.scores(s, "harmonic", EXACT_MAX, None, 0)
    return {
        "betweenness": btw.values,
        "betweenness_half_width": btw.half_width,
        "harmonic": harmonic.values,
        "harmonic_half_width": harmonic.half_width,
        "mean_path": np.asarray([blocks.distances(s, EXACT_MAX, None, 0).mean_path]),
        "membership": blocks.partition(s, 0).membership,
        "reach": blocks.reach(s),
    }


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(a[name], b[name]), name


def test_prefetch_files_the_blocks_one_process_would_compute(snap: Snapshot) -> None:
    assert parallel.prefetch(snap, exact_max=EXACT_MAX)
    together = _blocks(snap)
    assert not blocks.scores(snap, "betweenness", EXACT_MAX, None, 0).exact
    cache.clear()
    _same(together, _blocks(snap))  # one process, no prefetch: bit for bit the same
    # nothing to prefetch when the pass is cached, or when the network is small enough
    assert not parallel.prefetch(snap, exact_max=EXACT_MAX)
    assert not parallel.prefetch(snap, exact_max=snap.n)


def test_a_failed_child_is_computed_here(snap: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _blocks(snap)
    cache.clear()
    monkeypatch.setattr(parallel, "forked", lambda job: lambda: None)
    assert parallel.prefetch(snap, exact_max=EXACT_MAX)
    _same(alone, _blocks(snap))


def test_forked_gives_the_value_or_none_when_the_child_fails() -> None:
    assert parallel.forked(lambda: np.arange(3))().tolist() == [0, 1, 2]  # type: ignore[union-attr]
    assert parallel.forked(lambda: 1 // 0)() is None


@pytest.fixture
def stored(engine: Engine) -> str:
    nid = "p" + secrets.token_hex(6)
    with engine.begin() as c:
        c.execute(sa.insert(Network).values(id=nid, name="Tweekern", revision=0))
        synth.load(c, nid, synth.generate(400, seed=3, fresh_ids=True))
    return nid


def _counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.parametrize("two_cores", [False, True])
def test_the_full_analysis_runs_one_pivot_pass_and_one_partition(
    engine: Engine, stored: str, monkeypatch: pytest.MonkeyPatch, two_cores: bool
) -> None:
    cache.clear()
    searches = _counted(monkeypatch, distances, "_single_source")
    leiden = _counted(monkeypatch, communities, "partition")
    holes = _counted(monkeypatch, blocks, "holes")
    steps = service.full_analysis(engine, stored, exact_max=EXACT_MAX, parallel=two_cores)
    results = {name: run() for name, run in steps}
    s = results["snapshot"]
    pivots = distances.pivot_set(s, None, 0)
    first, _ = distances.halves(pivots)
    assert len(pivots) > EXACT_MAX // 2 and not results["key_figures"].betweenness_exact
    # this process: every search once without the child, only the first part with it (the
    # child ran the rest and Leiden: counted in the child, so not here)
    assert len(searches) == (len(first) if two_cores else len(pivots))
    assert len(leiden) == (0 if two_cores else 1)
    # with two cores brokers (and their structural holes) come from a child, computed while
    # this process ran the other analyses, and so last
    assert len(holes) == (0 if two_cores else 1)
    assert [name for name, _ in steps][-1] == ("brokers" if two_cores else "gaps")
    if two_cores:
        cache.clear()
        alone = dict(service.full_analysis(engine, stored, exact_max=EXACT_MAX))
        alone["snapshot"]()
        for name in ("key_figures", "summary", "brokers", "communities"):
            assert alone[name]() == results[name], name
