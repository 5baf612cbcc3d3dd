"""Introduction paths: who can introduce two actors, and the chain of ties that reaches someone.

The best introducer of a pair is the common contact with the strongest ties to both: the
``z`` that maximises ``min(strength(u, z), strength(z, v))`` (the bottleneck, or "widest
path", criterion; Pollack 1960). When there is no common contact the introduction runs along a
shortest chain of intermediaries, and among the shortest chains the one whose weakest tie is
strongest. Only intermediaries that may be proposed to others can be on a chain (persons with
consent ``given``, organisations and initiatives; DESIGN.md 6); a place does not make calls.
Ties are the weak ties of Granovetter (1973) as much as the strong ones: any active tie is a
link, its strength only decides between chains of equal length.

:func:`introduction` says it: the introducer, the chain of ties and a sentence.

:func:`reach` is a level-synchronous breadth-first search from one or more sources that keeps,
per vertex, the widest of its shortest paths (ties between equally wide parents go to a
person, then to the lowest vertex), so chains are reproducible. Vertices that may not pass a
call on are reached but not expanded. Complexity O(edges touched) per level, vectorised.

References
----------
Pollack M. (1960) The maximum capacity through a network. Operations Research 8(5):733-736.
doi:10.1287/opre.8.5.733.
Granovetter M.S. (1973) The strength of weak ties. American Journal of Sociology 78(6):
1360-1380. doi:10.1086/225469.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.records import actor_ref
from netwerk.graph import BoolArray, FloatArray, IntArray, Snapshot
from netwerk.suggest.context import SuggestContext
from netwerk.suggest.records import Introduction, Step
from netwerk.words import kind_a, say, steps_text

__all__ = ["Reach", "best_link", "introduction", "reach", "steps"]


@dataclass(frozen=True, eq=False)
class Reach:
    """Result of :func:`reach`: per vertex the hop distance (-1 unreached), the parent on the
    chosen chain (-1 at a source) and the weakest tie strength on it (inf at a source)."""

    dist: npt.NDArray[np.int32]
    parent: IntArray
    width: FloatArray

    def chain(self, v: int) -> list[int]:
        """Vertices from the source to ``v`` (inclusive) along the chosen chain."""
        out = [v]
        while self.parent[out[-1]] >= 0:
            out.append(int(self.parent[out[-1]]))
        return out[::-1]


def reach(
    snapshot: Snapshot,
    sources: IntArray,
    max_depth: int,
    passable: BoolArray,
) -> Reach:
    """Widest-shortest-path breadth-first search from ``sources`` (always expanded) up to
    ``max_depth`` hops; other vertices are expanded only when ``passable``."""
    n = snapshot.n
    dist = np.full(n, -1, dtype=np.int32)
    parent = np.full(n, -1, dtype=np.int64)
    width = np.zeros(n)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    width[frontier] = np.inf
    person = snapshot.is_person
    for depth in range(1, max_depth + 1):
        if frontier.size == 0:
            break
        owner, nbr, w = snapshot.adjacency.gather_weighted(frontier)
        new = dist[nbr] < 0
        owner, nbr, w = owner[new], nbr[new], w[new]
        if nbr.size == 0:
            break
        val = np.minimum(width[owner], w)
        best = np.full(n, -np.inf)
        np.maximum.at(best, nbr, val)
        keep = val >= best[nbr]
        owner, nbr, val = owner[keep], nbr[keep], val[keep]
        pref = person[owner].astype(np.int8)
        best_p = np.full(n, -1, dtype=np.int8)
        np.maximum.at(best_p, nbr, pref)
        keep = pref >= best_p[nbr]
        owner, nbr, val = owner[keep], nbr[keep], val[keep]
        low = np.full(n, n, dtype=np.int64)
        np.minimum.at(low, nbr, owner)
        keep = owner == low[nbr]
        owner, nbr, val = owner[keep], nbr[keep], val[keep]
        dist[nbr] = depth
        parent[nbr] = owner
        width[nbr] = val
        frontier = nbr[passable[nbr]]
    return Reach(dist=dist, parent=parent, width=width)


def best_link(
    snapshot: Snapshot, r: Reach, target: int, passable: BoolArray, source: int
) -> int | None:
    """The reached, passable neighbour ``z`` of ``target`` through which the chain from the
    source is shortest, then widest (a person before a non-person, then the lowest vertex);
    ``None`` when no neighbour of ``target`` is reached."""
    _, nbr, w = snapshot.adjacency.gather_weighted(np.array([target], dtype=np.int64))
    ok = (r.dist[nbr] >= 1) & passable[nbr] & (nbr != source)
    nbr, w = nbr[ok], w[ok]
    if nbr.size == 0:
        return None
    d = r.dist[nbr]
    val = np.minimum(r.width[nbr], w)
    person = snapshot.is_person[nbr].astype(np.int8)
    order = np.lexsort((nbr, -person, -val, d))
    return int(nbr[order[0]])


def steps(snapshot: Snapshot, chain: list[int]) -> tuple[Step, ...]:
    """The chain as :class:`Step` records: each actor with the tie that reaches it."""
    out: list[Step] = [Step(actor=actor_ref(snapshot, chain[0]), tie_strength=None, tie_kinds=())]
    if len(chain) > 1:  # chains follow ties: each step is an edge
        a = np.asarray(chain[:-1], dtype=np.int64)
        b = np.asarray(chain[1:], dtype=np.int64)
        eids = snapshot.edge_ids(a, b).tolist()
        for v, eid in zip(chain[1:], eids, strict=True):
            strength = float(snapshot.weights[eid])
            kinds = snapshot.tie_kinds(eid)
            out.append(Step(actor=actor_ref(snapshot, v), tie_strength=strength, tie_kinds=kinds))
    return tuple(out)


def introduction(
    ctx: SuggestContext, u: int, t: int, r: Reach, max_hops: int, lang: str
) -> Introduction:
    """The introduction of ``u`` to ``t`` given :func:`~.paths.reach` from ``u`` of depth
    ``max_hops - 1`` over the passable actors."""
    s = ctx.snapshot
    z = best_link(s, r, t, ctx.passable, u)
    if z is None or int(r.dist[z]) + 1 > max_hops:
        return Introduction(
            introducer=None,
            path=(),
            hops=None,
            weakest_tie=None,
            sentence=say("reason.introduce_none", lang, steps=steps_text(max_hops, lang)),
        )
    chain = [*r.chain(z), t]
    path = steps(s, chain)
    strengths = [p.tie_strength for p in path[1:] if p.tie_strength is not None]
    weakest = min(strengths) if strengths else None
    first = path[1].actor
    hops = len(chain) - 1
    if hops == 2:
        a, b = (round(x or 0) for x in (path[1].tie_strength, path[2].tie_strength))
        sentence = say(
            "reason.introduce_common", lang, introducer=kind_a(first.kind, lang), first=a, second=b
        )
    else:
        sentence = say(
            "reason.introduce_chain",
            lang,
            count=hops - 1,
            hops=hops,
            weakest=round(weakest or 0),
            introducer=kind_a(first.kind, lang),
        )
    return Introduction(
        introducer=first,
        path=path,
        hops=hops,
        weakest_tie=weakest,
        sentence=sentence,
    )
