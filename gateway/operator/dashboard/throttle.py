"""Login throttling: failed logins are counted per client IP and per user name in a sliding
window; past the limit, further attempts get 429 with Retry-After until the oldest failure
leaves the window. A success clears the user's count. State is per worker process and
bounded (the least recently failing keys are forgotten first)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED_KEYS = 50_000


@dataclass(frozen=True)
class ThrottleRules:
    failures_per_ip: int = 20
    failures_per_user: int = 5
    window_s: float = 300.0


class LoginThrottle:
    def __init__(self, rules: ThrottleRules, clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = rules
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.get(key)
        if found is None:
            return deque()
        while found and found[0] <= now - self.rules.window_s:
            found.popleft()
        if not found:
            del self._failures[key]
        return found

    def retry_after(self, client_ip: str, user: str) -> int:
        """Seconds until an attempt from ``client_ip`` for ``user`` is allowed (0: now)."""
        now = self.clock()
        wait = 0.0
        for key, limit in (
            (f"ip:{client_ip}", self.rules.failures_per_ip),
            (f"user:{user.lower()}", self.rules.failures_per_user),
        ):
            failures = self._recent(key, now)
            if len(failures) >= limit:
                wait = max(wait, failures[-limit] + self.rules.window_s - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, client_ip: str, user: str) -> None:
        now = self.clock()
        for key in (f"ip:{client_ip}", f"user:{user.lower()}"):
            failures = self._failures.setdefault(key, deque(maxlen=1000))
            failures.append(now)
            self._failures.move_to_end(key)
        while len(self._failures) > MAX_TRACKED_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, user: str) -> None:
        self._failures.pop(f"user:{user.lower()}", None)
