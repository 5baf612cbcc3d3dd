"""Exchange formats: round trips, other tools' readers, research exports, import behaviour.

Runs on SQLite, and on PostgreSQL too when ``NETWERK_TEST_POSTGRES_URL`` is set (a temporary
database is created from it and dropped).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
import sqlalchemy as sa
from lxml import etree

from netwerk import synth
from netwerk.errors import ValidationFailed
from netwerk.exchange import (
    EXPORT_FORMATS,
    PseudonymKey,
    PseudonymKeyMissing,
    export_network,
    import_network,
)
from netwerk.exchange.pajek import unique_labels
from netwerk.exchange.pseudonym import coarsen
from netwerk.model import PERSON_KINDS, new_id
from netwerk.privacy import anonymous_label
from netwerk.store.tables import Actor, Network, Tie

DATA = Path(__file__).parent / "data" / "exchange"
PERSONS = {k.value for k in PERSON_KINDS}
SECRET = b"0123456789abcdef-test-pseudonym-key"

# ``engine`` is the shared fixture of tests/conftest.py: SQLite, and PostgreSQL too when
# NETWERK_TEST_POSTGRES_URL is set (a temporary database made from it and dropped after).


# -- fixtures ----------------------------------------------------------------------------


def new_network(engine: sa.Engine, name: str = "Wijk", **values: Any) -> str:
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name=name, revision=1, **values))
    return network_id


SPECIAL_NAME = 'Jan "Sjonnie" <de Vries> & Zn'
NOTE = "Bereikbaar via Ans, 06-12345678\nRegel 2 — café & co"


@pytest.fixture(scope="module")
def demo(engine: sa.Engine) -> str:
    """The demo neighbourhood: synthetic, plus notes, typed attributes, external references,
    a street label and awkward characters."""
    return make_demo(engine, seed=5)


def make_demo(engine: sa.Engine, *, seed: int) -> str:
    """The ``demo`` network (synthetic ids follow the seed: one seed per test module, as
    the database is shared by the session)."""
    network_id = new_network(engine, "Wijk Demo")
    network = synth.generate(200, seed=seed)
    with engine.begin() as conn:
        synth.load(conn, network_id, network)
        rows = conn.execute(
            sa.select(Actor.id, Actor.kind, Actor.consent)
            .where(Actor.network_id == network_id)
            .order_by(Actor.id)
        ).all()
        given = [r.id for r in rows if r.kind == "resident" and r.consent == "given"]
        orgs = [r.id for r in rows if r.kind == "organisation"]
        conn.execute(
            sa.update(Actor).where(Actor.id == orgs[0]).values(note=NOTE, external_ref="CRM-001")
        )
        conn.execute(
            sa.update(Actor)
            .where(Actor.id == given[0])
            .values(
                name=SPECIAL_NAME,
                area="Merelstraat",
                attributes={"age": 34, "score": 2.5, "vrijwilliger": True, "age_band": "27-45"},
                note="Komt op dinsdag",
            )
        )
        conn.execute(
            sa.update(Actor)
            .where(Actor.id == given[1])
            .values(attributes={"age": 71, "score": 1.0, "vrijwilliger": False})
        )
        tie_id = conn.scalar(sa.select(Tie.id).where(Tie.network_id == network_id).limit(1))
        conn.execute(sa.update(Tie).where(Tie.id == tie_id).values(note="Kennen elkaar van school"))
    return network_id


# -- helpers -----------------------------------------------------------------------------


def actor_rows(conn: sa.Connection, network_id: str) -> list[Any]:
    return conn.execute(
        sa.select(
            Actor.id,
            Actor.kind,
            Actor.name,
            Actor.area,
            Actor.languages,
            Actor.assets,
            Actor.needs,
            Actor.consent,
            Actor.note,
            Actor.external_ref,
            Actor.attributes,
        ).where(Actor.network_id == network_id)
    ).all()


def tie_rows(conn: sa.Connection, network_id: str) -> list[Any]:
    return conn.execute(
        sa.select(
            Tie.source_id,
            Tie.target_id,
            Tie.kind,
            Tie.strength,
            Tie.support,
            Tie.since,
            Tie.until,
            Tie.note,
        ).where(Tie.network_id == network_id)
    ).all()


def snapshot(
    conn: sa.Connection, network_id: str, *, as_exported: bool = False
) -> tuple[dict[str, tuple], Counter]:
    """Actors keyed by external reference (or id) and the multiset of ties, as comparable
    tuples. ``as_exported``: what an ordinary export shows (withdrawn persons anonymous)."""
    key_of: dict[str, str] = {}
    actors: dict[str, tuple] = {}
    for r in actor_rows(conn, network_id):
        key = r.external_ref or r.id
        key_of[r.id] = key
        name, note, attributes, area = r.name, r.note, r.attributes or {}, r.area
        lists = (tuple(r.languages), tuple(r.assets), tuple(r.needs))
        if as_exported and r.kind in PERSONS and r.consent == "withdrawn":
            name, note, attributes, lists = anonymous_label(r.id), None, {}, ((), (), ())
            area = area if area and area[:2] in ("WK", "BU") else None
        actors[key] = (
            r.kind,
            name,
            area,
            *lists,
            r.consent if r.kind in PERSONS else None,
            note,
            attributes,
        )
    ties = Counter(
        (
            key_of[t.source_id],
            key_of[t.target_id],
            t.kind,
            t.strength,
            tuple(sorted(t.support)),
            t.since,
            t.until,
            t.note,
        )
        for t in tie_rows(conn, network_id)
    )
    return actors, ties


def parquet_text(data: bytes) -> str:
    """Every value of a Parquet export (both tables, decoded) and its network.json, as text:
    the compressed bytes themselves would hide a name from a substring search."""
    import pyarrow.parquet as pq

    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = [archive.read("network.json").decode("utf-8")]
    for name in ("actors.parquet", "ties.parquet"):
        table = pq.read_table(io.BytesIO(archive.read(name)))
        parts.append(" ".join(table.schema.names))
        parts.append(json.dumps(table.to_pylist(), default=str, ensure_ascii=False))
    return "\n".join(parts)


def export_bytes(engine: sa.Engine, network_id: str, fmt: str, **kw: Any) -> bytes:
    with engine.connect() as conn:
        return export_network(conn, network_id, fmt, **kw).read_all()


def counts(engine: sa.Engine, network_id: str) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(sa.select(sa.func.count()).where(Actor.network_id == network_id)),
            conn.scalar(sa.select(sa.func.count()).where(Tie.network_id == network_id)),
            conn.scalar(sa.select(Network.revision).where(Network.id == network_id)),
        )


# -- round trips ---------------------------------------------------------------------------

LOSSLESS = ["graphml", "gexf", "json", "cytoscape", "csv", "kumu", "parquet"]


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_round_trip_gives_the_same_actors_ties_and_attributes(engine, demo, fmt):
    data = export_bytes(engine, demo, fmt, history=True)
    target = new_network(engine, f"Copy {fmt}")
    with engine.begin() as conn:
        report = import_network(conn, target, data, fmt)
    assert report.ok and report.errors == []
    with engine.connect() as conn:
        want_actors, want_ties = snapshot(conn, demo, as_exported=True)
        got_actors, got_ties = snapshot(conn, target)
    assert report.actors_created == len(want_actors)
    assert report.ties_created == sum(want_ties.values())
    assert got_actors == want_actors
    assert got_ties == want_ties
    assert report.revision == 2


def test_pajek_round_trip_keeps_structure_labels_strength_and_tie_kind(engine, demo):
    data = export_bytes(engine, demo, "pajek", history=True)
    target = new_network(engine, "Copy pajek")
    with engine.begin() as conn:
        report = import_network(conn, target, data, "pajek")
        assert "resident" in report.warnings[0]

        def shape(network_id: str) -> tuple[Counter, Counter]:
            rows = sorted(actor_rows(conn, network_id), key=lambda r: r.id)
            names = [
                anonymous_label(r.id)
                if r.kind in PERSONS and r.consent == "withdrawn" and network_id == demo
                else r.name
                for r in rows
            ]
            if network_id == demo:
                names = unique_labels(names)
            label = {r.id: name for r, name in zip(rows, names, strict=True)}
            return Counter(label.values()), Counter(
                (label[t.source_id], label[t.target_id], t.kind, t.strength)
                for t in tie_rows(conn, network_id)
            )

        assert shape(target) == shape(demo)
        kinds = {r.kind for r in actor_rows(conn, target)}
    assert kinds == {"resident"}


def test_reimport_matches_by_external_reference_instead_of_duplicating(engine, demo):
    data = export_bytes(engine, demo, "graphml")
    target = new_network(engine)
    with engine.begin() as conn:
        first = import_network(conn, target, data, "graphml")
    before = counts(engine, target)
    with engine.begin() as conn:
        second = import_network(conn, target, data, "graphml")
    assert second.actors_matched == first.actors_created and second.actors_created == 0
    assert second.ties_matched == first.ties_created and second.ties_created == 0
    assert second.revision is None
    assert counts(engine, target) == before


def test_a_networks_own_export_imported_back_matches_everything(engine, demo):
    before = counts(engine, demo)
    with engine.begin() as conn:
        everything = export_bytes(engine, demo, "json", history=True)
        report = import_network(conn, demo, everything, "json")
        ties_only = export_bytes(engine, demo, "csv", table="ties", history=True)
        ties_report = import_network(conn, demo, ties_only, "csv", dry_run=True)
    assert report.actors_created == report.ties_created == 0
    assert report.actors_matched == before[0] and report.ties_matched == before[1]
    assert ties_report.ok and ties_report.ties_matched == before[1]
    assert counts(engine, demo) == before


def test_dry_run_reports_and_writes_nothing(engine, demo):
    data = export_bytes(engine, demo, "csv")
    target = new_network(engine)
    with engine.begin() as conn:
        report = import_network(conn, target, data, "csv", dry_run=True)
    assert report.dry_run and report.ok
    assert report.actors_created > 100 and report.ties_created > 1000
    assert counts(engine, target) == (0, 0, 1)


def test_gexf_static_as_of_holds_only_ties_active_that_day(engine, demo):
    day = dt.date.today() - dt.timedelta(days=2 * 365)
    data = export_bytes(engine, demo, "gexf", as_of=day)
    graph = nx.read_gexf(io.BytesIO(data))
    with engine.connect() as conn:
        active = [
            t
            for t in tie_rows(conn, demo)
            if (t.since is None or t.since <= day) and (t.until is None or t.until >= day)
        ]
    assert graph.graph["mode"] == "static"
    assert 0 < graph.number_of_edges() == len(active)


# -- the other tools read our exports -----------------------------------------------------


def _sizes(engine, network_id) -> tuple[int, int]:
    n_actors, n_ties, _ = counts(engine, network_id)
    return n_actors, n_ties


def _active(tie: Any, day: dt.date | None = None) -> bool:
    day = day or dt.date.today()
    return (tie.since is None or tie.since <= day) and (tie.until is None or tie.until >= day)


def _active_sizes(engine, network_id) -> tuple[int, int]:
    """Actors, and the ties active today: what a default export holds."""
    with engine.connect() as conn:
        return len(actor_rows(conn, network_id)), sum(map(_active, tie_rows(conn, network_id)))


def test_networkx_and_igraph_read_graphml(engine, demo, tmp_path):
    n_actors, n_ties = _sizes(engine, demo)
    path = tmp_path / "demo.graphml"
    path.write_bytes(export_bytes(engine, demo, "graphml", history=True))
    graph = nx.read_graphml(path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (n_actors, n_ties)
    labels = nx.get_node_attributes(graph, "label")
    assert SPECIAL_NAME in labels.values()
    weights = {d["weight"] for _, _, d in graph.edges(data=True)}
    assert weights <= {1.0, 2.0, 3.0, 4.0, 5.0}
    ig = igraph.Graph.Read_GraphML(str(path))
    assert (ig.vcount(), ig.ecount()) == (n_actors, n_ties)
    assert set(ig.vs["kind"]) <= {
        "resident",
        "key_figure",
        "professional",
        "organisation",
        "initiative",
        "place",
    }
    ages = [a for a in ig.vs["age"] if a == a]  # typed: NaN where missing
    assert sorted(ages) == [34, 71]


def test_networkx_reads_dynamic_gexf_and_node_link_json(engine, demo):
    n_actors, n_ties = _sizes(engine, demo)
    graph = nx.read_gexf(io.BytesIO(export_bytes(engine, demo, "gexf", history=True)))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (n_actors, n_ties)
    assert graph.graph["mode"] == "dynamic"
    starts = [d.get("start") for _, _, d in graph.edges(data=True)]
    assert sum(s is not None for s in starts) > n_ties // 2
    assert SPECIAL_NAME in nx.get_node_attributes(graph, "label").values()

    data = json.loads(export_bytes(engine, demo, "json", history=True))
    graph = nx.node_link_graph(data, edges="edges")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (n_actors, n_ties)
    assert graph.is_multigraph() and not graph.is_directed()
    langs = nx.get_node_attributes(graph, "languages")
    assert all(isinstance(v, list) for v in langs.values())


def test_networkx_and_igraph_read_pajek(engine, demo, tmp_path):
    n_actors, n_ties = _sizes(engine, demo)
    path = tmp_path / "demo.net"
    path.write_bytes(export_bytes(engine, demo, "pajek", history=True))
    graph = nx.read_pajek(path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (n_actors, n_ties)
    ig = igraph.Graph.Read_Pajek(str(path))
    assert (ig.vcount(), ig.ecount()) == (n_actors, n_ties)
    assert set(ig.es["label"]) <= {
        "knows",
        "family",
        "neighbour",
        "friend",
        "member_of",
        "volunteers_at",
        "works_for",
        "participates_in",
        "partners_with",
        "refers_to",
        "meets_at",
    }
    assert set(ig.es["weight"]) <= {1, 2, 3, 4, 5}


def test_cytoscape_csv_and_kumu_have_the_tools_columns(engine, demo):
    n_actors, n_ties = _active_sizes(engine, demo)
    cy = json.loads(export_bytes(engine, demo, "cytoscape"))
    nodes = cy["elements"]["nodes"]
    edges = cy["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert len(ids) == n_actors and len(edges) == n_ties
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)

    archive = zipfile.ZipFile(io.BytesIO(export_bytes(engine, demo, "csv")))
    assert sorted(archive.namelist()) == ["actors.csv", "ties.csv"]
    actors = list(csv.DictReader(io.StringIO(archive.read("actors.csv").decode())))
    ties = list(csv.DictReader(io.StringIO(archive.read("ties.csv").decode())))
    assert list(actors[0])[:4] == ["Id", "Label", "Type", "Tags"]
    assert list(ties[0])[:4] == ["Source", "Target", "Type", "Weight"]
    assert {t["Type"] for t in ties} == {"Directed", "Undirected"}
    assert len(actors) == n_actors and len(ties) == n_ties

    table = export_bytes(engine, demo, "csv", table="ties").decode()
    assert table.startswith("Source,Target,Type,Weight")

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export_bytes(engine, demo, "kumu")), read_only=True)
    elements = list(book["Elements"].iter_rows(values_only=True))
    connections = list(book["Connections"].iter_rows(values_only=True))
    assert elements[0][:4] == ("ID", "Label", "Type", "Tags")
    assert connections[0][:5] == ("From", "To", "Type", "Direction", "Strength")
    assert len(elements) == n_actors + 1 and len(connections) == n_ties + 1


def test_gexf_validates_against_the_gexf_13_grammar(engine, demo):
    """The official GEXF 1.3 XSD ships with no package available here; this RELAX NG grammar
    (tests/data/exchange/gexf-1.3-subset.rng) transcribes the 1.3 structure, attribute
    types and dynamics we emit, and validates static and dynamic exports."""
    schema = etree.RelaxNG(etree.parse(str(DATA / "gexf-1.3-subset.rng")))
    for kw in ({}, {"history": True}, {"as_of": dt.date.today()}):
        doc = etree.fromstring(export_bytes(engine, demo, "gexf", **kw))
        assert schema.validate(doc), schema.error_log.last_error


# -- research exports ----------------------------------------------------------------------


def _stored_secrets(conn: sa.Connection, network_id: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"name": set(), "note": set(), "street": set(), "ref": set()}
    for r in actor_rows(conn, network_id):
        out["name"].add(r.name)
        if r.note:
            out["note"].add(r.note)
        if r.area and r.area[:2] not in ("WK", "BU", "GM"):
            out["street"].add(r.area)
        if r.external_ref:
            out["ref"].add(r.external_ref)
    for t in tie_rows(conn, network_id):
        if t.note:
            out["note"].add(t.note)
    return out


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_research_export_holds_no_name_note_or_street_of_anyone(engine, demo, fmt):
    key = PseudonymKey(SECRET, "token-a")
    data = export_bytes(engine, demo, fmt, pseudonymise=key)
    if fmt == "parquet":
        text = parquet_text(data)
    elif fmt == "csv" or fmt == "kumu":
        archive = zipfile.ZipFile(io.BytesIO(data))
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        text = data.decode("utf-8")
    with engine.connect() as conn:
        stored = _stored_secrets(conn, demo)
        rows = actor_rows(conn, demo)
    for kind, values in stored.items():
        for value in values:
            for variant in {value, value.replace("&", "&amp;"), value.replace('"', "'")}:
                assert variant not in text, f"a stored {kind} is in the {fmt} research export"
    allowed = [r for r in rows if r.kind not in PERSONS or r.consent == "given"]
    excluded = [r for r in rows if r.kind in PERSONS and r.consent != "given"]
    for r in allowed[:20]:
        assert key.pseudonym(r.id) in text
    for r in excluded:
        assert key.pseudonym(r.id) not in text
        assert r.id not in text
    assert not any(r.id in text for r in allowed)


def test_research_export_leaves_out_persons_without_consent_and_their_ties(engine, demo):
    key = PseudonymKey(SECRET, "token-a")
    data = json.loads(export_bytes(engine, demo, "json", pseudonymise=key))
    with engine.connect() as conn:
        rows = actor_rows(conn, demo)
        ties = tie_rows(conn, demo)
    allowed = {r.id for r in rows if r.kind not in PERSONS or r.consent == "given"}
    assert {n["id"] for n in data["nodes"]} == {key.pseudonym(i) for i in allowed}
    kept = [t for t in ties if t.source_id in allowed and t.target_id in allowed and _active(t)]
    assert len(data["edges"]) == len(kept) < len(ties)
    assert all(
        set(n) <= {"id", "kind", "area", "languages", "assets", "needs"} for n in data["nodes"]
    )
    assert all("note" not in e for e in data["edges"])


def test_two_researchers_get_unlinkable_pseudonyms_one_researcher_stable_ones(engine, demo):
    a1 = json.loads(export_bytes(engine, demo, "json", pseudonymise=PseudonymKey(SECRET, "tok-a")))
    a2 = json.loads(export_bytes(engine, demo, "json", pseudonymise=PseudonymKey(SECRET, "tok-a")))
    b = json.loads(export_bytes(engine, demo, "json", pseudonymise=PseudonymKey(SECRET, "tok-b")))
    ids_a = [n["id"] for n in a1["nodes"]]
    ids_b = [n["id"] for n in b["nodes"]]
    assert ids_a == [n["id"] for n in a2["nodes"]]  # the same researcher follows over time
    assert not set(ids_a) & set(ids_b)  # nothing in common
    # Rows are in pseudonym order, so position does not link either: the kinds in row order
    # differ between the two researchers' files.
    assert ids_a == sorted(ids_a) and ids_b == sorted(ids_b)
    assert [n["kind"] for n in a1["nodes"]] != [n["kind"] for n in b["nodes"]]
    # Another server key gives other pseudonyms for the same token.
    other = PseudonymKey(b"another-server-secret-key-000000", "tok-a")
    assert other.pseudonym("x") != PseudonymKey(SECRET, "tok-a").pseudonym("x")


def test_research_export_coarsens_buurt_to_wijk_when_the_network_says_so(engine):
    network_id = new_network(engine, "Coarse", coarsen_area=True)
    with engine.begin() as conn:
        synth.load(conn, network_id, synth.generate(60, seed=2))
    data = json.loads(
        export_bytes(engine, network_id, "json", pseudonymise=PseudonymKey(SECRET, "t"))
    )
    areas = {n.get("area") for n in data["nodes"]} - {None}
    assert areas and all(a.startswith("WK") for a in areas)
    assert coarsen("BU03630012") == "WK036300"
    fine = json.loads(
        export_bytes(
            engine, network_id, "json", pseudonymise=PseudonymKey(SECRET, "t"), coarsen_area=False
        )
    )
    assert any(n.get("area", "").startswith("BU") for n in fine["nodes"])


def test_pseudonym_key_comes_from_the_settings_passed_or_a_key_file(tmp_path, monkeypatch):
    from netwerk.config import Settings

    def load(settings: Settings) -> PseudonymKey:
        return PseudonymKey.load(
            "tok", secret=settings.pseudonym_key, key_file=settings.pseudonym_key_file
        )

    monkeypatch.setenv("NETWERK_PSEUDONYM_KEY", "k" * 32)
    assert load(Settings()).secret == b"k" * 32
    monkeypatch.delenv("NETWERK_PSEUDONYM_KEY")
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("f" * 40 + "\n")
    monkeypatch.setenv("NETWERK_PSEUDONYM_KEY_FILE", str(key_file))
    assert load(Settings()).secret == b"f" * 40
    # Nothing is read behind the caller's back: without a key passed there is none.
    with pytest.raises(PseudonymKeyMissing):
        PseudonymKey.load("tok")
    monkeypatch.delenv("NETWERK_PSEUDONYM_KEY_FILE")
    with pytest.raises(PseudonymKeyMissing):
        load(Settings(_env_file=None))
    with pytest.raises(PseudonymKeyMissing):
        PseudonymKey(b"short", "tok")


def test_analysis_results_become_node_attributes(engine, demo):
    with engine.connect() as conn:
        ids = [r.id for r in actor_rows(conn, demo)]
    analysis = {aid: {"community": i % 3, "betweenness": i / 10} for i, aid in enumerate(ids)}
    graph = nx.read_graphml(
        io.BytesIO(export_bytes(engine, demo, "graphml", include_analysis=analysis))
    )
    assert nx.get_node_attributes(graph, "analysis.community")[ids[4]] == 1
    # An import drops derived results again.
    target = new_network(engine)
    data = export_bytes(engine, demo, "csv", include_analysis=analysis)
    with engine.begin() as conn:
        import_network(conn, target, data, "csv")
        attrs = [r.attributes for r in actor_rows(conn, target)]
    assert not any(k.startswith("analysis") for a in attrs for k in a)


# -- imports from spreadsheets --------------------------------------------------------------


def test_kumu_spreadsheet_with_synonyms_words_and_an_explicit_mapping(engine):
    from openpyxl import Workbook

    book = Workbook()
    elements = book.active
    elements.title = "Elements"
    elements.append(["Label", "Type", "Tags", "Buurt", "Description"])
    elements.append(["Ans Jansen", "Person", "taal|koken", "BU03630000", "Zet koffie"])
    elements.append(["Buurtwerk", "Organization", "ontmoeting", None, None])
    elements.append(["Taalcafé", "Initiatief", None, None, None])
    connections = book.create_sheet("Connections")
    connections.append(["From", "To", "Type", "Strength", "Direction"])
    connections.append(["Ans Jansen", "Taalcafé", "Deelnemer", "Strong", "directed"])
    connections.append(["Buurtwerk", "Taalcafé", "partner", 2, "undirected"])
    book.create_sheet("Notes (ignore)").append(["whatever"])
    out = io.BytesIO()
    book.save(out)
    target = new_network(engine)
    with engine.begin() as conn:
        report = import_network(conn, target, out.getvalue(), "kumu", mapping={"area": "Buurt"})
        rows = {r.name: r for r in actor_rows(conn, target)}
        ties = {(t.kind, t.strength) for t in tie_rows(conn, target)}
    assert report.ok, report.errors
    assert rows["Ans Jansen"].kind == "resident" and rows["Ans Jansen"].consent == "unknown"
    assert rows["Ans Jansen"].assets == ["taal", "koken"]
    assert rows["Ans Jansen"].area == "BU03630000" and rows["Ans Jansen"].note == "Zet koffie"
    assert rows["Ans Jansen"].external_ref is None  # a label is not a reference
    assert rows["Buurtwerk"].kind == "organisation" and rows["Taalcafé"].kind == "initiative"
    assert ties == {("participates_in", 4), ("partners_with", 2)}


def test_dutch_excel_csv_with_semicolons_and_ties_to_existing_actors(engine):
    target = new_network(engine)
    actors = "Id;Naam;Soort;Talen\r\nc1;Mo;bewoner;nl|ar\r\nc2;Bieb;plek;\r\n"
    with engine.begin() as conn:
        report = import_network(conn, target, actors.encode(), "csv")
    assert report.ok, report.errors
    ties = "Van,Naar,Relatie,Sinds\nc1,c2,ontmoet,01-03-2023\n"
    with engine.begin() as conn:
        report = import_network(conn, target, ties.encode(), "csv")
        rows = tie_rows(conn, target)
    assert report.ok, report.errors
    assert report.ties_created == 1 and report.actors_created == 0
    assert rows[0].kind == "meets_at" and rows[0].since == dt.date(2023, 3, 1)


def test_mapping_names_only_known_fields(engine):
    target = new_network(engine)
    with engine.begin() as conn, pytest.raises(ValidationFailed) as err:
        import_network(conn, target, b"a,b\n", "csv", mapping={"colour": "a"})
    assert err.value.errors[0].field == "mapping.colour"
