"""Compressed sparse rows of an undirected graph and the one neighbourhood gather over them
(:func:`ball`): what :class:`netwerk.graph.Snapshot` keeps as its adjacency and what the
suggestions, the gaps and the reach of themes walk. Pure numpy, no igraph; re-exported by
:mod:`netwerk.graph`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "Adjacency",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "SparseRows",
    "ball",
    "distinct",
    "row_positions",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
A = TypeVar("A", bound=np.ndarray[Any, Any])


def distinct(values: A) -> A:
    """The distinct values of a 1-d integer array, sorted: ``np.unique(values)`` by one sort.
    numpy 2.3+ finds them through a hash table first, 3-10x slower on integers (25x on
    twenty million: 37 s against 1.5 s), which the full analysis of a million actors felt.

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values, axis=None)
    if ordered.size < 2:
        return ordered  # type: ignore[return-value]
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]  # type: ignore[return-value]


@dataclass(frozen=True)
class Adjacency:
    """Compressed sparse rows of the undirected graph: the neighbours of vertex ``v`` are
    ``indices[indptr[v]:indptr[v + 1]]`` (sorted), reached over edges ``eids[...]`` with
    weights ``weights[...]``."""

    indptr: IntArray
    indices: IntArray
    eids: IntArray
    weights: FloatArray

    def neighbours(self, v: int) -> IntArray:
        return self.indices[self.indptr[v] : self.indptr[v + 1]]

    def gather(self, vertices: IntArray) -> tuple[IntArray, IntArray]:
        """``(owner, neighbour)`` arrays: every (v, u) with u adjacent to v in ``vertices``."""
        owner, pos = row_positions(self.indptr, vertices)
        return owner, self.indices[pos]

    def gather_weighted(self, vertices: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """``(owner, neighbour, weight)`` for every tie of ``vertices``."""
        owner, pos = row_positions(self.indptr, vertices)
        return owner, self.indices[pos], self.weights[pos]


class SparseRows(Protocol):
    """Anything in compressed sparse row form: :class:`Adjacency`, a scipy CSR matrix."""

    @property
    def indptr(self) -> npt.NDArray[np.integer[Any]]: ...

    @property
    def indices(self) -> npt.NDArray[np.integer[Any]]: ...


def row_positions(
    indptr: npt.NDArray[np.integer[Any]], rows: IntArray | npt.ArrayLike
) -> tuple[IntArray, IntArray]:
    """``(owner, position)``: for every entry of the given rows of a CSR structure, the row
    it belongs to and its position in ``indices`` (vectorised, O(entries))."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = np.asarray(indptr[rows], dtype=np.int64)
    counts = np.asarray(indptr[rows + 1], dtype=np.int64) - starts
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return np.repeat(rows, counts), np.arange(total, dtype=np.int64) + offsets


def ball(
    adjacency: SparseRows,
    sources: Iterable[int] | IntArray,
    radius: int,
    *,
    blocked: BoolArray | None = None,
) -> tuple[IntArray, IntArray]:
    """The vertices within ``radius`` hops of the nearest of ``sources`` and their hop counts.

    The sources come first (hop 0, ascending), then each level in ascending vertex order;
    ``blocked`` vertices are neither entered nor left (a blocked source is dropped). The one
    neighbourhood gather of the project: :func:`bfs_levels`, the suggestion candidates and
    the feasibility features around an actor all use it. ``adjacency`` is any compressed
    sparse row structure (:class:`Adjacency`, a symmetric ``scipy.sparse.csr_matrix``).

    A level-synchronous multi-source breadth-first search with a visited mask, O(n) once
    plus O(edges touched). Equal to the vertices of ``networkx.ego_graph(G, u, radius)``
    with ``networkx.single_source_shortest_path_length(G, u, cutoff=radius)`` as hops.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> path = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]))
    >>> vertices, hops = ball(path, [1], 1)
    >>> vertices.tolist(), hops.tolist()
    ([1, 0, 2], [0, 1, 1])
    """
    indptr, indices = adjacency.indptr, adjacency.indices
    n = len(indptr) - 1
    src = np.asarray(
        list(sources) if not isinstance(sources, np.ndarray) else sources, dtype=np.int64
    )
    frontier = distinct(src)
    if blocked is not None and frontier.size:
        frontier = frontier[~blocked[frontier]]
    seen = np.zeros(n, dtype=bool)
    seen[frontier] = True
    parts = [frontier]
    levels = [np.zeros(frontier.size, dtype=np.int64)]
    for h in range(1, radius + 1):
        if frontier.size == 0:
            break
        _, pos = row_positions(indptr, frontier)
        nbr = np.asarray(indices[pos], dtype=np.int64)
        nbr = nbr[~seen[nbr]]
        if blocked is not None:
            nbr = nbr[~blocked[nbr]]
        if nbr.size == 0:
            break
        if nbr.size * 64 < n:
            nxt = distinct(nbr)
        else:  # many: a mask is cheaper than a sort
            mark = np.zeros(n, dtype=bool)
            mark[nbr] = True
            nxt = np.flatnonzero(mark).astype(np.int64)
        seen[nxt] = True
        parts.append(nxt)
        levels.append(np.full(nxt.size, h, dtype=np.int64))
        frontier = nxt
    return np.concatenate(parts), np.concatenate(levels)
