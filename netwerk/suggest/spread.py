"""What suggestions derive from the current snapshot's rows and keep up to date as ties change:
connected components (scipy's ``connected_components``, numbered by each component's lowest
vertex as igraph numbers them, and joined in place as ties are added) and the reach of themes:
per actor, the themes offered within 1, 2, ... :data:`NEED_REACH` steps, one OR of neighbour
bit masks per step for all themes at once (the breadth-first search of the ``unmet_need`` gap,
:mod:`netwerk.analysis.gaps`), recomputed only around the changed ties after a write; the
isolated persons, looked at again only where ties changed; the tie counts between communities."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

from netwerk.graph import (
    Adjacency,
    BoolArray,
    IntArray,
    Snapshot,
    ball,
    first_seen_order,
    row_positions,
)
from netwerk.model import FORMAL_KINDS, RESIDENT_KINDS

__all__ = [
    "NEED_REACH",
    "MaskArray",
    "community_ties",
    "components_of",
    "isolated_again",
    "joined",
    "reach",
    "reach_again",
    "spread",
]

MaskArray = npt.NDArray[np.uint64]
NEED_REACH = 3


def components_of(a: sp.csr_matrix) -> IntArray:
    """Connected-component labels numbered in the order of each component's lowest vertex
    (as igraph numbers them)."""
    if a.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    _, raw = csgraph.connected_components(a, directed=False)
    return first_seen_order(raw.astype(np.int64))


def joined(comps: IntArray, sizes: IntArray, pairs: IntArray) -> tuple[IntArray, IntArray]:
    """Components after adding the edges ``pairs`` (labels kept in lowest-vertex order)."""
    comps, sizes = comps.copy(), sizes.copy()
    for u, v in pairs.tolist():
        a, b = int(comps[u]), int(comps[v])
        if a == b:
            continue
        lo, hi = min(a, b), max(a, b)
        comps[comps == hi] = lo
        comps[comps > hi] -= 1
        sizes[lo] += sizes[hi]
        sizes = np.delete(sizes, hi)
    return comps, sizes


def spread(adj: Adjacency, x: MaskArray, rows: IntArray | None = None) -> MaskArray:
    """``x`` with each row (all, or ``rows``) OR-ed with its neighbours' rows."""
    out = x.copy()
    if rows is None:
        rows = np.flatnonzero(np.diff(adj.indptr) > 0)
    else:
        rows = rows[np.diff(adj.indptr)[rows] > 0]
    if rows.size and len(adj.indices):
        _, pos = row_positions(adj.indptr, rows)
        starts = np.concatenate([[0], np.cumsum(np.diff(adj.indptr)[rows])[:-1]])
        out[rows] |= np.bitwise_or.reduceat(x[adj.indices[pos]], starts, axis=0)
    return out


def reach(adj: Adjacency, assets: MaskArray) -> tuple[MaskArray, ...]:
    """The themes offered within 1..``NEED_REACH`` steps of each actor (itself included):
    the per-theme breadth-first search of the ``unmet_need`` gap, all themes at once."""
    levels: list[MaskArray] = []
    x = assets
    for _ in range(NEED_REACH):
        x = spread(adj, x)
        levels.append(x)
    return tuple(levels)


def reach_again(
    adj: Adjacency, assets: MaskArray, old: tuple[MaskArray, ...], changed: IntArray
) -> tuple[MaskArray, ...]:
    """:func:`_reach` after the ties of the ``changed`` vertices changed (assets as they
    were): level k changes only within k - 1 steps of them, and is recomputed there."""
    levels: list[MaskArray] = []
    below = assets
    rows = np.unique(changed)
    for k in range(NEED_REACH):
        level = old[k].copy()
        fresh = spread(adj, below, rows)
        level[rows] = fresh[rows]
        levels.append(level)
        below = level
        if k + 1 < NEED_REACH:
            rows = ball(adj, rows, 1)[0]
    return tuple(levels)


def isolated_again(s: Snapshot, isolated: BoolArray, rows: IntArray) -> BoolArray:
    """The isolated persons after the ties of ``rows`` changed: only those rows are looked
    at again (as :func:`netwerk.analysis.gaps.isolated_mask` defines isolation)."""
    out = isolated.copy()
    if rows.size:
        formal = s.kind_mask(*FORMAL_KINDS)
        owner, nbr = s.adjacency.gather(rows)
        informal = np.bincount(owner[~formal[nbr]], minlength=s.n)[rows]
        out[rows] = s.kind_mask(*RESIDENT_KINDS)[rows] & (informal == 0)
    return out


def community_ties(s: Snapshot, memb: IntArray, k: int) -> sp.csr_matrix:
    """The ``(k, k)`` symmetric counts of ties between communities ``memb``."""
    e = s.edge_array
    if not len(e):
        return sp.csr_matrix((k, k))
    ca, cb = memb[e[:, 0]], memb[e[:, 1]]
    cross = ca != cb
    ties = sp.csr_matrix((np.ones(int(cross.sum())), (ca[cross], cb[cross])), shape=(k, k))
    ties = sp.csr_matrix(ties + ties.T)
    ties.sum_duplicates()
    return ties
