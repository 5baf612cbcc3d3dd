"""Loading a :class:`~netwerk.graph.Snapshot` from the store.

The conventions of a snapshot (vertex order, collapsed parallel ties, referrals, the date a
tie is active on) are in :mod:`netwerk.graph`; this module only reads the two tables.

Consistency without re-reading the revision
-------------------------------------------
Every write bumps the network's revision in its own transaction (DESIGN.md 7). Each of the
two load statements (actors, active ties) carries the network's revision read *in the same
statement* (a ``networks`` row joined in, :func:`~netwerk.store.revision.revision_of`), so
each statement reports the state it saw. When both report the same revision no write
committed between them, and the snapshot is exactly that revision; otherwise the load is
repeated (at most three times). No separate revision query is needed: the caller (the
cache) reads the current revision once per request with
:func:`~netwerk.store.revision.current_revision`, and a snapshot whose revision differs from
it is filed under its own.

Speed
-----
The ties are read by one aggregate statement that returns them *column-wise*
(:func:`_ties_sqlite`: ``group_concat``; :func:`_ties_postgres`: ``string_agg``): the
endpoints as one byte string that numpy reads in one step (fixed-width ids folded to 64-bit
keys on SQLite, ``hashtextextended`` on PostgreSQL) and matches to vertices with a sorted
search; strengths, kinds and support lists as texts split once and coded once per
*distinct* value. No Python object is made per tie endpoint. When that cannot be used (ids
of mixed length or not ASCII on SQLite, a hash collision, a value holding a separator) the
portable path reads plain tuples from the driver's cursor (no SQLAlchemy ``Row`` per tie)
and converts them column-wise. On SQLite, when the network holds at least a quarter of the
store's actors, the ties statement reads the table front to back instead of one random
lookup per tie through the network index (:func:`_most_of`). ``bench/snapshot_load.py``
times the load against a plain raw-driver read of the tie endpoints plus an igraph build.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import NotFound
from netwerk.graph import (
    ACTOR_KINDS,
    SUPPORT_BITS,
    TIE_BITS,
    Snapshot,
    build_snapshot,
)
from netwerk.model import TieKind
from netwerk.store import delta
from netwerk.store.revision import current_revision, revision_of
from netwerk.store.tables import Actor, Network, Tie

__all__ = ["load_snapshot"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TieArrays = tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]

_KNOWS_BIT = TIE_BITS[TieKind.knows.value]
_EMPTY: frozenset[str] = frozenset()
_ATTEMPTS = 3


def load_snapshot(
    conn: sa.Connection | Session, network_id: str, *, as_of: dt.date | None = None
) -> Snapshot:
    """Load one network on one date from the store (conventions: :mod:`netwerk.graph`).

    Parameters
    ----------
    conn
        A SQLAlchemy ``Connection`` or ORM ``Session`` (its connection is used).
    network_id
        The network.
    as_of
        The date the ties must be active on; default today (history excluded).

    Returns
    -------
    Snapshot
        Labelled with the revision both load statements saw.

    Raises
    ------
    NotFound
        When the network does not exist.
    """
    c = conn.connection() if isinstance(conn, Session) else conn
    day = as_of or dt.date.today()
    if delta.holds(network_id, day):
        # Change log (issue 12): advance the snapshot kept of this network and day by the
        # changes since its revision, or load afresh when the log cannot (netwerk/store/delta.py).
        return delta.advance_or_load(c, network_id, day, current_revision(c, network_id), _full)
    snap = _full(c, network_id, day)
    delta.keep(snap)
    return snap


def _full(c: sa.Connection, network_id: str, day: dt.date) -> Snapshot:
    """A full load: both statements must have seen one revision (a write in between is
    retried); the result carries the revision it was read at."""
    snap = None
    for _ in range(_ATTEMPTS):
        snap, consistent = _load_once(c, network_id, day)
        if consistent:
            break
    assert snap is not None
    return snap


def _fetch(
    c: sa.Connection, statement: sa.Select[Any] | sa.CompoundSelect
) -> list[tuple[Any, ...]]:
    """Run a Core select through the connection (events, logging and parameter handling as
    usual) and take its rows from the driver's cursor as plain tuples, without building a
    SQLAlchemy ``Row`` per tie."""
    result = c.execute(statement)
    try:
        return cast(list[tuple[Any, ...]], result.cursor.fetchall())
    finally:
        result.close()


def _load_once(c: sa.Connection, network_id: str, day: dt.date) -> tuple[Snapshot, bool]:
    postgres = c.dialect.name == "postgresql"
    a = Actor.__table__.c
    columns: list[Any] = [
        a.id,
        a.kind,
        a.area,
        sa.cast(a.languages, sa.Text),
        sa.cast(a.assets, sa.Text),
        sa.cast(a.needs, sa.Text),
        a.consent,
    ]
    if postgres:
        columns.append(sa.func.hashtextextended(a.id, 0))
    elif c.dialect.name == "sqlite":  # the store's actors, for _most_of (evaluated once)
        columns.append(sa.select(sa.func.count()).select_from(Actor.__table__).scalar_subquery())
    net = Network.__table__.c
    rows = _fetch(
        c,
        sa.select(net.revision, *columns)
        .select_from(
            Network.__table__.outerjoin(
                Actor.__table__, sa.and_(a.network_id == net.id, a.network_id == network_id)
            )
        )
        .where(net.id == network_id)
        .order_by(a.id),
    )
    if not rows:
        raise NotFound("network", network_id)
    revision = int(rows[0][0])
    actor_rows = rows if rows[0][1] is not None else []
    ids, kinds, areas, langs, assets, needs, consent = (
        list(map(itemgetter(i), actor_rows)) for i in range(1, 8)
    )

    index = {aid: i for i, aid in enumerate(ids)}
    ties: tuple[int, TieArrays] | None = None
    if postgres:
        ties = _ties_postgres(
            c, network_id, day, np.fromiter(map(itemgetter(8), actor_rows), np.int64, len(ids))
        )
    elif c.dialect.name == "sqlite":
        total = int(actor_rows[0][8]) if actor_rows else 0
        ties = _ties_sqlite(c, network_id, day, ids, scan=_most_of(len(ids), total))
    if ties is None:
        ties = _ties_portable(c, network_id, day, index)
    tie_revision, (src, dst, kind_mask, strength, support_mask) = ties
    known = (src >= 0) & (dst >= 0) & (src != dst)
    if not known.all():  # an actor written between the two reads (or a corrupt row)
        src, dst, kind_mask = src[known], dst[known], kind_mask[known]
        strength, support_mask = strength[known], support_mask[known]
    sets = _JsonSets()
    canonical = {k: k for k in ACTOR_KINDS}
    snap = build_snapshot(
        network_id=network_id,
        revision=revision,
        as_of=day,
        ids=ids,
        index=index,
        kind=[canonical.get(k, k) for k in kinds],
        area=areas,
        languages=list(map(sets.__getitem__, langs)),
        assets=list(map(sets.__getitem__, assets)),
        needs=list(map(sets.__getitem__, needs)),
        consent=consent,
        src=src,
        dst=dst,
        kind_mask=kind_mask,
        strength=strength,
        support_mask=support_mask,
    )
    return snap, tie_revision == revision


def _active(t: Any, network_id: str, day: dt.date, *, scan: bool = False) -> list[Any]:
    """The conditions of a tie of ``network_id`` active on ``day``. ``scan``: the network
    condition on an expression (``network_id || ''``), which SQLite cannot look up in an
    index, so it reads the table front to back (:func:`_most_of`)."""
    network = t.network_id.concat("") if scan else t.network_id
    return [
        network == network_id,
        sa.or_(t.since.is_(None), t.since <= day),
        sa.or_(t.until.is_(None), t.until >= day),
    ]


class _JsonSets(dict[Any, frozenset[str]]):
    """JSON list text -> frozenset, parsed once per distinct text (lookups stay in C)."""

    def __init__(self) -> None:
        super().__init__({None: _EMPTY, "": _EMPTY, "[]": _EMPTY})

    def __missing__(self, raw: Any) -> frozenset[str]:
        value = json.loads(raw)
        hit = self[raw] = frozenset(str(x) for x in value) if isinstance(value, list) else _EMPTY
        return hit


class _Codes(dict[Any, int]):
    """Memoised value -> code (``code_of`` runs once per distinct value)."""

    def __init__(self, code_of: Callable[[Any], int]) -> None:
        super().__init__()
        self.code_of = code_of

    def __missing__(self, key: Any) -> int:
        code = self[key] = self.code_of(key)
        return code


def _support_bits(raw: Any) -> int:
    values = raw if isinstance(raw, list) else json.loads(raw) if raw else []
    bits = 0
    for v in values if isinstance(values, list) else ():
        bits |= SUPPORT_BITS.get(str(v), 0)
    return bits


def _column(rows: Sequence[tuple[Any, ...]], at: int, lookup: Mapping[Any, int]) -> IntArray:
    """Column ``at`` of ``rows`` through ``lookup``, as an array (no per-column lists:
    ``itemgetter`` straight into ``np.fromiter``, far cheaper than ``zip(*rows)``)."""
    values = map(lookup.__getitem__, map(itemgetter(at), rows))
    return np.fromiter(values, dtype=np.int64, count=len(rows))


def _ties_portable(
    c: sa.Connection, network_id: str, day: dt.date, index: Mapping[str, int]
) -> tuple[int, TieArrays]:
    """Every active tie as a plain tuple, turned into arrays column-wise. The revision
    travels in the ``strength`` column of the one row without endpoints."""
    t = Tie.__table__.c
    stamp = sa.select(sa.null(), sa.null(), sa.null(), revision_of(network_id), sa.null())
    body = sa.select(
        t.source_id, t.target_id, t.kind, t.strength, sa.cast(t.support, sa.Text)
    ).where(*_active(t, network_id, day))
    rows = _fetch(c, sa.union_all(stamp, body))
    at = (
        0
        if rows and rows[0][0] is None
        else next((i for i, r in enumerate(rows) if r[0] is None), None)
    )
    if at is None or rows[at][3] is None:
        raise NotFound("network", network_id)
    revision = int(rows[at][3])
    del rows[at]
    m = len(rows)
    try:
        src = _column(rows, 0, index)
        dst = _column(rows, 1, index)
    except KeyError:  # an actor written between the two statements
        known = _Codes(lambda _: -1)
        known.update(index)
        src, dst = _column(rows, 0, known), _column(rows, 1, known)
    kinds = _Codes(lambda k: TIE_BITS.get(k, _KNOWS_BIT))
    return revision, (
        src,
        dst,
        _column(rows, 2, kinds),
        np.fromiter(map(itemgetter(3), rows), dtype=np.float64, count=m),
        _column(rows, 4, _Codes(_support_bits)),
    )


def _ties_sqlite(
    c: sa.Connection, network_id: str, day: dt.date, ids: Sequence[str], *, scan: bool = False
) -> tuple[int, TieArrays] | None:
    """SQLite fast path: one aggregate statement returns the active ties column-wise, as
    ``group_concat`` strings: the endpoint ids back to back (a ``BLOB`` that numpy reads as
    fixed-width byte strings and matches to vertices with a sorted search), the strengths
    as one digit each, the kinds and the support lists separated (split once, coded once per
    distinct value). No Python object per tie is made for the endpoints or the strength.

    ``None`` (the portable path) unless every actor id is ASCII and of one length (as the
    store's generated ids are), or when a column does not come back whole (a concurrent
    write of an actor with another id length, a separator inside a value).
    """
    width = len(ids[0]) if ids else 0
    if not width or any(len(i) != width for i in ids):
        return None
    try:
        keys = _fold(np.frombuffer("".join(ids).encode("ascii"), np.uint8), width)
    except UnicodeEncodeError:
        return None
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if len(sorted_keys) > 1 and bool((sorted_keys[1:] == sorted_keys[:-1]).any()):
        return None
    t = Tie.__table__.c

    def concat(x: Any, sep: str) -> Any:
        return sa.func.group_concat(x, sa.literal(sep))

    stmt = sa.select(
        revision_of(network_id),
        sa.cast(concat(t.source_id.op("||")(t.target_id), ""), sa.LargeBinary),
        sa.cast(concat(t.strength, ""), sa.LargeBinary),
        *_aggregated_rest(t, concat)[1:],
    ).where(*_active(t, network_id, day, scan=scan))
    revision, pairs_blob, strength_blob, kind_text, support_text = _fetch(c, stmt)[0]
    if revision is None:
        raise NotFound("network", network_id)
    raw = bytes(pairs_blob or b"")
    if len(raw) % (2 * width):
        return None
    pairs = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2, width)
    rest = _decode_rest(len(pairs), bytes(strength_blob or b""), kind_text, support_text)
    if rest is None:
        return None

    def vertex(endpoint: npt.NDArray[Any]) -> IntArray:
        if not len(order):
            return np.full(len(endpoint), -1, dtype=np.int64)
        pos = np.clip(np.searchsorted(sorted_keys, endpoint), 0, len(order) - 1)
        return np.where(sorted_keys[pos] == endpoint, order[pos], -1).astype(np.int64)

    kind, strength, support = rest
    src, dst = (_fold(pairs[:, i, :], width) for i in (0, 1))
    return int(revision), (vertex(src), vertex(dst), kind, strength, support)


def _most_of(actors: int, total: int) -> bool:
    """Whether the network's ``actors`` are at least a quarter of the store's ``total``. Then
    its ties are read by one sequential pass over the table rather than through the network
    index, one random page lookup per tie: 8x faster at 100,000 actors and a million ties
    (3 s -> 0.35 s), when the network holds most of the table (a scan reads the others'
    ties too; at a quarter of them it still reads fewer pages than the lookups would)."""
    return actors * 4 >= total


def _fold(data: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint64]:
    """A 64-bit key per fixed-width id (rows of ``width`` bytes): its 8-byte words folded
    by multiply-xor. Distinct ids collide with chance ~n^2/2^65; callers check the actors'
    keys for a collision and fall back to the portable path."""
    rows = data.reshape(-1, width)
    words = -(-width // 8)
    padded = np.zeros((len(rows), words * 8), dtype=np.uint8)
    padded[:, :width] = rows
    lanes = padded.view("<u8")
    key = np.zeros(len(rows), dtype=np.uint64)
    for j in range(words):
        key = (key ^ lanes[:, j]) * np.uint64(0x9E3779B97F4A7C15)
        key ^= key >> np.uint64(29)
    return key


def _decode_rest(
    m: int, strengths: bytes, kind_text: str | None, support_text: str | None
) -> tuple[IntArray, FloatArray, IntArray] | None:
    """Kind bits, strengths and support bits of ``m`` ties from their aggregated columns:
    one digit per strength, kinds separated by ``,``, support lists by ``;`` (``None`` when a
    column does not split into ``m`` values)."""
    kinds = kind_text.split(",") if m and kind_text is not None else []
    supports = support_text.split(";") if m and support_text is not None else []
    if not (len(strengths) == len(kinds) == len(supports) == m):
        return None
    kind_codes = _Codes(lambda k: TIE_BITS.get(k, _KNOWS_BIT))
    return (
        np.fromiter(map(kind_codes.__getitem__, kinds), dtype=np.int64, count=m),
        np.frombuffer(strengths, dtype=np.uint8).astype(np.float64) - 48.0,
        np.fromiter(map(_Codes(_support_bits).__getitem__, supports), np.int64, count=m),
    )


def _aggregated_rest(t: Any, concat: Callable[[Any, str], Any]) -> list[Any]:
    """The aggregates :func:`_decode_rest` reads, in its order."""
    return [
        concat(sa.cast(t.strength, sa.Text), ""),
        concat(t.kind, ","),
        concat(sa.cast(t.support, sa.Text), ";"),
    ]


_PG_PAIR = np.dtype([("src", ">i8"), ("dst", ">i8")])


def _ties_postgres(
    c: sa.Connection, network_id: str, day: dt.date, actor_hash: IntArray
) -> tuple[int, TieArrays] | None:
    """PostgreSQL fast path: one aggregate statement returns the active ties column-wise:
    the endpoints as one ``bytea`` of big-endian 64-bit ``hashtextextended`` pairs (parsed
    by numpy in one step, matched to vertices with a sorted search), the strengths, kinds
    and support lists as ``string_agg`` texts (:func:`_decode_rest`).

    On a hash collision between two actors (about 1 in 10^9 networks of 100,000 actors), or
    a column that does not split whole, this returns ``None`` and the portable path is used.
    """
    order = np.argsort(actor_hash, kind="stable")
    sorted_hash = actor_hash[order]
    if len(sorted_hash) > 1 and bool((sorted_hash[1:] == sorted_hash[:-1]).any()):
        return None
    t = Tie.__table__.c

    def send8(x: Any) -> Any:
        return sa.func.int8send(sa.func.hashtextextended(x, 0))

    def concat(x: Any, sep: str) -> Any:
        return sa.func.string_agg(x, sa.literal(sep))

    pair = sa.func.string_agg(
        send8(t.source_id).op("||")(send8(t.target_id)), sa.literal(b"", sa.LargeBinary)
    )
    stmt = sa.select(revision_of(network_id), pair, *_aggregated_rest(t, concat)).where(
        *_active(t, network_id, day)
    )
    revision, blob, strength_text, kind_text, support_text = _fetch(c, stmt)[0]
    if revision is None:
        raise NotFound("network", network_id)
    body = np.frombuffer(bytes(blob or b""), dtype=_PG_PAIR)
    rest = _decode_rest(len(body), (strength_text or "").encode("ascii"), kind_text, support_text)
    if rest is None:
        return None

    def vertex(hashes: npt.NDArray[Any]) -> IntArray:
        h = hashes.astype(np.int64)
        if not len(order):
            return np.full(len(h), -1, dtype=np.int64)
        pos = np.clip(np.searchsorted(sorted_hash, h), 0, len(order) - 1)
        found = sorted_hash[pos] == h
        return np.where(found, order[pos], -1).astype(np.int64)

    kind, strength, support = rest
    return int(revision), (vertex(body["src"]), vertex(body["dst"]), kind, strength, support)
