"""Benchmark of the block-cut tree behind "what splits off" (brokers' articulation points,
the key figures' ``cuts_off_group``) on synthetic neighbourhoods, in memory (SQLite).

    .venv/bin/python bench/block_cut.py [--sizes 2000,20000,50000] [--seed 7]

Per size: the **baseline** (igraph's ``biconnected_components`` wrapper, which turns each
block's spanning tree into a vertex set one edge at a time, and per-vertex Python weights,
as the tree was built before issue 9), the **engine** (``BlockCutTree``: the C call, vertex
sets and weights in numpy), the person-weighted tree the key figures use, and the whole
key-figures analysis with its partition and betweenness precomputed, for scale. Both trees
are checked to give the same pieces. Prints a Markdown table; not part of the test run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import sqlalchemy as sa

from netwerk import synth
from netwerk.analysis import key_figures as kf
from netwerk.analysis.brokers import BlockCutTree
from netwerk.analysis.centrality import scores
from netwerk.analysis.communities import partition
from netwerk.graph import Snapshot
from netwerk.store.db import make_engine
from netwerk.store.migrate import upgrade
from netwerk.store.snapshot import load_snapshot
from netwerk.store.tables import Network


def baseline(s: Snapshot) -> tuple[list[list[int]], list[int], np.ndarray]:
    """The tree's blocks and block weights as built before (the wrapper, Python loops)."""
    blocks, aps = s.graph.biconnected_components(return_articulation_points=True)
    blocks = [list(b) for b in blocks]
    is_ap = np.zeros(s.n, dtype=bool)
    is_ap[list(aps)] = True
    weight = np.array([sum(1 for v in b if not is_ap[v]) for b in blocks], dtype=np.int64)
    return blocks, sorted(aps), weight


def timed(fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,20000,50000")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(f"seed {args.seed}; best of three; seconds\n")
    print("| actors | ties | baseline tree | engine tree | person-weighted tree | key figures |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in args.sizes.split(",")):
        engine = make_engine("sqlite://")
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(Network).values(id="b", name="bench", revision=1))
            synth.load(conn, "b", synth.generate(n, seed=args.seed))
        with engine.connect() as conn:
            s = load_snapshot(conn, "b")
        print(f"[{n}] loaded", file=sys.stderr)
        t_base, (blocks, aps, weight) = timed(lambda: baseline(s))  # noqa: B023
        t_new, tree = timed(lambda: BlockCutTree(s))  # noqa: B023
        assert tree.blocks == blocks and tree.aps == aps
        assert (tree.weight[: len(blocks)] == weight).all()
        t_persons, _ = timed(lambda: BlockCutTree(s, vertex_weight=s.is_person))  # noqa: B023
        part = partition(s, seed=0)
        btw = scores(s, "betweenness", exact_max=1000, seed=0)
        reach = scores(s, "two_step_reach")
        t_kf, _ = timed(
            lambda: kf.key_figures(s, communities=part, betweenness=btw, two_step=reach),  # noqa: B023
            repeat=1,
        )
        print(f"| {s.n:,} | {s.m:,} | {t_base:.3f} | {t_new:.3f} | {t_persons:.3f} | {t_kf:.3f} |")


if __name__ == "__main__":
    main()
