"""Per-actor suggestions: whom should this actor meet, and who can introduce them?

Method
------
A suggestion is worth making when it is both *feasible* and *valuable* (DESIGN.md 5).

*Candidates.* Every non-neighbour within ``max_hops`` hops (link prediction ranks such pairs
by proximity; Liben-Nowell & Kleinberg 2007) — all of those two hops away, and of those
farther away the ones a value term applies to (at most ``INNER_CAP``, most valuable first:
without value they cannot outrank the nearer ones) — plus, beyond that reach, the actors a
value term points at: holders of an asset the source asks for, actors in the same area who ask for
what the source offers, isolated persons in the same area, help in the same area for an
isolated source or a community without help. Of those at most ``OUTSIDE_CAP`` with the
highest value are scored, and only when their value could still lift them into the list
(their feasibility is at most 1). Never the source itself, an existing tie, an excluded pair
(:mod:`.exclusions`), or a person whose consent is not ``given``.

*Feasibility* ``f`` is the log-odds of :mod:`netwerk.suggest.feasibility`, learned from the
network's own ties, with the attribute evidence ``same_area``, ``shared_language`` and
``shared_place`` (:mod:`.context`). It enters as
``feasibility = floor + (1 - floor) * sigmoid(f)``, in ``[floor, 1]`` (``floor`` 0.2), so
that a valuable meeting without a path in the network (the broker introduces them) still
ranks above a merely plausible one without value, while among equally valuable candidates
the feasible one wins.

*Value* is ``base + sum of the value terms`` (``base`` 0.1: "just a contact"), each
``weight * amount`` (default weights in :class:`ValueWeights`):

* ``need_match`` (1.0): the target offers a theme the source asks for (the source's needs, or
  the requested ``themes``); 1.5 when the theme is an *unmet* need (nobody offers it within
  three steps of the source, the ``unmet_need`` gap), 0.4 when a direct contact of the
  source offers it already; +0.25 per extra matching theme — Kretzmann & McKnight (1993),
  asset-based community development: match what people can give to what others ask, where
  it is missing;
* ``offer_match`` (0.6): the target asks for a theme the source offers (graded the same way
  on the target's side);
* ``ends_isolation`` (1.0; 0.6 when it is the target who is isolated): the source (or the
  target) is an isolated person — no tie to anyone but professionals and organisations — and
  the other is from the neighbourhood (resident, key figure, initiative or place);
* ``joins_components`` (0.8): no path between the two yet;
* ``bridges_communities`` (0.5 / (1 + ties)): different Leiden communities (both of at least 3
  actors) with at most 3 ties between them: a bridge over a structural hole (Burt 1992),
  the weak tie that carries new information (Granovetter 1973);
* ``first_help`` (0.8): the source's community (>= 3 actors) has no tie to any organisation,
  initiative, professional or key figure and the target is one (or the other way round);
* ``relieves_key_figure`` (0.6): the source leans on an overloaded key figure (a neighbour of
  very high degree or betweenness, see :mod:`.context`, who offers what the source asks for
  or is its only tie to help) and the target, not overloaded itself, offers the same.

The weights were set on ``bench/activation.py`` (synthetic neighbourhoods, accepting the top
suggestion for a caseload): with them the ranking leaves fewer isolated persons, unmet needs,
communities without help and components than resource allocation or random choice; the
feedback statistics (:mod:`.feedback`) are there to tune them on real evidence.

``score = feasibility ** feasibility_power * value`` (power 1 by default: the trade-off
chosen on the realistic protocol of ``bench/activation.py``, see README); ``order="likely"``
ranks by the feasibility factor first. The value terms, their weights and the score live in
:mod:`.value`; weights a network learned from its outcomes (:mod:`.learning`) scale the
value terms (never below half their prior weight) and re-weight the feasibility log-odds.
Every suggestion carries its value reasons (``contribution``
in value points) and its strongest feasibility reasons (``contribution`` in log-odds
points; ``feasibility_logodds = intercept + sum of all feasibility contributions``), so the
score can be recomputed from the reasons. Its ``kind`` is its strongest value reason
(``contact`` when it has none). The introducer is the common contact with the strongest ties
to both, else the widest shortest chain of intermediaries up to ``max_hops`` ties
(:mod:`.paths`); only consent-allowed intermediaries are named.

Complexity: one local pass over the ball of radius ``max(max_hops, (max_hops + 4) // 2)``
around the source (the cost of ``candidates_for``), O(k) numpy work for k candidates, a
breadth-first search of depth ``max_hops - 1`` for the introducers. Tens of milliseconds on
a 100,000-actor network on a cached context.

References
----------
Burt R.S. (1992) Structural Holes. Harvard University Press. ISBN 0674843711.
Granovetter M.S. (1973) The strength of weak ties. Am J Sociol 78(6):1360-1380.
doi:10.1086/225469.
Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out. ISBN 0879462108.
Liben-Nowell D., Kleinberg J. (2007) The link-prediction problem for social networks. JASIST
58(7):1019-1031. doi:10.1002/asi.20591.
Krebs V., Holley J. (2006) Building smart communities through network weaving.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from netwerk.analysis.records import ActorRef, Provenance, actor_ref, check_kinds, provenance
from netwerk.errors import ValidationFailed
from netwerk.graph import BoolArray, FloatArray, IntArray, Snapshot, require_lang
from netwerk.graph import ball as graph_ball
from netwerk.suggest.codes import VALUE_CODES, feasibility_sentence, value_sentence
from netwerk.suggest.context import (
    SuggestContext,
    popcount,
    suggest_context,
)
from netwerk.suggest.exclusions import Exclusions
from netwerk.suggest.feasibility import PairScores
from netwerk.suggest.learning import PRIOR, LearnedWeights
from netwerk.suggest.paths import introduction, reach
from netwerk.suggest.records import (
    SUGGESTION_HOPS,
    Introduction,
    Reason,
    check_limit,
    clean_themes,
    rounded,
)
from netwerk.suggest.value import COL as _COL
from netwerk.suggest.value import OUTSIDE_CAP, ValueWeights
from netwerk.suggest.value import Source as _Source
from netwerk.suggest.value import Values as _Values
from netwerk.suggest.value import key_figure_contact as _key_figure_contact
from netwerk.suggest.value import outside as _outside
from netwerk.suggest.value import score as _score
from netwerk.suggest.value import source as _source
from netwerk.suggest.value import terms as _terms
from netwerk.suggest.value import values as _values
from netwerk.words import say

__all__ = [
    "ORDERS",
    "OUTSIDE_CAP",
    "Suggestion",
    "SuggestionList",
    "ValueWeights",
    "feasibility_reasons",
    "rank_order",
    "suggest_for_actor",
]


INNER_CAP = 1500
FEASIBILITY_REASONS = 3
MIN_FEASIBILITY_CONTRIBUTION = 0.05
MAX_LIMIT = 100
REFERENCES = (
    "Liben-Nowell D., Kleinberg J. (2007) doi:10.1002/asi.20591",
    "Zhang M., Chen Y. (2018) Link prediction based on graph neural networks, NeurIPS",
    "Kretzmann J.P., McKnight J.L. (1993) ISBN 0879462108",
    "Burt R.S. (1992) Structural Holes, ISBN 0674843711",
    "Granovetter M.S. (1973) doi:10.1086/225469",
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
)
ORDERS = ("value", "likely")
MODEL_VERSION = "feasibility x value/2"


@dataclass(frozen=True)
class Suggestion:
    """One proposed new tie from the source to ``target`` (see the module doc)."""

    rank: int
    target: ActorRef
    kind: str
    score: float
    feasibility: float
    feasibility_logodds: float
    value: float
    themes: tuple[str, ...]
    reasons: tuple[Reason, ...]
    introduction: Introduction
    sentence: str
    terms: dict[str, float] = field(default_factory=dict)
    """What outcomes re-weight (:mod:`.learning`): the value terms at the prior weights, the
    feasibility log-odds, its attribute parts and ``key_figure_contact``."""
    id: str | None = None
    """The stored impression's id (set when the API shows the suggestion); feedback and
    outcomes refer to it."""


@dataclass(frozen=True)
class SuggestionList:
    """Ranked suggestions for one actor. ``candidates`` is how many actors were scored after
    the exclusions; ``excluded`` counts the candidates left out, per reason (``consent``,
    ``do_not_suggest``, ``declined``, ``not_now``, ``accepted``, ``kind``, ``theme``)."""

    source: ActorRef
    suggestions: tuple[Suggestion, ...]
    candidates: int
    excluded: dict[str, int]
    notice: str | None
    provenance: Provenance


# --------------------------------------------------------------------------- main


def _check_hops(max_hops: int) -> int:
    low, high = SUGGESTION_HOPS
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or not low <= max_hops <= high:
        raise ValidationFailed("max_hops", f"a whole number from {low} to {high}")
    return max_hops


def _excluded_mask(
    ctx: SuggestContext, actor_id: str, exclusions: Exclusions
) -> tuple[BoolArray, dict[int, str]]:
    s = ctx.snapshot
    blocked = np.zeros(s.n, dtype=bool)
    why: dict[int, str] = {}
    for other, reason in exclusions.partners(actor_id).items():
        v = s.index.get(other)
        if v is not None:
            blocked[v] = True
            why[v] = reason
    return blocked, why


def _value_reason(
    ctx: SuggestContext, src: _Source, t: int, vals: _Values, i: int, code: str, lang: str
) -> Reason:
    """The value reason ``code`` of the ``i``-th scored pair (target ``t``)."""
    s = ctx.snapshot
    value: float | None = 1.0
    tt: tuple[str, ...] = ()
    extra: dict[str, int | bool] = {}
    if code == "need_match":
        tt = ctx.themes_of(ctx.assets[t] & src.wanted)
        value = float(len(tt))
        extra = {"gap": bool((ctx.assets[t] & src.wanted & ctx.unmet[src.u]).any())}
    elif code == "offer_match":
        tt = ctx.themes_of(ctx.needs[t] & src.offered)
        value = float(len(tt))
    elif code == "ends_isolation":
        extra = {"reverse": bool(vals.reverse_isolation[i])}
    elif code == "joins_components":
        a = ctx.component_sizes[ctx.components[src.u]]
        b = ctx.component_sizes[ctx.components[t]]
        value = float(min(a, b))
    elif code == "bridges_communities":
        value = float(vals.ties_between[i])
        extra = {"count": int(value)}
    elif code == "first_help":
        c = ctx.membership[t] if vals.reverse_help[i] else ctx.membership[src.u]
        value = float(ctx.community_sizes[c])
        extra = {"size": int(value), "reverse": bool(vals.reverse_help[i])}
    elif code == "relieves_key_figure":
        tt = ctx.themes_of(ctx.assets[t] & src.relief)
        value = float(src.relief_degree)
        extra = {"count": src.relief_degree}
    sentence = value_sentence(
        code,
        lang,
        target_kind=s.kind[t],
        source_kind=s.kind[src.u],
        themes=tt,
        count=int(extra.get("count", 0)),
        size=int(extra.get("size", 0)),
        reverse=bool(extra.get("reverse", False)),
        gap=bool(extra.get("gap", False)),
    )
    amount = float(vals.contributions[i, _COL[code]])
    return Reason(code, "value", rounded(amount), value, tt, sentence)


def feasibility_reasons(
    ps: PairScores,
    j: int,
    lang: str,
    *,
    top: int = FEASIBILITY_REASONS,
    busiest_kind: str | None = None,
    busiest_is_source: bool = False,
) -> list[Reason]:
    """The strongest feasibility reasons of the ``j``-th pair of ``ps`` (at most ``top``,
    each contributing at least :data:`MIN_FEASIBILITY_CONTRIBUTION` log-odds points; the
    busiest of the two as :func:`~.codes.feasibility_sentence` takes it)."""
    out: list[Reason] = []
    contrib = ps.contributions[j]
    for c in np.argsort(-contrib, kind="stable")[:top].tolist():
        amount = float(contrib[c])
        if amount < MIN_FEASIBILITY_CONTRIBUTION:
            break
        raw = float(ps.values[j, c])
        known = bool(np.isfinite(raw))
        sentence = feasibility_sentence(
            ps.codes[c],
            raw if known else 0.0,
            lang,
            busiest_kind=busiest_kind,
            busiest_is_source=busiest_is_source,
        )
        out.append(
            Reason(
                ps.codes[c],
                "feasibility",
                rounded(amount),
                rounded(raw) if known else None,
                (),
                sentence,
            )
        )
    return out


def _reasons(
    ctx: SuggestContext,
    src: _Source,
    vals: _Values,
    ps: PairScores,
    j: int,
    lang: str,
) -> tuple[list[Reason], tuple[str, ...]]:
    """The value reasons (largest first), then the feasibility reasons, of the ``j``-th
    scored pair (row ``j`` of both ``vals`` and ``ps``), and the themes they match."""
    s = ctx.snapshot
    t = int(ps.targets[j])
    row = vals.contributions[j]
    out = [
        _value_reason(ctx, src, t, vals, j, code, lang)
        for code in VALUE_CODES
        if float(row[_COL[code]]) > 0
    ]
    out.sort(key=lambda r: -r.contribution)
    themes = sorted({theme for r in out for theme in r.themes})
    busiest = t if s.degree[t] >= s.degree[src.u] else src.u
    out += feasibility_reasons(
        ps, j, lang, busiest_kind=s.kind[busiest], busiest_is_source=busiest == src.u
    )
    return out, tuple(themes)


@dataclass(frozen=True)
class _Ask:
    """The checked parameters of one request."""

    limit: int
    themes: tuple[str, ...]
    kinds: tuple[str, ...]
    max_hops: int
    weights: ValueWeights
    learned: LearnedWeights
    order: str
    lang: str


@dataclass
class _Eligible:
    """The candidates in reach that may be scored (``select``, a mask over ``ball``), the
    actors that may be suggested at all (``eligible``) and what was left out, per reason."""

    ball: IntArray
    hops: IntArray
    hop: IntArray  # per vertex: hops from the source within the ball, else -1
    select: BoolArray
    eligible: BoolArray
    excluded: dict[str, int]


def _eligible(
    ctx: SuggestContext, src: _Source, actor_id: str, ask: _Ask, excl: Exclusions
) -> _Eligible:
    """Eligibility first, on every candidate in reach: only eligible ones are scored."""
    s = ctx.snapshot
    u = src.u
    ball, hops = graph_ball(s.adjacency, [u], ctx.fitted.radius(ask.max_hops))
    hop = np.full(s.n, -1, dtype=np.int64)
    hop[ball] = hops
    blocked, why = _excluded_mask(ctx, actor_id, excl)
    excluded: dict[str, int] = {}

    def count(mask: BoolArray, reason: str) -> None:
        n_out = int(mask.sum())
        if n_out:
            excluded[reason] = excluded.get(reason, 0) + n_out

    in_reach = (hops >= 2) & (hops <= ask.max_hops)
    cand = ball[in_reach]
    ok = ctx.allowed[cand]
    count(~ok, "consent")
    if why:
        hit = blocked[cand] & ok
        for v in cand[hit].tolist():
            excluded[why[v]] = excluded.get(why[v], 0) + 1
        ok &= ~blocked[cand]
    eligible = ctx.allowed & ~blocked
    filters: list[tuple[BoolArray, str]] = []
    if ask.kinds:
        filters.append((s.kind_mask(*ask.kinds), "kind"))
    if ask.themes:
        about = (popcount(ctx.assets & src.wanted) > 0) | (popcount(ctx.needs & src.offered) > 0)
        filters.append((about, "theme"))
    for mask, reason in filters:
        count(ok & ~mask[cand], reason)
        ok &= mask[cand]
        eligible &= mask
    # Candidates two hops away are all scored; farther ones when a value term applies
    # (without value they cannot rank above the nearer ones), the most valuable first.
    far = ok & (hops[in_reach] > 2)
    if far.any():
        far_idx = np.flatnonzero(far)
        v_far = _values(ctx, src, cand[far_idx], ask.weights).contributions.sum(axis=1)
        ok[far_idx[v_far <= 0]] = False
        live = far_idx[v_far > 0]
        if live.size > INNER_CAP:
            keep = np.lexsort((cand[live], -v_far[v_far > 0]))
            ok[live[keep[INNER_CAP:]]] = False
    select = np.zeros(ball.size, dtype=bool)
    select[np.flatnonzero(in_reach)[ok]] = True
    return _Eligible(ball, hops, hop, select, eligible, excluded)


def _candidates(
    ctx: SuggestContext, src: _Source, el: _Eligible, ask: _Ask, kf: BoolArray
) -> PairScores:
    """The scored candidates: the selected ones in reach, then those beyond reach a value
    term points at and whose value could still lift them into the list."""
    fitted = ctx.fitted
    u = src.u
    inner = fitted.explain_many(u, max_hops=ask.max_hops, ball=(el.ball, el.hops), select=el.select)
    inner_score = _score(ctx, src, inner, ask.weights, ask.learned, kf)[2]
    # An actor beyond reach scores at most its value (feasibility <= 1): score only those
    # that could still enter the list.
    bar = float(np.sort(inner_score)[-ask.limit]) if inner_score.size >= ask.limit else 0.0
    far = _outside(ctx, src, el.hop, ask.max_hops, el.eligible, ask.weights, bar)
    outer = fitted.explain_many(u, far)
    return PairScores.concat([inner, outer], fitted.codes)


def rank_order(score: FloatArray, feas: FloatArray, targets: IntArray, order: str) -> IntArray:
    """Positions by ``order``: ``value`` by score, ``likely`` by the feasibility factor then
    score; ties by the lower vertex (reproducible)."""
    if order == "likely":
        return np.lexsort((targets, -score, -np.round(feas, 9)))
    return np.lexsort((targets, -score))


def _build(
    ctx: SuggestContext,
    src: _Source,
    ps: PairScores,
    scored: tuple[_Values, FloatArray, FloatArray, FloatArray],
    ranked: IntArray,
    ask: _Ask,
    kf: BoolArray,
) -> list[Suggestion]:
    """The suggestions at the ``ranked`` positions of ``ps`` (``scored`` by
    :func:`~.value.score`), with their reasons and introductions."""
    s = ctx.snapshot
    u = src.u
    lw = ask.learned
    vals, value, feas, score = scored
    r = reach(s, np.array([u], dtype=np.int64), ask.max_hops - 1, ctx.passable)
    # reasons carry the contributions as ranked (learned multipliers applied)
    shown = replace(vals, contributions=vals.contributions * lw.value_vector())
    out: list[Suggestion] = []
    for rank, j in enumerate(ranked.tolist(), start=1):
        v = int(ps.targets[j])
        reasons, matched = _reasons(ctx, src, shown, ps, j, ask.lang)
        value_reasons = [x for x in reasons if x.kind == "value"]
        kind = value_reasons[0].code if value_reasons else "contact"
        intro = introduction(ctx, u, v, r, ask.max_hops, ask.lang)
        lead = value_reasons[0].sentence if value_reasons else say("reason.no_particular", ask.lang)
        out.append(
            Suggestion(
                rank=rank,
                target=actor_ref(s, v),
                kind=kind,
                score=rounded(score[j], 6),
                feasibility=rounded(feas[j], 6),
                feasibility_logodds=rounded(ps.logodds[j], 6),
                value=rounded(value[j], 6),
                themes=matched,
                reasons=tuple(reasons),
                introduction=intro,
                sentence=f"{lead} {intro.sentence}",
                terms=_terms(vals, ps, j, kf),
            )
        )
    return out


def suggest_for_actor(
    snapshot: Snapshot,
    actor_id: str,
    *,
    limit: int = 10,
    themes: str | Iterable[str] | None = None,
    target_kinds: str | Sequence[str] | None = None,
    max_hops: int = 3,
    exclusions: Exclusions | None = None,
    lang: str = "nl",
    seed: int = 0,
    weights: ValueWeights | None = None,
    context: SuggestContext | None = None,
    learned: LearnedWeights | None = None,
    order: str = "value",
) -> SuggestionList:
    """Ranked suggestions for ``actor_id`` (see the module doc for the method).

    Parameters
    ----------
    snapshot
        The network on one date.
    actor_id
        The actor to suggest for (any kind; suggestions for a person whose consent is
        withdrawn are not made).
    limit
        At most this many suggestions (1..100).
    themes
        Only suggestions about these themes: the target offers one of them, or asks for one
        the source offers (a list, or a comma-separated string).
    target_kinds
        Only targets of these actor kinds.
    max_hops
        Reach of the structural candidates and of an introduction chain (2..4 ties).
    exclusions
        Pairs not to suggest now (:func:`~.exclusions.load_exclusions`).
    lang
        ``nl`` (default) or ``en`` for the sentences.
    seed
        Seed of the fitted model and the communities.
    weights
        The value weights (default :class:`ValueWeights`).
    context
        A precomputed :class:`~.context.SuggestContext` (default: the cached one).
    learned
        Weights the network learned from its outcomes (:mod:`.learning`; default the prior).
    order
        ``value`` (default): by score, feasibility x value; ``likely``: the most likely
        meetings first (by the feasibility factor, then by value).

    Raises
    ------
    NotFound
        Unknown actor.
    ValidationFailed
        A bad parameter (the field is named).
    """
    require_lang(lang)
    check_limit(limit, "limit", MAX_LIMIT)
    _check_hops(max_hops)
    if order not in ORDERS:
        raise ValidationFailed("order", f"one of: {', '.join(ORDERS)}")
    ask = _Ask(
        limit=limit,
        themes=clean_themes(themes, "theme"),
        kinds=check_kinds(target_kinds, "target_kinds"),
        max_hops=max_hops,
        weights=weights or ValueWeights(),
        learned=learned or PRIOR,
        order=order,
        lang=lang,
    )
    s = snapshot
    u = s.actor_index(actor_id)
    ctx = context if context is not None else suggest_context(s, seed=seed)
    prov = provenance(
        s,
        "feasibility x value",
        REFERENCES,
        {
            "limit": limit,
            "themes": ",".join(ask.themes) or None,
            "target_kinds": ",".join(ask.kinds) or None,
            "max_hops": max_hops,
            "feasibility_learned": bool(ctx.fitted.learned),
            "order": order,
            "model_version": MODEL_VERSION,
            "model_revision": ctx.model_revision,
            **ask.learned.provenance(),
            **{f"weight_{k}": v for k, v in asdict(ask.weights).items()},
        },
        seed=seed,
    )
    source = actor_ref(s, u)
    if source.person and s.consent[u] == "withdrawn":
        notice = say("reason.notice_withdrawn", lang)
        return SuggestionList(source, (), 0, {}, notice, prov)

    src = _source(ctx, u, ask.themes)
    el = _eligible(ctx, src, actor_id, ask, exclusions or Exclusions.none())
    kf = _key_figure_contact(ctx, u)
    ps = _candidates(ctx, src, el, ask, kf)
    scored = _score(ctx, src, ps, ask.weights, ask.learned, kf)
    ranked = rank_order(scored[3], scored[2], ps.targets, order)[:limit]
    return SuggestionList(
        source=source,
        suggestions=tuple(_build(ctx, src, ps, scored, ranked, ask, kf)),
        candidates=int(ps.targets.size),
        excluded=el.excluded,
        notice=None,
        provenance=prov,
    )
