"""RFC 5965 Abuse Reporting Format: recognising feedback reports and reading their fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from services.bounce.domain.dsn import strip_type
from services.bounce.domain.header_blocks import header_block


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """The machine-readable part of an ARF report."""

    feedback_type: str
    original_rcpt_to: tuple[str, ...]
    original_mail_from: str
    reporting_mta: str
    user_agent: str


def feedback_part(parts: Sequence[tuple[Message, str]]) -> Message | None:
    """The message/feedback-report part among a message's (part, content type) pairs, or None
    if it is not an ARF report."""
    for part, content_type in parts:
        if content_type == "message/feedback-report":
            return part
    return None


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
    text = payload if isinstance(payload, str) else ""
    return header_block(text.lstrip())


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
