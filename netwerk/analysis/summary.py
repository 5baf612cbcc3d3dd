"""Summary: the state of a network in a handful of figures (DESIGN.md 4 and 8).

Counts per actor kind and tie kind, density (distinct connected pairs over possible pairs),
mean degree, components, isolates, clustering (global transitivity, Newman 2003, and the
mean local clustering with zero for actors of degree below two, as networkx's
``average_clustering``), the mean shortest-path length between connected pairs (exact up
to ``exact_max`` actors, else estimated from pivots with its 95% half-width, see
:mod:`.centrality`), and the development stage (:mod:`.stage`).

Complexity: O(m) plus the path-length computation (O(nm) exact, O(km) sampled).

References
----------
Newman M.E.J. (2003) The structure and function of complex networks. SIAM Review 45(2):
167-256. doi:10.1137/S003614450342480.
Watts D.J., Strogatz S.H. (1998) Collective dynamics of 'small-world' networks. Nature
393:440-442. doi:10.1038/30918.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from netwerk.analysis.centrality import DEFAULT_EXACT_MAX, DistanceSample, distance_sample
from netwerk.analysis.records import Provenance, num, provenance
from netwerk.analysis.stage import Stage, stage_of
from netwerk.graph import ACTOR_KINDS, TIE_KINDS, Snapshot
from netwerk.privacy import PersonCells, PersonCount, aggregate

__all__ = ["SummaryResult", "summary"]

REFERENCES = (
    "Newman M.E.J. (2003) doi:10.1137/S003614450342480",
    "Watts D.J., Strogatz S.H. (1998) doi:10.1038/30918",
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
)


@aggregate
@dataclass(frozen=True)
class SummaryResult:
    """Figures of the whole network: an aggregate (viewers get it with the person counts
    marked below suppressed)."""

    actors: PersonCount
    actors_by_kind: PersonCells
    persons: PersonCount
    ties: int
    """Active ties (rows) on the date."""
    connected_pairs: int
    """Distinct pairs of actors with at least one active tie (edges of the graph)."""
    ties_by_kind: dict[str, int]
    """Connected pairs per tie kind (a pair with two kinds counts under both)."""
    referrals: int
    density: float | None
    mean_degree: float
    components: int
    largest_component: PersonCount
    largest_component_share: float
    isolates: PersonCount
    clustering: float | None
    mean_local_clustering: float | None
    path_length: float | None
    path_length_half_width: float | None
    """95% half-width when the path length is sampled."""
    path_length_exact: bool
    stage: Stage
    provenance: Provenance


def summary(
    snapshot: Snapshot,
    *,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
    seed: int = 0,
    lang: str = "nl",
    distances: DistanceSample | None = None,
) -> SummaryResult:
    """Counts and whole-network figures of ``snapshot`` (see the module doc).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.barbell_graph(3, 0))  # two triangles, tie 2-3
    >>> r = summary(s, lang='en')
    >>> r.actors, r.ties, r.components, r.path_length_exact
    (6, 7, 1, True)
    """
    g, n, m = snapshot.graph, snapshot.n, snapshot.m
    kinds = Counter(snapshot.kind)
    tie_kinds: Counter[str] = Counter()
    if m:
        for ks, count in Counter(g.es["kinds"]).items():
            for k in ks:
                tie_kinds[k] += count
    ds = distances or distance_sample(snapshot, exact_max=exact_max, pivots=pivots, seed=seed)
    sizes = np.bincount(snapshot.components) if n else np.zeros(0, dtype=np.int64)
    largest = int(sizes.max()) if n else 0
    clustering = num(snapshot.transitivity) if m else None
    # summed in vertex order, as igraph's transitivity_avglocal_undirected does
    local = num(sum(snapshot.local_clustering.tolist()) / n) if m else None
    return SummaryResult(
        actors=n,
        actors_by_kind={k: int(kinds[k]) for k in ACTOR_KINDS},
        persons=int(snapshot.is_person.sum()),
        ties=snapshot.tie_count,
        connected_pairs=m,
        ties_by_kind={k: int(tie_kinds[k]) for k in TIE_KINDS},
        referrals=len(snapshot.referrals),
        density=num(m / (n * (n - 1) / 2)) if n > 1 else None,
        mean_degree=float(2 * m / n) if n else 0.0,
        components=len(sizes),
        largest_component=largest,
        largest_component_share=float(largest / n) if n else 0.0,
        isolates=int((snapshot.degree == 0).sum()),
        clustering=clustering,
        mean_local_clustering=local,
        path_length=num(ds.mean_path),
        path_length_half_width=num(ds.mean_path_half_width),
        path_length_exact=ds.exact,
        stage=stage_of(snapshot, ds, lang),
        provenance=provenance(
            snapshot,
            "summary",
            REFERENCES,
            {"exact_max": exact_max, "pivots": ds.pivots if not ds.exact else None},
            seed=None if ds.exact else seed,
            exact=ds.exact,
        ),
    )
