"""Hostile and odd input through HTTP, on both databases: imports with forbidden characters,
archives whose headers lie, spreadsheet formulas in names, and arbitrary Unicode names that
every export must carry and re-import. (The sweep of every route is in test_input_sweep.py.)
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from netwerk.exchange.pajek import unique_labels
from netwerk.safetext import first_flaw

# -- helpers -----------------------------------------------------------------------------


def _network(client: TestClient, admin: dict, name: str = "Vijandige wijk") -> str:
    r = client.post("/api/v1/networks", json={"name": name}, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _actors(client: TestClient, admin: dict, nid: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/networks/{nid}/actors?limit=1000", headers=admin)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def _state(client: TestClient, admin: dict, nid: str) -> tuple[int, int]:
    net = client.get(f"/api/v1/networks/{nid}", headers=admin).json()
    return net["revision"], len(_actors(client, admin, nid))


def _import(client: TestClient, admin: dict, nid: str, data: bytes, fmt: str, **q: str) -> Any:
    params = "&".join(f"{k}={v}" for k, v in {"format": fmt, **q}.items())
    return client.post(
        f"/api/v1/networks/{nid}/import?{params}",
        content=data,
        headers={**admin, "content-type": "application/octet-stream"},
    )


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


# -- forbidden characters inside imported files ------------------------------------------

CSV_HEADER = "Id,Label,Type,note,kleur\n"
HOSTILE_CELLS = {
    "NUL in a name": (CSV_HEADER + "a,An\x00na,resident,,\n", "Label"),
    "U+FFFE in a name": (CSV_HEADER + "a,An\ufffena,resident,,\n", "Label"),
    "ESC in a note": (CSV_HEADER + "a,Anna,resident,reg\x1bel,\n", "note"),
    "NUL in an attribute": (CSV_HEADER + "a,Anna,resident,,ro\x00od\n", "attributes.kleur"),
    "NUL in a column name": ("Id,Label,Type,kl\x00eur\na,Anna,resident,rood\n", "attributes"),
    "NUL in an id": (CSV_HEADER + "a\x00b,Anna,resident,,\n", "external_ref"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CELLS))
def test_an_import_refuses_forbidden_characters_with_the_row(
    client: TestClient, admin: dict, case: str
) -> None:
    text, field = HOSTILE_CELLS[case]
    nid = _network(client, admin)
    before = _state(client, admin, nid)
    r = _import(client, admin, nid, text.encode(), "csv", table="actors")
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["field"] == field and errors[0]["row"] == 2, errors
    assert _state(client, admin, nid) == before


def test_a_json_import_refuses_a_key_with_nul_and_a_lone_surrogate(
    client: TestClient, admin: dict
) -> None:
    nid = _network(client, admin)
    before = _state(client, admin, nid)
    for node, field in (
        ({"id": "a", "name": "Anna", "kind": "resident", "kl\u0000eur": "rood"}, "attributes"),
        ({"id": "a", "name": "An\ud800na", "kind": "resident"}, "name"),
    ):
        data = json.dumps({"nodes": [node], "edges": []}).encode()  # ASCII escapes
        r = _import(client, admin, nid, data, "json")
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field
    assert _state(client, admin, nid) == before


# -- archives that lie ---------------------------------------------------------------------

GOOD_TABLES = {
    "actors.csv": b"Id,Label,Type\na,Anna,resident\nb,Bilal,resident\n",
    "ties.csv": b"Source,Target,Type\na,b,knows\n",
}


def _bad_crc(data: bytes, needle: bytes) -> bytes:
    spoiled = bytearray(data)
    at = spoiled.index(needle)
    spoiled[at] ^= 0x20  # one byte of the content changes; the stored CRC-32 does not
    return bytes(spoiled)


def _lying_size(data: bytes, member: str, size: int) -> bytes:
    """The central directory states a smaller uncompressed size than the member has."""
    spoiled = bytearray(data)
    at = 0
    while True:
        at = spoiled.index(b"PK\x01\x02", at)
        name_len = struct.unpack_from("<H", spoiled, at + 28)[0]
        if spoiled[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<I", spoiled, at + 24, size)
            return bytes(spoiled)
        at += 4


def _kumu_workbook(client: TestClient, admin: dict) -> bytes:
    nid = _network(client, admin, "Kumu-bron")
    client.post(
        f"/api/v1/networks/{nid}/actors", json={"kind": "resident", "name": "Anna"}, headers=admin
    )
    r = client.get(f"/api/v1/networks/{nid}/export?format=kumu", headers=admin)
    assert r.status_code == 200
    return r.content


LYING = {
    "csv zip, checksum": (lambda c, a: _bad_crc(_zip(GOOD_TABLES), b"Bilal"), "csv", "actors.csv"),
    "csv zip, size header": (
        lambda c, a: _lying_size(_zip(GOOD_TABLES, zipfile.ZIP_DEFLATED), "actors.csv", 10),
        "csv",
        "actors.csv",
    ),
    "xlsx, size header": (
        lambda c, a: _lying_size(_kumu_workbook(c, a), "xl/worksheets/sheet1.xml", 100),
        "xlsx",
        "xl/worksheets/sheet1.xml",
    ),
}


@pytest.mark.parametrize("case", sorted(LYING))
def test_an_archive_whose_header_lies_is_a_4xx_naming_the_file(
    client: TestClient, admin: dict, case: str
) -> None:
    make, fmt, member = LYING[case]
    data = make(client, admin)
    nid = _network(client, admin)
    before = _state(client, admin, nid)
    r = _import(client, admin, nid, data, fmt)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["field"] == member, problem
    assert member in problem["errors"][0]["message"]
    assert _state(client, admin, nid) == before


def test_the_honest_archive_imports(client: TestClient, admin: dict) -> None:
    nid = _network(client, admin)
    r = _import(client, admin, nid, _zip(GOOD_TABLES, zipfile.ZIP_DEFLATED), "csv")
    assert r.status_code == 200, r.text
    assert sorted(a["name"] for a in _actors(client, admin, nid)) == ["Anna", "Bilal"]


# -- spreadsheet formulas ----------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-1+2",
    "@SUM(A1:A2)",
    "'=al een apostrof",
    "''+twee",
]
TRIGGER = re.compile(r"[=+\-@\t\r]")


@pytest.fixture
def formulas(client: TestClient, admin: dict) -> dict[str, Any]:
    nid = _network(client, admin, "Formulewijk")
    ids = {}
    for name in [*FORMULAS, "Gewone naam"]:
        body = {
            "kind": "organisation",
            "name": name,
            "note": "-notitie",
            "attributes": {"tekst": "-5", "getal": -5, "komma": -2.5, "=kolom": "@x", "t": "\tx"},
        }
        r = client.post(f"/api/v1/networks/{nid}/actors", json=body, headers=admin)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    r = client.post(
        f"/api/v1/networks/{nid}/ties",
        json={"source": ids[FORMULAS[0]], "target": ids[FORMULAS[1]], "kind": "knows"}
        | {"note": "=1+1"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return {"nid": nid, "ids": ids}


def _csv_tables(zipped: bytes) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
        for name in archive.namelist()
    }


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _comparable(actors: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (a["name"], a["note"], json.dumps(a["attributes"], sort_keys=True)) for a in actors
    )


def test_no_csv_cell_starts_a_formula_and_the_round_trip_is_exact(
    client: TestClient, admin: dict, formulas: dict[str, Any]
) -> None:
    nid = formulas["nid"]
    r = client.get(f"/api/v1/networks/{nid}/export?format=csv", headers=admin)
    assert r.status_code == 200
    tables = _csv_tables(r.content)
    live = [
        (name, cell)
        for name, rows in tables.items()
        for row in rows
        for cell in row
        if TRIGGER.match(cell) and not _is_number(cell)
    ]
    assert not live, f"cells a spreadsheet would run: {live}"
    labels = [row[1] for row in tables["actors.csv"][1:]]
    assert '\'=HYPERLINK("http://x","y")' in labels and "'-1+2" in labels
    assert "'''+twee" in labels  # apostrophes before a trigger: one more, taken off on import
    numbers = tables["actors.csv"][0].index("getal")
    assert {row[numbers] for row in tables["actors.csv"][1:]} == {"-5"}  # a number stays one

    copy = _network(client, admin, "Formulekopie")
    r = _import(client, admin, copy, r.content, "csv")
    assert r.status_code == 200, r.text
    original = _comparable(_actors(client, admin, nid))
    assert _comparable(_actors(client, admin, copy)) == original
    imported = next(a for a in _actors(client, admin, copy) if a["name"] == "-1+2")
    assert imported["attributes"]["tekst"] == "-5"  # text stays text
    assert imported["attributes"]["getal"] == -5 and imported["attributes"]["komma"] == -2.5


def test_the_single_table_csv_is_guarded_too(
    client: TestClient, admin: dict, formulas: dict[str, Any]
) -> None:
    for table in ("actors", "ties"):
        r = client.get(
            f"/api/v1/networks/{formulas['nid']}/export?format=csv&table={table}", headers=admin
        )
        rows = list(csv.reader(io.StringIO(r.text, newline="")))
        live = [c for row in rows for c in row if TRIGGER.match(c) and not _is_number(c)]
        assert not live, live


def test_the_kumu_workbook_holds_strings_never_formulas(
    client: TestClient, admin: dict, formulas: dict[str, Any]
) -> None:
    nid = formulas["nid"]
    r = client.get(f"/api/v1/networks/{nid}/export?format=kumu", headers=admin)
    assert r.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets
    for name in sheets:
        root = etree.fromstring(archive.read(name))
        assert not root.findall(".//{*}f"), f"{name} holds a formula"
    copy = _network(client, admin, "Kumukopie")
    r = _import(client, admin, copy, r.content, "xlsx")
    assert r.status_code == 200, r.text
    assert sorted(a["name"] for a in _actors(client, admin, copy)) == sorted(
        a["name"] for a in _actors(client, admin, nid)
    )


# -- arbitrary Unicode names: stored or refused, and every export readable ------------------

HOSTILE_CHARS = st.sampled_from(
    [
        "\x00",
        "\x1b",
        "\x85",
        "\ufffe",
        "\uffff",
        "\ud800",
        "\U0010ffff",
        "\t",
        "\r",
        "\n",
        "<",
        "&",
        '"',
        "'",
        "=",
        "]",
        ">",
        "é",
        "ي",
        "\u202e",
    ]
)
NAMES = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=()), HOSTILE_CHARS), min_size=1, max_size=24
)


def _xml_names(data: bytes, fmt: str) -> list[str]:
    root = etree.fromstring(data)  # raises on anything that is not well-formed XML 1.0
    if fmt == "gexf":
        return [n.get("label") for n in root.iter("{*}node")]
    label_key = next(k.get("id") for k in root.iter("{*}key") if k.get("attr.name") == "label")
    return [d.text or "" for d in root.iter("{*}data") if d.get("key") == label_key]


def _round_trip(client: TestClient, admin: dict, nid: str, names: list[str]) -> Iterator[str]:
    """Every format: export, parse, re-import; yields a failure message per broken format."""
    for fmt in ("graphml", "gexf", "json", "csv", "kumu", "pajek"):
        r = client.get(f"/api/v1/networks/{nid}/export?format={fmt}", headers=admin)
        if r.status_code != 200:
            yield f"{fmt}: export answered {r.status_code}"
            continue
        if fmt in ("graphml", "gexf"):
            try:
                got = _xml_names(r.content, fmt)
            except etree.XMLSyntaxError as exc:
                yield f"{fmt}: not well-formed XML ({exc})"
                continue
            if sorted(got) != sorted(names):
                yield f"{fmt}: names {sorted(got)!r} != {sorted(names)!r}"
            if fmt == "graphml":
                nx.read_graphml(io.BytesIO(r.content))  # and networkx reads it too
        copy = _network(client, admin, f"Kopie {fmt}")
        imported = _import(client, admin, copy, r.content, "xlsx" if fmt == "kumu" else fmt)
        if imported.status_code != 200:
            yield f"{fmt}: re-import answered {imported.status_code} {imported.text[:200]}"
        else:
            back = sorted(a["name"] for a in _actors(client, admin, copy))
            expected = sorted(unique_labels(names) if fmt == "pajek" else names)
            if back != expected:
                yield f"{fmt}: re-imported {back!r} != {expected!r}"
        client.delete(f"/api/v1/networks/{copy}", headers=admin)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=6))
def test_any_unicode_name_is_refused_or_exported_readably_everywhere(
    app: Any, admin_secret: str, names: list[str]
) -> None:
    admin = {"Authorization": f"Bearer {admin_secret}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        nid = _network(client, admin, "Unicodewijk")
        stored: list[str] = []
        for name in names:
            body = json.dumps({"kind": "organisation", "name": name}).encode()
            r = client.post(
                f"/api/v1/networks/{nid}/actors",
                content=body,
                headers={**admin, "content-type": "application/json"},
            )
            assert r.status_code in (201, 409, 422), r.text
            flawed = first_flaw(name) is not None
            if r.status_code == 422:
                assert flawed or not name.strip(), f"{name!r} refused: {r.text}"
                assert r.json()["errors"][0]["field"] == "name"
            elif r.status_code == 201:
                assert not flawed, f"{name!r} stored although it holds a forbidden character"
                stored.append(r.json()["name"])
        if stored:
            failures = list(_round_trip(client, admin, nid, stored))
            assert not failures, "\n".join(failures)
        client.delete(f"/api/v1/networks/{nid}", headers=admin)


@pytest.fixture
def admin_secret(make_token: Any) -> str:
    return str(make_token("admin"))


def test_values_stored_before_the_rule_still_export_as_well_formed_xml(
    client: TestClient, admin: dict, engine: Any
) -> None:
    """A name that entered before input was checked (straight into the database here)
    cannot break an XML export: what XML 1.0 forbids is written as U+FFFD."""
    import sqlalchemy as sa

    from netwerk.store.tables import Actor

    nid = _network(client, admin, "Oude gegevens")
    r = client.post(
        f"/api/v1/networks/{nid}/actors", json={"kind": "place", "name": "Buurthuis"}, headers=admin
    )
    aid = r.json()["id"]
    with engine.begin() as conn:
        conn.execute(
            sa.update(Actor).where(Actor.id == aid).values(name="Buurt\ufffehuis\x1b\uffff")
        )
    for fmt in ("graphml", "gexf"):
        r = client.get(f"/api/v1/networks/{nid}/export?format={fmt}", headers=admin)
        assert r.status_code == 200
        assert _xml_names(r.content, fmt) == ["Buurt\ufffdhuis\ufffd\ufffd"]
    r = client.get(f"/api/v1/networks/{nid}/export?format=kumu", headers=admin)
    assert r.status_code == 200  # openpyxl refuses ESC: the export broke mid-stream
    copy = _network(client, admin, "Oude gegevens, kopie")
    assert _import(client, admin, copy, r.content, "xlsx").status_code == 200
    assert [a["name"] for a in _actors(client, admin, copy)] == ["Buurt\ufffdhuis\ufffd\ufffd"]


def test_a_boolean_field_takes_only_a_boolean(client: TestClient, admin: dict) -> None:
    """Found by the schema fuzzing: ``create_tie: 0`` was read as false and accepted."""
    nid = _network(client, admin, "Strikte wijk")
    ids = [
        client.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "resident", "name": name, "consent": "given"},
            headers=admin,
        ).json()["id"]
        for name in ("Anna", "Bilal")
    ]
    base = f"/api/v1/networks/{nid}/suggestions/feedback"
    for value in (0, 1, "true", "no"):
        body = {"source": ids[0], "target": ids[1], "decision": "accepted", "create_tie": value}
        r = client.post(base, json=body, headers=admin)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "create_tie", r.text
    r = client.post(
        base, json={"source": ids[0], "target": ids[1], "decision": "accepted"}, headers=admin
    )
    fid = r.json()["id"]
    r = client.post(
        f"{base}/{fid}/outcome", json={"outcome": "no_contact", "create_tie": 0}, headers=admin
    )
    assert r.status_code == 422, r.text
