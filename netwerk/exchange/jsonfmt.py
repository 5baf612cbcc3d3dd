"""JSON: networkx node-link data and Cytoscape.js elements.

* ``json``: the shape of ``networkx.node_link_data(G, edges="edges")`` for a MultiGraph
  (``{"directed": false, "multigraph": true, "graph": {...}, "nodes": [...], "edges": [...]}``);
  read it back with ``networkx.node_link_graph(data, edges="edges")``. Imports also accept the
  older ``"links"`` key.
* ``cytoscape``: Cytoscape.js / Cytoscape desktop ``.cyjs``
  (``{"data": {...}, "elements": {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}}``).

Multi-valued fields are JSON lists; attributes keep their JSON types; the actor's name is
``name``; each edge has a ``status`` (``active`` on the export's day, ``ended``,
``future``). Written one node or edge per line, so a large export streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from netwerk.errors import ValidationFailed

from .normalise import Header, Item, RawActor, RawError, RawTie
from .records import NetworkRecords, attribute_column

__all__ = ["read", "write_cytoscape", "write_node_link"]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _node(doc: NetworkRecords, i: int, label: str) -> dict[str, Any]:
    a = doc.actors
    obj: dict[str, Any] = {"id": a.key[i]}
    for f in doc.actor_fields:
        value = label if f == "name" else getattr(a, f)[i]
        if value is None:
            continue
        obj[f] = list(value) if isinstance(value, tuple) else value
    if doc.attr_types:
        for name, value in a.attributes[i].items():
            if value is not None:
                obj[attribute_column(name)] = value
    if doc.extra_types:
        for name, value in a.extra[i].items():
            if value is not None:
                obj[f"analysis.{name}"] = list(value) if isinstance(value, tuple) else value
    return obj


def _edge_data(doc: NetworkRecords, i: int) -> dict[str, Any]:
    t = doc.ties
    obj: dict[str, Any] = {"source": t.source[i], "target": t.target[i]}
    fields = doc.tie_fields
    if "kind" in fields:
        obj["kind"] = t.kind[i]
    if "strength" in fields:
        obj["strength"] = t.strength[i]
    obj["weight"] = t.strength[i]
    if "support" in fields:
        obj["support"] = list(t.support[i])
    since, until = t.since[i], t.until[i]
    if "since" in fields and since is not None:
        obj["since"] = since.isoformat()
    if "until" in fields and until is not None:
        obj["until"] = until.isoformat()
    if "status" in fields:
        obj["status"] = doc.status(i)
    if "note" in fields and t.note[i]:
        obj["note"] = t.note[i]
    return obj


def _graph_meta(doc: NetworkRecords) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": doc.title}
    if doc.as_of is not None:
        meta["as_of"] = doc.as_of.isoformat()
    if doc.pseudonymised:
        meta["pseudonymised"] = True
    return meta


def write_node_link(doc: NetworkRecords) -> Iterator[str]:
    yield (
        '{"directed":false,"multigraph":true,"graph":' + _dumps(_graph_meta(doc)) + ',"nodes":[\n'
    )
    labels = doc.labels
    for i in range(len(doc.actors)):
        yield ("," if i else "") + _dumps(_node(doc, i, labels[i])) + "\n"
    yield '],"edges":[\n'
    for i in range(len(doc.ties)):
        yield ("," if i else "") + _dumps(_edge_data(doc, i)) + "\n"
    yield "]}\n"


def write_cytoscape(doc: NetworkRecords) -> Iterator[str]:
    head = {
        "format_version": "1.0",
        "generated_by": "Spinnen in het web",
        "target_cytoscapejs_version": "~3",
        "data": _graph_meta(doc),
    }
    yield _dumps(head)[:-1] + ',"elements":{"nodes":[\n'
    labels = doc.labels
    for i in range(len(doc.actors)):
        yield ("," if i else "") + _dumps({"data": _node(doc, i, labels[i])}) + "\n"
    yield '],"edges":[\n'
    for i in range(len(doc.ties)):
        data = _edge_data(doc, i)
        data = {"id": f"e{i}", **data}
        yield ("," if i else "") + _dumps({"data": data}) + "\n"
    yield "]}}\n"


def _as_list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(where, "expected a JSON list")
    return value


def read(data: bytes) -> Iterator[Item]:
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed("file", "not UTF-8 encoded JSON", line=line) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed("file", f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(doc, dict):
        raise ValidationFailed("file", "expected a JSON object with nodes and edges")
    elements = doc.get("elements")
    nodes: list[Any]
    edges: list[Any]
    if elements is not None:  # Cytoscape.js
        if isinstance(elements, list):
            nodes = [e for e in elements if isinstance(e, dict) and e.get("group") == "nodes"]
            edges = [e for e in elements if isinstance(e, dict) and e.get("group") == "edges"]
        elif isinstance(elements, dict):
            nodes = _as_list(elements.get("nodes"), "elements.nodes")
            edges = _as_list(elements.get("edges"), "elements.edges")
        else:
            raise ValidationFailed("elements", "expected a list or an object")
        nodes = [n.get("data") if isinstance(n, dict) else n for n in nodes]
        edges = [e.get("data") if isinstance(e, dict) else e for e in edges]
        section = "elements"
    elif "nodes" in doc:
        nodes = _as_list(doc.get("nodes"), "nodes")
        edge_key = "edges" if "edges" in doc else "links"
        edges = _as_list(doc.get(edge_key), edge_key)
        section = ""
    else:
        raise ValidationFailed(
            "file", "expected node-link JSON ('nodes' and 'edges') or Cytoscape.js ('elements')"
        )
    node_cols: dict[str, None] = {}
    for node in nodes:
        if isinstance(node, dict):
            node_cols.update(dict.fromkeys(k for k in node if k != "id"))
    edge_cols: dict[str, None] = {}
    for edge in edges:
        if isinstance(edge, dict):
            edge_cols.update(
                dict.fromkeys(k for k in edge if k not in ("source", "target", "id", "key"))
            )
    yield Header("actors", list(node_cols), structural=True)
    yield Header("ties", list(edge_cols), structural=True)
    node_where = f"{section}.nodes" if section else "nodes"
    edge_where = f"{section}.edges" if section else "edges"
    for i, node in enumerate(nodes, start=1):
        if not isinstance(node, dict) or node.get("id") is None:
            yield RawError(f"{node_where}[{i - 1}]", "a node needs an 'id'", i, None)
            continue
        values: Mapping[str, Any] = {k: v for k, v in node.items() if k != "id"}
        yield RawActor(values, key=str(node["id"]), row=i)
    for i, edge in enumerate(edges, start=1):
        if not isinstance(edge, dict):
            yield RawError(f"{edge_where}[{i - 1}]", "an edge is a JSON object", i, None)
            continue
        source, target = edge.get("source"), edge.get("target")
        yield RawTie(
            edge,
            str(source) if source is not None else None,
            str(target) if target is not None else None,
            row=i,
        )
