"""Error-code tables of receivers that publish their own reply codes (Exchange Online,
Mimecast, Facebook, Cox, GoDaddy, Orange and La Poste, Spectrum, i.ua, Tencent QQ, KDDI/au,
NTT DOCOMO), applied only to replies from their hosts: the remote MTA, the recipient's domain
or a host named in the reply.

The codes and phrases are the receivers' postmaster documentation as Sisimai's Rhost tables
collect it (Cox "AUP#CXBL", GoDaddy "IB103", Orange "OFR006_102", Spectrum "AUP#1000",
i.ua "i.ua/err/2", ...). A receiver's own code names its cause more precisely than the status,
so these come first, as Sisimai applies its Rhost tables before its generic reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.bounce.domain import taxonomy as t
from services.bounce.domain.literals import may_match, required_literals


@dataclass(frozen=True, slots=True)
class ReceiverTable:
    """One receiver's hosts and reply tables."""

    name: str
    hosts: re.Pattern[str]
    code_re: re.Pattern[str] | None = None
    codes: tuple[tuple[str, str], ...] = ()
    code_ranges: tuple[tuple[int, int, str], ...] = ()
    phrases: tuple[tuple[str, str], ...] = ()  # (lower-case phrase, reason)

    def reason(self, text: str) -> str:
        """The reason this receiver's tables give ``text`` ("" when they say nothing)."""
        if self.code_re is not None and (found := self.code_re.search(text)):
            code = found.group(1)
            named = dict(self.codes).get(code, "")
            if named:
                return named
            if code.isdigit():
                number = int(code)
                for low, high, reason in self.code_ranges:
                    if low <= number <= high:
                        return reason
        lowered = text.lower()
        return next((reason for phrase, reason in self.phrases if phrase in lowered), "")


# Cox's IPBLnnnn codes: the sending IP is on one or more DNS block lists (each bit one list).
_COX_BLOCKLISTS = (*(f"IPBL{n:04b}" for n in range(1, 16)), "IPBL00001")
_GODADDY_BLOCKS = ("IB103", "IB104", "IB105", "IB106", "IB108", "IB110", "IB111", "IB112", "IB113")

RECEIVERS: tuple[ReceiverTable, ...] = (
    ReceiverTable(
        # Microsoft 365 / Exchange Online: its published NDR texts, which name a cause its
        # statuses (4.7.500-899, 5.7.5xx, 5.2.12x, ...) only number.
        "exchange_online",
        re.compile(r"\.(?:prod|protection)\.outlook\.com\b"),
        # Its documented 5.7.5xx-7xx statuses, each one cause whatever the wording around it
        # ("Email non-delivery reports and SMTP errors in Exchange Online").
        re.compile(r"\b(5\.7\.\d{3})\b"),
        (
            ("5.7.501", t.REJECTED),  # access denied, spam abuse detected (sending account)
            ("5.7.505", t.SUSPENDED),  # access denied, banned recipient
            ("5.7.506", t.BLOCKED),  # access denied, bad HELO
            ("5.7.507", t.BLOCKED),  # access denied, rejected by recipient (its IP block list)
            ("5.7.508", t.TOO_MANY_CONN),  # the sending IPv6 range exceeded its limits
            ("5.7.509", t.AUTH_FAILURE),  # the sending domain fails DMARC, policy reject
            ("5.7.510", t.BLOCKED),  # the recipient's domain accepts no mail over IPv6
            ("5.7.511", t.BLOCKED),  # access denied, banned sender (the sending IP)
            ("5.7.512", t.NOT_COMPLIANT_RFC),  # must be RFC 5322 section 3.6.2 compliant
            ("5.7.513", t.BLOCKED),  # the recipient's customer block list
            ("5.7.515", t.AUTH_FAILURE),  # the sending domain's authentication level too low
            ("5.7.520", t.POLICY_VIOLATION),  # the organisation forbids external forwarding
            *((f"5.7.{n}", t.BLOCKED) for n in range(606, 650)),  # banned sending IP
            ("5.7.750", t.REJECTED),  # sending from unregistered domains
        ),
        phrases=(
            ("access denied, please try again later", t.BLOCKED),
            ("access denied, bad helo", t.BLOCKED),
            ("access denied, rejected by recipient", t.BLOCKED),
            ("does not accept email over ipv6", t.BLOCKED),
            ("using customer block list", t.BLOCKED),
            ("banned sending ip", t.BLOCKED),
            ("restrictdomainstoipaddresses", t.BLOCKED),
            ("too many related errors", t.CONTENT_ERROR),
            ("invalid characters", t.CONTENT_ERROR),
            ("message depth exceeded", t.CONTENT_ERROR),
            ("message too large for this recipient", t.EXCEED_LIMIT),
            ("client was not authenticated", t.NO_RELAYING),
            ("x-dg-ref header is too long", t.POLICY_VIOLATION),
            ("sender was not authenticated", t.REJECTED),
            ("sender not authenticated for group", t.REJECTED),
            ("sender not in allowed-senders list", t.REJECTED),
            ("sending from unregistered domain", t.REJECTED),
            ("spam abuse detected", t.REJECTED),
            ("content filter agent quarantined", t.SPAM_DETECTED),
            ("access denied, banned recipient", t.SUSPENDED),
            ("mailbox cannot be accessed", t.SUSPENDED),
            ("service not active", t.SYSTEM_ERROR),
            ("journaling on-premises messages", t.SYSTEM_ERROR),
            ("helo / ehlo requires domain address", t.SYSTEM_ERROR),
            ("misconfigured forwarding address", t.SYSTEM_ERROR),
            ("message failed to be replicated", t.SYSTEM_ERROR),
            ("agent busy, please try again", t.SYSTEM_ERROR),
            ("server busy. please try again later", t.SYSTEM_ERROR),
            ("recipient thread limit exceeded", t.TOO_MANY_CONN),
            ("reached your daily limit", t.TOO_MANY_CONN),
            ("submission quota exceeded", t.TOO_MANY_CONN),
            ("message receive limit", t.TOO_MANY_CONN),
            ("exceeded permitted limits within", t.TOO_MANY_CONN),
            ("tenant has exceeded threshold", t.TOO_MANY_CONN),
            ("has exceeded their limit for", t.TOO_MANY_CONN),
            ("reserved by rfc 2606", t.USER_UNKNOWN),
            ("single label domains not accepted", t.USER_UNKNOWN),
            ("invalid x.400 address", t.USER_UNKNOWN),
        ),
    ),
    ReceiverTable(
        # Mimecast's documented rejection texts (its gateways front many organisations).
        "mimecast",
        re.compile(r"\.mimecast\.com\b"),
        phrases=(
            ("blocked senders", t.REJECTED),
            ("block policy for envelope from", t.REJECTED),
            # Sender authentication and reputation: Sisimai 5's authfailure and badreputation
            # (4.25, which lacks both, says blocked), as everywhere else in this parser.
            ("spf sender invalid", t.AUTH_FAILURE),
            ("dkim sender invalid", t.AUTH_FAILURE),
            ("dmarc sender invalid", t.AUTH_FAILURE),
            ("ip reputation", t.BAD_REPUTATION),
            ("ip temporarily blacklisted", t.BLOCKED),
            ("maximum email size exceeded", t.MESSAGE_TOO_BIG),
            ("account inbounds disabled", t.NOT_ACCEPTED),
            ("open relay not allowed", t.NO_RELAYING),
            ("incorrect authentication data", t.SECURITY_ERROR),
            ("requires high-strength ciphers", t.FAILED_STARTTLS),  # the route's TLS policy
            ("configuration is invalid for this certificate", t.SECURITY_ERROR),
            ("unable to process", t.SYSTEM_ERROR),
            ("message ended early", t.SYSTEM_ERROR),
            ("outbound thread limit", t.TOO_MANY_CONN),
            ("mail loop detected", t.NETWORK_ERROR),
        ),
    ),
    ReceiverTable(
        "cox",
        re.compile(r"\bcox\.net\b"),
        re.compile(r"AUP#([0-9A-Z]+)"),
        (
            ("CXBL", t.BLOCKED),
            ("CXTHRT", t.SECURITY_ERROR),
            ("CXMJ", t.SECURITY_ERROR),
            ("CXDNS", t.BLOCKED),
            ("CXSNDR", t.REJECTED),
            ("CXSMTP", t.REJECTED),
            ("CXCNCT", t.TOO_MANY_CONN),
            ("CXMXRT", t.TOO_MANY_CONN),
            ("CDRBL", t.BLOCKED),
            *((code, t.BLOCKED) for code in _COX_BLOCKLISTS),
            *((code, t.SPAM_DETECTED) for code in ("URLBL011", "URLBL101", "URLBL110")),
            ("URLBL1001", t.SPAM_DETECTED),
        ),
        phrases=(
            ("rejected - no rdns", t.BLOCKED),
            ("cox too many bad commands from", t.BLOCKED),
            ("dns check failure - try again later", t.BLOCKED),
            ("too many invalid recipients", t.BLOCKED),
            ("esmtp server temporarily not available", t.NOT_ACCEPTED),
            ("esmtp no data before greeting", t.POLICY_VIOLATION),
            ("attachment extension is forbidden", t.POLICY_VIOLATION),
            ("sender rejected", t.REJECTED),
            ("too many sessions from", t.TOO_MANY_CONN),
            ("requested action aborted: try again later", t.TOO_MANY_CONN),
            ("message threshold exceeded", t.TOO_MANY_CONN),
            ("recipient rejected", t.USER_UNKNOWN),
        ),
    ),
    ReceiverTable(
        "godaddy",
        re.compile(r"\b(?:smtp|mailstore1)\.secureserver\.net\b"),
        re.compile(r"\s(IB\d{3})\b"),
        (
            *((code, t.BLOCKED) for code in _GODADDY_BLOCKS),
            ("IB007", t.TOO_MANY_CONN),
            ("IB101", t.EXPIRED),
            ("IB212", t.SPAM_DETECTED),
            ("IB401", t.SECURITY_ERROR),
            *((code, t.REJECTED) for code in ("IB501", "IB502", "IB506", "IB508")),
            *((code, t.TOO_MANY_CONN) for code in ("IB504", "IB510", "IB607")),
            ("IB705", t.VIRUS_DETECTED),
        ),
        phrases=(
            ("www.spamhaus.org/query/bl?ip=", t.BLOCKED),
            ("554 rbl reject.", t.BLOCKED),
            ("delivery timeout", t.EXPIRED),
            ("451 sorry, i wasn't able to establish an smtp connection.", t.EXPIRED),
            ("account disabled", t.SUSPENDED),
            ("account storage limit", t.MAILBOX_FULL),
            ("account does not exist", t.USER_UNKNOWN),
            ("550 recipient not found.", t.USER_UNKNOWN),
        ),
    ),
    ReceiverTable(
        "orange",
        re.compile(r"\b(?:laposte\.net|orange\.fr|wanadoo\.fr)\b"),
        re.compile(r"\b(?:LPN|LPNAAA|OFR|OUK)(?:_|\d{3}[-_])(\d{3})\b", re.IGNORECASE),
        (
            *((code, t.BLOCKED) for code in ("101", "102", "103", "401", "510", "999")),
            ("104", t.TOO_MANY_CONN),
            *((code, t.SECURITY_ERROR) for code in ("305", "402")),
            *((code, t.REJECTED) for code in ("403", "405", "415", "421")),
            *((code, t.USER_UNKNOWN) for code in ("416", "418")),
            ("417", t.MAILBOX_FULL),
            *((code, t.SUSPENDED) for code in ("420", "426")),
            ("505", t.SYSTEM_ERROR),
            ("506", t.SPAM_DETECTED),
            ("514", t.MESSAGE_TOO_BIG),
            *((code, t.POLICY_VIOLATION) for code in ("517", "630")),
        ),
    ),
    ReceiverTable(
        "spectrum",
        re.compile(r"\bcharter\.net\b"),
        re.compile(r"AUP#[-A-Za-z]*(\d{4})"),
        (
            ("1000", t.BLOCKED),
            ("1010", t.REJECTED),
            ("1090", t.SYSTEM_ERROR),
            ("1260", t.NETWORK_ERROR),
            ("1500", t.REJECTED),
            ("1520", t.REJECTED),
            ("1530", t.MESSAGE_TOO_BIG),
            ("1540", t.TOO_MANY_CONN),
            ("1550", t.TOO_MANY_CONN),
            ("1560", t.POLICY_VIOLATION),
        ),
        (
            (1020, 1080, t.REJECTED),
            (1100, 1150, t.BLOCKED),
            (1160, 1190, t.POLICY_VIOLATION),
            (1200, 1250, t.BLOCKED),
            (1300, 1490, t.TOO_MANY_CONN),
        ),
    ),
    ReceiverTable(
        "i.ua",
        re.compile(r"\.email\.ua\b|\bi\.ua\b"),
        re.compile(r"\.i\.ua/err/(\d+)", re.IGNORECASE),
        (
            ("1", t.NO_RELAYING),
            ("2", t.USER_UNKNOWN),
            ("3", t.SUSPENDED),
            ("4", t.MAILBOX_FULL),
            ("5", t.TOO_MANY_CONN),
            ("6", t.NO_RELAYING),
            ("7", t.BLOCKED),
            ("8", t.REJECTED),
            ("9", t.BLOCKED),
            ("10", t.FILTERED),
        ),
    ),
    ReceiverTable(
        "tencent",
        re.compile(r"\bqq\.com\b"),
        phrases=(
            ("dmarc check failed", t.BLOCKED),
            ("spf check failed", t.BLOCKED),
            ("suspected spam ip", t.BLOCKED),
            ("mail is rejected by recipients", t.FILTERED),
            ("message too large", t.MESSAGE_TOO_BIG),
            ("mail content denied", t.SPAM_DETECTED),
            ("spam is embedded in the email", t.SPAM_DETECTED),
            ("suspected spam", t.SPAM_DETECTED),
            ("bad address syntax", t.SYNTAX_ERROR),
            ("connection denied", t.TOO_MANY_CONN),
            ("frequency limited", t.TOO_MANY_CONN),
            ("mailbox unavailable or access denied", t.TOO_MANY_CONN),
            ("mailbox not found", t.USER_UNKNOWN),
        ),
    ),
    ReceiverTable(
        "kddi",
        re.compile(r"\b(?:ezweb\.ne\.jp|au\.com)\b"),
        phrases=(("550 : user unknown", t.FILTERED), (">: user unknown", t.USER_UNKNOWN)),
    ),
    ReceiverTable(
        # Facebook's published response codes ("RCP-P2", "POL-T1": area, permanent or
        # temporary, number), as its mail servers' replies and bounces carry them.
        "facebook",
        re.compile(r"\bfacebook\.com\b"),
        re.compile(r"\b((?:RCP|INT|POL|MSG|DNS|CON)-[PT]\d)\b"),
        codes=(
            *((code, t.USER_UNKNOWN) for code in ("RCP-P1", "INT-P1", "INT-P3", "INT-P4")),
            *((code, t.FILTERED) for code in ("RCP-P2", "RCP-P3")),
            *((code, t.BLOCKED) for code in ("POL-P1", "POL-P2")),
            *((code, t.MESSAGE_TOO_BIG) for code in ("MSG-P1", "INT-P2")),
            *((code, t.CONTENT_ERROR) for code in ("MSG-P2", "MSG-P3", "POL-P6", "POL-P7")),
            *(
                (code, t.NOT_ACCEPTED)
                for code in ("POL-P3", "POL-P4", "POL-T1", "POL-T2", "POL-T3")
            ),
            *((code, t.REJECTED) for code in ("DNS-P1", "DNS-P2", "DNS-T1", "DNS-P3", "DNS-T2")),
            *((code, t.SYSTEM_ERROR) for code in ("CON-T1", "RCP-T1", "INT-T1", "INT-T2")),
            *((code, t.TOO_MANY_CONN) for code in ("CON-T2", "CON-T3")),
            ("POL-P5", t.VIRUS_DETECTED),
            ("RCP-T4", t.SUSPENDED),
        ),
    ),
    ReceiverTable(
        "docomo",
        re.compile(r"\bdocomo\.ne\.jp\b"),
        phrases=(
            ("552 too much mail data", t.MAILBOX_FULL),
            ("552 too many recipients", t.TOO_MANY_CONN),
            ("503 bad sequence of commands", t.SYNTAX_ERROR),
            ("504 command parameter not implemented", t.SYNTAX_ERROR),
        ),
    ),
)


# Each receiver behind the host names one of which every match of its host pattern contains:
# most replies name none, and substring tests rule that out far faster than a pattern's scan of
# every position (a text naming a longer name holding one, "beau.com", is searched only with
# that receiver's pattern).
_SCREENED_RECEIVERS = tuple((r, required_literals(r.hosts.pattern)) for r in RECEIVERS)
_ANY_RECEIVER_HOST_SCREEN = (
    None
    if any(screen is None for _, screen in _SCREENED_RECEIVERS)
    else frozenset().union(*(screen for _, screen in _SCREENED_RECEIVERS if screen))
)


def receiver_reason(text: str, mx_host: str, domain: str) -> tuple[str, str]:
    """(reason, receiver name) from the tables of the receiver whose host this reply came
    from, or ("", "") when no receiver's host is named or its tables say nothing."""
    hosts = f"{mx_host}\n{domain}\n{text[:2000]}".lower()
    if not may_match(_ANY_RECEIVER_HOST_SCREEN, hosts):  # the common case: no receiver
        return "", ""
    for receiver, screen in _SCREENED_RECEIVERS:
        if may_match(screen, hosts) and receiver.hosts.search(hosts):
            reason = receiver.reason(text[:2000])
            if reason:
                return reason, receiver.name
    return "", ""
