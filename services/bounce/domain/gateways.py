"""Mail gateways whose own failure reports say in their own words that a user is unknown.

McAfee's and MessageLabs' (Symantec.cloud) mail gateways and Hotmail/Outlook.com write their
own delivery-status notices and name an unknown recipient in fixed wording. A notice one of
them wrote is that system's own answer about the address, as a final system's directory
lookup is (``smtp_stage``): it stands at any SMTP stage, whereas the same words quoted from an
unknown server prove the mailbox missing only in reply to RCPT TO. Sisimai's modules for these
families (Lhost::McAfee, ::MessageLabs, ::Outlook) read their notices alike. A gateway is
recognised by the headers it writes, never by the reply text.
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
