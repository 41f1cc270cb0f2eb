"""The SMTP stage a delivery failed at, and what the stage changes about the reason.

RFC 5321 validates the recipient mailbox at ``RCPT TO``; a server that accepted the recipient
there and refuses the message at or after ``DATA`` is judging the message, not the address. So
"user unknown" wording after DATA is a content filter's verdict (``filtered``, soft), as
Sisimai reads it; only a reply to RCPT TO (or an X.1.x mailbox status) proves the mailbox does
not exist. MTAs name the stage in their reports: Postfix "(in reply to RCPT TO command)", Exim
"SMTP error from remote mail server after RCPT TO:<...>", Sendmail transcripts ">>> DATA".
"""

from __future__ import annotations

import re

from services.bounce.domain import taxonomy as t
from services.bounce.domain.taxonomy import SmtpClassification

CONNECT, MAIL, RCPT, DATA = "CONN", "MAIL", "RCPT", "DATA"
_STAGE_RE = re.compile(
    r"in reply to (?:the )?(rcpt to|mail from|end of data|data|ehlo|helo)\b"
    r"|after (?:pipelined )?(rcpt to|mail from|end of data|data|initial connection|ehlo|helo)\b"
    r"|^\s*>>> (rcpt|mail|data|ehlo|helo|\.)\b"
    r"|\b(rcpt to|mail from|data)(?: command)? (?:failed|rejected|returned)"
    r"|error following (rcpt|mail|data) command",
    re.IGNORECASE | re.MULTILINE,
)
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
}
_MAX_TEXT = 4000
# Mailbox statuses that settle the address itself whatever the stage (X.1.0/1/3).
_MAILBOX_STATUSES = ("1.0", "1.1", "1.3")


def smtp_stage(*texts: str) -> str:
    """The last SMTP command named in the first of ``texts`` that names one ("" if none):
    in a transcript the command just before the error reply is the one that failed."""
    for text in texts:
        found = list(_STAGE_RE.finditer(text[:_MAX_TEXT]))
        if found:
            words = next(g for g in found[-1].groups() if g)
            return _STAGES[" ".join(words.lower().split())]
    return ""


def after_acceptance(
    result: SmtpClassification, code: int, status: str, stage: str
) -> SmtpClassification:
    """``result`` corrected for the stage: an unknown-user reply to DATA (or to the end of the
    message) without an X.1.x mailbox status is a content filter's refusal (``filtered``).
    When the report does not name the stage the wording is taken at its word."""
    if result.reason != t.USER_UNKNOWN or stage != DATA:
        return result
    if status.partition(".")[2] in _MAILBOX_STATUSES:
        return result
    return t.classification_for(t.FILTERED, code, f"{result.matched_rule}.after_data")
