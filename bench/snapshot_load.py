"""The snapshot load against a plain columnar read, in the same run (issue 12, item 5).

    .venv/bin/python bench/snapshot_load.py [--sizes 10000 100000] [--repeat 3]
        [--keep-dir DIR] [--postgres-url URL | --no-postgres]

For each size and database, a ``netwerk.synth.generate(N)`` network (about ten ties per
actor) is stored once (``--keep-dir`` keeps the SQLite files and, on PostgreSQL, the database
``netwerk_snapload_bench``, so later runs reuse them). Then, alternating, ``--repeat`` times:

* **plain**: the raw driver (``sqlite3`` / ``psycopg``) reads the actor ids in id order and
  the active ties' ``source_id, target_id`` (one query each, ``fetchall`` of tuples), maps
  them to vertex numbers column-wise (``np.fromiter`` over a dict) and builds
  ``igraph.Graph(n, edges)``: the least any load must do;
* **engine**: ``netwerk.store.snapshot.load_snapshot`` (all actor attributes, tie kinds,
  strength and support, parallel ties collapsed, referrals).

Prints a Markdown table (medians: wall seconds, CPU seconds of this process plus, on
PostgreSQL, of its backend; the ratio engine/plain on both) and the load average. Progress
goes to stderr. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

import igraph
import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from databases import postgres_engine, sqlite_engine

from netwerk import synth
from netwerk.model import new_id
from netwerk.store.tables import Network

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "netwerk_snapload_bench"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def loader() -> Callable[..., Any]:
    try:
        from netwerk.store.snapshot import load_snapshot
    except ImportError:  # before the loader moved into the store (to compare)
        from netwerk.graph import load_snapshot  # type: ignore[attr-defined,no-redef]
    return load_snapshot


def forget() -> None:
    """Drop the snapshots kept to advance by the change log (issue 12): without this every
    load after the first returns the kept snapshot of the unchanged revision."""
    try:
        from netwerk.store import delta
    except ImportError:  # before the change log (to compare)
        return
    delta.forget()


def ensure_network(engine: sa.Engine, n: int, seed: int) -> str:
    name = f"Bench snapshot load {n} {seed}"
    with engine.connect() as conn:
        found = conn.scalar(sa.select(Network.id).where(Network.name == name))
    if found is not None:
        return str(found)
    log(f"  generating {n:,} actors ...")
    t0 = time.perf_counter()
    network = synth.generate(n, seed=seed, fresh_ids=True)  # ids unique across sizes
    log(f"  {len(network.ties):,} ties in {time.perf_counter() - t0:.1f} s; storing ...")
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name=name, revision=1))
        synth.load(conn, network_id, network)
    log(f"  stored in {time.perf_counter() - t0:.1f} s")
    return network_id


def backend_pid(conn: sa.Connection) -> int | None:
    if conn.dialect.name != "postgresql":
        return None
    pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    return pid if os.access(f"/proc/{pid}/stat", os.R_OK) else None


def process_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plain_load(conn: sa.Connection, network_id: str, day: dt.date) -> igraph.Graph:
    """Raw driver: actor ids and active tie endpoints, fetchall, column-wise to igraph."""
    postgres = conn.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    cur.execute(f"SELECT id FROM actors WHERE network_id = {mark} ORDER BY id", (network_id,))
    ids = [r[0] for r in cur.fetchall()]
    index = {a: i for i, a in enumerate(ids)}
    cur.execute(
        "SELECT source_id, target_id FROM ties WHERE network_id = "
        f"{mark} AND (since IS NULL OR since <= {mark}) AND (until IS NULL OR until >= {mark})",
        (network_id, day, day),
    )
    rows = cur.fetchall()
    cur.close()
    m = len(rows)
    src = np.fromiter(map(index.__getitem__, map(itemgetter(0), rows)), np.int64, m)
    dst = np.fromiter(map(index.__getitem__, map(itemgetter(1), rows)), np.int64, m)
    return igraph.Graph(
        n=len(ids), edges=list(zip(src.tolist(), dst.tolist(), strict=True)), directed=False
    )


def _with_graph(snapshot: Any) -> Any:
    snapshot.graph  # noqa: B018 - built lazily
    return snapshot


def timed(engine: sa.Engine, fn: Callable[[sa.Connection], Any]) -> tuple[float, float, Any]:
    gc.collect()
    with engine.connect() as conn:
        pid = backend_pid(conn)
        b0 = process_cpu(pid)
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn(conn)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        cpu += process_cpu(pid) - b0
        conn.rollback()
    return wall, cpu, out


def bench(engine: sa.Engine, db: str, n: int, repeat: int, seed: int) -> dict[str, Any]:
    network_id = ensure_network(engine, n, seed)
    load = loader()
    day = dt.date.today()
    plain: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    edges = ties = 0
    for i in range(repeat):
        w, c, g = timed(engine, lambda conn: plain_load(conn, network_id, day))
        plain.append((w, c))
        ties = g.ecount()
        del g
        forget()  # a full load each time, not the snapshot kept for the change log
        # the igraph graph is built on first use (netwerk.graph.Snapshot.graph): asked for
        # here, so both sides end with one
        w2, c2, s = timed(engine, lambda conn: _with_graph(load(conn, network_id, as_of=day)))
        ours.append((w2, c2))
        edges = s.m
        del s
        log(
            f"  [{db} {n:,}] run {i + 1}: plain {w:.2f} s ({c:.2f} CPU), engine {w2:.2f} s "
            f"({c2:.2f} CPU)"
        )
    pw, pc = (statistics.median(x[k] for x in plain) for k in (0, 1))
    ew, ec = (statistics.median(x[k] for x in ours) for k in (0, 1))
    return {
        "db": db,
        "actors": n,
        "ties": ties,
        "edges": edges,
        "pw": pw,
        "pc": pc,
        "ew": ew,
        "ec": ec,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-dir", help="keep the SQLite files (and the PostgreSQL database)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("NETWERK_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    if args.keep_dir:
        Path(args.keep_dir).mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        if not args.no_sqlite:
            log(f"SQLite, {n:,} actors")
            with sqlite_engine(
                Path(args.keep_dir) / f"snapload-{n}.db" if args.keep_dir else None
            ) as engine:
                results.append(bench(engine, "SQLite", n, args.repeat, args.seed))
        if not args.no_postgres:
            log(f"PostgreSQL, {n:,} actors")
            with postgres_engine(args.postgres_url, PG_DATABASE) as engine:
                results.append(bench(engine, "PostgreSQL", n, args.repeat, args.seed))
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"medians of {args.repeat}; CPU includes the PostgreSQL backend\n"
    )
    print(
        "| database | actors | active ties | edges | plain wall s | plain CPU s "
        "| engine wall s | engine CPU s | wall ratio | CPU ratio |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in results:
        print(
            f"| {r['db']} | {r['actors']:,} | {r['ties']:,} | {r['edges']:,} "
            f"| {r['pw']:.2f} | {r['pc']:.2f} | {r['ew']:.2f} | {r['ec']:.2f} "
            f"| {r['ew'] / r['pw']:.2f} | {r['ec'] / max(r['pc'], 1e-9):.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
