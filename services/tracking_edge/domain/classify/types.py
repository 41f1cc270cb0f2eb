"""Value types of hit classification: the raw hit, its history and the verdict.

Named tuples (immutable; built several times per hit, at a third of the cost of frozen
dataclasses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Literal, NamedTuple

HitKind = Literal["open", "click", "unsubscribe"]
Source = Literal["human", "privacy_proxy", "security_scanner", "bot"]
MACHINE_SOURCES: frozenset[str] = frozenset({"privacy_proxy", "security_scanner", "bot"})
NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class HitFeatures(NamedTuple):
    """One pixel or link hit as the gateway saw it."""

    kind: HitKind
    http_method: str
    user_agent: str
    client_ip: str
    received_at: datetime
    sent_at: datetime | None
    headers: Mapping[str, str] = NO_HEADERS
    link_index: int = 0
    honeypot: bool = False
    # the gateway saw more hits from this client IP than its per-IP limit allows
    rate_limited: bool = False


class PriorHit(NamedTuple):
    """A hit of the same recipient and message seen before, with the source it was given."""

    kind: HitKind
    received_at: datetime
    link_index: int
    source: Source
    honeypot: bool = False


class HitHistory(NamedTuple):
    """Earlier hits of the same recipient and message, oldest first (newest last).

    ``address_messages`` is the number of distinct messages (of any recipient) the hit's
    client address hit within the velocity window, this one included, as counted by the
    caller (``AddressVelocity``); 0 when not counted.
    """

    prior: Sequence[PriorHit] = ()
    address_messages: int = 0


class Verdict(NamedTuple):
    """What a hit is, who made it, and what it tells about the recipient's client.

    ``machine_probability`` is the estimated probability that no person caused the hit. A
    privacy proxy that fetches on the reader's behalf (Gmail, Yahoo) keeps it low although
    ``source`` is ``privacy_proxy``; Apple Mail Privacy Protection prefetches, so it is high.
    ``first`` is True when no earlier hit of the same kind exists for the recipient and
    message, whatever its source; ``first_human`` is True when this hit is human and no earlier
    hit of the same kind was human. ``duplicate`` is True when a hit of the same kind and link
    was seen within the duplicate window.
    """

    source: Source
    agent: str
    machine_probability: float
    reasons: tuple[str, ...]
    email_client: str
    device: str
    os: str
    browser: str
    country: str
    first: bool
    duplicate: bool
    first_human: bool = False

    @property
    def is_machine(self) -> bool:
        return self.source in MACHINE_SOURCES
