"""Everything suggestions need about one snapshot, computed once and cached by revision.

:func:`suggest_context` returns a :class:`SuggestContext` for ``(network, revision, as_of,
seed)`` from :func:`netwerk.cache.cached_for`, so repeated requests on an unchanged network
reuse the fitted feasibility model, the communities and the per-actor flags:

* the feasibility model (:mod:`netwerk.suggest.feasibility`) fitted on the snapshot, with three
  attribute features besides the structural ones: ``same_area`` (equal area label),
  ``shared_language`` (number of languages both speak) and ``shared_place`` (number of
  places, initiatives and organisations both are tied to: co-membership, the bipartite
  "focus" of Feld 1981). The model learns their weights from the network's own ties, like the
  structural evidence;
* Leiden communities (shared with the analysis routes through the same cache key), the tie
  counts between communities and which communities have a tie to help (an organisation,
  initiative, professional or key figure; Kretzmann & McKnight 1993;
  :func:`netwerk.analysis.gaps.helped_communities`, as the ``community_without_help`` gap);
* connected components; isolated persons (a resident or key figure without a tie to anyone
  but professionals and organisations: :func:`netwerk.analysis.gaps.isolated_mask`, the
  definition the ``isolated_person`` gap reads);
* overloaded persons: degree at least ``max(12, 99th percentile of persons)`` or, on networks
  small enough for exact betweenness (<= 5,000 actors), degree at least 12 and betweenness at
  the 99th percentile of persons (Freeman 1977; Brandes 2001);
* theme bit masks of assets and needs, the holders of each asset, the actors per area, and
  per actor its *unmet* needs: those no actor offers within three steps (one bounded
  multi-source breadth-first search per theme, as the ``unmet_need`` gap);
* consent: who may be proposed to others (``netwerk.privacy.may_be_suggested``) and who may
  pass an introduction on (the same, minus places).

Complexity: dominated by fitting the feasibility model and the Leiden partition, both about
linear in the ties (seconds on 100,000 actors); the rest is O(n + m) numpy work.

References
----------
Feld S.L. (1981) The focused organization of social ties. American Journal of Sociology
86(5):1015-1035. doi:10.1086/227352.
Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out. ACTA
Publications. ISBN 0879462108.
Traag V.A., Waltman L., van Eck N.J. (2019) From Louvain to Leiden. Scientific Reports 9:5233.
doi:10.1038/s41598-019-41695-z.
Brandes U. (2001) A faster algorithm for betweenness centrality. J Math Sociol 25(2):163-177.
doi:10.1080/0022250X.2001.9990249.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk import cache
from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.gaps import helped_communities, isolated_mask
from netwerk.graph import BoolArray, IntArray, Snapshot, bfs_levels
from netwerk.model import HELP_KINDS, NEIGHBOURHOOD_KINDS
from netwerk.privacy import may_be_suggested
from netwerk.suggest.feasibility import FeasibilityModel, FittedFeasibility, PairFeatures

__all__ = [
    "MIN_COMMUNITY",
    "OVERLOAD_MIN_DEGREE",
    "SuggestContext",
    "build_context",
    "popcount",
    "suggest_context",
]

MaskArray = npt.NDArray[np.uint64]

MIN_COMMUNITY = 3
"""Communities smaller than this count as loose actors, not as groups (as in the gaps)."""
OVERLOAD_MIN_DEGREE = 12
OVERLOAD_QUANTILE = 0.99
NEED_REACH = 3
EXACT_BETWEENNESS_MAX = 5_000
HELP: tuple[str, ...] = tuple(sorted(k.value for k in HELP_KINDS))
GROUP_KINDS: tuple[str, ...] = ("place", "initiative", "organisation")


def popcount(masks: MaskArray) -> IntArray:
    """Number of set bits per row of a ``(k, words)`` uint64 mask array."""
    if masks.size == 0:
        return np.zeros(masks.shape[0], dtype=np.int64)
    if hasattr(np, "bitwise_count"):
        return np.asarray(np.bitwise_count(masks).sum(axis=1), dtype=np.int64)
    bits = np.unpackbits(masks.view(np.uint8), axis=1)  # pragma: no cover - numpy < 2
    return np.asarray(bits.sum(axis=1), dtype=np.int64)  # pragma: no cover


@dataclass(frozen=True, eq=False)
class SuggestContext:
    """Per-snapshot building blocks of suggestions (see the module doc). Internal: arrays."""

    snapshot: Snapshot
    seed: int
    fitted: FittedFeasibility
    allowed: BoolArray
    """May be proposed to others (as target, introducer or activated actor)."""
    passable: BoolArray
    """May pass an introduction on (``allowed`` minus places)."""
    themes: tuple[str, ...]
    theme_index: Mapping[str, int]
    assets: MaskArray
    needs: MaskArray
    asset_holders: Mapping[str, IntArray]
    area_label: IntArray
    areas: tuple[str, ...]
    area_members: Mapping[int, IntArray]
    membership: IntArray
    community_sizes: IntArray
    community_ties: sp.csr_matrix
    community_has_help: BoolArray
    modularity: float
    components: IntArray
    component_sizes: IntArray
    isolated: BoolArray
    neighbourhood: BoolArray
    help: BoolArray
    covered: MaskArray
    """Per actor, the themes it or one of its direct contacts offers."""
    unmet: MaskArray
    """Per actor, its needs that nobody offers within ``NEED_REACH`` steps (its own assets
    count), as in the ``unmet_need`` gap of :mod:`netwerk.analysis.gaps`."""
    overloaded: BoolArray
    overload_threshold: int
    betweenness_used: bool

    @property
    def n(self) -> int:
        return self.snapshot.n

    def mask_of(self, themes: Iterable[str]) -> MaskArray:
        """A ``(words,)`` mask of the known themes among ``themes`` (unknown ones: no bit)."""
        out = np.zeros(self.assets.shape[1], dtype=np.uint64)
        for t in themes:
            i = self.theme_index.get(t)
            if i is not None:
                out[i // 64] |= np.uint64(1) << np.uint64(i % 64)
        return out

    def themes_of(self, mask: MaskArray) -> tuple[str, ...]:
        out: list[str] = []
        for w, word in enumerate(mask.tolist()):
            word = int(word)
            while word:
                low = word & -word
                i = w * 64 + low.bit_length() - 1
                out.append(self.themes[i])
                word ^= low
        return tuple(sorted(out))

    def holders(self, mask: MaskArray) -> IntArray:
        """Actors offering any theme of ``mask``."""
        parts = [self.asset_holders[t] for t in self.themes_of(mask)]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(parts))

    def same_area(self, v: int) -> IntArray:
        label = int(self.area_label[v])
        if label < 0:
            return np.zeros(0, dtype=np.int64)
        return self.area_members.get(label, np.zeros(0, dtype=np.int64))


def _theme_masks(
    values: tuple[frozenset[str], ...], index: Mapping[str, int], words: int
) -> MaskArray:
    out = np.zeros((len(values), words), dtype=np.uint64)
    one = np.uint64(1)
    memo: dict[frozenset[str], npt.NDArray[np.uint64]] = {}
    for v, themes in enumerate(values):
        if not themes:
            continue
        row = memo.get(themes)
        if row is None:
            row = np.zeros(words, dtype=np.uint64)
            for t in themes:
                i = index[t]
                row[i // 64] |= one << np.uint64(i % 64)
            memo[themes] = row
        out[v] = row
    return out


def _pair_features(s: Snapshot) -> tuple[PairFeatures, IntArray, tuple[str, ...]]:
    n = s.n
    labels: dict[str, int] = {}
    area = np.fromiter(
        (labels.setdefault(a.strip().lower(), len(labels)) if a else -1 for a in s.area),
        dtype=np.int64,
        count=n,
    )
    names = [""] * len(labels)
    for a in s.area:
        if a:
            names[labels[a.strip().lower()]] = a
    langs: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for v, spoken in enumerate(s.languages):
        for lang in spoken:
            rows.append(v)
            cols.append(langs.setdefault(lang, len(langs)))
    language = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(langs), 1)))
    e = s.edge_array
    group = s.kind_mask(*GROUP_KINDS)
    if len(e):
        to_b = group[e[:, 1]]
        to_a = group[e[:, 0]]
        r = np.concatenate([e[to_b, 0], e[to_a, 1]])
        c = np.concatenate([e[to_b, 1], e[to_a, 0]])
    else:
        r = c = np.zeros(0, dtype=np.int64)
    place = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(n, n))
    place.sum_duplicates()
    features = PairFeatures(
        labels={"same_area": area},
        memberships={"shared_language": language, "shared_place": place},
    )
    return features, area, tuple(names)


def _overloaded(s: Snapshot, seed: int) -> tuple[BoolArray, int, bool]:
    deg = s.degree
    person = s.is_person
    tied = person & (deg > 0)
    if not tied.any():
        return np.zeros(s.n, dtype=bool), OVERLOAD_MIN_DEGREE, False
    threshold = max(OVERLOAD_MIN_DEGREE, int(np.ceil(np.quantile(deg[tied], OVERLOAD_QUANTILE))))
    out = person & (deg >= threshold)
    used = False
    if s.n <= EXACT_BETWEENNESS_MAX and s.m:
        from netwerk.analysis import centrality

        bc = cache.cached_for(
            s,
            "scores",
            {"measure": "betweenness"},
            lambda: centrality.scores(s, "betweenness", exact_max=EXACT_BETWEENNESS_MAX),
        ).values
        cut = float(np.quantile(bc[tied], OVERLOAD_QUANTILE))
        out |= person & (deg >= OVERLOAD_MIN_DEGREE) & (bc >= cut) & (bc > 0)
        used = True
    return out, threshold, used


def build_context(snapshot: Snapshot, *, seed: int = 0) -> SuggestContext:
    """Compute the :class:`SuggestContext` of ``snapshot`` (use :func:`suggest_context`)."""
    s = snapshot
    n = s.n
    features, area_label, area_names = _pair_features(s)
    fitted = FeasibilityModel().fit(s.graph, seed=seed, extra=features)

    kinds = s.kind
    allowed = np.fromiter(
        (may_be_suggested(k, c) for k, c in zip(kinds, s.consent, strict=True)),
        dtype=bool,
        count=n,
    )
    passable = allowed & ~s.kind_mask("place")

    vocab = sorted(set().union(*s.assets, *s.needs)) if n else []
    theme_index = {t: i for i, t in enumerate(vocab)}
    words = max(1, (len(vocab) + 63) // 64)
    assets = _theme_masks(s.assets, theme_index, words)
    needs = _theme_masks(s.needs, theme_index, words)
    holders_lists: dict[str, list[int]] = {t: [] for t in vocab}
    for v, offered in enumerate(s.assets):
        for t in offered:
            holders_lists[t].append(v)
    asset_holders = {t: np.asarray(vs, dtype=np.int64) for t, vs in holders_lists.items()}
    order = np.argsort(area_label, kind="stable")
    sorted_labels = area_label[order]
    starts = np.searchsorted(sorted_labels, np.arange(len(area_names)), side="left")
    ends = np.searchsorted(sorted_labels, np.arange(len(area_names)), side="right")
    area_members = {
        i: np.sort(order[a:b]).astype(np.int64)
        for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
    }

    part: Partition = cache.cached_for(
        s,
        "partition",
        {"seed": seed, "resolution": 1.0},
        lambda: partition(s, seed=seed, resolution=1.0),
    )
    if part.membership.size != n:  # a hand-made snapshot reusing another's network/revision
        part = partition(s, seed=seed, resolution=1.0)
    memb = part.membership
    k = max(part.count, 1)
    e = s.edge_array
    if len(e):
        ca, cb = memb[e[:, 0]], memb[e[:, 1]]
        cross = ca != cb
        ties = sp.csr_matrix((np.ones(int(cross.sum())), (ca[cross], cb[cross])), shape=(k, k))
        ties = sp.csr_matrix(ties + ties.T)
        ties.sum_duplicates()
    else:
        ties = sp.csr_matrix((k, k))
    help_mask = s.kind_mask(*HELP)
    has_help = helped_communities(s, memb, k)

    comps = s.components
    comp_sizes = np.bincount(comps, minlength=1).astype(np.int64) if n else np.zeros(0, np.int64)

    adj = s.adjacency
    isolated = isolated_mask(s)

    covered = assets.copy()
    if len(adj.indices):
        rows = np.flatnonzero(np.diff(adj.indptr) > 0)
        covered[rows] |= np.bitwise_or.reduceat(assets[adj.indices], adj.indptr[rows], axis=0)
    unmet = needs.copy()
    for t, holders in asset_holders.items():
        i = theme_index[t]
        bit = np.uint64(1) << np.uint64(i % 64)
        has_need = (needs[:, i // 64] & bit) != 0
        if not has_need.any():
            continue
        near = bfs_levels(s, holders, NEED_REACH) >= 0
        unmet[has_need & near, i // 64] &= ~bit
    overloaded, threshold, used = _overloaded(s, seed)
    return SuggestContext(
        snapshot=s,
        seed=seed,
        fitted=fitted,
        allowed=allowed,
        passable=passable,
        themes=tuple(vocab),
        theme_index=theme_index,
        assets=assets,
        needs=needs,
        asset_holders=asset_holders,
        area_label=area_label,
        areas=area_names,
        area_members=area_members,
        membership=memb,
        community_sizes=part.sizes.astype(np.int64),
        community_ties=ties,
        community_has_help=has_help,
        modularity=float(part.modularity),
        components=comps,
        component_sizes=comp_sizes,
        isolated=isolated,
        neighbourhood=s.kind_mask(*sorted(NEIGHBOURHOOD_KINDS)),
        help=help_mask,
        covered=covered,
        unmet=unmet,
        overloaded=overloaded,
        overload_threshold=threshold,
        betweenness_used=used,
    )


def suggest_context(snapshot: Snapshot, *, seed: int = 0) -> SuggestContext:
    """The cached :class:`SuggestContext` of ``snapshot`` (built once per revision and seed)."""
    return cache.cached_for(
        snapshot, "suggest.context", {"seed": seed}, lambda: build_context(snapshot, seed=seed)
    )
