"""Cross-message velocity: how many recipients' messages one client address hit within seconds.

A link scanner that protects a whole organisation fetches the links of every copy of a
campaign it receives, one recipient after the other, from the same few addresses within
seconds; readers behind one address do not open or click many copies that fast. The tracker
keeps, per address, the latest hits (bounded per address and in the number of addresses) and
answers how many distinct messages the address hit within the window. It sees the hits of its
own process only, so in a deployment with several consumers its count is a lower bound.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta

DEFAULT_VELOCITY_WINDOW = timedelta(seconds=10)


class AddressVelocity:
    """Sliding-window count of distinct messages per client address."""

    def __init__(
        self,
        window: timedelta = DEFAULT_VELOCITY_WINDOW,
        max_addresses: int = 100_000,
        max_hits_per_address: int = 64,
    ) -> None:
        self.window = window
        self._max_addresses = max_addresses
        self._max_hits = max_hits_per_address
        self._recent: OrderedDict[str, deque[tuple[datetime, str]]] = OrderedDict()

    def observe(self, address: str, message: str, at: datetime) -> int:
        """Record a hit of ``message`` from ``address`` at ``at``; return the number of
        distinct messages the address hit within the window ending at ``at``, this one
        included. Hits may arrive slightly out of order: only those within the window count.
        """
        if not address:
            return 1
        hits = self._recent.get(address)
        if hits is None:
            hits = self._recent[address] = deque(maxlen=self._max_hits)
            if len(self._recent) > self._max_addresses:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(address)
        hits.append((at, message))
        if len(hits) == 1:  # most addresses: a reader's own, seen once
            return 1
        start = at - self.window
        forget_before = start - self.window  # far too old for any later hit
        while hits[0][0] < forget_before:
            hits.popleft()
        return len({m for when, m in hits if start <= when <= at})
