"""The dashboard's first load on the demo neighbourhood (1,500 actors), cold and warm, through
the HTTP stack (auth, scope, audit, presentation), for a viewer and for a broker; compared in
the same run with the old dashboard's six analysis calls (summary, gaps, communities, key
figures, compare over a year, feedback stats).

    .venv/bin/python bench/dashboard.py [--actors 1500] [--samples 10] [--seed 1]

A first load is what the page asks before it is ready: the page and its assets, then the
figures (``GET …/dashboard``), the monthly series (``…/dashboard/trend``) and the period
compared (``…/analysis/compare``). Target (issue 14): ≤ 1 s warm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.app import create_app
from netwerk import synth
from netwerk.config import Settings
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from netwerk.store.tokens import create_token

ASSETS = (
    "/web/css/base.css",
    "/web/css/dashboard.css",
    "/web/js/dashboard/main.js",
    "/web/js/dashboard/map.js",
    "/web/js/dashboard/charts.js",
    "/web/js/core/api.js",
    "/web/i18n/nl.json",
)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", type=int, default=1500)
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"seed {args.seed}", file=sys.stderr)
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Demo wijk", area_code="WK036300").id
    with engine.begin() as conn:
        synth.load(conn, nid, synth.generate(args.actors, seed=args.seed, fresh_ids=True))
    with transaction(factory) as session:
        tokens = {
            r: create_token(session, role=r, name=r, networks=[nid]).secret
            for r in ("viewer", "broker")
        }
    engine.dispose()
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0))
    today = dt.date.today()
    year_ago = today.replace(year=today.year - 1)
    quarter = (today - dt.timedelta(days=91)).isoformat()
    rows = []
    with TestClient(app) as client:

        def first_load(role: str) -> Callable[[], object]:
            h = {"Authorization": f"Bearer {tokens[role]}"}
            base = f"/api/v1/networks/{nid}"

            def run() -> None:
                for path in (f"/dashboard/{nid}", *ASSETS):
                    assert client.get(path).status_code == 200
                for path, params in (
                    ("/dashboard", {}),
                    ("/dashboard/trend", {"to": today.isoformat()}),
                    ("/analysis/compare", {"from": quarter, "to": today.isoformat()}),
                ):
                    r = client.get(base + path, params=params, headers=h)
                    assert r.status_code == 200, r.text

            return run

        def old_six(role: str) -> Callable[[], object]:
            h = {"Authorization": f"Bearer {tokens[role]}"}
            base = f"/api/v1/networks/{nid}"

            def run() -> None:
                for path, params in (
                    ("/analysis/summary", {}),
                    ("/analysis/gaps", {}),
                    ("/analysis/communities", {}),
                    ("/analysis/key-figures", {}),
                    ("/analysis/compare", {"from": year_ago.isoformat()}),
                    ("/suggestions/stats", {}),
                ):
                    assert client.get(base + path, params=params, headers=h).status_code == 200

            return run

        for role in ("viewer", "broker"):
            cold = timed(first_load(role), 1) if role == "viewer" else [float("nan")]
            warm = timed(first_load(role), args.samples)
            rows.append((f"dashboard first load ({role})", cold[0], warm))
            rows.append(
                (
                    f"old six calls, baseline ({role})",
                    float("nan"),
                    timed(old_six(role), args.samples),
                )
            )
    print(
        f"\n{args.actors} actors, SQLite, in-process HTTP (TestClient), "
        f"{args.samples} warm samples\n"
    )
    print("| what | cold ms | warm median ms | warm max ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, cold, warm in rows:
        target = "≤ 1000 warm" if name.startswith("dashboard") else "baseline"
        print(
            f"| {name} | {cold:.0f} | {statistics.median(warm):.0f} | {max(warm):.0f} | {target} |"
        )


if __name__ == "__main__":
    main()
