"""The demo's inbound mail (pure): a person's reply to one of the campaign's messages
(In-Reply-To and References name its Message-ID) and an out-of-office answer marked as an
RFC 3834 auto-reply (``Auto-Submitted: auto-replied``), which must never count as a reply.
Built with the standard library's ``email`` package."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from emailtrack.demo.plan import Recipient

REPLY_TEXT = (
    "Hi,\n\nThanks, the offer looks great. Do you ship to the islands too?\n\nBest regards\n"
)
AUTO_REPLY_TEXT = (
    "I am out of the office until Monday with limited access to e-mail.\n"
    "For urgent matters please call the front desk.\n"
)


def _answer(to: Recipient, subject: str, sent_at: datetime, reply_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = to.email
    message["To"] = to.mailbox
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = f"<{reply_id}@{to.email.rpartition('@')[2]}>"
    message["In-Reply-To"] = to.smtp_message_id
    message["References"] = to.smtp_message_id
    return message


def human_reply(to: Recipient, sent_at: datetime) -> bytes:
    """``to``'s own answer to the message they received."""
    message = _answer(to, "Re: Our autumn collection", sent_at, f"reply-{to.message_id}")
    message.set_content(REPLY_TEXT)
    return message.as_bytes()


def auto_reply(to: Recipient, sent_at: datetime) -> bytes:
    """An out-of-office answer from ``to``'s mail server (RFC 3834 section 5)."""
    message = _answer(to, "Out of office: Our autumn collection", sent_at, f"ooo-{to.message_id}")
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(AUTO_REPLY_TEXT)
    return message.as_bytes()
