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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from services.bounce.domain import localised_wording as lw
from services.bounce.domain import taxonomy as t
from services.bounce.domain.literals import Alternatives, LiteralIndex, required_literals


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
    """Rules tried in order (the first match wins), as the flat sequence of their alternatives
    (rule, pattern) with, per screen literal, the positions of the alternatives it screens;
    the gate indexes every such literal (None when no alternative has a screen)."""

    rules: tuple[TextRule, ...]
    gate: LiteralIndex | None
    alternatives: tuple[tuple[TextRule, re.Pattern[str]], ...]
    by_literal: dict[str, tuple[int, ...]]
    unscreened: frozenset[int]  # positions of alternatives without a screen: always tried


def rule_table(rules: tuple[TextRule, ...]) -> RuleTable:
    """``rules`` indexed by their alternatives' screen literals: one scan of a text finds the
    literals it holds (the gate, or ``joint_index`` over several tables), and only the
    alternatives those literals screen are searched (most texts hold a handful of a table's
    hundreds of literals)."""
    alternatives = [(rule, pattern) for rule in rules for _, pattern in rule.alternatives]
    screens = [screen for rule in rules for screen, _ in rule.alternatives]
    by_literal: dict[str, list[int]] = {}
    for position, screen in enumerate(screens):
        for literal in screen or ():
            by_literal.setdefault(literal, []).append(position)
    return RuleTable(
        rules,
        LiteralIndex(frozenset(by_literal)) if by_literal else None,
        tuple(alternatives),
        {literal: tuple(positions) for literal, positions in by_literal.items()},
        frozenset(position for position, screen in enumerate(screens) if screen is None),
    )


def joint_index(tables: list[RuleTable]) -> LiteralIndex:
    """One index of the screen literals of all ``tables``: a text classified against several
    tables is scanned once (``first_match``'s ``present``)."""
    return LiteralIndex(frozenset().union(*(table.by_literal for table in tables)))


def first_match(
    table: RuleTable, text: str, present: AbstractSet[str] | None = None
) -> TextRule | None:
    """The first rule of ``table`` matching ``text``: its alternatives are searched in order,
    those whose screen holds a literal ``text`` contains (or that have no screen). ``present``
    are the literals ``text`` holds when the caller found them already (an index over at
    least this table's literals, ``joint_index``); else the table's gate finds them."""
    if present is None:
        present = table.gate.present(text) if table.gate is not None else frozenset()
    candidates = set(table.unscreened)
    for literal in table.by_literal.keys() & present:  # one C-level pass over the smaller
        candidates.update(table.by_literal[literal])
    for position in sorted(candidates):
        rule, alternative = table.alternatives[position]
        if alternative.search(text) is not None:
            return rule
    return None


# Transient connection failures: once the MTA gives up on them the reason is ``expired``.
CONNECTION_RULE = "generic.connection"
# Disk space wording: a mailbox full unless the status names the mail system (smtp_rules).
DISK_SPACE_RULE = "generic.disk_space"


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
        r"mailbox size limit",
        r"account is full",
        r"maildir (?:over quota|has overdrawn)",
        r"overdrawn (?:his|her|its) (?:disk ?space )?quota",
        r"quota usage exceeded",
        r"over the allowed quota",
        r"exceed maximum allowed storage",
        r"mail file size exceeds",
        # The mailbox file at its size limit (Postfix local(8): "cannot update mailbox ...
        # error writing message: File too large", EFBIG, which it reports as 5.2.2).
        r"\bmailbox\b.{0,120}\bfile too large",
    ),
    # Disk space wording names no owner: the mailbox's, unless a status says the mail system's
    # (X.3.1, X.4.5: Sendmail's "452 4.4.5 Insufficient disk space; try again later").
    rule(
        DISK_SPACE_RULE,
        t.MAILBOX_FULL,
        r"insufficient (?:disk|storage) space",
        r"not sufficient disk space",
    ),
    rule("localised.mailbox_full", t.MAILBOX_FULL, *lw.MAILBOX_FULL),
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
    rule("localised.suspended", t.SUSPENDED, *lw.SUSPENDED),
    rule(
        "generic.size",
        t.MESSAGE_TOO_BIG,
        # "This message exceeds the maximum number of hops" is a loop, not a size.
        r"message (?:size|length)? ?(?:is )?(?:too (?:big|large)|exceeds(?! [^.;]*\bhops?\b))",
        r"(?:size|length) (?:limit|exceeds)",
        r"exceed(?:s|ed)? (?:the )?maximum (?:inbound |allowed )?message size",
        r"max(?:imum)? message size exceeded",
        r"message file too big",
        r"too large",
        r"sizelimit",
        r"line limit exceeded",
        r"taille limite du message",
    ),
    rule("localised.size", t.MESSAGE_TOO_BIG, *lw.MESSAGE_TOO_BIG),
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
