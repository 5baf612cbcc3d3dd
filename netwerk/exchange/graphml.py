"""GraphML (http://graphml.graphdrawing.org): Gephi, yEd, networkx, igraph, Cytoscape.

Written as ``edgedefault="undirected"`` (every tie kind but ``refers_to`` is symmetric;
``refers_to`` keeps its source → target order, and its kind says it is directed). Node data:
``kind``, ``label`` (the name: Gephi's label key), ``area``, the multi-valued ``languages``,
``assets``, ``needs`` as ``;``-joined strings, ``consent``, ``note``, ``external_ref``, then
the free attributes with their own GraphML types (prefixed ``attr.`` when a name collides with
a field) and analysis results (``analysis.<name>``). Edge data: ``kind``, ``weight`` (the tie's
strength 1-5, under the name Gephi, networkx and igraph weigh edges by), ``support``
(``;``-joined), ``since``/``until`` (ISO dates), ``note``, ``status`` (``active`` on the
export's day, ``ended`` or ``future``: only a ``history`` export holds the last two). Empty
values are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from netwerk.errors import ValidationFailed

from . import _xml
from .normalise import Header, Item, RawActor, RawTie
from .records import AttrType, NetworkRecords, attribute_column, node_cells

__all__ = ["read", "write"]

NS = "http://graphml.graphdrawing.org/xmlns"

_GRAPHML_TYPE: dict[AttrType, str] = {
    "boolean": "boolean",
    "long": "long",
    "double": "double",
    "string": "string",
}


def write(doc: NetworkRecords) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    node_keys: list[tuple[str, str, str]] = []  # (key id, field, type)
    names = {"name": "label"}
    for f in doc.actor_fields:
        node_keys.append((f"n{len(node_keys)}", f, "string"))
    attr_keys = [(k, t) for k, t in doc.attr_types.items()]
    extra_keys = [(k, t) for k, t in doc.extra_types.items()]
    for f, (key_id, _field, type_) in zip(doc.actor_fields, node_keys, strict=True):
        yield (
            f'<key id="{key_id}" for="node" attr.name="{names.get(f, f)}" attr.type="{type_}"/>\n'
        )
    attr_ids: list[tuple[str, str]] = []
    for name, type_ in attr_keys:
        key_id = f"n{len(node_keys) + len(attr_ids)}"
        attr_ids.append((key_id, name))
        yield (
            f'<key id="{key_id}" for="node" attr.name="{_xml.attr(attribute_column(name))}" '
            f'attr.type="{_GRAPHML_TYPE[type_]}"/>\n'
        )
    extra_ids: list[tuple[str, str]] = []
    for name, type_ in extra_keys:
        key_id = f"x{len(extra_ids)}"
        extra_ids.append((key_id, name))
        yield (
            f'<key id="{key_id}" for="node" attr.name="analysis.{_xml.attr(name)}" '
            f'attr.type="{_GRAPHML_TYPE[type_]}"/>\n'
        )
    edge_fields = [f for f in doc.tie_fields if f != "strength"]
    edge_ids: dict[str, str] = {}
    for f in edge_fields:
        edge_ids[f] = f"e{len(edge_ids)}"
        yield f'<key id="{edge_ids[f]}" for="edge" attr.name="{f}" attr.type="string"/>\n'
    weight_id = f"e{len(edge_ids)}"
    yield f'<key id="{weight_id}" for="edge" attr.name="weight" attr.type="double"/>\n'
    yield '<graph id="G" edgedefault="undirected">\n'

    a = doc.actors
    columns: list[tuple[str, list[Any]]] = []
    for f, (key_id, _field, _type) in zip(doc.actor_fields, node_keys, strict=True):
        columns.append((key_id, getattr(a, f)))
    esc = _xml.text
    for i, key in enumerate(a.key):
        parts = [f'<node id="{_xml.attr(key)}">']
        parts.extend(
            f'<data key="{key_id}">{esc(value)}</data>'
            for key_id, value in node_cells(a, i, columns, attr_ids, extra_ids)
        )
        parts.append("</node>\n")
        yield "".join(parts)

    t = doc.ties
    e_kind = edge_ids.get("kind")
    e_support = edge_ids.get("support")
    e_since = edge_ids.get("since")
    e_until = edge_ids.get("until")
    e_note = edge_ids.get("note")
    e_status = edge_ids.get("status")
    attr = _xml.attr
    source_cache: dict[str, str] = {}
    for i in range(len(t)):
        s, g = t.source[i], t.target[i]
        s_esc = source_cache.get(s)
        if s_esc is None:
            s_esc = source_cache[s] = attr(s)
        g_esc = source_cache.get(g)
        if g_esc is None:
            g_esc = source_cache[g] = attr(g)
        strength = t.strength[i]
        parts = [f'<edge source="{s_esc}" target="{g_esc}">']
        if e_kind:
            parts.append(f'<data key="{e_kind}">{t.kind[i]}</data>')
        parts.append(f'<data key="{weight_id}">{strength}</data>')
        support = t.support[i]
        if e_support and support:
            parts.append(f'<data key="{e_support}">{";".join(support)}</data>')
        since = t.since[i]
        if e_since and since is not None:
            parts.append(f'<data key="{e_since}">{since.isoformat()}</data>')
        until = t.until[i]
        if e_until and until is not None:
            parts.append(f'<data key="{e_until}">{until.isoformat()}</data>')
        note = t.note[i] if e_note else None
        if note:
            parts.append(f'<data key="{e_note}">{esc(note)}</data>')
        if e_status:
            parts.append(f'<data key="{e_status}">{doc.status(i)}</data>')
        parts.append("</edge>\n")
        yield "".join(parts)
    yield "</graph>\n</graphml>\n"


def _convert(value: str, type_: str) -> Any:
    if type_ == "string":
        return value
    text = value.strip()
    try:
        if type_ == "boolean":
            low = text.lower()
            if low in ("true", "1"):
                return True
            if low in ("false", "0"):
                return False
            return value
        if type_ in ("int", "long"):
            return int(text)
        if type_ in ("float", "double"):
            return float(text)
    except ValueError:
        return value
    return value


class _Handler:
    """Streaming GraphML events → header/actor/tie items (hot path: keep it lean)."""

    def __init__(self) -> None:
        self.line = lambda: 0
        self.out: list[Item] = []
        self.names = _xml.LocalNames()
        self.keys: dict[str, tuple[str, str, str]] = {}  # id → (for, name, type)
        self.defaults: dict[str, tuple[str, Any]] = {}  # key id → (for, value)
        self.headers_sent = False
        self.current: dict[str, Any] | None = None
        self.current_is_node = False
        self.current_line = 0
        self.current_key: str | None = None
        self.current_ends: tuple[str | None, str | None] = (None, None)
        self.data_key: str | None = None
        self.data_depth = 0
        self.depth = 0
        self.buffer: list[str] = []
        self.key_default_for: str | None = None
        self.node_count = 0
        self.edge_count = 0
        self.node_defaults: list[tuple[str, Any]] = []
        self.edge_defaults: list[tuple[str, Any]] = []

    def _headers(self) -> None:
        if self.headers_sent:
            return
        self.headers_sent = True
        node_cols = [n for f, n, _ in self.keys.values() if f in ("node", "all")]
        edge_cols = [n for f, n, _ in self.keys.values() if f in ("edge", "all")]
        for key_id, (for_, value) in self.defaults.items():
            attr_name = self.keys[key_id][1]
            if for_ in ("node", "all"):
                self.node_defaults.append((attr_name, value))
            if for_ in ("edge", "all"):
                self.edge_defaults.append((attr_name, value))
        self.out.append(Header("actors", node_cols, structural=True))
        self.out.append(Header("ties", edge_cols, structural=True))

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.data_key is not None:
            return  # nested markup inside <data> (yEd graphics): ignored
        name = self.names[tag]
        if name == "data":
            if self.current is not None:
                self.data_key = attrib.get("key", "")
                self.data_depth = self.depth
                self.buffer = []
            return
        if name == "edge":
            if not self.headers_sent:
                self._headers()
            self.edge_count += 1
            self.current = {}
            self.current_is_node = False
            self.current_ends = (attrib.get("source"), attrib.get("target"))
            self.current_line = self.line()
        elif name == "node":
            if not self.headers_sent:
                self._headers()
            self.node_count += 1
            self.current = {}
            self.current_is_node = True
            self.current_key = attrib.get("id")
            self.current_line = self.line()
        elif self.depth == 1 and name != "graphml":
            raise ValidationFailed(
                "file", f"not a GraphML document (its root element is <{name[:40]}>)", line=1
            )
        elif name == "key":
            key_id = attrib.get("id", "")
            attr_name = attrib.get("attr.name") or key_id
            self.keys[key_id] = (
                attrib.get("for", "all"),
                attr_name,
                attrib.get("attr.type", "string"),
            )
            self.key_default_for = key_id
        elif name == "default" and self.key_default_for is not None:
            self.data_key = "__default__"
            self.data_depth = self.depth
            self.buffer = []
        elif name == "graph":
            self._headers()

    def data(self, data: str) -> None:
        if self.data_key is not None and self.depth == self.data_depth:
            self.buffer.append(data)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        data_key = self.data_key
        if data_key is not None:
            if depth != self.data_depth:
                return
            buffer = self.buffer
            value = buffer[0] if len(buffer) == 1 else "".join(buffer)
            self.data_key = None
            if data_key == "__default__":
                if self.key_default_for is not None:
                    for_, _attr, type_ = self.keys[self.key_default_for]
                    self.defaults[self.key_default_for] = (for_, _convert(value, type_))
                return
            current = self.current
            if current is not None:
                spec = self.keys.get(data_key)
                if spec is not None:
                    type_ = spec[2]
                    current[spec[1]] = value if type_ == "string" else _convert(value, type_)
            return
        current = self.current
        if current is None:
            if self.names[tag] == "key":
                self.key_default_for = None
            return
        name = self.names[tag]
        if name == "edge" and not self.current_is_node:
            for attr_name, value in self.edge_defaults:
                current.setdefault(attr_name, value)
            source, target = self.current_ends
            self.out.append(
                RawTie(current, source, target, row=self.edge_count, line=self.current_line)
            )
            self.current = None
        elif name == "node" and self.current_is_node:
            for attr_name, value in self.node_defaults:
                current.setdefault(attr_name, value)
            self.out.append(
                RawActor(current, key=self.current_key, row=self.node_count, line=self.current_line)
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
    if not handler.headers_sent:
        handler._headers()
        yield from handler.drain()


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
