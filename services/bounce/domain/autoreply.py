"""Recognising auto-replies (vacation, out-of-office, autoresponders), which are not bounces.

Signals, strongest first: RFC 3834 ``Auto-Submitted: auto-replied``, the de-facto headers
``X-Autoreply`` / ``X-Autorespond``, ``Precedence: auto_reply``, and subject wording in common
languages. (``X-Auto-Response-Suppress`` is set by senders, so it is not a signal.)
Challenge/response systems (Boxbe, Bluebottle, ...) that hold a message until the sender
proves to be a person also answer automatically; they are auto-replies, not bounces.
"""

from __future__ import annotations

import email.header
import re
from email.message import Message

from services.bounce.domain.literals import may_match

_AUTO_SUBJECT_RE = re.compile(
    r"auto(?:matic)?[- ]?(?:reply|response)\b"
    r"|automatyczna odpowied|autom[aā]tisk[aā] atbilde|automaattinen vastaus|automatiskt svar"
    r"|^\s*\[?(?:"
    r"auto(?:matic)?[- ]?(?:reply|response|antwort|risposta)|autoreply|auto:"
    r"|out of (?:the )?office|ooo\b|on vacation|vacation (?:reply|message)|away from"
    r"|abwesenheit|r[ée]ponse automatique|absence|respuesta autom[áa]tica|fuera de la oficina"
    r"|risposta automatica|fuori sede|resposta autom[áa]tica|automatisch antwoord|afwezig"
    r")",
    re.IGNORECASE,
)
_BOUNCE_AUTO_SUBMITTED_RE = re.compile(r"\((?:rejected|failure|failed)\)", re.IGNORECASE)
# Applied to lower-cased text with whitespace runs collapsed, after a literal screen.
_CHALLENGE_RE = re.compile(
    r"sender not pre-approved|add yourself to my [\w ]{0,20}(?:guest|allowed|approved) ?list"
    r"|listed on my [\w ]{0,20}guest list|address added to the recipient's allowed list"
    r"|(?:verify|prove) (?:that )?you are (?:a )?(?:real )?(?:person|human)"
    r"|your message (?:about .{0,200})?(?:has been |was )waitlisted",
)
_CHALLENGE_SCREEN = frozenset({"pre-approved", "list", "person", "human", "waitlisted"})


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()).lower() if value is not None else ""


def is_auto_reply(msg: Message) -> bool:
    """True if ``msg`` is an automatic reply to a message rather than a delivery failure."""
    names = {name.lower() for name in msg}  # one pass over the headers, not one per lookup
    auto_submitted = _header(msg, "auto-submitted") if "auto-submitted" in names else ""
    if auto_submitted.startswith("auto-replied"):
        # Sieve "reject" (RFC 5429) marks its refusals "auto-replied (rejected)": a bounce.
        return _BOUNCE_AUTO_SUBMITTED_RE.search(auto_submitted) is None
    if names & {"x-autoreply", "x-autorespond", "x-autoresponder"}:
        return True
    if "precedence" in names and _header(msg, "precedence") == "auto_reply":
        return True
    return _AUTO_SUBJECT_RE.search(_subject(msg)) is not None


def _subject(msg: Message) -> str:
    """The Subject with RFC 2047 encoded words decoded (undecodable ones left as they are)."""
    subject = str(msg.get("subject") or "")
    if "=?" not in subject:
        return subject
    try:
        return str(email.header.make_header(email.header.decode_header(subject)))
    except (ValueError, LookupError, UnicodeError):
        return subject


def is_challenge_response(notification: str) -> bool:
    """True if the notification asks the sender to confirm being a person before delivery."""
    text = notification[:6000].lower()
    if not may_match(_CHALLENGE_SCREEN, text):
        return False
    return _CHALLENGE_RE.search(" ".join(text.split())) is not None
