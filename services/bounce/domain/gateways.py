"""Mail gateways whose own failure notices name an unknown user in fixed wording.

McAfee's and MessageLabs' (Symantec.cloud) mail gateways and Hotmail/Outlook.com write their
delivery-status notices in fixed layouts. Sisimai's modules for these families (Lhost::McAfee,
::MessageLabs, ::Outlook) read the unknown-user wording of such a notice as userunknown
whatever the SMTP stage, before the stage rule of ``smtp_stage``; we follow them for these
writers only. A writer is recognised by the headers it puts on its own notice, never by the
reply text: the same words from any other writer, with no stage proven, may be a content
filter's refusal and stay ``filtered``.
"""

from __future__ import annotations

import re
from email.message import Message

MCAFEE, MESSAGELABS, HOTMAIL = "mcafee", "messagelabs", "hotmail"

# Each gateway's own words for an unknown recipient (lower-cased text).
_UNKNOWN_USER_RE: dict[str, re.Pattern[str]] = {
    MCAFEE: re.compile(
        r"\buser \(\S+@\S+\) unknown\b|\b550 unknown user \S+@|\buser not exist\b|no such user"
    ),
    MESSAGELABS: re.compile(r"\b542 .+ rejected|no such user"),
    HOTMAIL: re.compile(r"requested action not taken: mailbox unavailable"),
}


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return str(value) if value is not None else ""


def gateway_of(msg: Message) -> str:
    """The gateway that wrote this notice ("" for any other writer), from its own headers."""
    if "modified by mcafee" in _header(msg, "x-nai-header").lower():
        return MCAFEE
    if msg.get("x-msg-ref") is not None and "messagelabs.com" in _header(msg, "from").lower():
        return MESSAGELABS
    hotmail_marks = (
        "delivery status notification" in _header(msg, "subject").lower(),
        msg.get("x-message-delivery") is not None,
        msg.get("x-message-info") is not None,
        any(".hotmail.com" in str(received).lower() for received in msg.get_all("received", [])),
    )
    return HOTMAIL if sum(hotmail_marks) >= 2 else ""


def names_unknown_user(gateway: str, text: str) -> bool:
    """Whether ``text`` is ``gateway``'s own wording for an unknown recipient."""
    pattern = _UNKNOWN_USER_RE.get(gateway)
    return pattern is not None and pattern.search(" ".join(text.lower().split())) is not None
