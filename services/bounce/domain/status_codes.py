"""Meaning of RFC 3463 enhanced status codes (and their IANA registry additions) as reasons.

``DEFINITIVE`` holds the codes whose detail alone settles the reason. ``FALLBACK`` holds codes
that MTAs use loosely (X.0.0, X.7.1, ...): the reply text is consulted first and these only
apply when no text rule matched.
"""

from __future__ import annotations

import re

from services.bounce.domain import taxonomy as t

# Keys are "subject.detail" (the class digit is irrelevant to the reason).
DEFINITIVE: dict[str, str] = {
    "1.1": t.USER_UNKNOWN,  # bad destination mailbox address
    "1.2": t.HOST_UNKNOWN,  # bad destination system address
    "1.3": t.USER_UNKNOWN,  # bad destination mailbox address syntax (Sisimai: userunknown)
    "1.6": t.HAS_MOVED,  # destination mailbox has moved, no forwarding address
    "1.7": t.REJECTED,  # bad sender's mailbox address syntax
    "1.8": t.REJECTED,  # bad sender's system address
    "1.9": t.SYSTEM_ERROR,  # message relayed to non-compliant mailer
    "2.2": t.MAILBOX_FULL,  # mailbox full
    "2.3": t.EXCEED_LIMIT,  # message length exceeds the mailbox's administrative limit
    "2.4": t.FILTERED,  # mailing list expansion problem (not a delivery program: Sisimai filtered)
    "3.1": t.SYSTEM_FULL,  # mail system full
    "3.3": t.SYSTEM_ERROR,  # system not capable of selected features
    "3.4": t.MESSAGE_TOO_BIG,  # message too big for system
    "3.5": t.SYSTEM_ERROR,  # system incorrectly configured
    "4.2": t.NETWORK_ERROR,  # bad connection
    "4.3": t.SYSTEM_ERROR,  # directory server failure
    "4.5": t.SYSTEM_FULL,  # mail system congestion
    "4.6": t.NETWORK_ERROR,  # routing loop detected
    "4.7": t.EXPIRED,  # delivery time expired
    "5.1": t.SYNTAX_ERROR,  # invalid command
    "5.2": t.SYNTAX_ERROR,  # syntax error
    "5.3": t.TOO_MANY_CONN,  # too many recipients (a session limit: Sisimai's toomanyconn)
    "5.4": t.SYNTAX_ERROR,  # invalid command arguments
    "5.5": t.SYNTAX_ERROR,  # wrong protocol version
    "5.6": t.SECURITY_ERROR,  # authentication exchange line too long
    "6.1": t.CONTENT_ERROR,  # media not supported
    "6.2": t.CONTENT_ERROR,  # conversion required and prohibited
    "6.3": t.CONTENT_ERROR,  # conversion required but not supported
    "6.4": t.CONTENT_ERROR,  # conversion with loss performed
    "6.5": t.CONTENT_ERROR,  # conversion failed
    "6.6": t.CONTENT_ERROR,  # message content not available
    "6.7": t.CONTENT_ERROR,  # non-ASCII addresses not permitted (RFC 6531)
    "6.8": t.CONTENT_ERROR,  # UTF-8 string reply is required
    "6.9": t.CONTENT_ERROR,  # UTF-8 header message cannot be transferred
    "7.2": t.SECURITY_ERROR,  # mailing list expansion prohibited
    "7.3": t.SECURITY_ERROR,  # security conversion required but not possible
    "7.4": t.SECURITY_ERROR,  # security features not supported
    "7.5": t.SECURITY_ERROR,  # cryptographic failure
    "7.6": t.SECURITY_ERROR,  # cryptographic algorithm not supported
    "7.7": t.SECURITY_ERROR,  # message integrity failure
    "7.8": t.SECURITY_ERROR,  # authentication credentials invalid (RFC 4954)
    "7.9": t.SECURITY_ERROR,  # authentication mechanism is too weak
    # TLS needed before the command (RFC 5248 X.7.10, RFC 4954 X.7.11): STARTTLS required.
    "7.10": t.FAILED_STARTTLS,  # encryption needed
    "7.11": t.FAILED_STARTTLS,  # encryption required for requested authentication mechanism
    "7.12": t.SECURITY_ERROR,  # a password transition is needed
    "7.13": t.SUSPENDED,  # user account disabled
    "7.14": t.SECURITY_ERROR,  # trust relationship required
    "7.15": t.SECURITY_ERROR,  # priority level is too low (RFC 6710)
    "7.16": t.MESSAGE_TOO_BIG,  # message is too big for the specified priority
    "7.19": t.SECURITY_ERROR,  # RRVS test cannot be completed (the test, not the owner, failed)
    "7.20": t.AUTH_FAILURE,  # no passing DKIM signature found (RFC 7372)
    "7.21": t.AUTH_FAILURE,  # no acceptable DKIM signature found
    "7.22": t.AUTH_FAILURE,  # no valid author-matched DKIM signature found
    "7.23": t.AUTH_FAILURE,  # SPF validation failed
    "7.24": t.AUTH_FAILURE,  # SPF validation error
    "7.25": t.REQUIRE_PTR,  # reverse DNS validation failed
    "7.26": t.AUTH_FAILURE,  # multiple authentication checks failed
    "7.27": t.REJECTED,  # sender address has null MX (RFC 7505)
    "7.28": t.SPAM_DETECTED,  # mail flood detected (RFC 8689 registry)
    "7.29": t.AUTH_FAILURE,  # ARC validation failure (RFC 8617)
    "7.30": t.FAILED_STARTTLS,  # REQUIRETLS support required (RFC 8689): TLS could not be kept
}

FALLBACK: dict[str, str] = {
    "0.0": t.UNDEFINED,
    "1.0": t.USER_UNKNOWN,
    "1.4": t.FILTERED,  # destination mailbox address ambiguous
    # Null MX per RFC 7505, but Office 365 uses it for "recipient not found".
    "1.10": t.NOT_ACCEPTED,
    "2.0": t.FILTERED,
    # Mailbox disabled, not accepting messages: MTAs send it for unknown users and filter
    # refusals too, so the text decides (suspension wording, unknown-user wording and its
    # stage); without either it is a refusal of this mailbox (Sisimai: filtered).
    "2.1": t.FILTERED,
    "3.0": t.SYSTEM_ERROR,
    "4.0": t.NETWORK_ERROR,
    "4.1": t.EXPIRED,  # no answer from host (retried until given up); Office 365: "access denied"
    "3.2": t.NOT_ACCEPTED,  # system not accepting network messages (a named cause wins)
    "4.4": t.HOST_UNKNOWN,  # unable to route: no next hop for the domain (Sisimai: hostunknown)
    # Mailbox or domain owner has changed (RFC 7293): only an RRVS-aware sender can be told
    # that, and servers reuse the codes loosely, so a reply text naming another cause wins.
    "7.17": t.HAS_MOVED,
    "7.18": t.HAS_MOVED,
    "5.0": t.SYNTAX_ERROR,
    "6.0": t.CONTENT_ERROR,
    "7.0": t.SECURITY_ERROR,
    "7.1": t.SECURITY_ERROR,  # delivery not authorized, message refused
}

# Transient (4.X.X) statuses whose meaning differs from the permanent one's, as Sisimai's
# SMTP::Status names them: a temporary refusal (4.7.1, 4.7.2) is the sending host held back
# (greylisting, rate or reputation limits: blocked), a temporarily disabled mailbox (4.2.1)
# is suspended, and a route that cannot be found for now (4.4.4) a network failure, not a
# domain that does not exist. Loose, like FALLBACK: a reply text naming a cause wins.
TRANSIENT_FALLBACK: dict[str, str] = {
    "7.1": t.BLOCKED,
    "7.2": t.BLOCKED,
    "2.1": t.SUSPENDED,
    "4.4": t.NETWORK_ERROR,
}

# An X.Y.Z status not inside a longer number or version. The class digit comes first and the
# look-behind after it (same test: the character before it is no digit or dot) so that re can
# skip to the next 2, 4 or 5 instead of running the look-behind at every position.
STATUS_RE = re.compile(r"([245])(?<![\d.][245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")


def normalise_status(status: str) -> str:
    """Return ``status`` as "C.S.D" if it holds an enhanced status code, else ""."""
    match = STATUS_RE.search(status)
    if match is None:
        return ""
    return ".".join(str(int(part)) for part in match.groups())


def status_reason(status: str) -> tuple[str, bool]:
    """Return (reason, definitive) for a normalised status, or ("", False) if unknown."""
    if not status:
        return "", False
    detail = status.split(".", 1)[1]
    if status[0] == "4" and detail in TRANSIENT_FALLBACK:
        return TRANSIENT_FALLBACK[detail], False
    if detail in DEFINITIVE:
        return DEFINITIVE[detail], True
    if detail in FALLBACK:
        return FALLBACK[detail], False
    return "", False
