"""Earlier hits of the same recipient and message: kept in received order, those that precede
a hit, and the signals drawn from them (pure functions)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from services.tracking_edge.domain.classify.types import HitFeatures, HitHistory, PriorHit

_ZERO = timedelta(0)

# An earlier hit of a (tenant, recipient, message): when it came, its id, and what the
# classifier reads of it.
Earlier = tuple[datetime, str, PriorHit]
_RECEIVED_AT = itemgetter(0)
_HIT_ID = itemgetter(1)
_PRIOR = itemgetter(2)


def in_received_order(earlier: Iterable[Earlier]) -> list[Earlier]:
    """``earlier`` oldest first (those received at the same time in the order given)."""
    return sorted(earlier, key=_RECEIVED_AT)


def add_in_received_order(earlier: list[Earlier], hit: Earlier) -> None:
    """Adds ``hit`` to hits in received order, after those received at the same time."""
    insort(earlier, hit, key=_RECEIVED_AT)


def prior_hits(
    earlier: Sequence[Earlier], received_at: datetime, hit_id: str
) -> tuple[PriorHit, ...]:
    """The hits of ``earlier`` (in received order) received before ``received_at``, other
    than ``hit_id`` itself, oldest first: found by bisection, then taken in C."""
    if not earlier:  # the first hit of its message
        return ()
    if earlier[-1][0] < received_at:  # the usual case: all of them
        before = earlier
    else:
        before = earlier[: bisect_left(earlier, received_at, key=_RECEIVED_AT)]
    if hit_id in map(_HIT_ID, before):  # an earlier hit stored under the same id
        return tuple(prior for _, other, prior in before if other != hit_id)
    return tuple(map(_PRIOR, before))


class HistorySignals(NamedTuple):
    """What the history says about the current hit (a tuple: built for every hit)."""

    first: bool
    human_seen_before: bool
    duplicate: bool
    opened_before: bool
    burst_links: int
    pair_links: int
    since_honeypot: timedelta | None


def history_signals(
    hit: HitFeatures,
    history: HitHistory,
    *,
    duplicate_window: timedelta,
    burst_window: timedelta,
    pair_window: timedelta,
    honeypot_window: timedelta,
) -> HistorySignals:
    """Summarise ``history`` for ``hit``.

    ``burst_links`` counts the distinct links of the message clicked within ``burst_window``
    up to this hit, this one included (0 for opens); ``pair_links`` the same within
    ``pair_window``. ``since_honeypot`` is the time since the
    latest honeypot hit within ``honeypot_window``, or None.
    """
    first = True
    human_seen_before = False
    duplicate = False
    opened_before = False
    kind, link, received_at = hit.kind, hit.link_index, hit.received_at
    is_link = kind != "open"
    burst: set[int] = {link} if is_link else set()
    pair: set[int] = set(burst)
    since_honeypot: timedelta | None = None
    for prior in history.prior:
        age = received_at - prior.received_at
        prior_kind = prior.kind
        if prior_kind == "open":
            opened_before = True
        if prior_kind == kind:
            first = False
            human_seen_before = human_seen_before or prior.source == "human"
            if prior.link_index == link and _ZERO <= age <= duplicate_window:
                duplicate = True
        if is_link and prior_kind != "open" and _ZERO <= age <= burst_window:
            burst.add(prior.link_index)
            if age <= pair_window:
                pair.add(prior.link_index)
        if prior.honeypot and _ZERO <= age <= honeypot_window:
            since_honeypot = age if since_honeypot is None else min(since_honeypot, age)
    return HistorySignals(
        first=first,
        human_seen_before=human_seen_before,
        duplicate=duplicate,
        opened_before=opened_before,
        burst_links=len(burst),
        pair_links=len(pair),
        since_honeypot=since_honeypot,
    )
