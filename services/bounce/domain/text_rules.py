"""TextRule (a named pattern over normalised reply text) and the strong phrases that win over
the enhanced status; the generic phrases are in ``generic_rules``.

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
from services.bounce.domain.literals import Alternatives, required_literals


@dataclass(frozen=True, slots=True)
class TextRule:
    """A named pattern over normalised (lower-case, single-spaced) reply text."""

    name: str
    reason: str
    pattern: re.Pattern[str]
    screen: Alternatives | None


def first_match(rules: tuple[TextRule, ...], text: str) -> TextRule | None:
    """The first of ``rules`` matching ``text``: each rule's literal screen first, then its
    pattern. The screen test is written out here rather than called (``literals.may_match``):
    this loop runs for every rule of every table on every reply, and two calls per rule
    were a tenth of the parse time."""
    for rule in rules:
        screen = rule.screen
        if screen is not None:
            for literal in screen:
                if literal in text:
                    break
            else:
                continue  # none of the literals every match contains: it cannot match
        if rule.pattern.search(text) is not None:
            return rule
    return None


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
    # The sender's own sending quota or rate (SES "Throttling failure"), not a mailbox quota.
    rule(
        "generic.sending_quota",
        t.SPEEDING,
        r"throttling failure",
        r"(?:daily|hourly|sending) (?:message |sending )?quota",
    ),
    # A header too large is malformed content, not a message over the size limit.
    rule("generic.header_size", t.CONTENT_ERROR, r"\bheader size\b(?! exceeds limit)"),
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
        r"quota usage exceeded",
        r"over the allowed quota",
        r"exceed maximum allowed storage",
        r"boite du destinataire pleine",
        r"mail file size exceeds",
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
        r"(?:is currently|has been) suspended",
        r"temporar(?:y|ily) (?:locked|inactive)",
        r"inactive user",
        r"boite du destinataire archivee",
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
        r"line limit exceeded",
        r"taille limite du message",
    ),
    rule(
        "generic.no_mail_service",
        t.NOT_ACCEPTED,
        r"null ?mx",
        r"does not accept (?:e-?)?mail(?! from)",
        r"no mx (?:record|host)s?(?: found)?",
        r"(?:has|with) no mx",
        r"no (?:smtp|mail) (?:service|server)s?\b",
        r"no route for current request",
        r"name server: \.: host not found",
    ),
)
