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


def _run(
    args: list[str],
    db: Path | None,
    lang: str = "nl",
    check: bool = True,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
):
    full = {**os.environ, "NETWERK_LANG": lang, "COLUMNS": "200", **(env or {})}
    if db is not None:
        full["NETWERK_DATABASE_URL"] = f"sqlite:///{db}"
    else:
        full.pop("NETWERK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "netwerk.cli", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd or Path(__file__).resolve().parents[1],
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
    assert as_json["provenance"]["parameters"]["order"] == "value"
    # --order likely: the most likely meetings first (issue 15)
    likely = json.loads(
        _run(
            ["suggest", "--network", nid, "--actor", person, "--order", "likely", "--json"], db
        ).stdout
    )
    assert likely["provenance"]["parameters"]["order"] == "likely"
    feas = [round(x["feasibility"], 6) for x in likely["suggestions"]]
    assert feas == sorted(feas, reverse=True)
    by_value = [x["score"] for x in as_json["suggestions"]]
    assert by_value == sorted(by_value, reverse=True)
    bad = _run(["suggest", "--network", nid, "--actor", person, "--order", "soon"], db, check=False)
    assert bad.returncode == 2 and "Onbekende volgorde 'soon'" in bad.stderr
    assert "Traceback" not in bad.stderr
    helptext = _run(["suggest", "--help"], db).stdout
    assert "--order" in helptext and "waarschijnlijkst" in helptext

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


# --- the first ten minutes (issue 9) -------------------------------------------------------

ENGLISH_LEAKS = (
    "Usage",
    "Options",
    "Show this message",
    "Arguments",
    "Commands",
    "COMMAND",
    "Missing",
    "required]",
    "default:",
    "<bool>",
    "TEXT",
    "INTEGER",
    "Error",
    "Try '",
    "not found",
    "Input should",
)


def _no_english(text: str) -> None:
    leaks = [w for w in ENGLISH_LEAKS if w in text]
    assert not leaks, f"English in Dutch output: {leaks}\n{text}"


def test_every_help_and_usage_error_is_dutch(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for args in (
        ["--help"],
        ["db", "--help"],
        ["token", "--help"],
        ["demo", "--help"],
        ["suggest", "--help"],
        ["actors", "--help"],
        ["analyse", "--help"],
    ):
        done = _run(args, db)
        assert "Gebruik:" in done.stdout and "Opties" in done.stdout, args
        _no_english(done.stdout + done.stderr)
    for args, expected in (
        (["suggest"], "De optie '--network' ontbreekt."),
        (["suggest", "--network"], "De optie '--network' vraagt een waarde."),
        (["suggest", "--network", "x", "--actor", "y", "--limit", "z"], "geheel getal"),
        (["suggest", "--netwrk", "x"], "Onbekende optie: --netwrk."),
        (["verzin"], "Onbekende opdracht 'verzin'."),
    ):
        done = _run(args, db, check=False)
        assert done.returncode == 2, args
        assert expected in done.stderr, done.stderr
        _no_english(done.stderr)
    english = _run(["suggest"], db, lang="en", check=False).stderr
    assert "Missing option '--network'." in english and "Usage:" in english


def test_from_another_folder_without_a_database_one_clear_line(tmp_path: Path) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "elders"
    elsewhere.mkdir()
    env = {"NETWERK_DATA_DIR": str(data)}
    done = _run(["analyse", "--network", "x"], None, check=False, cwd=elsewhere, env=env)
    assert done.returncode == 2
    assert "netwerk db upgrade" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not list(elsewhere.iterdir()) and not data.exists()  # nothing left behind

    # an empty (unmigrated) database file: the same one line, never "no such table"
    data.mkdir()
    (data / "netwerk.db").write_bytes(b"")
    done = _run(
        ["suggest", "--network", "x", "--actor", "y"], None, check=False, cwd=elsewhere, env=env
    )
    assert done.returncode == 2 and "netwerk db upgrade" in done.stderr
    assert "no such table" not in done.stderr and "Traceback" not in done.stderr

    # the embedded default lives in the data folder, wherever the command runs
    _run(["db", "upgrade"], None, cwd=elsewhere, env=env)
    assert (data / "netwerk.db").stat().st_size > 0 and not list(elsewhere.iterdir())


def test_names_where_ids_are_asked_and_actor_search(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    _run(["demo", "--actors", "300"], db)
    found = _run(["actors", "--network", "Demo wijk", "--search", "lina"], db).stdout
    assert found.count("\n") == 1 and "Lina Haddad" in found and "Kerkstraat" in found
    lina = found.split()[0]
    by_name = _run(["suggest", "--network", "Demo wijk", "--actor", "Lina", "--theme", "taal"], db)
    by_id = _run(["suggest", "--network", "Demo wijk", "--actor", lina, "--theme", "taal"], db)
    assert by_name.stdout == by_id.stdout
    assert "Taalcafé Kerkstraat" in by_name.stdout and "via Karim Bouali" in by_name.stdout

    many = _run(["suggest", "--network", "Demo wijk", "--actor", "a"], db, check=False)
    assert many.returncode == 2 and "past bij" in many.stderr and "(" in many.stderr
    none = _run(["suggest", "--network", "Demo wijk", "--actor", "Zzyzx"], db, check=False)
    assert none.returncode == 2 and "netwerk actors --network" in none.stderr
    _no_english(none.stderr)
    english = _run(["suggest", "--network", "Demo wijk", "--actor", "Zzyzx"], db, "en", check=False)
    assert "No actor with id or name 'Zzyzx'" in english.stderr

    wrong = _run(["analyse", "--network", "Demo wijk", "wat-als"], db, check=False)
    assert wrong.returncode == 2
    assert "summary, stage, key-figures, brokers, bridges, communities, gaps, what-if" in (
        wrong.stderr
    )
    what_if = json.loads(
        _run(["analyse", "--network", "Demo wijk", "what-if", "--remove", "Karim"], db).stdout
    )
    assert (
        what_if["actor"]["actor_id"]
        == _run(["actors", "--network", "Demo wijk", "-s", "Karim Bouali"], db).stdout.split()[0]
    )


def _token_works(db: Path, secret: str) -> bool:
    from netwerk.errors import Unauthorized
    from netwerk.store.db import make_engine, make_sessionmaker
    from netwerk.store.tokens import authenticate

    engine = make_engine(f"sqlite:///{db}")
    try:
        with make_sessionmaker(engine)() as session:
            authenticate(session, secret)
        return True
    except Unauthorized:
        return False
    finally:
        engine.dispose()


def test_demo_token_expires_and_replaces_the_previous_one(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    first = _run(["demo", "--actors", "300", "--port", "8123"], db).stdout
    secret1 = re.search(r"Admin-token: (nw_\S+) \(geldig tot ", first).group(1)  # type: ignore[union-attr]
    nid = re.search(r"Demowijk: (\w+)", first).group(1)  # type: ignore[union-attr]
    assert f"http://127.0.0.1:8123/app#token={secret1}" in first
    assert f"http://127.0.0.1:8123/dashboard/{nid}#token={secret1}" in first
    second = _run(["demo"], db).stdout
    secret2 = re.search(r"Admin-token: (nw_\S+)", second).group(1)  # type: ignore[union-attr]
    assert secret1 != secret2
    assert not _token_works(db, secret1) and _token_works(db, secret2)

    import sqlalchemy as sa

    from netwerk.store.db import make_engine
    from netwerk.store.tables import Token

    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        live = (
            conn.execute(sa.select(Token.expires_at).where(Token.revoked_at.is_(None)))
            .scalars()
            .all()
        )
    engine.dispose()
    assert len(live) == 1 and live[0] is not None  # one live demo token, and it expires


def test_busy_port_fails_before_a_token_is_printed(tmp_path: Path) -> None:
    import socket

    db = tmp_path / "p.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = _run(["demo", "--serve", "--port", str(port)], db, check=False)
    assert done.returncode == 2
    assert f"Poort {port} op 127.0.0.1 is al in gebruik" in done.stderr
    assert "--port" in done.stderr and "nw_" not in done.stdout + done.stderr
    assert not db.exists()


def test_production_refuses_to_serve_without_a_pseudonym_key(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    env = {
        "NETWERK_ENVIRONMENT": "production",
        "NETWERK_PSEUDONYM_KEY": "",  # empty: not configured
        "NETWERK_PSEUDONYM_KEY_FILE": "",
    }
    done = _run(["serve", "--port", "8124"], db, check=False, env=env)
    assert done.returncode == 2 and "NETWERK_PSEUDONYM_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_domain_errors_are_dutch_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    _run(["db", "upgrade"], db)
    broker = _run(["token", "create", "--role", "broker"], db, check=False)
    assert broker.returncode == 2
    assert "een broker-token heeft minstens één netwerk nodig" in broker.stderr
    _no_english(broker.stderr)
    english = _run(["token", "create", "--role", "broker"], db, lang="en", check=False)
    assert "a broker token needs at least one network" in english.stderr
