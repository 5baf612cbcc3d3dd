"""Backup and restore of the embedded SQLite database, with SQLite's online backup API.

:func:`backup` copies the database page by page in one step while holding a read
transaction, so the copy is one consistent moment even while the service keeps writing
(WAL mode: writers are not blocked meanwhile). The copy is written to a temporary file,
checked (``PRAGMA integrity_check``) and only then renamed into place: a backup file is
whole or absent, never half-written.

:func:`restore` checks the file first (a SQLite database, intact, made by this product with a
migration this version knows) and then copies it over the live database with the same API,
so connections that stay open see the restored content. Stop the service before restoring:
its in-memory caches are keyed by revision and a restore goes back in time.

PostgreSQL is backed up with its own tools (``pg_dump -Fc`` / ``pg_restore``; see README).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from netwerk.store.db import url_database

__all__ = ["BackupError", "BackupInfo", "backup", "restore", "sqlite_path"]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (English, for logs);
    ``key`` names the catalogue sentence for people."""

    def __init__(self, key: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class BackupInfo:
    path: str
    bytes: int
    networks: int
    revisions: int  # sum of the networks' revisions: rises with every acknowledged write
    migration: str | None


def sqlite_path(url: str) -> Path:
    driver, database = url_database(url)
    if not driver.startswith("sqlite"):
        raise BackupError("ops.backup.not_sqlite", "only the embedded SQLite database")
    if not database or database == ":memory:":
        raise BackupError("ops.backup.no_file", "the database is not a file")
    return Path(database)


def _connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
    return con


def _describe(con: sqlite3.Connection, path: Path) -> BackupInfo:
    ok = con.execute("PRAGMA integrity_check").fetchone()
    if not ok or ok[0] != "ok":
        raise BackupError("ops.backup.damaged", f"{path.name}: integrity check failed")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"alembic_version", "networks", "audit_events"} <= tables:
        raise BackupError("ops.backup.foreign", f"{path.name}: not a netwerk database")
    migration = con.execute("SELECT version_num FROM alembic_version").fetchone()
    networks, revisions = con.execute(
        "SELECT count(*), coalesce(sum(revision), 0) FROM networks"
    ).fetchone()
    return BackupInfo(
        path=str(path),
        bytes=path.stat().st_size,
        networks=int(networks),
        revisions=int(revisions),
        migration=migration[0] if migration else None,
    )


def backup(url: str, out: str | Path, *, busy_timeout_s: float = 30.0) -> BackupInfo:
    """A consistent copy of the live SQLite database at ``url`` in the file ``out``."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError("ops.backup.missing", f"{source} does not exist")
    target = Path(out)
    if target.resolve() == source.resolve():
        raise BackupError("ops.backup.same_file", "the backup would overwrite the database")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = _connect(source, busy_timeout_s)
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)  # pages=-1: every page in one step, one read transaction
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            info = _describe(dst, partial)
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)
    return dataclasses.replace(info, path=str(target), bytes=target.stat().st_size)


def restore(url: str, file: str | Path, *, busy_timeout_s: float = 30.0) -> BackupInfo:
    """Replace the SQLite database at ``url`` by the backup ``file`` (checked first)."""
    from netwerk.store.migrate import script_revisions

    backup_file = Path(file)
    if not backup_file.is_file():
        raise BackupError("ops.backup.missing", f"{backup_file} does not exist")
    try:
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        info = _describe(src, backup_file)
    except sqlite3.DatabaseError as exc:
        raise BackupError("ops.backup.damaged", f"{backup_file.name}: {exc}") from None
    try:
        if info.migration not in script_revisions():
            raise BackupError(
                "ops.backup.unknown_migration",
                f"{backup_file.name}: migration {info.migration} is unknown to this version",
                migration=info.migration,
            )
        target = sqlite_path(url)
        dst = _connect(target, busy_timeout_s)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
    return dataclasses.replace(info, path=str(target), bytes=target.stat().st_size)
