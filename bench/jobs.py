"""A long analysis answered ``202 Accepted`` with a status URL (issue 12, item 6): 4 uvicorn
workers on one SQLite file; per round one tie is written, then the global analysis is asked
with ``fresh=true`` (so it must be computed) and followed to its result as the pages do.

    .venv/bin/python bench/jobs.py                                 # 10,000 actors, key figures
    .venv/bin/python bench/jobs.py --actors 20000 --rounds 3 --wait 0.5

Three modes, each with its own server started on the same database in the same run:

* ``wait`` (the baseline): ``NETWERK_ANALYSIS_TIMEOUT_S`` 600 s, the request waits for the
  result (what a request below the wait gets, and what every request got before, up to the
  503);
* ``202 + Redis``: a wait of ``--wait`` seconds and ``NETWERK_REDIS_URL`` (a private
  redis-server): the request answers 202 and 4 clients (the 4 tabs of a wijkteam) follow the
  status URL with its ``Retry-After``; the workers they land on share the computation through
  the lease;
* ``202, no Redis``: the same without Redis: each worker a status request lands on computes
  the result itself.

Reported per mode: the time to the first answer (the 202, or the result), the time until the
first client holds the result, the status requests made, the answers that were neither 200
nor 202 (must be none), and the computations per write summed over the 4 workers (the
workers' own metric ``netwerk_analysis_duration_seconds_count{analysis="route.<route>"}``);
server wall and CPU time (``RUSAGE_CHILDREN`` after it stopped) and the load average beside.
"""

from __future__ import annotations

import argparse
import os
import random
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

from bench.shared_results import _redis, children_cpu, computations, log  # noqa: E402
from tests.faults.harness import prepare_database, server  # noqa: E402

CLIENTS = 4


def follow(
    client: httpx.Client, href: str, retry: int, started: float
) -> tuple[float, int, list[int]]:
    """Ask ``href`` after each ``Retry-After`` until it is no 202: the time (since
    ``started``) of the answer, the requests made and the other statuses seen."""
    polls = 0
    while True:
        time.sleep(retry)
        r = client.get(href)
        polls += 1
        if r.status_code != 202:
            other = [] if r.status_code == 200 else [r.status_code]
            return time.perf_counter() - started, polls, other
        retry = int(r.headers["Retry-After"])


def run_mode(
    mode: str, url: str, nid: str, headers: dict[str, str], pairs: list[tuple[str, str]], args: Any
) -> dict[str, Any]:
    path = f"/api/v1/networks/{nid}/analysis/{args.route.replace('_', '-')}"
    params = {"fresh": "true"}
    out: dict[str, Any] = {"first": [], "result": [], "polls": [], "other": [], "per": []}
    redis_mode = "shared" if mode == "202 + Redis" else "none"
    with tempfile.TemporaryDirectory(prefix="netwerk-prom-") as prom, _redis(redis_mode) as redis:
        env = {
            "NETWERK_METRICS": "true",
            "PROMETHEUS_MULTIPROC_DIR": prom,
            "NETWERK_ANALYSIS_TIMEOUT_S": "600" if mode == "wait" else str(args.wait),
            "NETWERK_EXACT_BETWEENNESS_MAX": str(args.exact_max),
            "NETWERK_RESULT_LEASE_S": "600",  # above the longest computation (README)
            "NETWERK_QUEUE_TIMEOUT_S": "300",
            "NETWERK_POOL_TIMEOUT_S": "60",
        }
        if redis:
            env["NETWERK_REDIS_URL"] = redis
        cpu0 = children_cpu()
        wall0 = time.perf_counter()
        with (
            server(url, env, workers=4) as srv,
            httpx.Client(base_url=srv.base, headers=headers, timeout=600) as client,
            ThreadPoolExecutor(CLIENTS) as pool,
        ):
            log(f"[{mode}] warming 4 workers (snapshots)")
            for _ in range(8):
                client.get(f"/api/v1/networks/{nid}/analysis/summary")
            for n in range(args.rounds):
                a, b = pairs[n]
                r = client.post(
                    f"/api/v1/networks/{nid}/ties",
                    json={"source": a, "target": b, "kind": "knows"},
                )
                assert r.status_code == 201, r.text
                before = computations(srv.base, args.route)
                t0 = time.perf_counter()
                r = client.get(path, params=params)
                first = time.perf_counter() - t0
                if r.status_code == 202:
                    href, retry = r.headers["Location"], int(r.headers["Retry-After"])
                    tabs = [pool.submit(follow, client, href, retry, t0) for _ in range(CLIENTS)]
                    followed = [f.result() for f in tabs]
                    result = min(f[0] for f in followed)
                    polls = sum(f[1] for f in followed)
                    other = [s for f in followed for s in f[2]]
                else:
                    result, polls = first, 0
                    other = [] if r.status_code == 200 else [r.status_code]
                done = computations(srv.base, args.route) - before
                out["first"].append(first)
                out["result"].append(result)
                out["polls"].append(polls)
                out["other"] += other
                out["per"].append(done)
                log(
                    f"[{mode}] round {n + 1}: first answer {r.status_code if not polls else 202} "
                    f"in {first * 1000:.0f} ms, result after {result:.2f} s, {polls} status "
                    f"requests, computations {done:g}"
                )
        out["wall"] = time.perf_counter() - wall0
        out["cpu"] = children_cpu() - cpu0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--route", default="key_figures")
    parser.add_argument("--wait", type=float, default=0.25, help="the request's wait, s")
    parser.add_argument("--exact-max", type=int, default=5000)
    args = parser.parse_args()
    load_start = os.getloadavg()
    modes = ["wait", "202 + Redis", "202, no Redis"]
    with tempfile.TemporaryDirectory(prefix="netwerk-jobs-") as tmp:
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
        while len(pairs) < len(modes) * args.rounds:
            a, b = rng.sample(ids, 2)
            if frozenset((a, b)) not in tied:
                tied.add(frozenset((a, b)))
                pairs.append((a, b))
        results = {
            mode: run_mode(
                mode,
                url,
                db.network_id,
                db.headers,
                pairs[i * args.rounds : (i + 1) * args.rounds],
                args,
            )
            for i, mode in enumerate(modes)
        }
    load_end = os.getloadavg()

    def s(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} / {max(values):.2f}"

    print(
        f"\n{args.actors} actors, route {args.route} with fresh=true, 4 workers, SQLite, "
        f"{args.rounds} writes per mode, wait {args.wait:g} s in the 202 modes, {CLIENTS} "
        f"clients following the status URL; load average {load_start[0]:.1f} at start, "
        f"{load_end[0]:.1f} at end ({os.cpu_count()} cores)\n"
    )
    print(
        "| mode | first answer, s (median / max) | result held, s (median / max) | status "
        "requests per write | computations per write (4 workers) | neither 200 nor 202 | "
        "server wall s | server CPU s |"
    )
    print("|---|---:|---:|---|---|---|---:|---:|")
    for mode, r in results.items():
        print(
            f"| {mode} | {s(r['first'])} | {s(r['result'])} | "
            f"{', '.join(str(p) for p in r['polls'])} | {', '.join(f'{c:g}' for c in r['per'])} "
            f"| {len(r['other'])} {sorted(set(r['other']))} | {r['wall']:.1f} | {r['cpu']:.1f} |"
        )


if __name__ == "__main__":
    main()
