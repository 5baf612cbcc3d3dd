"""Fixed-window rate limits per token. With Redis the windows are shared by every worker
process and host; without it each process counts alone (fine for one worker)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

__all__ = ["RateLimiter", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


class RateLimiter:
    def __init__(
        self, per_minute: int, redis_url: str | None = None, prefix: str = "netwerk:rl"
    ) -> None:
        self.per_minute = per_minute
        self.prefix = prefix
        self._redis = None
        if redis_url and per_minute > 0:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        self._lock = threading.Lock()
        self._local: dict[str, int] = {}

    def hit(self, key: str) -> Verdict:
        if self.per_minute <= 0:
            return Verdict(True, 0, 0)
        now = time.time()
        window = int(now // 60)
        retry = 60 - int(now % 60)
        bucket = f"{self.prefix}:{key}:{window}"
        if self._redis is not None:
            pipe = self._redis.pipeline()
            pipe.incr(bucket)
            pipe.expire(bucket, 120)
            count = int(pipe.execute()[0])
        else:
            with self._lock:
                if len(self._local) > 100_000:
                    self._local = {k: v for k, v in self._local.items() if k.endswith(f":{window}")}
                count = self._local.get(bucket, 0) + 1
                self._local[bucket] = count
        return Verdict(count <= self.per_minute, max(0, self.per_minute - count), retry)
