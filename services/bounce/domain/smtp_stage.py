"""The SMTP stage a delivery failed at, and what the stage changes about the reason.

RFC 5321 validates the recipient mailbox at ``RCPT TO``; a server that accepted the recipient
there and refuses the message at or after ``DATA`` is judging the message, not the address. So
"user unknown" wording after DATA is a content filter's verdict (``filtered``, soft). Only a
reply to RCPT TO (or the greeting) or an X.1.0/X.1.1/X.1.3 mailbox status proves the mailbox
does not exist; when the report names no stage and gives no such status the wording alone
does not, and the result is ``filtered`` too. In reply to MAIL FROM no recipient was named
yet: the status or reply code says what it can, else the cause is unknown (``on_hold``).
This is Sisimai's decision order (Reason::UserUnknown accepts the wording only with a mailbox
status or at RCPT; Reason::Filtered takes it after DATA or when no stage is known, never
before DATA), which the labels this parser is measured against follow. MTAs name the stage
in their reports: Postfix "(in reply to RCPT TO command)", Exim "SMTP error from remote mail
server after RCPT TO:<...>", Sendmail transcripts ">>> DATA"; Sisimai 5 also takes an
upper-case command name written in the diagnostic.
"""

from __future__ import annotations

import functools
import re

from services.bounce.domain import status_codes
from services.bounce.domain import taxonomy as t
from services.bounce.domain.literals import (
    CaselessScreened,
    literal_sets,
    lower_case_twin,
    may_match,
    required_literals,
)
from services.bounce.domain.taxonomy import SmtpClassification

CONNECT, MAIL, RCPT, DATA = "CONN", "MAIL", "RCPT", "DATA"
# Postfix wraps its "(in reply to ... command)" across lines: words are joined by any space.
# Each alternative with a literal every match of it holds (checked below against its parse).
_STAGE_ALTERNATIVES = (
    (
        "reply",
        r"in\s+reply\s+to\s+(?:the\s+)?(rcpt\s+to|mail\s+from|end\s+of\s+data|data|ehlo|helo)\b",
    ),
    (
        "after",
        r"after\s+(?:pipelined\s+)?(rcpt\s+to|mail\s+from|end\s+of\s+data|data"
        r"|initial\s+connection|ehlo|helo)\b",
    ),
    (">>> ", r"^[ \t]*>>> (rcpt|mail|data|ehlo|helo|\.)\b"),
    # One alternative per last word: at a place at most one of the three matches, the same span.
    *(
        (word, rf"\b(rcpt\s+to|mail\s+from|data)(?:\s+command)?\s+{word}")
        for word in ("failed", "rejected", "returned")
    ),
    ("following", r"error\s+following\s+(rcpt|mail|data)\s+command"),
    # qmail-remote: "<host> does not like recipient." / "... failed on DATA command."
    ("like", r"does\s+not\s+like\s+(recipient)\b"),
    ("failed", r"failed\s+(?:on\s+|after\s+i\s+sent\s+the\s+)(data|message)\b"),
    ("connected", r"connected\s+to\s+\S+\s+but\s+(sender)\s+was\s+rejected"),
)
for _literal, _alternative in _STAGE_ALTERNATIVES:
    if frozenset({_literal}) not in literal_sets(_alternative):
        raise ValueError(f"{_literal!r} is not held by every match of {_alternative!r}")
_STAGE_LITERALS = tuple(literal for literal, _ in _STAGE_ALTERNATIVES)
_STAGE_RE = re.compile(
    "|".join(alternative for _, alternative in _STAGE_ALTERNATIVES), re.IGNORECASE | re.MULTILINE
)
# Gmail's "(state N)" after the remote reply it relays: the session state it failed in.
_GMAIL_STATE_RE = re.compile(r"\(state (\d{1,2})\)\.")
_GMAIL_STATES = {"6": "MAIL", "13": "CONN", "14": "RCPT", "15": "DATA", "17": "DATA", "18": "DATA"}
# The mail system's own directory lookup (Domino, Notes, Exchange 2003, 2007+ and Online, IMail,
# G Suite, Verizon) or its local delivery agent: the final system says the name is not in its
# directory, whatever the stage.
_DIRECTORY_RE = re.compile(
    r"not listed in (?:the )?(?:domino directory|public name & address book)"
    r"|non r\S{1,2}pertori\S{1,2} dans l\S{1,3}annuaire domino"
    r"|ディレクトリ(?:には見つかりません|のリストにありません)"
    r"|recipient name is not recognized|invalid final delivery userid|(?m:^unknown user: \S+@)"
    r"|recipient not found by smtp address lookup"  # Exchange Online (5.1.10)
    # Exchange 2007+'s categorizer (its resolver) found no such recipient in the directory.
    r"|resolver\.adr\.(?:ex)?recip(?:ient)?notfound"
    # qmail-local's answer for a local part with no mailbox (qmail-local.c, "#5.1.1").
    r"|sorry, no mailbox here by that name"
    r"|address couldn't be found\. check for typos"
    r"|requested action not taken: no such user here|no valid recipients for this mm"
    # The local delivery agents (mail.local, maildrop, vpopmail, vmailmgr, Dovecot's LDA).
    r"|\b(?:mail\.local|maildrop|vdelivermail|vdeliver): |mailbox doesn't exist: ",
    re.IGNORECASE,
)
# An SMTP command written in capitals inside a diagnostic ("RCPT TO:<a@b> ... 550 ..."): the
# command the reply answered when no phrase above names one (the last one written wins).
_COMMAND_WORD_RE = re.compile(r"\b(RCPT|MAIL FROM|DATA|EHLO|HELO)\b")
# ASCII text (nearly all) is searched lower-cased by the case-sensitive twins, after a literal
# screen; other text by the patterns themselves (same matches: literals.lower_case_twin).
_STAGE_CASELESS = CaselessScreened(_STAGE_RE)
_DIRECTORY = CaselessScreened(_DIRECTORY_RE)
_COMMAND_WORD_SCREEN = required_literals(_COMMAND_WORD_RE.pattern)
_STAGES = {
    "rcpt to": RCPT,
    "rcpt": RCPT,
    "mail from": MAIL,
    "mail": MAIL,
    "data": DATA,
    "end of data": DATA,
    ".": DATA,
    "ehlo": CONNECT,
    "helo": CONNECT,
    "initial connection": CONNECT,
    "recipient": RCPT,
    "sender": MAIL,
    "message": DATA,
}
_MAX_TEXT = 4000
LOCALISED_RULE_PREFIX = "localised."  # the rules made of localised_wording's readings
# Mailbox statuses that settle the address itself whatever the stage (X.1.0/1/3).
_MAILBOX_STATUSES = ("1.0", "1.1", "1.3")
_ADDRESS_STAGES = (CONNECT, RCPT)  # replies that may judge the recipient's address
# Refusals that name no cause of their own: in reply to MAIL FROM, when their wording says
# "refused", the refused thing is the sender (``rejected``, as Sisimai's Reason::Rejected
# reads its list at MAIL). Text no rule explains stays ``on_hold`` at any stage.
_SENDER_STAGE_REASONS = frozenset({t.POLICY_VIOLATION, t.FILTERED, t.SECURITY_ERROR})
_REFUSAL_WORDS_RE = re.compile(
    r"rejected|refused|denied|not allowed|prohibit|not authori[sz]ed|invalid sender", re.I
)
# qmail-remote's own words for a refused envelope sender (Sisimai's qmail module: rejected).
_QMAIL_SENDER_REFUSED = "but sender was rejected"
# Verdicts on the recipient's address that no reply before RCPT TO can give (nor "undefined").
_NOT_BEFORE_RCPT = frozenset(
    {t.USER_UNKNOWN, t.HOST_UNKNOWN, t.HAS_MOVED, t.NOT_ACCEPTED, t.UNDEFINED}
)
# The reasons ``after_acceptance`` may change: only for these is the stage worth reading.
STAGE_SENSITIVE_REASONS = _SENDER_STAGE_REASONS | {t.USER_UNKNOWN}
# The classifications in which wording decided over a status that otherwise decides
# (``smtp_rules``); the stage decides whether that wording may (``_wording_holds``).
OVER_STATUS_SUFFIX = ".over_status"
# Wording that names its cause only at some stages, as Sisimai's reason tests read it: a spam
# verdict or a filter's refusal is about the message, so only a reply at or after DATA (or at
# an unknown stage) can give it; a relay refusal needs a recipient or sender named.
_NOT_AT_STAGES = {
    t.SPAM_DETECTED: (CONNECT, MAIL, RCPT),
    t.FILTERED: (CONNECT, MAIL, RCPT),
    t.NO_RELAYING: (CONNECT,),
}


def _wording_holds(reason: str, stage: str, status_reason: str) -> bool:
    """Whether wording naming ``reason`` decides over a status naming ``status_reason`` at
    ``stage``. A sender refusal's wording is about the sender in reply to MAIL FROM or DATA
    (Sisimai's Rejected reads it there); at RCPT TO or an unknown stage the status names the
    cause, except a recipient mailbox status (X.1.x): a refused sender must not make the
    recipient hard (Postfix refuses senders at RCPT TO, "550 5.1.1 <a@b>: Sender address
    rejected")."""
    if reason == t.REJECTED:
        return stage in (MAIL, DATA) or status_reason == t.USER_UNKNOWN
    return stage not in _NOT_AT_STAGES.get(reason, ())


@functools.cache
def _stage_alternatives(held: tuple[bool, ...]) -> re.Pattern[str]:
    """``_STAGE_RE``'s lower-case twin (``literals.lower_case_twin``) made only of the
    alternatives whose literal the text holds: the others match nowhere in it, so at each
    place the first alternative that matches is the same one, with the same span and words.
    Without the alternatives that start with an assertion ("^", "\\b") re can skip to the
    places where one of the others' first characters stands, or to a single one's prefix."""
    chosen = (
        alternative for (_, alternative), h in zip(_STAGE_ALTERNATIVES, held, strict=True) if h
    )
    return lower_case_twin(re.compile("|".join(chosen), _STAGE_RE.flags))


def _stage_matches(text: str) -> list[re.Match[str]]:
    """Every ``_STAGE_RE`` match in ``text`` (the spans of ``text``; on ASCII text the groups
    are lower-cased, and their numbers those of ``_stage_alternatives``' pattern)."""
    if not text.isascii():
        return list(_STAGE_CASELESS.finditer(text))
    lowered = text.lower()
    held = tuple([literal in lowered for literal in _STAGE_LITERALS])
    if not any(held):
        return []
    return list(_stage_alternatives(held).finditer(lowered))


def _directory_lookup(text: str) -> bool:
    return _DIRECTORY.search(text) is not None


def _own_localised_answer(result: SmtpClassification, code: int, status: str) -> bool:
    """Whether unknown-user wording in another language than English, with no reply code or
    status anywhere, is the final system's own answer (a carrier's or provider's whole notice:
    docomo's "宛先のメールアドレスが存在しません", QQ's "收件人邮箱不存在"): no SMTP reply is
    quoted, so no filter's reply after DATA is either."""
    return result.matched_rule.startswith(LOCALISED_RULE_PREFIX) and not code and not status


def smtp_stage(*texts: str) -> str:
    """The last SMTP command named in the first of ``texts`` that names one ("" if none):
    in a transcript the command just before the error reply is the one that failed."""
    for text in texts:
        gmail_state = _GMAIL_STATE_RE.search(text[:_MAX_TEXT])
        if gmail_state and gmail_state.group(1) in _GMAIL_STATES:
            return _GMAIL_STATES[gmail_state.group(1)]
        found = _stage_matches(text[:_MAX_TEXT])
        if found:
            words = next(g for g in found[-1].groups() if g)
            return _STAGES[" ".join(words.lower().split())]
    for text in texts:
        if not may_match(_COMMAND_WORD_SCREEN, text[:_MAX_TEXT]):
            continue
        named = _COMMAND_WORD_RE.findall(text[:_MAX_TEXT])
        if named:
            return _STAGES[named[-1].lower()]
    return ""


def sole_stage(notification: str) -> str:
    """The stage a whole notification names, when every mention names the same one ("" when
    none does or they differ: then each recipient's own paragraph has to say)."""
    text = notification[:_MAX_TEXT]
    stages = {smtp_stage(text[m.start() : m.end()]) for m in _stage_matches(text)}
    return stages.pop() if len(stages) == 1 else ""


def after_acceptance(
    result: SmtpClassification, code: int, status: str, stage: str, text: str = ""
) -> SmtpClassification:
    """``result`` corrected for the stage: unknown-user wording without an X.1.0/1/3 mailbox
    status is a filter's refusal (``filtered``) unless the reply answered RCPT TO (or the
    greeting) or the text is the final system's own directory lookup; in reply to MAIL FROM
    it proves nothing about the recipient, a directory answer included (Sisimai's UserUnknown
    takes the wording only at RCPT, its Filtered only after DATA): the status or the reply
    code says what it can, else the cause is unknown (``on_hold``), unless qmail says the
    sender was refused. A refusal in reply to MAIL FROM that names no cause of its own, only
    refusal words, refused the envelope sender (``rejected``). Wording that decided over a
    definitive status where it names no cause at this stage gives way to the status."""
    status_named = status_codes.status_reason(status)[0]
    if (
        result.matched_rule.endswith(OVER_STATUS_SUFFIX)
        and status_named
        and not _wording_holds(result.reason, stage, status_named)
    ):
        return t.classification_for(status_named, code, f"status.{status}.at_{stage or 'unknown'}")
    if (
        stage == MAIL
        and result.reason in _SENDER_STAGE_REASONS
        and _REFUSAL_WORDS_RE.search(text[:_MAX_TEXT])
    ):
        return t.classification_for(t.REJECTED, code, f"{result.matched_rule}.mail_from")
    if result.reason != t.USER_UNKNOWN or stage in _ADDRESS_STAGES:
        return result
    if status.partition(".")[2] in _MAILBOX_STATUSES:
        return result
    if stage == MAIL:  # no recipient named yet: not even a directory answer is about it
        return _at_mail_from(result, code, status, text)
    if _directory_lookup(text[:_MAX_TEXT]) or _own_localised_answer(result, code, status):
        return result
    return t.classification_for(t.FILTERED, code, f"{result.matched_rule}.after_data")


def _at_mail_from(
    result: SmtpClassification, code: int, status: str, text: str
) -> SmtpClassification:
    """Unknown-user wording in reply to MAIL FROM: what else the reply says."""
    if _QMAIL_SENDER_REFUSED in text[:_MAX_TEXT].lower():
        return t.classification_for(t.REJECTED, code, f"{result.matched_rule}.mail_from")
    reason, _ = status_codes.status_reason(status)
    if reason and reason not in _NOT_BEFORE_RCPT:
        return t.classification_for(reason, code, f"status.{status}.mail_from")
    if 500 <= code <= 507:  # the command or its argument refused (RFC 5321)
        return t.classification_for(t.SYNTAX_ERROR, code, f"code.{code}.mail_from")
    return t.classification_for(t.ON_HOLD, code, f"{result.matched_rule}.mail_from")
