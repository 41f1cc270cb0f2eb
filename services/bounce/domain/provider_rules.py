"""Provider-specific reply phrases (Google, Microsoft, Yahoo/AOL) and the hosts naming them.

Phrases come from the receivers' public postmaster documentation (Google Workspace "SMTP error
reference", Microsoft "Exchange Online NDR" and Outlook.com postmaster pages, Yahoo "SMTP error
codes"). A provider's rules are tried before the enhanced status code because providers reuse
codes idiosyncratically; the provider named by the MX host or recipient domain goes first.
"""

from __future__ import annotations

from services.bounce.domain import taxonomy as t
from services.bounce.domain.text_rules import TextRule, rule

PROVIDER_RULES: dict[str, tuple[TextRule, ...]] = {
    "google": (
        rule(
            "google.no_account",
            t.USER_UNKNOWN,
            r"email account that you tried to reach does not exist",
        ),
        rule(
            "google.disabled",
            t.SUSPENDED,
            r"email account that you tried to reach is (?:disabled|inactive)",
        ),
        rule(
            "google.over_quota",
            t.MAILBOX_FULL,
            r"email account that you tried to reach is over quota",
            r"recipient's inbox is out of storage space",
        ),
        rule("google.rate", t.SPEEDING, r"receiving mail (?:at|too quickly|at a rate)"),
        rule("google.ptr", t.REQUIRE_PTR, r"does not have a ptr record"),
        rule(
            "google.auth",
            t.AUTH_FAILURE,
            r"does not have authentication information",
            r"fails? to pass authentication checks",
            r"due to (?:the )?domain's dmarc policy",
            r"isn't aligned with either the authenticated spf or dkim",
        ),
        rule("google.reputation", t.BAD_REPUTATION, r"very low reputation of the sending"),
        rule("google.unsolicited_rate", t.BLOCKED, r"unusual rate of unsolicited mail"),
        rule("google.spam", t.SPAM_DETECTED, r"likely unsolicited mail"),
        rule("google.security", t.VIRUS_DETECTED, r"content presents a potential security issue"),
        rule("google.rfc5322", t.NOT_COMPLIANT_RFC, r"not rfc 5322 compliant"),
        # Gmail sends "4.7.29"/"5.7.29" (ARC failure in the IANA registry) for mail that did
        # not come over TLS.
        rule("google.tls", t.FAILED_STARTTLS, r"(?:not|n't) sent over (?:a |an )?(?:secure|tls)"),
        rule("google.size", t.MESSAGE_TOO_BIG, r"exceeded google's message size limits"),
    ),
    "microsoft": (
        rule(
            "microsoft.recipient_not_found",
            t.USER_UNKNOWN,
            r"resolver\.adr\.(?:ex)?recip(?:ient)?notfound",
            r"recipient not found by smtp address lookup",
            r"as\(201806281\)",
            r"requested action not taken: mailbox unavailable \(s2017062302\)",
        ),
        rule(
            "microsoft.size",
            t.MESSAGE_TOO_BIG,
            r"resolver\.rst\.\w*sizelimit",
            r"message size exceeds",
        ),
        rule("microsoft.auth_required", t.SECURITY_ERROR, r"resolver\.rst\.authrequired"),
        # Exchange's own resolver and DNS codes (Exchange 2007 and later NDRs).
        rule("microsoft.recipient_limit", t.TOO_MANY_CONN, r"resolver\.adr\.reciplimit"),
        rule(
            "microsoft.directory_error",
            t.SYSTEM_ERROR,
            r"resolver\.adr\.(?:invalidinsmtp|ambiguous|badprimary)",
        ),
        rule("microsoft.mx_loopback", t.NETWORK_ERROR, r"smtpsend\.dns\.mxloopback"),
        # The recipient accepts mail only from some senders: its own filter (Sisimai: filtered).
        rule("microsoft.not_authorized", t.FILTERED, r"resolver\.rst\.notauthorized"),
        rule("microsoft.recipient_restricted", t.REJECTED, r"resolver\.rst\.", r"senderdenied"),
        rule("microsoft.mailbox_full", t.MAILBOX_FULL, r"storedrv\.deliver.*mailbox full"),
        rule(
            "microsoft.throttled",
            t.SPEEDING,
            r"\brp-00[1-3]\b",
            r"we have limits for how many messages can be sent",
            r"server busy\. please try again later",
        ),
        rule(
            "microsoft.blocked",
            t.BLOCKED,
            r"\b(?:sc|dy|ou)-00\d\b",
            r"\(s3\d{3}\)",
            r"part of their network is on our block list",
            r"banned sending ip",
            r"traffic not accepted from this ip",
        ),
        rule("microsoft.dmarc", t.AUTH_FAILURE, r"does not pass dmarc verification"),
        rule(
            "microsoft.external_forwarding",
            t.POLICY_VIOLATION,
            r"does not allow external forwarding",
        ),
        rule("microsoft.anonymous", t.SECURITY_ERROR, r"not authenticated to send anonymous mail"),
        rule("microsoft.mime", t.CONTENT_ERROR, r"invalid mime content"),
    ),
    "yahoo": (
        rule("yahoo.no_account", t.USER_UNKNOWN, r"user doesn't have a [\w.-]+ account"),
        rule(
            "yahoo.disabled",
            t.SUSPENDED,
            r"account has been disabled or discontinued",
            r"this mailbox is disabled",
        ),
        rule("yahoo.over_quota", t.MAILBOX_FULL, r"this account is over quota"),
        rule("yahoo.unauthenticated", t.AUTH_FAILURE, r"sender is unauthenticated"),
        # [TSS04]: deferred for the complaints and volume the sending IP drew (its reputation).
        rule("yahoo.reputation", t.BAD_REPUTATION, r"unexpected volume or user complaints"),
        rule("yahoo.deferred", t.SPEEDING, r"\[tss0[1-5]\]"),
        rule(
            "yahoo.blocked",
            t.BLOCKED,
            r"\[tss(?:0[6-9]|1\d)\]",
            r"\[bl2\d\]",
            r"permanently deferred",
        ),
        rule("yahoo.content", t.SPAM_DETECTED, r"message not allowed - \[\w+\]", r"\[ph01\]"),
        rule("yahoo.policy", t.POLICY_VIOLATION, r"message not accepted for policy reasons"),
    ),
}

# mx_host / domain suffixes naming a provider whose rules apply first.
PROVIDER_HOSTS: dict[str, tuple[str, ...]] = {
    "google": ("google.com", "googlemail.com", "gmail.com"),
    "microsoft": ("outlook.com", "hotmail.com", "live.com", "msn.com", "office365.com"),
    "yahoo": ("yahoodns.net", "yahoo.com", "aol.com", "ymail.com", "yahoo.co.jp"),
}

# Gmail's relayed-failure notices ("Technical details of permanent failure: ... The error that
# the other server returned was: 550 ... (state 14).") end with the session state the remote
# server refused in ("(state N)." closing the reply; an inline "SMTP Error (state 9): ..." is
# not that layout); Sisimai's Gmail module documents the table. Tried after the strong phrases
# and a definitive status (a written 5.2.2 still says mailbox full), before generic phrases.
GOOGLE_RELAY_RULES: tuple[TextRule, ...] = (
    rule("google.state_rcpt", t.USER_UNKNOWN, r"\(state 14\)\."),
    rule("google.state_data", t.FILTERED, r"\(state 1[578]\)\."),
    rule("google.state_ehlo", t.BLOCKED, r"\(state 13\)\."),
    rule("google.state_relay", t.NO_RELAYING, r"\(state 12\)\."),
    rule("google.state_auth", t.SYSTEM_ERROR, r"\(state [689]\)\."),
    rule(
        "google.gave_up",
        t.EXPIRED,
        r"dns error: could not contact dns servers",
        r"the recipient server did not accept our requests to connect",
        # Gmail's delay notice itself: the module reads it so whatever the reply quoted.
        r"delivery to the following recipient has been delayed",
    ),
)
