"""Amazon SES notifications delivered by SNS (notificationType or event-publishing
eventType). Attribution: message tags ``emailtrack_campaign_id`` / ``emailtrack_message_id``,
else the X-Emailtrack-Campaign / X-Emailtrack-Message headers SES includes in ``mail``."""

from __future__ import annotations

from typing import Any

from emailtrack.common.mail_headers import CAMPAIGN_HEADER, MESSAGE_HEADER
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    CAMPAIGN_KEY,
    MESSAGE_KEY,
    MalformedPayload,
    classify,
    event_key,
    from_iso,
    text_of,
)


def _attribution(mail: dict[str, Any]) -> tuple[str, str]:
    found_tags = mail.get("tags")
    tags: dict[str, Any] = found_tags if isinstance(found_tags, dict) else {}
    headers = {
        text_of(h.get("name")).lower(): text_of(h.get("value"))
        for h in mail.get("headers") or []
        if isinstance(h, dict)
    }

    def pick(tag: str, header_name: str) -> str:
        values = tags.get(tag)
        if isinstance(values, list) and values:
            return text_of(values[0])
        return headers.get(header_name.lower(), "")

    return pick(CAMPAIGN_KEY, CAMPAIGN_HEADER), pick(MESSAGE_KEY, MESSAGE_HEADER)


def _recipients(kind: str, notice: dict[str, Any]) -> list[tuple[OutcomeKind, dict[str, Any]]]:
    """(our kind, recipient details) for each recipient the notification is about."""
    if kind == "Bounce":
        bounce = notice.get("bounce") or {}
        ours: OutcomeKind = "deferred" if bounce.get("bounceType") == "Transient" else "bounce"
        return [(ours, r) for r in bounce.get("bouncedRecipients") or [] if isinstance(r, dict)]
    if kind == "Complaint":
        complaint = notice.get("complaint") or {}
        return [
            ("complaint", {**r, "feedback": text_of(complaint.get("complaintFeedbackType"))})
            for r in complaint.get("complainedRecipients") or []
            if isinstance(r, dict)
        ]
    if kind == "DeliveryDelay":
        delay = notice.get("deliveryDelay") or {}
        return [
            ("deferred", r) for r in delay.get("delayedRecipients") or [] if isinstance(r, dict)
        ]
    mail = notice.get("mail") or {}
    destination = [{"emailAddress": a} for a in mail.get("destination") or []]
    if kind == "Delivery":
        addresses = (notice.get("delivery") or {}).get("recipients") or []
        return [("delivered", {"emailAddress": a}) for a in addresses]
    simple: dict[str, OutcomeKind] = {"Open": "open", "Click": "click"}
    return [(simple[kind], r) for r in destination] if kind in simple else []


def parse(tenant_id: str, notice: Any) -> list[Outcome]:
    """Outcomes of one SES notification (the decoded ``Message`` of an SNS notification)."""
    if not isinstance(notice, dict) or not isinstance(notice.get("mail"), dict):
        raise MalformedPayload("SES notification must be a JSON object with 'mail'")
    kind = text_of(notice.get("notificationType") or notice.get("eventType"))
    mail = notice["mail"]
    campaign_id, message_id = _attribution(mail)
    detail_key = {"DeliveryDelay": "deliveryDelay"}.get(kind, kind[:1].lower() + kind[1:])
    found_detail = notice.get(detail_key)
    detail: dict[str, Any] = found_detail if isinstance(found_detail, dict) else {}
    occurred = from_iso(detail.get("timestamp") or mail.get("timestamp"), "SES notification")
    outcomes = []
    for ours, recipient in _recipients(kind, notice):
        address = text_of(recipient.get("emailAddress"))
        if "@" not in address:
            continue
        status = text_of(recipient.get("status"))
        text = text_of(recipient.get("diagnosticCode"))
        failing = ours in ("bounce", "deferred")
        classification = (
            classify(status, text, 550 if ours == "bounce" else 450) if failing else None
        )
        outcomes.append(
            Outcome(
                event_id=event_key(
                    "ses", tenant_id, text_of(mail.get("messageId")), address.lower(), kind
                ),
                kind=ours,
                tenant_id=tenant_id,
                address=address,
                occurred_at=occurred,
                source="ses",
                campaign_id=campaign_id,
                message_id=message_id,
                bounce_type=classification.bounce_type if classification else "",
                reason=classification.reason if classification else "",
                enhanced_status=status,
                diagnostic=text[:1000],
                feedback_type=text_of(recipient.get("feedback")),
                link_url=text_of(detail.get("link")),
                user_agent=text_of(detail.get("userAgent")),
                client_ip=text_of(detail.get("ipAddress")),
            )
        )
    return outcomes
