"""The ``netwerk`` command, run as a user would (a subprocess per command)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(args: list[str], db: Path, lang: str = "nl", check: bool = True):
    env = {
        **os.environ,
        "NETWERK_DATABASE_URL": f"sqlite:///{db}",
        "NETWERK_LANG": lang,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "netwerk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_help_is_dutch_by_default_and_english_on_request(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert "netwerkanalyse" in _run(["--help"], db).stdout
    assert "network analysis" in _run(["--help"], db, lang="en").stdout


def test_demo_suggest_activate_export_import(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    demo = _run(["demo", "--actors", "300"], db).stdout
    nid = re.search(r"Demowijk: (\w+)", demo).group(1)  # type: ignore[union-attr]
    assert re.search(r"Admin-token: nw_\S+", demo)
    again = _run(["demo", "--actors", "300"], db)  # once only; a fresh token each time
    assert f"Demowijk: {nid}" in again.stdout

    summary = json.loads(_run(["analyse", "--network", nid, "summary"], db).stdout)
    assert summary["actors"] == 300

    gaps = json.loads(_run(["analyse", "--network", nid, "gaps"], db).stdout)
    person = next(
        a["actor_id"]
        for g in gaps["gaps"]
        if g["kind"] == "unmet_need"
        for a in g["actors"]
        if a["person"]
    )
    text = _run(["suggest", "--network", nid, "--actor", person], db).stdout
    assert "Voorstellen voor" in text and " 1. " in text
    as_json = json.loads(
        _run(["suggest", "--network", nid, "--actor", person, "--json"], db).stdout
    )
    assert as_json["suggestions"]

    plan = _run(["activate", "--network", nid, "--theme", "taal", "--actor", person], db)
    assert " 1. " in plan.stdout

    out = tmp_path / "wijk.graphml"
    _run(["export", "--network", nid, "--out", str(out)], db)
    assert out.stat().st_size > 10_000
    token = _run(["token", "create", "--role", "admin"], db).stdout.strip()
    assert token.startswith("nw_")
    bad = _run(["token", "create", "--role", "broker"], db, check=False)
    assert bad.returncode == 2 and "network" in bad.stderr
    report = _run(
        ["import", "--network", nid, "--format", "graphml", "--dry-run", str(out)], db
    ).stdout
    assert json.loads(report)["dry_run"] is True
    assert "No network has a retention period" in _run(["retention", "run"], db, lang="en").stdout


def test_unknown_network_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _run(["db", "upgrade"], db)
    done = _run(["analyse", "--network", "nope", "summary"], db, check=False)
    assert done.returncode == 2
    assert "nope" in done.stderr and "Traceback" not in done.stderr
