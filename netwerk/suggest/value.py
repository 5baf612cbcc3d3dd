"""The value terms of a suggestion, the value-driven candidates beyond reach, and how value and
feasibility combine into the score (the method is described in
:mod:`netwerk.suggest.suggestions`, whose ranking uses them).

:class:`ValueWeights` holds the prior weights; the learned multipliers of
:mod:`netwerk.suggest.learning` scale the value terms and re-weight the feasibility log-odds in
:func:`score`. Complexity: O(k) numpy work for k candidates (bit masks of themes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.graph import BoolArray, FloatArray, IntArray
from netwerk.suggest.codes import VALUE_CODES
from netwerk.suggest.context import MIN_COMMUNITY, MaskArray, SuggestContext, popcount
from netwerk.suggest.feasibility import PairScores
from netwerk.suggest.learning import ATTRIBUTE_TERMS, PRIOR, LearnedWeights
from netwerk.suggest.records import rounded

__all__ = [
    "BRIDGE_MAX_TIES",
    "COL",
    "OUTSIDE_CAP",
    "Source",
    "ValueWeights",
    "Values",
    "key_figure_contact",
    "learned_logodds",
    "outside",
    "score",
    "source",
    "terms",
    "values",
]


BRIDGE_MAX_TIES = 3
OUTSIDE_CAP = 8
COL = {c: i for i, c in enumerate(VALUE_CODES)}


@dataclass(frozen=True)
class ValueWeights:
    """Weights of the value terms and the two constants of the score (module doc)."""

    need_match: float = 1.0
    offer_match: float = 0.6
    ends_isolation: float = 1.0
    ends_isolation_target: float = 0.6
    joins_components: float = 0.8
    bridges_communities: float = 0.5
    first_help: float = 0.8
    relieves_key_figure: float = 0.6
    extra_theme: float = 0.25
    gap_bonus: float = 0.5
    already_covered: float = 0.4
    base: float = 0.1
    feasibility_floor: float = 0.2
    feasibility_power: float = 1.0


@dataclass(frozen=True, eq=False)
class Source:
    """What the value terms need to know about the source."""

    u: int
    wanted: MaskArray
    offered: MaskArray
    relief: MaskArray
    relief_degree: int
    leaned_on: IntArray


def source(ctx: SuggestContext, u: int, themes: Sequence[str]) -> Source:
    if themes:
        asked = ctx.mask_of(themes)
        wanted = asked
        offered = ctx.assets[u] & asked
    else:
        wanted = ctx.needs[u].copy()
        offered = ctx.assets[u].copy()
    nbrs = ctx.snapshot.adjacency.neighbours(u)
    heavy = nbrs[ctx.overloaded[nbrs]]
    leaned: list[int] = []
    helpers = nbrs[ctx.help[nbrs]]
    for k in heavy.tolist():
        offers = bool((ctx.assets[k] & wanted).any())
        only_help = helpers.size == 1 and int(helpers[0]) == k
        if offers or only_help:
            leaned.append(k)
    relief = np.zeros_like(wanted)
    degree = 0
    if leaned:
        for k in leaned:
            relief |= ctx.assets[k]
            degree = max(degree, int(ctx.snapshot.degree[k]))
        if (relief & wanted).any():
            relief &= wanted
    return Source(u, wanted, offered, relief, degree, np.asarray(leaned, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Values:
    contributions: FloatArray  # (k, len(VALUE_CODES))
    need_count: IntArray
    offer_count: IntArray
    ties_between: FloatArray
    reverse_isolation: BoolArray
    reverse_help: BoolArray


def _novelty(
    matched: MaskArray, unmet: MaskArray, covered: MaskArray, w: ValueWeights
) -> FloatArray:
    """Per row: 1 + gap bonus when a matched theme is an unmet need (nobody offers it within
    three steps), 1 when it is not yet offered by a direct contact, else ``already_covered``."""
    gap = popcount(matched & unmet) > 0
    new = popcount(matched & ~covered) > 0
    return np.where(gap, 1.0 + w.gap_bonus, np.where(new, 1.0, w.already_covered))


def values(ctx: SuggestContext, src: Source, t: IntArray, w: ValueWeights) -> Values:
    k = t.size
    u = src.u
    c = np.zeros((k, len(VALUE_CODES)))
    gives = ctx.assets[t] & src.wanted
    need = popcount(gives)
    asks = ctx.needs[t] & src.offered
    offer = popcount(asks)
    c[:, COL["need_match"]] = np.where(
        need > 0,
        w.need_match * _novelty(gives, ctx.unmet[u], ctx.covered[u], w)
        + w.extra_theme * (np.minimum(need, 4) - 1),
        0.0,
    )
    c[:, COL["offer_match"]] = np.where(
        offer > 0,
        w.offer_match * _novelty(asks, ctx.unmet[t], ctx.covered[t], w)
        + w.extra_theme * (np.minimum(offer, 4) - 1),
        0.0,
    )
    iso_src = bool(ctx.isolated[u]) & ctx.neighbourhood[t]
    iso_tgt = ctx.isolated[t] & bool(ctx.neighbourhood[u])
    c[:, COL["ends_isolation"]] = np.where(
        iso_src, w.ends_isolation, np.where(iso_tgt, w.ends_isolation_target, 0.0)
    )
    other_component = ctx.components[t] != ctx.components[u]
    c[:, COL["joins_components"]] = np.where(other_component, w.joins_components, 0.0)

    memb = ctx.membership
    cu = int(memb[u])
    ct = memb[t]
    row = ctx.community_ties.getrow(cu)
    between = np.zeros(ctx.community_sizes.size)
    between[row.indices] = row.data
    ties = between[ct]
    sizes = ctx.community_sizes
    bridge = (
        (ct != cu)
        & ~other_component
        & (sizes[cu] >= MIN_COMMUNITY)
        & (sizes[ct] >= MIN_COMMUNITY)
        & (ties <= BRIDGE_MAX_TIES)
    )
    c[:, COL["bridges_communities"]] = np.where(bridge, w.bridges_communities / (1 + ties), 0.0)

    lacks = ~ctx.community_has_help & (sizes >= MIN_COMMUNITY)
    help_src = bool(lacks[cu]) & ctx.help[t]
    help_tgt = lacks[ct] & bool(ctx.help[u]) & (ct != cu)
    c[:, COL["first_help"]] = np.where(help_src | help_tgt, w.first_help, 0.0)

    if src.leaned_on.size and src.relief.any():
        offers = popcount(ctx.assets[t] & src.relief) > 0
        relief = offers & ~ctx.overloaded[t] & ~np.isin(t, src.leaned_on)
        c[:, COL["relieves_key_figure"]] = np.where(relief, w.relieves_key_figure, 0.0)
    return Values(c, need, offer, ties, iso_tgt & ~iso_src, help_tgt & ~help_src)


def key_figure_contact(ctx: SuggestContext, u: int) -> BoolArray:
    """Actors a recognised key figure among ``u``'s contacts also knows."""
    s = ctx.snapshot
    mask = np.zeros(s.n, dtype=bool)
    nbrs = s.adjacency.neighbours(u)
    for k in nbrs[s.kind_mask("key_figure")[nbrs]].tolist():
        mask[s.adjacency.neighbours(k)] = True
    return mask


def score(
    ctx: SuggestContext,
    src: Source,
    ps: PairScores,
    w: ValueWeights,
    lw: LearnedWeights = PRIOR,
    kf: BoolArray | None = None,
) -> tuple[Values, FloatArray, FloatArray, FloatArray]:
    """(value terms at the prior weights, value, feasibility factor, score) of the scored
    pairs, ranked with the learned weights ``lw`` (:mod:`.learning`)."""
    vals = values(ctx, src, ps.targets, w)
    value = w.base + (vals.contributions * lw.value_vector()).sum(axis=1)
    logodds = learned_logodds(ps, lw, kf)
    feas = w.feasibility_floor + (1.0 - w.feasibility_floor) / (
        1.0 + np.exp(-np.clip(logodds, -35.0, 35.0))
    )
    return vals, value, feas, feas**w.feasibility_power * value


def learned_logodds(
    ps: PairScores, lw: LearnedWeights = PRIOR, kf: BoolArray | None = None
) -> FloatArray:
    """The feasibility log-odds of the scored pairs as the learned weights ``lw`` see them:
    scaled by ``lw.feasibility``, plus the learned attribute and key-figure terms
    (:mod:`.learning`); unchanged under the prior."""
    logodds = ps.logodds
    if lw.source == "prior":
        return logodds
    logodds = lw.feasibility * logodds
    for code, extra in lw.attributes.items():
        if code in ps.codes and extra:
            logodds = logodds + extra * ps.contributions[:, ps.codes.index(code)]
    if kf is not None and lw.key_figure_contact:
        logodds = logodds + lw.key_figure_contact * kf[ps.targets]
    return np.asarray(logodds, dtype=np.float64)


def terms(vals: Values, ps: PairScores, j: int, kf: BoolArray) -> dict[str, float]:
    out = {"feasibility": rounded(ps.logodds[j], 6)}
    for code in ATTRIBUTE_TERMS:
        out[code] = (
            rounded(ps.contributions[j, ps.codes.index(code)], 6) if code in ps.codes else 0.0
        )
    out["key_figure_contact"] = float(kf[int(ps.targets[j])])
    for code in VALUE_CODES:
        out[code] = rounded(vals.contributions[j, COL[code]], 6)
    return out


def outside(
    ctx: SuggestContext,
    src: Source,
    hop: npt.NDArray[np.int64],
    max_hops: int,
    eligible: BoolArray,
    w: ValueWeights,
    bar: float,
) -> IntArray:
    """Value-driven candidates beyond ``max_hops`` (see the module doc) whose value is above
    ``bar``, at most OUTSIDE_CAP."""
    u = src.u
    s = ctx.snapshot
    pool_mask = np.zeros(s.n, dtype=bool)
    if src.wanted.any():
        pool_mask[ctx.holders(src.wanted)] = True
    local = ctx.same_area(u)
    if local.size:
        if src.offered.any():
            pool_mask[local[popcount(ctx.needs[local] & src.offered) > 0]] = True
        if ctx.isolated[u]:
            pool_mask[local[ctx.neighbourhood[local]]] = True
        if ctx.neighbourhood[u]:
            pool_mask[local[ctx.isolated[local]]] = True
        cu = int(ctx.membership[u])
        if not ctx.community_has_help[cu] or ctx.isolated[u]:
            pool_mask[local[ctx.help[local]]] = True
    pool_mask &= eligible & ((hop < 0) | (hop > max_hops))
    pool_mask[u] = False
    pool = np.flatnonzero(pool_mask).astype(np.int64)
    if pool.size == 0:
        return pool
    vals = values(ctx, src, pool, w).contributions.sum(axis=1)
    label = ctx.area_label[u]
    same = (ctx.area_label[pool] == label) & (label >= 0)
    prior = vals + 0.2 * same + 0.05 * ctx.help[pool] + 1e-3 * np.log1p(s.degree[pool])
    keep = (vals > 0) & (w.base + vals > bar)
    pool, prior = pool[keep], prior[keep]
    if pool.size > OUTSIDE_CAP:
        top = np.lexsort((pool, -prior))[:OUTSIDE_CAP]
        pool = np.sort(pool[top])
    return pool
