"""Amazon SES notifications delivered as mail (an SNS e-mail subscription, or SES feedback
forwarding to a mailbox): the body is the JSON notification, optionally inside the SNS
envelope ({"Type": "Notification", "Message": "<json>"}). Its recipients come from the
documented fields (bounce.bouncedRecipients, complaint.complainedRecipients,
delivery.recipients), never from scanning the JSON text for addresses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.bounce.domain.dsn import DsnRecipient

_MAX_JSON = 256 * 1024
_DECODER = json.JSONDecoder()
# Bounce sub-types that name their cause when the recipient has no diagnostic of its own.
_SUBTYPE_TEXT = {
    "MailboxFull": "mailbox full",
    "MessageTooLarge": "message too large",
    "NoEmail": "no such address",
}


@dataclass(frozen=True, slots=True)
class SesNotification:
    """The recipients of one SES notification and what kind of report it is."""

    kind: str  # "bounce", "complaint" or "delivery"
    recipients: tuple[DsnRecipient, ...]
    feedback_type: str = ""


def _document(text: str) -> dict[str, object] | None:
    text = text.strip()
    if not text.startswith("{") or len(text) > _MAX_JSON:
        return None
    try:
        # The JSON value that opens the body: SNS e-mail ends it with a "--" signature and an
        # unsubscribe link, which are not part of the notification.
        document, _ = _DECODER.raw_decode(text)
    except ValueError:
        return None
    if isinstance(document, dict) and isinstance(document.get("Message"), str):
        return _document(document["Message"])  # the SNS envelope
    return document if isinstance(document, dict) else None


def _entries(section: dict[str, object], key: str) -> list[dict[str, object]]:
    listed = section.get(key)
    return [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []


def parse_ses_notification(text: str) -> SesNotification | None:
    """The SES notification in ``text`` (a mail body), or None when it is not one."""
    document = _document(text)
    if document is None:
        return None
    kind = str(document.get("notificationType") or document.get("eventType") or "").lower()
    section = document.get(kind)
    if kind not in ("bounce", "complaint", "delivery") or not isinstance(section, dict):
        return None
    if kind == "bounce":
        transient = section.get("bounceType") == "Transient"
        hint = _SUBTYPE_TEXT.get(str(section.get("bounceSubType", "")), "")
        recipients = tuple(
            DsnRecipient(
                address=str(e.get("emailAddress", "")),
                action=str(e.get("action") or ("delayed" if transient else "failed")).lower(),
                status=str(e.get("status", "")),
                diagnostic=str(e.get("diagnosticCode") or hint),
                remote_mta=str(section.get("remoteMtaIp", "")),
                reporting_mta=str(section.get("reportingMTA", "")),
            )
            for e in _entries(section, "bouncedRecipients")
        )
        return SesNotification("bounce", recipients)
    if kind == "complaint":
        recipients = tuple(
            DsnRecipient(str(e.get("emailAddress", "")), "complaint", "", "", "", "")
            for e in _entries(section, "complainedRecipients")
        )
        feedback = str(section.get("complaintFeedbackType", "abuse"))
        return SesNotification("complaint", recipients, feedback)
    listed = section.get("recipients")
    addresses = [str(a) for a in listed] if isinstance(listed, list) else []
    smtp = str(section.get("smtpResponse", ""))
    return SesNotification(
        "delivery",
        tuple(DsnRecipient(a, "delivered", "2.0.0", smtp, "", "") for a in addresses),
    )
