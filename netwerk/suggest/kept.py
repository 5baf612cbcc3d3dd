"""The suggestion models kept per network, refitted on a schedule (issue 12, *local*).

Fitting what suggestions learn from a network (:class:`~.context.SuggestModel`: the
feasibility weights, the communities, the overload threshold) takes seconds on a large
network; a write changes them little. So a network's model is kept and used on every later
snapshot — the ties, consent, components, isolation and reach of themes are always those of
the current snapshot (:func:`~.context.build_context`) — and refitted in the background once
it is ``changes`` revisions behind or ``minutes`` old (and the network changed since). Until
the refit is in, suggestions are answered with the kept model on the current snapshot, so
a broker's own last write is always in them (read-your-writes): the snapshot is the
current revision on every request (:func:`netwerk.cache.get_snapshot`). Only the first
request of a network fits synchronously (a cold start).

Suggestions are deterministic per (model revision, snapshot revision): the model's seed is
the network's at the revision it was fitted at (:func:`~.service.network_seed`), or the
seed the caller gives (a model of its own for that seed).

Erasure leaves no trace: :func:`netwerk.cache.purge_network` drops the network's models and
their contexts (:func:`forget`), and a refit running at that moment is not kept.

The model is kept per network (and caller-given seed), not per day: the model of yesterday's
snapshot serves today's until the schedule refits it. Snapshots of a past date (``as_of``)
do not use it: their context is fitted per revision, as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from netwerk import cache
from netwerk.graph import Snapshot
from netwerk.suggest.context import SuggestContext, SuggestModel, fit_model, suggest_context

__all__ = ["Schedule", "configure", "context_for", "forget", "kept_models", "wait_for_refits"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """Refit a kept model once it is ``changes`` revisions behind, or ``minutes`` old and
    the network changed since (``NETWERK_SUGGEST_REFIT_CHANGES`` / ``_MINUTES``)."""

    changes: int = 100
    minutes: float = 10.0

    def due(self, model: SuggestModel, revision: int, now: float) -> bool:
        behind = revision - model.revision
        return behind >= self.changes or (behind > 0 and now - model.fitted_at >= 60 * self.minutes)


@dataclass
class _Kept:
    model: SuggestModel
    last: SuggestContext | None = None
    refitting: bool = False


_schedule = Schedule()
_kept: dict[tuple[str, int | None], _Kept] = {}
_generation: dict[str, int] = {}
_lock = threading.Lock()
_threads: list[threading.Thread] = []
_MAX = 16
"""Networks (and seeds) whose model is kept."""


def configure(*, changes: int | None = None, minutes: float | None = None) -> None:
    """Set the schedule (:func:`api.app.create_app` passes the settings)."""
    global _schedule
    _schedule = Schedule(
        changes if changes is not None else _schedule.changes,
        minutes if minutes is not None else _schedule.minutes,
    )


def forget(network_id: str | None = None) -> int:
    """Drop the kept models of a network (erasure), or of all; a refit under way is not
    kept. Returns how many were dropped."""
    with _lock:
        doomed = [k for k in _kept if network_id is None or k[0] == network_id]
        for k in doomed:
            del _kept[k]
        for nid in [network_id] if network_id is not None else list(_generation):
            _generation[nid] = _generation.get(nid, 0) + 1
        return len(doomed)


cache.on_purge(forget)


def kept_models(network_id: str) -> list[SuggestModel]:
    """The models kept for a network (tests, metrics)."""
    with _lock:
        return [k.model for key, k in _kept.items() if key[0] == network_id]


def wait_for_refits(timeout: float = 60.0) -> None:
    """Wait for the background refits under way (tests, benchmarks)."""
    for t in list(_threads):
        t.join(timeout)


def _store(key: tuple[str, int | None], kept: _Kept) -> None:
    _kept[key] = kept
    while len(_kept) > _MAX:
        _kept.pop(next(iter(_kept)))


def context_for(
    snapshot: Snapshot, seed: int | None, network_seed: Callable[[str, int], int]
) -> SuggestContext:
    """The context suggestions use on ``snapshot`` (the current revision): the kept model
    of the network (fitted now when there is none, refitted in the background when due) on
    this snapshot. ``seed``: the caller's, else ``network_seed(network, model revision)``."""
    s = snapshot
    if s.as_of != dt.date.today():
        used = network_seed(s.network_id, s.revision) if seed is None else seed
        return suggest_context(s, seed=used)
    key = (s.network_id, seed)  # not by day: yesterday's model serves today's snapshot
    with _lock:
        kept = _kept.get(key)
        generation = _generation.get(s.network_id, 0)
        start = (
            kept is not None
            and kept.model.revision <= s.revision
            and not kept.refitting
            and _schedule.due(kept.model, s.revision, time.monotonic())
        )
        if start and kept is not None:
            kept.refitting = True
    if kept is None or kept.model.revision > s.revision:
        used = network_seed(s.network_id, s.revision) if seed is None else seed
        model = cache.cached_for(
            s, "suggest.model", {"seed": used}, lambda: fit_model(s, seed=used)
        )
        cache.settle()
        kept = _Kept(model)
        with _lock:
            if _generation.get(s.network_id, 0) == generation:
                _store(key, kept)
    elif start:
        _refit(key, kept, s, seed, network_seed, generation)
    model, previous = kept.model, kept.last
    ctx = suggest_context(s, model=model, previous=previous)
    with _lock:
        if kept.last is None or kept.last.snapshot.revision < s.revision:
            kept.last = ctx
    return ctx


def _lower_priority() -> None:
    """Let the requests go first: on Linux a thread has a scheduling priority of its own."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _refit(
    key: tuple[str, int | None],
    kept: _Kept,
    s: Snapshot,
    seed: int | None,
    network_seed: Callable[[str, int], int],
    generation: int,
) -> None:
    """Fit a new model on ``s`` in a background thread; it replaces the kept one when done
    (unless the network was purged meanwhile)."""
    used = network_seed(s.network_id, s.revision) if seed is None else seed

    def run() -> None:
        _lower_priority()
        try:
            model = fit_model(s, seed=used)
            # its context on this snapshot too, for the next revisions to advance from
            ctx = suggest_context(s, model=model)
            cache.settle()
        except Exception:  # pragma: no cover - logged; the old model stays in use
            log.exception("refitting the suggestion model failed")
            kept.refitting = False
            return
        with _lock:
            if _generation.get(s.network_id, 0) != generation:
                # purged (an erasure) while fitting: what it cached of the old state goes too
                cache.result_cache.purge(s.network_id)
            elif _kept.get(key) is kept:
                # the newest context, of either model, for the next revision to advance from
                last = kept.last
                newer = last is not None and last.snapshot.revision > ctx.snapshot.revision
                _store(key, _Kept(model, last if newer else ctx))
            kept.refitting = False

    thread = threading.Thread(target=run, name="suggest-refit", daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()
