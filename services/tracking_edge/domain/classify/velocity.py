"""Cross-message velocity: how many recipients' messages one client address hit within seconds.

A link scanner that protects a whole organisation fetches the links of every copy of a
campaign it receives, one recipient after the other, from the same few addresses within
seconds; readers behind one address do not open or click many copies that fast. The tracker
keeps, per address, the latest hits (bounded per address and in the number of addresses) and
answers how many distinct messages the address hit within the window. It sees the hits of its
own process only, so in a deployment with several consumers its count is a lower bound.

An address whose kept hits filled up (a scanner's, a proxy's) is then answered incrementally
while its hits arrive in time order: the messages of the hits inside the window are counted
as the window slides, instead of rebuilding a set of up to ``max_hits_per_address`` messages
per hit. Once a hit arrives out of order the full count is taken until the address's kept
hits are in order again; the answers are the same either way. Other addresses, most of them,
keep their few hits alone, as before.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta
from itertools import islice, pairwise

DEFAULT_VELOCITY_WINDOW = timedelta(seconds=10)


Hit = tuple[datetime, str]  # when, and which recipient's message
Hits = deque[Hit]  # an address's kept hits, oldest kept first


class _InOrderCount:
    """The window's message counts of an address whose kept hits filled up, kept next to them.

    ``out_of_order`` counts the adjacent pairs of the hits whose later hit came before the
    earlier one (0: the hits are in time order). ``in_window`` is set by ``messages_since``
    and dropped once a hit arrives out of order; while set, ``hits[:before_window]`` are the
    hits before the window of the latest hit and ``in_window`` counts the others' messages.
    """

    __slots__ = ("before_window", "in_window", "out_of_order")

    def __init__(self, hits: Hits) -> None:
        self.out_of_order = sum(later < earlier for (earlier, _), (later, _) in pairwise(hits))
        self.in_window: dict[str, int] | None = None
        self.before_window = 0

    def append(self, hits: Hits, at: datetime, message: str) -> None:
        in_window = self.in_window
        if hits and at < hits[-1][0]:
            self.out_of_order += 1
            self.in_window = None
        elif in_window is not None:  # after the latest hit, so within its window too
            in_window[message] = in_window.get(message, 0) + 1
        hits.append((at, message))

    def drop_oldest(self, hits: Hits) -> None:
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

    def messages_since(self, hits: Hits, start: datetime) -> int:
        """Distinct messages of the hits from ``start`` on, for hits in time order whose
        latest is the one being answered (so none is later than it) and ``start`` its window's
        start (so no earlier than the start of the window ``in_window`` was counted for)."""
        in_window = self.in_window
        if in_window is None:
            before = 0
            for when, _ in hits:
                if when >= start:
                    break
                before += 1
            in_window = {}
            for _, message in islice(hits, before, None):
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
        # an address's kept hits, or its only hit (a deque of 64 slots costs ~600 bytes)
        self._recent: OrderedDict[str, Hits | Hit] = OrderedDict()
        self._counted: dict[str, _InOrderCount] = {}  # addresses whose hits filled up

    def observe(self, address: str, message: str, at: datetime) -> int:
        """Record a hit of ``message`` from ``address`` at ``at``; return the number of
        distinct messages the address hit within the window ending at ``at``, this one
        included. Hits may arrive slightly out of order: only those within the window count.
        """
        if not address:
            return 1
        kept = self._recent.get(address)
        if kept is None:  # most addresses: a reader's own, seen once; kept alone, no deque
            self._recent[address] = (at, message)
            if len(self._recent) > self._max_addresses:
                forgotten, _ = self._recent.popitem(last=False)
                self._counted.pop(forgotten, None)
            return 1
        self._recent.move_to_end(address)
        if isinstance(kept, tuple):  # a second hit: from now on the address keeps a deque
            hits = self._recent[address] = deque((kept,), maxlen=self._max_hits)
        else:
            hits = kept
        counted = self._counted.get(address)
        if counted is not None or len(hits) == self._max_hits:
            return self._observe_counted(address, hits, counted, message, at)
        hits.append((at, message))
        start = at - self.window
        forget_before = start - self.window  # far too old for any later hit
        while hits[0][0] < forget_before:
            hits.popleft()
        return _messages_within(hits, start, at)

    def _observe_counted(
        self, address: str, hits: Hits, counted: _InOrderCount | None, message: str, at: datetime
    ) -> int:
        """``observe`` for an address whose kept hits filled up: the same steps, each kept hit
        added or dropped also counted in or out."""
        if counted is None:
            counted = self._counted[address] = _InOrderCount(hits)
        if len(hits) == self._max_hits:  # the oldest kept hit makes room
            counted.drop_oldest(hits)
        counted.append(hits, at, message)
        if len(hits) == 1:
            return 1
        start = at - self.window
        forget_before = start - self.window
        while hits[0][0] < forget_before:
            counted.drop_oldest(hits)
        if counted.out_of_order:
            return _messages_within(hits, start, at)
        return counted.messages_since(hits, start)


def _messages_within(hits: Hits, start: datetime, end: datetime) -> int:
    return len({m for when, m in hits if start <= when <= end})
