"""Tracking hits per client IP: a fixed-window counter per address. Hits past the limit
are still answered (the pixel, the redirect) but marked ``rate_limited`` so that the
tracking edge never counts them as human engagement. Each worker counts on its own event
loop thread: no lock, one dict lookup per hit; the effective limit of a gateway is the
limit times its workers. Memory is bounded: the table is emptied at every window and
holds at most ``max_addresses`` addresses (those beyond are not counted that window)."""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_ADDRESSES = 200_000


class HitLimiter:
    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.max_addresses = max_addresses
        self._window = -1
        self._counts: dict[str, int] = {}

    def over_limit(self, client_ip: str) -> bool:
        """Counts one hit from ``client_ip``; True when it is past the window's limit."""
        if self.limit <= 0:
            return False
        window = int(self.clock() // self.window_s)
        counts = self._counts
        if window != self._window:
            self._window = window
            counts.clear()
        seen = counts.get(client_ip)
        if seen is None:
            if len(counts) < self.max_addresses:
                counts[client_ip] = 1
            return False
        counts[client_ip] = seen + 1
        return seen >= self.limit
