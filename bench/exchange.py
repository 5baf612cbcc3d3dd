"""Benchmark: export and import of a city-sized network in CSV and GraphML.

    .venv/bin/python bench/exchange.py              # 100,000 actors, SQLite and PostgreSQL
    .venv/bin/python bench/exchange.py --actors 20000 --db sqlite --formats csv

A synthetic neighbourhood (:mod:`netwerk.synth`, ~10 ties per actor) is loaded once per
database; each format is then exported from it (timed, streamed to a temporary file) and that
file imported into a new, empty network (timed, one transaction, committed). Targets: import
<= 90 s, export <= 30 s. PostgreSQL: ``--pg-url`` or ``NETWERK_BENCH_POSTGRES_URL`` (an admin
URL; a temporary database is created and dropped), default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``.

Progress goes to stderr, the table to stdout. Wall-clock seconds are what the targets are
about; the ``(cpu)`` columns are this process's CPU seconds (the database server's own work
on PostgreSQL is not in them), useful when other work shares the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netwerk import synth  # noqa: E402
from netwerk.exchange import export_network, import_network  # noqa: E402
from netwerk.model import new_id  # noqa: E402
from netwerk.store.db import make_engine  # noqa: E402
from netwerk.store.migrate import upgrade  # noqa: E402
from netwerk.store.tables import Network  # noqa: E402

IMPORT_TARGET_S = 90.0
EXPORT_TARGET_S = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def sqlite_engine() -> Iterator[sa.Engine]:
    with tempfile.TemporaryDirectory(prefix="netwerk-bench-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(admin_url: str) -> Iterator[sa.Engine]:
    name = f"netwerk_exchange_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def new_network(engine: sa.Engine, name: str) -> str:
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name=name, revision=1))
    return network_id


def progress_printer(label: str) -> object:
    last = [0.0]

    def show(phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= 2 or (total is not None and done >= total):
            last[0] = now
            of = f"/{total:,}" if total else ""
            log(f"  {label}: {phase} {done:,}{of}")

    return show


def run(engine: sa.Engine, db: str, n_actors: int, formats: list[str], seed: int) -> list[dict]:
    log(f"[{db}] generating {n_actors:,} actors ...")
    t0 = time.perf_counter()
    network = synth.generate(n_actors, seed=seed)
    log(
        f"[{db}] generated {len(network.actors):,} actors, {len(network.ties):,} ties "
        f"in {time.perf_counter() - t0:.1f} s; loading ..."
    )
    source = new_network(engine, "Bench source")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        synth.load(conn, source, network)
    log(f"[{db}] loaded in {time.perf_counter() - t0:.1f} s")
    n_ties = len(network.ties)
    del network
    rows = []
    for fmt in formats:
        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
            log(f"[{db}] export {fmt} ...")
            t0, c0 = time.perf_counter(), time.process_time()
            with engine.connect() as conn:
                export = export_network(conn, source, fmt, history=True)  # every tie
            size = 0
            with open(tmp.name, "wb") as out:
                for chunk in export:
                    out.write(chunk)
                    size += len(chunk)
            export_s = time.perf_counter() - t0
            export_cpu = time.process_time() - c0
            log(f"[{db}] export {fmt}: {export_s:.1f} s, {size / 1e6:.1f} MB")
            target = new_network(engine, f"Bench import {fmt}")
            log(f"[{db}] import {fmt} ...")
            t0, c0 = time.perf_counter(), time.process_time()
            with engine.begin() as conn, open(tmp.name, "rb") as data:
                report = import_network(
                    conn,
                    target,
                    data,
                    fmt,
                    progress=progress_printer(f"{db} {fmt}"),  # type: ignore[arg-type]
                    max_bytes=max(size + 1, 1_000_000),
                )
            import_s = time.perf_counter() - t0
            import_cpu = time.process_time() - c0
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
            log(f"[{db}] import {fmt}: {import_s:.1f} s ({phases})")
            with engine.connect() as conn:
                got_actors = conn.scalar(
                    sa.text("SELECT count(*) FROM actors WHERE network_id = :n"), {"n": target}
                )
                got_ties = conn.scalar(
                    sa.text("SELECT count(*) FROM ties WHERE network_id = :n"), {"n": target}
                )
            rows.append(
                {
                    "db": db,
                    "format": fmt,
                    "actors": report.actors_created,
                    "ties": report.ties_created,
                    "expected_ties": n_ties,
                    "complete": got_actors == n_actors and got_ties == n_ties,
                    "size_mb": size / 1e6,
                    "export_s": export_s,
                    "import_s": import_s,
                    "export_cpu": export_cpu,
                    "import_cpu": import_cpu,
                }
            )
    return rows


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'database':<10} {'format':<8} {'actors':>8} {'ties':>10} {'file MB':>8} "
        f"{'export s':>9} {'(cpu)':>6} {'import s':>9} {'(cpu)':>6}  {'complete':<8} "
        "targets (export<=30 s, import<=90 s)"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ok = r["export_s"] <= EXPORT_TARGET_S and r["import_s"] <= IMPORT_TARGET_S
        print(
            f"{r['db']:<10} {r['format']:<8} {r['actors']:>8,} {r['ties']:>10,} "
            f"{r['size_mb']:>8.1f} {r['export_s']:>9.1f} {r['export_cpu']:>6.1f} "
            f"{r['import_s']:>9.1f} {r['import_cpu']:>6.1f}  "
            f"{'yes' if r['complete'] else 'NO':<8} {'met' if ok else 'MISSED'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--formats", default="csv,graphml")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "NETWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    rows: list[dict] = []
    if args.db in ("sqlite", "both"):
        with sqlite_engine() as engine:
            rows += run(engine, "sqlite", args.actors, formats, args.seed)
    if args.db in ("postgres", "both"):
        with postgres_engine(args.pg_url) as engine:
            rows += run(engine, "postgres", args.actors, formats, args.seed)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
