"""Retention purges history ties and old feedback, and nothing else."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from netwerk.model import new_id
from netwerk.retention import run_retention
from netwerk.store.db import make_sessionmaker, transaction
from netwerk.store.tables import Feedback, Tie


def test_retention_purges_only_old_history(
    client: TestClient, admin: dict, engine: sa.Engine
) -> None:
    nid = client.post(
        "/api/v1/networks", json={"name": "Bewaar", "retention_days": 365}, headers=admin
    ).json()["id"]
    keep = client.post("/api/v1/networks", json={"name": "Geen termijn"}, headers=admin).json()[
        "id"
    ]

    def actor(n: str, name: str) -> str:
        return client.post(
            f"/api/v1/networks/{n}/actors", json={"kind": "resident", "name": name}, headers=admin
        ).json()["id"]

    a, b, c = actor(nid, "A"), actor(nid, "B"), actor(nid, "C")
    x, y = actor(keep, "X"), actor(keep, "Y")

    def tie(n: str, s: str, t: str, until: str | None) -> str:
        body = {"source": s, "target": t, "kind": "knows", "since": "2015-01-01", "until": until}
        r = client.post(f"/api/v1/networks/{n}/ties", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    old = tie(nid, a, b, "2020-01-01")
    recent = tie(nid, a, c, "2026-06-01")
    current = tie(nid, b, c, None)
    other = tie(keep, x, y, "2016-01-01")
    factory = make_sessionmaker(engine)
    with transaction(factory) as s:
        s.add(
            Feedback(
                id=new_id(),
                network_id=nid,
                source_id=a,
                target_id=c,
                suggestion_kind="pair",
                decision="declined",
                reason_codes=[],
                decided_at=dt.datetime(2020, 5, 1, tzinfo=dt.UTC),
            )
        )
        s.add(
            Feedback(
                id=new_id(),
                network_id=nid,
                source_id=b,
                target_id=a,
                suggestion_kind="pair",
                decision="accepted",
                reason_codes=[],
            )
        )
    rev = client.get(f"/api/v1/networks/{nid}", headers=admin).json()["revision"]
    with transaction(factory) as s:
        reports = {r.network_id: r for r in run_retention(s, today=dt.date(2026, 11, 21))}
    assert keep not in reports
    assert (reports[nid].ties_purged, reports[nid].feedback_purged) == (1, 1)
    with engine.connect() as conn:
        left = set(
            conn.execute(
                sa.select(Tie.id).where(Tie.id.in_([old, recent, current, other]))
            ).scalars()
        )
        feedback = conn.execute(
            sa.select(sa.func.count()).select_from(Feedback).where(Feedback.network_id == nid)
        ).scalar()
    assert left == {recent, current, other}
    assert feedback == 1
    assert client.get(f"/api/v1/networks/{nid}", headers=admin).json()["revision"] == rev + 1
