"""Benchmark: one tie write through the API at 10k and 100k actors (issue 12, item 4).

    .venv/bin/python bench/write_read.py                       # 10k and 100k, SQLite and PG
    .venv/bin/python bench/write_read.py --sizes 100000 --db sqlite \
        --keep-sqlite /tmp/netwerk-write-read       # reuse the generated networks (a folder)

A synthetic neighbourhood (:mod:`netwerk.synth`, ~10 ties per actor) is loaded once per size
and database (with ``--keep-sqlite`` into ``<folder>/<size>.sqlite``, reused by a later run:
the 100k network takes minutes to build). Then ``--writes`` ties between random actor pairs
are created through ``POST /api/v1/networks/{nid}/ties`` (in-process HTTP, TestClient, one
worker: auth, tenant scope, audit, change log, commit included; one warm-up write before
them is not counted), and for each size the store's duplicate
check is also timed as it was before issue 12 (the ``OR`` of both pair directions, which
SQLite answers by walking the network's ties) against the check as it is now, in the same
run. Wall milliseconds are what the target is about (<= 30 ms at 100k); the ``cpu`` column is
this process's CPU time of the writes (the PostgreSQL server's own work is not in it).

With ``--snapshots N`` (default 1) the snapshot is also loaded in-process after each write,
which advances the kept snapshot by the change log (:mod:`netwerk.store.delta`), and then loaded
afresh N times as the baseline. The first-read-after-a-write figures of the issue's bench
(suggestions, dashboard) belong to the results-caching work and are not measured here.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from databases import postgres_engine, sqlite_engine  # noqa: E402  (bench/databases.py)

from api.app import create_app  # noqa: E402
from netwerk import cache, synth  # noqa: E402
from netwerk.config import Settings  # noqa: E402
from netwerk.model import new_id  # noqa: E402
from netwerk.store.db import make_sessionmaker, transaction  # noqa: E402
from netwerk.store.snapshot import load_snapshot  # noqa: E402
from netwerk.store.tables import Actor, Network, Tie  # noqa: E402
from netwerk.store.tokens import create_token  # noqa: E402

TARGET_MS = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_network(engine: sa.Engine, size: int, seed: int) -> str:
    name = f"Bench write {size} {seed}"
    with engine.connect() as conn:
        found = conn.scalar(sa.select(Network.id).where(Network.name == name))
    if found is not None:
        log(f"  reusing {name}")
        return str(found)
    log(f"  generating {size:,} actors ...")
    t0 = time.perf_counter()
    network = synth.generate(size, seed=seed)
    nid = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=nid, name=name, revision=1))
        synth.load(conn, nid, network)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # planner statistics, as a database in use has them
            conn.execute(sa.text("ANALYZE"))
    log(f"  loaded {len(network.ties):,} ties in {time.perf_counter() - t0:.0f} s")
    return nid


def old_check(conn: sa.Connection, nid: str, a: str, b: str) -> object:
    """The duplicate check as it was: one ``OR`` over both directions of the pair."""
    t = Tie.__table__.c
    pair = sa.or_((t.source_id == a) & (t.target_id == b), (t.source_id == b) & (t.target_id == a))
    return conn.scalar(
        sa.select(t.id)
        .where(t.network_id == nid, t.kind == "friend", t.until.is_(None), pair, t.id != "x")
        .limit(1)
    )


def new_check(conn: sa.Connection, nid: str, a: str, b: str) -> object:
    from netwerk.store.ties import find_open_duplicate

    return find_open_duplicate(conn, nid, a, b, "friend", symmetric=True, own_id="x")


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000


def run(
    engine: sa.Engine, db: str, size: int, writes: int, seed: int, args_snapshots: int
) -> list[dict]:
    nid = ensure_network(engine, size, seed)
    rng = random.Random(seed)
    with engine.connect() as conn:
        ids = list(conn.scalars(sa.select(Actor.id).where(Actor.network_id == nid)))
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        token = create_token(session, role="broker", name="bench", networks=[nid]).secret
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(
        Settings(database_url=url, rate_limit_per_minute=0, log_level="WARNING"), engine=engine
    )
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(writes)]
    with engine.connect() as conn:
        for label, check in (
            ("duplicate check, before", old_check),
            ("duplicate check", new_check),
        ):
            check(conn, nid, *pairs[0])  # warm the page cache
            ms = [timed(partial(check, conn, nid, a, b)) for a, b in pairs]
            rows.append(row(db, size, label, ms))
    snapshots = args_snapshots
    if snapshots:
        cache.clear()
        with engine.connect() as conn:
            load_snapshot(conn, nid)  # kept by the change-log hook, to advance after each write
    advanced: list[tuple[float, float]] = []
    with TestClient(app) as client:
        client.get("/health")
        ms = []
        made = []
        for k, (a, b) in enumerate([tuple(rng.sample(ids, 2)), *pairs]):

            def post(a: str = a, b: str = b) -> None:
                r = client.post(
                    f"/api/v1/networks/{nid}/ties",
                    json={"source": a, "target": b, "kind": "friend", "strength": 2},
                    headers=headers,
                )
                assert r.status_code == 201, r.text
                made.append(r.json()["id"])

            took = timed(post)
            if k:  # the first write warms the route up (imports, pydantic), not counted
                ms.append(took)
            if snapshots:
                with engine.connect() as conn:
                    advanced.append(timed(partial(load_snapshot, conn, nid)))
        rows.append(row(db, size, "POST …/ties (API)", ms))
        if snapshots:
            rows.append(row(db, size, "snapshot after a write: advanced by the log", advanced))
            full = []
            for _ in range(snapshots):
                cache.clear()  # also drops the kept snapshot: a full load
                with engine.connect() as conn:
                    full.append(timed(partial(load_snapshot, conn, nid)))
            rows.append(row(db, size, "snapshot after a write: full reload", full))
        for tid in made:  # leave the kept network as it was
            client.delete(f"/api/v1/networks/{nid}/ties/{tid}", headers=headers)
    return rows


def row(db: str, size: int, what: str, ms: list[tuple[float, float]]) -> dict:
    wall = [w for w, _ in ms]
    return {
        "db": db,
        "actors": size,
        "what": what,
        "n": len(ms),
        "median": statistics.median(wall),
        "max": max(wall),
        "cpu": statistics.median(c for _, c in ms),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--writes", type=int, default=7)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--snapshots",
        type=int,
        default=1,
        help="also time the snapshot after each write (advanced by the change log) against "
        "this many full reloads (0: skip)",
    )
    parser.add_argument("--keep-sqlite", help="a folder to keep (and reuse) the networks in")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "NETWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict] = []
    for db in args.db.split(","):
        for size in sizes:
            log(f"[{db}] {size:,} actors")
            if db == "sqlite":
                with sqlite_engine(
                    Path(args.keep_sqlite) / f"{size}.sqlite" if args.keep_sqlite else None
                ) as engine:
                    rows += run(engine, db, size, args.writes, args.seed, args.snapshots)
            else:
                with postgres_engine(args.pg_url) as engine:
                    rows += run(engine, db, size, args.writes, args.seed, args.snapshots)
    load = os.getloadavg()
    print(f"\nOne tie write, {args.writes} writes each, load average {load[0]:.2f} {load[1]:.2f}")
    print("\n| db | actors | what | n | median ms | max ms | cpu ms (median) | target |")
    print("|---|---:|---|---:|---:|---:|---:|---|")
    for r in rows:
        api = r["what"].startswith("POST")
        verdict = ""
        if api and r["actors"] >= 100_000:
            verdict = f"≤ {TARGET_MS:.0f} ms: {'yes' if r['median'] <= TARGET_MS else 'no'}"
        print(
            f"| {r['db']} | {r['actors']:,} | {r['what']} | {r['n']} | {r['median']:.1f} | "
            f"{r['max']:.1f} | {r['cpu']:.1f} | {verdict} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
