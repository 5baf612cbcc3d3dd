"""Resilience: "what if this actor leaves?" (DESIGN.md 4).

For the departing actor *v* the analysis answers three questions on the snapshot without
*v* (vertex removal, Albert, Jeong & Barabási 2000):

1. **Who loses their only path to help.** Residents and key figures who reach help (a
   professional, organisation, initiative or key figure: :data:`netwerk.model.HELP_KINDS`)
   within ``steps`` (default 3) ties today and reach none without *v* (bounded
   multi-source breadth-first search from all help, O(m)). A key figure is help itself, so
   the residents who lose help when a key figure leaves are those who had no other.
2. **What falls apart.** The pieces *v*'s component breaks into (all but the largest are
   listed), whether *v*'s own community stays connected inside, and which pairs of
   communities lose their last tie.
3. **Whom to introduce before the departure (handover).** For every dependent, one of
   *v*'s own contacts who keeps help within reach without *v*: *v* knows them and can make
   the introduction. Candidates are ranked by how close they stay to help (help itself is
   best), how strong *v*'s tie to them is, shared area
   and language with the dependent, and then by fewest contacts (spreading the load).
   Dependents not tied to *v* directly are introduced through their link to *v*'s circle
   (``via``).

Complexity: O(n + m) for the searches and pieces; the handover is O(d * c) for d
dependents and c contacts of *v*.

References
----------
Albert R., Jeong H., Barabási A.-L. (2000) Error and attack tolerance of complex networks.
Nature 406:378-382. doi:10.1038/35019019.
Borgatti S.P. (2006) Identifying sets of key players in a social network. Comput Math
Organ Theory 12:21-34. doi:10.1007/s10588-006-7084-x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.brokers import Piece
from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import (
    ActorRef,
    Provenance,
    actor_ref,
    check_positive,
    provenance,
)
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, bfs_levels, require_lang
from netwerk.i18n import text
from netwerk.model import HELP_KINDS, RESIDENT_KINDS
from netwerk.words import join, kind_a, kind_count, kind_the, kind_this, say, steps_text

__all__ = ["Handover", "WhatIfResult", "what_if"]

IntArray = npt.NDArray[np.int64]
REFERENCES = (
    "Albert R., Jeong H., Barabási A.-L. (2000) doi:10.1038/35019019",
    "Borgatti S.P. (2006) doi:10.1007/s10588-006-7084-x",
)
MEMBER_CAP = 50


@dataclass(frozen=True)
class Handover:
    dependent: ActorRef
    via: ActorRef | None
    """The dependent's contact inside the departing actor's circle, when the dependent is
    not tied to the departing actor directly."""
    candidate: ActorRef
    candidate_help_distance: int
    """Steps from the candidate to help without the departing actor (0: is help)."""
    reasons: tuple[str, ...]
    explanation: str


@dataclass(frozen=True)
class WhatIfResult:
    actor: ActorRef
    steps: int
    lose_help_count: int
    lose_help: tuple[ActorRef, ...]
    components_before: int
    components_after: int
    split_off: tuple[Piece, ...]
    """Pieces cut off from the rest of the actor's component (all but the largest)."""
    community: int
    community_parts_before: int
    community_parts_after: int
    community_falls_apart: bool
    """The actor's community breaks into two or more parts of at least two actors each
    (single members losing their last tie inside it are not a falling apart)."""
    community_cut_off: int
    """Members of the actor's community left without any tie inside it."""
    lost_community_links: tuple[tuple[int, int], ...]
    """Pairs of communities whose only ties ran through this actor."""
    handover: tuple[Handover, ...]
    summary: str
    provenance: Provenance


def _pieces(snapshot: Snapshot, v: int) -> list[IntArray]:
    """Vertex sets of the pieces of v's component once v is removed, largest first."""
    blocked = np.zeros(snapshot.n, dtype=bool)
    blocked[v] = True
    label = np.full(snapshot.n, -1, dtype=np.int64)
    pieces: list[IntArray] = []
    for u in snapshot.adjacency.neighbours(v).tolist():
        if label[u] >= 0:
            continue
        dist = bfs_levels(snapshot, [u], snapshot.n, blocked=blocked)
        members = np.flatnonzero(dist >= 0).astype(np.int64)
        label[members] = len(pieces)
        pieces.append(members)
    pieces.sort(key=lambda p: (-len(p), int(p[0]) if len(p) else 0))
    return pieces


def _part_sizes(snapshot: Snapshot, vertices: IntArray) -> list[int]:
    """Sizes of the connected parts of the network induced by ``vertices``."""
    if not len(vertices):
        return []
    sub = snapshot.graph.induced_subgraph(vertices.tolist())
    return [len(c) for c in sub.connected_components()]


def _singles_after(snapshot: Snapshot, members: IntArray, v: int) -> set[int]:
    """Members of ``v``'s community with no tie inside it once ``v`` is gone."""
    rest = members[members != v]
    if not len(rest):
        return set()
    sub = snapshot.graph.induced_subgraph(rest.tolist())
    return {int(rest[c[0]]) for c in sub.connected_components() if len(c) == 1}


def what_if(
    snapshot: Snapshot,
    actor_id: str,
    *,
    steps: int = 3,
    limit: int = 100,
    seed: int = 0,
    lang: str = "nl",
    communities: Partition | None = None,
) -> WhatIfResult:
    """What happens when ``actor_id`` leaves (see the module doc).

    Raises
    ------
    NotFound
        When the actor is not in the snapshot.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> r = what_if(s, '2', lang='en')
    >>> r.components_before, r.components_after
    (1, 2)
    """
    if steps not in (1, 2, 3, 4):
        raise ValidationFailed("steps", "steps is 1 to 4")
    check_positive(limit, "limit", maximum=100_000)
    require_lang(lang)
    v = snapshot.actor_index(actor_id)
    n = snapshot.n
    part = communities or partition(snapshot, seed=seed)
    memb = part.membership
    help_mask = snapshot.kind_mask(*HELP_KINDS)
    blocked = np.zeros(n, dtype=bool)
    blocked[v] = True
    help_v = np.flatnonzero(help_mask)
    before = bfs_levels(snapshot, help_v, steps)
    after = bfs_levels(snapshot, help_v[help_v != v], steps, blocked=blocked)
    dependents_mask = snapshot.kind_mask(*RESIDENT_KINDS)
    lost = np.flatnonzero(dependents_mask & (before >= 0) & (after < 0) & ~blocked)

    # what falls apart
    pieces = _pieces(snapshot, v)
    comps_before = len(np.unique(snapshot.components)) if n else 0
    comps_after = comps_before - 1 + len(pieces)
    split = [
        Piece(len(p), tuple(actor_ref(snapshot, u) for u in p[:MEMBER_CAP].tolist()))
        for p in pieces[1:]
    ]
    c = int(memb[v])
    com_members = np.flatnonzero(memb == c).astype(np.int64)
    sizes_before = _part_sizes(snapshot, com_members)
    sizes_after = _part_sizes(snapshot, com_members[com_members != v])
    parts_before, parts_after = len(sizes_before), len(sizes_after)
    falls_apart = sum(x >= 2 for x in sizes_after) > max(1, sum(x >= 2 for x in sizes_before))
    cut_off = max(0, sum(x == 1 for x in sizes_after) - sum(x == 1 for x in sizes_before))
    lost_links = _lost_links(snapshot, memb, v, part.count)

    # handover
    adj = snapshot.adjacency
    circle = adj.neighbours(v)
    circle_set = set(circle.tolist())
    circle_w = adj.weights[adj.indptr[v] : adj.indptr[v + 1]]
    weight_to_v = dict(zip(circle.tolist(), circle_w.tolist(), strict=True))
    deg = snapshot.degree
    lost_set = set(lost.tolist())
    candidates = [
        x for x in circle.tolist() if x not in lost_set and after[x] >= 0 and after[x] < steps
    ]
    handovers: list[Handover] = []
    for u in lost[:limit].tolist():
        via = _anchor(snapshot, u, v, circle_set, weight_to_v)
        best: tuple[tuple[float, ...], int, list[str]] | None = None
        for x in candidates:
            if x in (u, via):
                continue
            reasons = []
            if help_mask[x]:
                reasons.append("is_help")
            if weight_to_v.get(x, 0) >= 4:
                reasons.append("strong_tie_to_leaver")
            if snapshot.area[x] and snapshot.area[x] == snapshot.area[u]:
                reasons.append("same_area")
            if snapshot.languages[x] & snapshot.languages[u]:
                reasons.append("shared_language")
            key = (
                float(after[x]),
                -weight_to_v.get(x, 0.0),
                -float("same_area" in reasons),
                -float("shared_language" in reasons),
                float(deg[x]),
                float(x),
            )
            if best is None or key < best[0]:
                best = (key, x, reasons)
        if best is None:
            continue
        _, x, reasons = best
        handovers.append(
            Handover(
                dependent=actor_ref(snapshot, u),
                via=actor_ref(snapshot, via) if via is not None and via != u else None,
                candidate=actor_ref(snapshot, x),
                candidate_help_distance=int(after[x]),
                reasons=tuple(reasons),
                explanation=_handover_sentence(
                    snapshot, lang, v, x, u, via, bool(help_mask[x]), int(after[x])
                ),
            )
        )
    cut_ids = {int(p[0]) for p in pieces[1:] if len(p) == 1}
    loose_in_split = _singles_after(snapshot, com_members, v) <= cut_ids
    summary = _summary(
        snapshot,
        v,
        lang,
        steps=steps,
        lost=len(lost),
        split=pieces[1:],
        community=c,
        falls_apart=falls_apart,
        parts_after=parts_after,
        cut_off=cut_off,
        cut_off_in_split=loose_in_split,
    )
    return WhatIfResult(
        actor=actor_ref(snapshot, v),
        steps=steps,
        lose_help_count=len(lost),
        lose_help=tuple(actor_ref(snapshot, u) for u in lost[:limit].tolist()),
        components_before=comps_before,
        components_after=comps_after,
        split_off=tuple(split),
        community=c,
        community_parts_before=parts_before,
        community_parts_after=parts_after,
        community_falls_apart=falls_apart,
        community_cut_off=cut_off,
        lost_community_links=lost_links,
        handover=tuple(handovers),
        summary=summary,
        provenance=provenance(
            snapshot,
            "resilience.vertex_removal",
            REFERENCES,
            {
                "actor": actor_id,
                "steps": steps,
                "limit": limit,
                "help": "professional,organisation,initiative",
            },
            seed=part.seed,
        ),
    )


def _anchor(
    snapshot: Snapshot, u: int, v: int, circle: set[int], weight_to_v: dict[int, float]
) -> int | None:
    """u itself when tied to v; else u's nearest contact in v's circle (strongest to v)."""
    if u in circle:
        return u
    adj = snapshot.adjacency
    first = [x for x in adj.neighbours(u).tolist() if x != v]
    hits = [x for x in first if x in circle]
    if hits:
        return min(hits, key=lambda x: (-weight_to_v.get(x, 0.0), x))
    if first:
        _, second = adj.gather(np.asarray(first, dtype=np.int64))
        hits = sorted({x for x in second.tolist() if x in circle and x != u})
        if hits:
            return min(hits, key=lambda x: (-weight_to_v.get(x, 0.0), x))
    return None


def _lost_links(snapshot: Snapshot, memb: IntArray, v: int, k: int) -> tuple[tuple[int, int], ...]:
    e = snapshot.edge_array
    if not len(e):
        return ()
    ca, cb = memb[e[:, 0]], memb[e[:, 1]]
    inter = ca != cb
    key = np.minimum(ca, cb) * k + np.maximum(ca, cb)
    touching = (e[:, 0] == v) | (e[:, 1] == v)
    all_pairs = set(np.unique(key[inter]).tolist())
    kept = set(np.unique(key[inter & ~touching]).tolist())
    return tuple(sorted((x // k, x % k) for x in all_pairs - kept))


def _pieces_text(snapshot: Snapshot, pieces: list[IntArray], lang: str) -> tuple[str, int]:
    """What splits off, said plainly, and its grammatical number (1: one actor or one group).

    Single actors are counted by kind (``3 bewoners``, ``1 organisatie``); pieces of two or
    more are groups (``een groep van 5 actoren``, ``2 groepen van samen 9 actoren``)."""
    singles: dict[str, int] = {}
    groups = [len(p) for p in pieces if len(p) > 1]
    for p in pieces:
        if len(p) == 1:
            k = snapshot.kind[int(p[0])]
            singles[k] = singles.get(k, 0) + 1
    parts = [kind_count(k, n, lang) for k, n in singles.items()]
    if len(groups) == 1:
        parts.append(text("whatif.group", lang, count=groups[0]))
    elif groups:
        parts.append(text("whatif.groups", lang, count=len(groups), size=sum(groups)))
    number = 1 if len(pieces) == 1 else 2
    return join(parts, lang), number


def _summary(
    snapshot: Snapshot,
    v: int,
    lang: str,
    *,
    steps: int,
    lost: int,
    split: list[IntArray],
    community: int,
    falls_apart: bool,
    parts_after: int,
    cut_off: int,
    cut_off_in_split: bool,
) -> str:
    """Three plain sentences: who loses help, what splits off the network, and what happens
    to the actor's own group (it 'falls apart' only when it does)."""
    leaver = kind_this(snapshot.kind[v], lang)
    within = steps_text(steps, lang)
    out = [
        say("whatif.lose_help", lang, leaver=leaver, count=lost, steps=within)
        if lost
        else say("whatif.lose_help_none", lang, leaver=leaver, steps=within)
    ]
    if split:
        parts, number = _pieces_text(snapshot, split, lang)
        out.append(say("whatif.split", lang, parts=parts, count=number))
    else:
        out.append(say("whatif.split_none", lang))
    if falls_apart:
        out.append(say("whatif.community_apart", lang, community=community, parts=parts_after))
    elif cut_off and not cut_off_in_split:
        out.append(say("whatif.community_loses", lang, count=cut_off, community=community))
    elif cut_off:
        out.append(say("whatif.community_rest_whole", lang, community=community))
    else:
        out.append(say("whatif.community_whole", lang, community=community))
    return " ".join(out)


def _handover_sentence(
    snapshot: Snapshot,
    lang: str,
    v: int,
    x: int,
    u: int,
    via: int | None,
    is_help: bool,
    distance: int,
) -> str:
    """ "Overdracht: deze sleutelfiguur stelt de bewoner die hulp verliest voor aan een
    professional uit de eigen kring, die zelf hulp biedt." """
    the = kind_the(snapshot.kind[u], lang)
    dependent = text(
        "whatif.dependent" if via is None or via == u else "whatif.dependent_via", lang, the=the
    )
    values = {
        "leaver": kind_this(snapshot.kind[v], lang),
        "dependent": dependent,
        "candidate": kind_a(snapshot.kind[x], lang),
    }
    if is_help:
        return say("whatif.handover_help", lang, **values)
    return say("whatif.handover_reach", lang, steps=steps_text(max(distance, 1), lang), **values)
