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
from services.bounce.domain.literals import Alternatives, any_literal_pattern, required_literals


@dataclass(frozen=True, slots=True)
class TextRule:
    """A named pattern over normalised (lower-case, single-spaced) reply text."""

    name: str
    reason: str
    pattern: re.Pattern[str]
    screen: Alternatives | None
    # The alternatives of ``pattern`` one by one, each with its own screen: the rule matches
    # if one of them does. Searched apart, each runs at the speed of its own literal prefix;
    # joined, the engine tries every alternative at every position of the text.
    alternatives: tuple[tuple[Alternatives | None, re.Pattern[str]], ...]


@dataclass(frozen=True, slots=True)
class RuleTable:
    """Rules tried in order (the first match wins), with a gate: a pattern matching wherever
    any rule's screen literal occurs, or None when some rule has no screen."""

    rules: tuple[TextRule, ...]
    gate: re.Pattern[str] | None


def rule_table(rules: tuple[TextRule, ...]) -> RuleTable:
    """``rules`` with their gate: most texts contain none of a table's literals, and one
    scan for all of them rules the whole table out (for the generic phrases, a fifth of the
    cost of testing each rule's screen in turn)."""
    if any(rule.screen is None for rule in rules) or not rules:
        return RuleTable(rules, None)
    return RuleTable(
        rules, any_literal_pattern(frozenset().union(*(r.screen or () for r in rules)))
    )


def first_match(table: RuleTable, text: str) -> TextRule | None:
    """The first rule of ``table`` matching ``text``: the table's gate, then each rule's
    literal screen, then its alternatives (each screened). The screen tests are written out
    rather than called (``literals.may_match``): this loop runs for every rule of a table on
    every reply text."""
    if table.gate is not None and table.gate.search(text) is None:
        return None  # no rule's required literal occurs: none can match
    for rule in table.rules:
        screen = rule.screen
        if screen is not None:
            for literal in screen:
                if literal in text:
                    break
            else:
                continue  # none of the literals every match contains: it cannot match
        for alternative_screen, alternative in rule.alternatives:
            if alternative_screen is not None:
                for literal in alternative_screen:
                    if literal in text:
                        break
                else:
                    continue
            if alternative.search(text) is not None:
                return rule
    return None


# Transient connection failures: once the MTA gives up on them the reason is ``expired``.
CONNECTION_RULE = "generic.connection"


def rule(name: str, reason: str, *alternatives: str) -> TextRule:
    """A rule matching any of ``alternatives`` (regular expressions over normalised text)."""
    pattern = "|".join(f"(?:{a})" for a in alternatives)
    separate = tuple((required_literals(a), re.compile(a)) for a in alternatives)
    return TextRule(name, reason, re.compile(pattern), required_literals(pattern), separate)


# Phrases that name their cause so plainly that they win over the enhanced status (MTAs wrap
# a remote "mailbox full" or "account suspended" in their own generic 5.1.1): as in Sisimai,
# whose reason order checks these reasons' phrases before a later reason's status.
STRONG_RULES: tuple[TextRule, ...] = (
    # qmail-remote's own words when the remote host refused the envelope sender: whatever
    # the reply says, the sender was refused (Sisimai's qmail module decides so first).
    rule("family.sender_rejected", t.REJECTED, r"but sender was rejected"),
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
