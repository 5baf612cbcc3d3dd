"""Pajek ``.net`` (Pajek, UCINET, networkx ``read_pajek``, igraph ``Read_Pajek``).

Pajek carries structure only: numbered vertices with a quoted label, ``*Arcs`` (directed:
the ``refers_to`` ties) and ``*Edges`` (every other kind), each line ``from to weight`` where
the weight is the strength, and the tie kind as an edge label (``l "knows"``). In a
``history`` export a tie that is not active on the export's day is drawn grey and dotted
(``c Gray p Dots``). Actor kinds
and every other field are not part of the format, so an import of a Pajek file gives each
actor the ``default_kind`` (``resident`` unless told otherwise) and a warning says so.
Double quotes in a label become single quotes (Pajek has no escape for them), and a label
that occurs more than once gets `` (2)``, `` (3)``, ... (networkx names Pajek vertices by
label and would merge two people of the same name).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from netwerk.errors import ValidationFailed

from .normalise import Header, Item, RawActor, RawError, RawTie
from .records import NetworkRecords
from .tabular import decode_text

__all__ = ["read", "unique_labels", "write"]

_CHUNK = 5000
_ENDED = " c Gray p Dots"
"""How a ``history`` export marks a tie that is not active on the export's day (ended, or
not begun): drawn grey and dotted, Pajek's own line options (readers keep them as edge
attributes ``c`` and ``p``)."""
MAX_VERTICES = 5_000_000


def _label(text: str) -> str:
    return " ".join(text.replace('"', "'").split())


def unique_labels(labels: list[str]) -> list[str]:
    """Pajek-safe labels, made unique by numbering repeats."""
    seen: dict[str, int] = {}
    out: list[str] = []
    taken = {_label(label) for label in labels}
    for label in labels:
        clean = _label(label)
        n = seen.get(clean, 0) + 1
        seen[clean] = n
        if n > 1:
            candidate = f"{clean} ({n})"
            while candidate in taken:
                n += 1
                candidate = f"{clean} ({n})"
            seen[clean] = n
            taken.add(candidate)
            clean = candidate
        out.append(clean)
    return out


def write(doc: NetworkRecords) -> Iterator[str]:
    a = doc.actors
    labels = doc.labels
    number = {key: str(i + 1) for i, key in enumerate(a.key)}
    yield f"*Vertices {len(a)}\r\n"
    buf: list[str] = []
    for i, label in enumerate(unique_labels(labels)):
        buf.append(f'{i + 1} "{label}"\r\n')
        if len(buf) >= _CHUNK:
            yield "".join(buf)
            buf = []
    yield "".join(buf)
    t = doc.ties
    arcs = [i for i, kind in enumerate(t.kind) if kind == "refers_to"]
    arc_set = set(arcs)
    # Arcs before edges: readers that build one graph type keep every line (networkx).
    for title, indexes in (
        ("*Arcs", arcs),
        ("*Edges", (i for i in range(len(t)) if i not in arc_set)),
    ):
        yield f"{title}\r\n"
        buf = []
        for i in indexes:
            mark = _ENDED if doc.status(i) != "active" else ""
            buf.append(
                f'{number[t.source[i]]} {number[t.target[i]]} {t.strength[i]} l "{t.kind[i]}"'
                f"{mark}\r\n"
            )
            if len(buf) >= _CHUNK:
                yield "".join(buf)
                buf = []
        yield "".join(buf)


def read(data: bytes) -> Iterator[Item]:
    text = decode_text(data)
    yield Header("actors", ["label"], structural=True, keys_are_refs=False)
    yield Header("ties", ["weight", "kind"], structural=True)
    section = ""
    vertices = 0
    seen_vertices: set[str] = set()
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if line.startswith("*"):
            word = line.split()[0].lower()
            if word == "*vertices":
                parts = line.split()
                try:
                    vertices = int(parts[1])
                except (IndexError, ValueError):
                    raise ValidationFailed(
                        "file", "'*Vertices' needs the number of vertices", line=line_no
                    ) from None
                if not 0 <= vertices <= MAX_VERTICES:
                    raise ValidationFailed("file", f"at most {MAX_VERTICES} vertices", line=line_no)
                section = "vertices"
            elif word in ("*edges", "*arcs"):
                section = "edges"
            elif word in ("*edgeslist", "*arcslist"):
                section = "list"
            elif word == "*network":
                section = ""
            else:
                raise ValidationFailed(
                    "file",
                    f"'{word[:20]}' sections are not supported (use *Edges or *Arcs)",
                    line=line_no,
                )
            continue
        try:
            parts = shlex.split(line, posix=True)
        except ValueError:
            yield RawError("line", "unbalanced quotes", None, line_no)
            continue
        if section == "vertices":
            number = parts[0]
            if not number.isdigit() or not 1 <= int(number) <= vertices:
                yield RawError(
                    "vertex", f"'{number[:20]}' is not a vertex number 1..{vertices}", None, line_no
                )
                continue
            seen_vertices.add(number)
            label = parts[1] if len(parts) > 1 else number
            yield RawActor({"label": label}, key=number, line=line_no)
        elif section == "edges":
            if len(parts) < 2:
                yield RawError("edge", "an edge line needs two vertex numbers", None, line_no)
                continue
            values: dict[str, str] = {}
            if len(parts) > 2:
                values["weight"] = parts[2]
            rest = parts[3:]
            for key, value in zip(rest[::2], rest[1::2], strict=False):
                if key == "l":
                    values["kind"] = value
            yield RawTie(values, parts[0], parts[1], line=line_no)
        elif section == "list":
            for target in parts[1:]:
                yield RawTie({}, parts[0], target, line=line_no)
        else:
            yield RawError("line", "a line outside *Vertices, *Edges or *Arcs", None, line_no)
    # Vertices declared but not listed exist too (Pajek allows leaving them out).
    for n in range(1, vertices + 1):
        if str(n) not in seen_vertices:
            yield RawActor({"label": str(n)}, key=str(n))
