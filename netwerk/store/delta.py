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
    SUPPORT_BITS,
    TIE_BITS,
    Adjacency,
    Snapshot,
    first_seen_order,
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
    "read_delta",
]

FRACTION = 0.05
"""Above this share of the snapshot's ties in changes, load afresh."""
MIN_ROWS = 64
"""Up to this many changes are always applied (a small network reloads fast too, but the
delta path should not depend on the network's size to be exercised)."""


_KNOWS = TIE_BITS[TieKind.knows.value]
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
    columns: dict[str, list[Any]] = {}
    for name in ("kind", "area", "languages", "assets", "needs", "consent"):
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
    wanted = np.asarray(
        [
            old.index[lo] * max(n_old, 1) + old.index[hi]
            for lo, hi in delta.pairs
            if lo in old.index and hi in old.index
        ],
        dtype=np.int64,
    )
    dropped = np.zeros(0, dtype=np.int64)
    if m_old and wanted.size:
        pos = np.clip(np.searchsorted(old.edge_keys, wanted), 0, m_old - 1)
        dropped = pos[old.edge_keys[pos] == wanted]
    if m_old and removed:
        gone = is_removed[e[:, 0]] | is_removed[e[:, 1]]
        gone[dropped] = True
        dropped = np.flatnonzero(gone)
    dropped = np.unique(dropped)
    new_pairs: list[tuple[int, int, PairState]] = []
    for (lo, hi), pair in delta.pairs.items():
        if pair is None:
            continue
        if lo not in index or hi not in index:
            return None
        u, v = index[lo], index[hi]
        new_pairs.append((min(u, v), max(u, v), pair))
    new_pairs.sort(key=lambda x: (x[0], x[1]))
    kept_edges = np.delete(e, dropped, axis=0)
    if removed or added:
        kept_edges = remap[kept_edges]
    kept_keys = kept_edges[:, 0] * max(n, 1) + kept_edges[:, 1]
    add_edges = np.asarray([(u, v) for u, v, _ in new_pairs], dtype=np.int64).reshape(-1, 2)
    at = np.searchsorted(kept_keys, add_edges[:, 0] * max(n, 1) + add_edges[:, 1])

    def column(values: npt.NDArray[Any], field: str) -> npt.NDArray[Any]:
        return np.insert(np.delete(values, dropped), at, [getattr(p, field) for *_, p in new_pairs])

    snap_edges = np.insert(kept_edges, at, add_edges, axis=0)
    weights = column(old.edge_weight, "weight")
    kinds = column(old.edge_kinds, "kinds")
    support = column(old.edge_support, "support")

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
        edge_array=snap_edges,
        edge_weight=weights,
        edge_kinds=kinds,
        edge_support=support,
    )
    _carry_over(old, snap, delta, dropped, at, same_vertices=not (removed or added))
    return snap


def _carry_over(
    old: Snapshot,
    new: Snapshot,
    delta: Delta,
    dropped: npt.NDArray[np.int64],
    at: npt.NDArray[np.int64],
    *,
    same_vertices: bool,
) -> None:
    """Give ``new`` what ``old`` has computed already and the delta leaves (nearly) as it
    was, so the first read after a write does not rebuild it: the per-vertex kind codes when
    no actor changed, the igraph graph (a copy) when no edge changed, and the adjacency
    arrays, updated in O(n + m) array work without a sort, when the vertices stayed."""
    done = old.__dict__
    if not delta.actors:
        for name in ("kind_codes", "is_person"):
            if name in done:
                new.__dict__[name] = done[name]
    if same_vertices and not dropped.size and not at.size and "graph" in done:
        new.__dict__["graph"] = done["graph"].copy()
    if same_vertices and "adjacency" in done:
        new.__dict__["adjacency"] = _advance_adjacency(done["adjacency"], new, dropped, at)
    if same_vertices and not dropped.size and "components" in done:
        new.__dict__["components"] = _joined(
            done["components"], new.edge_array[at + np.arange(len(at))]
        )


def _joined(labels: npt.NDArray[np.int64], added: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Component labels after adding the edges ``added`` (no edge removed): the components
    they join become one (a union-find over the few labels involved), then renumbered by
    each component's lowest vertex, as :attr:`Snapshot.components` numbers them."""
    if not len(added):
        return labels
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in labels[added].tolist():
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    if not parent:
        return labels
    mapping = np.arange(int(labels.max()) + 1, dtype=np.int64)
    for x in parent:
        mapping[x] = root(x)
    return first_seen_order(mapping[labels])


def _advance_adjacency(
    adj: Adjacency, new: Snapshot, dropped: npt.NDArray[np.int64], at: npt.NDArray[np.int64]
) -> Adjacency:
    """The adjacency arrays of ``new`` from those of the old snapshot (same vertices): the
    old entries without those of the ``dropped`` edges, their edge ids renumbered (an
    increasing map, so their order stands), with the two entries of each inserted edge
    (``at``: their insertion points among the kept edges, as in :func:`apply_delta`) put in
    place by a binary search in their row. Equal to :attr:`Snapshot.adjacency` computed
    afresh (checked by the tests)."""
    n = new.n
    eids = adj.eids
    counts = np.diff(adj.indptr)
    cols = adj.indices
    if dropped.size:
        gone = np.zeros(len(eids) // 2, dtype=bool)
        gone[dropped] = True
        out = np.flatnonzero(gone[eids])
        counts = counts - np.bincount(
            np.searchsorted(adj.indptr, out, side="right") - 1, minlength=n
        )
        cols, eids = np.delete(cols, out), np.delete(eids, out)
        eids = eids - np.searchsorted(dropped, eids)
    if at.size:
        eids = eids + np.searchsorted(at, eids, side="right")
    inserted = at + np.arange(len(at))
    ends = new.edge_array[inserted]
    add_rows = np.concatenate([ends[:, 0], ends[:, 1]])
    add_cols = np.concatenate([ends[:, 1], ends[:, 0]])
    add_eids = np.concatenate([inserted, inserted])
    order = np.lexsort((add_cols, add_rows))
    add_rows, add_cols, add_eids = add_rows[order], add_cols[order], add_eids[order]
    starts = np.concatenate([[0], np.cumsum(counts)])
    where = np.asarray(
        [
            starts[r] + np.searchsorted(cols[starts[r] : starts[r + 1]], c)
            for r, c in zip(add_rows.tolist(), add_cols.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts + np.bincount(add_rows, minlength=n), out=indptr[1:])
    eids = np.insert(eids, where, add_eids)
    return Adjacency(
        indptr=indptr,
        indices=np.insert(cols, where, add_cols),
        eids=eids,
        weights=new.edge_weight[eids],
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
            kinds |= TIE_BITS.get(kind, _KNOWS)
            for x in _set(support):
                sup |= SUPPORT_BITS.get(x, 0)
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


def forget(network_id: str | None = None) -> None:
    """Drop the kept snapshots of a network (erasure, retention), or of all networks."""
    with _LOCK:
        for key in [k for k in _HELD if network_id is None or k[0] == network_id]:
            del _HELD[key]
