"""How long `netwerk demo` takes to make and load its wijk: the demo (synthetic wijk with the
README's story woven in, netwerk.demo) against the plain synthetic wijk of the same size
(netwerk.synth) as the baseline, into a fresh SQLite file each time; median of three.

    .venv/bin/python bench/demo.py [--actors 1500]

Prints a Markdown table. Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from netwerk import demo, synth
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network


def once(generate: Callable[[], Any], load: Callable[..., int]) -> tuple[float, float, int, int]:
    with tempfile.TemporaryDirectory(prefix="netwerk-bench-demo-") as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        upgrade(engine)
        with transaction(make_sessionmaker(engine)) as session:
            nid = create_network(session, name="bench").id
        t0 = time.perf_counter()
        data = generate()
        t1 = time.perf_counter()
        with engine.begin() as conn:
            load(conn, nid, data)
        t2 = time.perf_counter()
        engine.dispose()
    return t1 - t0, t2 - t1, len(data.actors), len(data.ties)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actors", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    cases: list[tuple[str, Callable[[], Any], Callable[..., int]]] = [
        ("synth (baseline)", lambda: synth.generate(args.actors, seed=args.seed), synth.load),
        ("demo (with the story)", lambda: demo.generate(args.actors, seed=args.seed), demo.load),
    ]
    print("| wijk | actors | ties | generate s | load s | total s |")
    print("|---|---|---|---|---|---|")
    for label, generate, load in cases:
        runs = [once(generate, load) for _ in range(3)]
        gen = statistics.median(r[0] for r in runs)
        ld = statistics.median(r[1] for r in runs)
        print(f"| {label} | {runs[0][2]} | {runs[0][3]} | {gen:.2f} | {ld:.2f} | {gen + ld:.2f} |")


if __name__ == "__main__":
    main()
