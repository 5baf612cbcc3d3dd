"""Malformed imports: every format refuses bad encoding, missing columns, unknown kinds and
ties to missing actors with a ValidationFailed (HTTP 422) naming the row or line of *every*
error; XML bombs and external entities are refused before anything is expanded; oversized
files are refused (TooLarge, HTTP 413). The database is unchanged after each refusal."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa

from netwerk.errors import TooLarge, ValidationFailed
from netwerk.exchange import import_network
from netwerk.model import new_id
from netwerk.store.tables import Actor, Network, Tie

# -- helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network(engine: sa.Engine) -> str:
    """A network with one actor in it, so 'unchanged' means something."""
    network_id = new_id()
    with engine.begin() as conn:
        conn.execute(sa.insert(Network).values(id=network_id, name="Malformed", revision=1))
        import_network(conn, network_id, b"Id,Label,Type\nexisting,Bestaand,organisation\n", "csv")
    return network_id


def state(engine: sa.Engine, network_id: str) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(sa.select(sa.func.count()).where(Actor.network_id == network_id)),
            conn.scalar(sa.select(sa.func.count()).where(Tie.network_id == network_id)),
            conn.scalar(sa.select(Network.revision).where(Network.id == network_id)),
        )


def refused(
    engine: sa.Engine, network_id: str, data: bytes | Any, fmt: str, **kw: Any
) -> ValidationFailed:
    before = state(engine, network_id)
    with pytest.raises(ValidationFailed) as err, engine.begin() as conn:
        import_network(conn, network_id, data, fmt, **kw)
    assert state(engine, network_id) == before
    return err.value


def where(exc: ValidationFailed) -> list[tuple[int | None, int | None]]:
    return [(e.row, e.line) for e in exc.errors]


def messages(exc: ValidationFailed) -> str:
    return " | ".join(f"{e.field}: {e.message}" for e in exc.errors)


# -- minimal documents of each format (one element per line: predictable line numbers) ----

Node = tuple[str, str | None, str]  # id, kind (None: leave out), name
Edge = tuple[str, str, str]  # source, target, kind


def graphml(nodes: list[Node], edges: list[Edge], *, kind_key: bool = True) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="k" for="node" attr.name="kind" attr.type="string"/>'
        if kind_key
        else '<key id="x" for="node" attr.name="colour" attr.type="string"/>',
        '<key id="n" for="node" attr.name="label" attr.type="string"/>',
        '<key id="t" for="edge" attr.name="kind" attr.type="string"/>',
        '<graph edgedefault="undirected">',
    ]  # nodes start on line 7
    for node_id, kind, name in nodes:
        kind_data = f'<data key="k">{kind}</data>' if kind is not None else ""
        lines.append(f'<node id="{node_id}">{kind_data}<data key="n">{name}</data></node>')
    for source, target, kind in edges:
        lines.append(
            f'<edge source="{source}" target="{target}"><data key="t">{kind}</data></edge>'
        )
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def gexf(nodes: list[Node], edges: list[Edge], *, kind_attr: bool = True) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
        '<graph defaultedgetype="undirected">',
        '<attributes class="node"><attribute id="0" title="%s" type="string"/></attributes>'
        % ("kind" if kind_attr else "colour"),
        '<attributes class="edge"><attribute id="0" title="kind" type="string"/></attributes>',
        "<nodes>",
    ]  # nodes start on line 7
    for node_id, kind, name in nodes:
        values = f'<attvalues><attvalue for="0" value="{kind}"/></attvalues>' if kind else ""
        lines.append(f'<node id="{node_id}" label="{name}">{values}</node>')
    lines.append("</nodes><edges>")
    for i, (source, target, kind) in enumerate(edges):
        lines.append(
            f'<edge id="{i}" source="{source}" target="{target}">'
            f'<attvalues><attvalue for="0" value="{kind}"/></attvalues></edge>'
        )
    lines += ["</edges>", "</graph>", "</gexf>"]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def node_link(nodes: list[Node], edges: list[Edge]) -> bytes:
    import json

    return json.dumps(
        {
            "nodes": [
                {"id": i, "name": n, **({"kind": k} if k is not None else {})} for i, k, n in nodes
            ],
            "edges": [{"source": s, "target": t, "kind": k} for s, t, k in edges],
        }
    ).encode()


def actors_csv(nodes: list[Node], *, kind_column: bool = True) -> bytes:
    head = "Id,Label,Type" if kind_column else "Id,Label"
    rows = [f"{i},{n},{k}" if kind_column else f"{i},{n}" for i, k, n in nodes]
    return ("\n".join([head, *rows]) + "\n").encode()


def ties_csv(edges: list[Edge]) -> bytes:
    return ("\n".join(["Source,Target,kind", *(",".join(e) for e in edges)]) + "\n").encode()


def csv_zip(nodes: list[Node], edges: list[Edge], *, kind_column: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("actors.csv", actors_csv(nodes, kind_column=kind_column))
        zf.writestr("ties.csv", ties_csv(edges))
    return out.getvalue()


def kumu(nodes: list[Node], edges: list[Edge], *, to_column: bool = True) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Elements"
    sheet.append(["ID", "Label", "Type"])
    for i, k, n in nodes:
        sheet.append([i, n, k])
    conn = book.create_sheet("Connections")
    conn.append(["From", "To", "Type"] if to_column else ["From", "Type"])
    for s, t, k in edges:
        conn.append([s, t, k] if to_column else [s, k])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD: list[Node] = [("a", "resident", "Ans"), ("b", "place", "Bieb")]


# -- bad encoding ----------------------------------------------------------------------------

LATIN1 = "Jos\udce9"  # a lone 0xE9 byte (é in Latin-1) once encoded with surrogateescape


@pytest.mark.parametrize(
    ("fmt", "data", "line"),
    [
        ("csv", b"Id,Label,Type\na,Ans,resident\nb,Jos\xe9,resident\n", 3),
        ("graphml", graphml([*GOOD, ("c", "resident", LATIN1)], []), 9),
        ("gexf", gexf([*GOOD, ("c", "resident", LATIN1)], []), 9),
        (
            "json",
            b'{"nodes": [\n{"id": "a", "kind": "resident", "name": "Jos\xe9"}],\n"edges": []}',
            2,
        ),
        ("pajek", b'*Vertices 2\n1 "Ans"\n2 "Jos\xe9"\n*Edges\n1 2\n', 3),
    ],
)
def test_bad_encoding_names_the_line(engine, network, fmt, data, line):
    exc = refused(engine, network, data, fmt)
    assert exc.errors[0].line == line, messages(exc)
    assert "UTF-8" in exc.errors[0].message


def test_a_broken_workbook_is_refused(engine, network):
    exc = refused(engine, network, b"PK\x03\x04" + b"\x00" * 200, "kumu")
    assert "zip" in messages(exc) or "XLSX" in messages(exc)


# -- missing columns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "data", "needle"),
    [
        ("csv", actors_csv(GOOD, kind_column=False), "no actor kind"),
        ("csv", b"Source,Weight\na,3\n", "'Source' and 'Target'"),
        ("csv", b"Type,Colour\nresident,red\n", "'Label' (name) or 'Id'"),
        ("graphml", graphml(GOOD, [], kind_key=False), "no actor kind"),
        ("gexf", gexf(GOOD, [], kind_attr=False), "no actor kind"),
        ("json", node_link([("a", None, "Ans")], []), "no actor kind"),
        ("kumu", kumu(GOOD, [("a", "b", "knows")], to_column=False), "'Source' and 'Target'"),
        ("pajek", b'*Vertices\n1 "Ans"\n', "number of vertices"),
    ],
)
def test_missing_columns_are_named(engine, network, fmt, data, needle):
    exc = refused(engine, network, data, fmt)
    assert needle in messages(exc)
    if fmt in ("csv", "pajek"):
        assert exc.errors[0].line == 1


# -- unknown kinds ---------------------------------------------------------------------------

BAD_KINDS_NODES: list[Node] = [*GOOD, ("c", "alien", "Zork")]
BAD_KINDS_EDGES: list[Edge] = [("a", "b", "knows"), ("a", "c", "enemy")]


@pytest.mark.parametrize(
    ("fmt", "data", "expected"),
    [
        ("graphml", graphml(BAD_KINDS_NODES, BAD_KINDS_EDGES), [(3, 9), (2, 11)]),
        ("gexf", gexf(BAD_KINDS_NODES, BAD_KINDS_EDGES), [(3, 9), (2, 12)]),
        ("json", node_link(BAD_KINDS_NODES, BAD_KINDS_EDGES), [(3, None), (2, None)]),
        ("csv", csv_zip(BAD_KINDS_NODES, BAD_KINDS_EDGES), [(4, 4), (3, 3)]),
        ("kumu", kumu(BAD_KINDS_NODES, BAD_KINDS_EDGES), [(4, None), (3, None)]),
    ],
)
def test_unknown_kinds_are_errors_with_their_row(engine, network, fmt, data, expected):
    exc = refused(engine, network, data, fmt)
    text = messages(exc)
    assert "'alien' is not a known actor kind" in text and "resident" in text
    assert "'enemy' is not a known tie kind" in text and "knows" in text
    # the tie to the refused actor is reported too
    assert where(exc)[:2] == expected, text


def test_kumu_type_synonyms_map_and_unknown_dutch_kinds_do_not(engine, network):
    nodes: list[Node] = [
        ("a", "Persoon", "Ans"),
        ("b", "Organisatie", "Wijkteam"),
        ("c", "Kabouter", "Zork"),
    ]
    exc = refused(engine, network, kumu(nodes, []), "kumu")
    assert len(exc.errors) == 1 and exc.errors[0].row == 4


# -- ties to missing actors -------------------------------------------------------------------

MISSING: list[Edge] = [("a", "b", "knows"), ("a", "ghost", "knows"), ("spook", "b", "friend")]


@pytest.mark.parametrize(
    ("fmt", "data", "expected"),
    [
        ("graphml", graphml(GOOD, MISSING), [(2, 10), (3, 11)]),
        ("gexf", gexf(GOOD, MISSING), [(2, 11), (3, 12)]),
        ("json", node_link(GOOD, MISSING), [(2, None), (3, None)]),
        ("csv", csv_zip(GOOD, MISSING), [(3, 3), (4, 4)]),
        ("kumu", kumu(GOOD, MISSING), [(3, None), (4, None)]),
        (
            "pajek",
            b'*Vertices 2\n1 "Ans"\n2 "Bieb"\n*Edges\n1 2\n1 7\n9 2\n',
            [(None, 6), (None, 7)],
        ),
    ],
)
def test_ties_to_missing_actors_are_each_reported(engine, network, fmt, data, expected):
    exc = refused(engine, network, data, fmt)
    assert where(exc) == expected, messages(exc)
    assert "is not an actor in this file" in exc.errors[0].message


def test_every_error_is_listed_up_to_a_cap_with_a_count(engine, network):
    rows = ["Id,Label,Type,area"]
    rows += [f"x{i},Naam {i},martian,BU123" for i in range(150)]
    data = ("\n".join(rows) + "\n").encode()
    with engine.begin() as conn:
        report = import_network(conn, network, data, "csv", dry_run=True)
    assert not report.ok and report.error_count == 300  # two errors per row
    assert len(report.errors) == 101 and report.errors[-1].message == "200 more errors not listed"
    assert [e.row for e in report.errors[:4]] == [2, 2, 3, 3]
    exc = refused(engine, network, data, "csv")
    assert len(exc.errors) == 101


def test_row_rules_self_ties_periods_strength_and_duplicates(engine, network):
    data = (
        b"Source,Target,kind,strength,since,until\n"
        b"existing,existing,knows,3,,\n"
        b"existing,existing2,knows,9,,\n"
        b"existing,existing2,knows,3,2024-05-01,2023-01-01\n"
    )
    exc = refused(engine, network, data, "csv")
    text = messages(exc)
    assert "two different actors" in text and "use a whole number from 1 to 5" in text
    assert "until is before since" in text
    assert {e.row for e in exc.errors} >= {2, 3, 4}
    dup = b"Id,Label,Type\nq,Q,resident\nq,Q2,resident\n"
    assert "appears twice (first at row 2)" in messages(refused(engine, network, dup, "csv"))


# -- hostile XML and oversized files ----------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="n" for="node" attr.name="label" attr.type="string"/>
<graph edgedefault="undirected"><node id="a"><data key="n">&lol9;</data></node></graph>
</graphml>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE gexf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph>
<attributes class="node"><attribute id="0" title="kind" type="string"/></attributes>
<nodes><node id="a" label="&xxe;"><attvalues><attvalue for="0" value="resident"/></attvalues>
</node></nodes><edges/></graph></gexf>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE graphml SYSTEM "http://127.0.0.1:9/evil.dtd">
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph/></graphml>
"""


@pytest.mark.parametrize(
    ("fmt", "data"),
    [("graphml", BILLION_LAUGHS), ("gexf", XXE), ("graphml", EXTERNAL_DTD)],
    ids=["billion-laughs-graphml", "xxe-gexf", "external-dtd-graphml"],
)
def test_entity_expansion_and_external_entities_are_refused_quickly(engine, network, fmt, data):
    started = time.perf_counter()
    exc = refused(engine, network, data, fmt)
    assert time.perf_counter() - started < 1.0
    assert "refused for safety" in exc.errors[0].message
    assert exc.errors[0].line == 2  # the DOCTYPE
    assert "root:" not in messages(exc)


def test_a_50_mb_file_over_the_cap_is_refused_without_reading_it_all(engine, network):
    big = b"Id,Label,Type\n" + b"x" * 50_000_000
    before = state(engine, network)
    for data in (big, io.BytesIO(big)):
        with pytest.raises(TooLarge) as err, engine.begin() as conn:
            import_network(conn, network, data, "csv", max_bytes=10_000_000)
        assert "10000000" in err.value.detail
    assert state(engine, network) == before


def test_a_zip_bomb_is_refused(engine, network):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("actors.csv", b"Id,Label,Type\n" + b"\n" * 30_000_000)
    exc = refused(engine, network, out.getvalue(), "csv")
    assert "1000-fold" in messages(exc)


def test_a_file_of_another_format_is_named_as_such(engine, network):
    exc = refused(engine, network, gexf(GOOD, []), "graphml")
    assert "not a GraphML document" in messages(exc)
    exc = refused(engine, network, b"{not json", "json")
    assert "not valid JSON" in messages(exc) and exc.errors[0].line == 1
    exc = refused(engine, network, b"<graphml><node", "graphml")
    assert "not well-formed XML" in messages(exc)


def test_an_xlsx_with_entities_in_a_sheet_is_refused(engine, network):
    original = zipfile.ZipFile(io.BytesIO(kumu(GOOD, [])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in original.infolist():
            content = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + content
            zf.writestr(info, content)
    exc = refused(engine, network, out.getvalue(), "xlsx")
    assert "declares a DTD or entities" in messages(exc)
