"""What a plain-text notice as a whole says happened to its recipients, where a relay dropped
its delivery-status part or the MTA wrote none: delivered or relayed (a success report, RFC 3461
NOTIFY=SUCCESS: Postfix's bounce(5) success template, Sendmail's success section, Exchange's
delivery and relay receipts; or a recipient's own 2xx reply), or still being retried (Postfix's,
Sendmail's and Exchange's delay warnings). A delivered recipient is a delivery and a warned
one a deferral, never a bounce."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, TypeVar

from services.bounce.domain import taxonomy as t
from services.bounce.domain.mta_formats import TextRecipient
from services.bounce.domain.taxonomy import SmtpClassification

# Each headline, lower-cased, with the action it states.
_HEADLINES: tuple[tuple[str, str], ...] = (
    ("your message was successfully delivered to the destination", "delivered"),  # Postfix
    ("the following addresses had successful delivery notifications", "delivered"),  # Sendmail
    ("your message has been delivered to the following recipients", "delivered"),  # Exchange
    ("delivery to these recipients or groups is complete", "relayed"),  # Exchange, relayed
    ("delivery to these recipients or distribution lists is complete", "relayed"),
)
# Wording of a failure or delay beside it: then the notice is not a success notice as a whole.
_FAILURE_RE = re.compile(
    r"could ?n[o']t be delivered|not be delivered|was not delivered|delivery has failed"
    r"|failed permanently|permanent (?:fatal )?error|fatal error|undeliverable|unable to deliver"
    r"|delivery failed|has not yet been delivered|delayed|will (?:keep|continue) trying"
)
# The banner of a delay warning: the MTA keeps the message and retries (Postfix's and
# Sendmail's warning banners, Exchange's delay notice).
_WARNING_RE = re.compile(
    r"this is a warning (?:message )?only|you do not need to resend your message"
    r"|delivery is delayed to these recipients|delivery will continue to be attempted"
)
# A listed recipient: the address first on its line, else in brackets ("Name (address)").
_LISTED_ADDRESS_RE = re.compile(r"^[ \t]*[<(]?([^\s<>()@,;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_BRACKETED_ADDRESS_RE = re.compile(r"\(([^()\s]+@[^()\s]+)\)")
_MAX_LISTING = 4000
_SUCCESS_REASONS = {t.DELIVERED, t.UNDEFINED, t.ON_HOLD}  # a success, or no failure named


class _Reported(Protocol):
    """A parsed recipient (parse.FailedRecipient): its classification and action."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def classification(self) -> SmtpClassification: ...

    @property
    def action(self) -> str: ...


R = TypeVar("R", bound=_Reported)


def _headline(notification: str) -> tuple[int, str]:
    """(end of the success headline, the action it states), or (-1, "") when the notice has
    none or also states a failure or delay."""
    lowered = notification.lower()
    for phrase, action in _HEADLINES:
        start = lowered.find(phrase)
        if start >= 0:
            failed = _FAILURE_RE.search(lowered)
            return (-1, "") if failed else (start + len(phrase), action)
    return -1, ""


def listed_recipients(notification: str, excluded: Iterable[str]) -> list[TextRecipient]:
    """The addresses a success notice lists under its headline, one a line (Exchange writes
    "address (address)" or "Name (address)"), up to its "Subject:" line; ``excluded`` holds
    the lower-cased addresses that are no recipient (the sender's own, ...)."""
    end, action = _headline(notification)
    if end < 0:
        return []
    found: list[TextRecipient] = []
    seen = {address.lower() for address in excluded}  # no recipient, or listed already
    for line in notification[end : end + _MAX_LISTING].splitlines()[1:]:
        if line.lower().startswith("subject:"):
            break
        match = _LISTED_ADDRESS_RE.match(line) or _BRACKETED_ADDRESS_RE.search(line)
        address = match.group(1) if match else ""
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(TextRecipient(address, action, line.strip()))
    return found


def as_reported(recipients: list[R], notification: str) -> list[R]:
    """``recipients`` of a text notice, those it reports delivered or relayed as deliveries: a
    recipient whose own reply is a success (2xx), or one naming no failure in a notice whose
    headline states success."""
    _, action = _headline(notification)
    reread = []
    for recipient in recipients:
        reason = recipient.classification.reason
        if reason == t.DELIVERED or (action and reason in _SUCCESS_REASONS):
            delivered = t.classification_for(t.DELIVERED, 0, "text.success")
            recipient = dataclasses.replace(
                recipient, classification=delivered, action=action or "delivered"
            )
        reread.append(recipient)
    return reread


def as_warned(entries: list[TextRecipient], notification: str) -> list[TextRecipient]:
    """``entries`` of a notice, those a delay warning's banner covers as delayed (the MTA is
    still retrying them, whatever the remote server said)."""
    if not _WARNING_RE.search(notification.lower()):
        return entries
    return [
        dataclasses.replace(e, action="delayed") if e.action == "failed" else e for e in entries
    ]
