"""What it costs to remember what was shown (issue 15: at most 5 ms per request of 10).

Usage::

    .venv/bin/python bench/impressions.py [--actors 2000] [--requests 200]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

A synthetic neighbourhood is loaded into a fresh SQLite file and (with ``--postgres``, or
``NETWERK_TEST_POSTGRES_URL``) a fresh PostgreSQL database; suggestions (10 per request) are
computed for ``--requests`` residents, then stored as the API stores them:
:func:`netwerk.suggest.impressions.remember` (one multi-row ``INSERT``) against the baseline
of one ORM object per row (``session.add`` x 10, then ``flush``), in the same run. The table
gives the median and 95th percentile of the insert, and of insert plus commit.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.model import new_id  # noqa: E402
from netwerk.store.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from netwerk.store.migrate import upgrade  # noqa: E402
from netwerk.store.networks import create_network  # noqa: E402
from netwerk.store.tables import SuggestionImpression  # noqa: E402
from netwerk.suggest import service  # noqa: E402
from netwerk.suggest.suggestions import SuggestionList  # noqa: E402
from netwerk.synth import generate, load  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def per_row(session: Any, network_id: str, result: SuggestionList) -> None:
    """Baseline: one ORM object per impression."""
    for s in result.suggestions:
        session.add(
            SuggestionImpression(
                id=new_id(),
                network_id=network_id,
                origin="actor",
                source_id=result.source.actor_id,
                target_id=s.target.actor_id,
                introducer_id=None,
                suggestion_kind=s.kind,
                rank=s.rank,
                score=s.score,
                feasibility=s.feasibility,
                value=s.value,
                reason_codes=sorted({r.code for r in s.reasons}),
                contributions=dict(s.terms),
                model_version="bench",
                revision=result.provenance.revision,
                token_id=None,
            )
        )


def measure(url: str, n: int, requests: int) -> list[tuple[str, list[float], list[float]]]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Impressies").id
    with engine.begin() as conn:
        load(conn, nid, generate(n, seed=1, fresh_ids=True))
    with engine.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT id FROM actors WHERE network_id = :n AND kind = 'resident' "
                    "ORDER BY id LIMIT :k"
                ),
                {"n": nid, "k": requests},
            )
        ]
    results = [service.suggestions(engine, nid, a, limit=10) for a in ids]
    results = [r for r in results if len(r.suggestions) == 10]
    out = []
    for label, store in (
        ("remember (one INSERT)", lambda s, r: service.remember(s, nid, r, token_id=None)),
        ("ORM object per row", lambda s, r: per_row(s, nid, r)),
    ):
        insert: list[float] = []
        total: list[float] = []
        for r in results:
            with factory() as session:
                session.execute(sa.text("SELECT 1"))  # the request's transaction is open
                t0 = time.perf_counter()
                store(session, r)
                session.flush()
                t1 = time.perf_counter()
                session.commit()
                t2 = time.perf_counter()
            insert.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)
        out.append((label, insert, total))
    engine.dispose()
    return out


def p95(x: list[float]) -> float:
    return sorted(x)[max(0, round(0.95 * len(x)) - 1)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--actors", type=int, default=2000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--postgres", default=os.environ.get("NETWERK_TEST_POSTGRES_URL"))
    args = p.parse_args()
    backends = [("sqlite", f"sqlite:///{tempfile.mkdtemp()}/impressions.db")]
    admin = None
    name = f"bench_impressions_{secrets.token_hex(4)}"
    if args.postgres:
        admin = sa.create_engine(
            make_engine(args.postgres).url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_engine(args.postgres).url.set(database=name)
        backends.append(("postgresql", url.render_as_string(hide_password=False)))
    try:
        rows = []
        for backend, url in backends:
            log(f"{backend} ...")
            for label, insert, total in measure(url, args.actors, args.requests):
                rows.append((backend, label, insert, total))
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"# storing 10 shown suggestions per request, {len(rows[0][2])} requests (ms)")
    head = f"{'backend':<12}{'method':<24}{'insert median':>15}{'insert p95':>12}"
    print(head + f"{'+ commit median':>17}{'+ commit p95':>14}")
    for backend, label, insert, total in rows:
        print(
            f"{backend:<12}{label:<24}{statistics.median(insert):>15.2f}{p95(insert):>12.2f}"
            f"{statistics.median(total):>17.2f}{p95(total):>14.2f}"
        )


if __name__ == "__main__":
    main()
