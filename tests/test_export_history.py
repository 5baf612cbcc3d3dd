"""Exports hold what the analysis shows: the ties active today by default, every tie with
``history`` (each marked ``active``, ``ended`` or ``future``), the ties of one day with
``as_of``; in every format, through the service, the API and the CLI (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from netwerk import synth
from netwerk.analysis import service
from netwerk.errors import ValidationFailed
from netwerk.exchange import export_network
from netwerk.model import new_id
from netwerk.store.tables import Actor, Network, Tie

TODAY = dt.date.today()
ENDED = TODAY - dt.timedelta(days=400)
FUTURE = TODAY + dt.timedelta(days=30)
PAST_DAY = TODAY - dt.timedelta(days=500)  # ann-bert and bert-cafe were active, ann-cafe not


@pytest.fixture(scope="module")
def street(engine: sa.Engine) -> str:
    """Ann, Bert and the café: Ann-Bert since long ago (active), Bert-café ended 400 days
    ago, Ann-café starting in a month."""
    nid = new_id()
    ann, bert, cafe = new_id(), new_id(), new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=nid, name="Tijdstraat", revision=1))
        conn.execute(
            sa.insert(Actor),
            [
                {
                    "id": ann,
                    "network_id": nid,
                    "kind": "resident",
                    "name": "Ann",
                    "consent": "given",
                },
                {
                    "id": bert,
                    "network_id": nid,
                    "kind": "resident",
                    "name": "Bert",
                    "consent": "given",
                },
                {
                    "id": cafe,
                    "network_id": nid,
                    "kind": "initiative",
                    "name": "Café",
                    "consent": None,
                },
            ],
        )
        conn.execute(
            sa.insert(Tie),
            [
                {"id": new_id(), "network_id": nid, "source_id": ann, "target_id": bert,
                 "kind": "friend", "strength": 4, "since": dt.date(2019, 1, 1), "until": None},
                {"id": new_id(), "network_id": nid, "source_id": bert, "target_id": cafe,
                 "kind": "volunteers_at", "strength": 2, "since": dt.date(2020, 3, 1),
                 "until": ENDED},
                {"id": new_id(), "network_id": nid, "source_id": ann, "target_id": cafe,
                 "kind": "participates_in", "strength": 3, "since": FUTURE, "until": None},
            ],
        )  # fmt: skip
    return nid


def _export(engine: sa.Engine, nid: str, fmt: str, **kw: Any) -> bytes:
    with engine.connect() as conn:
        return export_network(conn, nid, fmt, **kw).read_all()


def _statuses(engine: sa.Engine, nid: str, fmt: str, **kw: Any) -> Counter[tuple[str, str]]:
    """(tie kind, status) of every tie in an export, read with the format's usual reader."""
    data = _export(engine, nid, fmt, **kw)
    if fmt in ("graphml", "gexf"):
        read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        graph = read(io.BytesIO(data))
        return Counter((d["kind"], d["status"]) for *_e, d in graph.edges(data=True))
    if fmt == "json":
        return Counter((e["kind"], e["status"]) for e in json.loads(data)["edges"])
    if fmt == "cytoscape":
        edges = json.loads(data)["elements"]["edges"]
        return Counter((e["data"]["kind"], e["data"]["status"]) for e in edges)
    if fmt == "csv":
        rows = csv.DictReader(
            io.StringIO(zipfile.ZipFile(io.BytesIO(data)).read("ties.csv").decode())
        )
        return Counter((r["kind"], r["status"]) for r in rows)
    if fmt == "kumu":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True)["Connections"]
        head, *rows = list(sheet.iter_rows(values_only=True))
        at = head.index("status")
        return Counter((r[2], r[at]) for r in rows)
    assert fmt == "pajek"
    graph = nx.read_pajek(io.BytesIO(data))
    return Counter(
        (d.get("l", ""), "active" if "c" not in d else f"{d['c']}/{d['p']}")
        for *_e, d in graph.edges(data=True)
    )


FORMATS = ["graphml", "gexf", "json", "cytoscape", "csv", "kumu"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_export_holds_the_ties_active_today_and_history_marks_the_rest(
    engine: sa.Engine, street: str, fmt: str
) -> None:
    assert _statuses(engine, street, fmt) == Counter({("friend", "active"): 1})
    assert _statuses(engine, street, fmt, history=True) == Counter(
        {("friend", "active"): 1, ("volunteers_at", "ended"): 1, ("participates_in", "future"): 1}
    )
    # as_of: the ties of that day, active on it
    assert _statuses(engine, street, fmt, as_of=PAST_DAY) == Counter(
        {("friend", "active"): 1, ("volunteers_at", "active"): 1}
    )


def test_pajek_draws_the_ties_not_active_today_grey_and_dotted(
    engine: sa.Engine, street: str
) -> None:
    assert _statuses(engine, street, "pajek") == Counter({("friend", "active"): 1})
    assert _statuses(engine, street, "pajek", history=True) == Counter(
        {
            ("friend", "active"): 1,
            ("volunteers_at", "Gray/Dots"): 1,
            ("participates_in", "Gray/Dots"): 1,
        }
    )


def test_gexf_is_static_by_default_and_dynamic_for_history(engine: sa.Engine, street: str) -> None:
    static = nx.read_gexf(io.BytesIO(_export(engine, street, "gexf")))
    assert static.graph["mode"] == "static" and static.number_of_edges() == 1
    dynamic = nx.read_gexf(io.BytesIO(_export(engine, street, "gexf", history=True)))
    assert dynamic.graph["mode"] == "dynamic"
    spells = {d["kind"]: (d.get("start"), d.get("end")) for *_e, d in dynamic.edges(data=True)}
    assert spells["volunteers_at"] == ("2020-03-01", ENDED.isoformat())
    assert spells["participates_in"] == (FUTURE.isoformat(), None)


def test_history_and_as_of_together_are_refused(engine: sa.Engine, street: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        _export(engine, street, "json", history=True, as_of=PAST_DAY)
    assert err.value.errors[0].field == "history"


def test_a_history_export_imports_back_whole(engine: sa.Engine, street: str) -> None:
    from netwerk.exchange import import_network

    target = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=target, name="Kopie", revision=1))
        report = import_network(conn, target, _export(engine, street, "csv", history=True), "csv")
    assert report.ok and report.ties_created == 3 and report.warnings == []


def test_the_default_export_has_the_ties_the_analysis_counts(engine: sa.Engine) -> None:
    """The synthetic neighbourhood has ended ties: the export and the summary agree."""
    nid = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=nid, name="Synth", revision=1))
        synth.load(conn, nid, synth.generate(300, seed=11))
        stored = conn.scalar(sa.select(sa.func.count()).where(Tie.network_id == nid))
    with engine.connect() as conn:
        default = export_network(conn, nid, "json")
        default.read_all()
        history = export_network(conn, nid, "json", history=True)
        history.read_all()
    analysed = service.summary(engine, nid).ties
    assert default.ties == analysed < history.ties == stored


def test_the_api_exports_today_by_default_and_history_on_request(
    client: TestClient, admin: dict, engine: sa.Engine, street: str
) -> None:
    url = f"/api/v1/networks/{street}/export"
    r = client.get(url, params={"format": "json"}, headers=admin)
    assert r.status_code == 200 and r.headers["X-Netwerk-Ties"] == "1"
    r = client.get(url, params={"format": "json", "history": "true"}, headers=admin)
    assert r.status_code == 200 and r.headers["X-Netwerk-Ties"] == "3"
    assert {e["status"] for e in r.json()["edges"]} == {"active", "ended", "future"}
    r = client.get(
        url, params={"format": "json", "history": "true", "as_of": "2024-01-01"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "history"


@pytest.mark.slow
def test_the_cli_exports_today_by_default_and_history_on_request(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {**os.environ, "NETWERK_DATABASE_URL": f"sqlite:///{db}", "NETWERK_LANG": "en"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "netwerk.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=Path(__file__).resolve().parents[1],
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("db", "upgrade")
    from netwerk.store.db import make_engine

    engine = make_engine(f"sqlite:///{db}")
    nid = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=nid, name="Synth", revision=1))
        synth.load(conn, nid, synth.generate(150, seed=4))
        stored = conn.scalar(sa.select(sa.func.count()).where(Tie.network_id == nid))
    analysed = service.summary(engine, nid).ties
    engine.dispose()
    today, full = tmp_path / "today.json", tmp_path / "full.json"
    run("export", "--network", nid, "--format", "json", "--out", str(today))
    run("export", "--network", nid, "--format", "json", "--out", str(full), "--history")
    edges = json.loads(today.read_text())["edges"]
    assert len(edges) == analysed < stored
    assert {e["status"] for e in edges} == {"active"}
    every = json.loads(full.read_text())["edges"]
    assert len(every) == stored and "ended" in {e["status"] for e in every}
