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

The fitted part of the context (feasibility weights, communities) is a model kept per
network and refitted on a schedule, not on every write (:mod:`.kept`); the rest of the
context is the current snapshot's, so a broker's own last write is always in the answer.
Randomness (the feasibility model's sampled non-ties, the communities, sampled distances) is
seeded from the network and the revision the model was fitted at (:func:`network_seed`)
unless a ``seed`` is given: the same model revision and snapshot revision give the same
suggestions in the same order.
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
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar, cast

from netwerk import cache
from netwerk.graph import Snapshot, require_lang
from netwerk.store.session import Conn, Session
from netwerk.suggest.activation import ActivationPlan, activation_plan
from netwerk.suggest.exclusions import CoolDown, Exclusions, load_exclusions
from netwerk.suggest.feedback import (
    DoNotSuggestPair,
    Feedback,
    mark_do_not_suggest,
    record_feedback,
    record_outcome,
)
from netwerk.suggest.impressions import remember
from netwerk.suggest.kept import context_for
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


_SUPPLIED = frozenset({"seed", "exclusions", "context", "learned"})
"""What the service hands the domain functions itself (from the network, its revision and
the store); a caller passes ``seed`` (an int, or None for the network's) as the service's own
argument."""


_signature = functools.cache(inspect.signature)


def _arguments(fn: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the caller gives ``fn`` (``params``), bound against ``fn``'s
    own signature with its defaults filled in, without what the service supplies: so each
    parameter is stated once, in ``fn``'s signature, and the result is the cache key too.
    A parameter ``fn`` does not take is a ``TypeError``, as in a call; ``lang`` is checked."""
    given = _SUPPLIED & params.keys()
    if given:
        raise TypeError(f"{fn.__name__}() gets {', '.join(sorted(given))} from the service")
    bound = _signature(fn).bind_partial(**params)
    bound.apply_defaults()
    arguments = {k: v for k, v in bound.arguments.items() if k not in _SUPPLIED}
    if "lang" in arguments:
        require_lang(arguments["lang"])
    return arguments


def _context(snap: Snapshot, seed: int | None, learned: LearnedWeights | None) -> dict[str, Any]:
    """What the service supplies a ranking function: the context on this snapshot with the
    network's kept model (:mod:`.kept`: refitted on a schedule, fitted with the caller's
    seed when one is given), its seed and the learned weights."""
    ctx = context_for(snap, seed, network_seed)
    return {"seed": ctx.seed, "context": ctx, "learned": learned}


def suggestions(
    source: Source,
    network_id: str,
    actor_id: str,
    *,
    theme: str | Iterable[str] | None = None,
    as_of: dt.date | None = None,
    seed: int | None = None,
    now: dt.datetime | None = None,
    cool_down: CoolDown | None = None,
    learn: bool = True,
    **params: Any,
) -> SuggestionList:
    """Ranked suggestions for one actor: :func:`~.suggestions.suggest_for_actor` with
    ``params`` (``theme`` is its ``themes``), the actor's exclusions read from the store at
    ``now`` (default: now), ranked with the network's learned weights (``learn=False``: the
    prior weights)."""
    if theme is not None:
        params["themes"] = theme
    arguments = _arguments(suggest_for_actor, params)

    def run(conn: Conn) -> SuggestionList:
        snap = cache.get_snapshot(conn, network_id, as_of)
        snap.actor_index(actor_id)
        excl = load_exclusions(conn, network_id, actor_id=actor_id, now=now, cool_down=cool_down)
        learned = load_weights(conn, network_id) if learn else None
        supplied = _context(snap, seed, learned)
        return suggest_for_actor(snap, actor_id, **arguments, exclusions=excl, **supplied)

    return cache.with_connection(source, run)


def _fingerprint(excl: Exclusions) -> str:
    digest = hashlib.sha256()
    for pair, why in sorted(excl.reasons.items()):
        digest.update(f"{pair[0]}|{pair[1]}|{why};".encode())
    return digest.hexdigest()[:16]


def _ranked(
    fn: Callable[..., T],
    route: str,
    source: Source,
    network_id: str,
    as_of: dt.date | None,
    seed: int | None,
    learn: bool,
    params: dict[str, Any],
    exclusions: Callable[[Conn], Exclusions] | None = None,
) -> T:
    """``fn(snapshot, **params)`` with what the service supplies, once per snapshot, seed,
    learned weights, exclusions and parameters (cached as ``suggest.route.<route>``, keyed by the
    arguments ``fn`` binds): the seed from the network and its revision unless given, the
    network's learned weights unless ``learn`` is False, the exclusions read fresh."""
    arguments = _arguments(fn, params)

    def run(conn: Conn) -> T:
        snap = cache.get_snapshot(conn, network_id, as_of)
        learned = load_weights(conn, network_id) if learn else PRIOR
        supplied = _context(snap, seed, learned)
        model = supplied["context"].model
        key = {
            **arguments,
            "seed": supplied["seed"],
            "model": (model.revision, model.fitted_at) if model is not None else None,
            "weights": learned.label,
        }
        handed: dict[str, Any] = {}
        if exclusions is not None:
            handed["exclusions"] = excl = exclusions(conn)
            key["exclusions"] = _fingerprint(excl)
        return cache.cached_for(
            snap,
            f"suggest.route.{route}",
            key,
            lambda: fn(snap, **arguments, **handed, **supplied),
        )

    return cache.with_connection(source, run)


def weave(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    seed: int | None = None,
    now: dt.datetime | None = None,
    learn: bool = True,
    **params: Any,
) -> WeaveList:
    """Network-level introductions that close the largest structural holes
    (:func:`~.weave.weave` with ``params``), skipping the pairs excluded at ``now``, ranked
    with the network's learned weights (``learn=False``: the prior weights)."""

    def excluded(conn: Conn) -> Exclusions:
        return load_exclusions(conn, network_id, now=now)

    return _ranked(_weave, "weave", source, network_id, as_of, seed, learn, params, excluded)


def activation(
    source: Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    seed: int | None = None,
    learn: bool = True,
    **params: Any,
) -> ActivationPlan:
    """The activation plan for ``themes`` around ``focus_actor`` or ``area``
    (:func:`~.activation.activation_plan` with ``params``), ranked with the network's
    learned weights (``learn=False``: the prior weights)."""
    return _ranked(activation_plan, "activation", source, network_id, as_of, seed, learn, params)


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


def stats(source: Source, network_id: str, *, lang: str = "nl", **params: Any) -> FeedbackStats:
    """Counts and rates of what was shown, per reason code, kind, origin and (``by_broker``)
    per broker, with Wilson intervals (:func:`~.stats.stats` with ``params``). ``lang`` is
    accepted like every route function's (the figures carry no sentences)."""
    return cache.with_connection(source, lambda conn: _stats(conn, network_id, **params))


def weights(source: Source, network_id: str) -> WeightReport:
    """The weights that rank the network's suggestions, with their uncertainty."""
    return cache.with_connection(source, lambda conn: weight_report(conn, network_id))
