"""Snapshots of in-memory actor and tie columns (:class:`netwerk.store.bulk.ActorColumns`
and ``TieColumns``, as :func:`netwerk.synth.generate` makes them), without a database: for
tests and benchmarks on synthetic neighbourhoods. Pure, like :mod:`netwerk.graph`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np

from netwerk.graph import (
    ACTOR_KINDS,
    SUPPORT_BITS,
    TIE_BITS,
    Snapshot,
    build_snapshot,
    fresh_network_id,
)
from netwerk.model import TieKind

__all__ = ["snapshot_from_columns"]


def snapshot_from_columns(
    actors: Any,
    ties: Any,
    *,
    network_id: str | None = None,
    revision: int = 0,
    as_of: dt.date | None = None,
) -> Snapshot:
    """A snapshot of in-memory actor and tie columns (:class:`netwerk.store.bulk.ActorColumns`
    and ``TieColumns``, e.g. from :func:`netwerk.synth.generate`) without a database: the
    same result :func:`netwerk.store.snapshot.load_snapshot` gives after loading them, for
    tests and benchmarks. Without ``network_id`` it gets an identity of its own, as in
    :func:`snapshot_from_networkx`."""
    if network_id is None:
        network_id = fresh_network_id("columns")
    day = as_of or dt.date.today()
    order = sorted(range(len(actors.id)), key=actors.id.__getitem__)
    ids = [actors.id[i] for i in order]
    index = {a: i for i, a in enumerate(ids)}
    m = len(ties.source_id)
    active = np.fromiter(
        (
            (s is None or s <= day) and (u is None or u >= day)
            for s, u in zip(ties.since, ties.until, strict=True)
        ),
        dtype=bool,
        count=m,
    )
    keep = np.flatnonzero(active).tolist()
    src = np.fromiter((index[ties.source_id[i]] for i in keep), np.int64, len(keep))
    dst = np.fromiter((index[ties.target_id[i]] for i in keep), np.int64, len(keep))
    kind_mask = np.fromiter(
        (TIE_BITS.get(ties.kind[i], TIE_BITS[TieKind.knows.value]) for i in keep),
        np.int64,
        len(keep),
    )
    strength = np.fromiter((ties.strength[i] for i in keep), np.float64, len(keep))

    def bits(values: Iterable[str]) -> int:
        out = 0
        for x in values:
            out |= SUPPORT_BITS.get(x, 0)
        return out

    support = np.fromiter((bits(ties.support[i]) for i in keep), np.int64, len(keep))
    canonical = {k: k for k in ACTOR_KINDS}
    return build_snapshot(
        network_id=network_id,
        revision=revision,
        as_of=day,
        ids=ids,
        kind=[canonical.get(actors.kind[i], actors.kind[i]) for i in order],
        area=[actors.area[i] for i in order],
        languages=[frozenset(actors.languages[i]) for i in order],
        assets=[frozenset(actors.assets[i]) for i in order],
        needs=[frozenset(actors.needs[i]) for i in order],
        consent=[actors.consent[i] for i in order],
        src=src,
        dst=dst,
        kind_mask=kind_mask,
        strength=strength,
        support_mask=support,
    )
