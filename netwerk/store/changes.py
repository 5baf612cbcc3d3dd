"""The change log (issue 12, DESIGN.md 7): every revision bump appends what it changed, in
the same transaction, so that a worker holding a snapshot at revision r can bring it to the
current revision from the changes since r (:mod:`netwerk.store.delta`) instead of a full reload.

A change row names *which* actor or which pair of actors changed, never *what* they became:
the reader takes the current state of those few actors and pairs from the store (indexed
lookups), so the log holds ids and tie dates only, never names, notes or other personal
data. A tie row also says whether the tie existed before and after the change and its
validity period then (``since``/``until``), which is what the number of active ties on a
date needs.

* Single writes (actor or tie created, changed, ended, consent changed) log one row each.
* An **erasure** deletes every earlier row that names the erased actor and logs a ``reload``
  marker with no id at all: holders of an older snapshot load afresh, and the log keeps no
  trace of the actor.
* An **import** and a synthetic **load** log one ``reload`` marker (the default of
  :func:`netwerk.store.revision.bump_revision` when a writer says nothing).
* **Retention** logs a ``reload`` marker and prunes log rows older than the retention period
  (:func:`prune`); a reader finds a pruned stretch by its missing revisions and loads afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.store.tables import Change, utcnow

__all__ = [
    "ChangeSet",
    "LogSlice",
    "TieChange",
    "append",
    "prune",
    "read_since",
]

Period = tuple[dt.date | None, dt.date | None]


@dataclass(frozen=True)
class TieChange:
    """One tie between ``source`` and ``target``: its period before the write (``None``: it
    did not exist) and after it (``None``: it is gone)."""

    source: str
    target: str
    before: Period | None
    after: Period | None


@dataclass(frozen=True)
class ChangeSet:
    """What one write changed; :meth:`reload` when a snapshot must be loaded afresh."""

    actors: tuple[str, ...] = ()
    ties: tuple[TieChange, ...] = ()
    erased: tuple[str, ...] = ()
    full: bool = False

    @classmethod
    def reload(cls) -> ChangeSet:
        return cls(full=True)

    @classmethod
    def erasure(cls, actor_id: str) -> ChangeSet:
        return cls(erased=(actor_id,), full=True)


def append(conn: sa.Connection | Session, network_id: str, revision: int, cs: ChangeSet) -> None:
    """Log ``cs`` under ``revision`` in the caller's transaction (one ``executemany``)."""
    if cs.erased:
        c = Change.__table__.c
        conn.execute(
            sa.delete(Change).where(
                c.network_id == network_id,
                sa.or_(c.actor_id.in_(cs.erased), c.other_id.in_(cs.erased)),
            )
        )
    at = utcnow()
    base = {"network_id": network_id, "revision": revision, "at": at}
    empty = {"actor_id": None, "other_id": None, "before": None, "after": None}
    dates = dict.fromkeys(("before_since", "before_until", "after_since", "after_until"))
    rows: list[dict[str, object]] = []
    if cs.full:
        rows.append(base | empty | dates | {"what": "reload"})
    else:
        rows += [base | empty | dates | {"what": "actor", "actor_id": a} for a in cs.actors]
        for t in cs.ties:
            b, f = t.before or (None, None), t.after or (None, None)
            rows.append(
                base
                | {"what": "tie", "actor_id": t.source, "other_id": t.target}
                | {"before": t.before is not None, "after": t.after is not None}
                | {"before_since": b[0], "before_until": b[1]}
                | {"after_since": f[0], "after_until": f[1]}
            )
        if not rows:
            rows.append(base | empty | dates | {"what": "none"})
    conn.execute(sa.insert(Change), rows)


def prune(conn: sa.Connection | Session, network_id: str, before: dt.datetime) -> int:
    """Delete the network's log rows written before ``before`` (retention); returns how many."""
    result = conn.execute(
        sa.delete(Change).where(Change.network_id == network_id, Change.at < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _active(period: Period | None, day: dt.date) -> bool:
    if period is None:
        return False
    since, until = period
    return (since is None or since <= day) and (until is None or until >= day)


@dataclass(frozen=True)
class LogSlice:
    """The changes after one revision up to another, as far as a snapshot needs them."""

    actors: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    """Changed pairs of actors, lower id first."""
    ties_delta: int = 0
    """Change in the number of active ties on the day asked for."""
    rows: int = 0
    reload: bool = False
    """A reload marker, a pruned stretch or more rows than asked for: load afresh."""


def read_since(
    conn: sa.Connection | Session,
    network_id: str,
    after: int,
    upto: int,
    day: dt.date,
    *,
    limit: int,
) -> LogSlice:
    """The changes of revisions ``after + 1 .. upto`` for a snapshot of ``day``, or a
    slice with ``reload`` set (marker, gap, or more than ``limit`` rows)."""
    if upto <= after:
        return LogSlice()
    c = Change.__table__.c
    window = (c.network_id == network_id, c.revision > after, c.revision <= upto)
    revisions, rows, reloads = conn.execute(
        sa.select(
            sa.func.count(sa.distinct(c.revision)),
            sa.func.count(),
            sa.func.count(sa.case((c.what == "reload", 1))),
        ).where(*window)
    ).one()
    if reloads or revisions != upto - after or rows > limit:
        return LogSlice(rows=int(rows), reload=True)
    found = conn.execute(
        sa.select(
            c.what,
            c.actor_id,
            c.other_id,
            c.before,
            c.before_since,
            c.before_until,
            c.after,
            c.after_since,
            c.after_until,
        )
        .where(*window)
        .order_by(c.id)
    ).all()
    actors: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    delta = 0
    for what, a, b, was, bs, bu, now, fs, fu in found:
        if what == "actor":
            actors.add(a)
        elif what == "tie":
            pairs.add((a, b) if a < b else (b, a))
            delta += int(_active((fs, fu) if now else None, day))
            delta -= int(_active((bs, bu) if was else None, day))
    return LogSlice(frozenset(actors), frozenset(pairs), delta, len(found))
