"""Generic reply-text patterns mapped to bounce reasons, and the TextRule they are made of.

The phrases are the common wording of Postfix, Exim, Sendmail, qmail, Exchange, Domino and
content filters (see also Sisimai's per-reason phrase lists, whose taxonomy this follows).
Provider-specific phrases live in ``provider_rules``. Order matters: the first matching rule
wins. Every rule carries a literal screen (``literals``) so a text is only searched with the
rules whose required words it contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.bounce.domain import taxonomy as t
from services.bounce.domain.literals import Alternatives, may_match, required_literals


@dataclass(frozen=True, slots=True)
class TextRule:
    """A named pattern over normalised (lower-case, single-spaced) reply text."""

    name: str
    reason: str
    pattern: re.Pattern[str]
    screen: Alternatives | None

    def search(self, text: str) -> bool:
        """True if the rule matches ``text`` (the literal screen first, then the pattern)."""
        return may_match(self.screen, text) and self.pattern.search(text) is not None


# Transient connection failures: once the MTA gives up on them the reason is ``expired``.
CONNECTION_RULE = "generic.connection"


def rule(name: str, reason: str, *alternatives: str) -> TextRule:
    """A rule matching any of ``alternatives`` (regular expressions over normalised text)."""
    pattern = "|".join(f"(?:{a})" for a in alternatives)
    return TextRule(name, reason, re.compile(pattern), required_literals(pattern))


# Phrases that name their cause so plainly that they win over the enhanced status (MTAs wrap
# a remote "mailbox full" or "account suspended" in their own generic 5.1.1): as in Sisimai,
# whose reason order checks these reasons' phrases before a later reason's status.
STRONG_RULES: tuple[TextRule, ...] = (
    rule(
        "generic.mailbox_full",
        t.MAILBOX_FULL,
        r"mail ?box (?:is )?(?:full|over)",
        r"mail ?box (?:has )?exceed\w* (?:the |its )?(?:allowed |maximum |local )?(?:size|limit)",
        r"exceeded (?:its|the|his|her) (?:disk ?space|storage) (?:limit|quota|allocation)",
        r"exceeded storage allocation",
        r"(?:does not have|not) enough (?:disk |storage )?space",
        r"not sufficient disk space",
        r"(?:user's|users) (?:disk )?space has been used up",
        r"too many messages (?:on the server|in (?:the|this|his|her) mail ?box)",
        r"too much mail data",
        r"(?:user|recipient|account) (?:is )?over (?:the )?(?:quota|limit)",
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
        r"maildir (?:over quota|has overdrawn)",
        r"overdrawn (?:his|her|its) (?:disk ?space )?quota",
        r"postfach (?:ist )?voll",
    ),
    rule(
        "generic.suspended",
        t.SUSPENDED,
        r"(?:account|mailbox|user) (?:has been |is |was )?"
        r"(?:disabled|suspended|deactivated|inactive|locked|closed|discontinued|expired|frozen)",
        r"mailbox (?:is )?not active",
        r"(?:is|has) an? (?:disabled|deactivated|suspended|inactive|locked) "
        r"(?:account|mail ?box|user)",
        r"\[suspend\]",
        r"mailbox currently suspended",
        r"(?:user|account|mailbox) (?:or domain )?is disabled",
        r"recipient suspend",
    ),
    rule(
        "generic.size",
        t.MESSAGE_TOO_BIG,
        r"message (?:size|length)? ?(?:is )?(?:too (?:big|large)|exceeds)",
        r"(?:size|length) (?:limit|exceeds)",
        r"exceed(?:s|ed)? (?:the )?maximum (?:inbound |allowed )?message size",
        r"max(?:imum)? message size exceeded",
        r"message file too big",
        r"too large",
        r"sizelimit",
    ),
)

GENERIC_RULES: tuple[TextRule, ...] = (
    rule("generic.system_full", t.SYSTEM_FULL, r"insufficient system (?:storage|resources)"),
    rule(
        "generic.has_moved",
        t.HAS_MOVED,
        r"\bhas moved\b",
        r"changed (?:his|her|their) (?:e-?mail )?address",
    ),
    rule(
        "generic.sender_rejected",
        t.REJECTED,
        r"sender (?:address )?(?:rejected|denied|refused|unknown|blocked|not allowed|invalid)",
        r"invalid sender",
        r"sender (?:email )?address (?:rejected|not accepted)",
        r"null sender is not allowed",
        r"empty envelope senders? not allowed",
        r"unroutable sender address",
        r"sender domain (?:is empty|must exist)",
        r"mail from not owned by user",
        r"sender verif\w+ failed",
        r"domain of sender address",
        r"not accepting mail from",
        r"from address (?:rejected|not allowed)",
        r"bad sender",
    ),
    rule(
        "generic.user_unknown",
        t.USER_UNKNOWN,
        r"user ?unknown",
        r"unknown (?:or illegal )?(?:user|recipient|mailbox|local[- ]part|address)",
        r"no such (?:local )?(?:user|mailbox|recipient|account|address|person)",
        r"(?:user|mail ?box|account|recipient|rcpt|address|addressee)(?: name)?(?: \S*@\S*)? "
        r"(?:does not|doesn't|did not|didn't|not) exist",
        r"(?:user|mail ?box|recipient|addressee)(?: name)?(?: \S*@\S*)? (?:is )?not "
        r"(?:found|known|recogni[sz]ed|listed|present)",
        r"is not an? (?:known|valid) (?:user|recipient|mail ?box|address)",
        r"not an? active (?:address|user|account|mailbox)",
        r"bad[_ ](?:recipient|destination mailbox|address)",
        r"badrcptto",
        r"no (?:such )?(?:account|mail ?box|user) (?:by that name|found|here|available)",
        r"non-?existent (?:user|recipient|mail ?box|address|account)",
        r"no valid recipients",
        r"destinataire inconnu",
        r"invalid (?:or unknown )?(?:virtual )?user\b",
        r"invalid \w+ username",
        r"recipient is not local",
        r"(?:user|address|recipient) (?:not |un)(?:found|known)",
        r"addressee unknown",
        r"invalid (?:final delivery )?(?:recipient|mailbox|address|user|userid)",
        r"recipient (?:address )?(?:invalid|unknown|not found)",
        r"mail ?box (?:not found|unavailable|does not exist|not available|unknown|is unavailable)",
        r"no mailbox here",
        r"not (?:a )?(?:valid|our) (?:user|recipient|mailbox|customer)",
        r"not listed in (?:domino directory|public name)",
        r"unrouteable address",
        r"no matches to nameserver query",
        r"does not have a final e?-?mail delivery point",
        r"did not (?:exactly )?match an? .{0,40}address",
        r"address is wrong",
        r"address unknown",
        r"no longer valid",
        r"n'existe pas",
        r"(?:unbekannt|existiert nicht)",
    ),
    rule(
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
        r"name or service not known",
        r"host or domain name not found",
        r"domain (?:is not reachable|must exist)",
        r"unroutable address",
    ),
    rule("generic.null_mx", t.NOT_ACCEPTED, r"null mx", r"does not accept (?:e-?)?mail"),
    rule(
        "generic.no_relaying",
        t.NO_RELAYING,
        r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)",
        r"unable to relay",
        r"(?:do not|don't|not permitted to|cannot) relay",
        r"relay not permitted",
        r"as a relay",
        r"rcpthosts",
    ),
    rule(
        "generic.spam_verdict",
        t.SPAM_DETECTED,
        r"(?:identified|detected|classified|rejected|considered|flagged|marked) as (?:spam|junk)",
        r"(?:appears|seems|looks) (?:to be |like |similar to )?spam",
        r"antispam checks",
        r"spam (?:score|points|content|rejection|detected|blocked|email)",
        r"scored [\d.]+ spam",
    ),
    rule(
        "generic.ptr",
        t.REQUIRE_PTR,
        r"reverse dns",
        r"\bptr\b",
        r"\brdns\b",
        r"reverse (?:lookup|mapping)",
    ),
    rule(
        "generic.blocked",
        t.BLOCKED,
        r"spamhaus",
        r"spamcop",
        r"barracuda",
        r"block ?list",
        r"black ?list",
        r"\b(?:dnsbl|rbl)\b",
        r"client host .{0,60}(?:rejected|blocked)",
        r"connections? not accepted from",
        r"not currently accepting mail from your ip",
        r"too many spams from your ip",
        r"\bip (?:address )?(?:\S+ )?(?:is )?(?:blocked|banned|listed|rejected)",
        r"dynamic(?:ally[- ]assigned)? ip",
        r"blocked using [\w-]+\.[\w.-]+",
        r"spam ?list",
        r"is not allowed to send (?:mail )?from",
        r"requires confirmation",
        r"confirm this mail server",
        r"(?:ip|host) (?:is )?(?:on|in) (?:a |our )?(?:black|block)",
        r"was blocked by (?:rota|[\w.-]+bl\b)",
    ),
    rule("generic.reputation", t.BAD_REPUTATION, r"(?:poor|low|bad) reputation"),
    rule(
        "generic.auth",
        t.AUTH_FAILURE,
        r"\bspf\b",
        r"\bdkim\b",
        r"\bdmarc\b",
        r"unauthenticated",
    ),
    rule("generic.virus", t.VIRUS_DETECTED, r"virus", r"malware", r"infected"),
    rule(
        "generic.spam",
        t.SPAM_DETECTED,
        r"spam",
        r"unsolicited",
        r"junk mail",
        r"bulk (?:e-?)?mail",
        r"\buce\b",
        r"\bube\b",
        r"\b(?:uri|sur)bl\b",
        r"mass ?mail",
        r"content reject",
    ),
    rule("generic.too_many_recipients", t.EXCEED_LIMIT, r"too many recipients", r"recipient limit"),
    rule(
        "generic.speeding",
        t.SPEEDING,
        r"too many (?:connections|messages|concurrent|sessions)",
        r"rate limit",
        r"throttl",
        r"slow down",
        r"too (?:fast|often)",
    ),
    rule(
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
        r"all hosts have been failing",
        r"retry time not reached for any host",
        r"unable to deliver message after multiple retries",
        r"could not be delivered for more than",
    ),
    rule(
        "generic.mailer",
        t.MAILER_ERROR,
        r"command (?:died|output)",
        r"mailer error",
        r"exit (?:code|status)",
        r"local delivery failed",
    ),
    rule(
        CONNECTION_RULE,
        t.NETWORK_ERROR,
        r"connection (?:was )?(?:refused|timed out|reset|closed|dropped|to .{0,60}failed)",
        r"(?:could not|couldn't|unable to|wasn't able to) (?:connect|establish|initiate)",
        r"did not accept our requests to connect",
        r"no route to host",
        r"(?:network|host) (?:is )?unreachable",
        r"lost connection",
        r"(?:did not|does not|not) respond",
        r"no answer",
    ),
    rule(
        "generic.network",
        t.NETWORK_ERROR,
        r"too many hops",
        r"hop count exceeded",
        r"(?:mail(?:ing)?|routing) loop",
        r"looping",
        r"could not find a gateway",
    ),
    rule(
        "generic.system",
        t.SYSTEM_ERROR,
        r"(?:system|server|internal|local) error",
        r"error in processing",
        r"temporary (?:local |server )?(?:problem|failure)",
        r"resources? (?:temporarily )?unavailable",
        r"service (?:currently )?(?:not available|unavailable)",
        r"loops back to myself",
        r"(?:mail system|server|local|system) config(?:uration)? error",
        r"aliasing/forwarding loop broken",
        r"several matches found",
    ),
    rule(
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
        r"messages without [\w-]+: fields",
    ),
    rule(
        "generic.syntax",
        t.SYNTAX_ERROR,
        r"syntax error",
        r"command (?:not recogni[sz]ed|unrecogni[sz]ed)",
        r"bad sequence of commands",
    ),
    rule(
        "generic.security",
        t.SECURITY_ERROR,
        r"authentication (?:is )?required",
        r"starttls",
        r"\btls\b",
        r"must (?:authenticate|use encryption)",
    ),
    rule(
        "generic.filtered",
        t.FILTERED,
        r"filter",
        r"refused by recipient",
        r"recipient refuses",
        r"not authori[sz]ed to receive",
        r"administrative prohibition",
        r"moderat",
        r"not accepting (?:any )?mail with",
        r"not accepting any mail",
        r"due to recipient preferences",
        r"user refuses to receive",
    ),
    rule(
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
