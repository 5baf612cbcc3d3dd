"""Rows for the Parquet layout, read set-based with the privacy rules applied (see
:mod:`.parquet` for the layout and the memory bounds)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from netwerk.model import PERSON_KINDS, Consent
from netwerk.privacy import anonymous_label, may_export_for_research
from netwerk.store.exchange import parquet_actor_rows, parquet_attribute_texts, parquet_tie_rows
from netwerk.store.session import Connection

from . import pseudonym as pseudo
from .parquet_schema import ARROW_TYPES, TEXT_LIST, GroupWriter
from .pseudonym import PseudonymKey, research_area
from .records import AttrType, infer_attr_types

__all__ = [
    "Plan",
    "actor_batches",
    "attribute_types",
    "extra_types",
    "research_actors",
    "research_ties",
    "tie_batches",
]

_PERSONS = tuple(k.value for k in PERSON_KINDS)


@dataclass
class Plan:
    network_id: str
    network: Any
    research: bool
    key: PseudonymKey | None
    coarsen: bool
    coarsen_full: bool
    as_of: dt.date | None
    reference: dt.date
    attr_types: dict[str, AttrType]
    extras: Mapping[str, Mapping[str, Any]]
    extra_types: dict[str, AttrType]
    row_group_rows: int


def attribute_types(conn: Connection, network_id: str) -> dict[str, AttrType]:
    """One type per free attribute over the actors that show them (a first, narrow pass:
    only non-empty attribute maps, never those of persons who withdrew consent)."""
    seen: dict[str, set[type]] = {}
    for part in parquet_attribute_texts(conn, network_id):
        for (raw,) in part:
            values = json.loads(raw) if isinstance(raw, str) else raw
            for name, value in (values or {}).items():
                if value is not None:
                    seen.setdefault(name, set()).add(type(value))
    return {name: _attr_type(kinds) for name, kinds in sorted(seen.items())}


def _attr_type(kinds: set[type]) -> AttrType:
    """As :func:`netwerk.exchange.records.infer_attr_types`, from the set of value types."""
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def extra_types(extras: Mapping[str, Mapping[str, Any]]) -> dict[str, AttrType]:
    rows = ({str(k): _scalar(v) for k, v in values.items()} for values in extras.values() if values)
    return infer_attr_types(rows)


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _typed_column(values: list[Any], kind: AttrType) -> pa.Array:
    if kind == "string":
        values = [
            None
            if v is None
            else ("true" if v is True else "false" if v is False else str(_scalar(v)))
            for v in values
        ]
    elif kind == "double":
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=ARROW_TYPES[kind])


class _Lists:
    """JSON list text → a tuple, parsed once per distinct value."""

    def __init__(self) -> None:
        self.cache: dict[Any, tuple[str, ...]] = {}

    def __call__(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        key = value if isinstance(value, str) else tuple(value)
        found = self.cache.get(key)
        if found is None:
            found = tuple(json.loads(value)) if isinstance(value, str) else tuple(value)
            if len(self.cache) < 100_000:
                self.cache[key] = found
        return found


def actor_batches(
    conn: Connection, plan: Plan, schema: pa.Schema, *, keep_ids: bool = False
) -> Iterator[pa.RecordBatch]:
    """Actor record batches with the privacy rules applied (ids pseudonymised in research)."""
    lists = _Lists()
    attr_names = list(plan.attr_types)
    extra_names = list(plan.extra_types)
    research = plan.research
    key = plan.key
    for part in parquet_actor_rows(conn, plan.network_id, research=plan.research):
        ids: list[str] = []
        cols: dict[str, list[Any]] = {
            name: []
            for name in (
                "kind",
                "name",
                "area",
                "languages",
                "assets",
                "needs",
                "consent",
                "note",
                "external_ref",
            )
        }
        attrs: dict[str, list[Any]] = {n: [] for n in attr_names}
        extra: dict[str, list[Any]] = {n: [] for n in extra_names}
        kept: list[str] = []
        for row in part:
            actor_id, kind, area, consent = row[0], row[1], row[2], row[6]
            person = kind in _PERSONS
            if research and not may_export_for_research(kind, consent):
                continue  # the SQL filter leaves them out already; the privacy module decides
            kept.append(actor_id)
            ids.append(key.pseudonym(actor_id) if key is not None else actor_id)
            cols["kind"].append(kind)
            withdrawn = person and consent == Consent.withdrawn.value and not research
            empty = withdrawn  # brokers see a withdrawn person by pseudonym only
            cols["languages"].append(() if empty else lists(row[3]))
            cols["assets"].append(() if empty else lists(row[4]))
            cols["needs"].append(() if empty else lists(row[5]))
            attributes: Mapping[str, Any] = {}
            if research or withdrawn:
                cols["area"].append(research_area(area, coarsen_area=plan.coarsen))
            else:
                cols["area"].append(pseudo.coarsen(area) if plan.coarsen_full else area)
            if not research:
                cols["name"].append(anonymous_label(actor_id) if withdrawn else row[7])
                cols["consent"].append(consent if person else None)
                cols["note"].append(None if withdrawn else row[8])
                cols["external_ref"].append(None if withdrawn else row[9])
                if attr_names and not withdrawn and row[10] and row[10] != "{}":
                    attributes = json.loads(row[10]) if isinstance(row[10], str) else dict(row[10])
            for n in attr_names:
                attrs[n].append(attributes.get(n))
            if extra_names:
                values = plan.extras.get(actor_id) or {}
                for n in extra_names:
                    extra[n].append(values.get(n))
        arrays: list[pa.Array] = [pa.array(ids, pa.string()), pa.array(cols["kind"], pa.string())]
        if not research:
            arrays.append(pa.array(cols["name"], pa.string()))
        arrays += [
            pa.array(cols["area"], pa.string()),
            pa.array(cols["languages"], TEXT_LIST),
            pa.array(cols["assets"], TEXT_LIST),
            pa.array(cols["needs"], TEXT_LIST),
        ]
        if not research:
            arrays += [
                pa.array(cols["consent"], pa.string()),
                pa.array(cols["note"], pa.string()),
                pa.array(cols["external_ref"], pa.string()),
            ]
            arrays += [_typed_column(attrs[n], plan.attr_types[n]) for n in attr_names]
        arrays += [_typed_column(extra[n], plan.extra_types[n]) for n in extra_names]
        names = schema.names
        if keep_ids:
            arrays.append(pa.array(kept, pa.string()))
            names = [*names, "_actor_id"]
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def research_actors(conn: Connection, plan: Plan, schema: pa.Schema) -> pa.Table:
    """Every exportable actor in pseudonym order, with ``_actor_id`` (dropped on writing)."""
    batches = list(actor_batches(conn, plan, schema, keep_ids=True))
    if batches:
        table = pa.Table.from_batches(batches)
    else:
        table = schema.append(pa.field("_actor_id", pa.string())).empty_table()
    order = pc.sort_indices(table, sort_keys=[("id", "ascending")])
    return table.take(order).combine_chunks()


# -- ties --------------------------------------------------------------------------------


def _tie_rows(conn: Connection, plan: Plan) -> Iterator[list[Any]]:
    return parquet_tie_rows(conn, plan.network_id, research=plan.research, as_of=plan.as_of)


def _support_codes(texts: pa.Array) -> pa.DictionaryArray:
    """The support column as stored (JSON text), dictionary-encoded: few distinct values."""
    encoded = texts.dictionary_encode()
    assert isinstance(encoded, pa.DictionaryArray)
    return encoded


def _support_lists(codes: pa.DictionaryArray, lists: _Lists) -> pa.Array:
    """Dictionary-coded JSON texts → a list<string> column (each distinct text parsed once,
    its items sorted; a missing value is the empty list)."""
    parsed = pa.array([tuple(sorted(lists(t))) for t in codes.dictionary.to_pylist()], TEXT_LIST)
    out = parsed.take(codes.indices)
    return out.fill_null(pa.scalar([], TEXT_LIST)) if out.null_count else out


def _status(since: pa.Array, until: pa.Array, day: dt.date) -> tuple[pa.Array, pa.Array]:
    """``ended`` and ``status`` per tie, as :func:`netwerk.exchange.records.tie_status` on
    ``day``: ``ended`` (until before it), ``future`` (since after it), else ``active``."""
    reference = pa.scalar(day, pa.date32())
    ended = pc.fill_null(pc.less(until, reference), False)
    future = pc.fill_null(pc.greater(since, reference), False)
    status = pc.if_else(ended, "ended", pc.if_else(future, "future", "active"))
    return ended, status


def _date_array(values: Sequence[Any]) -> pa.Array:
    """ISO date texts (or dates) → date32."""
    array = pa.array(values)
    if array.type == pa.null():
        return pa.nulls(len(values), pa.date32())
    if pa.types.is_string(array.type):
        array = pc.utf8_slice_codeunits(array, 0, 10)
    return array.cast(pa.date32())


_TIE_ROW = pa.struct(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("strength", pa.int8()),
        ("support", pa.string()),
        ("since", pa.string()),
        ("until", pa.string()),
        ("note", pa.string()),
    ]
)


def _tie_columns(part: list[Any], plan: Plan) -> dict[str, Any]:
    """A partition of tie rows as Arrow columns. The rows go into Arrow in one call (as a
    struct array, then split): five times faster than transposing tuples in Python."""
    row_type = _TIE_ROW if not plan.research else pa.struct(list(_TIE_ROW)[:7])
    columns = pa.array(part, type=row_type).flatten()
    kind = columns[2]
    until = _date_array(columns[6])
    since = _date_array(columns[5])
    ended, status = _status(since, until, plan.reference)
    out = {
        "source": columns[0],
        "target": columns[1],
        "kind": kind,
        "directed": pc.fill_null(pc.equal(kind, "refers_to"), False),
        "strength": columns[3],
        "support": _support_codes(columns[4]),
        "since": since,
        "until": until,
        "ended": ended,
        "status": status,
    }
    if not plan.research:
        out["note"] = columns[7]
    return out


def tie_batches(conn: Connection, plan: Plan, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    lists = _Lists()
    for part in _tie_rows(conn, plan):
        if part:
            columns = _tie_columns(part, plan)
            columns["support"] = _support_lists(columns["support"], lists)
            yield pa.RecordBatch.from_arrays([columns[n] for n in schema.names], schema=schema)


_RANK_FIELDS = ("source", "target", "kind", "strength", "support", "since", "until")


def research_ties(
    conn: Connection, plan: Plan, actors: pa.Table, sink: IO[bytes], schema: pa.Schema
) -> int:
    """Ties between exported actors, ordered by (source, target) pseudonym, kind and period.

    Ends become int32 ranks into ``actors`` (already in pseudonym order): ties to actors left
    out find no rank and go. Kind and support are dictionary codes; only these fixed-width
    columns are held until the sort."""
    lists = _Lists()
    actor_ids = actors.column("_actor_id").combine_chunks()
    pseudonyms = actors.column("id").combine_chunks()
    parts: list[pa.RecordBatch] = []
    for part in _tie_rows(conn, plan):
        if not part:
            continue
        columns = _tie_columns(part, plan)
        source = pc.index_in(columns["source"], value_set=actor_ids)
        target = pc.index_in(columns["target"], value_set=actor_ids)
        keep = pc.and_(pc.is_valid(source), pc.is_valid(target))
        batch = pa.RecordBatch.from_arrays(
            [
                source.cast(pa.int32()),
                target.cast(pa.int32()),
                columns["kind"].dictionary_encode(),
                columns["strength"],
                columns["support"],
                columns["since"],
                columns["until"],
            ],
            names=list(_RANK_FIELDS),
        )
        parts.append(batch.filter(keep))
    if not parts:
        writer = GroupWriter(sink, schema, plan.row_group_rows)
        writer.close()
        return 0
    ties = pa.Table.from_batches(parts).unify_dictionaries().combine_chunks()
    del parts
    # Dictionary codes sort by code, not text: sort on the kind text through a small rank.
    kinds = ties.column("kind").chunk(0) if ties.num_rows else None
    sort_keys: list[tuple[str, str]] = [("source", "ascending"), ("target", "ascending")]
    if kinds is not None:
        kind_rank = pc.rank(kinds.dictionary, sort_keys="ascending", tiebreaker="dense")
        ties = ties.append_column("_kind", kind_rank.take(kinds.indices))
        sort_keys.append(("_kind", "ascending"))
    # A missing date sorts first (as dt.date.min in the other formats' research order).
    earliest = pa.scalar(dt.date.min, pa.date32())
    for name in ("since", "until"):
        ties = ties.append_column(f"_{name}", pc.fill_null(ties.column(name), earliest))
        sort_keys.append((f"_{name}", "ascending"))
    order = pc.sort_indices(ties, sort_keys=sort_keys)
    step = plan.row_group_rows
    with GroupWriter(sink, schema, step) as writer:
        for start in range(0, ties.num_rows, step):
            rows = ties.take(order.slice(start, step))
            until = rows.column("until").combine_chunks()
            since = rows.column("since").combine_chunks()
            ended, status = _status(since, until, plan.reference)
            kind = rows.column("kind").combine_chunks().cast(pa.string())
            arrays = {
                "source": pseudonyms.take(rows.column("source").combine_chunks()),
                "target": pseudonyms.take(rows.column("target").combine_chunks()),
                "kind": kind,
                "directed": pc.equal(kind, "refers_to"),
                "strength": rows.column("strength").combine_chunks(),
                "support": _support_lists(rows.column("support").combine_chunks(), lists),
                "since": since,
                "until": until,
                "ended": ended,
                "status": status,
            }
            writer.add(pa.RecordBatch.from_arrays([arrays[n] for n in schema.names], schema=schema))
    return writer.count
