"""Activation plans: for a question (themes) around a focus actor or an area, whom to activate,
through which existing ties, and who makes the first call.

Method
------
This is the step "problem -> network analysis -> network activation -> action" of DESIGN.md 1:
instead of convening agencies, start from the assets already in the neighbourhood
(Kretzmann & McKnight 1993) and reach them along existing ties, weak ones included
(Granovetter 1973).

1. *Sources*: the focus actor, or the persons of the area who may be named (consent
   ``given``). An area is a street label (case-insensitive) or a CBS code; a wijk code
   (``WK036300``) covers its buurten (``BU036300xx``) and a gemeente code (``GM0363``) its
   wijken and buurten.
2. *Chains*: a breadth-first search from the sources up to ``max_hops`` ties, through
   intermediaries who may pass a call on (persons with consent ``given``, initiatives,
   organisations; not places), keeping per actor the shortest chain whose weakest tie is
   strongest, persons preferred (:mod:`.paths`).
3. *Candidates*: actors who may be named and offer one of the themes (residents, key figures,
   professionals, initiatives, places, organisations), and key figures within reach as
   connectors even without a matching asset. Actors offering a theme in the area but out of
   reach are listed too, without a chain.
4. *Score* = ``relevance * proximity * chain strength * kind * load * area ties``:
   relevance ``1 + 0.25`` per extra matching theme (connectors 0.35); proximity
   ``1 / (1 + hops)`` (0.1 without a chain); chain strength ``0.5 + 0.1 * weakest tie``;
   kind: key figure 1.2, initiative 1.1, professional and resident 1.0, place 0.9,
   organisation 0.8 (people and their ties before organisations alone); overloaded persons
   0.7; area mode: ``1 + 0.1 * log(1 + direct ties to the area's sources)``. A network that
   learned weights from its outcomes (:mod:`.learning`) multiplies the relevance of an asset
   match by its learned ``need_match`` multiplier (a match that held more often counts more
   against a connector); the provenance says which weights ranked the plan. If the top
   ``limit`` holds no person while persons qualify, the best person takes the last place.
5. *First call*: on a chain of three or more actors the first intermediary (the source's
   contact); on a direct tie the source itself (the focus, or the area resident who knows
   the actor); an area resident on the list is called directly. Without a chain: the
   focus's strongest tie to someone who may be named, else the broker (``None``).
6. *Faces*: an organisation, initiative or place is named with up to three persons who may
   be named and are tied to it (the one on the chain first, then the strongest ties), so the
   plan names people, not organisations alone.

Complexity: one multi-source breadth-first search (O(edges touched), vectorised) and O(k)
numpy work for k candidates; a few hundred milliseconds at most on 100,000 actors.

References
----------
Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out. ISBN 0879462108.
Granovetter M.S. (1973) The strength of weak ties. Am J Sociol 78(6):1360-1380.
doi:10.1086/225469.
Krebs V., Holley J. (2006) Building smart communities through network weaving.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from netwerk.analysis.records import ActorRef, Provenance, actor_ref, provenance
from netwerk.errors import ValidationFailed
from netwerk.graph import BoolArray, FloatArray, IntArray, Snapshot, require_lang
from netwerk.i18n import text
from netwerk.suggest.context import SuggestContext, popcount, suggest_context
from netwerk.suggest.learning import PRIOR, LearnedWeights
from netwerk.suggest.paths import Reach, reach, steps
from netwerk.suggest.records import (
    ACTIVATION_HOPS,
    Reason,
    Step,
    check_limit,
    clean_themes,
    rounded,
)
from netwerk.words import kind_a, kind_the, kind_this, say, themes_text

__all__ = ["ActivationItem", "ActivationPlan", "activation_plan", "area_matches"]


MAX_LIMIT = 100
FACES = 3
UNREACHED_CAP = 5
KIND_WEIGHT = {
    "key_figure": 1.2,
    "initiative": 1.1,
    "professional": 1.0,
    "resident": 1.0,
    "place": 0.9,
    "organisation": 0.8,
}
CONNECTOR_RELEVANCE = 0.35
OVERLOAD_FACTOR = 0.7
REFERENCES = (
    "Kretzmann J.P., McKnight J.L. (1993) ISBN 0879462108",
    "Granovetter M.S. (1973) doi:10.1086/225469",
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
)


@dataclass(frozen=True)
class ActivationItem:
    """One actor to activate. ``chain`` runs from a source (the focus or an area resident) to
    the actor over existing ties; ``first_call`` is who should make the first call;
    ``faces`` are the persons to ask for at an organisation, initiative or place."""

    rank: int
    actor: ActorRef
    score: float
    themes: tuple[str, ...]
    hops: int | None
    chain: tuple[Step, ...]
    first_call: ActorRef | None
    faces: tuple[ActorRef, ...]
    reasons: tuple[Reason, ...]
    sentence: str
    id: str | None = None
    """The stored impression's id (set when the API shows it); feedback refers to it."""


@dataclass(frozen=True)
class ActivationPlan:
    focus: ActorRef | None
    area: str | None
    themes: tuple[str, ...]
    items: tuple[ActivationItem, ...]
    sources: int
    uncovered_themes: tuple[str, ...]
    notice: str | None
    provenance: Provenance


def area_matches(area: str, value: str | None) -> bool:
    """Does an actor's ``value`` lie in ``area`` (street label or CBS code, module doc)?"""
    if value is None:
        return False
    want = area.strip()
    have = value.strip()
    up_w, up_h = want.upper(), have.upper()
    if up_w.startswith(("GM", "WK", "BU")) and up_w[2:].isdigit():
        if up_w == up_h:
            return True
        if up_w.startswith("WK") and up_h.startswith("BU"):
            return up_h[2:8] == up_w[2:8]
        if up_w.startswith("GM") and up_h.startswith(("WK", "BU")):
            return up_h[2:6] == up_w[2:6]
        return False
    return want.lower() == have.lower()


def _area_mask(ctx: SuggestContext, area: str) -> BoolArray:
    mask = np.zeros(ctx.n, dtype=bool)
    for label, name in enumerate(ctx.areas):
        if area_matches(area, name):
            members = ctx.area_members.get(label)
            if members is not None:
                mask[members] = True
    return mask


def _faces(ctx: SuggestContext, x: int, on_chain: int | None) -> tuple[ActorRef, ...]:
    s = ctx.snapshot
    _, nbr, w = s.adjacency.gather_weighted(np.array([x], dtype=np.int64))
    ok = ctx.allowed[nbr] & s.is_person[nbr]
    nbr, w = nbr[ok], w[ok]
    if nbr.size == 0:
        return ()
    first = (nbr == on_chain).astype(np.int8) if on_chain is not None else np.zeros(nbr.size)
    order = np.lexsort((nbr, -w, -first))
    return tuple(actor_ref(s, int(v)) for v in nbr[order[:FACES]].tolist())


def _strongest_tie(ctx: SuggestContext, f: int) -> int | None:
    s = ctx.snapshot
    _, nbr, w = s.adjacency.gather_weighted(np.array([f], dtype=np.int64))
    ok = ctx.passable[nbr]
    nbr, w = nbr[ok], w[ok]
    if nbr.size == 0:
        return None
    person = s.is_person[nbr].astype(np.int8)
    order = np.lexsort((nbr, -person, -w))
    return int(nbr[order[0]])


def _candidates(
    ctx: SuggestContext, r: Reach, match: IntArray, focus: int | None, in_area: BoolArray
) -> IntArray:
    """Who may be named and offers a theme (``match`` > 0) or, as a key figure, connects,
    within reach; then up to :data:`UNREACHED_CAP` out of reach in the area (module doc)."""
    s = ctx.snapshot
    reached = r.dist >= 0
    eligible = ctx.allowed.copy()
    if focus is not None:
        reached[focus] = False
        eligible[focus] = False
    offers = match > 0
    key = s.kind_mask("key_figure")
    connector = key if focus is None else key & (r.dist >= 1)
    cand = np.flatnonzero(eligible & reached & (offers | connector))
    # out of reach but in the area (or the focus's area): listed without a chain
    home = in_area if focus is None else np.zeros(s.n, dtype=bool)
    if focus is not None and ctx.area_label[focus] >= 0:
        home[ctx.same_area(focus)] = True
    far = np.flatnonzero(eligible & ~reached & offers & home)
    if far.size > UNREACHED_CAP:
        far = far[np.lexsort((far, -match[far], -s.degree[far]))[:UNREACHED_CAP]]
    return np.concatenate([cand, far]).astype(np.int64)


def _scores(
    ctx: SuggestContext,
    r: Reach,
    cand: IntArray,
    m: IntArray,
    focus: int | None,
    in_area: BoolArray,
    lw: LearnedWeights,
) -> tuple[FloatArray, FloatArray]:
    """The score of each candidate (``m`` matching themes) and, in area mode, its direct
    ties to the area's persons (module doc, step 4)."""
    s = ctx.snapshot
    hops = r.dist[cand].astype(np.float64)
    chained = hops >= 0
    matching = (1.0 + 0.25 * (np.minimum(m, 4) - 1)) * lw.value.get("need_match", 1.0)
    relevance = np.where(m > 0, matching, CONNECTOR_RELEVANCE)
    proximity = np.where(chained, 1.0 / (1.0 + np.maximum(hops, 0)), 0.1)
    width = np.where(np.isinf(r.width[cand]), 5.0, r.width[cand])
    strength = np.where(chained, 0.5 + 0.1 * np.minimum(width, 5.0), 0.6)
    kinds = np.array([KIND_WEIGHT.get(s.kind[v], 1.0) for v in cand.tolist()])
    load = np.where(ctx.overloaded[cand], OVERLOAD_FACTOR, 1.0)
    area_ties = np.zeros(cand.size)
    if focus is None and cand.size:
        owner, nbr = s.adjacency.gather(cand)
        hit = in_area[nbr] & s.is_person[nbr]
        index = np.full(s.n, -1, dtype=np.int64)
        index[cand] = np.arange(cand.size)
        area_ties = np.bincount(index[owner[hit]], minlength=cand.size).astype(np.float64)
    bonus = 1.0 + 0.1 * np.log1p(area_ties)
    return relevance * proximity * strength * kinds * load * bonus, area_ties


def activation_plan(
    snapshot: Snapshot,
    *,
    focus_actor: str | None = None,
    area: str | None = None,
    themes: str | Iterable[str],
    limit: int = 15,
    max_hops: int = 3,
    lang: str = "nl",
    seed: int = 0,
    context: SuggestContext | None = None,
    learned: LearnedWeights | None = None,
) -> ActivationPlan:
    """The ranked actors to activate for ``themes`` around ``focus_actor`` or ``area``,
    ranked with the network's ``learned`` weights when given (default the prior).

    Raises
    ------
    NotFound
        Unknown focus actor.
    ValidationFailed
        Neither or both of focus and area, no themes, or another bad parameter.
    """
    require_lang(lang)
    check_limit(limit, "limit", MAX_LIMIT)
    low, high = ACTIVATION_HOPS
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or not low <= max_hops <= high:
        raise ValidationFailed("max_hops", f"a whole number from {low} to {high}")
    theme_list = clean_themes(themes, "themes")
    if not theme_list:
        raise ValidationFailed("themes", "at least one theme")
    if (focus_actor is None) == (area is None or not str(area).strip()):
        raise ValidationFailed("focus_actor", "give either a focus actor or an area")
    s = snapshot
    ctx = context if context is not None else suggest_context(s, seed=seed)
    lw = learned or PRIOR
    prov = provenance(
        s,
        "asset-based activation along existing ties",
        REFERENCES,
        {
            "focus_actor": focus_actor,
            "area": area,
            "themes": ",".join(theme_list),
            "limit": limit,
            "max_hops": max_hops,
            **lw.provenance(),
        },
        seed=seed,
    )
    want = ctx.mask_of(theme_list)
    focus: int | None = None
    in_area = np.zeros(s.n, dtype=bool)
    if focus_actor is not None:
        focus = s.actor_index(focus_actor)
        sources = np.array([focus], dtype=np.int64)
    else:
        assert area is not None
        in_area = _area_mask(ctx, str(area))
        sources = np.flatnonzero(in_area & s.is_person & ctx.allowed).astype(np.int64)
    focus_ref = actor_ref(s, focus) if focus is not None else None
    area_label = str(area).strip() if area is not None else None
    if sources.size == 0:
        return ActivationPlan(
            focus_ref,
            area_label,
            theme_list,
            (),
            0,
            theme_list,
            say("reason.notice_no_sources", lang),
            prov,
        )

    r = reach(s, sources, max_hops, ctx.passable)
    match = popcount(ctx.assets & want) if want.any() else np.zeros(s.n, dtype=np.int64)
    cand = _candidates(ctx, r, match, focus, in_area)
    score, area_ties = _scores(ctx, r, cand, match[cand], focus, in_area, lw)
    order = np.lexsort((cand, -score))
    top = order[:limit]
    persons = s.is_person[cand]
    if top.size and not persons[top].any() and persons.any():
        best_person = order[persons[order]][0]
        top = np.concatenate([top[: limit - 1], [best_person]])

    items: list[ActivationItem] = []
    covered: set[str] = set()
    for rank, j in enumerate(top.tolist(), start=1):
        x = int(cand[j])
        matched = ctx.themes_of(ctx.assets[x] & want)
        covered.update(matched)
        items.append(
            _item(
                ctx,
                r,
                x,
                rank,
                float(score[j]),
                matched,
                focus,
                int(area_ties[j]),
                area_label,
                lang,
            )
        )
    uncovered = tuple(t for t in theme_list if t not in covered)
    return ActivationPlan(
        focus=focus_ref,
        area=area_label,
        themes=theme_list,
        items=tuple(items),
        sources=int(sources.size),
        uncovered_themes=uncovered,
        notice=None,
        provenance=prov,
    )


def _item(
    ctx: SuggestContext,
    r: Reach,
    x: int,
    rank: int,
    score: float,
    matched: tuple[str, ...],
    focus: int | None,
    area_ties: int,
    area: str | None,
    lang: str,
) -> ActivationItem:
    s = ctx.snapshot
    kind = s.kind[x]
    reasons: list[Reason] = []
    if matched:
        reasons.append(
            Reason(
                "asset_match",
                "activation",
                1.0,
                float(len(matched)),
                matched,
                say(
                    "reason.asset_match",
                    lang,
                    Who=kind_this(kind, lang, capital=True),
                    themes=themes_text(matched, lang),
                ),
            )
        )
    else:
        deg = int(s.degree[x])
        reasons.append(
            Reason(
                "connector",
                "activation",
                CONNECTOR_RELEVANCE,
                float(deg),
                (),
                say("reason.connector", lang, count=deg),
            )
        )
    hops = int(r.dist[x])
    chain_ids: list[int] = r.chain(x) if hops >= 0 else []
    first: int | None
    if hops < 0:
        first = _strongest_tie(ctx, focus) if focus is not None else None
    elif len(chain_ids) >= 3:
        first = chain_ids[1]
    elif len(chain_ids) == 2:
        first = chain_ids[0]
    else:
        first = x
    first_ref = actor_ref(s, first) if first is not None else None
    if hops >= 0:
        weakest = r.width[x]
        w_txt = (
            text("reason.weakest", lang, strength=round(weakest)) if np.isfinite(weakest) else ""
        )
        if hops == 0:
            sentence = say("reason.reachable_direct", lang, area=area or "")
        else:
            first_txt = _first_call(ctx, first, focus, x, len(chain_ids), area, lang)
            sentence = say("reason.reachable", lang, count=hops, weakest=w_txt, first=first_txt)
        reasons.append(Reason("reachable", "activation", 0.0, float(hops), (), sentence))
    else:
        if first_ref is not None and focus is not None:
            sentence = say(
                "reason.reachable_none",
                lang,
                focus=text("reason.focus", lang, the=kind_the(s.kind[focus], lang)),
                first=kind_a(first_ref.kind, lang),
            )
        else:
            sentence = say("reason.reachable_broker", lang)
        reasons.append(Reason("reachable", "activation", 0.0, None, (), sentence))
    if area_ties:
        reasons.append(
            Reason(
                "area_ties",
                "activation",
                0.0,
                float(area_ties),
                (),
                say("reason.area_ties", lang, count=area_ties, area=area or ""),
            )
        )
    if ctx.overloaded[x]:
        deg = int(s.degree[x])
        reasons.append(
            Reason(
                "overloaded",
                "activation",
                OVERLOAD_FACTOR,
                float(deg),
                (),
                say("reason.overloaded", lang, degree=deg),
            )
        )
    faces: tuple[ActorRef, ...] = ()
    if not s.is_person[x]:
        on_chain = chain_ids[-2] if len(chain_ids) >= 2 else None
        faces = _faces(ctx, x, on_chain)
        if not faces:
            reasons.append(
                Reason(
                    "no_face",
                    "activation",
                    0.0,
                    None,
                    (),
                    say("reason.no_face", lang),
                )
            )
    chain = steps(s, chain_ids) if chain_ids else ()
    sentence = " ".join(rr.sentence for rr in reasons[:2])
    return ActivationItem(
        rank=rank,
        actor=actor_ref(s, x),
        score=rounded(score, 6),
        themes=matched,
        hops=hops if hops >= 0 else None,
        chain=chain,
        first_call=first_ref,
        faces=faces,
        reasons=tuple(reasons),
        sentence=sentence,
    )


def _first_call(
    ctx: SuggestContext,
    first: int | None,
    focus: int | None,
    x: int,
    chain_len: int,
    area: str | None,
    lang: str,
) -> str:
    """Who makes the first call, said so that a reader knows which one: the focus person
    themself, the first intermediary of the chain, or an area resident who knows ``x``."""
    s = ctx.snapshot
    if first is None:
        return text("reason.first_call_broker", lang)
    if focus is not None and first == focus:
        return text("reason.first_call_focus", lang, the=kind_the(s.kind[focus], lang))
    if chain_len >= 3:
        return text("reason.first_call_chain", lang, first=kind_a(s.kind[first], lang))
    return text(
        "reason.first_call_area",
        lang,
        first=kind_a(s.kind[first], lang),
        area=area or "",
        who=kind_this(s.kind[x], lang),
    )
