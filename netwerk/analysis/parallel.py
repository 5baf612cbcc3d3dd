"""The full analysis's heavy building blocks on two cores (issue 12: a million actors).

igraph's C routines hold the GIL, so threads cannot run two of them at once; a forked child
process can, and shares the loaded snapshot with its parent page by page (copy on write)
instead of loading it again. :func:`prefetch` computes, before the first analysis of
:func:`netwerk.analysis.service.full_analysis` asks for them, the three building blocks that
take most of its time on a large network, each exactly as :mod:`netwerk.analysis.blocks`
would, and files them in the cache under the keys the blocks look up:

* in the child: the Leiden partition (:func:`.communities.partition`) and the second part
  of the pivot searches;
* in this process meanwhile: the first, larger part of the pivot searches;
* then both: the two-step reach (:func:`.centrality.scores`), in ranges of vertices each
  taken by whichever process is free, so the two finish together.

The pivot pass (Brandes & Pich 2007, with Brandes' dependencies, :mod:`.distances`) is one
set of pivots searched in two fixed parts whose sums are added in the same order whether the
parts ran in one process or two (:func:`.distances.halves`), so the estimates are the same,
bit for bit, as without this module; nothing is approximated beyond what the pass states.

When the child fails (it died, or raised), its blocks are computed here after all. Only for
a process whose other threads do not run igraph's seeded routines meanwhile (the CLI's
``netwerk analyse all``): a fork copies a lock as it is at that moment.

References
----------
Brandes U., Pich C. (2007) Centrality estimation in large networks. Int J Bifurcation and
Chaos 17(7):2303-2318. doi:10.1142/S0218127407018403.
Traag V.A., Waltman L., van Eck N.J. (2019) From Louvain to Leiden. Scientific Reports 9:5233.
doi:10.1038/s41598-019-41695-z.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from netwerk import cache
from netwerk.analysis import blocks
from netwerk.analysis import centrality as _centrality
from netwerk.analysis import communities as _communities
from netwerk.analysis import distances as _distances
from netwerk.analysis.communities import Partition
from netwerk.graph import Snapshot

__all__ = ["forked", "prefetch"]

log = logging.getLogger("netwerk.analysis")
T = TypeVar("T")


def forked(job: Callable[[], T]) -> Callable[[], T | None]:
    """Start ``job()`` in a forked child process; returns ``result()``, which waits for the
    child and gives its value, or ``None`` when the child raised or died (logged), or when
    this platform cannot fork.

    Examples
    --------
    >>> forked(lambda: 6 * 7)()
    42
    """
    if not _can_fork():
        return lambda: None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        try:
            send.send((True, job()))
        except BaseException as error:  # reported to the parent, which computes it itself
            send.send((False, f"{type(error).__name__}: {error}"))
        finally:
            send.close()

    child = ctx.Process(target=run, name="netwerk-blocks", daemon=True)
    child.start()
    send.close()

    def result() -> T | None:
        try:
            ok, value = receive.recv()
        except (EOFError, OSError):
            ok, value = False, "the child process ended without a result"
        finally:
            receive.close()
            child.join()
        if not ok:
            log.warning("building blocks in a child process failed (%s); computed here", value)
            return None
        return value

    return result


REACH_CHUNKS = 64
"""The two-step reach is computed in this many ranges of vertices, each taken by whichever
process is free (its values do not depend on who computes them)."""


def prefetch(s: Snapshot, *, exact_max: int, seed: int = 0, pivots: int | None = None) -> bool:
    """Compute the partition (``seed``, resolution 1), the two-step reach and the pivot pass
    with dependencies (``pivots``, ``seed``) of ``s`` in two processes and file them in the
    cache (see the module doc). Nothing to do, and ``False``, when ``s`` has at most
    ``exact_max`` actors (no pivots: the blocks compute exactly) or the pass is cached.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> prefetch(s, exact_max=10)
    True
    >>> blocks.scores(s, "betweenness", 10, None, 0).exact
    False
    """
    full = {"pivots": pivots, "seed": seed, "betweenness": True}
    if s.n <= exact_max or cache.result_cache.get(blocks.key(s, full)) is not None:
        return False
    # what both sides read, built once before the fork
    s.graph, s.adjacency, s.degree  # noqa: B018
    first, second = _distances.halves(_distances.pivot_set(s, pivots, seed))
    bounds = np.linspace(0, s.n, min(REACH_CHUNKS, s.n) + 1).astype(np.int64)
    taken = multiprocessing.get_context("fork").Value("i", 0) if _can_fork() else None

    def reach_ranges() -> dict[int, npt.NDArray[np.int64]]:
        """Ranges of the two-step reach, taken one by one until none is left."""
        out: dict[int, npt.NDArray[np.int64]] = {}
        while True:
            if taken is None:
                i = len(out)
            else:
                with taken.get_lock():
                    i = taken.value
                    taken.value = i + 1
            if i >= len(bounds) - 1:
                return out
            vertices = range(int(bounds[i]), int(bounds[i + 1]))
            out[i] = np.asarray(s.graph.neighborhood_size(vertices, order=2), dtype=np.int64)

    def child() -> tuple[Partition, _distances.Partial, dict[int, npt.NDArray[np.int64]]]:
        part = _communities.partition(s, seed=seed)
        theirs = _distances.accumulate(s, second, True)
        return part, theirs, reach_ranges()

    result = forked(child)
    mine = _distances.accumulate(s, first, True)
    ranges = reach_ranges()
    got = result()
    if got is None:  # the child failed: its blocks here, and the ranges nobody finished
        taken = None
        got = (_communities.partition(s, seed=seed), _distances.accumulate(s, second, True), {})
    part, theirs, their_ranges = got
    ranges.update(their_ranges)
    missing = [i for i in range(len(bounds) - 1) if i not in ranges]
    for i in missing:
        vertices = range(int(bounds[i]), int(bounds[i + 1]))
        ranges[i] = np.asarray(s.graph.neighborhood_size(vertices, order=2), dtype=np.int64)
    sizes = np.concatenate([ranges[i] for i in range(len(bounds) - 1)])
    reach = _centrality.two_step_scores(s, sizes)
    sample = _distances.combine(s, [mine, theirs], reach.values)
    cache.cached_for(s, "partition", {"seed": seed, "resolution": 1.0}, lambda: part)
    cache.cached_for(s, "scores", {"measure": "two_step_reach"}, lambda: reach)
    cache.cached_for(s, "distance_sample", full, lambda: sample)
    return True


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
