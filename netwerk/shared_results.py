"""Global analysis results shared by every worker process (Redis), and their background
recompute after a write.

A *global* result (summary, stage, centrality, key figures, brokers, bridges, communities,
gaps: one whole-network computation) is computed once per network revision across all
workers: a worker that misses it in its own cache looks in Redis, and when it is not there
takes a short lease on computing it (``SET key NX PX``, renewed while the computation runs);
the others wait for the leaseholder's result as long as it holds the lease (or answer the
last result, marked stale, see :mod:`netwerk.analysis.service`).

Entries are the result records as JSON (pydantic's serialiser of the frozen dataclass, read
back through the same type): nothing from Redis is ever unpickled or executed. Keys:

* ``netwerk:res:<network>:<revision>:<day>:<route>:<params digest>``: the result of one
  revision;
* ``netwerk:res:<network>:last:<day>:<route>:<params digest>``: ``<revision> <began>\\n``
  followed by the newest result of that route (what a worker answers, marked stale, right
  after a write);
* ``netwerk:lease:<network>:...``: the lease of whoever computes that revision's result.

Erasure deletes every key of the network (:meth:`SharedResults.purge`). Without a Redis URL
the store is off and each process computes alone. When Redis cannot be reached the store
degrades like the rate limiter: a warning once per outage, ``netwerk_shared_results_total
{outcome="fallback"}``, per-process behaviour, a new try after ``retry_s``; an analysis never
fails because of Redis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from netwerk import metrics

__all__ = ["Background", "SharedResults", "background", "digest"]

log = logging.getLogger("netwerk.shared_results")

_GLOB = re.compile(r"([*?\[\]\\])")


def digest(params: Hashable) -> str:
    """A stable digest of a :func:`netwerk.graph.params_key` (the same in every process)."""
    return hashlib.sha256(repr(params).encode()).hexdigest()[:32]


class SharedResults:
    """The shared store of global results; off (every method a no-op) without ``redis_url``."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        lease_s: float = 30.0,
        ttl_s: int = 86_400,
        retry_s: float = 5.0,
        prefix: str = "netwerk",
    ) -> None:
        self.lease_s = lease_s
        self.ttl_s = ttl_s
        self.retry_s = retry_s
        self.prefix = prefix
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        self._lock = threading.Lock()
        self._down_until = 0.0
        self.degraded = False
        self._pending: set[str] = set()

    @property
    def configured(self) -> bool:
        return self._redis is not None

    # ----------------------------------------------------------------- keys

    def key(self, network_id: str, revision: int, day: dt.date, route: str, params: str) -> str:
        return f"{self.prefix}:res:{network_id}:{revision}:{day.isoformat()}:{route}:{params}"

    def last_key(self, network_id: str, day: dt.date, route: str, params: str) -> str:
        return f"{self.prefix}:res:{network_id}:last:{day.isoformat()}:{route}:{params}"

    def _lease_key(self, key: str) -> str:
        return key.replace(f"{self.prefix}:res:", f"{self.prefix}:lease:", 1)

    # ----------------------------------------------------------------- Redis calls

    def _call(self, fn: Callable[[Any], Any]) -> tuple[bool, Any]:
        """``(True, fn(redis))``, or ``(False, None)`` when the store is off or Redis is
        unreachable (then marked down for ``retry_s``)."""
        if self._redis is None:
            return False, None
        if self.degraded and time.monotonic() < self._down_until:
            metrics.shared_results.labels("fallback").inc()
            return False, None
        if self._pending:  # erasures that happened while Redis was down go first
            with self._lock:
                pending, self._pending = self._pending, set()
            for network_id in pending:
                self.purge(network_id)
        import redis

        try:
            value = fn(self._redis)
        except (redis.RedisError, OSError) as exc:
            self._mark_down(exc)
            metrics.shared_results.labels("fallback").inc()
            return False, None
        if self.degraded:
            self.degraded = False
            log.warning("Redis is reachable again; global results are shared again")
        return True, value

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_s
            if not self.degraded:
                self.degraded = True
                log.warning(
                    "global results are computed per process until Redis answers again (%s)",
                    type(exc).__name__,
                )

    def get(self, key: str) -> bytes | None:
        ok, value = self._call(lambda r: r.get(key))
        return value if ok and isinstance(value, bytes) else None

    def get_last(self, last_key: str) -> tuple[int, float, bytes] | None:
        """The revision, start time and data of the newest published result under
        ``last_key``."""
        ok, value = self._call(lambda r: r.get(last_key))
        if not ok or not isinstance(value, bytes) or b"\n" not in value:
            return None
        head, data = value.split(b"\n", 1)
        try:
            revision, began = head.split(b" ", 1)
            return int(revision), float(began), data
        except ValueError:
            return None

    def publish(self, key: str, last_key: str, revision: int, began: float, data: bytes) -> None:
        """Store a result of ``revision``; make it the newest unless a newer one is there."""

        def run(r: Any) -> None:
            pipe = r.pipeline()
            pipe.set(key, data, ex=self.ttl_s)
            pipe.execute()
            # the "last" pointer only moves forward (a slow worker must not put it back)
            r.eval(
                _SET_IF_NEWER,
                1,
                last_key,
                revision,
                b"%d %.3f\n" % (revision, began) + data,
                self.ttl_s,
            )

        self._call(run)

    def lease(self, key: str) -> str | None:
        """A token when this worker now holds the lease on computing ``key``; ``None`` when
        another worker holds it. The store being off or down counts as holding it (compute
        here)."""
        token = uuid.uuid4().hex
        ok, value = self._call(
            lambda r: r.set(self._lease_key(key), token, nx=True, px=int(self.lease_s * 1000))
        )
        if not ok:
            return token
        return token if value else None

    def release(self, key: str, token: str) -> None:
        self._call(lambda r: r.eval(_DELETE_IF, 1, self._lease_key(key), token))

    @contextmanager
    def holding(self, key: str, token: str) -> Iterator[None]:
        """Keep the lease on ``key`` while the body runs: renewed to ``lease_s`` every third
        of it (only while ``token`` still holds it), so a computation longer than the lease
        (a full analysis of a million actors) is never started a second time by a waiting
        worker, while the lease of a worker that died still ends within ``lease_s``."""
        if not self.configured:
            yield
            return
        stop = threading.Event()
        ms = int(self.lease_s * 1000)
        lease = self._lease_key(key)

        def renew() -> None:
            while not stop.wait(self.lease_s / 3):
                self._call(lambda r: r.eval(_EXTEND_IF, 1, lease, token, ms))

        renewing = threading.Thread(target=renew, name="netwerk-lease", daemon=True)
        renewing.start()
        try:
            yield
        finally:
            stop.set()

    def wait(self, key: str, timeout: float, poll_s: float = 0.05) -> bytes | None:
        """The result under ``key`` once another worker has published it, or ``None`` after
        ``timeout`` seconds or as soon as the lease is gone without a result."""
        deadline = time.monotonic() + timeout
        lease = self._lease_key(key)
        while time.monotonic() < deadline:
            ok, got = self._call(lambda r: (r.get(key), r.exists(lease)))
            if not ok:
                return None
            data, held = got
            if data is not None:
                metrics.shared_results.labels("waited").inc()
                return bytes(data)
            if not held:
                return None
            time.sleep(poll_s)
        return None

    def purge(self, network_id: str) -> int:
        """Delete every shared entry and lease of a network (erasure); returns how many. While
        Redis is unreachable the network is remembered and purged on the first call that
        reaches Redis again (before anything else is read from it; the entries of revisions
        before the erasure are never answered meanwhile: see :mod:`netwerk.analysis.service`)."""
        escaped = _GLOB.sub(r"\\\1", network_id)

        def run(r: Any) -> int:
            n = 0
            for kind in ("res", "lease"):
                batch: list[Any] = []
                for k in r.scan_iter(match=f"{self.prefix}:{kind}:{escaped}:*", count=500):
                    batch.append(k)
                    if len(batch) >= 500:
                        n += int(r.delete(*batch))
                        batch = []
                if batch:
                    n += int(r.delete(*batch))
            return n

        ok, value = self._call(run)
        if not ok and self._redis is not None:
            with self._lock:
                self._pending.add(network_id)  # purged as soon as Redis answers again
        return int(value) if ok else 0

    def state(self) -> str:
        """``off``, ``ok`` or ``degraded``."""
        if self._redis is None:
            return "off"
        ok, _ = self._call(lambda r: r.ping())
        return "ok" if ok else "degraded"


_SET_IF_NEWER = """
local cur = redis.call('GET', KEYS[1])
if cur then
  local rev = tonumber(string.match(cur, '^(%d+) '))
  if rev and rev > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""

_EXTEND_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Background:
    """Background recomputes: at most one running job per key, each in its own daemon
    thread, and at most ``limit`` at once."""

    def __init__(self, limit: int = 8) -> None:
        self.limit = limit
        self._jobs: set[Hashable] = set()
        self._idle = threading.Condition()

    def start(self, key: Hashable, job: Callable[[], Any]) -> bool | None:
        """Run ``job`` in a thread unless a job of ``key`` is running (False); ``None`` when
        ``limit`` jobs run already (the caller computes in the foreground); True when
        started."""
        with self._idle:
            if key in self._jobs:
                return False
            if len(self._jobs) >= self.limit:
                return None
            self._jobs.add(key)

        def run() -> None:
            try:
                job()
            except Exception as exc:  # a failed refresh is retried by the next stale answer
                log.warning("background recompute failed: %s", type(exc).__name__)
            finally:
                with self._idle:
                    self._jobs.discard(key)
                    self._idle.notify_all()

        threading.Thread(target=run, name="netwerk-refresh", daemon=True).start()
        return True

    def running(self) -> int:
        with self._idle:
            return len(self._jobs)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs (tests, shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._jobs, timeout)


background = Background()
"""The process's background recomputes."""
