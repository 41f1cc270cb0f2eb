"""Recognising auto-replies (vacation, out-of-office, autoresponders), which are not bounces.

Signals, strongest first: RFC 3834 ``Auto-Submitted: auto-replied``, the de-facto headers
``X-Autoreply`` / ``X-Autorespond``, ``Precedence: auto_reply``, and subject wording in common
languages. (``X-Auto-Response-Suppress`` is set by senders, so it is not a signal.)
"""

from __future__ import annotations

import re
from email.message import Message

_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:"
    r"auto(?:matic)?[- ]?(?:reply|response|antwort|risposta)|autoreply|auto:"
    r"|out of (?:the )?office|ooo\b|on vacation|vacation (?:reply|message)|away from"
    r"|abwesenheit|r[ée]ponse automatique|absence|respuesta autom[áa]tica|fuera de la oficina"
    r"|risposta automatica|fuori sede|resposta autom[áa]tica|automatisch antwoord|afwezig"
    r")",
    re.IGNORECASE,
)
_BOUNCE_AUTO_SUBMITTED_RE = re.compile(r"\((?:rejected|failure|failed)\)", re.IGNORECASE)


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()).lower() if value is not None else ""


def is_auto_reply(msg: Message) -> bool:
    """True if ``msg`` is an automatic reply to a message rather than a delivery failure."""
    auto_submitted = _header(msg, "auto-submitted")
    if auto_submitted.startswith("auto-replied"):
        # Sieve "reject" (RFC 5429) marks its refusals "auto-replied (rejected)": a bounce.
        return _BOUNCE_AUTO_SUBMITTED_RE.search(auto_submitted) is None
    if any(
        msg.get(name) is not None for name in ("x-autoreply", "x-autorespond", "x-autoresponder")
    ):
        return True
    if _header(msg, "precedence") == "auto_reply":
        return True
    subject = str(msg.get("subject") or "")
    return _AUTO_SUBJECT_RE.search(subject) is not None
