"""Global results shared between workers (issue 12, item 3): 4 uvicorn workers on one SQLite
file, one tie written, then a global analysis read from all workers.

    .venv/bin/python bench/shared_results.py                        # 5,000 actors, key figures
    .venv/bin/python bench/shared_results.py --actors 10000 --rounds 5 --route communities

Two modes, each with its own server started on the same database in the same run:

* ``shared``: ``NETWERK_REDIS_URL`` set (a private redis-server): the first read after a
  write may answer the last result marked stale while one worker recomputes; the others read
  the new result from Redis;
* ``baseline``: no Redis and ``fresh=true`` (the behaviour before issue 12): each worker
  recomputes the result of the new revision itself, and a read waits for it.

Per round: one tie written, then the first read after it (its time and whether it was
stale), then 16 concurrent reads (spread over the 4 workers by the kernel), then reads until
every answer is fresh, then 16 more concurrent reads so that every worker has read the new
revision. Computations are counted from the workers' own metric
``netwerk_analysis_duration_seconds_count{analysis="route.<route>"}`` summed over the workers
(prometheus multiprocess mode); the target is one per revision in ``shared`` mode. Server CPU
time (user + system of all its processes, from ``RUSAGE_CHILDREN`` after it stopped) and the
load average are printed beside the wall times.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.harness import prepare_database, redis_server, server  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def computations(base: str, route: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=30).text
    name = f'netwerk_analysis_duration_seconds_count{{analysis="route.{route}"}}'
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_mode(
    mode: str, url: str, nid: str, headers: dict[str, str], pairs: list[tuple[str, str]], args: Any
) -> dict[str, Any]:
    path = f"/api/v1/networks/{nid}/analysis/{args.route.replace('_', '-')}"
    params = {"fresh": "true"} if mode == "baseline" else {}
    out: dict[str, Any] = {"first": [], "burst_p50": [], "burst_max": [], "stale": 0, "per": []}
    refused: list[str] = []
    out["refused"] = refused
    with tempfile.TemporaryDirectory(prefix="netwerk-prom-") as prom, _redis(mode) as redis_url:
        env = {
            "NETWERK_METRICS": "true",
            "PROMETHEUS_MULTIPROC_DIR": prom,
            "NETWERK_ANALYSIS_TIMEOUT_S": "600",
            "NETWERK_EXACT_BETWEENNESS_MAX": str(args.exact_max),
            # a bench of computations, not of overload: requests wait for a slot
            "NETWERK_QUEUE_TIMEOUT_S": "300",
            "NETWERK_POOL_TIMEOUT_S": "60",
        }
        if redis_url:
            env["NETWERK_REDIS_URL"] = redis_url
        cpu0 = children_cpu()
        wall0 = time.perf_counter()
        with (
            server(url, env, workers=4) as srv,
            httpx.Client(base_url=srv.base, headers=headers, timeout=600) as client,
            ThreadPoolExecutor(16) as pool,
        ):

            def get(p: dict[str, str] | None = None) -> tuple[float, bool]:
                t = time.perf_counter()
                r = client.get(path, params=p if p is not None else params)
                if r.status_code != 200:  # counted and shown, never hidden
                    refused.append(f"{r.status_code} {r.json().get('type', '')}")
                    return time.perf_counter() - t, False
                return time.perf_counter() - t, r.headers.get("X-Netwerk-Stale") == "true"

            def burst() -> list[tuple[float, bool]]:
                return list(pool.map(lambda _: get(), range(16)))

            log(f"[{mode}] warming 4 workers")
            get({})
            burst()
            burst()
            for n in range(args.rounds):
                a, b = pairs[n]
                r = client.post(
                    f"/api/v1/networks/{nid}/ties",
                    json={"source": a, "target": b, "kind": "knows"},
                )
                assert r.status_code == 201, r.text
                before = computations(srv.base, args.route)
                seen = len(refused)
                first, stale = get()
                times = burst()
                while any(s for _, s in burst()) or refused[seen:]:
                    seen = len(refused)
                burst()
                done = computations(srv.base, args.route) - before
                lat = sorted(t for t, _ in times)
                out["first"].append(first)
                out["burst_p50"].append(statistics.median(lat))
                out["burst_max"].append(lat[-1])
                out["stale"] += stale + sum(s for _, s in times)
                out["per"].append(done)
                log(
                    f"[{mode}] round {n + 1}: first read {first * 1000:.0f} ms "
                    f"({'stale' if stale else 'fresh'}), burst p50 {lat[len(lat) // 2] * 1000:.0f} "
                    f"ms max {lat[-1] * 1000:.0f} ms, computations {done:g}"
                )
        out["wall"] = time.perf_counter() - wall0
        out["cpu"] = children_cpu() - cpu0
    return out


class _redis:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.ctx: Any = None

    def __enter__(self) -> str | None:
        if self.mode != "shared":
            return None
        self.ctx = redis_server()
        url, _stop = self.ctx.__enter__()
        return str(url)

    def __exit__(self, *exc: Any) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(*exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--route", default="key_figures")
    parser.add_argument("--exact-max", type=int, default=5000)
    args = parser.parse_args()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="netwerk-shared-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        log(f"preparing {args.actors} actors")
        db = prepare_database(url, actors=args.actors, seed=12)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM actors ORDER BY id"))]
            tied = {
                frozenset(r) for r in conn.execute(sa.text("SELECT source_id, target_id FROM ties"))
            }
        engine.dispose()
        rng = random.Random(12)
        pairs: list[tuple[str, str]] = []
        while len(pairs) < 2 * args.rounds:
            a, b = rng.sample(ids, 2)
            if frozenset((a, b)) not in tied:
                tied.add(frozenset((a, b)))
                pairs.append((a, b))
        results = {
            "shared": run_mode(
                "shared", url, db.network_id, db.headers, pairs[: args.rounds], args
            ),
            "baseline": run_mode(
                "baseline", url, db.network_id, db.headers, pairs[args.rounds :], args
            ),
        }
    load_end = os.getloadavg()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.0f} / {max(values) * 1000:.0f}"

    print(
        f"\n{args.actors} actors, route {args.route}, 4 workers, SQLite, {args.rounds} writes "
        f"per mode; load average {load_start[0]:.1f} at start, {load_end[0]:.1f} at end "
        f"({os.cpu_count()} cores)\n"
    )
    print(
        "| mode | first read after a write, ms (median / max) | stale answers | 16 reads after "
        "it: p50, ms (median / max) | max, ms (median / max) | computations per write "
        "(4 workers) | not 200 | server wall s | server CPU s |"
    )
    print("|---|---:|---:|---:|---:|---|---|---:|---:|")
    for mode, r in results.items():
        print(
            f"| {mode} | {ms(r['first'])} | {r['stale']} of {17 * args.rounds} | "
            f"{ms(r['burst_p50'])} | {ms(r['burst_max'])} | "
            f"{', '.join(f'{c:g}' for c in r['per'])} | {len(r['refused'])} "
            f"{sorted(set(r['refused']))} | {r['wall']:.1f} | {r['cpu']:.1f} |"
        )


if __name__ == "__main__":
    main()
