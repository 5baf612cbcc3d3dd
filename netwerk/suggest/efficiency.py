"""Global efficiency of a network and its change when one tie is added.

``E = 1 / (n (n - 1)) * sum over ordered pairs of 1 / d(i, j)`` (Latora & Marchiori 2001).
It is *exact* on networks of at most ``exact_max`` actors (all-pairs distances; for an added
tie ``(u, v)`` only the pairs whose distance can shrink, rows A closer to ``u`` and columns B
closer to ``v``, are recomputed). On larger networks it is *estimated* from ``samples`` source
actors drawn uniformly without replacement (the mean over sources of the change of their row
sum; unbiased), with a 95% half-width from the sample variance and the finite-population
correction.

Complexity: the distances once per snapshot (breadth-first searches in igraph, O(rows (n +
m))); per added tie, exact O(|A| |B|), estimated two breadth-first searches and
O(samples * n).

References
----------
Latora V., Marchiori M. (2001) Efficient behavior of small-world networks. Phys Rev Lett
87(19):198701. doi:10.1103/PhysRevLett.87.198701.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from netwerk.graph import FloatArray, IntArray, Snapshot

__all__ = ["Distances", "distances", "efficiency_change"]


@dataclass(frozen=True, eq=False)
class Distances:
    """Hop distances from ``rows`` (all vertices when ``exact``), their inverses, the global
    efficiency and, estimated, its 95% half-width."""

    exact: bool
    rows: IntArray  # the source vertices of ``d`` (all vertices when exact)
    d: FloatArray  # (len(rows), n) hop distances, inf when unreachable
    inv: FloatArray  # 1 / d, 0 on the diagonal and for unreachable pairs
    efficiency: float
    half_width: float | None


def _bfs_rows(s: Snapshot, sources: Iterable[int]) -> FloatArray:
    """Hop distances from each source to every vertex (breadth-first search in igraph)."""
    idx = [int(x) for x in sources]
    if s.n == 0 or not idx:
        return np.zeros((len(idx), s.n))
    return np.asarray(s.graph.distances(source=idx, mode="all"), dtype=np.float64).reshape(
        len(idx), s.n
    )


def _inverse(d: FloatArray) -> FloatArray:
    out = np.zeros_like(d)
    ok = np.isfinite(d) & (d > 0)
    out[ok] = 1.0 / d[ok]
    return out


def distances(s: Snapshot, exact_max: int, samples: int, seed: int) -> Distances:
    """All-pairs distances on at most ``exact_max`` actors, else those of ``samples`` source
    actors drawn uniformly without replacement (seeded)."""
    n = s.n
    if n < 2:
        z = np.zeros((n, n))
        return Distances(True, np.arange(n, dtype=np.int64), z, z, 0.0, None)
    if n <= exact_max:
        rows = np.arange(n, dtype=np.int64)
        d = _bfs_rows(s, rows.tolist())
        inv = _inverse(d)
        return Distances(True, rows, d, inv, float(inv.sum() / (n * (n - 1))), None)
    k = min(samples, n)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)
    d = _bfs_rows(s, rows.tolist())
    inv = _inverse(d)
    per = inv.sum(axis=1) / (n - 1)
    return Distances(False, rows, d, inv, float(per.mean()), _half_width(per, n))


def _half_width(per_row: FloatArray, n: int) -> float | None:
    k = per_row.size
    if k < 2:
        return None
    fpc = (n - k) / (n - 1) if n > 1 else 0.0
    return float(1.96 * per_row.std(ddof=1) / np.sqrt(k) * np.sqrt(max(fpc, 0.0)))


def efficiency_change(s: Snapshot, dist: Distances, u: int, v: int) -> tuple[float, float | None]:
    """The change of the global efficiency if the tie ``(u, v)`` were added, and its 95%
    half-width when estimated."""
    n = s.n
    if n < 2:
        return 0.0, None
    if dist.exact:
        du, dv = dist.d[u], dist.d[v]
        a = np.flatnonzero(du + 1 < dv)  # closer to u: may gain a path through (u, v) to v's side
        b = np.flatnonzero(dv + 1 < du)
        if a.size == 0 or b.size == 0:
            return 0.0, None
        old = dist.d[np.ix_(a, b)]
        new = np.minimum(old, du[a][:, None] + 1.0 + dv[b][None, :])
        delta = float((_inverse(new) - dist.inv[np.ix_(a, b)]).sum())
        return 2.0 * delta / (n * (n - 1)), None
    uv = _bfs_rows(s, [u, v])
    du_all, dv_all = uv[0], uv[1]
    d = dist.d
    du = d[:, u][:, None]
    dv = d[:, v][:, None]
    new = np.minimum(du + 1.0 + dv_all[None, :], dv + 1.0 + du_all[None, :])
    better = new < d
    rows, cols = np.nonzero(better)
    gain = np.zeros(d.shape[0])
    np.add.at(gain, rows, 1.0 / new[rows, cols] - dist.inv[rows, cols])
    per = gain / (n - 1)
    return float(per.mean()), _half_width(per, n)
