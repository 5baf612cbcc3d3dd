"""``netwerk backup`` while the service writes, ``netwerk restore`` into a fresh database:
every write acknowledged before the backup began is there, the copy is intact and serves."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from netwerk.backup import BackupError, backup, restore
from tests.faults.harness import ROOT, Prepared, prepare_database, server


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("netwerk")), *args],
        env={**os.environ, "NETWERK_DATABASE_URL": url, "NETWERK_LANG": "en"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_during_writes_restores_every_acknowledged_write(
    tmp_path: Path, empty_db_url: Callable[[str], str]
) -> None:
    db: Prepared = prepare_database(empty_db_url("sqlite"), actors=400)
    acknowledged: list[tuple[float, str]] = []
    stop = threading.Event()
    failures: list[int] = []

    def writer(base: str, n: int) -> None:
        with httpx.Client(base_url=base, headers=db.headers, timeout=30) as client:
            i = 0
            while not stop.is_set():
                i += 1
                r = client.post(
                    f"/api/v1/networks/{db.network_id}/actors",
                    json={"kind": "organisation", "name": f"Schrijver {n}-{i}"},
                )
                if r.status_code == 201:
                    acknowledged.append((time.monotonic(), r.json()["id"]))
                else:
                    failures.append(r.status_code)

    out = tmp_path / "netwerk-backup.db"
    with server(db.url) as srv:
        threads = [threading.Thread(target=writer, args=(srv.base, n)) for n in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        began = time.monotonic()
        done = _cli(db.url, "backup", "--out", str(out))
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
    assert done.returncode == 0, done.stderr
    assert "Backup written" in done.stdout
    assert not failures, failures
    before = {aid for at, aid in acknowledged if at < began}
    assert len(before) >= 10, len(acknowledged)
    assert not (out.parent / (out.name + ".partial")).exists()

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    done = _cli(restored_url, "restore", str(out), "--yes")
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(make_url(restored_url).database or "")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        present = {r[0] for r in con.execute("SELECT id FROM actors WHERE kind='organisation'")}
        rows = con.execute("SELECT count(*) FROM actors").fetchone()[0]
    finally:
        con.close()
    assert before <= present, f"{len(before - present)} acknowledged writes lost"
    assert present <= {aid for _, aid in acknowledged} | _synthetic_orgs(db.url)
    assert rows >= 400
    with server(restored_url) as srv:
        assert httpx.get(f"{srv.base}/ready").json()["status"] == "ready"
        one = sorted(before)[0]
        r = httpx.get(
            f"{srv.base}/api/v1/networks/{db.network_id}/actors/{one}", headers=db.headers
        )
        assert r.status_code == 200


def _synthetic_orgs(url: str) -> set[str]:
    # organisations that the synthetic neighbourhood itself holds (not from the writers)
    con = sqlite3.connect(make_url(url).database or "")
    try:
        return {
            r[0]
            for r in con.execute(
                "SELECT id FROM actors WHERE kind='organisation' AND name NOT LIKE 'Schrijver %'"
            )
        }
    finally:
        con.close()


def test_restore_refuses_what_is_not_a_sound_backup(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError) as err:
        restore(target, junk)
    assert err.value.key == "ops.backup.damaged"
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(BackupError) as err:
        restore(target, other)
    assert err.value.key == "ops.backup.foreign"
    assert not (tmp_path / "target.db").exists() or (tmp_path / "target.db").stat().st_size == 0


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as err:
        backup("postgresql+psycopg://postgres@127.0.0.1/x", tmp_path / "x.db")
    assert err.value.key == "ops.backup.not_sqlite"
    done = _cli("postgresql://postgres@127.0.0.1:5432/x", "backup", "--out", str(tmp_path / "b"))
    assert done.returncode == 2
    assert "pg_dump" in done.stderr
