"""Latency benchmark of suggestions and activation plans (issue 4, latency acceptance item).

Usage::

    .venv/bin/python bench/suggest.py [--actors 100000] [--samples 200] [--seed 1]
    .venv/bin/python bench/suggest.py --service      # also through netwerk.suggest.service

A synthetic network (:func:`netwerk.synth.generate`) is built in memory
(:func:`netwerk.columns.snapshot_from_columns`); the suggestion context (fitted feasibility
model, communities, flags; :func:`netwerk.suggest.context.suggest_context`) is built once and
cached, as the service does on the first request after a write. Then, in-process on that
cached snapshot and context:

* ``suggestions``: :func:`~netwerk.suggest.suggestions.suggest_for_actor` (limit 10,
  ``max_hops`` 3) for ``--samples`` random actors; target p95 <= 50 ms;
* ``activation (area)`` / ``activation (focus)``: :func:`~netwerk.suggest.activation.
  activation_plan` for random areas and random focus actors with one or two random themes;
  target <= 500 ms (reported as max and p95);
* ``weave``: :func:`~netwerk.suggest.weave.weave` once (limit 10; efficiency estimated from a
  sample on a network this size), not a latency target, for information.

With ``--service`` the network is also loaded into a temporary SQLite database and the same
suggestion and activation calls go through :mod:`netwerk.suggest.service` (snapshot cache,
revision check, exclusions query). Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from netwerk.columns import snapshot_from_columns  # noqa: E402
from netwerk.store.db import make_engine  # noqa: E402
from netwerk.store.migrate import upgrade  # noqa: E402
from netwerk.store.tables import Network  # noqa: E402
from netwerk.suggest import service  # noqa: E402
from netwerk.suggest.activation import activation_plan  # noqa: E402
from netwerk.suggest.context import suggest_context  # noqa: E402
from netwerk.suggest.suggestions import suggest_for_actor  # noqa: E402
from netwerk.suggest.weave import weave  # noqa: E402
from netwerk.synth import THEMES, SynthNetwork, generate, load  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(calls: Sequence[Callable[[], object]], label: str) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per call (CPU time tells the cost apart from waiting
    for a core when other work shares the machine)."""
    wall: list[float] = []
    cpu: list[float] = []
    for i, call in enumerate(calls):
        t, c = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t) * 1000.0)
        cpu.append((time.process_time() - c) * 1000.0)
        if (i + 1) % 50 == 0:
            log(f"  {label}: {i + 1}/{len(calls)}")
    return wall, cpu


def row(name: str, ms: tuple[list[float], list[float]], target: float | None) -> str:
    a, c = np.asarray(ms[0]), np.asarray(ms[1])
    p50, p95, mx = np.percentile(a, 50), np.percentile(a, 95), a.max()
    c50, c95 = np.percentile(c, 50), np.percentile(c, 95)
    verdict = "" if target is None else ("ok" if p95 <= target else "OVER")
    tgt = "" if target is None else f"p95 <= {target:.0f}"
    return (
        f"{name:<30}{a.size:>5}{p50:>9.1f}{p95:>9.1f}{mx:>9.1f}{c50:>9.1f}{c95:>9.1f}"
        f"   {tgt:<12}{verdict}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--actors", type=int, default=100_000)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--plans", type=int, default=40)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--service", action="store_true")
    args = p.parse_args()

    t0 = time.perf_counter()
    synth = generate(args.actors, seed=args.seed, progress=lambda s: log(f"generate: {s}"))
    s = snapshot_from_columns(synth.actors, synth.ties, network_id=f"bench-suggest-{args.seed}")
    service_db = load_service(synth) if args.service else None
    # Only the snapshot stays, as in a server: the generator's millions of Python objects
    # would otherwise make the cyclic garbage collector's full passes part of the timings.
    del synth
    gc.collect()
    log(f"snapshot: {s.n} actors, {s.m} ties ({time.perf_counter() - t0:.1f} s)")
    t1 = time.perf_counter()
    ctx = suggest_context(s, seed=0)
    build_s = time.perf_counter() - t1
    log(f"context built in {build_s:.1f} s (feasibility learned: {ctx.fitted.learned})")

    rng = np.random.default_rng(args.seed)
    actors = rng.choice(s.n, size=min(args.samples, s.n), replace=False).tolist()
    for v in actors[:10]:  # warm-up
        suggest_for_actor(s, s.ids[v], context=suggest_context(s, seed=0))
    gc.collect()

    def one(actor_id: str) -> object:
        return suggest_for_actor(s, actor_id, context=suggest_context(s, seed=0))

    sugg = timed([partial(one, s.ids[v]) for v in actors], "suggestions")

    areas = [a for a in ctx.areas if a]
    plans_area: list[Callable[[], object]] = []
    plans_focus: list[Callable[[], object]] = []
    for _ in range(args.plans):
        themes = rng.choice(THEMES, size=int(rng.integers(1, 3)), replace=False).tolist()
        area = areas[int(rng.integers(len(areas)))]
        plans_area.append(
            partial(activation_plan, s, area=area, themes=themes, context=suggest_context(s))
        )
        focus = s.ids[int(rng.integers(s.n))]
        plans_focus.append(
            partial(
                activation_plan, s, focus_actor=focus, themes=themes, context=suggest_context(s)
            )
        )
    act_area = timed(plans_area, "activation (area)")
    act_focus = timed(plans_focus, "activation (focus)")
    t2, c2 = time.perf_counter(), time.process_time()
    w = weave(s, limit=10, context=ctx)
    weave_ms = (
        [(time.perf_counter() - t2) * 1000.0],
        [(time.process_time() - c2) * 1000.0],
    )
    log(f"weave: {len(w.introductions)} introductions, efficiency exact: {w.efficiency_exact}")

    rows = [
        row("suggestions", sugg, 50.0),
        row("activation (area)", act_area, 500.0),
        row("activation (focus)", act_focus, 500.0),
        row("weave (once, uncached)", weave_ms, None),
    ]
    if service_db is not None:
        rows += service_rows(service_db[0], service_db[1], actors[:100])
    print(
        f"# {s.n} actors, {s.m} ties; context (fit + communities + flags) {build_s:.1f} s, "
        "once per revision; in-process, cached snapshot and context; milliseconds "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"{'operation':<30}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}{'cpu p50':>9}{'cpu p95':>9}"
        "   target (wall)"
    )
    for r in rows:
        print(r)


def load_service(synth: SynthNetwork) -> tuple[Engine, list[str]]:
    """The network in a temporary SQLite database (for the ``--service`` rows)."""
    tmp = tempfile.mkdtemp(prefix="netwerk-bench-")
    engine = make_engine(f"sqlite:///{tmp}/bench.db")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id="benchnet", name="bench", revision=1))
        load(conn, "benchnet", synth)
    log("service: loaded into SQLite")
    return engine, sorted(synth.actors.id)  # sorted: the vertex order of a snapshot


def service_rows(engine: Engine, ids: list[str], actors: list[int]) -> list[str]:
    t = time.perf_counter()
    service.suggestions(engine, "benchnet", ids[0])
    log(f"service: first call (load snapshot + context) {time.perf_counter() - t:.1f} s")
    for v in actors[:5]:
        service.suggestions(engine, "benchnet", ids[v])
    gc.collect()
    calls = [partial(service.suggestions, engine, "benchnet", ids[v]) for v in actors]
    ms = timed(calls, "service suggestions")
    return [row("service.suggestions (SQLite)", ms, None)]


if __name__ == "__main__":
    main()
