"""Bounded, thread-safe caches of snapshots and analysis results, keyed by revision.

Every write bumps the network's ``revision`` in the same transaction (DESIGN.md 7). The
caches key everything by ``(network_id, revision, as_of, ...)`` and :func:`get_snapshot`
reads the network's *current* revision from the database on every call (one primary-key
lookup), so any number of worker processes sharing one database never serve a snapshot or a
result older than an acknowledged write: after a write the key changes and the old entry is
simply never asked for again. Seeing a newer revision also drops the older entries of that
network at once, and :func:`purge_network` drops all of them (erasure, DESIGN.md 6).

Concurrent requests for the same missing key compute it once ("single flight"); the others
wait for that result instead of repeating the work.

Global results also live on beyond their revision in :data:`last_results` (the newest result
of each route and parameters, whatever its revision), so that right after a write the last
one can be answered, marked stale, while it is recomputed (:mod:`netwerk.analysis.service`);
and across processes in :data:`shared` (:mod:`netwerk.shared_results`, Redis when configured).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from netwerk import metrics
from netwerk.config import Settings
from netwerk.graph import Snapshot, params_key
from netwerk.shared_results import SharedResults
from netwerk.store.revision import current_revision
from netwerk.store.session import Connection, Engine, Session, SessionFactory
from netwerk.store.snapshot import load_snapshot

__all__ = [
    "LRUCache",
    "cached",
    "cached_for",
    "clear",
    "configure",
    "get_snapshot",
    "is_factory",
    "last_results",
    "on_purge",
    "purge_network",
    "read_revision",
    "remember_last",
    "result_cache",
    "settle",
    "shared",
    "snapshot_cache",
    "stats",
    "with_connection",
]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

Source = Connection | Session | Engine | SessionFactory | Callable[[], Session]


class _Flight:
    __slots__ = ("error", "event", "value")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


@dataclass(frozen=True)
class CacheStats:
    size: int
    maxsize: int
    hits: int
    misses: int


class LRUCache(Generic[K, V]):
    """A bounded least-recently-used map, safe to share between threads.

    Keys are tuples whose first two items are ``(network_id, revision)``.
    """

    def __init__(self, maxsize: int, name: str = "cache") -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.name = name
        self._hit = metrics.cache_hits.labels(name)
        self._miss = metrics.cache_misses.labels(name)
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[K, _Flight] = {}
        self._latest: dict[str, int] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: K) -> V | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                self._hit.inc()
                return self._data[key]
            self.misses += 1
            self._miss.inc()
            return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._put(key, value)

    def _put(self, key: K, value: V) -> None:
        network, revision = _network_revision(key)
        if (
            network is not None
            and revision is not None
            and revision < self._latest.get(network, revision)
        ):
            return  # a result of a revision that is already superseded
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value, or ``compute()`` stored under ``key`` (computed once even when
        several threads ask at the same time)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                self._hit.inc()
                return self._data[key]
            self.misses += 1
            self._miss.inc()
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.event.wait()
            if flight.error is not None:
                raise flight.error
            return cast(V, flight.value)
        try:
            value = compute()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            flight.value = value
            with self._lock:
                self._put(key, value)
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.event.set()

    def saw_revision(self, network_id: str, revision: int) -> None:
        """Record that ``revision`` is current; drop older entries of the network."""
        with self._lock:
            if revision <= self._latest.get(network_id, -1):
                return
            self._latest[network_id] = revision
            stale = [
                k
                for k in self._data
                if _network_revision(k)[0] == network_id
                and (_network_revision(k)[1] or 0) < revision
            ]
            for k in stale:
                del self._data[k]

    def held_keys(self) -> list[K]:
        with self._lock:
            return list(self._data)

    def discard(self, key: K, match: Callable[[V], bool]) -> None:
        """Drop ``key`` if what it holds ``match``-es."""
        with self._lock:
            if key in self._data and match(self._data[key]):
                del self._data[key]

    def purge(self, network_id: str) -> int:
        """Drop every entry of a network; returns how many."""
        with self._lock:
            doomed = [k for k in self._data if _network_revision(k)[0] == network_id]
            for k in doomed:
                del self._data[k]
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._latest.clear()
            self.hits = self.misses = 0

    def resize(self, maxsize: int) -> None:
        with self._lock:
            self.maxsize = max(1, maxsize)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._data), self.maxsize, self.hits, self.misses)


def _network_revision(key: Hashable) -> tuple[str | None, int | None]:
    if isinstance(key, tuple) and len(key) >= 2 and isinstance(key[0], str):
        rev = key[1]
        return key[0], rev if isinstance(rev, int) else None
    return None, None


def _default(setting: str) -> int:
    """The declared default of a size setting (the settings themselves are never read here:
    :func:`api.app.create_app` and the CLI call :func:`configure` with them)."""
    return int(Settings.model_fields[setting].default)


snapshot_cache: LRUCache[tuple[str, int, dt.date], Snapshot] = LRUCache(
    _default("snapshot_cache_size"), "snapshots"
)
"""Snapshots keyed by ``(network_id, revision, as_of)``."""
result_cache: LRUCache[tuple[Any, ...], Any] = LRUCache(_default("result_cache_size"), "results")
"""Results keyed by ``(network_id, revision, as_of, name, params)``."""
last_results: LRUCache[tuple[Any, ...], tuple[int, float, Any]] = LRUCache(
    _default("result_cache_size"), "last_results"
)
"""The newest global result of each ``(network_id, as_of, name, params)``, with its revision
and the time its computation began (kept across revisions: what a stale answer is made of)."""
shared = SharedResults()
"""The shared store of global results (off until :func:`configure` gives it a Redis URL)."""


def configure(
    *,
    snapshot_size: int | None = None,
    result_size: int | None = None,
    shared_store: SharedResults | None = None,
) -> None:
    """Resize the caches and set the shared store: :func:`api.app.create_app` passes the
    ``snapshot_cache_size``, ``result_cache_size``, ``redis_url`` and ``result_lease_s``
    settings (elsewhere, as in the CLI, the shared store stays off: per process).

    The caches belong to the process, not to an app: what they hold is keyed by network and
    revision, so it is right for every app and database connection of the process to share
    it; two apps made in one process share one pair of caches (and one shared store), set by
    the later call."""
    global shared
    if snapshot_size is not None:
        snapshot_cache.resize(snapshot_size)
    if result_size is not None:
        result_cache.resize(result_size)
        last_results.resize(result_size)
    if shared_store is not None:
        shared = shared_store


def read_revision(source: Source, network_id: str) -> int:
    """The network's current revision (one primary-key lookup); drops older cache entries.

    Raises
    ------
    NotFound
        When the network does not exist.
    """
    revision = with_connection(source, lambda conn: current_revision(conn, network_id))
    _saw(network_id, revision)
    return revision


def remember_last(key: tuple[Any, ...], revision: int, began: float, value: Any) -> None:
    """Keep ``value`` as the newest result of ``key`` (``(network_id, as_of, name, params)``)
    unless a newer revision's result is kept already; ``began``: the time (``time.time()``)
    its computation began."""
    with last_results._lock:
        kept = last_results._data.get(key)
        if kept is None or kept[0] <= revision:
            last_results._put(key, (revision, began, value))


def with_connection(source: Source, fn: Callable[[Connection | Session], T]) -> T:
    """Call ``fn`` with a connection or session from any kind of ``source``."""
    if isinstance(source, Connection | Session):
        return fn(source)
    if isinstance(source, Engine):
        with source.connect() as conn:
            return fn(conn)
    session = source()
    try:
        return fn(session)
    finally:
        session.close()


def is_factory(source: Source) -> bool:
    """True when ``source`` is an engine or a session factory: something another thread can
    take a connection of its own from (not one open connection or session)."""
    return not isinstance(source, Connection | Session)


def get_snapshot(source: Source, network_id: str, as_of: dt.date | None = None) -> Snapshot:
    """The snapshot of ``network_id`` on ``as_of`` (default today) at its current revision.

    ``source`` is a ``Connection``, a ``Session``, an ``Engine`` or a session factory. The
    current revision is read on every call; a snapshot is loaded only when none is cached
    for that revision (concurrent callers share one load). :func:`load_snapshot` labels a
    snapshot with the revision its contents belong to, so a write that lands during the load
    files the snapshot under the newer revision, never under an older one.

    Raises
    ------
    NotFound
        When the network does not exist.
    """
    day = as_of or dt.date.today()

    def run(conn: Connection | Session) -> Snapshot:
        revision = current_revision(conn, network_id)
        _saw(network_id, revision)

        def load() -> Snapshot:
            loaded = metrics.timed_call(
                metrics.snapshot_load_seconds, lambda: load_snapshot(conn, network_id, as_of=day)
            )
            if loaded.advance is None:  # a full load, not one advanced by the change log
                settle()
            return loaded

        snap = snapshot_cache.get_or_compute((network_id, revision, day), load)
        if snap.revision != revision:
            _saw(network_id, snap.revision)
            snapshot_cache.put((network_id, snap.revision, day), snap)
        return snap

    return with_connection(source, run)


def settle() -> None:
    """Move every object alive now out of the cyclic garbage collector's way (``gc.freeze``):
    called after a snapshot is loaded in full and after a suggestion model is fitted, the
    moments a process gains millions of long-lived objects (a 100,000-actor snapshot's
    tuples, sets and strings). Otherwise each full collection traverses them all again, and
    one of those passes (~150 ms at 100,000 actors) lands now and then inside a request:
    it was the tail of the first suggestions after a write (p95 310 ms; 155 ms settled,
    ``bench/suggest_after_write.py``). Frozen objects are still freed by reference counting
    when dropped; only a reference cycle among them would wait for ``gc.unfreeze``, and the
    snapshots, models and results are plain acyclic records."""
    gc.freeze()


def _saw(network_id: str, revision: int) -> None:
    snapshot_cache.saw_revision(network_id, revision)
    result_cache.saw_revision(network_id, revision)


def cached(
    network_id: str,
    revision: int,
    name: str,
    params: Mapping[str, Any],
    fn: Callable[[], T],
    *,
    as_of: dt.date | None = None,
) -> T:
    """``fn()``, cached under ``(network_id, revision, as_of, name, params)``."""
    key = (network_id, revision, as_of, name, params_key(params))
    histogram = metrics.analysis_seconds.labels(name)
    return cast(T, result_cache.get_or_compute(key, lambda: metrics.timed_call(histogram, fn)))


def cached_for(snapshot: Snapshot, name: str, params: Mapping[str, Any], fn: Callable[[], T]) -> T:
    """:func:`cached` keyed by the snapshot's network, revision and date."""
    return cached(snapshot.network_id, snapshot.revision, name, params, fn, as_of=snapshot.as_of)


_forgetters: list[Callable[[str | None], int]] = []


def on_purge(forget: Callable[[str | None], int]) -> None:
    """Have ``forget(network_id)`` (``None``: every network) called by :func:`purge_network`
    and :func:`clear`: what other modules keep per network beyond these caches (the
    suggestion models of :mod:`netwerk.suggest.kept`) goes with them. It returns how many
    entries it dropped."""
    if forget not in _forgetters:
        _forgetters.append(forget)


def purge_network(network_id: str) -> int:
    """Drop every cached snapshot and result of a network (erasure), in this process and in
    the shared store, and what :func:`on_purge` registered keeps of it; returns how many."""
    from netwerk.store import delta  # the snapshots kept to advance by the change log (issue 12)

    delta.forget(network_id)
    kept = sum(forget(network_id) for forget in list(_forgetters))
    return kept + (
        snapshot_cache.purge(network_id)
        + result_cache.purge(network_id)
        + last_results.purge(network_id)
        + shared.purge(network_id)
    )


def clear() -> None:
    """Empty this process's caches (tests; the shared store is left alone)."""
    from netwerk.store import delta

    delta.forget()
    for forget in list(_forgetters):
        forget(None)
    snapshot_cache.clear()
    result_cache.clear()
    last_results.clear()


def stats() -> dict[str, CacheStats]:
    return {"snapshots": snapshot_cache.stats(), "results": result_cache.stats()}
