"""The suggestion facade the API and the CLI call (DESIGN.md 8: suggestions, weave,
activations, feedback and stats).

Reads take ``source``: a SQLAlchemy ``Session``, ``Connection``, ``Engine`` or session
factory. Each read takes the network's snapshot from :func:`netwerk.cache.get_snapshot` (one
primary-key lookup for the current revision; the snapshot is loaded only when none is cached
for it) and the :class:`~netwerk.suggest.context.SuggestContext` (fitted feasibility model,
communities, flags) from the result cache, so repeated calls on an unchanged network reuse
both. Exclusions (do-not-suggest, cool-downs) are read fresh on every call with one
set-based query each: a decision does not change the revision, so it must not be cached
away. Weaving and activation results are cached by ``(network, revision, as_of, params)``
(weaving also by a fingerprint of the exclusions).

Writes (:func:`feedback`, :func:`outcome`, :func:`do_not_suggest`) take a ``Session`` and
run inside the caller's transaction; a feedback that forms a tie creates it through
:func:`netwerk.store.ties.create_tie`, which bumps the revision in the same transaction.

Randomness (the feasibility model's sampled non-ties, the communities, sampled distances) is
seeded from the network and its revision (:func:`network_seed`) unless a ``seed`` is given:
two runs on the same network and revision give the same suggestions in the same order.
Suggestions, weave and activation plans are ranked with the weights the network learned from
its outcomes (:mod:`.learning`, one primary-key lookup per request); :func:`remember` stores
what the API shows (:mod:`.impressions`), and every decision or outcome refits the weights
once there are enough outcomes.

Every result is a frozen dataclass of plain values, usable as a FastAPI response model as
it is. Errors: :class:`~netwerk.errors.NotFound` (network, actor, feedback) and
:class:`~netwerk.errors.ValidationFailed` (a bad parameter, the field named).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar, cast

from netwerk import cache
from netwerk.graph import Snapshot, require_lang
from netwerk.store.session import Conn, Session
from netwerk.suggest.activation import ActivationPlan, activation_plan
from netwerk.suggest.context import suggest_context
from netwerk.suggest.exclusions import CoolDown, Exclusions, load_exclusions
from netwerk.suggest.feedback import (
    DoNotSuggestPair,
    Feedback,
    mark_do_not_suggest,
    record_feedback,
    record_outcome,
)
from netwerk.suggest.impressions import remember
from netwerk.suggest.learning import (
    PRIOR,
    LearnedWeights,
    WeightReport,
    load_weights,
    refit,
    reset_weights,
    weight_report,
)
from netwerk.suggest.stats import FeedbackStats
from netwerk.suggest.stats import stats as _stats
from netwerk.suggest.suggestions import SuggestionList, suggest_for_actor
from netwerk.suggest.weave import WeaveList
from netwerk.suggest.weave import weave as _weave

__all__ = [
    "activation",
    "do_not_suggest",
    "feedback",
    "network_seed",
    "outcome",
    "remember",
    "reset_weights",
    "stats",
    "suggestions",
    "weave",
    "weights",
]

Source = cache.Source
T = TypeVar("T")
P = ParamSpec("P")


def network_seed(network_id: str, revision: int) -> int:
    """The seed of every random choice for one network at one revision (32 bits of
    SHA-256 of both): stable across runs and processes, new with every write."""
    digest = hashlib.sha256(f"{network_id}:{revision}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _seed(snap_network: str, revision: int, seed: int | None) -> int:
    return network_seed(snap_network, revision) if seed is None else seed


def suggestions(
    source: Source,
    network_id: str,
    actor_id: str,
    *,
    limit: int = 10,
    theme: str | Iterable[str] | None = None,
    target_kinds: str | Sequence[str] | None = None,
    max_hops: int = 3,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int | None = None,
    now: dt.datetime | None = None,
    cool_down: CoolDown | None = None,
    order: str = "value",
    learn: bool = True,
) -> SuggestionList:
    """Ranked suggestions for one actor (:func:`~.suggestions.suggest_for_actor`), with the
    actor's exclusions read from the store at ``now`` (default: now), ranked with the
    network's learned weights (``learn=False``: the prior weights) in ``order``."""
    require_lang(lang)

    def run(conn: Conn) -> SuggestionList:
        snap = cache.get_snapshot(conn, network_id, as_of)
        snap.actor_index(actor_id)
        excl = load_exclusions(conn, network_id, actor_id=actor_id, now=now, cool_down=cool_down)
        used = _seed(network_id, snap.revision, seed)
        learned = load_weights(conn, network_id) if learn else None
        return suggest_for_actor(
            snap,
            actor_id,
            limit=limit,
            themes=theme,
            target_kinds=target_kinds,
            max_hops=max_hops,
            exclusions=excl,
            lang=lang,
            seed=used,
            context=suggest_context(snap, seed=used),
            learned=learned,
            order=order,
        )

    return cache.with_connection(source, run)


def _fingerprint(excl: Exclusions) -> str:
    digest = hashlib.sha256()
    for pair, why in sorted(excl.reasons.items()):
        digest.update(f"{pair[0]}|{pair[1]}|{why};".encode())
    return digest.hexdigest()[:16]


def _ranked(
    conn: Conn,
    network_id: str,
    as_of: dt.date | None,
    seed: int | None,
    learn: bool,
    route: str,
    params: dict[str, Any],
    build: Callable[[Snapshot, int, LearnedWeights], T],
) -> T:
    """``build(snapshot, seed, learned weights)`` once per snapshot, seed, weights and
    ``params`` (cached under ``route``): the seed from the network and its revision unless
    given, the network's learned weights unless ``learn`` is False."""
    snap = cache.get_snapshot(conn, network_id, as_of)
    used = _seed(network_id, snap.revision, seed)
    learned = load_weights(conn, network_id) if learn else PRIOR
    key = {**params, "seed": used, "weights": learned.label}
    return cache.cached_for(snap, route, key, lambda: build(snap, used, learned))


def weave(
    source: Source,
    network_id: str,
    *,
    limit: int = 10,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int | None = None,
    now: dt.datetime | None = None,
    learn: bool = True,
) -> WeaveList:
    """Network-level introductions that close the largest structural holes
    (:func:`~.weave.weave`), skipping excluded pairs, ranked with the network's learned
    weights (``learn=False``: the prior weights)."""
    require_lang(lang)

    def run(conn: Conn) -> WeaveList:
        excl = load_exclusions(conn, network_id, now=now)

        def build(snap: Snapshot, used: int, learned: LearnedWeights) -> WeaveList:
            ctx = suggest_context(snap, seed=used)
            return _weave(
                snap,
                limit=limit,
                lang=lang,
                seed=used,
                exclusions=excl,
                context=ctx,
                learned=learned,
            )

        params = {"limit": limit, "lang": lang, "exclusions": _fingerprint(excl)}
        return _ranked(conn, network_id, as_of, seed, learn, "suggest.route.weave", params, build)

    return cache.with_connection(source, run)


def activation(
    source: Source,
    network_id: str,
    *,
    focus_actor: str | None = None,
    area: str | None = None,
    themes: str | Iterable[str],
    limit: int = 15,
    max_hops: int = 3,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int | None = None,
    learn: bool = True,
) -> ActivationPlan:
    """The activation plan for ``themes`` around ``focus_actor`` or ``area``
    (:func:`~.activation.activation_plan`), ranked with the network's learned weights
    (``learn=False``: the prior weights)."""
    require_lang(lang)
    theme_key = themes if isinstance(themes, str) else tuple(themes)
    params: dict[str, Any] = {
        "focus_actor": focus_actor,
        "area": area,
        "themes": theme_key,
        "limit": limit,
        "max_hops": max_hops,
        "lang": lang,
    }

    def build(snap: Snapshot, used: int, learned: LearnedWeights) -> ActivationPlan:
        ctx = suggest_context(snap, seed=used)
        return activation_plan(snap, **params, seed=used, context=ctx, learned=learned)

    def run(conn: Conn) -> ActivationPlan:
        route = "suggest.route.activation"
        return _ranked(conn, network_id, as_of, seed, learn, route, params, build)

    return cache.with_connection(source, run)


def _refitting(record: Callable[P, Feedback]) -> Callable[P, Feedback]:
    """``record`` (its session and network first), then a refit of the network's learned
    weights when there are enough outcomes (:func:`~.learning.refit`)."""

    @functools.wraps(record)
    def recorded(*args: P.args, **kwargs: P.kwargs) -> Feedback:
        row = record(*args, **kwargs)
        refit(cast(Session, args[0]), row.network_id)
        return row

    return recorded


feedback = _refitting(record_feedback)
"""Store a decision on a suggestion (:func:`~.feedback.record_feedback`), by its id or by
the pair, and refit the learned weights when there are enough outcomes."""


outcome = _refitting(record_outcome)
"""Store what came of an accepted suggestion (:func:`~.feedback.record_outcome`), found by
the feedback id or by the suggestion id, and refit the learned weights."""


def do_not_suggest(
    session: Session, network_id: str, *, source: str, target: str, token_id: str | None = None
) -> DoNotSuggestPair:
    """Never suggest this pair again (:func:`~.feedback.mark_do_not_suggest`)."""
    return mark_do_not_suggest(session, network_id, source, target, token_id=token_id)


def stats(
    source: Source,
    network_id: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by_broker: bool = False,
    lang: str = "nl",
) -> FeedbackStats:
    """Counts and rates of what was shown, per reason code, kind, origin and (``by_broker``)
    per broker, with Wilson intervals (:func:`~.stats.stats`). ``lang`` is accepted like
    every route function's (the figures carry no sentences)."""
    return cache.with_connection(
        source,
        lambda conn: _stats(conn, network_id, since=since, until=until, by_broker=by_broker),
    )


def weights(source: Source, network_id: str) -> WeightReport:
    """The weights that rank the network's suggestions, with their uncertainty."""
    return cache.with_connection(source, lambda conn: weight_report(conn, network_id))
