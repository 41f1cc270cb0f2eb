"""Cross-message velocity: how many recipients' messages one client address hit within seconds.

A link scanner that protects a whole organisation fetches the links of every copy of a
campaign it receives, one recipient after the other, from the same few addresses within
seconds; readers behind one address do not open or click many copies that fast. The tracker
keeps, per address, the latest hits (bounded per address and in the number of addresses) and
answers how many distinct messages the address hit within the window. It sees the hits of its
own process only, so in a deployment with several consumers its count is a lower bound.

An address with many hits (a scanner's, a proxy's) is answered incrementally while its hits
arrive in time order: the messages of the hits inside the window are counted as the window
slides, instead of rebuilding a set of up to ``max_hits_per_address`` messages per hit. Once a
hit arrives out of order the full count is taken until the address's kept hits are in order
again; the answers are the same either way.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta

DEFAULT_VELOCITY_WINDOW = timedelta(seconds=10)


class _AddressHits:
    """One address's kept hits, oldest first, and the window's message counts while in order.

    ``out_of_order`` counts the adjacent pairs of ``hits`` whose later hit came before the
    earlier one (0: the hits are in time order). ``in_window`` is set by ``messages_since``
    and dropped once a hit arrives out of order; while set, ``hits[:before_window]`` are the
    hits before the window of the latest hit and ``in_window`` counts the others' messages.
    """

    __slots__ = ("before_window", "hits", "in_window", "out_of_order")

    def __init__(self) -> None:
        self.hits: deque[tuple[datetime, str]] = deque()
        self.out_of_order = 0
        self.in_window: dict[str, int] | None = None
        self.before_window = 0

    def append(self, at: datetime, message: str) -> None:
        hits = self.hits
        in_window = self.in_window
        if hits and at < hits[-1][0]:
            self.out_of_order += 1
            self.in_window = None
        elif in_window is not None:  # after the latest hit, so within its window too
            in_window[message] = in_window.get(message, 0) + 1
        hits.append((at, message))

    def drop_oldest(self) -> None:
        hits = self.hits
        if len(hits) > 1 and hits[1][0] < hits[0][0]:
            self.out_of_order -= 1
        _, message = hits.popleft()
        in_window = self.in_window
        if in_window is None:
            return
        if self.before_window:
            self.before_window -= 1
        else:
            _forget_one(in_window, message)

    def messages_since(self, start: datetime) -> int:
        """Distinct messages of the hits from ``start`` on, for hits in time order whose
        latest is the one being answered (so none is later than it) and ``start`` its window's
        start (so no earlier than the start of the window ``in_window`` was counted for)."""
        hits = self.hits
        in_window = self.in_window
        if in_window is None:
            before = 0
            for when, _ in hits:
                if when >= start:
                    break
                before += 1
            in_window = {}
            for index in range(before, len(hits)):
                message = hits[index][1]
                in_window[message] = in_window.get(message, 0) + 1
            self.in_window = in_window
            self.before_window = before
        else:
            before = self.before_window
            while hits[before][0] < start:  # the latest hit is never before the start
                _forget_one(in_window, hits[before][1])
                before += 1
            self.before_window = before
        return len(in_window)


def _forget_one(counts: dict[str, int], message: str) -> None:
    left = counts[message] - 1
    if left:
        counts[message] = left
    else:
        del counts[message]


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
        self._recent: OrderedDict[str, _AddressHits] = OrderedDict()

    def observe(self, address: str, message: str, at: datetime) -> int:
        """Record a hit of ``message`` from ``address`` at ``at``; return the number of
        distinct messages the address hit within the window ending at ``at``, this one
        included. Hits may arrive slightly out of order: only those within the window count.
        """
        if not address:
            return 1
        kept = self._recent.get(address)
        if kept is None:
            kept = self._recent[address] = _AddressHits()
            if len(self._recent) > self._max_addresses:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(address)
        hits = kept.hits
        if len(hits) >= self._max_hits:  # the oldest kept hit makes room
            kept.drop_oldest()
        kept.append(at, message)
        if len(hits) == 1:  # most addresses: a reader's own, seen once
            return 1
        start = at - self.window
        forget_before = start - self.window  # far too old for any later hit
        while hits[0][0] < forget_before:
            kept.drop_oldest()
        if kept.out_of_order:
            return len({m for when, m in hits if start <= when <= at})
        return kept.messages_since(start)
