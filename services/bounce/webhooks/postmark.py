"""Postmark webhooks (one JSON object per request, by RecordType). Postmark does not sign
requests: the URL carries ``?token=`` or HTTP basic auth (see signatures.verify_postmark).
Attribution: Metadata ``emailtrack_campaign_id`` / ``emailtrack_message_id``. Payloads of the
older bounce and delivery webhooks carry no RecordType; it is inferred from their time field."""

from __future__ import annotations

from typing import Any

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    MalformedPayload,
    attribution,
    classify,
    event_key,
    from_iso,
    load_json,
    require,
    text_of,
)

# Postmark bounce Type -> (our kind, reason when the details text says nothing more precise).
_BOUNCE_TYPES: dict[str, tuple[OutcomeKind, str, int]] = {
    "HardBounce": ("bounce", t.USER_UNKNOWN, 550),
    "BadEmailAddress": ("bounce", t.USER_UNKNOWN, 550),
    "DnsError": ("bounce", t.HOST_UNKNOWN, 550),
    "ManuallyDeactivated": ("bounce", t.SUSPENDED, 550),
    "SoftBounce": ("deferred", t.UNDEFINED, 450),
    "Transient": ("deferred", t.UNDEFINED, 450),
    "Blocked": ("bounce", t.BLOCKED, 550),
    "SpamNotification": ("bounce", t.SPAM_DETECTED, 550),
    "VirusNotification": ("bounce", t.VIRUS_DETECTED, 550),
    "DMARCPolicy": ("bounce", t.AUTH_FAILURE, 550),
    "SpamComplaint": ("complaint", t.FEEDBACK, 0),
}
_TIME_FIELDS = {
    "Delivery": "DeliveredAt",
    "Bounce": "BouncedAt",
    "SpamComplaint": "BouncedAt",
    "Open": "ReceivedAt",
    "Click": "ReceivedAt",
    "SubscriptionChange": "ChangedAt",
}


def _record_type(payload: dict[str, Any]) -> str:
    if "RecordType" in payload:
        return require(payload, "RecordType", str, "Postmark payload")
    if "BouncedAt" in payload:
        return "SpamComplaint" if payload.get("Type") == "SpamComplaint" else "Bounce"
    if "DeliveredAt" in payload:
        return "Delivery"
    raise MalformedPayload("Postmark payload lacks RecordType")


def _kind(record_type: str, payload: dict[str, Any]) -> tuple[OutcomeKind, str, int] | None:
    if record_type in ("Bounce", "SpamComplaint"):
        return _BOUNCE_TYPES.get(text_of(payload.get("Type")))
    if record_type == "SubscriptionChange":
        return ("unsubscribe", "", 0) if payload.get("SuppressSending") else None
    simple: dict[str, OutcomeKind] = {"Delivery": "delivered", "Open": "open", "Click": "click"}
    return (simple[record_type], "", 0) if record_type in simple else None


def parse(tenant_id: str, body: bytes) -> list[Outcome]:
    payload = load_json(body)
    if not isinstance(payload, dict):
        raise MalformedPayload("Postmark payload must be a JSON object")
    record_type = _record_type(payload)
    mapped = _kind(record_type, payload)
    if mapped is None:
        return []
    kind, fallback_reason, code = mapped
    address = text_of(payload.get("Email") or payload.get("Recipient"))
    if "@" not in address:
        raise MalformedPayload("Postmark payload: no Email/Recipient address")
    details = text_of(payload.get("Details")) or text_of(payload.get("Description"))
    reason, bounce_type = "", ""
    if kind in ("bounce", "deferred"):
        classification = classify("", details, code)
        reason = classification.reason
        if reason == t.UNDEFINED:
            reason = fallback_reason
        bounce_type = t.classification_for(reason, code, "postmark").bounce_type
    campaign_id, message_id = attribution(payload.get("Metadata"))
    natural = text_of(payload.get("ID")) or text_of(payload.get("MessageID"))
    occurred = payload.get(_TIME_FIELDS.get(record_type, ""))
    return [
        Outcome(
            event_id=event_key(
                "postmark",
                tenant_id,
                record_type,
                natural,
                kind,
                address.lower(),
                text_of(occurred),
            ),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_iso(occurred, "Postmark payload"),
            source="postmark",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=bounce_type,
            reason=reason or ("feedback" if kind == "complaint" else ""),
            diagnostic=details[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=text_of(payload.get("OriginalLink")),
            user_agent=text_of(payload.get("UserAgent")),
        )
    ]
