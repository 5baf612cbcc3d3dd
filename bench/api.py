"""Latency through the HTTP stack (auth, tenant scope, rate limit, audit, presentation) on a
synthetic network, compared in the same run with the in-process service call.

    .venv/bin/python bench/api.py [--actors 100000] [--samples 200]

Targets (issues 3 and 4): a cached analysis route answers in < 100 ms; suggestions for one
actor p95 <= 50 ms in-process and <= 100 ms through the API on a cached snapshot; an
activation plan <= 500 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.app import create_app
from netwerk import synth
from netwerk.analysis import service as analysis
from netwerk.config import Settings
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from netwerk.store.tables import Actor
from netwerk.store.tokens import create_token
from netwerk.suggest import service as suggest


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def row(name: str, ms: list[float], target: str) -> str:
    q = statistics.quantiles(ms, n=20) if len(ms) >= 20 else [max(ms)] * 19
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {q[18]:.1f} | "
        f"{max(ms):.1f} | {target} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=200)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="netwerk-bench-api-"))
    url = f"sqlite:///{folder / 'api.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Bench").id
        token = create_token(session, role="broker", name="bench", networks=[nid]).secret
    say(f"generating and loading {args.actors} actors …")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        synth.load(conn, nid, synth.generate(args.actors, seed=1))
    say(f"loaded in {time.perf_counter() - t0:.1f} s")
    with engine.connect() as conn:
        persons = list(
            conn.execute(
                sa.select(Actor.id).where(
                    Actor.network_id == nid, Actor.kind == "resident", Actor.consent == "given"
                )
            ).scalars()
        )
    rng = random.Random(7)
    sample = rng.sample(persons, min(args.samples, len(persons)))
    settings = Settings(database_url=url, rate_limit_per_minute=0, log_level="WARNING")
    app = create_app(settings, engine=engine)
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/networks/{nid}"
    rows = []
    with TestClient(app) as client:
        say("warming up (first snapshot, fitted model, analyses) …")
        cold = {}
        for route in (
            "summary",
            "centrality",
            "key-figures",
            "brokers",
            "bridges",
            "communities",
            "gaps",
        ):
            t1 = time.perf_counter()
            r = client.get(f"{base}/analysis/{route}", headers=headers)
            cold[route] = (time.perf_counter() - t1) * 1000
            assert r.status_code == 200, r.text
        t1 = time.perf_counter()
        client.get(f"{base}/actors/{sample[0]}/suggestions", headers=headers)
        cold["suggestions (first)"] = (time.perf_counter() - t1) * 1000
        say("measuring …")
        for route in cold:
            if route.startswith("suggestions"):
                continue
            ms = timed(lambda r=route: client.get(f"{base}/analysis/{r}", headers=headers), 20)
            rows.append(row(f"API cached /analysis/{route}", ms, "< 100 ms"))
        ms_direct = timed(lambda: analysis.summary(engine, nid), 20)
        rows.append(row("in-process cached analysis.summary", ms_direct, "baseline"))
        it = iter(sample * 2)
        ms_api = timed(
            lambda: client.get(f"{base}/actors/{next(it)}/suggestions", headers=headers),
            len(sample),
        )
        rows.append(row("API suggestions (one actor)", ms_api, "p95 <= 100 ms"))
        it2 = iter(sample * 2)
        ms_lib = timed(lambda: suggest.suggestions(engine, nid, next(it2)), len(sample))
        rows.append(row("in-process suggestions (one actor)", ms_lib, "p95 <= 50 ms"))
        it3 = iter(sample * 2)
        ms_plan = timed(
            lambda: client.post(
                f"{base}/activations",
                headers=headers,
                json={"focus_actor": next(it3), "themes": ["taal", "eenzaamheid"]},
            ),
            50,
        )
        rows.append(row("API activation plan (focus actor)", ms_plan, "<= 500 ms"))
    print(
        f"\nAPI latency, {args.actors:,} actors, SQLite, in-process ASGI client "
        "(all middleware, auth, audit write, presentation)\n"
    )
    print("| cold (first call) | ms |\n|---|---:|")
    for k, v in cold.items():
        print(f"| {k} | {v:,.0f} |")
    print("\n| measurement | n | p50 ms | p95 ms | max ms | target |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
