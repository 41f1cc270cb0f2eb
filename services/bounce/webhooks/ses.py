"""Amazon SES notifications delivered by SNS (notificationType or event-publishing
eventType). Attribution: message tags ``emailtrack_campaign_id`` / ``emailtrack_message_id``,
else the X-Emailtrack-Campaign / X-Emailtrack-Message headers SES includes in ``mail``.

Bounces map by bounceType: Permanent is a bounce classified from its diagnostic (subtypes
Suppressed / OnAccountSuppressionList: a hard bounce by suppression); Transient is a final soft
bounce (SES stopped retrying); Undetermined is a soft bounce, never hard. Reject (SES refused
the message for its content) is a soft bounce of every destination. A notification without a
timestamp is dated by its receive time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emailtrack.common.mail_headers import CAMPAIGN_HEADER, MESSAGE_HEADER
from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    CAMPAIGN_KEY,
    MESSAGE_KEY,
    SUPPRESSED,
    MalformedPayload,
    Mapped,
    classify,
    event_key,
    from_iso,
    list_of,
    map_each,
    object_of,
    text_of,
)

_SUPPRESSION_SUBTYPES = {"Suppressed", "OnAccountSuppressionList"}
# bounceSubType -> our reason when the diagnostic says nothing more precise (SES docs).
_SUBTYPE_REASONS = {
    "NoEmail": t.USER_UNKNOWN,
    "MailboxFull": t.MAILBOX_FULL,
    "MessageTooLarge": t.MESSAGE_TOO_BIG,
    "ContentRejected": t.FILTERED,
    "AttachmentRejected": t.CONTENT_ERROR,
}


def _attribution(mail: dict[str, Any]) -> tuple[str, str]:
    found_tags = mail.get("tags")
    tags: dict[str, Any] = found_tags if isinstance(found_tags, dict) else {}
    headers = {
        text_of(h.get("name")).lower(): text_of(h.get("value"))
        for h in list_of(mail.get("headers"))
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
        bounce = object_of(notice.get("bounce"))
        recipients = list_of(bounce.get("bouncedRecipients"))
        return [("bounce", r) for r in recipients if isinstance(r, dict)]
    if kind == "Complaint":
        complaint = object_of(notice.get("complaint"))
        return [
            ("complaint", {**r, "feedback": text_of(complaint.get("complaintFeedbackType"))})
            for r in list_of(complaint.get("complainedRecipients"))
            if isinstance(r, dict)
        ]
    if kind == "DeliveryDelay":
        delay = object_of(notice.get("deliveryDelay"))
        return [
            ("deferred", r) for r in list_of(delay.get("delayedRecipients")) if isinstance(r, dict)
        ]
    mail = object_of(notice.get("mail"))
    destination = [{"emailAddress": a} for a in list_of(mail.get("destination"))]
    if kind == "Delivery":
        addresses = list_of(object_of(notice.get("delivery")).get("recipients"))
        return [("delivered", {"emailAddress": a}) for a in addresses]
    if kind == "Reject":
        return [("bounce", r) for r in destination]
    simple: dict[str, OutcomeKind] = {"Open": "open", "Click": "click"}
    return [(simple[kind], r) for r in destination] if kind in simple else []


def _failure(kind: str, detail: dict[str, Any], status: str, text: str) -> tuple[str, t.BounceType]:
    """(reason, bounce type) of a Bounce or Reject recipient."""
    if kind == "Reject":  # SES's only documented reject reason is "Bad content" (a virus)
        found = classify(status, text + " " + text_of(detail.get("reason")), 450)
        reason = t.VIRUS_DETECTED if found.reason == t.UNDEFINED else found.reason
        return reason, t.SOFT
    bounce_type, subtype = text_of(detail.get("bounceType")), text_of(detail.get("bounceSubType"))
    if bounce_type == "Permanent":
        if subtype in _SUPPRESSION_SUBTYPES:
            return SUPPRESSED, t.HARD
        found = classify(status, text, 550)
        if found.reason == t.UNDEFINED and subtype in _SUBTYPE_REASONS:
            return _SUBTYPE_REASONS[subtype], t.HARD
        return found.reason, found.bounce_type
    # Transient (final: SES gave up) and Undetermined: soft whatever the reply code said.
    reason = classify(status, text, 450).reason
    if reason == t.UNDEFINED:
        reason = _SUBTYPE_REASONS.get(subtype, t.UNDEFINED)
    return reason, t.SOFT


def _event_anchor(kind: str, detail: dict[str, Any]) -> str:
    """What tells two notifications of one message and recipient apart."""
    return text_of(detail.get("feedbackId")) or (
        text_of(detail.get("timestamp")) if kind in ("Open", "Click", "DeliveryDelay") else ""
    )


def _outcomes(tenant_id: str, notice: Any, received_at: datetime) -> list[Outcome]:
    if not isinstance(notice, dict) or not isinstance(notice.get("mail"), dict):
        raise MalformedPayload("SES notification must be a JSON object with 'mail'")
    kind = text_of(notice.get("notificationType") or notice.get("eventType"))
    mail = notice["mail"]
    campaign_id, message_id = _attribution(mail)
    detail_key = {"DeliveryDelay": "deliveryDelay"}.get(kind, kind[:1].lower() + kind[1:])
    found_detail = notice.get(detail_key)
    detail: dict[str, Any] = found_detail if isinstance(found_detail, dict) else {}
    occurred = from_iso(
        detail.get("timestamp") or mail.get("timestamp"), "SES notification", received_at
    )
    anchor = _event_anchor(kind, detail)
    # complaintSubType OnAccountSuppressionList: SES did not send (an earlier complaint).
    suppressed_complaint = text_of(detail.get("complaintSubType")) in _SUPPRESSION_SUBTYPES
    outcomes = []
    for ours, recipient in _recipients(kind, notice):
        address = text_of(recipient.get("emailAddress"))
        if "@" not in address:
            continue
        status = text_of(recipient.get("status"))
        text = text_of(recipient.get("diagnosticCode"))
        reason, bounce_type = "", ""
        if ours == "complaint" and suppressed_complaint:
            reason = SUPPRESSED
        if ours == "bounce":
            reason, bounce_type = _failure(kind, detail, status, text)
        elif ours == "deferred":
            reason = classify(status, text, 450).reason
            bounce_type = t.SOFT
        ses_id = text_of(mail.get("messageId"))
        outcomes.append(
            Outcome(
                event_id=event_key("ses", tenant_id, ses_id, address.lower(), kind, anchor),
                kind=ours,
                tenant_id=tenant_id,
                address=address,
                occurred_at=occurred,
                source="ses",
                campaign_id=campaign_id,
                message_id=message_id,
                bounce_type=bounce_type,
                reason=reason or (t.FEEDBACK if ours == "complaint" else ""),
                enhanced_status=status,
                diagnostic=text[:1000],
                feedback_type=text_of(recipient.get("feedback")),
                link_url=text_of(detail.get("link")),
                user_agent=text_of(detail.get("userAgent")),
                client_ip=text_of(detail.get("ipAddress")),
                esp_event_id=anchor or ses_id,
            )
        )
    return outcomes


def parse(tenant_id: str, notice: Any, received_at: datetime) -> Mapped:
    """Outcomes of one SES notification (the decoded ``Message`` of an SNS notification); one
    that cannot be mapped is set aside for the dead-letter topic."""
    return map_each([notice], lambda item, _: _outcomes(tenant_id, item, received_at))
