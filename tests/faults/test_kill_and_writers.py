"""kill -9 in the middle of an import leaves the network and every index unchanged and the
service healthy; concurrent writers across two worker processes lose nothing and the
revision rises by exactly the number of acknowledged writes, with no stale summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.faults.harness import (
    Prepared,
    concurrent_writers,
    db_state,
    import_file,
    kill_mid_import,
    server,
)


def test_kill_9_mid_import_changes_nothing(
    prepared: Callable[..., Prepared], tmp_path: Path
) -> None:
    db = prepared(actors=300)
    before = db_state(db.url, db.network_id)
    csv = import_file(tmp_path / "big.csv", 60_000)
    assert kill_mid_import(db.url, db.network_id, csv, after_s=1.5), "import ended before kill"
    after = db_state(db.url, db.network_id)
    assert after == before
    assert after.integrity == "ok"
    # healthy after restart: ready, analyses answer, and the next import goes through
    with server(db.url) as srv:
        assert httpx.get(f"{srv.base}/ready").json()["status"] == "ready"
        r = httpx.get(
            f"{srv.base}/api/v1/networks/{db.network_id}/analysis/summary", headers=db.headers
        )
        assert r.status_code == 200 and r.json()["provenance"]["revision"] == before.revision
        small = import_file(tmp_path / "small.csv", 50, prefix="Na")
        r = httpx.post(
            f"{srv.base}/api/v1/networks/{db.network_id}/import",
            params={"format": "csv", "table": "actors"},
            content=small.read_bytes(),
            headers=db.headers,
            timeout=60,
        )
        assert r.status_code == 200, r.text
    assert db_state(db.url, db.network_id).actors == before.actors + 50


def test_concurrent_writers_on_two_workers_exact_counts(
    prepared: Callable[..., Prepared],
) -> None:
    db = prepared(actors=200)
    before = db_state(db.url, db.network_id)
    with server(db.url, workers=2) as srv:
        result = concurrent_writers(srv.base, db.network_id, db.headers, writers=4, writes_each=8)
        final = httpx.get(f"{srv.base}/api/v1/networks/{db.network_id}", headers=db.headers)
        reads = [
            httpx.get(
                f"{srv.base}/api/v1/networks/{db.network_id}/analysis/summary", headers=db.headers
            ).json()["provenance"]["revision"]
            for _ in range(10)
        ]
    after = db_state(db.url, db.network_id)
    assert result.errors == 0 and not result.other, result
    assert result.acknowledged == 4 * 8
    assert after.actors == before.actors + result.acknowledged
    assert after.revision == before.revision + result.acknowledged
    assert final.json()["revision"] == after.revision
    assert result.stale_reads == 0 and result.reads == result.acknowledged
    assert reads == [after.revision] * 10  # both workers, no stale summary
