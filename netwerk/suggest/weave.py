"""Network weaving: the introductions that would close the largest structural holes.

Method
------
Krebs & Holley (2006) describe the network weaver who deliberately introduces people across
the gaps of a neighbourhood network, moving it from scattered fragments towards a connected,
multi-hub network. The holes considered here (Burt 1992) are

* ``components``: a part of the network with no path to the largest part (the unreached);
* ``communities``: two Leiden communities (>= 3 actors each) joined by a single tie, or by
  none while sharing their main area;
* ``help``: a community (>= 3 actors) with no tie to any organisation, initiative,
  professional or key figure.

For each hole (largest first, at most ``limit`` per kind) the introduction is chosen among a
few anchors on each side — the best-connected actors that may be named (consent ``given``, or
not a person) — and candidate partners on the other side (help that offers what the side
asks for, same area, key figures and initiatives first) by the feasibility of
:mod:`netwerk.suggest.feasibility` times ``1 + need matches``. Then the *gain if made* is
measured, by adding the tie:

* ``components_joined``: how many components become one (0 or 1);
* ``persons_reaching_help``: persons who have no help (organisation, initiative,
  professional or key figure) within three steps now and would have after;
* ``efficiency_change``: the change in global efficiency
  ``E = 1 / (n (n - 1)) * sum over ordered pairs of 1 / d(i, j)`` (Latora & Marchiori 2001),
  the measure of how well the whole network exchanges, and of its holes. It is *exact* on
  networks of at most ``exact_max`` actors (all-pairs distances; only pairs whose distance
  can shrink are recomputed). On larger networks it is *estimated* from ``samples`` source
  actors drawn uniformly without replacement (the mean over sources of the change of their
  row sum; unbiased), with a 95% half-width from the sample variance and the
  finite-population correction. ``efficiency_exact`` says which.

Introductions are ranked by ``efficiency_change / E + persons_reaching_help / persons``
(both shares of the whole), then by feasibility. When the network has learned weights from
its outcomes (:mod:`.learning`), the partner's feasibility is the learned one (scaled
log-odds plus the learned attribute and key-figure terms), a need match counts with the
learned ``need_match`` multiplier, and a hole's gain is multiplied by the learned multiplier
of the value term it stands for (``joins_components``, ``bridges_communities``,
``first_help``); the provenance says which weights ranked the list. Pairs excluded by a
broker (do-not-suggest, a recent decision) are skipped; a hole where nobody may be named is
counted in ``holes_without_consent`` rather than proposed.

Complexity: candidate choice O(n + m + holes * anchors * partners) feasibility pairs; per
evaluated introduction two breadth-first searches (O(n + m)) and, exact, O(|A| |B|) for the
rows A and columns B whose distances can shrink; estimated, O(samples * n). The all-pairs
distances (exact) or the sample's distances (estimated) are computed once per snapshot and
cached.

References
----------
Krebs V., Holley J. (2006) Building smart communities through network weaving.
http://www.orgnet.com/BuildingNetworks.pdf
Burt R.S. (1992) Structural Holes. Harvard University Press. ISBN 0674843711.
Latora V., Marchiori M. (2001) Efficient behavior of small-world networks. Phys Rev Lett
87(19):198701. doi:10.1103/PhysRevLett.87.198701.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk import cache
from netwerk.analysis.records import ActorRef, Provenance, actor_ref, provenance
from netwerk.graph import IntArray, Snapshot, bfs_levels, require_lang
from netwerk.i18n import text
from netwerk.suggest.codes import value_sentence
from netwerk.suggest.context import MIN_COMMUNITY, SuggestContext, popcount, suggest_context
from netwerk.suggest.efficiency import Distances, distances, efficiency_change
from netwerk.suggest.exclusions import Exclusions
from netwerk.suggest.learning import PRIOR, LearnedWeights
from netwerk.suggest.paths import introduction, reach
from netwerk.suggest.records import Introduction, Reason, check_limit, rounded
from netwerk.suggest.suggestions import feasibility_reasons
from netwerk.suggest.value import key_figure_contact, learned_logodds
from netwerk.words import say

__all__ = ["EXACT_MAX", "WeaveGain", "WeaveIntroduction", "WeaveList", "weave"]


EXACT_MAX = 2_500
SAMPLES = 64
ANCHORS = 3
PARTNERS = 8
HELP_REACH = 3
MAX_LIMIT = 50
HOLES = ("components", "communities", "help")
#: The value term each kind of hole stands for: its learned multiplier weighs the hole's gain.
HOLE_CODES = {
    "components": "joins_components",
    "communities": "bridges_communities",
    "help": "first_help",
}
REFERENCES = (
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
    "Burt R.S. (1992) Structural Holes, ISBN 0674843711",
    "Latora V., Marchiori M. (2001) doi:10.1103/PhysRevLett.87.198701",
)


@dataclass(frozen=True)
class WeaveGain:
    """The measured gain if the introduction is made (see the module doc)."""

    components_joined: int
    persons_reaching_help: int
    efficiency_before: float
    efficiency_after: float
    efficiency_change: float
    efficiency_exact: bool
    efficiency_half_width: float | None


@dataclass(frozen=True)
class WeaveIntroduction:
    rank: int
    a: ActorRef
    b: ActorRef
    hole: str
    communities: tuple[int, int]
    score: float
    feasibility: float
    gain: WeaveGain
    reasons: tuple[Reason, ...]
    introduction: Introduction
    sentence: str
    id: str | None = None
    """The stored impression's id (set when the API shows it); feedback refers to it."""


@dataclass(frozen=True)
class WeaveList:
    introductions: tuple[WeaveIntroduction, ...]
    efficiency: float
    efficiency_exact: bool
    components: int
    communities: int
    holes_considered: dict[str, int]
    holes_without_consent: int
    provenance: Provenance


# --------------------------------------------------------------------------- holes


@dataclass(frozen=True)
class _Hole:
    kind: str
    side_a: IntArray  # members of the hole's side that needs the tie
    side_b: IntArray | None  # the other side (None: help anywhere)
    size: int


def _anchors(ctx: SuggestContext, members: IntArray) -> IntArray:
    """The best-connected members who may be named: persons when there are any (weaving
    introduces people), else initiatives and organisations; not an overloaded key figure
    when someone else can (spreading the load, Krebs & Holley's multi-hub stage)."""
    s = ctx.snapshot
    ok = members[ctx.passable[members]]
    persons = ok[s.is_person[ok]]
    if persons.size:
        ok = persons
    spare = ok[~ctx.overloaded[ok]]
    if spare.size:
        ok = spare
    if ok.size == 0:
        return ok
    deg = ctx.snapshot.degree[ok]
    order = np.lexsort((ok, -deg))
    return ok[order[:ANCHORS]]


def _partners(
    ctx: SuggestContext,
    anchors: IntArray,
    pool: IntArray,
    needs_mask: npt.NDArray[np.uint64],
    want_help: bool,
) -> IntArray:
    s = ctx.snapshot
    pool = pool[ctx.allowed[pool] & ~ctx.overloaded[pool]]
    if pool.size == 0:
        return pool
    offers = popcount(ctx.assets[pool] & needs_mask) > 0
    labels = ctx.area_label[anchors]
    same = np.isin(ctx.area_label[pool], labels[labels >= 0])
    helpish = ctx.help[pool] | s.kind_mask("initiative")[pool]
    prior = (
        1.0 * offers
        + 0.5 * same
        + (1.0 if want_help else 0.3) * helpish
        + 0.2 * ctx.neighbourhood[pool]
        + 0.3 * s.is_person[pool]
        + 0.01 * np.log1p(s.degree[pool])
    )
    if want_help:
        prior = np.where(ctx.help[pool], prior, -1.0)
        keep = prior >= 0
        pool, prior = pool[keep], prior[keep]
    order = np.lexsort((pool, -prior))
    return pool[order[:PARTNERS]]


def _holes(ctx: SuggestContext, limit: int) -> tuple[list[_Hole], dict[str, int]]:
    s = ctx.snapshot
    n = s.n
    holes: list[_Hole] = []
    counts = dict.fromkeys(HOLES, 0)
    if n == 0:
        return holes, counts
    comps = ctx.components
    sizes = ctx.component_sizes
    giant = int(np.argmax(sizes))
    giant_members = np.flatnonzero(comps == giant)
    order = np.lexsort((np.arange(sizes.size), -sizes))
    others = [int(c) for c in order.tolist() if c != giant]
    counts["components"] = len(others)
    members_of: dict[int, IntArray] = {}
    if others:
        sort = np.argsort(comps, kind="stable")
        bounds = np.searchsorted(comps[sort], np.arange(sizes.size + 1))
        for c in others:
            members_of[c] = sort[bounds[c] : bounds[c + 1]]
    taken = 0
    for c in others:
        if taken >= limit:
            break
        mem = members_of[c]
        if not (ctx.allowed[mem] & ~s.kind_mask("place")[mem]).any():
            continue
        holes.append(_Hole("components", mem, giant_members, int(sizes[c])))
        taken += 1

    memb = ctx.membership
    csizes = ctx.community_sizes
    big = np.flatnonzero(csizes >= MIN_COMMUNITY)
    sort = np.argsort(memb, kind="stable")
    bounds = np.searchsorted(memb[sort], np.arange(csizes.size + 1))

    def members(c: int) -> IntArray:
        return sort[bounds[c] : bounds[c + 1]]

    # main area per community (by label), for unlinked pairs in one area
    main_area: dict[int, int] = {}
    for c in big.tolist():
        labels = ctx.area_label[members(c)]
        labels = labels[labels >= 0]
        main_area[c] = int(np.bincount(labels).argmax()) if labels.size else -1
    ties = ctx.community_ties
    pairs: list[tuple[int, int, int]] = []
    big_set = set(big.tolist())
    coo = sp.triu(ties, k=1).tocoo()
    linked: set[tuple[int, int]] = set()
    for a, b, t in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        linked.add((a, b))
        if t == 1 and a in big_set and b in big_set:
            pairs.append((min(csizes[a], csizes[b]), a, b))
    by_area: dict[int, list[int]] = {}
    for c, lab in main_area.items():
        if lab >= 0:
            by_area.setdefault(lab, []).append(c)
    for group in by_area.values():
        group.sort()
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a, b) not in linked and comps[members(a)[0]] == comps[members(b)[0]]:
                    pairs.append((min(csizes[a], csizes[b]), a, b))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    counts["communities"] = len(pairs)
    for _, a, b in pairs[:limit]:
        holes.append(_Hole("communities", members(a), members(b), int(csizes[a] + csizes[b])))

    lacking = [
        int(c)
        for c in big.tolist()
        if not ctx.community_has_help[c] and comps[members(int(c))[0]] == giant
    ]
    lacking.sort(key=lambda c: (-int(csizes[c]), c))
    counts["help"] = len(lacking)
    for c in lacking[:limit]:
        holes.append(_Hole("help", members(c), None, int(csizes[c])))
    return holes, counts


_Chosen = tuple[_Hole, int, int, float]  # the hole, the pair, the pair's feasibility
_Scored = tuple[float, float, int, int, _Hole, WeaveGain]  # score, feasibility, a, b, ...


def _best_pair(
    ctx: SuggestContext,
    anchors: IntArray,
    partners: IntArray,
    needs_mask: npt.NDArray[np.uint64],
    allowed: Callable[[int, int], bool],
    lw: LearnedWeights,
) -> tuple[float, float, int, int] | None:
    """The (value, feasibility, anchor, partner) with the highest feasibility times
    ``1 + need matches`` (learned weights), then feasibility, then the lowest vertices."""
    best: tuple[float, float, int, int] | None = None
    for a in anchors.tolist():
        ok = np.asarray([b for b in partners.tolist() if allowed(a, b)], dtype=np.int64)
        if ok.size == 0:
            continue
        ps = ctx.fitted.explain_many(a, ok)
        kf = key_figure_contact(ctx, a) if lw.source != "prior" else None
        feas = 1.0 / (1.0 + np.exp(-np.clip(learned_logodds(ps, lw, kf), -35, 35)))
        match = popcount(ctx.assets[ok] & needs_mask)
        val = feas * (1.0 + np.minimum(match, 3) * lw.value.get("need_match", 1.0))
        for j in range(ok.size):
            key = (float(val[j]), float(feas[j]), -a, -int(ok[j]))
            if best is None or key > (best[0], best[1], -best[2], -best[3]):
                best = (float(val[j]), float(feas[j]), a, int(ok[j]))
    return best


def _choose(
    ctx: SuggestContext, holes: list[_Hole], excl: Exclusions, lw: LearnedWeights
) -> tuple[list[_Chosen], int]:
    """One introduction per hole (anchors on its side, partners on the other), and how many
    holes had nobody who may be named."""
    s = ctx.snapshot
    without_consent = 0
    chosen: list[_Chosen] = []
    seen: set[tuple[int, int]] = set()

    def allowed(a: int, b: int) -> bool:
        return excl.excluded(s.ids[a], s.ids[b]) is None and (min(a, b), max(a, b)) not in seen

    for hole in holes:
        anchors = _anchors(ctx, hole.side_a)
        if anchors.size == 0:
            without_consent += 1
            continue
        needs_mask = np.bitwise_or.reduce(ctx.needs[hole.side_a], axis=0)
        if hole.kind == "help":
            pool = np.flatnonzero(ctx.help & (ctx.components == ctx.components[anchors[0]]))
            pool = np.setdiff1d(pool, hole.side_a)
        else:
            assert hole.side_b is not None
            pool = hole.side_b
        partners = _partners(ctx, anchors, pool, needs_mask, hole.kind == "help")
        if partners.size == 0:
            without_consent += 1
            continue
        best = _best_pair(ctx, anchors, partners, needs_mask, allowed, lw)
        if best is None:
            continue
        _, feas_best, a, b = best
        seen.add((min(a, b), max(a, b)))
        chosen.append((hole, a, b, feas_best))
    return chosen, without_consent


def _gains(
    ctx: SuggestContext, dist: Distances, chosen: list[_Chosen], lw: LearnedWeights
) -> list[_Scored]:
    """The measured gain of each chosen introduction, ranked (module doc)."""
    s = ctx.snapshot
    persons = max(int(s.is_person.sum()), 1)
    scored: list[_Scored] = []
    for hole, a, b, feas_ab in chosen:
        change, hw = efficiency_change(s, dist, a, b)
        joined = int(ctx.components[a] != ctx.components[b])
        newly = _newly_reaching_help(ctx, a, b)
        gain = WeaveGain(
            components_joined=joined,
            persons_reaching_help=newly,
            efficiency_before=rounded(dist.efficiency, 6),
            efficiency_after=rounded(dist.efficiency + change, 6),
            efficiency_change=rounded(change, 8),
            efficiency_exact=dist.exact,
            efficiency_half_width=None if hw is None else rounded(hw, 8),
        )
        rel = change / dist.efficiency if dist.efficiency > 0 else change
        score = (rel + newly / persons) * lw.value.get(HOLE_CODES[hole.kind], 1.0)
        scored.append((score, feas_ab, a, b, hole, gain))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2], x[3]))
    return scored


# --------------------------------------------------------------------------- main


def _help_distance(ctx: SuggestContext) -> npt.NDArray[np.int32]:
    s = ctx.snapshot
    return cache.cached_for(
        s,
        "suggest.help_distance",
        {"reach": HELP_REACH},
        lambda: bfs_levels(s, np.flatnonzero(ctx.help), HELP_REACH),
    )


def _newly_reaching_help(ctx: SuggestContext, u: int, v: int) -> int:
    s = ctx.snapshot
    dh = _help_distance(ctx)
    new = np.zeros(s.n, dtype=bool)
    for x, y in ((u, v), (v, u)):
        if dh[y] < 0 or dh[y] + 1 > HELP_REACH:
            continue
        depth = HELP_REACH - 1 - int(dh[y])
        lv = bfs_levels(s, [x], depth)
        new |= lv >= 0
    return int((new & (dh < 0) & s.is_person).sum())


def weave(
    snapshot: Snapshot,
    *,
    limit: int = 10,
    lang: str = "nl",
    seed: int = 0,
    exclusions: Exclusions | None = None,
    exact_max: int = EXACT_MAX,
    samples: int = SAMPLES,
    context: SuggestContext | None = None,
    learned: LearnedWeights | None = None,
) -> WeaveList:
    """Network-level introductions that close the largest structural holes (module doc).

    ``learned`` are the weights the network learned from its outcomes (default the prior).

    Raises
    ------
    ValidationFailed
        A bad parameter (the field is named).
    """
    require_lang(lang)
    check_limit(limit, "limit", MAX_LIMIT)
    check_limit(samples, "samples", 10_000)
    s = snapshot
    ctx = context if context is not None else suggest_context(s, seed=seed)
    excl = exclusions or Exclusions.none()
    lw = learned or PRIOR
    dist = cache.cached_for(
        s,
        "suggest.efficiency",
        {"exact_max": exact_max, "samples": samples, "seed": seed},
        lambda: distances(s, exact_max, samples, seed),
    )
    holes, counts = _holes(ctx, limit)
    chosen, without_consent = _choose(ctx, holes, excl, lw)
    scored = _gains(ctx, dist, chosen, lw)
    out: list[WeaveIntroduction] = []
    for rank, (score, feas_ab, a, b, hole, gain) in enumerate(scored[:limit], start=1):
        r = reach(s, np.array([a], dtype=np.int64), 2, ctx.passable)
        intro = introduction(ctx, a, b, r, 3, lang)
        reasons = _reasons(ctx, a, b, hole, gain, lang)
        ca, cb = int(ctx.membership[a]), int(ctx.membership[b])
        out.append(
            WeaveIntroduction(
                rank=rank,
                a=actor_ref(s, a),
                b=actor_ref(s, b),
                hole=hole.kind,
                communities=(ca, cb),
                score=rounded(score, 8),
                feasibility=rounded(feas_ab, 6),
                gain=gain,
                reasons=tuple(reasons),
                introduction=intro,
                sentence=f"{reasons[0].sentence} {intro.sentence}",
            )
        )
    return WeaveList(
        introductions=tuple(out),
        efficiency=rounded(dist.efficiency, 6),
        efficiency_exact=dist.exact,
        components=int(ctx.component_sizes.size),
        communities=int((ctx.community_sizes >= MIN_COMMUNITY).sum()),
        holes_considered=counts,
        holes_without_consent=without_consent,
        provenance=provenance(
            s,
            "network weaving: structural holes ranked by efficiency and help-reach gain",
            REFERENCES,
            {
                "limit": limit,
                "exact_max": exact_max,
                "samples": samples if not dist.exact else None,
                "help_reach": HELP_REACH,
                **lw.provenance(),
            },
            seed=seed,
            exact=dist.exact,
        ),
    )


def _reasons(
    ctx: SuggestContext, a: int, b: int, hole: _Hole, gain: WeaveGain, lang: str
) -> list[Reason]:
    out: list[Reason] = []
    if gain.components_joined:
        out.append(
            Reason(
                "joins_components",
                "gain",
                1.0,
                float(hole.size),
                (),
                say("reason.weave_joins_components", lang, count=hole.size),
            )
        )
    elif hole.kind == "communities":
        row = ctx.community_ties.getrow(int(ctx.membership[a]))
        between = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        count = int(between.get(int(ctx.membership[b]), 0))
        out.append(
            Reason(
                "bridges_communities",
                "gain",
                1.0,
                float(count),
                (),
                value_sentence("bridges_communities", lang, count=count),
            )
        )
    elif hole.kind == "help":
        out.append(
            Reason(
                "first_help",
                "gain",
                1.0,
                float(hole.size),
                (),
                value_sentence("first_help", lang, size=hole.size),
            )
        )
    pct = 100.0 * gain.efficiency_change / gain.efficiency_before if gain.efficiency_before else 0.0
    how = text("reason.computed_exactly" if gain.efficiency_exact else "reason.estimated", lang)
    out.append(
        Reason(
            "efficiency_gain",
            "gain",
            rounded(gain.efficiency_change, 8),
            rounded(pct, 3),
            (),
            say("reason.efficiency_gain", lang, change=pct, how=how),
        )
    )
    if gain.persons_reaching_help:
        k = gain.persons_reaching_help
        out.append(
            Reason(
                "help_within_reach",
                "gain",
                float(k),
                float(k),
                (),
                say("reason.help_within_reach", lang, count=k),
            )
        )
    ps = ctx.fitted.explain_many(a, np.array([b], dtype=np.int64))
    return out + feasibility_reasons(ps, 0, lang, top=2)
