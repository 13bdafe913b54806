"""An in-process token bucket per client address, for the login endpoint.

Accounts also lock after repeated failures (`govcore.access.accounts`), which limits guessing one
password from many addresses; this limits one address trying many accounts. Behind a reverse
proxy the client address is the proxy's unless uvicorn is told to trust its forwarded headers
(`--forwarded-allow-ips`, see docs/server.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`burst` tries at once per key, refilled at `per_minute`; `take` says whether one is left and,
    if not, how many seconds until one is."""

    def __init__(self, burst: int, per_minute: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.burst, self.rate, self.clock, self.max_keys = float(burst), per_minute / 60.0, clock, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, float]:
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                allowed, wait = True, 0.0
            else:
                self._buckets[key] = (tokens, now)
                allowed, wait = False, (1.0 - tokens) / self.rate
            if len(self._buckets) > self.max_keys:  # forget full buckets first: they are the default
                for k in [k for k, (t, _) in self._buckets.items() if t >= self.burst - 1][: self.max_keys // 10]:
                    del self._buckets[k]
            return allowed, wait
