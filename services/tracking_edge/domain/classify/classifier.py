"""The hit classifier: loads UA rules, IP snapshots and the geo database once, then classifies.

Build one ``Classifier`` per process (``Classifier.load()``) and pass it where hits are
handled.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from services.tracking_edge.domain.classify.asn import scanner_for_network
from services.tracking_edge.domain.classify.geo import CountryLookup
from services.tracking_edge.domain.classify.history import history_signals
from services.tracking_edge.domain.classify.networks import (
    DEFAULT_DATA_DIR,
    NetworkIndex,
    NetworkOwner,
)
from services.tracking_edge.domain.classify.rules import RuleSettings, decide
from services.tracking_edge.domain.classify.types import HitFeatures, HitHistory, Verdict
from services.tracking_edge.domain.classify.user_agents import UserAgentAnalyser, UserAgentInfo

DEFAULT_DUPLICATE_WINDOW = timedelta(seconds=30)

# Android WebViews send the embedding app's package name in X-Requested-With.
_ANDROID_MAIL_APPS = {
    "com.google.android.gm": "Gmail",
    "com.microsoft.office.outlook": "Outlook",
    "com.samsung.android.email.provider": "Samsung Email",
    "com.yahoo.mobile.client.android.mail": "Yahoo Mail",
}
# Webmail that passes its origin as Referer when a reader follows a link.
_WEBMAIL_REFERERS = (
    ("mail.google.com", "Gmail"),
    ("outlook.live.com", "Outlook.com"),
    ("outlook.office.com", "Office 365"),
    ("outlook.office365.com", "Office 365"),
    ("mail.yahoo.com", "Yahoo Mail"),
    ("mail.aol.com", "AOL Mail"),
    ("icloud.com", "iCloud Mail"),
)


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def _client_from_headers(headers: dict[str, str]) -> str:
    app = _ANDROID_MAIL_APPS.get(headers.get("x-requested-with", "").strip())
    if app:
        return app
    referer = headers.get("referer", "").lower()
    for host, client in _WEBMAIL_REFERERS:
        if host in referer:
            return client
    return ""


def client_label(named_client: str, browser: str, human: bool) -> str:
    """The email client a breakdown shows for one hit: the named mail client or webmail; for a
    person reading in a plain web browser (an email saved as .html, a webmail that sends no
    Referer) ``Web browser (Chrome)`` rather than nothing ("unknown"). Only the label: machines
    keep just a named client (a scanner's Chrome is nobody's reading browser)."""
    if named_client or not human or not browser:
        return named_client
    return f"Web browser ({browser})"


class Classifier:
    """Classifies hits as human, privacy proxy, security scanner or bot."""

    def __init__(
        self,
        networks: NetworkIndex,
        countries: CountryLookup,
        user_agents: UserAgentAnalyser,
        settings: RuleSettings | None = None,
        address_cache_size: int = 65_536,
    ) -> None:
        self._networks = networks
        self._countries = countries
        self._user_agents = user_agents
        self._settings = settings or RuleSettings()
        # proxies, scanners and readers come back from the same addresses
        self._address = lru_cache(maxsize=address_cache_size)(self._address_facts)

    @classmethod
    def load(
        cls, data_dir: Path = DEFAULT_DATA_DIR, settings: RuleSettings | None = None
    ) -> Classifier:
        return cls(NetworkIndex.load(data_dir), CountryLookup.load(), UserAgentAnalyser(), settings)

    def _address_facts(self, ip: str) -> tuple[NetworkOwner | None, str]:
        """Who operates the range of a client IP, and its country. An address in no snapshot
        whose network (ASN) belongs to a security vendor is that vendor's scanner."""
        owner = self._networks.lookup_text(ip)
        facts = self._countries.facts(ip)
        if owner is None:
            vendor = scanner_for_network(facts.asn_name)
            if vendor:
                snapshot = f"asn:{facts.asn_name}"
                owner = NetworkOwner(
                    vendor, "security_scanner", snapshot, vendor, "security_scanner"
                )
        return owner, facts.country

    def classify(
        self,
        hit: HitFeatures,
        history: HitHistory,
        *,
        duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW,
    ) -> Verdict:
        settings = self._settings
        ua: UserAgentInfo = self._user_agents.analyse(hit.user_agent)
        owner, country = self._address(hit.client_ip)
        headers = _lower_keys(hit.headers)
        past = history_signals(
            hit,
            history,
            duplicate_window=duplicate_window,
            burst_window=settings.burst_window,
            pair_window=settings.pair_window,
            honeypot_window=settings.honeypot_window,
        )
        evidence = decide(hit, ua, owner, past, headers, settings, history.address_messages)
        human = evidence.source == "human"
        client = ua.email_client or _client_from_headers(headers)
        return Verdict(
            source=evidence.source,
            agent=evidence.agent if not human else (client or ua.browser),
            machine_probability=evidence.probability,
            reasons=tuple(evidence.reasons),
            email_client=client_label(client, ua.browser, human),
            device=ua.device,
            os=ua.os,
            browser=ua.browser,
            country=country,
            first=past.first,
            duplicate=past.duplicate,
            first_human=human and not past.human_seen_before,
        )
