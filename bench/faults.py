"""Fault and overload bench: the long forms of ``tests/faults`` (which CI runs short).

    .venv/bin/python bench/faults.py                 # everything, SQLite and PostgreSQL
    .venv/bin/python bench/faults.py --only pool --seconds 30 --clients 64
    .venv/bin/python bench/faults.py --quick         # a few seconds per scenario

Scenarios (each on SQLite and, with ``--pg-url`` / ``NETWERK_BENCH_POSTGRES_URL``, on
PostgreSQL; default ``postgresql://postgres@127.0.0.1:5432/postgres``, an admin URL: a
temporary database is created and dropped):

* ``pool``: N concurrent clients on ONE worker for S seconds on the analysis routes (the
  dashboard's mix, cached per revision), with 16 clients as the baseline in the same run:
  statuses, p50/p99 latency, requests per second. Before the fix this jammed at ~16.
* ``audit``: 2 workers, a large import in flight, 35 person reads and 5 writes meanwhile:
  how many reads were served without their audit row (must be 0), refused (503), and the
  longest wait.
* ``redis``: 16 clients for S seconds with a private redis-server that is stopped halfway:
  statuses (no 500) and what /ready said.
* ``kill``: kill -9 in the middle of a 50,000-row import, K times (kill moments drawn from a
  seeded RNG; the seed is printed): network, indexes and integrity unchanged, then healthy.
* ``writers``: W writers on 4 workers (PostgreSQL) or 2 (SQLite), each making N writes:
  writes lost, revision delta vs. acknowledged writes, stale summaries.

Progress goes to stderr, the table to stdout, with the machine load when the run began.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.harness import (  # noqa: E402
    analysis_paths,
    concurrent_writers,
    db_state,
    import_file,
    kill_mid_import,
    load,
    prepare_database,
    redis_server,
    server,
)

ROWS: list[tuple[str, ...]] = []


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def row(*cells: object) -> None:
    ROWS.append(tuple(str(c) for c in cells))
    log("  " + " | ".join(str(c) for c in cells))


@contextmanager
def database(backend: str, pg_admin: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="netwerk-faults-") as tmp:
            yield f"sqlite:///{tmp}/faults.db"
        return
    name = f"netwerk_faults_{uuid.uuid4().hex[:8]}"
    admin_url = sa.engine.make_url(pg_admin).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fmt_statuses(statuses: dict[int, int], errors: dict[str, int]) -> str:
    parts = [f"{k}×{v}" for k, v in sorted(statuses.items())]
    parts += [f"{k}×{v}" for k, v in sorted(errors.items())]
    return " ".join(parts) or "-"


def pool(backend: str, pg: str, args: argparse.Namespace) -> None:
    with database(backend, pg) as url:
        db = prepare_database(url, actors=args.actors)
        with server(url) as srv:
            paths = analysis_paths(db.network_id)
            load(srv.base, paths, db.headers, clients=4, seconds=2)  # warm the caches
            for clients in (16, args.clients):
                r = load(srv.base, paths, db.headers, clients=clients, seconds=args.seconds)
                row(
                    "pool",
                    backend,
                    f"{clients} clients, 1 worker, {args.seconds:g} s"
                    + (" (baseline)" if clients == 16 else ""),
                    fmt_statuses(r.statuses, r.errors),
                    f"p50 {r.percentile(0.5) * 1000:.0f} ms, p99 {r.percentile(0.99) * 1000:.0f} ms"
                    f", max {max(r.latencies, default=0) * 1000:.0f} ms",
                    f"{r.count / r.seconds:.1f} req/s",
                )


def audit(backend: str, pg: str, args: argparse.Namespace) -> None:
    with database(backend, pg) as url:
        db = prepare_database(url, actors=args.actors)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            persons = list(
                conn.execute(
                    sa.text(
                        "SELECT id FROM actors WHERE network_id=:n AND kind='resident' LIMIT 35"
                    ),
                    {"n": db.network_id},
                ).scalars()
            )
        with tempfile.TemporaryDirectory() as tmp, server(url, workers=2) as srv:
            csv = import_file(Path(tmp) / "big.csv", args.import_rows, prefix="Bulk")
            done: dict[str, object] = {}

            def big_import() -> None:
                start = time.perf_counter()
                r = httpx.post(
                    f"{srv.base}/api/v1/networks/{db.network_id}/import",
                    params={"format": "csv", "table": "actors"},
                    content=csv.read_bytes(),
                    headers=db.headers,
                    timeout=600,
                )
                done["status"] = r.status_code
                done["seconds"] = time.perf_counter() - start

            importer = threading.Thread(target=big_import)
            importer.start()
            time.sleep(1.0)
            reads: list[tuple[str, int, float]] = []
            writes: list[tuple[int, float]] = []

            def reader(ids: list[str], w: int) -> None:
                with httpx.Client(base_url=srv.base, headers=db.headers, timeout=120) as c:
                    for i, pid in enumerate(ids):
                        rid = f"bench-read-{w}-{i}-{uuid.uuid4().hex[:6]}"
                        start = time.perf_counter()
                        r = c.get(
                            f"/api/v1/networks/{db.network_id}/actors/{pid}",
                            headers={"X-Request-ID": rid},
                        )
                        reads.append(
                            (
                                rid if r.status_code == 200 else "",
                                r.status_code,
                                time.perf_counter() - start,
                            )
                        )
                        if i < 1:
                            start = time.perf_counter()
                            r = c.post(
                                f"/api/v1/networks/{db.network_id}/actors",
                                json={"kind": "organisation", "name": f"During {w}"},
                            )
                            writes.append((r.status_code, time.perf_counter() - start))
                        time.sleep(0.1)

            threads = [threading.Thread(target=reader, args=(persons[w::5], w)) for w in range(5)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            importer.join()
        with engine.connect() as conn:
            audited = set(
                conn.execute(
                    sa.text("SELECT request_id FROM audit_events WHERE request_id LIKE 'bench-%'")
                ).scalars()
            )
        engine.dispose()
        served = [r for r in reads if r[1] == 200]
        unaudited = sum(1 for rid, _, _ in served if rid not in audited)
        statuses: dict[int, int] = {}
        for _, code, _ in reads:
            statuses[code] = statuses.get(code, 0) + 1
        row(
            "audit",
            backend,
            f"2 workers, import of {args.import_rows:,} rows ({done.get('status')}, "
            f"{float(done.get('seconds', 0)):.1f} s), {len(reads)} person reads, "
            f"{len(writes)} writes",
            f"reads {fmt_statuses(statuses, {})}; writes "
            + fmt_statuses({c: sum(1 for w in writes if w[0] == c) for c, _ in writes}, {}),
            f"served unaudited: {unaudited}; longest read {max(r[2] for r in reads):.2f} s, "
            f"longest write {max((w[1] for w in writes), default=0):.2f} s",
            "-",
        )


def redis(backend: str, pg: str, args: argparse.Namespace) -> None:
    with database(backend, pg) as url:
        db = prepare_database(url, actors=args.actors)
        paths = [
            f"/api/v1/networks/{db.network_id}",
            f"/api/v1/networks/{db.network_id}/actors?limit=5",
            *analysis_paths(db.network_id)[:2],
        ]
        with redis_server() as (redis_url, stop):
            env = {"NETWERK_REDIS_URL": redis_url, "NETWERK_RATE_LIMIT_PER_MINUTE": "1000000"}
            with server(url, env, workers=2) as srv:
                half = args.seconds / 2
                stopper = threading.Timer(half, stop)
                stopper.start()
                r = load(srv.base, paths, db.headers, clients=16, seconds=args.seconds)
                ready = httpx.get(f"{srv.base}/ready").json()
        row(
            "redis",
            backend,
            f"16 clients, 2 workers, {args.seconds:g} s, Redis stopped at {half:g} s",
            fmt_statuses(r.statuses, r.errors),
            f"/ready: {ready['status']} (redis {ready['redis']}); p99 "
            f"{r.percentile(0.99) * 1000:.0f} ms",
            f"{r.count / r.seconds:.1f} req/s",
        )


def kill(backend: str, pg: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with database(backend, pg) as url, tempfile.TemporaryDirectory() as tmp:
        db = prepare_database(url, actors=args.actors)
        csv = import_file(Path(tmp) / "big.csv", args.import_rows)
        before = db_state(url, db.network_id)
        unchanged = mid = 0
        for _ in range(args.kills):
            if kill_mid_import(url, db.network_id, csv, after_s=rng.uniform(1.5, 4.0)):
                mid += 1
            if db_state(url, db.network_id) == before:
                unchanged += 1
        with server(url) as srv:
            ok = (
                httpx.get(f"{srv.base}/ready").json()["status"] == "ready"
                and httpx.get(
                    f"{srv.base}/api/v1/networks/{db.network_id}/analysis/summary",
                    headers=db.headers,
                    timeout=60,
                ).status_code
                == 200
            )
        row(
            "kill -9",
            backend,
            f"{args.kills} kills mid-import of {args.import_rows:,} rows (seed {args.seed})",
            f"{mid} hit mid-import; unchanged after {unchanged} of {args.kills}",
            f"integrity {db_state(url, db.network_id).integrity}; healthy after restart: {ok}",
            "-",
        )


def writers(backend: str, pg: str, args: argparse.Namespace) -> None:
    workers = 2 if backend == "sqlite" else 4
    with database(backend, pg) as url:
        db = prepare_database(url, actors=args.actors)
        before = db_state(url, db.network_id)
        start = time.perf_counter()
        with server(url, workers=workers) as srv:
            r = concurrent_writers(
                srv.base,
                db.network_id,
                db.headers,
                writers=8,
                writes_each=args.writes,
                read_every=max(1, args.writes // 15),  # 8 × 15 = 120 fresh summary reads
            )
        took = time.perf_counter() - start
        after = db_state(url, db.network_id)
        lost = r.acknowledged - (after.actors - before.actors)
        row(
            "writers",
            backend,
            f"8 writers × {args.writes} writes, {workers} workers",
            f"acknowledged {r.acknowledged}, lost {lost}, 503-retried {r.retried_503}, "
            f"other {dict(r.other) or 0}",
            f"revision +{after.revision - before.revision} (exact: "
            f"{after.revision - before.revision == r.acknowledged}); stale summaries "
            f"{r.stale_reads} of {r.reads}",
            f"{r.acknowledged / took:.1f} writes/s",
        )


SCENARIOS = {"pool": pool, "audit": audit, "redis": redis, "kill": kill, "writers": writers}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--only", choices=sorted(SCENARIOS), action="append")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--pg-url",
        default=os.environ.get(
            "NETWERK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--actors", type=int, default=2000)
    p.add_argument("--import-rows", type=int, default=50_000)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--writes", type=int, default=300)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--quick", action="store_true", help="a few seconds per scenario")
    args = p.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2**31)
    if args.quick:
        args.seconds, args.actors, args.import_rows = 4.0, 300, 30_000
        args.kills, args.writes = 2, 10
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    load_avg = os.getloadavg()
    log(f"seed {args.seed}; load average {load_avg[0]:.1f} on {os.cpu_count()} cores")
    for name in args.only or list(SCENARIOS):
        for backend in backends:
            log(f"{name} on {backend} …")
            SCENARIOS[name](backend, args.pg_url, args)
    print(
        f"\nFault bench (seed {args.seed}; load average at start {load_avg[0]:.1f} / "
        f"{load_avg[1]:.1f} / {load_avg[2]:.1f} on {os.cpu_count()} cores)\n"
    )
    header = ("scenario", "db", "load", "answers", "figures", "rate")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in ROWS:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
