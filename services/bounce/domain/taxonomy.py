"""Bounce reason taxonomy: reason names, their hard/soft nature and retry advice.

The reasons follow Sisimai 5's taxonomy (one reason per cause of a failed delivery), spelled in
snake_case; ``SISIMAI_NAMES`` gives each reason its Sisimai name and ``from_sisimai`` reads a
Sisimai name (5.x, and the 4.x spellings Debian ships) back. Hard means the address itself is
bad (as in Sisimai: user/host unknown, moved, domain accepting no mail on 5xx); everything else
is soft, except ``undefined`` (only a reply code is known) which follows the code's class.

=================== ====== ================ ==================================================
reason              type   retry            meaning
=================== ====== ================ ==================================================
user_unknown        hard   do_not_retry     mailbox does not exist (X.1.1, "no such user")
host_unknown        hard   do_not_retry     recipient domain/host does not exist (X.1.2)
has_moved           hard   do_not_retry     mailbox moved, no forwarding (X.1.6, X.7.17)
not_accepted        hard   do_not_retry     domain accepts no mail (null MX, no MX, X.1.10)
suspended           soft   retry_after_fix  mailbox disabled, suspended or expired (X.2.1)
mailbox_full        soft   retry_later      recipient over quota (X.2.2)
system_full         soft   retry_later      receiving system out of storage (X.3.1)
exceed_limit        soft   retry_after_fix  message over the mailbox's administrative limit (X.2.3)
message_too_big     soft   retry_after_fix  message exceeds size limit (X.2.3, X.3.4)
filtered            soft   retry_after_fix  recipient-side filter refused the message
rejected            soft   retry_after_fix  sender address or domain refused (X.1.7, X.1.8)
blocked             soft   retry_after_fix  sending IP/host blocked or on a blocklist
bad_reputation      soft   retry_after_fix  sender reputation too low (Gmail, Outlook)
require_ptr         soft   retry_after_fix  sending IP lacks reverse DNS (PTR)
auth_failure        soft   retry_after_fix  SPF/DKIM/DMARC/ARC failure (X.7.20-X.7.29)
spam_detected       soft   retry_after_fix  content judged to be spam
virus_detected      soft   retry_after_fix  content carries malware
policy_violation    soft   retry_after_fix  local policy refusal (X.7.1 without detail)
security_error      soft   retry_after_fix  authentication/TLS/security requirement (X.7.x)
content_error       soft   retry_after_fix  malformed content or headers (X.6.x)
syntax_error        soft   retry_after_fix  SMTP protocol/syntax error (X.5.x)
not_compliant_rfc   soft   retry_after_fix  message violates RFC 5322 (e.g. multiple From:)
failed_starttls     soft   retry_after_fix  STARTTLS required or failed
no_relaying         soft   retry_after_fix  relay denied
mailer_error        soft   retry_later      local delivery program failed
system_error        soft   retry_later      receiving system error (X.3.x, X.4.3)
network_error       soft   retry_later      connection/routing problem (X.4.1, X.4.2, X.4.6)
speeding            soft   retry_later      rate limited: too many messages per time unit
too_many_conn       soft   retry_later      too many connections or recipients (421 4.7.0, X.5.3)
expired             soft   retry_later      gave up after the retry period (X.4.7)
on_hold             soft   retry_later      failure of unknown cause, delivery suspended
undefined           5xx    code class       nothing but the code known (hard if 5xx, soft otherwise)
delivered           ""     do_not_retry     2xx reply or DSN action delivered/relayed
vacation            ""     do_not_retry     auto-reply, not a bounce
feedback            ""     do_not_retry     ARF complaint, not a bounce
=================== ====== ================ ==================================================

A 4xx reply code yields ``soft`` and ``retry_later`` whatever the reason: SMTP itself says the
condition is transient. One exception, read as Sisimai reads it (its hard/soft is a function
of the reason alone): in a delivery report ("Action: failed" or "delayed") an address the
receiver called unknown or moved is hard even when that reply was 4xx (``address_refused``) —
the address, not the moment, was refused. A delayed report stays a deferral (the outcome's
kind); its hard/soft only says what the receiver said of the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BounceType = Literal["hard", "soft", ""]
RetryAdvice = Literal["do_not_retry", "retry_later", "retry_after_fix"]

HARD: BounceType = "hard"
SOFT: BounceType = "soft"
DO_NOT_RETRY: RetryAdvice = "do_not_retry"
RETRY_LATER: RetryAdvice = "retry_later"
RETRY_AFTER_FIX: RetryAdvice = "retry_after_fix"

USER_UNKNOWN = "user_unknown"
HOST_UNKNOWN = "host_unknown"
HAS_MOVED = "has_moved"
NOT_ACCEPTED = "not_accepted"
SUSPENDED = "suspended"
MAILBOX_FULL = "mailbox_full"
SYSTEM_FULL = "system_full"
EXCEED_LIMIT = "exceed_limit"
MESSAGE_TOO_BIG = "message_too_big"
FILTERED = "filtered"
REJECTED = "rejected"
BLOCKED = "blocked"
BAD_REPUTATION = "bad_reputation"
REQUIRE_PTR = "require_ptr"
AUTH_FAILURE = "auth_failure"
SPAM_DETECTED = "spam_detected"
VIRUS_DETECTED = "virus_detected"
POLICY_VIOLATION = "policy_violation"
SECURITY_ERROR = "security_error"
CONTENT_ERROR = "content_error"
SYNTAX_ERROR = "syntax_error"
NO_RELAYING = "no_relaying"
MAILER_ERROR = "mailer_error"
SYSTEM_ERROR = "system_error"
NETWORK_ERROR = "network_error"
SPEEDING = "speeding"
TOO_MANY_CONN = "too_many_conn"
NOT_COMPLIANT_RFC = "not_compliant_rfc"
FAILED_STARTTLS = "failed_starttls"
ON_HOLD = "on_hold"
EXPIRED = "expired"
UNDEFINED = "undefined"
DELIVERED = "delivered"
VACATION = "vacation"
FEEDBACK = "feedback"

_ADDRESS_REASONS = {USER_UNKNOWN, HOST_UNKNOWN, HAS_MOVED}
_HARD_REASONS = _ADDRESS_REASONS | {NOT_ACCEPTED}
_RETRY_LATER_REASONS = {
    TOO_MANY_CONN,
    ON_HOLD,
    MAILBOX_FULL,
    SYSTEM_FULL,
    MAILER_ERROR,
    SYSTEM_ERROR,
    NETWORK_ERROR,
    SPEEDING,
    EXPIRED,
}
_NOT_BOUNCES = {DELIVERED, VACATION, FEEDBACK}

REASONS: frozenset[str] = frozenset(
    _HARD_REASONS
    | _RETRY_LATER_REASONS
    | _NOT_BOUNCES
    | {
        EXCEED_LIMIT,
        MESSAGE_TOO_BIG,
        FILTERED,
        REJECTED,
        BLOCKED,
        BAD_REPUTATION,
        REQUIRE_PTR,
        AUTH_FAILURE,
        SPAM_DETECTED,
        VIRUS_DETECTED,
        POLICY_VIOLATION,
        SECURITY_ERROR,
        CONTENT_ERROR,
        SYNTAX_ERROR,
        NOT_COMPLIANT_RFC,
        FAILED_STARTTLS,
        SUSPENDED,
        NO_RELAYING,
        UNDEFINED,
    }
)

# Our reason -> Sisimai 5's name (Sisimai 5.2 renamed mesgtoobig to emailtoolarge).
SISIMAI_NAMES: dict[str, str] = {
    reason: reason.replace("_", "") for reason in REASONS if reason != UNDEFINED
} | {
    NOT_ACCEPTED: "notaccept",
    SUSPENDED: "suspend",
    MESSAGE_TOO_BIG: "emailtoolarge",
    NOT_COMPLIANT_RFC: "notcompliantrfc",
    FAILED_STARTTLS: "failedstarttls",
    REQUIRE_PTR: "requireptr",
    TOO_MANY_CONN: "toomanyconn",
    UNDEFINED: "undefined",
}
_FROM_SISIMAI: dict[str, str] = {name: reason for reason, name in SISIMAI_NAMES.items()} | {
    "mesgtoobig": MESSAGE_TOO_BIG,  # the Sisimai 4.x name
}


def sisimai_name(reason: str) -> str:
    """The Sisimai 5 reason name of one of ours ("" for a name we do not know)."""
    return SISIMAI_NAMES.get(reason, "")


def from_sisimai(name: str) -> str:
    """Our reason for a Sisimai reason name (4.x or 5.x); ValueError when there is none."""
    try:
        return _FROM_SISIMAI[name.lower()]
    except KeyError:
        raise ValueError(f"unknown Sisimai reason {name!r}") from None


@dataclass(frozen=True, slots=True)
class SmtpClassification:
    """What a failed (or successful) delivery attempt means for the sender."""

    reason: str
    bounce_type: BounceType
    retry: RetryAdvice
    matched_rule: str

    @property
    def sisimai_reason(self) -> str:
        """The reason under its Sisimai 5 name, so users can compare with Sisimai."""
        return sisimai_name(self.reason)


def classification_for(reason: str, code: int, matched_rule: str) -> SmtpClassification:
    """Build the classification of ``reason`` given the SMTP reply ``code`` (0 if unknown)."""
    if reason not in REASONS:
        raise ValueError(f"unknown bounce reason {reason!r}")
    if reason in _NOT_BOUNCES:
        return SmtpClassification(reason, "", DO_NOT_RETRY, matched_rule)
    if 400 <= code < 500:
        return SmtpClassification(reason, SOFT, RETRY_LATER, matched_rule)
    if reason == UNDEFINED:
        # Nothing but the code is known (an ESP's "hard_bounce", a bare 5.x.x status): the
        # code's class decides, as SMTP says. Unexplained text is on_hold instead (soft).
        if 500 <= code < 600:
            return SmtpClassification(reason, HARD, DO_NOT_RETRY, matched_rule)
        return SmtpClassification(reason, SOFT, RETRY_LATER, matched_rule)
    if reason in _HARD_REASONS:
        return SmtpClassification(reason, HARD, DO_NOT_RETRY, matched_rule)
    if reason in _RETRY_LATER_REASONS:
        return SmtpClassification(reason, SOFT, RETRY_LATER, matched_rule)
    return SmtpClassification(reason, SOFT, RETRY_AFTER_FIX, matched_rule)


def address_refused(found: SmtpClassification) -> SmtpClassification:
    """``found`` as a delivery report's word on the recipient: an address called unknown or
    moved is hard even on a 4xx reply (the receiver refused the address itself, as Sisimai
    reads it whatever the code); every other reason keeps its verdict (a 4xx
    ``not_accepted`` stays soft, as in Sisimai)."""
    if found.reason in _ADDRESS_REASONS and found.bounce_type == SOFT:
        return SmtpClassification(found.reason, HARD, DO_NOT_RETRY, f"{found.matched_rule}.final")
    return found
