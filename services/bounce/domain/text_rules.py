"""Reply-text patterns mapped to bounce reasons: provider-specific phrases, then generic ones.

Provider phrases come from the receivers' public postmaster documentation (Google Workspace
"SMTP error reference", Microsoft "Exchange Online NDR" and Outlook.com postmaster pages, Yahoo
"SMTP error codes", ...). Generic phrases are the common wording of Postfix, Exim, Sendmail,
qmail and Exchange. Order matters: the first matching rule wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.bounce.domain import taxonomy as t


@dataclass(frozen=True, slots=True)
class TextRule:
    """A named pattern over normalised (lower-case, single-spaced) reply text."""

    name: str
    reason: str
    pattern: re.Pattern[str]


def _rule(name: str, reason: str, *alternatives: str) -> TextRule:
    return TextRule(name, reason, re.compile("|".join(f"(?:{a})" for a in alternatives)))


PROVIDER_RULES: dict[str, tuple[TextRule, ...]] = {
    "google": (
        _rule(
            "google.no_account",
            t.USER_UNKNOWN,
            r"email account that you tried to reach does not exist",
        ),
        _rule(
            "google.disabled",
            t.SUSPENDED,
            r"email account that you tried to reach is (?:disabled|inactive)",
        ),
        _rule(
            "google.over_quota",
            t.MAILBOX_FULL,
            r"email account that you tried to reach is over quota",
            r"recipient's inbox is out of storage space",
        ),
        _rule("google.rate", t.SPEEDING, r"receiving mail (?:at|too quickly|at a rate)"),
        _rule("google.ptr", t.REQUIRE_PTR, r"does not have a ptr record"),
        _rule(
            "google.auth",
            t.AUTH_FAILURE,
            r"does not have authentication information",
            r"fails? to pass authentication checks",
            r"due to (?:the )?domain's dmarc policy",
            r"isn't aligned with either the authenticated spf or dkim",
        ),
        _rule("google.reputation", t.BAD_REPUTATION, r"very low reputation of the sending"),
        _rule("google.unsolicited_rate", t.BLOCKED, r"unusual rate of unsolicited mail"),
        _rule("google.spam", t.SPAM_DETECTED, r"likely unsolicited mail"),
        _rule("google.security", t.VIRUS_DETECTED, r"content presents a potential security issue"),
        _rule("google.rfc5322", t.CONTENT_ERROR, r"not rfc 5322 compliant"),
        _rule("google.size", t.MESSAGE_TOO_BIG, r"exceeded google's message size limits"),
    ),
    "microsoft": (
        _rule(
            "microsoft.recipient_not_found",
            t.USER_UNKNOWN,
            r"resolver\.adr\.recip(?:ient)?notfound",
            r"recipient not found by smtp address lookup",
            r"as\(201806281\)",
            r"requested action not taken: mailbox unavailable \(s2017062302\)",
        ),
        _rule("microsoft.recipient_restricted", t.REJECTED, r"resolver\.rst\.", r"senderdenied"),
        _rule("microsoft.mailbox_full", t.MAILBOX_FULL, r"storedrv\.deliver.*mailbox full"),
        _rule(
            "microsoft.throttled",
            t.SPEEDING,
            r"\brp-00[1-3]\b",
            r"we have limits for how many messages can be sent",
            r"server busy\. please try again later",
        ),
        _rule(
            "microsoft.blocked",
            t.BLOCKED,
            r"\b(?:sc|dy|ou)-00\d\b",
            r"\(s3\d{3}\)",
            r"part of their network is on our block list",
            r"banned sending ip",
            r"traffic not accepted from this ip",
        ),
        _rule("microsoft.dmarc", t.AUTH_FAILURE, r"does not pass dmarc verification"),
        _rule(
            "microsoft.external_forwarding",
            t.POLICY_VIOLATION,
            r"does not allow external forwarding",
        ),
        _rule("microsoft.anonymous", t.SECURITY_ERROR, r"not authenticated to send anonymous mail"),
        _rule("microsoft.mime", t.CONTENT_ERROR, r"invalid mime content"),
        _rule(
            "microsoft.size",
            t.MESSAGE_TOO_BIG,
            r"resolver\.rst\.recipsizelimit",
            r"message size exceeds",
        ),
    ),
    "yahoo": (
        _rule("yahoo.no_account", t.USER_UNKNOWN, r"user doesn't have a [\w.-]+ account"),
        _rule(
            "yahoo.disabled",
            t.SUSPENDED,
            r"account has been disabled or discontinued",
            r"this mailbox is disabled",
        ),
        _rule("yahoo.over_quota", t.MAILBOX_FULL, r"this account is over quota"),
        _rule("yahoo.unauthenticated", t.AUTH_FAILURE, r"sender is unauthenticated"),
        _rule(
            "yahoo.deferred", t.SPEEDING, r"\[tss0[1-5]\]", r"unexpected volume or user complaints"
        ),
        _rule(
            "yahoo.blocked",
            t.BLOCKED,
            r"\[tss(?:0[6-9]|1\d)\]",
            r"\[bl2\d\]",
            r"permanently deferred",
        ),
        _rule("yahoo.content", t.SPAM_DETECTED, r"message not allowed - \[\w+\]", r"\[ph01\]"),
        _rule("yahoo.policy", t.POLICY_VIOLATION, r"message not accepted for policy reasons"),
    ),
}

# mx_host / domain suffixes naming a provider whose rules apply first.
PROVIDER_HOSTS: dict[str, tuple[str, ...]] = {
    "google": ("google.com", "googlemail.com", "gmail.com"),
    "microsoft": ("outlook.com", "hotmail.com", "live.com", "msn.com", "office365.com"),
    "yahoo": ("yahoodns.net", "yahoo.com", "aol.com", "ymail.com", "yahoo.co.jp"),
}

GENERIC_RULES: tuple[TextRule, ...] = (
    _rule(
        "generic.mailbox_full",
        t.MAILBOX_FULL,
        r"mail ?box (?:is )?(?:full|over)",
        r"full mailbox",
        r"over ?quota",
        r"quota (?:exceeded|violation|exceed)",
        r"(?:exceed\w*|reached) (?:the |their |its |his |her )?(?:disk |storage |mailbox )?quota",
        r"disk ?quota",
        r"mail ?folder is full",
        r"inbox is full",
        r"mail ?box space not enough",
        r"insufficient (?:disk|storage) space",
        r"mailbox size limit",
        r"account is full",
        r"postfach (?:ist )?voll",
    ),
    _rule("generic.system_full", t.SYSTEM_FULL, r"insufficient system (?:storage|resources)"),
    _rule(
        "generic.suspended",
        t.SUSPENDED,
        r"(?:account|mailbox|user) (?:has been |is |was )?"
        r"(?:disabled|suspended|deactivated|inactive|locked|closed|discontinued|expired|frozen)",
        r"mailbox (?:is )?not active",
    ),
    _rule(
        "generic.has_moved",
        t.HAS_MOVED,
        r"\bhas moved\b",
        r"changed (?:his|her|their) (?:e-?mail )?address",
    ),
    _rule(
        "generic.sender_rejected",
        t.REJECTED,
        r"sender (?:address )?(?:rejected|denied|refused|unknown|blocked|not allowed)",
        r"sender verif\w+ failed",
        r"domain of sender address",
        r"not accepting mail from",
        r"from address (?:rejected|not allowed)",
        r"bad sender",
    ),
    _rule(
        "generic.user_unknown",
        t.USER_UNKNOWN,
        r"user ?unknown",
        r"unknown (?:or illegal )?(?:user|recipient|mailbox|local[- ]part|address)",
        r"no such (?:local )?(?:user|mailbox|recipient|account|address|person)",
        r"(?:user|mailbox|account|recipient|address|addressee)(?: name)? "
        r"(?:does not|doesn't|did not|didn't) exist",
        r"(?:user|mailbox|recipient|addressee)(?: name)? (?:is )?not "
        r"(?:found|known|recogni[sz]ed|listed)",
        r"(?:user|address|recipient) (?:not |un)(?:found|known)",
        r"addressee unknown",
        r"invalid (?:final delivery )?(?:recipient|mailbox|address|user|userid)",
        r"recipient (?:address )?(?:invalid|unknown|not found)",
        r"mailbox (?:not found|unavailable|does not exist|not available|unknown|is unavailable)",
        r"no mailbox here",
        r"not (?:a )?(?:valid|our) (?:user|recipient|mailbox|customer)",
        r"not listed in (?:domino directory|public name)",
        r"unrouteable address",
        r"no matches to nameserver query",
        r"does not have a final e?-?mail delivery point",
        r"did not (?:exactly )?match an? .{0,40}address",
        r"address is wrong",
        r"no longer valid",
        r"n'existe pas",
        r"(?:unbekannt|existiert nicht)",
    ),
    _rule(
        "generic.host_unknown",
        t.HOST_UNKNOWN,
        r"(?:host|domain)(?: name)? (?:unknown|not found)",
        r"unknown (?:host|domain)",
        r"domain (?:does not|doesn't) exist",
        r"name service error",
        r"no such domain",
        r"unrouteable mail domain",
        r"nxdomain",
        r"no mx (?:record|host)",
    ),
    _rule("generic.null_mx", t.NOT_ACCEPTED, r"null mx", r"does not accept (?:e-?)?mail"),
    _rule(
        "generic.no_relaying",
        t.NO_RELAYING,
        r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)",
        r"unable to relay",
        r"(?:do not|don't|not permitted to|cannot) relay",
        r"relay not permitted",
    ),
    _rule(
        "generic.ptr",
        t.REQUIRE_PTR,
        r"reverse dns",
        r"\bptr\b",
        r"\brdns\b",
        r"reverse (?:lookup|mapping)",
    ),
    _rule(
        "generic.blocked",
        t.BLOCKED,
        r"spamhaus",
        r"spamcop",
        r"barracuda",
        r"block ?list",
        r"black ?list",
        r"\b(?:dnsbl|rbl)\b",
        r"client host .{0,60}(?:rejected|blocked)",
        r"\bip (?:address )?(?:\S+ )?(?:is )?(?:blocked|banned|listed|rejected)",
        r"dynamic(?:ally[- ]assigned)? ip",
        r"blocked using",
    ),
    _rule("generic.reputation", t.BAD_REPUTATION, r"(?:poor|low|bad) reputation"),
    _rule(
        "generic.auth",
        t.AUTH_FAILURE,
        r"\bspf\b",
        r"\bdkim\b",
        r"\bdmarc\b",
        r"unauthenticated",
    ),
    _rule("generic.virus", t.VIRUS_DETECTED, r"virus", r"malware", r"infected"),
    _rule(
        "generic.spam",
        t.SPAM_DETECTED,
        r"spam",
        r"unsolicited",
        r"junk mail",
        r"bulk mail",
        r"\buce\b",
    ),
    _rule(
        "generic.size",
        t.MESSAGE_TOO_BIG,
        r"message (?:size|length)? ?(?:is )?(?:too (?:big|large)|exceeds)",
        r"(?:size|length) (?:limit|exceeds)",
        r"exceed(?:s|ed)? (?:the )?maximum (?:inbound |allowed )?message size",
        r"too large",
    ),
    _rule(
        "generic.too_many_recipients", t.EXCEED_LIMIT, r"too many recipients", r"recipient limit"
    ),
    _rule(
        "generic.speeding",
        t.SPEEDING,
        r"too many (?:connections|messages|concurrent|sessions)",
        r"rate limit",
        r"throttl",
        r"slow down",
        r"too (?:fast|often)",
    ),
    _rule(
        "generic.expired",
        t.EXPIRED,
        r"expired",
        r"too long (?:in|on) (?:the )?queue",
        r"in the queue too long",
        r"delivery failed \d+ attempts",
        r"maximum (?:delivery attempts|time)",
        r"retry (?:timeout|time) (?:exceeded|reached)",
        r"not been collected",
        r"message timed out",
        r"not (?:delivered|reachable) within",
    ),
    _rule(
        "generic.mailer",
        t.MAILER_ERROR,
        r"command (?:died|output)",
        r"mailer error",
        r"exit (?:code|status)",
        r"local delivery failed",
    ),
    _rule(
        "generic.network",
        t.NETWORK_ERROR,
        r"connection (?:refused|timed out|reset|closed|to .{0,60}failed)",
        r"(?:could not|couldn't|unable to|wasn't able to) (?:connect|establish)",
        r"no route to host",
        r"network (?:is )?unreachable",
        r"lost connection",
        r"(?:did not|does not|not) respond",
        r"no answer",
        r"too many hops",
        r"(?:mail(?:ing)?|routing) loop",
        r"looping",
        r"could not find a gateway",
    ),
    _rule(
        "generic.system",
        t.SYSTEM_ERROR,
        r"(?:system|server|internal|local) error",
        r"error in processing",
        r"temporary (?:local |server )?(?:problem|failure)",
        r"resources? (?:temporarily )?unavailable",
        r"service (?:not available|unavailable)",
    ),
    _rule(
        "generic.content",
        t.CONTENT_ERROR,
        r"(?:invalid|malformed|missing|duplicate|bad) [\w-]* ?header",
        r"header (?:syntax|field|line)",
        r"\bno [\w-]+ (?:header|field)",
        r"\bmime\b",
        r"line too long",
        r"bare lf",
        r"rfc ?(?:2|5)?822",
        r"message content",
    ),
    _rule(
        "generic.syntax",
        t.SYNTAX_ERROR,
        r"syntax error",
        r"command (?:not recogni[sz]ed|unrecogni[sz]ed)",
        r"bad sequence of commands",
    ),
    _rule(
        "generic.security",
        t.SECURITY_ERROR,
        r"authentication (?:is )?required",
        r"starttls",
        r"\btls\b",
        r"must (?:authenticate|use encryption)",
    ),
    _rule(
        "generic.filtered",
        t.FILTERED,
        r"filter",
        r"refused by recipient",
        r"recipient refuses",
        r"not authori[sz]ed to receive",
        r"administrative prohibition",
        r"moderat",
    ),
    _rule(
        "generic.policy",
        t.POLICY_VIOLATION,
        r"polic(?:y|ies)",
        r"prohibited",
        r"not allowed",
        r"access denied",
        r"blocked",
        r"rejected",
    ),
)
