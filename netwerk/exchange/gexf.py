"""GEXF 1.3 (https://gexf.net, Gephi's own format).

By default, and with ``as_of``, the export is a static graph of the ties active on that date
(today by default, as the analysis sees the network; their ``since``/``until`` kept as
attributes). A ``history`` export is one *dynamic* graph of every tie
(``mode="dynamic" timeformat="date"``): each tie carries its ``since``/``until`` as the
``start``/``end`` of its spell, so Gephi's timeline plays the network's growth. Every edge
has a ``status`` attribute: ``active`` on the export's day, ``ended`` or ``future``. Actor names
are node labels; the other fields and free attributes are typed ``<attvalue>``s, multi-valued
fields ``;``-joined strings; ``weight`` is the tie's strength.

On import every ``<spell>`` of an edge becomes a tie of its own (a tie that ended and started
again is two ties in the store's history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from netwerk.errors import ValidationFailed

from . import _xml
from .normalise import Header, Item, RawActor, RawTie
from .records import AttrType, NetworkRecords, attribute_column, node_cells

__all__ = ["NS", "read", "write"]

NS = "http://gexf.net/1.3"

_GEXF_TYPE: dict[AttrType, str] = {
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "string": "string",
}


def write(doc: NetworkRecords) -> Iterator[str]:
    dynamic = doc.dynamic
    today = dt.date.today().isoformat()
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<gexf xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS} {NS}/gexf.xsd" version="1.3">\n'
    )
    yield (
        f'<meta lastmodifieddate="{today}"><creator>Spinnen in het web</creator>'
        f"<description>{_xml.text(doc.title)}</description></meta>\n"
    )
    mode = 'mode="dynamic" timeformat="date"' if dynamic else 'mode="static"'
    yield f'<graph defaultedgetype="undirected" {mode}>\n'

    node_fields = [f for f in doc.actor_fields if f != "name"]
    node_cols: list[tuple[str, str, str]] = []  # (id, title, type)
    for f in node_fields:
        node_cols.append((f"n{len(node_cols)}", f, "string"))
    attr_cols: list[tuple[str, str]] = []
    extra_cols: list[tuple[str, str]] = []
    yield '<attributes class="node">\n'
    for col_id, title, type_ in node_cols:
        yield f'<attribute id="{col_id}" title="{title}" type="{type_}"/>\n'
    for name, attr_type in doc.attr_types.items():
        col_id = f"n{len(node_cols) + len(attr_cols)}"
        attr_cols.append((col_id, name))
        yield (
            f'<attribute id="{col_id}" title="{_xml.attr(attribute_column(name))}" '
            f'type="{_GEXF_TYPE[attr_type]}"/>\n'
        )
    for name, attr_type in doc.extra_types.items():
        col_id = f"x{len(extra_cols)}"
        extra_cols.append((col_id, name))
        yield (
            f'<attribute id="{col_id}" title="analysis.{_xml.attr(name)}" '
            f'type="{_GEXF_TYPE[attr_type]}"/>\n'
        )
    yield "</attributes>\n"
    edge_fields = [f for f in doc.tie_fields if not (dynamic and f in ("since", "until"))]
    edge_ids = {f: f"e{i}" for i, f in enumerate(edge_fields)}
    yield '<attributes class="edge">\n'
    for f in edge_fields:
        type_ = "integer" if f == "strength" else "string"
        yield f'<attribute id="{edge_ids[f]}" title="{f}" type="{type_}"/>\n'
    yield "</attributes>\n"

    a = doc.actors
    labels = doc.labels
    columns = [(col_id, getattr(a, title)) for col_id, title, _t in node_cols]
    attr = _xml.attr
    yield f'<nodes count="{len(a)}">\n'
    for i, key in enumerate(a.key):
        parts = [f'<node id="{attr(key)}" label="{attr(labels[i])}"><attvalues>']
        parts.extend(
            f'<attvalue for="{col_id}" value="{attr(value)}"/>'
            for col_id, value in node_cells(a, i, columns, attr_cols, extra_cols)
        )
        parts.append("</attvalues></node>\n")
        yield "".join(parts)
    yield "</nodes>\n"

    t = doc.ties
    yield f'<edges count="{len(t)}">\n'
    e_kind = edge_ids.get("kind")
    e_strength = edge_ids.get("strength")
    e_support = edge_ids.get("support")
    e_since = edge_ids.get("since")
    e_until = edge_ids.get("until")
    e_note = edge_ids.get("note")
    e_status = edge_ids.get("status")
    cache: dict[str, str] = {}
    for i in range(len(t)):
        s, g = t.source[i], t.target[i]
        s_esc = cache.get(s)
        if s_esc is None:
            s_esc = cache[s] = attr(s)
        g_esc = cache.get(g)
        if g_esc is None:
            g_esc = cache[g] = attr(g)
        strength = t.strength[i]
        since, until = t.since[i], t.until[i]
        head = f'<edge id="{i}" source="{s_esc}" target="{g_esc}" weight="{strength}"'
        if dynamic:
            if since is not None:
                head += f' start="{since.isoformat()}"'
            if until is not None:
                head += f' end="{until.isoformat()}"'
        parts = [head, "><attvalues>"]
        if e_kind:
            parts.append(f'<attvalue for="{e_kind}" value="{t.kind[i]}"/>')
        if e_strength:
            parts.append(f'<attvalue for="{e_strength}" value="{strength}"/>')
        support = t.support[i]
        if e_support and support:
            parts.append(f'<attvalue for="{e_support}" value="{";".join(support)}"/>')
        if e_since and since is not None:
            parts.append(f'<attvalue for="{e_since}" value="{since.isoformat()}"/>')
        if e_until and until is not None:
            parts.append(f'<attvalue for="{e_until}" value="{until.isoformat()}"/>')
        note = t.note[i] if e_note else None
        if note:
            parts.append(f'<attvalue for="{e_note}" value="{attr(note)}"/>')
        if e_status:
            parts.append(f'<attvalue for="{e_status}" value="{doc.status(i)}"/>')
        parts.append("</attvalues></edge>\n")
        yield "".join(parts)
    yield "</edges>\n</graph>\n</gexf>\n"


_INT_TYPES = {"integer", "long", "short", "byte", "biginteger"}
_FLOAT_TYPES = {"float", "double", "bigdecimal"}


def _convert(value: str, type_: str) -> Any:
    text = value.strip()
    try:
        if type_ in _INT_TYPES:
            return int(text)
        if type_ in _FLOAT_TYPES:
            return float(text)
    except ValueError:
        return value
    if type_ == "boolean":
        low = text.lower()
        return True if low == "true" else False if low == "false" else value
    if type_.startswith("list") and text.startswith("[") and text.endswith("]"):
        return text[1:-1]
    return value


class _Handler:
    def __init__(self) -> None:
        self.line = lambda: 0
        self.out: list[Item] = []
        self.names = _xml.LocalNames()
        self.attrs: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
        self.defaults: dict[str, dict[str, Any]] = {"node": {}, "edge": {}}
        self.klass = "node"
        self.attr_id: str | None = None
        self.in_default = False
        self.buffer: list[str] = []
        self.headers_sent = False
        self.current: dict[str, Any] | None = None
        self.current_kind = ""
        self.current_key: str | None = None
        self.ends: tuple[str | None, str | None] = (None, None)
        self.current_line = 0
        self.spells: list[tuple[str | None, str | None]] = []
        self.open_values: dict[str, bool] = {}
        self.depth = 0
        self.entity_depth = 0
        self.nodes = 0
        self.edges = 0

    def _headers(self) -> None:
        if self.headers_sent:
            return
        self.headers_sent = True
        node_cols = ["label", *(t for t, _ in self.attrs["node"].values())]
        edge_cols = list(
            dict.fromkeys([*(t for t, _ in self.attrs["edge"].values()), "kind", "weight"])
        )
        edge_cols += ["start", "end"]
        self.out.append(Header("actors", node_cols, structural=True))
        self.out.append(Header("ties", edge_cols, structural=True))

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        name = self.names[tag]
        if self.depth == 1 and name != "gexf":
            raise ValidationFailed(
                "file", f"not a GEXF document (its root element is <{name[:40]}>)", line=1
            )
        if name == "attributes":
            self.klass = attrib.get("class", "node")
            self.attrs.setdefault(self.klass, {})
            self.defaults.setdefault(self.klass, {})
        elif name == "attribute":
            self.attr_id = attrib.get("id", "")
            self.attrs[self.klass][self.attr_id] = (
                attrib.get("title") or self.attr_id,
                attrib.get("type", "string"),
            )
        elif name == "default" and self.attr_id is not None:
            self.in_default = True
            self.buffer = []
        elif name == "nodes" or name == "edges":
            self._headers()
        elif name == "node" and self.current is None:
            self.nodes += 1
            self.current = {}
            self.current_kind = "node"
            self.entity_depth = self.depth
            self.current_key = attrib.get("id")
            if attrib.get("label") is not None:
                self.current["label"] = attrib["label"]
            self.current_line = self.line()
            self.open_values = {}
        elif name == "edge" and self.current is None:
            self.edges += 1
            self.current = {}
            self.current_kind = "edge"
            self.entity_depth = self.depth
            self.ends = (attrib.get("source"), attrib.get("target"))
            for xml_attr in ("kind", "weight", "start", "end"):
                if attrib.get(xml_attr) is not None:
                    self.current[xml_attr] = attrib[xml_attr]
            self.current_line = self.line()
            self.spells = []
            self.open_values = {}
        elif name == "attvalue" and self.current is not None:
            spec = self.attrs.get(self.current_kind, {}).get(attrib.get("for", ""))
            if spec is None:
                return
            title, type_ = spec
            value = _convert(attrib.get("value", ""), type_)
            is_open = attrib.get("end") is None
            # Dynamic values: the open (current) one wins, else the last one.
            if title not in self.current or is_open or not self.open_values.get(title):
                self.current[title] = value
                self.open_values[title] = is_open
        elif name == "spell" and self.current is not None and self.current_kind == "edge":
            self.spells.append((attrib.get("start"), attrib.get("end")))

    def data(self, data: str) -> None:
        if self.in_default:
            self.buffer.append(data)

    def end(self, tag: str) -> None:
        name = self.names[tag]
        depth = self.depth
        self.depth -= 1
        if name == "default" and self.in_default:
            self.in_default = False
            if self.attr_id is not None:
                title, type_ = self.attrs[self.klass][self.attr_id]
                self.defaults[self.klass][title] = _convert("".join(self.buffer), type_)
        elif name == "attribute":
            self.attr_id = None
        elif self.current is not None and depth == self.entity_depth:
            values = self.current
            for title, default in self.defaults.get(self.current_kind, {}).items():
                values.setdefault(title, default)
            if name == "node":
                self.out.append(
                    RawActor(values, key=self.current_key, row=self.nodes, line=self.current_line)
                )
            elif name == "edge":
                source, target = self.ends
                if self.spells:
                    for start, end in self.spells:
                        copy = dict(values)
                        copy.pop("start", None)
                        copy.pop("end", None)
                        if start is not None:
                            copy["start"] = start
                        if end is not None:
                            copy["end"] = end
                        self.out.append(
                            RawTie(copy, source, target, row=self.edges, line=self.current_line)
                        )
                else:
                    self.out.append(
                        RawTie(values, source, target, row=self.edges, line=self.current_line)
                    )
            self.current = None

    def close(self) -> None:
        self._headers()

    def drain(self) -> list[Item]:
        out, self.out = self.out, []
        return out


def read(data: bytes) -> Iterator[Item]:
    handler = _Handler()
    yield from _xml.parse_events(data, handler, handler.drain)
