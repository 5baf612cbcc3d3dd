"""The analysis process: background recomputes of global analyses in a long-lived child
process of each worker (issue 12, "first dashboard after a write ≤ 1 s").

After a write a global analysis (summary, key figures, gaps, communities, ...) is answered
with the last result, marked stale, and recomputed in the background
(:mod:`netwerk.analysis.service`). python-igraph holds Python's global interpreter lock for
the whole of each of its C calls (betweenness, Leiden, path lengths: seconds each at 100,000
actors; python-igraph issue 866), so a recompute in a thread of the worker stalls every
request of that worker meanwhile. Here the recompute runs in one child process instead
(:class:`concurrent.futures.ProcessPoolExecutor`, one worker, started by *spawn*: the parent
has threads, so it is never forked), made on the first background job and kept.

The child has its own database engine, caches and shared store, configured as the parent's
(:class:`ChildConfig`); it computes a route by name (:data:`netwerk.analysis.service.ROUTES`)
with the route's own parameters and ``fresh=True``: through the same code path as any
worker's current result, so the lease and the publishing in the shared store (computed once
per revision across workers) and the erasure fence hold there too, and its own kept snapshot
is advanced by the change log (:mod:`netwerk.store.delta`) like any process's. The result (a
frozen dataclass of plain values) comes back pickled, and the parent files it in its caches.

An erasure in the parent (:func:`netwerk.cache.purge_network`) sends a purge of that network
to the child (it runs after the job in progress: one worker); a result the child returns for
a revision before an erasure is not filed (see the service). A child that died (killed, out
of memory) breaks the pool: that job is computed in a thread of the worker after all, with a
warning in the log, and the next job starts a new child.

Priority: the child runs ``NETWERK_ANALYSIS_PROCESS_NICE`` (default 10) nicer than its worker.
A recompute keeps a core busy for seconds after every write; at the worker's priority it
shared the cores evenly with the worker's requests, and the first suggestions read after a
write (issue 12: p95 <= 100 ms at 10,000 actors) waited behind it. Nicer, the child takes
what the requests leave (on an idle machine all of a core).

Memory: the child holds its own snapshots, as large as the worker's.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import weakref
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from netwerk import allocator, cache

__all__ = [
    "BrokenProcessPool",
    "ChildConfig",
    "ChildFailed",
    "Runner",
    "Stopped",
    "configure",
    "runner",
]

log = logging.getLogger("netwerk.analysis.process")


@dataclass(frozen=True)
class ChildConfig:
    """What the child needs to work as the worker does: its database (URL and busy timeout),
    the sizes of its caches and the shared store (Redis URL and lease); and how much
    nicer than the worker it runs (``nice``, added to the worker's niceness)."""

    database_url: str
    busy_timeout_s: float
    snapshot_cache_size: int
    result_cache_size: int
    redis_url: str | None
    result_lease_s: float
    nice: int = 0

    def __repr__(self) -> str:  # the URL may hold a password
        return "ChildConfig(...)"


class ChildFailed(RuntimeError):
    """The analysis failed in the child; ``kind`` is the exception's type name (its message
    stays in the child: it could name people)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Stopped(Exception):
    """The runner was shut down while the job waited or ran (the app stops)."""


class Runner:
    """The worker's analysis process: made on the first job, made again after it died."""

    def __init__(self, config: ChildConfig) -> None:
        self.config = config
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._stopped: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.config,),
                )
            return self._pool

    def _submit(self, pool: ProcessPoolExecutor, fn: Any, *args: Any) -> Future[Any]:
        try:
            return pool.submit(fn, *args)
        except BrokenProcessPool:
            stopped = pool in self._stopped
            self._discard(pool)
            if stopped:
                raise Stopped from None
            raise
        except RuntimeError:  # "cannot schedule new futures after shutdown"
            raise Stopped from None

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool (the next job makes a new one)."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def compute(
        self, name: str, network_id: str, as_of: dt.date | None, params: dict[str, Any]
    ) -> Any:
        """The current result of the global route ``name``, computed in the child (blocks
        this thread, not the others).

        Raises
        ------
        BrokenProcessPool
            When the child died (the next call starts a new one).
        ChildFailed
            When the analysis raised there.
        """
        pool = self._executor()
        future = self._submit(pool, _compute, name, network_id, as_of, params)
        try:
            kind, value = future.result()
        except CancelledError:
            raise Stopped from None
        except BrokenProcessPool:
            stopped = pool in self._stopped
            self._discard(pool)
            if stopped:
                raise Stopped from None
            raise
        if kind != "ok":
            raise ChildFailed(str(value))
        return value

    def purge(self, network_id: str | None) -> Future[int] | None:
        """Drop what the child keeps of ``network_id`` (``None``: of every network), after
        the job in progress; ``None`` when no child runs (it then keeps nothing)."""
        with self._lock:
            pool = self._pool
        if pool is None:
            return None
        try:
            return pool.submit(_purge, network_id)
        except (BrokenProcessPool, RuntimeError):  # died or shut down: it keeps nothing
            return None

    def probe(self) -> Future[dict[str, Any]]:
        """The child's process id, its niceness and the networks it keeps anything of
        (operations, tests)."""
        return self._submit(self._executor(), _probe)

    def shutdown(self) -> None:
        """Stop the child now (a running analysis is abandoned: it only ever fills the
        child's memory, and its lease in the shared store ends by itself)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        self._stopped.add(pool)
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


_runner: Runner | None = None


def configure(new: Runner | None) -> None:
    """Use ``new`` for the background recomputes of this process (``None``: threads).
    :func:`api.app.create_app` calls it with its ``analysis_process`` setting; like the
    caches, the runner belongs to the process: two apps made in one process share the one
    set by the later call. A runner replaced is shut down.

    >>> kept = runner()
    >>> configure(None)  # threads, as the CLI has it
    >>> runner() is None
    True
    >>> configure(kept)
    """
    global _runner
    old, _runner = _runner, new
    if old is not None and old is not new:
        old.shutdown()


def runner() -> Runner | None:
    """The runner of this process, or ``None`` (recomputes run in threads).

    >>> runner() is None or isinstance(runner(), Runner)
    True
    """
    return _runner


def _forget(network_id: str | None) -> int:
    """The purge hook (:func:`netwerk.cache.on_purge`): the child forgets the network too."""
    current = _runner
    if current is not None:
        current.purge(network_id)
    return 0  # counted in the child


cache.on_purge(_forget)


# --------------------------------------------------------------------------- in the child

_engine: Any = None


def _start(config: ChildConfig) -> None:
    """The child's initializer: its own engine, caches and shared store, as the worker's;
    its priority lowered by ``config.nice``: a recompute takes seconds of a core, and the
    worker's requests (the first suggestions after a write) should not wait behind it."""
    global _engine
    if config.nice > 0:
        os.nice(config.nice)
    allocator.tune()
    from netwerk.shared_results import SharedResults
    from netwerk.store.db import make_engine

    _engine = make_engine(
        config.database_url, busy_timeout_s=config.busy_timeout_s, pool_size=2, max_overflow=2
    )
    cache.configure(
        snapshot_size=config.snapshot_cache_size,
        result_size=config.result_cache_size,
        shared_store=SharedResults(config.redis_url, lease_s=config.result_lease_s),
    )


def _compute(
    name: str, network_id: str, as_of: dt.date | None, params: dict[str, Any]
) -> tuple[str, Any]:
    """``("ok", result)`` of the route ``name``, or ``("error", type name)``."""
    from netwerk.analysis import service

    try:
        return "ok", service.ROUTES[name](_engine, network_id, as_of=as_of, fresh=True, **params)
    except Exception as exc:  # its message stays here (it could name people)
        log.warning("analysis %s failed in the analysis process: %s", name, type(exc).__name__)
        return "error", type(exc).__name__


def _purge(network_id: str | None) -> int:
    if network_id is None:
        cache.clear()
        return 0
    return cache.purge_network(network_id)


def _probe() -> dict[str, Any]:
    from netwerk.store import delta

    held = {key[0] for key in delta.held()}
    for lru in (cache.snapshot_cache, cache.result_cache, cache.last_results):
        held |= {key[0] for key in lru.held_keys() if isinstance(key, tuple) and key}
    return {"pid": os.getpid(), "networks": sorted(held), "nice": os.nice(0)}
