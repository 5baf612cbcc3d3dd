"""Benchmark: export and import of a city-sized network in CSV, GraphML and Parquet.

    .venv/bin/python bench/exchange.py              # 100,000 actors, SQLite and PostgreSQL
    .venv/bin/python bench/exchange.py --actors 20000 --db sqlite --formats csv
    .venv/bin/python bench/exchange.py --actors 1000000 --db sqlite --formats parquet,csv \
        --no-import                                  # the million-actor export

A synthetic neighbourhood (:mod:`netwerk.synth`, ~10 ties per actor) is loaded once per
database; each format is then exported from it (timed, streamed to a temporary file) and that
file imported into a new, empty network (timed, one transaction, committed). Targets: import
<= 90 s, export <= 30 s. PostgreSQL: ``--pg-url`` or ``NETWERK_BENCH_POSTGRES_URL`` (an admin
URL; a temporary database is created and dropped), default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``.

Every export and import runs in a fresh child process (this script with ``--child``), so
that its peak resident memory (``peak MB``, the child's ``VmHWM``, the interpreter and its
imports included) is that of the export or import alone, not of the generator that made the
network. Parquet targets: 100k actors
exported in <= 5 s into <= 30 MB; 1M actors in <= 60 s and <= 2 GB.

Progress goes to stderr, the table to stdout. Wall-clock seconds are what the targets are
about; the ``(cpu)`` columns are this process's CPU seconds (the database server's own work
on PostgreSQL is not in them), useful when other work shares the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from databases import postgres_engine, sqlite_engine  # noqa: E402  (bench/databases.py)

from netwerk import synth  # noqa: E402
from netwerk.exchange import export_network, import_network  # noqa: E402
from netwerk.model import new_id  # noqa: E402
from netwerk.store.db import make_engine  # noqa: E402
from netwerk.store.tables import Network  # noqa: E402

IMPORT_TARGET_S = 90.0
EXPORT_TARGET_S = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


def child(argv: list[str]) -> int:
    """One export or import in this process; prints its figures as JSON (see the docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["export", "import"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--network", required=True)
    parser.add_argument("--format", required=True)
    parser.add_argument("--file", required=True)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    t0, c0 = time.perf_counter(), time.process_time()
    out: dict = {}
    if args.what == "export":
        with engine.connect() as conn:
            export = export_network(conn, args.network, args.format, history=True)  # every tie
        size = 0
        with open(args.file, "wb") as fh:
            for chunk in export:
                fh.write(chunk)
                size += len(chunk)
        out = {"size": size, "actors": export.actors, "ties": export.ties}
    else:
        size = os.path.getsize(args.file)
        with engine.begin() as conn, open(args.file, "rb") as data:
            report = import_network(
                conn,
                args.network,
                data,
                args.format,
                progress=progress_printer(f"import {args.format}"),  # type: ignore[arg-type]
                max_bytes=max(size + 1, 1_000_000),
            )
        out = {
            "actors": report.actors_created,
            "ties": report.ties_created,
            "phases": report.seconds,
        }
    out["seconds"] = time.perf_counter() - t0
    out["cpu"] = time.process_time() - c0
    out["peak_mb"] = peak_mb()
    engine.dispose()
    print(json.dumps(out))
    return 0


def peak_mb() -> float:
    """This process's peak resident memory since it started: ``VmHWM`` of /proc/self/status
    (``ru_maxrss`` would do on other systems, but on Linux it keeps the parent's peak across
    fork and exec, so a child would report the generator's memory)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    engine: sa.Engine,
    db: str,
    n_actors: int,
    formats: list[str],
    seed: int,
    *,
    do_import: bool = True,
) -> list[dict]:
    name = f"Bench source {n_actors} {seed}"
    with engine.connect() as conn:
        source = conn.scalar(sa.select(Network.id).where(Network.name == name))
        if source is not None:
            n_ties = conn.scalar(
                sa.text("SELECT count(*) FROM ties WHERE network_id = :n"), {"n": source}
            )
    if source is not None:
        log(f"[{db}] reusing {name} ({n_ties:,} ties)")
    else:
        log(f"[{db}] generating {n_actors:,} actors ...")
        t0 = time.perf_counter()
        network = synth.generate(n_actors, seed=seed)
        log(
            f"[{db}] generated {len(network.actors):,} actors, {len(network.ties):,} ties "
            f"in {time.perf_counter() - t0:.1f} s; loading ..."
        )
        source = new_network(engine, name)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            synth.load(conn, source, network)
        log(f"[{db}] loaded in {time.perf_counter() - t0:.1f} s")
        n_ties = len(network.ties)
        del network
    url = engine.url.render_as_string(hide_password=False)
    rows = []
    for fmt in formats:
        with tempfile.TemporaryDirectory(prefix="netwerk-bench-") as tmp:
            path = str(Path(tmp) / f"export.{fmt}")
            log(f"[{db}] export {fmt} ...")
            exported = in_child(
                "export", "--url", url, "--network", source, "--format", fmt, "--file", path
            )
            log(
                f"[{db}] export {fmt}: {exported['seconds']:.1f} s, "
                f"{exported['size'] / 1e6:.1f} MB, peak {exported['peak_mb']:.0f} MB"
            )
            row = {
                "db": db,
                "format": fmt,
                "actors": exported["actors"],
                "ties": exported["ties"],
                "expected_ties": n_ties,
                "size_mb": exported["size"] / 1e6,
                "export_s": exported["seconds"],
                "export_cpu": exported["cpu"],
                "export_peak_mb": exported["peak_mb"],
                "import_s": None,
                "import_cpu": None,
                "import_peak_mb": None,
                "complete": exported["actors"] == n_actors and exported["ties"] == n_ties,
            }
            if do_import:
                target = new_network(engine, f"Bench import {fmt}")
                log(f"[{db}] import {fmt} ...")
                imported = in_child(
                    "import", "--url", url, "--network", target, "--format", fmt, "--file", path
                )
                phases = ", ".join(f"{k} {v:.1f} s" for k, v in imported["phases"].items())
                log(f"[{db}] import {fmt}: {imported['seconds']:.1f} s ({phases})")
                with engine.connect() as conn:
                    got_actors = conn.scalar(
                        sa.text("SELECT count(*) FROM actors WHERE network_id = :n"),
                        {"n": target},
                    )
                    got_ties = conn.scalar(
                        sa.text("SELECT count(*) FROM ties WHERE network_id = :n"), {"n": target}
                    )
                row.update(
                    import_s=imported["seconds"],
                    import_cpu=imported["cpu"],
                    import_peak_mb=imported["peak_mb"],
                    complete=got_actors == n_actors and got_ties == n_ties,
                )
            rows.append(row)
    return rows


def _num(value: float | None, width: int, digits: int = 1) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def _verdict(r: dict, n_actors: int) -> str:
    if r["format"] == "parquet":
        if n_actors <= 100_000:
            ok = r["export_s"] <= 5 and r["size_mb"] <= 30
        else:
            ok = r["export_s"] <= 60 and r["export_peak_mb"] <= 2048
    else:
        ok = r["export_s"] <= EXPORT_TARGET_S and (
            r["import_s"] is None or r["import_s"] <= IMPORT_TARGET_S
        )
    return "met" if ok else "MISSED"


def print_table(rows: list[dict], n_actors: int) -> None:
    load = os.getloadavg()
    print(
        f"{n_actors:,} actors; load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    head = (
        f"{'database':<10} {'format':<8} {'actors':>9} {'ties':>10} {'file MB':>8} "
        f"{'export s':>9} {'(cpu)':>6} {'peak MB':>8} {'import s':>9} {'(cpu)':>6} "
        f"{'peak MB':>8}  {'complete':<8} targets"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['db']:<10} {r['format']:<8} {r['actors']:>9,} {r['ties']:>10,} "
            f"{r['size_mb']:>8.1f} {r['export_s']:>9.1f} {r['export_cpu']:>6.1f} "
            f"{r['export_peak_mb']:>8.0f} {_num(r['import_s'], 9)} {_num(r['import_cpu'], 6)} "
            f"{_num(r['import_peak_mb'], 8, 0)}  "
            f"{'yes' if r['complete'] else 'NO':<8} {_verdict(r, n_actors)}"
        )
    print(
        "targets: csv/graphml export <= 30 s, import <= 90 s; parquet 100k export <= 5 s and "
        "<= 30 MB, 1M export <= 60 s in <= 2048 MB peak"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--formats", default="csv,graphml,parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "NETWERK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-import", action="store_true", help="exports only")
    parser.add_argument("--keep-sqlite", help="a SQLite file to keep (and reuse) the network in")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    rows: list[dict] = []
    if args.db in ("sqlite", "both"):
        with sqlite_engine(args.keep_sqlite) as engine:
            rows += run(
                engine, "sqlite", args.actors, formats, args.seed, do_import=not args.no_import
            )
    if args.db in ("postgres", "both"):
        with postgres_engine(args.pg_url) as engine:
            rows += run(
                engine, "postgres", args.actors, formats, args.seed, do_import=not args.no_import
            )
    print_table(rows, args.actors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
