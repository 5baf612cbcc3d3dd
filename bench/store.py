"""Benchmark of the store's bulk paths on a synthetic neighbourhood.

    .venv/bin/python bench/store.py [--actors 100000] [--postgres-url URL] [--no-postgres]

Measures, for ``netwerk.synth.generate(N)`` (about ten ties per actor):

* generation time;
* bulk insert (``netwerk.synth.load``: actors, ties, one revision bump, commit) on SQLite (a
  temporary file) and on PostgreSQL (psycopg 3 COPY);
* a baseline on each database: SQLAlchemy Core ``conn.execute(insert(Tie), list_of_dicts)``
  on a subset of the ties, extrapolated to all ties, rolled back afterwards;
* load into memory: one select per table and ``igraph.Graph(n, edges)`` (``load_igraph``);
* the process's peak resident memory (``ru_maxrss``) after each step.

Prints a Markdown table on stdout; progress goes to stderr. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import igraph
import numpy as np
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.sql.compiler import SQLCompiler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netwerk.model import new_id
from netwerk.store.db import make_engine
from netwerk.store.migrate import upgrade
from netwerk.store.tables import Actor, Network, Tie, utcnow
from netwerk.synth import GENERATE_STEPS, SynthNetwork, generate, load, random_ids

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/netwerk_bench"
err = Console(stderr=True)


@dataclass
class Row:
    step: str
    database: str
    rows: int
    seconds: float
    peak_mib: float
    target: str = ""
    ok: bool | None = None
    cpu: str = ""  # CPU seconds of this process (+ the PostgreSQL backend), load-independent


def record(rows: list[Row], row: Row) -> None:
    rows.append(row)
    err.print(f"  {row.step} [{row.database}]: {row.seconds:.2f} s, peak {row.peak_mib:.0f} MiB")


def backend_pid(conn: sa.Connection) -> int | None:
    """The PostgreSQL backend's process id when it runs on this machine, else None."""
    if conn.dialect.name != "postgresql":
        return None
    pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    return pid if os.access(f"/proc/{pid}/stat", os.R_OK) else None


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def fetch_all(conn: sa.Connection, statement: sa.ClauseElement) -> list[tuple[Any, ...]]:
    """Run a Core select on the DBAPI cursor: plain tuples, without SQLAlchemy's Row objects
    (about 1 µs per row, a second per million ties)."""
    compiled = cast(SQLCompiler, statement.compile(dialect=conn.dialect))
    params = compiled.params
    args: Any = (
        tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load_igraph(conn: sa.Connection, network_id: str) -> igraph.Graph:
    """The network as an igraph Graph: one select per table, vertices in actor order, edge
    attributes ``kind`` and ``strength``, vertex attributes ``id`` and ``kind``."""
    actors = fetch_all(conn, sa.select(Actor.id, Actor.kind).where(Actor.network_id == network_id))
    ids = [a[0] for a in actors]
    index = {actor_id: i for i, actor_id in enumerate(ids)}
    ties = fetch_all(
        conn,
        sa.select(Tie.source_id, Tie.target_id, Tie.kind, Tie.strength).where(
            Tie.network_id == network_id
        ),
    )
    to_index = index.__getitem__
    sources = map(to_index, [t[0] for t in ties])
    targets = map(to_index, [t[1] for t in ties])
    edges = list(zip(sources, targets, strict=True))
    graph = igraph.Graph(n=len(ids), edges=edges, directed=False)
    graph.vs["id"] = ids
    graph.vs["kind"] = [a[1] for a in actors]
    graph.es["kind"] = [t[2] for t in ties]
    graph.es["strength"] = [t[3] for t in ties]
    return graph


def ensure_database(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def new_network(engine: sa.Engine, name: str) -> str:
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name=name))
    return network_id


def drop_network(engine: sa.Engine, network_id: str) -> None:
    """Delete the bench network and vacuum, so that the next run does not insert into a table
    full of dead rows and index entries (that slows COPY down by half)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(Tie).where(Tie.network_id == network_id))
        conn.execute(sa.delete(Actor).where(Actor.network_id == network_id))
        conn.execute(sa.delete(Network).where(Network.id == network_id))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("ties", "actors", "networks"):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def bench_database(
    label: str,
    engine: sa.Engine,
    synth: SynthNetwork,
    baseline_ties: int,
    rows: list[Row],
    *,
    cleanup: bool,
) -> None:
    n_rows = len(synth.actors) + len(synth.ties)
    err.print(f"[bold]{label}[/bold]: migrating")
    upgrade(engine)
    network_id = new_network(engine, f"bench {label}")
    try:
        gc.collect()
        with bar(f"{label}: bulk insert", n_rows) as advance:
            with engine.begin() as conn:
                backend = backend_pid(conn)
                server0, client0 = process_cpu(backend), time.process_time()
                t0 = time.perf_counter()
                load(conn, network_id, synth, progress=advance)
            seconds = time.perf_counter() - t0
            client = time.process_time() - client0
            server = process_cpu(backend) - server0 if backend else 0.0
        cpu = f"{client:.1f}" + (f" + {server:.1f}" if backend else "")
        record(
            rows,
            Row(
                "bulk insert (actors + ties, commit)",
                label,
                n_rows,
                seconds,
                peak_mib(),
                "≤ 30 s",
                seconds <= 30,
                cpu,
            ),
        )

        err.print(f"{label}: baseline Core executemany on {baseline_ties:,} ties")
        subset = min(baseline_ties, len(synth.ties))
        ties = synth.ties
        now = utcnow()
        ids = random_ids(np.random.default_rng(), subset)
        t0 = time.perf_counter()
        payload = [
            {
                "id": ids[i],
                "network_id": network_id,
                "source_id": ties.source_id[i],
                "target_id": ties.target_id[i],
                "kind": ties.kind[i],
                "strength": ties.strength[i],
                "support": ties.support[i],
                "since": ties.since[i],
                "until": ties.until[i],
                "note": None,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(subset)
        ]
        with engine.connect() as conn:
            conn.execute(sa.insert(Tie), payload)
            seconds = time.perf_counter() - t0
            conn.rollback()
        del payload
        record(
            rows,
            Row(
                f"baseline Core executemany, {subset:,} ties → all ties",
                label,
                len(ties),
                seconds * len(ties) / max(subset, 1),
                peak_mib(),
                "(extrapolated)",
            ),
        )

        gc.collect()
        err.print(f"{label}: load into igraph")
        t0, c0 = time.perf_counter(), time.process_time()
        with engine.connect() as conn:
            graph = load_igraph(conn, network_id)
        seconds, load_cpu = time.perf_counter() - t0, time.process_time() - c0
        assert graph.vcount() == len(synth.actors) and graph.ecount() == len(synth.ties)
        del graph
        record(
            rows,
            Row(
                "load into igraph (2 selects + Graph)",
                label,
                n_rows,
                seconds,
                peak_mib(),
                "≤ 5 s",
                seconds <= 5,
                f"{load_cpu:.1f}",
            ),
        )
    finally:
        if cleanup:
            err.print(f"{label}: removing the bench network")
            drop_network(engine, network_id)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("NETWERK_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--baseline-ties", type=int, default=100_000)
    args = parser.parse_args()

    rows: list[Row] = []
    load_start = os.getloadavg()[0]
    with bar("generating", len(GENERATE_STEPS)) as advance:
        t0, c0 = time.perf_counter(), time.process_time()
        synth = generate(args.actors, seed=args.seed, progress=lambda _step: advance(1))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    record(
        rows,
        Row(
            "generate (netwerk.synth)",
            "—",
            len(synth.actors) + len(synth.ties),
            seconds,
            peak_mib(),
            cpu=f"{cpu:.1f}",
        ),
    )
    err.print(
        f"{len(synth.actors):,} actors, {len(synth.ties):,} ties "
        f"({len(synth.ties) / len(synth.actors):.1f} per actor), {rss_mib():.0f} MiB resident"
    )

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        bench_database("SQLite", engine, synth, args.baseline_ties, rows, cleanup=False)

    if not args.no_postgres:
        ensure_database(args.postgres_url)
        engine = make_engine(args.postgres_url)
        bench_database("PostgreSQL", engine, synth, args.baseline_ties, rows, cleanup=True)

    peak = peak_mib()
    print(
        f"\n`bench/store.py --actors {args.actors}`: {len(synth.actors):,} actors, "
        f"{len(synth.ties):,} ties, {os.cpu_count()} CPUs, load average at the start "
        f"{load_start:.1f} and end {os.getloadavg()[0]:.1f}, {dt.date.today()}\n"
    )
    print(
        "| step | database | rows | time (s) | rows/s | CPU s (client + server) "
        "| peak RSS so far (MiB) | target |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        mark = "" if r.ok is None else (" ✓" if r.ok else " ✗")
        rate = f"{r.rows / r.seconds:,.0f}" if r.seconds > 0 else "—"
        print(
            f"| {r.step} | {r.database} | {r.rows:,} | {r.seconds:.2f} | {rate} | {r.cpu} | "
            f"{r.peak_mib:,.0f} | {r.target}{mark} |"
        )
    mark = " ✓" if peak <= 2048 else " ✗"
    print(f"| peak memory of the whole run | — | — | — | — | — | {peak:,.0f} | ≤ 2048{mark} |")


if __name__ == "__main__":
    main()
