"""Held-out friends on a real friendship network: the two orders of the suggestions route, and
whether the same run gives the same answer (issue 15, part 3).

Usage::

    .venv/bin/python bench/friends.py [--splits 3] [--holdout 0.1] [--seed 0]

Data: the reported friendships of a Marseilles high school (Mastrandrea, Fournet & Barrat
2015, PLoS ONE 10(9): e0136497; ``shared/datasets/social/highschool2013_friendship_*``),
as an undirected network of the students with at least one friendship; every student is a
resident with consent given and their class as ``area`` (what a broker would know).

Protocol: in each of ``--splits`` seeded splits, 10 % of the friendships are held out and the
suggestions are computed on the rest. For every held-out friendship (u, v), from both sides,
it counts whether v is among u's top 10: with ``order=likely`` (the feasibility first), with
``order=value`` (the default, feasibility x value), and for the resource-allocation index
(Zhou, Lü & Zhang 2009; ties broken by id). Each split is computed twice, the second time
from the actors and ties listed in another order, to check that the same network gives the
same suggestions in the same order (snapshots are built as the store loads them, actors by
id; the seed comes from the network and its revision).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.columns import snapshot_from_columns  # noqa: E402
from netwerk.graph import Snapshot  # noqa: E402
from netwerk.store.bulk import ActorColumns, TieColumns  # noqa: E402
from netwerk.suggest.context import build_context  # noqa: E402
from netwerk.suggest.service import network_seed  # noqa: E402
from netwerk.suggest.suggestions import suggest_for_actor  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "social"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def read() -> tuple[list[tuple[str, str]], dict[str, str]]:
    import os

    folder = Path(os.environ.get("NETWERK_SHARED_DIR", ROOT.parent / "shared")) / "datasets"
    social = folder / "social" if folder.exists() else DATA
    classes = {}
    for line in (social / "highschool2013_friendship_nodes.tsv").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            classes[parts[0]] = parts[1]
    edges = set()
    for line in (social / "highschool2013_friendship_arcs.txt").read_text().splitlines():
        a, b = line.split()[:2]
        if a != b:
            edges.add((min(a, b, key=int), max(a, b, key=int)))
    return sorted(edges, key=lambda e: (int(e[0]), int(e[1]))), classes


def snapshot(edges: list[tuple[str, str]], classes: dict[str, str], order: list[str]) -> Snapshot:
    """The network as the store would load it (actors ordered by id), from the node list in
    the given ``order`` and the ties in the reverse of it."""
    ids = [f"s{node:0>4}" for node in order]
    actors = ActorColumns(
        id=ids,
        kind=["resident"] * len(ids),
        name=ids,
        area=[classes.get(node) for node in order],
        languages=[[] for _ in ids],
        assets=[[] for _ in ids],
        needs=[[] for _ in ids],
        consent=["given"] * len(ids),
    )
    pairs = [(f"s{a:0>4}", f"s{b:0>4}") for a, b in edges]
    if order != sorted(order, key=int):
        pairs = pairs[::-1]
    ties = TieColumns(
        id=[f"t{i}" for i in range(len(pairs))],
        source_id=[a for a, _ in pairs],
        target_id=[b for _, b in pairs],
        kind=["friend"] * len(pairs),
        strength=[3] * len(pairs),
        support=[[] for _ in pairs],
        since=[None] * len(pairs),
        until=[None] * len(pairs),
    )
    return snapshot_from_columns(actors, ties, network_id="highschool2013", revision=1)


def ra_top(s: object, u: int, k: int) -> list[str]:
    snap = s  # a Snapshot
    adj = snap.adjacency  # type: ignore[attr-defined]
    deg = snap.degree.astype(np.float64)  # type: ignore[attr-defined]
    score = np.zeros(snap.n)  # type: ignore[attr-defined]
    for z in adj.neighbours(u).tolist():
        score[adj.neighbours(z)] += 1.0 / deg[z]
    score[u] = -1
    score[adj.neighbours(u)] = -1
    ids = snap.ids  # type: ignore[attr-defined]
    order = sorted((i for i in range(snap.n) if score[i] > 0), key=lambda i: (-score[i], ids[i]))  # type: ignore[attr-defined]
    return [ids[i] for i in order[:k]]


def run_split(
    edges: list[tuple[str, str]], classes: dict[str, str], rng: np.random.Generator, frac: float
) -> tuple[dict[str, float], bool]:
    held_idx = rng.choice(len(edges), size=round(frac * len(edges)), replace=False)
    held = [edges[i] for i in sorted(held_idx.tolist())]
    train = [e for i, e in enumerate(edges) if i not in set(held_idx.tolist())]
    nodes = sorted({x for e in edges for x in e}, key=int)
    answers = []
    hits: dict[str, float] = {}
    for attempt, order in enumerate((nodes, list(rng.permutation(nodes)))):
        s = snapshot(train, classes, [str(x) for x in order])
        seed = network_seed("highschool2013", 1)
        ctx = build_context(s, seed=seed)
        found = {"likely": 0, "value": 0, "resource allocation": 0}
        tops: list[tuple[str, ...]] = []
        total = 0
        for a, b in held:
            for u, v in ((a, b), (b, a)):
                uid, vid = f"s{u:0>4}", f"s{v:0>4}"
                total += 1
                for order_name in ("likely", "value"):
                    res = suggest_for_actor(
                        s, uid, limit=10, context=ctx, seed=seed, order=order_name
                    )
                    ids = tuple(x.target.actor_id for x in res.suggestions)
                    tops.append(ids)
                    found[order_name] += vid in ids
                found["resource allocation"] += vid in ra_top(s, s.index[uid], 10)
        answers.append(tops)
        if attempt == 0:
            hits = {k: v / total for k, v in found.items()}
    return hits, answers[0] == answers[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--splits", type=int, default=3)
    p.add_argument("--holdout", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    edges, classes = read()
    rng = np.random.default_rng(args.seed)
    rows = []
    for i in range(args.splits):
        hits, same = run_split(edges, classes, rng, args.holdout)
        log(f"split {i + 1}: {hits} same order after shuffling the input: {same}")
        rows.append((hits, same))
    print(
        f"# high-school friendships ({len(edges)} ties), {args.holdout:.0%} held out, "
        f"{args.splits} splits (seed {args.seed}): share of held-out friends in the top 10"
    )
    print(
        f"{'split':>6}{'order=likely':>14}{'order=value':>13}{'res. alloc.':>13}{'same twice':>12}"
    )
    for i, (hits, same) in enumerate(rows, start=1):
        print(
            f"{i:>6}{hits['likely']:>14.1%}{hits['value']:>13.1%}"
            f"{hits['resource allocation']:>13.1%}{('yes' if same else 'NO'):>12}"
        )
    mean = {k: float(np.mean([h[k] for h, _ in rows])) for k in rows[0][0]}
    print(
        f"{'mean':>6}{mean['likely']:>14.1%}{mean['value']:>13.1%}"
        f"{mean['resource allocation']:>13.1%}"
    )


if __name__ == "__main__":
    main()
