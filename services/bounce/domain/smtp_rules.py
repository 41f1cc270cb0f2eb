"""Classification of one SMTP reply (code, enhanced status, text) into a bounce reason.

Order of evaluation, first hit wins:

1. 2xx code or 2.X.X status: ``delivered``.
2. The published error codes of receivers that have them (Cox, GoDaddy, Orange, ...; see
   ``rhost_rules``), only for replies from their hosts.
3. Provider phrases (Google, Microsoft, Yahoo/AOL), the provider named by ``mx_host`` or
   ``domain`` first. They come before the status because providers reuse codes idiosyncratically
   (Office 365 sends 5.1.10 and 5.4.1 for unknown recipients).
4. Strong phrases (mailbox full, account suspended, message too big): relaying MTAs wrap such
   remote replies in a status of their own (sendmail's 5.1.1 "User unknown"). Disk space
   wording names no owner: beside a system-full status (X.3.1, X.4.5) it is the system's.
5. The RFC 3463 enhanced status when its detail is definitive (X.1.1, X.2.2, ...; an address
   status yields to wording naming a relay, block-list, sender, DNS or other failure, and a
   status naming a cause of Sisimai's first reason order to wording naming a cause placed
   before it in that order, as Sisimai tries them, and any other status to wording naming a
   cause of that order; ``smtp_stage.after_acceptance`` then checks the wording holds at the
   reply's stage, see docs/bounce.md "How a reason is decided"), unless it
   only names a protocol-level class (syntax, security, TLS, content) or a network or system
   failure: MTAs use those loosely (5.7.3 for a spam verdict, 5.4.6 for a loop the MTA broke
   itself), so there the reply text is read first (Sisimai retries its phrase lists after
   such status names too).
6. Generic reply-text phrases.
7. The loose meaning of a non-definitive status (X.0.0, X.7.1, ...).
8. Bare refusal words ("rejected", "access denied") that name no cause: a policy refusal
   (they come before step 7 unless the loose status itself means a refusal, X.7.x or X.2.x),
   except beside a 500-507 reply code, which is a command or argument error.
9. ``undefined``; hard for 5xx, soft otherwise.

Also read here from a reply: its code and enhanced status (``reply_code_in``,
``status_in_text``), and the status a report gives its recipient (``specific_status``).
"""

from __future__ import annotations

import itertools
import re

from services.bounce.domain import (
    generic_rules,
    provider_rules,
    rhost_rules,
    status_codes,
    text_rules,
)
from services.bounce.domain import taxonomy as t
from services.bounce.domain.smtp_stage import OVER_STATUS_SUFFIX
from services.bounce.domain.taxonomy import SmtpClassification

# Reply codes not preceded by a digit or dot; that is checked in Python (see _first_code): a
# pattern starting with a character class lets re skip ahead quickly, a look-behind does not.
_FAILURE_CODE_RE = re.compile(r"([45]\d\d)(?:[ -:]|$)", re.MULTILINE)
_SUCCESS_CODE_RE = re.compile(r"(2\d\d)(?:[ -]|$)", re.MULTILINE)
# "550-5.7.1 " continuation prefixes of multi-line replies, repeated on every line.
_CONTINUATION_RE = re.compile(r"(?:^|\s)[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?")
# Definitive statuses that still yield to a generic phrase (step 5 of the module docstring);
# X.4.7 (delivery time expired) says only that time ran out, not why.
_TEXT_FIRST_STATUS_REASONS = frozenset(
    {
        t.SYNTAX_ERROR, t.SECURITY_ERROR, t.FAILED_STARTTLS, t.CONTENT_ERROR, t.NETWORK_ERROR,
        t.SYSTEM_ERROR, t.EXPIRED,
    }
)  # fmt: skip
_MAX_TEXT = 2000
# Loose statuses that themselves mean "refused" (X.7.0/X.7.1 security, 4.7.1/4.7.2 the sending
# host held back, X.2.0/X.2.1 filter, X.1.0 the address): bare refusal words add nothing to
# them ("550 5.1.0 Address rejected" is about the address, as Sisimai's status table names
# X.1.0). Other loose statuses (X.4.1 "no answer", X.5.0 ...) contradict such words, which
# then win.
_REFUSAL_STATUS_REASONS = frozenset({t.SECURITY_ERROR, t.BLOCKED, t.FILTERED, t.USER_UNKNOWN})
# Statuses whose name decides over most wording (Sisimai's SMTP::Status names them, and its
# reason order reads only the causes below before the status): a filter's refusal (X.1.4,
# X.2.0, X.2.1, X.2.4), a domain accepting no mail (X.1.10), malformed content (X.6.x), a
# mailbox or domain with a new owner (X.7.17, X.7.18).
_STATUS_DECIDES_REASONS = frozenset({t.FILTERED, t.NOT_ACCEPTED, t.CONTENT_ERROR, t.HAS_MOVED})
# Sisimai's first reason order (Reason.pm's ClassOrder, with the reasons Sisimai 5 put in it):
# each of these causes is tried in turn, by its wording or by the status naming it, before any
# other status is read. Its wording outweighs a status that decides over most wording.
_FIRST_ORDER = (
    t.MAILBOX_FULL, t.MESSAGE_TOO_BIG, t.EXCEED_LIMIT, t.SUSPENDED, t.HAS_MOVED, t.NO_RELAYING,
    t.AUTH_FAILURE, t.USER_UNKNOWN, t.FILTERED, t.REQUIRE_PTR, t.NOT_COMPLIANT_RFC,
    t.BAD_REPUTATION, t.REJECTED, t.HOST_UNKNOWN, t.SPAM_DETECTED, t.SPEEDING, t.TOO_MANY_CONN,
    t.BLOCKED,
)  # fmt: skip
_NAMED_BEFORE_STATUS = frozenset(_FIRST_ORDER)
_ORDER = {reason: place for place, reason in enumerate(_FIRST_ORDER)}
# A definitive status naming one of those causes holds its place in that order, and yields to
# wording that names a cause placed before it (X.1.7 beside "relay access denied" is a relay
# refusal; X.1.2 beside "user unknown" is about the user). Any other definitive status (mail
# system full X.3.1, delivery time expired X.4.7, and the causes whose test in that order reads
# only the wording: suspended X.7.13, moved X.1.6; and a filter's X.2.4, which holds there
# only beside unknown-user or filter wording) is read after the whole order, so wording naming
# any cause of the order decides over it (X.3.1 beside "unable to relay" is a relay refusal,
# X.2.4 beside "domain must exist" an unknown host), as Sisimai reads the status's name only
# when the first order found nothing.
_READ_AFTER_ORDER = (
    t.SUSPENDED, t.HAS_MOVED, t.FILTERED, t.NOT_COMPLIANT_RFC, t.BAD_REPUTATION, t.SPEEDING
)  # fmt: skip
_STATUS_PLACE = {
    reason: place for reason, place in _ORDER.items() if reason not in _READ_AFTER_ORDER
}
_AFTER_FIRST_ORDER = len(_FIRST_ORDER)
# Except unknown-address wording beside a disabled (X.7.13) or moved (X.1.6) mailbox's status:
# it says the same of the address, less precisely, and the status decides (Sisimai's
# UserUnknown and Filtered decline a suspended status outright).
_ADDRESS_WORDING = frozenset({t.USER_UNKNOWN, t.FILTERED})
_NOT_OVER_STATUS = {t.SUSPENDED: _ADDRESS_WORDING, t.HAS_MOVED: _ADDRESS_WORDING}
# Wording that outweighs an address status, by the status's reason. MTAs send "5.1.1" with any
# refusal of a recipient, so a text naming a relay, block-list, full-mailbox, moved, sender or
# no-mail refusal is the cause (Sisimai's UserUnknown yields its X.1.1 to these alike); a
# domain status (X.1.2) beside a temporary DNS failure or other network wording is that
# failure, not a domain that does not exist (as Sisimai's HostUnknown reads it).
_NAMED_OVER_ADDRESS_STATUS: dict[str, frozenset[str]] = {
    t.USER_UNKNOWN: frozenset(
        {
            t.NO_RELAYING, t.BLOCKED, t.BAD_REPUTATION, t.REQUIRE_PTR, t.MAILBOX_FULL,
            t.HAS_MOVED, t.REJECTED, t.NOT_ACCEPTED,
        }
    ),
    t.HOST_UNKNOWN: frozenset({t.NETWORK_ERROR}),
}  # fmt: skip


def _wording_outweighs(named: str, status_reason: str) -> bool:
    """Whether wording naming ``named`` decides over a definitive status naming
    ``status_reason`` (an address status's own list, else the first reason order)."""
    if named in _NAMED_OVER_ADDRESS_STATUS.get(status_reason, ()):
        return True
    if named in _NOT_OVER_STATUS.get(status_reason, ()):
        return False
    place = _STATUS_PLACE.get(status_reason, _AFTER_FIRST_ORDER)
    return named in _NAMED_BEFORE_STATUS and _ORDER[named] < place


def _system_full(status: str) -> bool:
    """Whether ``status`` names the mail system full (X.3.1) or congested (X.4.5)."""
    return status_codes.status_reason(status)[0] == t.SYSTEM_FULL


def normalise_text(text: str) -> str:
    """Lower-case ``text``, drop multi-line reply prefixes and collapse whitespace."""
    text = text[:_MAX_TEXT].lower()
    # str.split() splits at exactly the characters re's \s matches (Unicode white space).
    return " ".join(_CONTINUATION_RE.sub(" ", text).split())


def _first_code(pattern: re.Pattern[str], text: str) -> int:
    for match in pattern.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1] not in "0123456789.":
            return int(match.group(1))
    return 0


def reply_code_in(text: str) -> int:
    """Return the first 4xx/5xx SMTP reply code in ``text``, else the first 2xx, else 0.

    Failure codes win because bounce texts quote whole sessions ("220 ready", "250 ok").
    """
    text = text[:_MAX_TEXT]
    return _first_code(_FAILURE_CODE_RE, text) or _first_code(_SUCCESS_CODE_RE, text)


# qmail's and vpopmail's "(#5.1.1)": the status the refusing program wrote for its own error,
# which Sisimai's SMTP::Status reads before any other status in the text.
_HASH_STATUS_RE = re.compile(r"\(#([245])\.(\d{1,3})\.(\d{1,3})\)")


def status_in_text(text: str, code: int) -> str:
    """An enhanced status in ``text`` whose class agrees with ``code`` (2.X.X only for 2xx):
    a qmail-style "(#X.Y.Z)" first, else the first one written."""
    text = text[:_MAX_TEXT]
    matches = status_codes.STATUS_RE.finditer(text)
    if "(#" in text:
        matches = itertools.chain(_HASH_STATUS_RE.finditer(text), matches)
    for match in matches:
        status = ".".join(str(int(part)) for part in match.groups())
        if code and str(code)[0] != status[0]:
            continue
        if status[0] == "2" and not 200 <= code < 300:
            continue
        return status
    return ""


_SPECIFIC_STATUS_RE = re.compile(r"[45]\.[1-9]\.[1-9]$")


def specific_status(status: str, diagnostic: str) -> str:
    """The status to report: the diagnostic's own detailed code ("Status: 5.0.0" or "5.1.1"
    beside "550 5.7.1 ..." is 5.7.1), else the report's own unless X.0.0, else the diagnostic's of
    its class. Classification reads the same status: the remote server described its own refusal,
    the reporting MTA only summed it up (Sisimai prefers the diagnostic's code alike)."""
    found = status_in_text(diagnostic, reply_code_in(diagnostic))
    if _SPECIFIC_STATUS_RE.match(found):
        return found
    if status and not status.endswith(".0.0"):
        return status
    if found and (not status or found[0] == status[0]):
        return found
    return status


# Each provider's host names, and its place in PROVIDER_HOSTS (the first listed wins a tie).
_PROVIDER_OF_HOST = {
    host: provider
    for provider, hosts in reversed(provider_rules.PROVIDER_HOSTS.items())
    for host in hosts
}
_PROVIDER_RANK = {provider: rank for rank, provider in enumerate(provider_rules.PROVIDER_HOSTS)}


def provider_of(mx_host: str, domain: str) -> str:
    """Name the provider whose MX or domain this is (the host or a parent domain of it is one
    of the provider's), or "" if none is known."""
    for host in (mx_host.lower().rstrip("."), domain.lower().rstrip(".")):
        found = []
        start = 0
        while host:
            provider = _PROVIDER_OF_HOST.get(host[start:])
            if provider is not None:
                found.append(provider)
            start = host.find(".", start) + 1
            if start == 0:
                break
        if found:
            return min(found, key=_PROVIDER_RANK.__getitem__)
    return ""


_PROVIDER_TABLES = {p: text_rules.rule_table(r) for p, r in provider_rules.PROVIDER_RULES.items()}
_STRONG_TABLE = text_rules.rule_table(text_rules.STRONG_RULES)
_GENERIC_TABLE = text_rules.rule_table(generic_rules.GENERIC_RULES)
_WEAK_TABLE = text_rules.rule_table(generic_rules.WEAK_RULES)
# Every table's screen literals: a reply text is scanned for them once, not once per table.
_LITERALS = text_rules.joint_index(
    [*_PROVIDER_TABLES.values(), _STRONG_TABLE, _GENERIC_TABLE, _WEAK_TABLE]
)


def _provider_tables(provider: str) -> list[text_rules.RuleTable]:
    ordered = [_PROVIDER_TABLES[provider]] if provider else []
    ordered += [table for p, table in _PROVIDER_TABLES.items() if p != provider]
    return ordered


# The provider tables in the order each provider (or none) has them tried.
_PROVIDER_ORDER = {p: tuple(_provider_tables(p)) for p in ["", *_PROVIDER_TABLES]}


def classify_smtp_reply(
    code: int, enhanced_status: str, text: str, mx_host: str = "", domain: str = ""
) -> SmtpClassification:
    """Classify an SMTP reply; ``code`` 0 and empty strings mean "not known"."""
    code = code or reply_code_in(text)
    status = status_codes.normalise_status(enhanced_status) or status_in_text(text, code)
    effective_code = code or (int(status[0]) * 100 + 50 if status else 0)
    if 200 <= effective_code < 300 or status.startswith("2"):
        return t.classification_for(t.DELIVERED, effective_code, "code.2xx")

    receiver_reason, receiver = rhost_rules.receiver_reason(text, mx_host, domain)
    if receiver_reason:
        return t.classification_for(receiver_reason, effective_code, f"receiver.{receiver}")

    normalised = normalise_text(text)
    present = _LITERALS.present(normalised)
    if normalised:
        for table in _PROVIDER_ORDER[provider_of(mx_host, domain)]:
            rule = text_rules.first_match(table, normalised, present)
            if rule is not None:
                return t.classification_for(rule.reason, effective_code, rule.name)

    if normalised:
        rule = text_rules.first_match(_STRONG_TABLE, normalised, present)
        if rule is not None and rule.reason == t.MESSAGE_TOO_BIG and status[2:] == "2.3":
            # X.2.3: the size exceeds the mailbox's administrative limit, not the system's.
            return t.classification_for(t.EXCEED_LIMIT, effective_code, f"{rule.name}.x23")
        if rule is not None and rule.name == text_rules.DISK_SPACE_RULE and _system_full(status):
            # X.3.1 / X.4.5: the disk that is short is the mail system's, not the mailbox's.
            return t.classification_for(t.SYSTEM_FULL, effective_code, f"{rule.name}.system")
        if rule is not None:
            return t.classification_for(rule.reason, effective_code, rule.name)

    reason, definitive = status_codes.status_reason(status)
    if definitive and reason not in _TEXT_FIRST_STATUS_REASONS:
        if normalised and (reason in _NAMED_OVER_ADDRESS_STATUS or _STATUS_PLACE.get(reason) != 0):
            # (a status placed first in the order yields to no generic wording)
            rule = text_rules.first_match(_GENERIC_TABLE, normalised, present)
            if rule is not None and _wording_outweighs(rule.reason, reason):
                return t.classification_for(
                    rule.reason, effective_code, f"{rule.name}{OVER_STATUS_SUFFIX}"
                )
        return t.classification_for(reason, effective_code, f"status.{status}")

    if normalised:
        rule = text_rules.first_match(_GENERIC_TABLE, normalised, present)
        if rule is not None and reason not in _STATUS_DECIDES_REASONS:
            return t.classification_for(rule.reason, effective_code, rule.name)
        if rule is not None and rule.reason in _NAMED_BEFORE_STATUS:
            name = rule.name if rule.reason == reason else f"{rule.name}{OVER_STATUS_SUFFIX}"
            return t.classification_for(rule.reason, effective_code, name)
        if rule is not None:
            return t.classification_for(reason, effective_code, f"status.{status}.over_text")

    if definitive:
        return t.classification_for(reason, effective_code, f"status.{status}")
    weak = text_rules.first_match(_WEAK_TABLE, normalised, present) if normalised else None
    if reason in _REFUSAL_STATUS_REASONS or (reason and weak is None and reason != t.UNDEFINED):
        return t.classification_for(reason, effective_code, f"status.{status}.fallback")
    # 500-507: the server could not parse the command or its arguments (RFC 5321).
    syntax_code = code % 100 <= 7 and code // 100 in (4, 5) and bool(normalised)
    if weak is not None and not (syntax_code and weak.reason == t.POLICY_VIOLATION):
        return t.classification_for(weak.reason, effective_code, weak.name)
    if syntax_code:
        # No wording names another cause; bare refusal words ("rejected", "not allowed") only
        # repeat that the command was refused (Sisimai's SyntaxError reads the code alike).
        return t.classification_for(t.SYNTAX_ERROR, code, f"code.{code}")
    if effective_code:
        return t.classification_for(t.UNDEFINED, effective_code, f"code.{effective_code // 100}xx")
    return t.classification_for(t.UNDEFINED, 0, "none")
