"""Everything suggestions need about one snapshot, computed once and cached by revision.

:func:`suggest_context` returns a :class:`SuggestContext` for ``(network, revision, as_of,
seed)`` — or ``(network, revision, as_of, model)`` — from :func:`netwerk.cache.cached_for`,
so repeated requests on an unchanged network reuse the fitted feasibility model, the
communities and the per-actor flags.

Two parts (issue 12, *local*): what is learned and may lag behind the network, the
:class:`SuggestModel` (:func:`fit_model`: the feasibility weights and scales, the Leiden
partition kept by actor id, the overload threshold), fitted at some revision and refitted on
a schedule (:mod:`netwerk.suggest.kept`); and everything else, always of the snapshot at
hand (:func:`build_context`): the graph the feasibility is scored on (so a new tie counts in
its two ends' scores at once), consent, components, isolation, reach of the themes, the ties
between communities. When the snapshot was advanced from the previous one by the change log
(:attr:`netwerk.graph.Snapshot.advance`) and only ties changed, those are brought along from
the previous context (components merged, isolation and reach recomputed around the changed
ties only) instead of recomputed; a test checks the two give the same context. The context
holds:

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
* overloaded persons: degree (current) at least ``max(12, 99th percentile of persons)`` (the
  percentile of the model's revision) or, on networks small enough for exact betweenness
  (<= 5,000 actors), degree at least 12 and betweenness at the 99th percentile of persons at
  the model's revision (Freeman 1977; Brandes 2001);
* theme bit masks of assets and needs, the holders of each asset, the actors per area, and
  per actor its *unmet* needs: those no actor offers within three steps (as the
  ``unmet_need`` gap's bounded multi-source breadth-first search per theme finds them);
* consent: who may be proposed to others (``netwerk.privacy.may_be_suggested``) and who may
  pass an introduction on (the same, minus places).

Complexity: the model is dominated by fitting the feasibility model and the Leiden
partition, both about linear in the ties (seconds on 100,000 actors); the rest is O(n + m)
numpy work (tens of milliseconds on 100,000 actors), a few O(m) array passes when brought
along from the previous revision. The reach of the themes is one OR over the neighbours per
step for all themes at once (equal to the per-theme breadth-first search of the gap).

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

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk import cache
from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.gaps import helped_communities, isolated_mask
from netwerk.graph import Advance, BoolArray, IntArray, Snapshot
from netwerk.model import HELP_KINDS, NEIGHBOURHOOD_KINDS
from netwerk.privacy import may_be_suggested
from netwerk.suggest.feasibility import FeasibilityModel, FittedFeasibility, PairFeatures
from netwerk.suggest.linkpred import LinkGraph
from netwerk.suggest.spread import MaskArray as MaskArray
from netwerk.suggest.spread import (
    community_ties,
    components_of,
    isolated_again,
    joined,
    reach_again,
)
from netwerk.suggest.spread import reach as reach_levels

__all__ = [
    "MIN_COMMUNITY",
    "OVERLOAD_MIN_DEGREE",
    "SuggestContext",
    "SuggestModel",
    "build_context",
    "fit_model",
    "link_graph",
    "popcount",
    "suggest_context",
]


MIN_COMMUNITY = 3
"""Communities smaller than this count as loose actors, not as groups (as in the gaps)."""
OVERLOAD_MIN_DEGREE = 12
OVERLOAD_QUANTILE = 0.99
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
class SuggestModel:
    """What suggestions learn from a network and may lag behind it: the fitted feasibility
    weights and scales, the Leiden communities, the overload threshold (and, on small
    networks, who is overloaded by betweenness), all of the snapshot at ``revision``.
    Communities are kept by actor id, so they apply to a later snapshot whose vertices
    moved; an actor added since has no community (a loose actor of its own). Refitted on a
    schedule (:mod:`netwerk.suggest.kept`), not on every write."""

    network_id: str
    revision: int
    as_of: dt.date
    seed: int
    fitted: FittedFeasibility
    ids: tuple[str, ...]
    membership: IntArray
    """Community per actor of ``ids``."""
    modularity: float
    overload_threshold: int
    betweenness_overloaded: frozenset[str]
    """Actors overloaded by betweenness (networks small enough for exact betweenness)."""
    betweenness_used: bool
    fitted_at: float = field(default_factory=time.monotonic)
    """When it was fitted (``time.monotonic()``): its age counts for the schedule."""

    @cached_property
    def community_of(self) -> dict[str, int]:
        return dict(zip(self.ids, self.membership.tolist(), strict=True))

    def membership_on(self, s: Snapshot) -> IntArray:
        """The communities of ``s``'s actors (an actor added since: a community of its own,
        numbered after the model's)."""
        if s.ids is self.ids or (len(s.ids) == len(self.ids) and s.ids == self.ids):
            return self.membership
        known = self.community_of
        out = np.fromiter((known.get(a, -1) for a in s.ids), dtype=np.int64, count=s.n)
        new = np.flatnonzero(out < 0)
        k = int(self.membership.max()) + 1 if self.membership.size else 0
        out[new] = k + np.arange(new.size, dtype=np.int64)
        return out


@dataclass(frozen=True, eq=False)
class SuggestContext:
    """Per-snapshot building blocks of suggestions (see the module doc). Internal: arrays.

    The structure (the graph the feasibility is scored on, components, isolation, reach of
    the themes, consent) is the snapshot's own; the learned part comes from ``model``,
    fitted at ``model.revision`` (at most that revision, see :mod:`netwerk.suggest.kept`)."""

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
    model: SuggestModel | None = None
    reach: tuple[MaskArray, ...] = ()
    """The themes offered within 1, 2, ... ``NEED_REACH`` steps of each actor (``covered``
    is the first): kept to bring them along to the next revision."""
    language: sp.csr_matrix | None = None
    places: sp.csr_matrix | None = None
    """The ``shared_place`` memberships (:func:`_places`), kept for the next revision."""

    @property
    def model_revision(self) -> int:
        """The revision the learned part was fitted at."""
        return self.model.revision if self.model is not None else self.snapshot.revision

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


def _areas(s: Snapshot) -> tuple[IntArray, tuple[str, ...]]:
    labels: dict[str, int] = {}
    area = np.fromiter(
        (labels.setdefault(a.strip().lower(), len(labels)) if a else -1 for a in s.area),
        dtype=np.int64,
        count=s.n,
    )
    names = [""] * len(labels)
    for a in s.area:
        if a:
            names[labels[a.strip().lower()]] = a
    return area, tuple(names)


def _languages(s: Snapshot) -> sp.csr_matrix:
    langs: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for v, spoken in enumerate(s.languages):
        for lang in spoken:
            rows.append(v)
            cols.append(langs.setdefault(lang, len(langs)))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(s.n, max(len(langs), 1)))


def _places(s: Snapshot, a: sp.csr_matrix | None = None) -> sp.csr_matrix:
    """Vertex x vertex: 1 where the column is a place, initiative or organisation the row is
    tied to (shared places of a pair: the common such neighbours). The snapshot's compressed
    rows (or the same rows ``a``, whose index arrays are shared) with the other entries
    zeroed, O(m)."""
    if a is None:
        adj = s.adjacency
        a = sp.csr_matrix((np.ones(len(adj.indices)), adj.indices, adj.indptr), shape=(s.n, s.n))
    keep = s.kind_mask(*GROUP_KINDS)[a.indices]
    running = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    indptr = running[np.asarray(a.indptr, dtype=np.int64)]  # kept entries before each row
    indices = a.indices[keep]
    return sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(s.n, s.n))


def _features(area: IntArray, language: sp.csr_matrix, place: sp.csr_matrix) -> PairFeatures:
    return PairFeatures(
        labels={"same_area": area},
        memberships={"shared_language": language, "shared_place": place},
    )


def _pair_features(s: Snapshot) -> tuple[PairFeatures, IntArray, tuple[str, ...]]:
    area, names = _areas(s)
    return _features(area, _languages(s), _places(s)), area, names


def link_graph(s: Snapshot) -> LinkGraph:
    """The snapshot as a :class:`~.linkpred.LinkGraph` (from its compressed rows, O(n + m))."""
    adj = s.adjacency
    return LinkGraph.from_rows(adj.indptr, adj.indices, adj.weights, s.edge_array, s.weights)


def _betweenness_overloaded(s: Snapshot, threshold: int) -> tuple[frozenset[str], bool]:
    """On networks small enough for exact betweenness: the persons of degree at least
    :data:`OVERLOAD_MIN_DEGREE` with betweenness at the 99th percentile of tied persons."""
    deg = s.degree
    person = s.is_person
    tied = person & (deg > 0)
    if not (s.n <= EXACT_BETWEENNESS_MAX and s.m and tied.any()):
        return frozenset(), False
    from netwerk.analysis import centrality

    bc = cache.cached_for(
        s,
        "scores",
        {"measure": "betweenness"},
        lambda: centrality.scores(s, "betweenness", exact_max=EXACT_BETWEENNESS_MAX),
    ).values
    cut = float(np.quantile(bc[tied], OVERLOAD_QUANTILE))
    flagged = person & (deg >= OVERLOAD_MIN_DEGREE) & (bc >= cut) & (bc > 0)
    return frozenset(s.ids[v] for v in np.flatnonzero(flagged).tolist()), True


def _overload_threshold(s: Snapshot) -> int:
    deg = s.degree
    tied = s.is_person & (deg > 0)
    if not tied.any():
        return OVERLOAD_MIN_DEGREE
    return max(OVERLOAD_MIN_DEGREE, int(np.ceil(np.quantile(deg[tied], OVERLOAD_QUANTILE))))


def fit_model(snapshot: Snapshot, *, seed: int = 0) -> SuggestModel:
    """Fit the learned part of suggestions on ``snapshot`` (seconds on 100,000 actors): the
    feasibility model (:class:`~.feasibility.FeasibilityModel`, with the attribute
    features), the Leiden partition (cached with the analyses') and the overload figures."""
    s = snapshot
    features, _, _ = _pair_features(s)
    fitted = FeasibilityModel().fit(link_graph(s), seed=seed, extra=features)
    part: Partition = cache.cached_for(
        s,
        "partition",
        {"seed": seed, "resolution": 1.0},
        lambda: partition(s, seed=seed, resolution=1.0),
    )
    if part.membership.size != s.n:  # a hand-made snapshot reusing another's network/revision
        part = partition(s, seed=seed, resolution=1.0)
    threshold = _overload_threshold(s)
    flagged, used = _betweenness_overloaded(s, threshold)
    return SuggestModel(
        network_id=s.network_id,
        revision=s.revision,
        as_of=s.as_of,
        seed=seed,
        fitted=fitted,
        ids=s.ids,
        membership=np.asarray(part.membership, dtype=np.int64),
        modularity=float(part.modularity),
        overload_threshold=threshold,
        betweenness_overloaded=flagged,
        betweenness_used=used,
    )


def _linked(prev: SuggestContext | None, s: Snapshot) -> Advance | None:
    """The snapshot's advance from ``prev``'s snapshot, when ``prev`` can be brought along:
    no actor changed, none added or removed (only ties changed)."""
    adv = s.advance
    if (
        prev is None
        or adv is None
        or adv.base_revision != prev.snapshot.revision
        or adv.actors.size
        or len(adv.remap) != s.n
        or s.ids is not prev.snapshot.ids
    ):
        return None
    return adv


def build_context(
    snapshot: Snapshot,
    *,
    seed: int = 0,
    model: SuggestModel | None = None,
    previous: SuggestContext | None = None,
) -> SuggestContext:
    """Compute the :class:`SuggestContext` of ``snapshot`` (use :func:`suggest_context`):
    with ``model``'s learned part (default: fitted on ``snapshot`` with ``seed``), the rest
    from the snapshot. ``previous``, the context of the snapshot this one was advanced from
    by the change log, lets the parts that only ties change be brought along (components,
    isolation, reach of themes; with the same model also the ties between communities)
    instead of recomputed: the result is the same either way."""
    s = snapshot
    n = s.n
    if model is None:
        model = fit_model(s, seed=seed)
    adv = _linked(previous, s)
    same_model = previous is not None and previous.model is model
    adj = s.adjacency
    g = link_graph(s)
    if adv is not None and previous is not None:
        p = previous
        allowed, passable = p.allowed, p.passable
        vocab, theme_index = p.themes, p.theme_index
        assets, needs, asset_holders = p.assets, p.needs, p.asset_holders
        area_label, area_names, area_members = p.area_label, p.areas, p.area_members
        language = p.language if p.language is not None else _languages(s)
        help_mask, neighbourhood = p.help, p.neighbourhood
    else:
        kinds = s.kind
        memo: dict[tuple[str, str | None], bool] = {}
        allowed = np.fromiter(
            (
                memo[kc] if kc in memo else memo.setdefault(kc, may_be_suggested(*kc))
                for kc in zip(kinds, s.consent, strict=True)
            ),
            dtype=bool,
            count=n,
        )
        passable = allowed & ~s.kind_mask("place")
        vocab = tuple(sorted(set().union(*s.assets, *s.needs))) if n else ()
        theme_index = {t: i for i, t in enumerate(vocab)}
        words = max(1, (len(vocab) + 63) // 64)
        assets = _theme_masks(s.assets, theme_index, words)
        needs = _theme_masks(s.needs, theme_index, words)
        asset_holders = {
            t: np.flatnonzero(assets[:, i // 64] & (np.uint64(1) << np.uint64(i % 64))).astype(
                np.int64
            )
            for t, i in theme_index.items()
        }
        area_label, area_names = _areas(s)
        order = np.argsort(area_label, kind="stable")
        sorted_labels = area_label[order]
        starts = np.searchsorted(sorted_labels, np.arange(len(area_names)), side="left")
        ends = np.searchsorted(sorted_labels, np.arange(len(area_names)), side="right")
        area_members = {
            i: np.sort(order[a:b]).astype(np.int64)
            for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
        }
        language = _languages(s)
        help_mask = s.kind_mask(*HELP)
        neighbourhood = s.kind_mask(*sorted(NEIGHBOURHOOD_KINDS))
    if adv is not None and previous is not None and same_model:
        memb, comm_sizes = previous.membership, previous.community_sizes
    else:
        memb = model.membership_on(s)
        comm_sizes = np.bincount(memb, minlength=int(memb.max()) + 1 if n else 0).astype(np.int64)
    # the same actors: only a changed tie to a place, initiative or organisation changes them
    reuse = (
        adv is not None
        and previous is not None
        and previous.places is not None
        and not s.kind_mask(*GROUP_KINDS)[adv.pairs].any()
    )
    places = previous.places if reuse and previous is not None else None
    if places is None:
        places = _places(s, g.a)
    fitted = model.fitted.on(g, _features(area_label, language, places))
    k = max(int(comm_sizes.size), 1)

    if adv is not None and previous is not None:
        p = previous
        ends_ = np.unique(adv.pairs.ravel())
        old_g = p.fitted.graph
        before = np.asarray(
            [old_g.a[u, v] != 0 for u, v in adv.pairs.tolist()], dtype=bool
        ).reshape(-1)
        after = np.asarray([g.a[u, v] != 0 for u, v in adv.pairs.tolist()], dtype=bool).reshape(-1)
        added, gone = adv.pairs[after & ~before], adv.pairs[before & ~after]
        if gone.size:
            comps = components_of(g.a)
            comp_sizes = np.bincount(comps, minlength=1).astype(np.int64)
        else:
            comps, comp_sizes = joined(p.components, p.component_sizes, added)
        if not same_model:  # a refitted model: its communities' tables afresh
            has_help = helped_communities(s, memb, k)
            ties = community_ties(s, memb, k)
        else:
            if gone.size:
                has_help = helped_communities(s, memb, k)
            else:
                has_help = p.community_has_help.copy()
                for u, v in added.tolist():
                    if help_mask[v]:
                        has_help[memb[u]] = True
                    if help_mask[u]:
                        has_help[memb[v]] = True
            ties = p.community_ties
            cross = [(int(memb[u]), int(memb[v]), +1.0) for u, v in added.tolist()]
            cross += [(int(memb[u]), int(memb[v]), -1.0) for u, v in gone.tolist()]
            cross = [(a, b, d) for a, b, d in cross if a != b]
            if cross:
                r = [a for a, _, _ in cross] + [b for _, b, _ in cross]
                c = [b for _, b, _ in cross] + [a for a, _, _ in cross]
                d = [x for _, _, x in cross] * 2
                ties = sp.csr_matrix(ties + sp.csr_matrix((d, (r, c)), shape=(k, k)))
                ties.eliminate_zeros()
        isolated = isolated_again(s, p.isolated, ends_)
        reach = reach_again(adj, assets, p.reach, ends_)
    else:
        comps = components_of(g.a)
        comp_sizes = np.bincount(comps, minlength=1).astype(np.int64) if n else comps
        has_help = helped_communities(s, memb, k)
        ties = community_ties(s, memb, k)
        isolated = isolated_mask(s)
        reach = reach_levels(adj, assets)
    covered = reach[0]
    unmet = needs & ~reach[-1]
    overloaded = s.is_person & (s.degree >= model.overload_threshold)
    if model.betweenness_overloaded:
        flagged = [s.index[a] for a in model.betweenness_overloaded if a in s.index]
        overloaded[np.asarray(flagged, dtype=np.int64)] = True
    return SuggestContext(
        snapshot=s,
        seed=model.seed,
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
        community_sizes=comm_sizes,
        community_ties=ties,
        community_has_help=has_help,
        modularity=model.modularity,
        components=comps,
        component_sizes=comp_sizes,
        isolated=isolated,
        neighbourhood=neighbourhood,
        help=help_mask,
        covered=covered,
        unmet=unmet,
        overloaded=overloaded,
        overload_threshold=model.overload_threshold,
        betweenness_used=model.betweenness_used,
        model=model,
        reach=reach,
        language=language,
        places=places,
    )


def suggest_context(
    snapshot: Snapshot,
    *,
    seed: int = 0,
    model: SuggestModel | None = None,
    previous: SuggestContext | None = None,
) -> SuggestContext:
    """The cached :class:`SuggestContext` of ``snapshot`` (built once per revision and seed,
    or with ``model``: once per revision and model)."""
    if model is None:
        return cache.cached_for(
            snapshot, "suggest.context", {"seed": seed}, lambda: build_context(snapshot, seed=seed)
        )
    return cache.cached_for(
        snapshot,
        "suggest.context",
        {"seed": model.seed, "model": model.revision, "fitted_at": model.fitted_at},
        lambda: build_context(snapshot, model=model, previous=previous),
    )
