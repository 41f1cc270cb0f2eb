"""The email-specific rules that turn UA, network, timing and history signals into a verdict.

Each rule that fires adds a weight (its own probability that a machine made the hit) and a
reason; weights combine by noisy-OR into ``machine_probability``. Rules that name who made the
hit also claim a source and agent; the strongest claim wins:

=====================================  ======  ================================  =========
rule                                   weight  claim                             strength
=====================================  ======  ================================  =========
hit on a honeypot link                 0.99    security_scanner (bot if bot UA)  5
security vendor token in the UA        0.95    security_scanner / vendor         4
Gmail / Yahoo image proxy UA           0.20    privacy_proxy (fetch on reading)  4
Apple Mail UA open from an Apple IP    0.90    privacy_proxy / apple_mpp         4
crawler, headless or empty UA          0.95    bot / crawler name                3
bare "Mozilla/5.0" UA (not Apple IP)   0.70    bot / generic_user_agent          3
no browser, OS or mail client in UA    0.60    bot / non_browser_client          3
IP in a scanner or fetcher range       0.90    the snapshot's source and agent   2
  (opens from a proxy range: 0.50; a named mail client from a cloud range: 0.30, no claim)
HEAD request                           0.90    -                                 -
click within ``instant_click``         0.80    -                                 -
click within ``fast_click``            0.30    -                                 -
several links clicked in a burst       0.90    -  (2 links within 2 s: 0.60)     -
honeypot hit shortly before            0.75    -                                 -
click before any open                  0.25    -                                 -
click without Accept-Language          0.30    -                                 -
Apple Mail open soon after send        0.30    -                                 -
link hit from an address that hit      0.90    -                                 -
  ``velocity_messages`` messages within
  the velocity window (not proxies)
=====================================  ======  ================================  =========

A hit whose probability reaches ``machine_threshold`` without any claim is labelled
``security_scanner`` / ``unidentified_scanner``: these timing patterns are link scanners'.
An RFC 8058 one-click unsubscribe (POST) is sent by the mailbox provider for the reader, so
network ranges are not held against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from services.tracking_edge.domain.classify.history import HistorySignals
from services.tracking_edge.domain.classify.networks import NetworkOwner
from services.tracking_edge.domain.classify.types import HitFeatures, Source
from services.tracking_edge.domain.classify.user_agents import UserAgentInfo

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Time windows and threshold of the rules."""

    instant_click: timedelta = timedelta(seconds=10)
    fast_click: timedelta = timedelta(seconds=60)
    apple_prefetch: timedelta = timedelta(minutes=2)
    burst_window: timedelta = timedelta(seconds=10)
    pair_window: timedelta = timedelta(seconds=2)
    honeypot_window: timedelta = timedelta(minutes=5)
    velocity_messages: int = 5
    machine_threshold: float = 0.5


@dataclass(slots=True)
class Evidence:
    """Reasons, their combined weight and the strongest source claim gathered for one hit.
    ``keep`` is the product of (1 - weight) over the rules that fired, in firing order."""

    reasons: list[str] = field(default_factory=list)
    keep: float = 1.0
    source: Source = "human"
    agent: str = ""
    strength: int = 0

    def add(self, weight: float, reason: str) -> None:
        self.keep *= 1.0 - weight
        self.reasons.append(reason)

    def claim(self, source: Source, agent: str, strength: int) -> None:
        if strength > self.strength:
            self.source, self.agent, self.strength = source, agent, strength

    @property
    def probability(self) -> float:
        return round(1.0 - self.keep, 4)


def _identity_rules(
    hit: HitFeatures, ua: UserAgentInfo, owner: NetworkOwner | None, evidence: Evidence
) -> None:
    """Rules that say who made the hit: honeypot, UA tokens, Apple MPP and IP ranges."""
    if ua.scanner_agent:
        evidence.add(0.95, f"ua_scanner_token:{ua.scanner_agent}")
        evidence.claim("security_scanner", ua.scanner_agent, 4)
    if ua.proxy_agent:
        evidence.add(0.2, f"ua_mail_proxy:{ua.proxy_agent}")
        evidence.claim("privacy_proxy", ua.proxy_agent, 4)
    apple_ip = owner is not None and owner.agent == "apple_mpp"
    if apple_ip and hit.kind == "open" and (ua.apple_mail or ua.generic):
        evidence.add(0.9, "apple_mpp:apple_mail_ua_from_apple_ip")
        evidence.claim("privacy_proxy", "apple_mpp", 4)
    if ua.bot_agent and not (apple_ip and ua.generic):
        evidence.add(0.95, f"ua_bot:{ua.bot_agent}")
        evidence.claim("bot", _slug(ua.bot_agent), 3)
    elif ua.generic and not apple_ip:
        evidence.add(0.7, "ua_generic")
        evidence.claim("bot", "generic_user_agent", 3)
    elif ua.non_browser:
        evidence.add(0.6, "ua_non_browser")
        evidence.claim("bot", "non_browser_client", 3)
    if hit.honeypot:
        evidence.add(0.99, "honeypot_link")
        honeypot_source: Source = "bot" if evidence.source == "bot" else "security_scanner"
        evidence.claim(honeypot_source, evidence.agent or "honeypot", 5)
    one_click_unsubscribe = hit.kind == "unsubscribe" and hit.http_method.upper() == "POST"
    if owner is not None and not apple_ip and evidence.strength < 3 and not one_click_unsubscribe:
        agent, source = owner.for_kind(hit.kind)
        if owner.broad and ua.email_client and not ua.proxy_agent:
            # a desktop mail client in a cloud-hosted virtual desktop is still a reader
            evidence.add(0.3, f"ip_range:{owner.snapshot}")
            return
        evidence.add(0.5 if source == "privacy_proxy" else 0.9, f"ip_range:{owner.snapshot}")
        evidence.claim(cast(Source, source), agent, 2)


def _velocity_rule(
    hit: HitFeatures,
    ua: UserAgentInfo,
    owner: NetworkOwner | None,
    address_messages: int,
    settings: RuleSettings,
    evidence: Evidence,
) -> None:
    """One address following links of many recipients' messages within seconds: a scanner.

    Opens are left out (a proxy or an office behind one address opens many copies at once),
    and so are image proxies and one-click unsubscribes (sent by the mailbox provider).
    """
    if hit.kind == "open" or address_messages < settings.velocity_messages:
        return
    if hit.kind == "unsubscribe" and hit.http_method.upper() == "POST":
        return
    proxied = ua.proxy_agent or (owner is not None and owner.source == "privacy_proxy")
    if not proxied:
        evidence.add(0.9, f"ip_velocity:{address_messages}_messages")


def _behaviour_rules(
    hit: HitFeatures,
    ua: UserAgentInfo,
    history: HistorySignals,
    headers: dict[str, str],
    settings: RuleSettings,
    evidence: Evidence,
) -> None:
    """Rules on method, timing and history that point at automation without naming it."""
    method = hit.http_method.upper()
    if method == "HEAD":
        evidence.add(0.9, "head_request")
    since_send = hit.received_at - hit.sent_at if hit.sent_at is not None else None
    is_link = hit.kind != "open"
    if is_link and since_send is not None and since_send >= _ZERO:
        if since_send <= settings.instant_click:
            evidence.add(0.8, f"click_{int(since_send.total_seconds())}s_after_send")
        elif since_send <= settings.fast_click:
            evidence.add(0.3, f"click_{int(since_send.total_seconds())}s_after_send")
    soon = since_send is not None and _ZERO <= since_send <= settings.apple_prefetch
    if hit.kind == "open" and ua.apple_mail and soon and evidence.strength < 4:
        evidence.add(0.3, "apple_mail_open_soon_after_send")
    if history.burst_links >= 3:
        evidence.add(0.9, f"burst:{history.burst_links}_links")
    elif history.pair_links == 2:
        evidence.add(0.6, "burst:2_links")
    if history.since_honeypot is not None and not hit.honeypot:
        evidence.add(0.75, f"honeypot_hit_{int(history.since_honeypot.total_seconds())}s_before")
    if hit.kind == "click" and not history.opened_before:
        evidence.add(0.25, "click_before_open")
    if is_link and method == "GET" and "accept-language" not in headers:
        evidence.add(0.3, "no_accept_language")


def decide(
    hit: HitFeatures,
    ua: UserAgentInfo,
    owner: NetworkOwner | None,
    history: HistorySignals,
    headers: dict[str, str],
    settings: RuleSettings,
    address_messages: int = 0,
) -> Evidence:
    """Apply every rule to one hit and settle its source and agent."""
    evidence = Evidence()
    _identity_rules(hit, ua, owner, evidence)
    _behaviour_rules(hit, ua, history, headers, settings, evidence)
    _velocity_rule(hit, ua, owner, address_messages, settings, evidence)
    if evidence.strength == 0 and evidence.probability >= settings.machine_threshold:
        evidence.claim("security_scanner", "unidentified_scanner", 1)
    if hit.rate_limited:
        # never human engagement; an identified proxy or scanner keeps its identity
        evidence.add(1.0, "rate_limited_client_ip")
        evidence.claim("bot", "rate_limited_client_ip", 1)
    return evidence


def _slug(name: str) -> str:
    return "_".join(name.lower().replace("/", " ").replace("-", " ").split())[:64]
