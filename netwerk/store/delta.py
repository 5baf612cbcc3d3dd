"""Incremental snapshots (issue 12, DESIGN.md 7): bring a :class:`~netwerk.graph.Snapshot` at
revision r to revision r' by applying the changes since r, instead of loading it afresh.

Three parts:

* :func:`read_delta` reads the change log after r (:mod:`netwerk.store.changes`: which actors
  and which pairs of actors changed, and by how many active ties) and the current state of
  just those actors and pairs (indexed lookups), as a :class:`Delta`; ``None`` when the log
  since r is long (more than :data:`FRACTION` of the snapshot's ties, at least
  :data:`MIN_ROWS` rows), truncated by retention, or holds a reload marker (an import, an
  erasure, retention).
* :func:`apply_delta` is pure: snapshot + delta → the snapshot a fresh load gives at r'
  (same vertex order, same edge order, same attributes). It adds and removes vertices and
  edges, updates actor attributes and consent, and re-collapses the changed pairs. Cost
  O(n + m) array work with small constants (no per-row Python over the unchanged part
  except list copies), against a full load's database read.
* :func:`advance_or_load` is the loader's hook: it keeps the last snapshot of today loaded
  per network and advances it when it can, else calls the full loader. Advanced
  snapshots are counted against the same :data:`FRACTION` since their last full load, so an
  error that the log cannot see (two writers racing on one tie's dates) cannot last.

An erasure always goes through a full load (its log row names nobody), and
:func:`forget` drops the kept snapshots of a network with the caches
(:func:`netwerk.cache.purge_network`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.graph import (
    ACTOR_KINDS,
    SUPPORT_KINDS,
    TIE_KINDS,
    Adjacency,
    Advance,
    FloatArray,
    IntArray,
    Snapshot,
)
from netwerk.model import TieKind, offered
from netwerk.store import changes
from netwerk.store.revision import revision_of
from netwerk.store.tables import Actor, Tie

__all__ = [
    "FRACTION",
    "MIN_ROWS",
    "ActorState",
    "Delta",
    "PairState",
    "advance_or_load",
    "apply_delta",
    "forget",
    "held",
    "read_delta",
]

FRACTION = 0.05
"""Above this share of the snapshot's ties in changes, load afresh."""
MIN_ROWS = 64
"""Up to this many changes are always applied (a small network reloads fast too, but the
delta path should not depend on the network's size to be exercised)."""

_TIE_BIT = {k: 1 << i for i, k in enumerate(TIE_KINDS)}
_SUPPORT_BIT = {k: 1 << i for i, k in enumerate(SUPPORT_KINDS)}
_KNOWS = _TIE_BIT[TieKind.knows.value]
_REFERS = TieKind.refers_to.value
_CANONICAL = {k: k for k in ACTOR_KINDS}
_CHUNK = 500


@dataclass(frozen=True)
class ActorState:
    """What a snapshot holds of one actor (``assets`` as stored; offered ones are derived)."""

    kind: str
    area: str | None
    languages: frozenset[str]
    assets: frozenset[str]
    needs: frozenset[str]
    consent: str | None


@dataclass(frozen=True)
class PairState:
    """The active ties of one pair, collapsed as the snapshot collapses them."""

    weight: float
    kinds: int
    """Bit mask over :data:`netwerk.graph.TIE_KINDS`."""
    support: int
    """Bit mask over :data:`netwerk.graph.SUPPORT_KINDS`."""
    referrals: frozenset[tuple[str, str]]
    """The pair's ``refers_to`` directions as (source id, target id)."""


@dataclass(frozen=True)
class Delta:
    """Everything that changed between a snapshot's revision and ``revision``."""

    revision: int
    actors: Mapping[str, ActorState | None]
    """Changed actors; ``None``: the actor is gone."""
    pairs: Mapping[tuple[str, str], PairState | None]
    """Changed pairs (lower id first); ``None``: no active tie left between them."""
    ties_delta: int = 0
    rows: int = 0


# --------------------------------------------------------------------------- pure part


def apply_delta(snapshot: Snapshot, delta: Delta) -> Snapshot | None:
    """``snapshot`` brought to ``delta.revision``: the snapshot a fresh load gives then.
    ``None`` when the delta does not fit the snapshot (a pair with an unknown actor)."""
    old = snapshot
    n_old = old.n
    removed = sorted(
        old.index[a] for a, st in delta.actors.items() if st is None and a in old.index
    )
    added = sorted(a for a, st in delta.actors.items() if st is not None and a not in old.index)

    # Vertices: old ones shift down past removed ones and up past inserted ones.
    is_removed = np.zeros(n_old, dtype=bool)
    is_removed[removed] = True
    ranks = np.asarray([bisect.bisect_left(old.ids, a) for a in added], dtype=np.int64)
    olds = np.arange(n_old, dtype=np.int64)
    remap = (
        olds
        - np.searchsorted(np.asarray(removed, dtype=np.int64), olds)
        + np.searchsorted(ranks, olds, side="right")
    )
    remap[is_removed] = -1
    if removed or added:
        ids_list = (
            [a for i, a in enumerate(old.ids) if not is_removed[i]] if removed else list(old.ids)
        )
        for a in added:
            bisect.insort(ids_list, a)
        ids = tuple(ids_list)
        index: Mapping[str, int] = {a: i for i, a in enumerate(ids)}
    else:
        ids, index = old.ids, old.index
    n = len(ids)
    columns: dict[str, Any] = {}
    for name in ("kind", "area", "languages", "assets", "needs", "consent"):
        if not delta.actors:  # only ties changed: the actor columns are the old ones
            columns[name] = getattr(old, name)
            continue
        values = list(getattr(old, name))
        for i in reversed(removed):
            del values[i]
        for a in added:
            values.insert(index[a], None)
        columns[name] = values
    for aid, actor in delta.actors.items():
        if actor is None:
            continue
        i = index[aid]
        kind = _CANONICAL.get(actor.kind, actor.kind)
        columns["kind"][i] = kind
        columns["area"][i] = actor.area
        columns["languages"][i] = actor.languages
        columns["assets"][i] = offered(kind, actor.assets)
        columns["needs"][i] = actor.needs
        columns["consent"][i] = actor.consent

    # Edges: drop those of removed vertices and of changed pairs, remap the rest (order is
    # kept: the remap is increasing), then insert the changed pairs that still have ties.
    e = old.edge_array
    m_old = len(e)
    drop = np.zeros(m_old, dtype=bool)
    edges_removed = bool(removed)
    if m_old:
        if removed:
            drop |= is_removed[e[:, 0]] | is_removed[e[:, 1]]
        old_keys = old.edge_keys if n_old else e[:, 0]
        known = [
            (old.index[lo] * max(n_old, 1) + old.index[hi], pair is None)
            for (lo, hi), pair in delta.pairs.items()
            if lo in old.index and hi in old.index
        ]
        if known:
            w = np.asarray([k for k, _ in known], dtype=np.int64)
            gone = np.asarray([g for _, g in known], dtype=bool)
            pos = np.clip(np.searchsorted(old_keys, w), 0, m_old - 1)
            found = old_keys[pos] == w
            drop[pos[found]] = True
            edges_removed |= bool((found & gone).any())
    new_pairs: list[tuple[int, int, PairState]] = []
    for (lo, hi), pair in delta.pairs.items():
        if pair is None:
            continue
        if lo not in index or hi not in index:
            return None
        u, v = index[lo], index[hi]
        new_pairs.append((min(u, v), max(u, v), pair))
    new_pairs.sort(key=lambda x: (x[0], x[1]))
    dropped = np.flatnonzero(drop)
    moved = bool(removed or added)
    kept_edges = np.delete(e, dropped, axis=0) if len(dropped) else e
    if moved:
        kept_edges = remap[kept_edges]
    if moved or not m_old:
        kept_keys = kept_edges[:, 0] * max(n, 1) + kept_edges[:, 1]
    else:  # the same vertex numbers: the old keys, less the dropped edges
        kept_keys = np.delete(old_keys, dropped) if len(dropped) else old_keys
    add_edges = np.asarray([(u, v) for u, v, _ in new_pairs], dtype=np.int64).reshape(-1, 2)
    at = np.searchsorted(kept_keys, add_edges[:, 0] * max(n, 1) + add_edges[:, 1])
    add_keys = add_edges[:, 0] * max(n, 1) + add_edges[:, 1]
    edges = np.insert(kept_edges, at, add_edges, axis=0).astype(np.int64, copy=False)

    def column(values: npt.NDArray[Any], new: list[Any]) -> npt.NDArray[Any]:
        kept = np.delete(values, dropped) if len(dropped) else values
        return np.insert(kept, at, new)

    weights = column(old.edge_weight, [p.weight for _, _, p in new_pairs])
    kinds = column(old.edge_kinds, [p.kinds for _, _, p in new_pairs])
    support = column(old.edge_support, [p.support for _, _, p in new_pairs])

    # Referrals: remapped, without the changed pairs, plus the changed pairs' own.
    changed = {
        (old.index[lo], old.index[hi])
        for lo, hi in delta.pairs
        if lo in old.index and hi in old.index
    }
    referrals = {
        (int(remap[s]), int(remap[t]))
        for s, t in old.referrals
        if remap[s] >= 0 and remap[t] >= 0 and (min(s, t), max(s, t)) not in changed
    }
    for _, _, p in new_pairs:
        referrals.update((index[s], index[t]) for s, t in p.referrals)

    advance = Advance(
        base_revision=old.revision,
        remap=remap,
        actors=np.asarray(
            sorted(index[a] for a, st in delta.actors.items() if st is not None), dtype=np.int64
        ),
        pairs=np.asarray(
            sorted((index[lo], index[hi]) for lo, hi in delta.pairs if lo in index and hi in index),
            dtype=np.int64,
        ).reshape(-1, 2),
        edges_removed=edges_removed,
    )
    snap = Snapshot(
        network_id=old.network_id,
        revision=delta.revision,
        as_of=old.as_of,
        ids=ids,
        index=index,
        kind=tuple(columns["kind"]),
        area=tuple(columns["area"]),
        languages=tuple(columns["languages"]),
        assets=tuple(columns["assets"]),
        needs=tuple(columns["needs"]),
        consent=tuple(columns["consent"]),
        referrals=tuple(sorted(referrals)),
        tie_count=old.tie_count + delta.ties_delta,
        edge_array=edges,
        edge_weight=weights.astype(np.float64, copy=False),
        edge_kinds=kinds.astype(np.int64, copy=False),
        edge_support=support.astype(np.int64, copy=False),
        advance=advance,
    )
    snap.__dict__["edge_keys"] = np.insert(kept_keys, at, add_keys)
    if not moved and not delta.actors:  # the same actors: what depends on them only stays
        for name in ("kind_codes", "is_person"):
            if name in old.__dict__:
                snap.__dict__[name] = old.__dict__[name]
    if "adjacency" in old.__dict__ and not removed:
        # the compressed rows advanced too (what suggestions read first), not rebuilt
        adj = _advance_adjacency(
            old.adjacency,
            n,
            remap if moved else None,
            e,
            dropped,
            at,
            add_edges,
            np.asarray([p.weight for _, _, p in new_pairs], dtype=np.float64),
        )
        snap.__dict__["adjacency"] = adj
    return snap


def _passed(marks: IntArray, values: IntArray, *, strict: bool) -> IntArray:
    """Per value, how many of the sorted ``marks`` lie below it (``strict``) or at most at
    it: ``np.searchsorted(marks, values, "left" / "right")``, as one comparison pass per mark
    when there are few (a write changes a tie or two; the binary searches over two million
    edge ids took twice as long)."""
    if len(marks) > 4:
        return np.searchsorted(marks, values, side="left" if strict else "right")
    out = np.zeros(len(values), dtype=np.int64)
    for mark in np.asarray(marks).tolist():
        out += values > mark if strict else values >= mark
    return out


def _advance_adjacency(
    adj: Adjacency,
    n: int,
    remap: IntArray | None,
    old_edges: IntArray,
    dropped: IntArray,
    at: IntArray,
    add_edges: IntArray,
    add_weights: FloatArray,
) -> Adjacency:
    """The compressed rows of the advanced snapshot from the old ones (no vertex removed;
    ``remap`` None when no vertex was added either): the two entries of each dropped edge
    go, the rest are renumbered (vertices by ``remap``, edges past the dropped and inserted
    ones), and the two entries of each inserted edge are put in place. A handful of O(m)
    array copies, no sort."""
    indptr, indices, eids, weights = adj.indptr, adj.indices, adj.eids, adj.weights
    n_old = len(indptr) - 1
    counts = np.diff(indptr)

    def positions(ptr: IntArray, idx: IntArray, rows: IntArray, cols: IntArray) -> IntArray:
        return np.asarray(
            [
                int(ptr[r]) + int(np.searchsorted(idx[ptr[r] : ptr[r + 1]], c))
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            ],
            dtype=np.int64,
        )

    if len(dropped):
        a, b = old_edges[dropped, 0], old_edges[dropped, 1]
        rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
        gone = positions(indptr, indices, rows, cols)
        indices, eids = np.delete(indices, gone), np.delete(eids, gone)
        weights = np.delete(weights, gone)
        np.subtract.at(counts, rows, 1)
        # old edge ids shift down past the dropped ones
        eids = eids - _passed(dropped, eids, strict=True)
    if remap is not None:
        indices = remap[indices]
        grown = np.zeros(n, dtype=np.int64)
        grown[remap] = counts
        counts = grown
    elif n != n_old:  # pragma: no cover - remap is given whenever vertices change
        raise AssertionError("vertex count changed without a remap")
    if len(at):
        eids = eids + _passed(at, eids, strict=False)
        new_eids = at + np.arange(len(at), dtype=np.int64)
        rows = np.concatenate([add_edges[:, 0], add_edges[:, 1]])
        cols = np.concatenate([add_edges[:, 1], add_edges[:, 0]])
        ins_eids = np.concatenate([new_eids, new_eids])
        ins_w = np.concatenate([add_weights, add_weights])
        order = np.lexsort((cols, rows))
        rows, cols, ins_eids, ins_w = rows[order], cols[order], ins_eids[order], ins_w[order]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        pos = positions(ptr, indices, rows, cols)
        indices = np.insert(indices, pos, cols)
        eids = np.insert(eids, pos, ins_eids)
        weights = np.insert(weights, pos, ins_w)
        np.add.at(counts, rows, 1)
    new_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    return Adjacency(
        indptr=new_ptr,
        indices=np.asarray(indices, dtype=np.int64),
        eids=np.asarray(eids, dtype=np.int64),
        weights=np.asarray(weights, dtype=np.float64),
    )


# --------------------------------------------------------------------------- reading


def _set(raw: Any) -> frozenset[str]:
    if isinstance(raw, str):
        raw = json.loads(raw)
    return frozenset(str(x) for x in raw) if isinstance(raw, list) else frozenset()


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _connection(conn: sa.Connection | Session) -> sa.Connection:
    return conn.connection() if isinstance(conn, Session) else conn


def read_delta(
    conn: sa.Connection | Session, snapshot: Snapshot, revision: int, *, limit: int | None = None
) -> Delta | None:
    """The :class:`Delta` from ``snapshot`` to ``revision`` (the caller's current revision),
    or ``None`` when a full load is due (see the module doc)."""
    c = _connection(conn)
    if limit is None:
        limit = max(MIN_ROWS, int(FRACTION * snapshot.tie_count))
    log = changes.read_since(
        c, snapshot.network_id, snapshot.revision, revision, snapshot.as_of, limit=limit
    )
    if log.reload:
        return None
    nid, day = snapshot.network_id, snapshot.as_of
    actors: dict[str, ActorState | None] = dict.fromkeys(log.actors)
    a = Actor.__table__.c
    for chunk in _chunks(log.actors):
        for aid, kind, area, langs, assets, needs, consent in c.execute(
            sa.select(a.id, a.kind, a.area, a.languages, a.assets, a.needs, a.consent).where(
                a.network_id == nid, a.id.in_(chunk)
            )
        ):
            actors[aid] = ActorState(kind, area, _set(langs), _set(assets), _set(needs), consent)
    pairs: dict[tuple[str, str], PairState | None] = dict.fromkeys(log.pairs)
    found: dict[tuple[str, str], list[Any]] = {}
    t = Tie.__table__.c
    ends = {x for p in log.pairs for x in p}
    for chunk in _chunks(ends):
        rows = c.execute(
            sa.select(t.source_id, t.target_id, t.kind, t.strength, t.support).where(
                t.network_id == nid,
                t.source_id.in_(chunk),
                t.target_id.in_(sorted(ends)) if len(ends) <= _CHUNK else sa.true(),
                sa.or_(t.since.is_(None), t.since <= day),
                sa.or_(t.until.is_(None), t.until >= day),
            )
        )
        for s, tg, kind, strength, support in rows:
            key = (s, tg) if s < tg else (tg, s)
            if key in pairs:
                found.setdefault(key, []).append((s, tg, kind, strength, support))
    for key, ties in found.items():
        kinds = sup = 0
        refs = set()
        for s, tg, kind, _, support in ties:
            kinds |= _TIE_BIT.get(kind, _KNOWS)
            for x in _set(support):
                sup |= _SUPPORT_BIT.get(x, 0)
            if kind == _REFERS:
                refs.add((s, tg))
        weight = float(max(x[3] for x in ties))
        pairs[key] = PairState(weight, kinds, sup, frozenset(refs))
    return Delta(revision, actors, pairs, log.ties_delta, log.rows)


# --------------------------------------------------------------------------- the loader's hook

_HELD: OrderedDict[tuple[str, dt.date], tuple[Snapshot, int]] = OrderedDict()
"""Per (network, day): the last snapshot loaded or advanced, and the change rows applied to
it since its last full load."""
_HELD_MAX = 8
"""Networks whose today's snapshot is kept (with the snapshot cache's entry of the current
revision, mostly the same object)."""
_LOCK = threading.Lock()

Loader = Callable[[sa.Connection, str, dt.date], Snapshot]
"""A full load (:func:`netwerk.store.snapshot.load_snapshot`'s): consistent, labelled with
the revision it was read at."""


def holds(network_id: str, day: dt.date) -> bool:
    """Whether a snapshot of ``network_id`` on ``day`` is kept to advance by the log."""
    with _LOCK:
        return (network_id, day) in _HELD


def keep(snap: Snapshot, applied: int = 0) -> None:
    """Keep today's ``snap`` to advance later by the log. Its revision must be the one its
    contents were read at (a full load's two statements agree on it; an advanced snapshot is
    kept only when no write came in between)."""
    if snap.as_of != dt.date.today():
        return
    key = (snap.network_id, snap.as_of)
    with _LOCK:
        _HELD[key] = (snap, applied)
        _HELD.move_to_end(key)
        while len(_HELD) > _HELD_MAX:
            _HELD.popitem(last=False)


def advance_or_load(
    c: sa.Connection, network_id: str, day: dt.date, revision: int, load: Loader
) -> Snapshot:
    """The snapshot of ``network_id`` on ``day`` at ``revision``: the kept one advanced by the
    change log when it can be, else ``load(c, network_id, day)``."""
    if day != dt.date.today():  # past dates (trends, comparisons) are not kept: memory
        return load(c, network_id, day)
    key = (network_id, day)
    with _LOCK:
        held = _HELD.get(key)
    if held is not None and held[0].revision <= revision:
        base, applied = held
        if base.revision == revision:
            return base
        budget = max(MIN_ROWS, int(FRACTION * base.tie_count)) - applied
        delta = read_delta(c, base, revision, limit=budget) if budget > 0 else None
        snap = apply_delta(base, delta) if delta is not None else None
        if snap is not None and delta is not None:
            # kept to advance later only when no write came in between
            if c.execute(sa.select(revision_of(network_id))).scalar() == snap.revision:
                keep(snap, applied + delta.rows)
            return snap
    snap = load(c, network_id, day)
    keep(snap)
    return snap


def held() -> list[tuple[str, dt.date]]:
    """The ``(network_id, day)`` of every kept snapshot."""
    with _LOCK:
        return list(_HELD)


def forget(network_id: str | None = None) -> None:
    """Drop the kept snapshots of a network (erasure, retention), or of all networks."""
    with _LOCK:
        for key in [k for k in _HELD if network_id is None or k[0] == network_id]:
            del _HELD[key]
