"""Identifying the original message a report is about: its Message-ID and X-Emailtrack-* ids."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from emailtrack.common.mail_headers import CAMPAIGN_HEADER, MESSAGE_HEADER, TENANT_HEADER
from services.bounce.domain.header_blocks import header_block
from services.bounce.domain.literals import CaselessScreened
from services.bounce.domain.mime_tree import sent_text

_RETURNED_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")
_QUOTED_HEADER_RE = re.compile(
    r"^[>\s]*(message-id|x-emailtrack-tenant|x-emailtrack-campaign|x-emailtrack-message)"
    r"[ \t]*:[ \t]*(\S[^\r\n]*)",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_HEADER = CaselessScreened(_QUOTED_HEADER_RE)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_HEADER_START_RE = re.compile(r"[A-Za-z][\w-]*:")  # a text that starts with a header field


@dataclass(frozen=True, slots=True)
class OriginalIds:
    """What the report tells about the original message."""

    message_id: str = ""
    tenant_id: str = ""
    campaign_id: str = ""
    emailtrack_message_id: str = ""


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def returned_headers(msg: Message, parts: Sequence[tuple[Message, str]]) -> Message | None:
    """Headers of the returned original message (message/rfc822 or text/rfc822-headers), found
    among the (part, content type) pairs of ``msg``; in a feedback report, else the text part
    after the report that starts with the original's header fields (RFC 5965 section 2 (d)
    puts the original there; some generators label it text/plain)."""
    found = _typed_original(msg, parts)
    if found is None and str(msg.get_param("report-type", "")).lower() == "feedback-report":
        return _text_original(parts)
    return found


def _text_original(parts: Sequence[tuple[Message, str]]) -> Message | None:
    after_report = False
    for part, content_type in parts:
        payload = sent_text(part)
        if after_report and content_type.startswith("text/") and payload is not None:
            headers = header_block(payload.lstrip())
            if _HEADER_START_RE.match(payload.lstrip()) and headers.get("to") is not None:
                return headers
        after_report = after_report or content_type == "message/feedback-report"
    return None


def _typed_original(msg: Message, parts: Sequence[tuple[Message, str]]) -> Message | None:
    for part, content_type in parts:
        if part is msg or content_type not in _RETURNED_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        text = sent_text(part)
        if text is not None:
            return header_block(text.lstrip())
    return None


def _ids_from_headers(headers: Message) -> OriginalIds:
    return OriginalIds(
        message_id=_clean(headers.get("message-id")),
        tenant_id=_clean(headers.get(TENANT_HEADER)),
        campaign_id=_clean(headers.get(CAMPAIGN_HEADER)),
        emailtrack_message_id=_clean(headers.get(MESSAGE_HEADER)),
    )


def _ids_from_text(text: str) -> OriginalIds:
    found: dict[str, str] = {}
    for name, value in _QUOTED_HEADER.findall(text):
        found.setdefault(name.lower(), value.strip())
    return OriginalIds(
        message_id=found.get("message-id", ""),
        tenant_id=found.get(TENANT_HEADER.lower(), ""),
        campaign_id=found.get(CAMPAIGN_HEADER.lower(), ""),
        emailtrack_message_id=found.get(MESSAGE_HEADER.lower(), ""),
    )


def original_ids(headers: Message | None, returned_text: str) -> OriginalIds:
    """Ids of the original from its returned ``headers`` (``returned_headers``), else from
    headers quoted in the returned text."""
    if headers is not None:
        ids = _ids_from_headers(headers)
        if ids.message_id or ids.tenant_id:
            return ids
    return _ids_from_text(returned_text)


def replied_message_id(msg: Message) -> str:
    """Message-ID an auto-reply answers: In-Reply-To, else the last References entry."""
    in_reply_to = _MSGID_RE.findall(_clean(msg.get("in-reply-to")))
    if in_reply_to:
        return in_reply_to[0]
    references = _MSGID_RE.findall(_clean(msg.get("references")))
    return references[-1] if references else ""
