"""Rate limits per token: a token bucket per token in each worker process, refilled at the
token's rate divided by the number of workers (requests spread over the workers, so the
sum is the token's rate without a shared counter on the hot path). A batch counts once."""
from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, workers: int = 1):
        self.workers = max(1, workers)
        self._buckets: dict[str, tuple[float, float]] = {}   # token -> (tokens left, last refill)
        self._lock = threading.Lock()

    def take(self, token: str, rate_per_s: float) -> float:
        """0 when the call may go ahead, else the seconds to wait (for Retry-After)."""
        rate = max(rate_per_s / self.workers, 1e-6)
        burst = max(1.0, rate)             # a second's worth of calls at once
        now = time.monotonic()
        with self._lock:
            left, last = self._buckets.get(token, (burst, now))
            left = min(burst, left + (now - last) * rate)
            if left >= 1.0:
                self._buckets[token] = (left - 1.0, now)
                return 0.0
            self._buckets[token] = (left, now)
            return (1.0 - left) / rate


def retry_after(wait_s: float) -> str:
    """Retry-After in whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
