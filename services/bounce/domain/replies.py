"""What in an inbound message may tie it to one of our messages as a human reply (pure):
the Message-IDs it answers (In-Reply-To, then References newest first) and, in quoted text,
Message-ID / X-Emailtrack-Message header lines of the tracked original. Whether any of them
is really ours is decided by the recipient service (see services/bounce/replies.py)."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from email.message import Message

from emailtrack.common.mail_headers import MESSAGE_HEADER
from services.bounce.domain.mime_tree import decoded_text

_MSGID_RE = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_QUOTED_RE = re.compile(
    r"^[>\s]*(message-id|" + re.escape(MESSAGE_HEADER.lower()) + r")[ \t]*:[ \t]*(\S+)",
    re.IGNORECASE | re.MULTILINE,
)
MAX_IDS = 50
MAX_BODY_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class ReplyHints:
    """``answered``: (Message-ID, "in_reply_to" | "references") in order of preference;
    ``quoted_smtp_ids`` / ``quoted_message_ids``: ids found in quoted text."""

    sender: str = ""
    reply_message_id: str = ""
    answered: tuple[tuple[str, str], ...] = ()
    quoted_smtp_ids: tuple[str, ...] = ()
    quoted_message_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        has_ids = self.answered or self.quoted_smtp_ids or self.quoted_message_ids
        return bool(self.sender and has_ids)


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _text(msg: Message) -> str:
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        parts.append(decoded_text(part))
    return "\n".join(parts)[:MAX_BODY_CHARS]


def reply_hints(msg: Message) -> ReplyHints:
    _, sender = email.utils.parseaddr(_header(msg, "from"))
    answered: dict[str, str] = {}
    for found in _MSGID_RE.findall(_header(msg, "in-reply-to")):
        answered.setdefault(found, "in_reply_to")
    for found in reversed(_MSGID_RE.findall(_header(msg, "references"))):
        answered.setdefault(found, "references")
    quoted_smtp: list[str] = []
    quoted_ids: list[str] = []
    for name, value in _QUOTED_RE.findall(_text(msg)):
        if name.lower() == "message-id":
            quoted_smtp.extend(_MSGID_RE.findall(value))
        else:
            quoted_ids.append(value.strip())
    return ReplyHints(
        sender=sender if "@" in sender else "",
        reply_message_id=_header(msg, "message-id"),
        answered=tuple(answered.items())[:MAX_IDS],
        quoted_smtp_ids=tuple(dict.fromkeys(quoted_smtp))[:MAX_IDS],
        quoted_message_ids=tuple(dict.fromkeys(quoted_ids))[:MAX_IDS],
    )


@dataclass(frozen=True, slots=True)
class KnownMessage:
    """One of our registered messages (as the recipient service returned it)."""

    message_id: str
    smtp_message_id: str
    campaign_id: str
    sequence_step: str = ""
    variant: str = ""
    mailbox: str = ""
    warmup: bool = False


@dataclass(frozen=True, slots=True)
class ReplyMatch:
    message: KnownMessage
    in_reply_to: str
    matched_by: str  # "in_reply_to", "references" or "quoted"


def choose_match(hints: ReplyHints, known: list[KnownMessage]) -> ReplyMatch | None:
    """The message the reply answers: In-Reply-To first, then References (newest first),
    then ids quoted in the body."""
    by_smtp = {m.smtp_message_id: m for m in known if m.smtp_message_id}
    by_id = {m.message_id: m for m in known}
    for smtp_id, how in hints.answered:
        if smtp_id in by_smtp:
            return ReplyMatch(by_smtp[smtp_id], smtp_id, how)
    for smtp_id in hints.quoted_smtp_ids:
        if smtp_id in by_smtp:
            return ReplyMatch(by_smtp[smtp_id], smtp_id, "quoted")
    for message_id in hints.quoted_message_ids:
        if message_id in by_id:
            return ReplyMatch(by_id[message_id], by_id[message_id].smtp_message_id, "quoted")
    return None
