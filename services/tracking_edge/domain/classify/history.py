"""Signals drawn from earlier hits of the same recipient and message (pure functions)."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from services.tracking_edge.domain.classify.types import HitFeatures, HitHistory

_ZERO = timedelta(0)


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
