"""Complaint reports: RFC 5965 Abuse Reporting Format (with the feedback types of RFC 6650 and
RFC 6591) and Microsoft's pre-ARF JMRP layout; recognising them and naming the complained
recipient and the feedback type."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from services.bounce.domain.dsn import strip_type
from services.bounce.domain.header_blocks import header_block
from services.bounce.domain.mime_tree import decoded_subject, sent_text

# Microsoft's Junk Mail Reporting Program (Hotmail, Outlook.com) sent complaints before ARF as
# multipart/mixed from these senders, the original attached; Amazon SES forwards them alike.
_JMRP_SENDERS = frozenset({"staff@hotmail.com", "complaints@email-abuse.amazonses.com"})
_JMRP_SUBJECT = "complaint about message from "
# The header Microsoft writes into the returned original: the address that complained.
_JMRP_RECIPIENT = "x-hmxmroriginalrecipient"
_FEEDBACK_FIELDS_RE = re.compile(r"(?:[\w-]+:[^\n]*\n)*?feedback-type:", re.IGNORECASE)
_ADDRESS_RE = re.compile(r"[^@\s<>]+@[^@\s<>.]+(?:\.[^@\s<>.]+)+")
# RFC 6650's not-spam (the recipient wants the mail) and RFC 6591's auth-failure (an SPF, DKIM
# or DMARC check failed) are reports, not the recipient's complaint.
NOT_COMPLAINTS = frozenset({"not-spam", "auth-failure"})


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """The machine-readable part of an ARF report."""

    feedback_type: str
    original_rcpt_to: tuple[str, ...]
    original_mail_from: str
    reporting_mta: str
    user_agent: str


# A JMRP report has no report part: nothing but its sender says who wrote it.
JMRP_REPORT = FeedbackReport("", (), "", "", "Microsoft Junk Mail Reporting Program")


def feedback_part(parts: Sequence[tuple[Message, str]]) -> Message | None:
    """The message/feedback-report part among a message's (part, content type) pairs (the
    message itself first), or None if it is not an ARF report. A message whose report type is
    feedback-report (RFC 5965 section 2) holds its fields in the text part that starts with
    them when a generator mislabelled the report part."""
    for part, content_type in parts:
        if content_type == "message/feedback-report":
            return part
    if not parts or str(parts[0][0].get_param("report-type", "")).lower() != "feedback-report":
        return None
    for part, content_type in parts[1:]:
        text = sent_text(part) if content_type.startswith("text/") else None
        if isinstance(text, str) and _FEEDBACK_FIELDS_RE.match(text.lstrip()):
            return part
    return None


def is_jmrp_report(msg: Message) -> bool:
    """True for Microsoft's pre-ARF complaint layout (as Sisimai::ARF recognises it): a
    multipart/mixed message from a JMRP sender titled "complaint about message from <IP>"."""
    if msg.get_content_type() != "multipart/mixed":
        return False
    _, sender = email.utils.parseaddr(str(msg.get("from", "")))
    return sender.lower() in _JMRP_SENDERS and _JMRP_SUBJECT in decoded_subject(msg).lower()


def _fields(part: Message) -> Message:
    payload = part.get_payload()
    if isinstance(payload, list):
        # compat32 parses message/* bodies as a list holding one header block per paragraph.
        merged = Message()
        for block in payload:
            if isinstance(block, Message):
                for name, value in block.items():
                    merged[name] = value
        return merged
    return header_block((sent_text(part) or "").lstrip())


def parse_feedback_report(part: Message) -> FeedbackReport:
    """Read the fields of a message/feedback-report part."""
    fields = _fields(part)

    def one(name: str) -> str:
        value = fields.get(name)
        return " ".join(str(value).split()) if value is not None else ""

    rcpts = tuple(
        " ".join(str(v).split()).strip("<>") for v in fields.get_all("original-rcpt-to", [])
    )
    return FeedbackReport(
        feedback_type=one("feedback-type").lower(),
        original_rcpt_to=rcpts,
        original_mail_from=one("original-mail-from").strip("<>"),
        reporting_mta=strip_type(one("reporting-mta")),
        user_agent=one("user-agent"),
    )


def _addresses(values: Sequence[object]) -> list[str]:
    """The complete addresses among header values ("redacted@" or a bare name is none)."""
    pairs = email.utils.getaddresses([str(value) for value in values])
    return [address for _, address in pairs if _ADDRESS_RE.fullmatch(address)]


def complained_recipients(report: FeedbackReport, original: Message | None) -> list[str]:
    """Who complained: the report's Original-Rcpt-To (RFC 5965 3.2), else the address Microsoft
    wrote into the returned original (X-HmXmrOriginalRecipient), else the original's first To
    address (reports that redact or omit the recipient, as AOL's and Yahoo's do)."""
    found = _addresses(report.original_rcpt_to)
    if found or original is None:
        return found
    return (
        _addresses(original.get_all(_JMRP_RECIPIENT, []))
        or _addresses(original.get_all("to", []))[:1]
    )


def feedback_type(report: FeedbackReport, original: Message | None) -> str:
    """The report's Feedback-Type; a Microsoft JMRP report names none, its complaints are
    abuse (Sisimai::ARF reads them so)."""
    if report.feedback_type or original is None or original.get(_JMRP_RECIPIENT) is None:
        return report.feedback_type
    return "abuse"
