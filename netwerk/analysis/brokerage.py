"""Brokerage roles (Gould & Fernandez 1989): who links whom across groups.

For a broker *b* and an ordered pair (a, c) with a -> b -> c and no a -> c tie, by the
groups of a, b, c: coordinator (all one group), itinerant (a and c share a group, b is
outside it), representative (a in b's group, c outside), gatekeeper (c in b's group,
a outside), liaison (all three differ). Actors without a group (no area, no language)
are left out of every triad they are in. Each broker's entry names the role it plays most
often, in the requested language (:mod:`.sentences`), with a sentence.

Convention: on the **symmetric** network each tie counts in both directions, so every
open two-path a - b - c counts as the ordered pairs (a, c) *and* (c, a): a coordinator
triad counts 2, and one representative triad is also one gatekeeper triad. This is
the convention of ``sna::brokerage`` in R on a symmetrised graph. On the **directed**
network of ``refers_to`` ties each referral chain a -> b -> c counts once.
Symmetric counts are computed from group histograms of each broker's contacts minus
the closed triads (triangles): O(m + t) for t triangles.

References
----------
Gould R.V., Fernandez R.M. (1989) Structures of mediation: a formal approach to brokerage
in transaction networks. Sociological Methodology 19:89-126. doi:10.2307/270949.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import check_kinds, ranked
from netwerk.analysis.sentences import brokerage_sentence, main_role, role_label
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, require_lang
from netwerk.privacy import Sentence

__all__ = [
    "GROUPINGS",
    "ROLES",
    "BrokerageEntry",
    "BrokerageResult",
    "RoleCounts",
    "brokerage",
    "brokerage_directed",
    "brokerage_symmetric",
    "group_labels",
]

IntArray = npt.NDArray[np.int64]
GROUPINGS = ("community", "area", "language", "kind")
ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def group_labels(
    snapshot: Snapshot, grouping: str, *, communities: Partition | None = None, seed: int = 0
) -> tuple[IntArray, tuple[str, ...]]:
    """Group label per vertex (-1: no group) and the group names, for ``grouping`` one of
    ``community`` (Leiden), ``area``, ``language`` (the set of languages spoken, e.g.
    ``ar+nl``) or ``kind``.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {v: 'West' if v < 3 else 'Oost' for v in G}, 'area')
    >>> s = snapshot_from_networkx(G)
    >>> labels, names = group_labels(s, 'area')
    >>> labels.tolist(), names
    ([1, 1, 1, 0, 0, 0], ('Oost', 'West'))
    """
    if grouping not in GROUPINGS:
        raise ValidationFailed("grouping", f"use one of {', '.join(GROUPINGS)}")
    if grouping == "community":
        part = communities or partition(snapshot, seed=seed)
        return part.membership.copy(), tuple(str(c) for c in range(part.count))
    if grouping == "area":
        keys: list[str | None] = list(snapshot.area)
    elif grouping == "language":
        keys = ["+".join(sorted(ls)) if ls else None for ls in snapshot.languages]
    else:
        keys = list(snapshot.kind)
    names = sorted({k for k in keys if k})
    code = {k: i for i, k in enumerate(names)}
    labels = np.fromiter((code.get(k, -1) if k else -1 for k in keys), np.int64, snapshot.n)
    return labels, tuple(names)


@dataclass(frozen=True, eq=False)
class RoleCounts:
    """Brokerage role counts per vertex, columns in :data:`ROLES` order (internal)."""

    counts: IntArray
    directed: bool


def _role(ga: IntArray, gb: IntArray, gc: IntArray) -> IntArray:
    """Role index (ROLES order) of ordered triads a -> b -> c by group labels."""
    return np.select(
        [
            (ga == gb) & (gb == gc),
            (ga == gc) & (ga != gb),
            (ga == gb) & (gb != gc),
            (gc == gb) & (ga != gb),
        ],
        [0, 1, 2, 3],
        default=4,
    ).astype(np.int64)


def _role_of(ga: int, gb: int, gc: int) -> int:
    """:func:`_role` of one triad (no arrays made per triad)."""
    if ga == gb == gc:
        return 0
    if ga == gc and ga != gb:
        return 1
    if ga == gb and gb != gc:
        return 2
    if gc == gb and ga != gb:
        return 3
    return 4


def brokerage_symmetric(snapshot: Snapshot, labels: IntArray) -> RoleCounts:
    """Gould–Fernandez counts on the symmetric network (see the module doc).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {v: 'West' if v < 3 else 'Oost' for v in G}, 'area')
    >>> s = snapshot_from_networkx(G)
    >>> labels, names = group_labels(s, 'area')
    >>> counts = brokerage_symmetric(s, labels).counts  # per actor, per role
    >>> counts[2].tolist(), counts[3].tolist(), int(counts.sum())  # only 2 and 3 broker
    ([0, 0, 2, 2, 0], [0, 0, 2, 2, 0], 8)
    """
    n = snapshot.n
    counts = np.zeros((n, 5), dtype=np.int64)
    if snapshot.m == 0:
        return RoleCounts(counts, False)
    adj = snapshot.adjacency
    owner = np.repeat(np.arange(n), np.diff(adj.indptr))
    nbr = adj.indices
    known = (labels[owner] >= 0) & (labels[nbr] >= 0)
    o, gn = owner[known], labels[nbr[known]]
    k = int(labels.max()) + 1
    keys, h = np.unique(o * k + gn, return_counts=True)
    hb, hg = keys // k, keys % k
    h = h.astype(np.int64)
    own = labels[hb] == hg  # histogram cell of the broker's own group
    total = np.bincount(hb, weights=h, minlength=n).astype(np.int64)
    same = np.bincount(hb[own], weights=h[own], minlength=n).astype(np.int64)
    other = total - same
    sq_other = np.bincount(hb[~own], weights=h[~own] ** 2, minlength=n).astype(np.int64)
    pairs_other_same = np.bincount(hb[~own], weights=h[~own] * (h[~own] - 1), minlength=n).astype(
        np.int64
    )
    counts[:, 0] = same * (same - 1)
    counts[:, 1] = pairs_other_same
    counts[:, 2] = same * other
    counts[:, 3] = same * other
    counts[:, 4] = other * other - sq_other
    counts[labels < 0] = 0
    # closed triads: each triangle at broker b closes the ordered pairs (a, c) and (c, a)
    tri = snapshot.triangles
    for b, a, c in ((0, 1, 2), (1, 0, 2), (2, 0, 1)):
        vb, va, vc = tri[:, b], tri[:, a], tri[:, c]
        ok = (labels[vb] >= 0) & (labels[va] >= 0) & (labels[vc] >= 0)
        vb, va, vc = vb[ok], va[ok], vc[ok]
        for x, y in ((va, vc), (vc, va)):
            role = _role(labels[x], labels[vb], labels[y])
            closed = np.bincount(vb * 5 + role, minlength=5 * n).reshape(n, 5)
            counts -= closed.astype(np.int64)
    return RoleCounts(counts, False)


def brokerage_directed(n: int, arcs: Sequence[tuple[int, int]], labels: IntArray) -> RoleCounts:
    """Gould–Fernandez counts on a directed network given as ``(source, target)`` arcs.

    Examples
    --------
    >>> import numpy as np
    >>> r = brokerage_directed(3, [(0, 1), (1, 2)], np.array([0, 0, 1]))  # 0 -> 1 -> 2
    >>> r.counts.tolist()
    [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]]
    """
    counts = np.zeros((n, 5), dtype=np.int64)
    out: dict[int, set[int]] = {}
    inn: dict[int, set[int]] = {}
    for s, t in arcs:
        if s != t:
            out.setdefault(s, set()).add(t)
            inn.setdefault(t, set()).add(s)
    for b in set(out) & set(inn):
        gb = labels[b]
        if gb < 0:
            continue
        for a in inn[b]:
            ga = labels[a]
            if ga < 0:
                continue
            out_a = out.get(a, set())
            for c in out[b]:
                if c == a or c in out_a or labels[c] < 0:
                    continue
                counts[b, _role_of(int(ga), int(gb), int(labels[c]))] += 1
    return RoleCounts(counts, True)


@dataclass(frozen=True)
class BrokerageEntry:
    actor_id: str
    kind: str
    person: bool
    group: str
    coordinator: int
    itinerant: int
    representative: int
    gatekeeper: int
    liaison: int
    total: int
    role: str
    """The role played most often (stable code, one of :data:`ROLES`)."""
    role_label: str
    sentence: Sentence


@dataclass(frozen=True)
class BrokerageResult:
    grouping: str
    directed: bool
    convention: str
    totals: dict[str, int]
    role_labels: dict[str, str]
    """Each role code in the requested language (``gatekeeper`` → ``poortwachter``)."""
    entries: tuple[BrokerageEntry, ...]


def brokerage(
    snapshot: Snapshot,
    *,
    grouping: str = "community",
    directed: bool = False,
    top: int = 20,
    kind: str | Sequence[str] | None = None,
    communities: Partition | None = None,
    seed: int = 0,
    lang: str = "nl",
) -> BrokerageResult:
    """Gould–Fernandez brokerage roles over ``grouping`` (see the module doc).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {v: 'West' if v < 3 else 'Oost' for v in G}, 'area')
    >>> s = snapshot_from_networkx(G)
    >>> r = brokerage(s, grouping='area', top=2, lang='en')
    >>> [(e.actor_id, e.role, e.total) for e in r.entries]
    [('2', 'representative', 4), ('3', 'representative', 4)]
    """
    require_lang(lang)
    labels, names = group_labels(snapshot, grouping, communities=communities, seed=seed)
    rc = (
        brokerage_directed(snapshot.n, snapshot.referrals, labels)
        if directed
        else brokerage_symmetric(snapshot, labels)
    )
    total = rc.counts.sum(axis=1).astype(np.float64)
    order = ranked(snapshot, total, kinds=check_kinds(kind), top=top, eligible=total > 0)
    entries = tuple(
        _entry(snapshot, v, rc.counts[v].tolist(), labels, names, lang) for v in order.tolist()
    )
    sums = rc.counts.sum(axis=0)
    return BrokerageResult(
        grouping=grouping,
        directed=directed,
        convention=(
            "directed refers_to ties: each chain a->b->c without a->c counts once"
            if directed
            else "symmetric ties count both ways: each open two-path a-b-c counts as (a,c) "
            "and (c,a)"
        ),
        totals={r: int(sums[i]) for i, r in enumerate(ROLES)},
        role_labels={r: role_label(r, lang) for r in ROLES},
        entries=entries,
    )


def _entry(
    snapshot: Snapshot,
    v: int,
    counts: list[int],
    labels: IntArray,
    names: tuple[str, ...],
    lang: str,
) -> BrokerageEntry:
    role = main_role(counts, ROLES)
    kind = snapshot.kind[v]
    return BrokerageEntry(
        actor_id=snapshot.ids[v],
        kind=kind,
        person=bool(snapshot.is_person[v]),
        group=names[labels[v]] if labels[v] >= 0 else "",
        coordinator=int(counts[0]),
        itinerant=int(counts[1]),
        representative=int(counts[2]),
        gatekeeper=int(counts[3]),
        liaison=int(counts[4]),
        total=int(sum(counts)),
        role=role,
        role_label=role_label(role, lang),
        sentence=brokerage_sentence(kind, role, int(counts[ROLES.index(role)]), lang),
    )
