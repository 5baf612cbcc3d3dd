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
import numpy.typing as npt

from netwerk.analysis.records import ActorRef, Provenance, actor_ref, check_kinds, provenance
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, require_lang
from netwerk.suggest.codes import VALUE_CODES, feasibility_sentence, value_sentence
from netwerk.suggest.common import (
    SUGGESTION_HOPS,
    Introduction,
    Reason,
    check_limit,
    clean_themes,
    rounded,
)
from netwerk.suggest.context import (
    SuggestContext,
    popcount,
    suggest_context,
)
from netwerk.suggest.exclusions import Exclusions
from netwerk.suggest.explain import PairScores
from netwerk.suggest.learning import PRIOR, LearnedWeights
from netwerk.suggest.paths import Reach, best_link, reach, steps
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
from netwerk.words import kind_a, say, steps_text

__all__ = [
    "ORDERS",
    "OUTSIDE_CAP",
    "Suggestion",
    "SuggestionList",
    "ValueWeights",
    "introduction",
    "suggest_for_actor",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

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


# --------------------------------------------------------------------------- introductions


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


def _reasons(
    ctx: SuggestContext,
    src: _Source,
    t: int,
    vals: _Values,
    i: int,
    ps: PairScores,
    j: int,
    lang: str,
) -> tuple[list[Reason], tuple[str, ...]]:
    s = ctx.snapshot
    kind = s.kind[t]
    out: list[Reason] = []
    themes: set[str] = set()
    row = vals.contributions[i]
    for code in VALUE_CODES:
        amount = float(row[_COL[code]])
        if amount <= 0:
            continue
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
        themes.update(tt)
        out.append(
            Reason(
                code=code,
                kind="value",
                contribution=rounded(amount),
                value=value,
                themes=tt,
                sentence=value_sentence(
                    code,
                    lang,
                    target_kind=kind,
                    source_kind=s.kind[src.u],
                    themes=tt,
                    count=int(extra.get("count", 0)),
                    size=int(extra.get("size", 0)),
                    reverse=bool(extra.get("reverse", False)),
                    gap=bool(extra.get("gap", False)),
                ),
            )
        )
    out.sort(key=lambda r: -r.contribution)
    busiest = t if s.degree[t] >= s.degree[src.u] else src.u
    contrib = ps.contributions[j]
    order = np.argsort(-contrib, kind="stable")[:FEASIBILITY_REASONS]
    for c in order.tolist():
        amount = float(contrib[c])
        if amount < MIN_FEASIBILITY_CONTRIBUTION:
            break
        code = ps.codes[c]
        raw = float(ps.values[j, c])
        out.append(
            Reason(
                code=code,
                kind="feasibility",
                contribution=rounded(amount),
                value=rounded(raw) if np.isfinite(raw) else None,
                themes=(),
                sentence=feasibility_sentence(
                    code,
                    raw if np.isfinite(raw) else 0.0,
                    lang,
                    busiest_kind=s.kind[busiest],
                    busiest_is_source=busiest == src.u,
                ),
            )
        )
    return out, tuple(sorted(themes))


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
    theme_list = clean_themes(themes, "theme")
    kinds = check_kinds(target_kinds, "target_kinds")
    s = snapshot
    u = s.actor_index(actor_id)
    ctx = context if context is not None else suggest_context(s, seed=seed)
    w = weights or ValueWeights()
    lw = learned or PRIOR
    if order not in ORDERS:
        raise ValidationFailed("order", f"one of: {', '.join(ORDERS)}")
    excl = exclusions or Exclusions.none()
    prov = provenance(
        s,
        "feasibility x value",
        REFERENCES,
        {
            "limit": limit,
            "themes": ",".join(theme_list) or None,
            "target_kinds": ",".join(kinds) or None,
            "max_hops": max_hops,
            "feasibility_learned": bool(ctx.fitted.learned),
            "order": order,
            "model_version": MODEL_VERSION,
            "weights": lw.source,
            "weights_fitted_at": lw.fitted_at.isoformat() if lw.fitted_at else None,
            "weights_outcomes": lw.outcomes,
            **{f"weight_{k}": v for k, v in asdict(w).items()},
            **(
                {f"learned_{k}": round(v, 4) for k, v in lw.as_multipliers().items()}
                if lw.source != "prior"
                else {}
            ),
        },
        seed=seed,
    )
    source = actor_ref(s, u)
    if source.person and s.consent[u] == "withdrawn":
        return SuggestionList(
            source,
            (),
            0,
            {},
            say("reason.notice_withdrawn", lang),
            prov,
        )

    src = _source(ctx, u, theme_list)
    ex = ctx.explainer
    ball, hops = ex.ball(u, ex.radius(max_hops))
    hop = np.full(s.n, -1, dtype=np.int64)
    hop[ball] = hops

    blocked, why = _excluded_mask(ctx, actor_id, excl)
    excluded: dict[str, int] = {}

    def count(mask: BoolArray, reason: str) -> None:
        n_out = int(mask.sum())
        if n_out:
            excluded[reason] = excluded.get(reason, 0) + n_out

    # Eligibility first, on every candidate in reach: only eligible ones are scored.
    in_reach = (hops >= 2) & (hops <= max_hops)
    cand = ball[in_reach]
    ok = ctx.allowed[cand]
    count(~ok, "consent")
    if why:
        hit = blocked[cand] & ok
        for v in cand[hit].tolist():
            excluded[why[v]] = excluded.get(why[v], 0) + 1
        ok &= ~blocked[cand]
    kind_ok = s.kind_mask(*kinds) if kinds else None
    if kind_ok is not None:
        count(ok & ~kind_ok[cand], "kind")
        ok &= kind_ok[cand]
    about: BoolArray | None = None
    if theme_list:
        about = (popcount(ctx.assets & src.wanted) > 0) | (popcount(ctx.needs & src.offered) > 0)
        count(ok & ~about[cand], "theme")
        ok &= about[cand]
    # Candidates two hops away are all scored; farther ones when a value term applies
    # (without value they cannot rank above the nearer ones), the most valuable first.
    far = ok & (ball[in_reach] >= 0) & (hops[in_reach] > 2)
    if far.any():
        far_idx = np.flatnonzero(far)
        v_far = _values(ctx, src, cand[far_idx], w).contributions.sum(axis=1)
        drop = far_idx[v_far <= 0]
        ok[drop] = False
        live = far_idx[v_far > 0]
        if live.size > INNER_CAP:
            keep = np.lexsort((cand[live], -v_far[v_far > 0]))
            ok[live[keep[INNER_CAP:]]] = False
    select = np.zeros(ball.size, dtype=bool)
    select[np.flatnonzero(in_reach)[ok]] = True
    inner = ex.around(u, max_hops, ball, hops, select)

    eligible = ctx.allowed & ~blocked
    if kind_ok is not None:
        eligible &= kind_ok
    if about is not None:
        eligible &= about
    kf = _key_figure_contact(ctx, u)
    inner_score = _score(ctx, src, inner, w, lw, kf)[2]
    # An actor beyond reach scores at most its value (feasibility <= 1): score only those
    # that could still enter the list.
    bar = float(np.sort(inner_score)[-limit]) if inner_score.size >= limit else 0.0
    outer = ex.pairs(u, _outside(ctx, src, hop, max_hops, eligible, w, bar))
    ps = PairScores.concat([inner, outer], ex.codes)
    t = ps.targets
    vals, value, feas, score = _score(ctx, src, ps, w, lw, kf)
    if order == "likely":
        ranked = np.lexsort((t, -score, -np.round(feas, 9)))[:limit]
    else:
        ranked = np.lexsort((t, -score))[:limit]

    r = reach(s, np.array([u], dtype=np.int64), max_hops - 1, ctx.passable)
    # reasons carry the contributions as ranked (learned multipliers applied)
    shown = replace(vals, contributions=vals.contributions * lw.value_vector())
    out: list[Suggestion] = []
    for rank, j in enumerate(ranked.tolist(), start=1):
        v = int(t[j])
        reasons, matched = _reasons(ctx, src, v, shown, j, ps, j, lang)
        value_reasons = [x for x in reasons if x.kind == "value"]
        kind = value_reasons[0].code if value_reasons else "contact"
        intro = introduction(ctx, u, v, r, max_hops, lang)
        lead = value_reasons[0].sentence if value_reasons else say("reason.no_particular", lang)
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
    return SuggestionList(
        source=source,
        suggestions=tuple(out),
        candidates=int(t.size),
        excluded=excluded,
        notice=None,
        provenance=prov,
    )
