"""Fixed-window rate limits per token. With Redis the windows are shared by every worker
process and host; without it each process counts alone (fine for one worker).

When Redis cannot be reached (not started, stopped, a network fault) the limiter degrades
instead of failing the request: it counts per process, logs a warning (once per outage),
counts each such decision in ``netwerk_rate_limit_fallbacks_total``, sets
``netwerk_redis_degraded`` to 1, and tries Redis again after ``retry_s`` seconds. Readiness
(``/ready``) reports Redis as degraded meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from netwerk import metrics

__all__ = ["RateLimiter", "Verdict"]

log = logging.getLogger("netwerk.ratelimit")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        redis_url: str | None = None,
        prefix: str = "netwerk:rl",
        *,
        retry_s: float = 5.0,
    ) -> None:
        self.per_minute = per_minute
        self.prefix = prefix
        self.retry_s = retry_s
        self._redis: Any = None
        self.configured = bool(redis_url and per_minute > 0)
        if self.configured:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url,  # type: ignore[arg-type]
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
        self._lock = threading.Lock()
        self._local: dict[str, int] = {}
        self._down_until = 0.0  # while Redis is considered down: monotonic time of next try
        self.degraded = False

    def hit(self, key: str) -> Verdict:
        if self.per_minute <= 0:
            return Verdict(True, 0, 0)
        now = time.time()
        window = int(now // 60)
        retry = 60 - int(now % 60)
        bucket = f"{self.prefix}:{key}:{window}"
        count = self._shared_count(bucket)
        if count is None:
            with self._lock:
                if len(self._local) > 100_000:
                    self._local = {k: v for k, v in self._local.items() if k.endswith(f":{window}")}
                count = self._local.get(bucket, 0) + 1
                self._local[bucket] = count
        allowed = count <= self.per_minute
        if not allowed:
            metrics.rate_limit_refusals.inc()
        return Verdict(allowed, max(0, self.per_minute - count), retry)

    def _shared_count(self, bucket: str) -> int | None:
        """The window's count in Redis, or None when Redis is off or unreachable."""
        if self._redis is None:
            return None
        if self.degraded and time.monotonic() < self._down_until:
            metrics.rate_limit_fallbacks.inc()
            return None
        import redis

        try:
            pipe = self._redis.pipeline()
            pipe.incr(bucket)
            pipe.expire(bucket, 120)
            count = int(pipe.execute()[0])
        except (redis.RedisError, OSError) as exc:
            self._mark_down(exc)
            metrics.rate_limit_fallbacks.inc()
            return None
        if self.degraded:
            self.degraded = False
            metrics.redis_degraded.set(0)
            log.warning("Redis is reachable again; rate limits are shared across workers again")
        return count

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_s
            if not self.degraded:
                self.degraded = True
                metrics.redis_degraded.set(1)
                log.warning(
                    "Redis unreachable (%s); rate limits are counted per process until it is back",
                    type(exc).__name__,
                )

    def redis_state(self) -> str:
        """``off`` (not configured), ``ok`` or ``degraded``; pings Redis (0.5 s at most)."""
        if self._redis is None:
            return "off"
        import redis

        try:
            self._redis.ping()
        except (redis.RedisError, OSError) as exc:
            self._mark_down(exc)
            return "degraded"
        if self.degraded:
            self._down_until = 0.0  # the next hit uses Redis again
        return "ok"
