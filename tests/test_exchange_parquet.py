"""Parquet exports (issue 16): typed schema, research rules on the files, imports with row
errors, and the readers researchers use (pyarrow, DuckDB, Spark) reading them as they are.

The round trip of every field is ``test_round_trip_gives_the_same_actors_ties_and_attributes
[parquet]`` in tests/test_exchange.py, with the other lossless formats.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from netwerk import synth
from netwerk.errors import ValidationFailed
from netwerk.exchange import PseudonymKey, import_network
from netwerk.exchange.parquet import SCHEMA_VERSION, write_folder, write_zip
from netwerk.exchange.parquet_read import pack_folder
from netwerk.exchange.records import tie_status
from netwerk.store.db import make_engine
from netwerk.store.migrate import upgrade
from netwerk.store.snapshot import load_snapshot
from tests import test_api_exchange
from tests.test_exchange import (
    PERSONS,
    SECRET,
    _stored_secrets,
    actor_rows,
    counts,
    export_bytes,
    make_demo,
    new_network,
    tie_rows,
)


@pytest.fixture(scope="module")
def demo(engine: sa.Engine) -> str:
    """tests/test_exchange.py's demo neighbourhood (notes, typed attributes, a street label,
    awkward characters), made from this module's own seed."""
    return make_demo(engine, seed=1601)


LIST = pa.list_(pa.string())


def tables(data: bytes) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["actors.parquet", "ties.parquet", "network.json"]
    actors = pq.read_table(io.BytesIO(archive.read("actors.parquet")))
    ties = pq.read_table(io.BytesIO(archive.read("ties.parquet")))
    return actors, ties, json.loads(archive.read("network.json"))


def parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


# -- schema and metadata -------------------------------------------------------------------


def test_the_schema_is_typed_and_network_json_describes_the_export(engine, demo):
    actors, ties, meta = tables(export_bytes(engine, demo, "parquet", history=True))
    head = [(f.name, f.type) for f in actors.schema][:10]
    assert head == [
        ("id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("area", pa.string()),
        ("languages", LIST),
        ("assets", LIST),
        ("needs", LIST),
        ("consent", pa.string()),
        ("note", pa.string()),
        ("external_ref", pa.string()),
    ]
    # Free attributes keep their types; one that collides with a column gets attr_.
    assert actors.schema.field("age").type == pa.int64()
    assert actors.schema.field("score").type == pa.float64()
    assert actors.schema.field("vrijwilliger").type == pa.bool_()
    assert actors.schema.field("attr_type").type == pa.string()
    assert [(f.name, f.type) for f in ties.schema] == [
        ("source", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("directed", pa.bool_()),
        ("strength", pa.int8()),
        ("support", LIST),
        ("since", pa.date32()),
        ("until", pa.date32()),
        ("ended", pa.bool_()),
        ("status", pa.string()),
        ("note", pa.string()),
    ]
    assert not actors.schema.field("id").nullable and not ties.schema.field("source").nullable
    assert actors.schema.metadata[b"netwerk.schema_version"] == str(SCHEMA_VERSION).encode()

    n_actors, n_ties, revision = counts(engine, demo)
    assert (actors.num_rows, ties.num_rows) == (n_actors, n_ties)
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["revision"] == revision and meta["as_of"] is None
    assert meta["network"]["name"] == "Wijk Demo" and meta["network"]["id"] == demo
    assert meta["pseudonymisation"]["mode"] == "none"
    assert meta["counts"] == {"actors": n_actors, "ties": n_ties}
    assert meta["columns"]["ties"]["strength"] == "int8"

    # ended: until before the reference day; directed: refers_to only.
    today = dt.date.fromisoformat(meta["reference_date"])
    for row in ties.select(["kind", "directed", "since", "until", "ended", "status"]).to_pylist():
        assert row["ended"] == (row["until"] is not None and row["until"] < today)
        assert row["status"] == tie_status(row["since"], row["until"], today)
        assert row["directed"] == (row["kind"] == "refers_to")
    assert any(r["ended"] for r in ties.select(["ended"]).to_pylist())
    # Without history: the ties active today, as the analysis sees them (and every format).
    _, today_ties, today_meta = tables(export_bytes(engine, demo, "parquet"))
    assert 0 < today_ties.num_rows < ties.num_rows
    assert set(today_ties.column("status").to_pylist()) == {"active"}
    assert today_meta["as_of"] == dt.date.today().isoformat()


def test_as_of_keeps_the_ties_active_that_day_and_the_row_groups_are_bounded(engine, demo):
    day = dt.date.today() - dt.timedelta(days=2 * 365)
    out = io.BytesIO()
    with engine.connect() as conn:
        summary = write_zip(conn, demo, out, as_of=day, row_group_rows=1000)
        active = [
            t
            for t in tie_rows(conn, demo)
            if (t.since is None or t.since <= day) and (t.until is None or t.until >= day)
        ]
    _, ties, meta = tables(out.getvalue())
    assert 0 < ties.num_rows == len(active) == summary.ties
    assert meta["as_of"] == day.isoformat() == meta["reference_date"]
    assert not any(ties.column("ended").to_pylist())
    archive = zipfile.ZipFile(out)
    ties_file = pq.ParquetFile(io.BytesIO(archive.read("ties.parquet")))
    groups = [ties_file.metadata.row_group(i).num_rows for i in range(ties_file.num_row_groups)]
    assert len(groups) > 1 and max(groups) == 1000 and sum(groups) == len(active)


def test_analysis_columns_are_named_for_spark(engine, demo):
    with engine.connect() as conn:
        ids = sorted(r.id for r in actor_rows(conn, demo))
    analysis = {aid: {"community": i % 3, "betweenness": i / 10} for i, aid in enumerate(ids)}
    actors, _, meta = tables(export_bytes(engine, demo, "parquet", include_analysis=analysis))
    assert actors.schema.field("analysis_community").type == pa.int64()
    assert actors.schema.field("analysis_betweenness").type == pa.float64()
    assert meta["analysis"] == ["analysis_betweenness", "analysis_community"]
    rows = {r["id"]: r for r in actors.to_pylist()}
    assert rows[ids[4]]["analysis_community"] == 1
    # An import drops derived columns again.
    target = new_network(engine)
    with engine.begin() as conn:
        import_network(
            conn,
            target,
            export_bytes(engine, demo, "parquet", include_analysis=analysis),
            "parquet",
        )
        attrs = [r.attributes for r in actor_rows(conn, target)]
    assert not any(k.startswith("analysis") for a in attrs for k in a)


# -- research exports ----------------------------------------------------------------------


def test_research_parquet_follows_the_research_rules(engine, demo):
    key = PseudonymKey(SECRET, "token-a")
    actors, ties, meta = tables(
        export_bytes(engine, demo, "parquet", pseudonymise=key, history=True)
    )
    assert actors.schema.names == ["id", "kind", "area", "languages", "assets", "needs"]
    assert "note" not in ties.schema.names
    with engine.connect() as conn:
        rows = actor_rows(conn, demo)
        all_ties = tie_rows(conn, demo)
        stored = _stored_secrets(conn, demo)
    allowed = {r.id for r in rows if r.kind not in PERSONS or r.consent == "given"}
    assert len(allowed) < len(rows)
    ids = actors.column("id").to_pylist()
    assert set(ids) == {key.pseudonym(i) for i in allowed}
    assert ids == sorted(ids)  # pseudonym order: position links nothing
    kept = Counter(
        (key.pseudonym(t.source_id), key.pseudonym(t.target_id), t.kind, t.strength)
        for t in all_ties
        if t.source_id in allowed and t.target_id in allowed
    )
    got = Counter(
        (r["source"], r["target"], r["kind"], r["strength"])
        for r in ties.select(["source", "target", "kind", "strength"]).to_pylist()
    )
    assert got == kept and sum(kept.values()) < len(all_ties)
    pairs = ties.select(["source", "target"]).to_pylist()
    assert pairs == sorted(pairs, key=lambda r: (r["source"], r["target"]))
    areas = set(actors.column("area").to_pylist()) - {None}
    assert areas and all(a[:2] in ("BU", "WK", "GM") for a in areas)
    text = json.dumps([actors.to_pylist(), ties.to_pylist(), meta], default=str)
    for values in stored.values():
        for value in values:
            assert value not in text
    assert not any(r.id in text for r in rows)
    assert "Wijk Demo" not in text
    assert meta["pseudonymisation"]["mode"] == "per_researcher"
    assert meta["network"]["id"] == key.pseudonym(f"network:{demo}")


def test_two_researchers_parquet_pseudonyms_do_not_link(engine, demo):
    a1, t1, m1 = tables(
        export_bytes(engine, demo, "parquet", pseudonymise=PseudonymKey(SECRET, "a"))
    )
    a2, _, _ = tables(export_bytes(engine, demo, "parquet", pseudonymise=PseudonymKey(SECRET, "a")))
    b, tb, mb = tables(
        export_bytes(engine, demo, "parquet", pseudonymise=PseudonymKey(SECRET, "b"))
    )
    assert a1.column("id").to_pylist() == a2.column("id").to_pylist()
    assert not set(a1.column("id").to_pylist()) & set(b.column("id").to_pylist())
    assert a1.column("kind").to_pylist() != b.column("kind").to_pylist()
    assert t1.column("strength").to_pylist() != tb.column("strength").to_pylist()
    assert m1["network"]["id"] != mb["network"]["id"]


def test_research_parquet_coarsens_buurt_to_wijk_when_the_network_says_so(engine):
    network_id = new_network(engine, "Grof", coarsen_area=True)
    with engine.begin() as conn:
        synth.load(conn, network_id, synth.generate(60, seed=1602))
    key = PseudonymKey(SECRET, "t")
    actors, _, meta = tables(export_bytes(engine, network_id, "parquet", pseudonymise=key))
    areas = set(actors.column("area").to_pylist()) - {None}
    assert areas and all(a.startswith("WK") for a in areas)
    assert "wijk" in meta["pseudonymisation"]["area"]


# -- imports -------------------------------------------------------------------------------


def test_a_folder_and_a_single_table_import_like_the_zip(engine, demo, tmp_path):
    folder = tmp_path / "export"
    with engine.connect() as conn:
        write_folder(conn, demo, folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "actors.parquet",
        "network.json",
        "ties.parquet",
    ]
    target = new_network(engine)
    with engine.begin() as conn:
        report = import_network(conn, target, pack_folder(folder), "parquet")
    n_actors, n_ties, _ = counts(engine, demo)
    assert report.ok and (report.actors_created, report.ties_created) == (n_actors, n_ties)
    # One table on its own: actors into a new network; the ties back into their own network,
    # where every end is one of its ids and every tie is already there.
    single = new_network(engine)
    with engine.begin() as conn:
        first = import_network(conn, single, (folder / "actors.parquet").read_bytes(), "parquet")
        second = import_network(
            conn, demo, (folder / "ties.parquet").read_bytes(), "parquet", dry_run=True
        )
    assert first.actors_created == n_actors
    assert second.ok and second.ties_matched == n_ties and second.ties_created == 0


def test_a_researchers_enriched_table_comes_back_with_typed_columns(engine):
    target = new_network(engine)
    actors = pa.table(
        {
            "id": ["p1", "p2", "p3"],
            "kind": ["resident", "place", "initiative"],
            "languages": [["nl", "ar"], [], None],
            "cluster": [1, 2, 2],
            "postcode": ["007", "1234", None],
            "centrality": [0.5, 0.25, None],
        }
    )
    ties = pa.table(
        {
            "source": ["p1", "p1"],
            "target": ["p2", "p3"],
            "kind": ["meets_at", "participates_in"],
            "strength": pa.array([2, 5], pa.int8()),
            "support": [["company"], ["practical", "advice"]],
            "since": pa.array([dt.date(2024, 1, 2), None], pa.date32()),
            "ended": [False, False],
        }
    )
    data = zipped({"actors.parquet": parquet_bytes(actors), "ties.parquet": parquet_bytes(ties)})
    with engine.begin() as conn:
        report = import_network(conn, target, data, "parquet")
        rows = {r.external_ref: r for r in actor_rows(conn, target)}
        links = sorted(tie_rows(conn, target), key=lambda t: t.kind)
    assert report.ok, report.errors
    assert report.warnings == []
    assert rows["p1"].languages == ["nl", "ar"] and rows["p1"].consent == "unknown"
    assert rows["p1"].attributes == {"cluster": 1, "postcode": "007", "centrality": 0.5}
    assert rows["p3"].attributes == {"cluster": 2}
    assert [(t.kind, t.strength, t.since) for t in links] == [
        ("meets_at", 2, dt.date(2024, 1, 2)),
        ("participates_in", 5, None),
    ]
    assert sorted(links[1].support) == ["advice", "practical"]


def test_row_errors_name_the_file_column_and_row_and_nothing_is_written(engine, demo):
    actors = pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "kind": ["resident", "resident", "wizard", "place"],
            "area": ["BU03630001", "BU0363", None, None],
            "consent": ["given", None, None, "given"],
        }
    )
    ties = pa.table(
        {
            "source": ["a", "a", "b", "a"],
            "target": ["b", "zz", "b", "d"],
            "kind": ["knows", "knows", "knows", "meets_at"],
            "strength": [3, 3, 3, 9],
            "until": pa.array([None, None, None, dt.date(2020, 1, 1)], pa.date32()),
            "since": pa.array([None, None, None, dt.date(2021, 1, 1)], pa.date32()),
        }
    )
    data = zipped({"actors.parquet": parquet_bytes(actors), "ties.parquet": parquet_bytes(ties)})
    before = counts(engine, demo)
    with engine.begin() as conn:
        report = import_network(conn, demo, data, "parquet", dry_run=True)
    found = {(e.field, e.row) for e in report.errors}
    assert ("actors.parquet.area", 2) in found  # an incomplete CBS code
    assert ("actors.parquet.kind", 3) in found
    assert ("actors.parquet.consent", 4) in found  # a place carries no consent
    assert ("ties.parquet.target", 3) in found  # a tie needs two different actors
    assert ("ties.parquet.strength", 4) in found
    assert ("ties.parquet.until", 4) in found  # until before since
    assert ("ties.parquet.target", 2) in found  # 'zz' is not an actor in the file
    assert any("'zz'" in e.message for e in report.errors)
    assert all(e.line is None for e in report.errors)
    with engine.begin() as conn, pytest.raises(ValidationFailed) as err:
        import_network(conn, demo, data, "parquet")
    assert len(err.value.errors) == len(report.errors)
    assert counts(engine, demo) == before


def test_file_level_problems_are_refused_with_the_file_named(engine, demo, tmp_path):
    target = new_network(engine)
    good = export_bytes(engine, demo, "parquet")
    archive = zipfile.ZipFile(io.BytesIO(good))
    meta = json.loads(archive.read("network.json"))
    newer = zipped(
        {
            "actors.parquet": archive.read("actors.parquet"),
            "network.json": json.dumps({**meta, "schema_version": SCHEMA_VERSION + 1}).encode(),
        }
    )
    nested = parquet_bytes(pa.table({"id": ["x"], "kind": ["place"], "where": [{"x": 1}]}))
    cases = [
        (newer, "network.json.schema_version", "newer"),
        (zipped({"actors.parquet": b"PAR1 but not really"}), "actors.parquet", "Parquet"),
        (nested, "actors.parquet.where", "cannot be imported"),
        (zipped({"readme.txt": b"hi"}), "file", "no .parquet"),
        (b"PAR1" + good[4:200], "file", "Parquet"),
    ]
    for data, field, needle in cases:
        with engine.begin() as conn, pytest.raises(ValidationFailed) as err:
            import_network(conn, target, data, "parquet", dry_run=True)
        first = err.value.errors[0]
        assert first.field == field and needle in first.message, (field, first)
    assert counts(engine, target) == (0, 0, 1)
    with pytest.raises(ValidationFailed):
        pack_folder(tmp_path)


# -- the readers researchers use -----------------------------------------------------------


def test_duckdb_reads_both_files_and_its_degrees_are_the_engines(engine, tmp_path):
    import duckdb

    network_id = new_network(engine, "Duck")
    with engine.begin() as conn:
        synth.load(conn, network_id, synth.generate(800, seed=1603))
    folder = tmp_path / "duck"
    today = dt.date.today()
    with engine.connect() as conn:
        write_folder(conn, network_id, folder, as_of=today)
        snapshot = load_snapshot(conn, network_id, as_of=today)
    db = duckdb.connect()
    actors, ties = str(folder / "actors.parquet"), str(folder / "ties.parquet")
    # Degree as the engine counts it: distinct contacts over the active ties, either way.
    rows = db.execute(
        f"""
        WITH pairs AS (
            SELECT DISTINCT least(source, target) AS a, greatest(source, target) AS b
            FROM read_parquet('{ties}') WHERE NOT ended
        ), ends AS (SELECT a AS id FROM pairs UNION ALL SELECT b FROM pairs)
        SELECT actors.id, count(ends.id) AS degree
        FROM read_parquet('{actors}') AS actors LEFT JOIN ends USING (id)
        GROUP BY actors.id
        """
    ).fetchall()
    got = dict(rows)
    want = {snapshot.ids[v]: int(d) for v, d in enumerate(snapshot.degree)}
    assert len(got) == snapshot.n == 800
    assert got == want
    kinds = db.execute(
        "SELECT typeof(strength), typeof(since), typeof(support) "
        f"FROM read_parquet('{ties}') LIMIT 1"
    ).fetchone()
    assert kinds == ("TINYINT", "DATE", "VARCHAR[]")


@pytest.mark.slow
def test_spark_reads_the_export_and_finds_the_engines_components(empty_db_url, tmp_path):
    """PySpark in local mode, one core: connected components by iterative min-label
    propagation with DataFrame joins (no GraphFrames), against the engine's count. One
    session, on SQLite only: what is tested is Spark reading the files."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    engine = make_engine(empty_db_url("sqlite"))
    upgrade(engine)
    network_id = new_network(engine, "Spark")
    with engine.begin() as conn:
        synth.load(conn, network_id, synth.generate(3000, seed=1604))
    folder = tmp_path / "spark"
    today = dt.date.today()
    with engine.connect() as conn:
        write_folder(conn, network_id, folder, as_of=today)
        snapshot = load_snapshot(conn, network_id, as_of=today)
    want = len(set(snapshot.components.tolist()))
    # Isolated actors are components too: the synthetic network has a few.
    assert want > 1

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("netwerk-test")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    try:
        spark.sparkContext.setLogLevel("ERROR")
        actors = spark.read.parquet(str(folder / "actors.parquet"))
        ties = spark.read.parquet(str(folder / "ties.parquet")).where(~F.col("ended"))
        assert actors.count() == snapshot.n
        assert dict(ties.dtypes)["support"] == "array<string>"
        edges = ties.select(F.col("source").alias("src"), F.col("target").alias("dst"))
        edges = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
        edges = edges.distinct().localCheckpoint()
        labels = actors.select("id", F.col("id").alias("label")).localCheckpoint()
        rounds = 0
        for _ in range(60):
            rounds += 1
            # Each actor takes the smallest label among itself and its neighbours ...
            offered = (
                edges.join(labels, edges.src == labels.id)
                .groupBy(F.col("dst").alias("id"))
                .agg(F.min("label").alias("offer"))
            )
            smaller = labels.join(offered, "id", "left").select(
                "id", F.least("label", F.coalesce("offer", "label")).alias("label")
            )
            # ... then the label of its label (pointer jumping: O(log d) rounds, not O(d)).
            jumped = (
                smaller.alias("a")
                .join(smaller.alias("b"), F.col("a.label") == F.col("b.id"))
                .select(F.col("a.id").alias("id"), F.col("b.label").alias("label"))
                .localCheckpoint()
            )
            changed = jumped.join(labels.withColumnRenamed("label", "old"), "id").where(
                F.col("label") != F.col("old")
            )
            settled = changed.isEmpty()
            labels = jumped
            if settled:
                break
        else:
            pytest.fail("label propagation did not settle")
        got = labels.select("label").distinct().count()
    finally:
        spark.stop()
        engine.dispose()
    assert got == want
    assert rounds < 20


# -- through HTTP and the command line -----------------------------------------------------

small = test_api_exchange.small  # four actors in the Kerkstraat, one without consent


def test_http_parquet_export_for_brokers_and_researchers_and_import(client, admin, small):
    nid = small["nid"]
    r = client.get(
        f"/api/v1/networks/{nid}/export",
        params={"format": "parquet", "include": "communities"},
        headers=small["broker"],
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].endswith('.parquet.zip"')
    actors, ties, _ = tables(r.content)
    assert sorted(actors.column("name").to_pylist()) == sorted(small["ids"])
    assert "analysis_community" in actors.schema.names and ties.num_rows == 3

    one = client.get(f"/api/v1/networks/{nid}/export?format=parquet", headers=small["r1"])
    two = client.get(f"/api/v1/networks/{nid}/export?format=parquet", headers=small["r2"])
    assert one.status_code == two.status_code == 200
    assert one.headers["content-disposition"].endswith('-research.parquet.zip"')
    a1, t1, m1 = tables(one.content)
    a2, _, _ = tables(two.content)
    text = json.dumps([a1.to_pylist(), t1.to_pylist(), m1], default=str)
    for secret in (*small["ids"].values(), "Anna", "Cora", "Taalcafé", "privé", "Kerkstraat"):
        assert secret not in text
    assert a1.num_rows == 3 and t1.num_rows == 2  # Cora (consent unknown) and her tie left out
    assert not set(a1.column("id").to_pylist()) & set(a2.column("id").to_pylist())
    assert m1["pseudonymisation"]["mode"] == "per_researcher"
    viewer = client.get(f"/api/v1/networks/{nid}/export?format=parquet", headers=small["viewer"])
    assert viewer.status_code == 403

    copy = client.post("/api/v1/networks", json={"name": "Kopie"}, headers=admin).json()["id"]
    dry = client.post(
        f"/api/v1/networks/{copy}/import?format=parquet&dry_run=true",
        content=r.content,
        headers=admin,
    )
    assert dry.status_code == 200 and dry.json()["actors"]["created"] == 4
    done = client.post(
        f"/api/v1/networks/{copy}/import?format=parquet", content=r.content, headers=admin
    )
    assert done.status_code == 200 and done.json()["ties"]["created"] == 3
    bad = pa.table({"id": ["x"], "kind": ["spook"]})
    refused = client.post(
        f"/api/v1/networks/{copy}/import?format=parquet",
        content=parquet_bytes(bad),
        headers=admin,
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["field"], error["row"]) == ("actors.parquet.kind", 1)
    assert "spook" in error["message"]


@pytest.mark.slow
def test_the_cli_writes_a_folder_or_a_zip_and_imports_a_folder(tmp_path):
    db = tmp_path / "cli.db"
    env = {**os.environ, "NETWERK_DATABASE_URL": f"sqlite:///{db}", "NETWERK_LANG": "nl"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "netwerk.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    nid = re.search(r"Demowijk: (\w+)", run("demo", "--actors", "200")).group(1)  # type: ignore[union-attr]
    folder = tmp_path / "export"
    assert "als Parquet naar de map" in run(
        "export", "--network", nid, "--format", "parquet", "--out", str(folder)
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "actors.parquet",
        "network.json",
        "ties.parquet",
    ]
    run("export", "--network", nid, "--format", "parquet", "--out", str(tmp_path / "x.zip"))
    assert zipfile.ZipFile(tmp_path / "x.zip").namelist() == [
        "actors.parquet",
        "ties.parquet",
        "network.json",
    ]
    report = json.loads(run("import", "--network", nid, "--dry-run", str(folder)))
    assert report["format"] == "parquet" and report["actors"]["matched"] == 200
