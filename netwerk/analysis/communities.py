"""Communities: the groups in which people know each other, and how the groups are tied.

Partition with the Leiden algorithm, objective modularity (Newman & Girvan 2004), weighted
by tie strength, ``iterations`` passes (default 2, as igraph and leidenalg; a negative
number runs until a pass no longer improves the partition, which can take ten times as
long on large, lattice-like networks), seeded (igraph's
``community_leiden`` on a private random generator, see :func:`netwerk.graph.seeded`).
Communities are numbered by size, largest first (ties by lowest vertex), so the numbering is
stable for a given snapshot and seed. Isolated actors form singleton communities; they are
counted, not listed (the gap analysis reports them).

Between-community tie density is ``ties(A, B) / (|A| * |B|)`` (ties are distinct pairs);
within a community ``ties(A) / (|A| (|A| - 1) / 2)``.

Complexity: Leiden is about O(m) per iteration (Traag et al. 2019); the density tables are
O(m + c^2) for the c largest communities shown.

References
----------
Traag V.A., Waltman L., van Eck N.J. (2019) From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9:5233. doi:10.1038/s41598-019-41695-z.
Newman M.E.J., Girvan M. (2004) Finding and evaluating community structure in networks.
Phys Rev E 69:026113. doi:10.1103/PhysRevE.69.026113.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.records import (
    ActorRef,
    Provenance,
    actor_ref,
    check_positive,
    num,
    provenance,
)
from netwerk.analysis.sentences import community_sentence, overall_sentence
from netwerk.errors import ValidationFailed
from netwerk.graph import ACTOR_KINDS, Snapshot, require_lang, seeded

__all__ = [
    "CommunitiesResult",
    "Community",
    "CommunityLink",
    "DensityMatrix",
    "Partition",
    "communities",
    "partition",
]

IntArray = npt.NDArray[np.int64]
REFERENCES = (
    "Traag V.A., Waltman L., van Eck N.J. (2019) doi:10.1038/s41598-019-41695-z",
    "Newman M.E.J., Girvan M. (2004) doi:10.1103/PhysRevE.69.026113",
)


@dataclass(frozen=True, eq=False)
class Partition:
    """Community label per vertex (internal; shared by the analyses that group by it)."""

    membership: IntArray
    sizes: IntArray
    modularity: float
    seed: int
    resolution: float
    iterations: int = 2

    @property
    def count(self) -> int:
        return len(self.sizes)


def partition(
    snapshot: Snapshot, *, seed: int = 0, resolution: float = 1.0, iterations: int = 2
) -> Partition:
    """Leiden communities of ``snapshot`` (modularity, weighted, seeded).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> p = partition(s)
    >>> len(p.sizes), int(p.sizes.sum()), p.modularity > 0.3
    (4, 34, True)
    """
    if not resolution > 0:
        raise ValidationFailed("resolution", "must be greater than 0")
    g, n = snapshot.graph, snapshot.n
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return Partition(z, z, 0.0, seed, resolution, iterations)
    weights = "weight" if snapshot.m else None
    if snapshot.m == 0:
        raw = np.arange(n, dtype=np.int64)
    else:
        with seeded(seed):
            clustering = g.community_leiden(
                objective_function="modularity",
                weights=weights,
                resolution=resolution,
                n_iterations=iterations,
            )
        raw = np.asarray(clustering.membership, dtype=np.int64)
    # renumber: largest first, ties by lowest vertex
    counts = np.bincount(raw)
    first = np.full(len(counts), n, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(n))
    order = np.lexsort((first, -counts))
    relabel = np.empty(len(counts), dtype=np.int64)
    relabel[order] = np.arange(len(counts))
    membership = relabel[raw]
    modularity = (
        float(g.modularity(membership.tolist(), weights=weights, resolution=resolution))
        if snapshot.m
        else 0.0
    )
    return Partition(
        membership, counts[order].astype(np.int64), modularity, seed, resolution, iterations
    )


@dataclass(frozen=True)
class Community:
    community: int
    size: int
    persons: int
    kinds: dict[str, int]
    internal_ties: int
    density: float | None
    ties_out: int
    main_area: str | None
    main_languages: tuple[str, ...]
    core_actors: tuple[ActorRef, ...]
    """The most connected members inside the community (up to 5)."""
    members: tuple[ActorRef, ...] | None
    """All members, when asked for (``include_members``)."""
    sentence: str
    """The group in words: who is in it, where, which languages, ties in and out."""


@dataclass(frozen=True)
class CommunityLink:
    a: int
    b: int
    ties: int
    density: float


@dataclass(frozen=True)
class DensityMatrix:
    """Tie density between the largest communities (row/column order = ``communities``);
    the diagonal holds the density inside each community."""

    communities: tuple[int, ...]
    density: tuple[tuple[float, ...], ...]
    ties: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class CommunitiesResult:
    count: int
    """Communities of two or more actors."""
    singletons: int
    modularity: float
    summary: str
    communities: tuple[Community, ...]
    links: tuple[CommunityLink, ...]
    """Every pair of listed communities with at least one tie, most ties first."""
    matrix: DensityMatrix
    provenance: Provenance


def _inter_counts(
    snapshot: Snapshot, membership: IntArray, k: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Internal ties per community, ties out per community, and the (a, b, count) of
    community pairs a < b with ties between them."""
    e = snapshot.edge_array
    if not len(e):
        z = np.zeros(0, dtype=np.int64)
        return np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64), z, z
    ca, cb = membership[e[:, 0]], membership[e[:, 1]]
    same = ca == cb
    internal = np.bincount(ca[same], minlength=k).astype(np.int64)
    out = (np.bincount(ca[~same], minlength=k) + np.bincount(cb[~same], minlength=k)).astype(
        np.int64
    )
    lo, hi = np.minimum(ca[~same], cb[~same]), np.maximum(ca[~same], cb[~same])
    keys, counts = np.unique(lo * k + hi, return_counts=True)
    pairs = np.column_stack([keys // k, keys % k]) if len(keys) else np.zeros((0, 2), np.int64)
    return internal, out, pairs.astype(np.int64), counts.astype(np.int64)


def communities(
    snapshot: Snapshot,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    include_members: bool = False,
    max_matrix: int = 30,
    limit: int = 500,
    precomputed: Partition | None = None,
    lang: str = "nl",
) -> CommunitiesResult:
    """Leiden communities with composition, density and the ties between them.

    ``limit`` caps the communities listed (largest first); ``max_matrix`` the size of the
    density matrix. ``precomputed`` passes a cached :func:`partition`.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> r = communities(s, include_members=True, lang='en')
    >>> r.count, [[m.actor_id for m in c.members] for c in r.communities]
    (2, [['0', '1', '2'], ['3', '4', '5']])
    """
    require_lang(lang)
    check_positive(max_matrix, "max_matrix", maximum=200)
    check_positive(limit, "limit", maximum=100_000)
    part = precomputed or partition(snapshot, seed=seed, resolution=resolution)
    k, membership = part.count, part.membership
    internal, out, pairs, counts = _inter_counts(snapshot, membership, k)
    sizes = part.sizes
    listed = [c for c in range(k) if sizes[c] >= 2][:limit]
    members_of: dict[int, list[int]] = {c: [] for c in listed}
    listed_set = set(listed)
    for v, c in enumerate(membership.tolist()):
        if c in listed_set:
            members_of[c].append(v)
    deg_in = _internal_degree(snapshot, membership)
    rows: list[Community] = []
    for c in listed:
        vs = members_of[c]
        size = len(vs)
        kinds = Counter(snapshot.kind[v] for v in vs)
        areas = Counter(snapshot.area[v] for v in vs if snapshot.area[v])
        langs = Counter(lang for v in vs for lang in snapshot.languages[v])
        core = sorted(vs, key=lambda v: (-deg_in[v], v))[:5]
        possible = size * (size - 1) / 2
        kind_counts = {k_: int(kinds[k_]) for k_ in ACTOR_KINDS if kinds[k_]}
        main_area = areas.most_common(1)[0][0] if areas else None
        main_languages = tuple(sorted(x for x, _ in langs.most_common(3)))
        rows.append(
            Community(
                community=c,
                size=size,
                persons=int(sum(kinds[k_] for k_ in ("resident", "key_figure", "professional"))),
                kinds=kind_counts,
                internal_ties=int(internal[c]),
                density=num(internal[c] / possible) if possible else None,
                ties_out=int(out[c]),
                main_area=main_area,
                main_languages=main_languages,
                core_actors=tuple(actor_ref(snapshot, v) for v in core),
                members=tuple(actor_ref(snapshot, v) for v in vs) if include_members else None,
                sentence=community_sentence(
                    c,
                    size,
                    kind_counts,
                    main_area,
                    main_languages,
                    int(internal[c]),
                    int(out[c]),
                    lang,
                ),
            )
        )
    links = [
        CommunityLink(a=int(a), b=int(b), ties=int(t), density=float(t / (sizes[a] * sizes[b])))
        for (a, b), t in zip(pairs.tolist(), counts.tolist(), strict=True)
        if a in listed_set and b in listed_set
    ]
    links.sort(key=lambda x: (-x.ties, x.a, x.b))
    top = listed[:max_matrix]
    pos = {c: i for i, c in enumerate(top)}
    ties_m = np.zeros((len(top), len(top)), dtype=np.int64)
    for (a, b), t in zip(pairs.tolist(), counts.tolist(), strict=True):
        if a in pos and b in pos:
            ties_m[pos[a], pos[b]] = ties_m[pos[b], pos[a]] = t
    for c in top:
        ties_m[pos[c], pos[c]] = internal[c]
    dens = np.zeros_like(ties_m, dtype=np.float64)
    for c in top:
        for d in top:
            i, j = pos[c], pos[d]
            possible = sizes[c] * (sizes[c] - 1) / 2 if c == d else sizes[c] * sizes[d]
            dens[i, j] = ties_m[i, j] / possible if possible else 0.0
    count, singletons = int((sizes >= 2).sum()), int((sizes == 1).sum())
    return CommunitiesResult(
        count=count,
        singletons=singletons,
        modularity=float(part.modularity),
        summary=overall_sentence(count, singletons, lang),
        communities=tuple(rows),
        links=tuple(links),
        matrix=DensityMatrix(
            communities=tuple(top),
            density=tuple(tuple(float(x) for x in row) for row in dens),
            ties=tuple(tuple(int(x) for x in row) for row in ties_m),
        ),
        provenance=provenance(
            snapshot,
            "communities.leiden_modularity",
            REFERENCES,
            {
                "objective": "modularity",
                "weights": "strength",
                "resolution": part.resolution,
                "iterations": part.iterations,
                "include_members": include_members,
                "max_matrix": max_matrix,
                "limit": limit,
            },
            seed=part.seed,
        ),
    )


def _internal_degree(snapshot: Snapshot, membership: IntArray) -> IntArray:
    e = snapshot.edge_array
    if not len(e):
        return np.zeros(snapshot.n, dtype=np.int64)
    same = membership[e[:, 0]] == membership[e[:, 1]]
    n = snapshot.n
    return (np.bincount(e[same, 0], minlength=n) + np.bincount(e[same, 1], minlength=n)).astype(
        np.int64
    )
