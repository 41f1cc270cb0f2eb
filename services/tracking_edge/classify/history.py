"""Signals drawn from earlier hits of the same recipient and message (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.tracking_edge.classify.types import HitFeatures, HitHistory


@dataclass(frozen=True, slots=True)
class HistorySignals:
    """What the history says about the current hit."""

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
    burst: set[int] = {hit.link_index} if hit.kind != "open" else set()
    pair: set[int] = set(burst)
    since_honeypot: timedelta | None = None
    for prior in history.prior:
        age = hit.received_at - prior.received_at
        if prior.kind == "open":
            opened_before = True
        if prior.kind == hit.kind:
            first = False
            human_seen_before = human_seen_before or prior.source == "human"
            if prior.link_index == hit.link_index and timedelta(0) <= age <= duplicate_window:
                duplicate = True
        if hit.kind != "open" and prior.kind != "open" and timedelta(0) <= age <= burst_window:
            burst.add(prior.link_index)
            if age <= pair_window:
                pair.add(prior.link_index)
        if prior.honeypot and timedelta(0) <= age <= honeypot_window:
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
