"""Postmark webhooks (one JSON object per request, by RecordType). Postmark does not sign
requests: the URL carries ``?token=`` or HTTP basic auth (see signatures.verify_postmark; several
tokens are accepted so one can be rotated). Attribution: Metadata ``emailtrack_campaign_id`` /
``emailtrack_message_id``. Payloads of the older bounce and delivery webhooks carry no
RecordType; it is inferred from their time field.

Bounce records map by their ``Type`` (Postmark's bounce type list); SubscriptionChange records
by ``SuppressionReason``: HardBounce → a hard bounce by suppression, SpamComplaint → a complaint,
ManualSuppression (the recipient unsubscribed, or the sender suppressed) → an unsubscribe; a
reactivation (SuppressSending false) records nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    INVALID_ADDRESS,
    SUPPRESSED,
    MalformedPayload,
    Mapped,
    attribution,
    classify,
    event_key,
    from_iso,
    load_json,
    map_each,
    require,
    text_of,
)

# Postmark bounce Type -> (our kind, reason when the details text says nothing more precise,
# SMTP code class). Types not listed (AutoResponder, AddressChange, Subscribe, Unknown,
# OpenRelayTest, ChallengeVerification, SMTPApiError, ...) are not delivery failures.
_BOUNCE_TYPES: dict[str, tuple[OutcomeKind, str, int]] = {
    "HardBounce": ("bounce", t.USER_UNKNOWN, 550),
    "BadEmailAddress": ("bounce", INVALID_ADDRESS, 550),
    "ManuallyDeactivated": ("bounce", SUPPRESSED, 550),
    "DnsError": ("deferred", t.NETWORK_ERROR, 450),  # "temporary DNS error"
    "SoftBounce": ("bounce", t.UNDEFINED, 450),  # final, but soft
    "Transient": ("deferred", t.UNDEFINED, 450),
    "Blocked": ("bounce", t.BLOCKED, 550),
    "SpamNotification": ("bounce", t.SPAM_DETECTED, 550),
    "VirusNotification": ("bounce", t.VIRUS_DETECTED, 550),
    "DMARCPolicy": ("bounce", t.AUTH_FAILURE, 550),
    "SpamComplaint": ("complaint", t.FEEDBACK, 0),
    "Unsubscribe": ("unsubscribe", "", 0),
}
# SubscriptionChange SuppressionReason -> (our kind, reason, bounce type)
_SUPPRESSIONS: dict[str, tuple[OutcomeKind, str, t.BounceType]] = {
    "HardBounce": ("bounce", SUPPRESSED, t.HARD),
    "SpamComplaint": ("complaint", SUPPRESSED, ""),
    "ManualSuppression": ("unsubscribe", "", ""),
}
_ESP_REASONS = {INVALID_ADDRESS, SUPPRESSED}
_TIME_FIELDS = {
    "Delivery": "DeliveredAt",
    "Bounce": "BouncedAt",
    "SpamComplaint": "BouncedAt",
    "Open": "ReceivedAt",
    "Click": "ReceivedAt",
    "SubscriptionChange": "ChangedAt",
}
_SIMPLE: dict[str, OutcomeKind] = {"Delivery": "delivered", "Open": "open", "Click": "click"}


def _record_type(payload: dict[str, Any]) -> str:
    if "RecordType" in payload:
        return require(payload, "RecordType", str, "Postmark payload")
    if "BouncedAt" in payload:
        return "SpamComplaint" if payload.get("Type") == "SpamComplaint" else "Bounce"
    if "DeliveredAt" in payload:
        return "Delivery"
    raise MalformedPayload("Postmark payload lacks RecordType")


def _failure(bounce_type: str, details: str) -> tuple[OutcomeKind, str, t.BounceType]:
    kind, fallback, code = _BOUNCE_TYPES[bounce_type]
    if kind not in ("bounce", "deferred"):
        return kind, fallback, ""
    if fallback in _ESP_REASONS:
        return kind, fallback, t.HARD
    reason = classify("", details, code).reason
    if reason == t.UNDEFINED:
        reason = fallback
    return kind, reason, t.classification_for(reason, code, "postmark").bounce_type


def _mapped(
    record_type: str, payload: dict[str, Any], details: str
) -> tuple[OutcomeKind, str, t.BounceType] | None:
    if record_type in ("Bounce", "SpamComplaint"):
        bounce_type = text_of(payload.get("Type"))
        return _failure(bounce_type, details) if bounce_type in _BOUNCE_TYPES else None
    if record_type == "SubscriptionChange":
        if not payload.get("SuppressSending"):
            return None
        reason = text_of(payload.get("SuppressionReason"))
        return _SUPPRESSIONS.get(reason, ("unsubscribe", "", ""))
    return (_SIMPLE[record_type], "", "") if record_type in _SIMPLE else None


def _outcomes(tenant_id: str, payload: Any, received_at: datetime) -> list[Outcome]:
    if not isinstance(payload, dict):
        raise MalformedPayload("Postmark payload must be a JSON object")
    record_type = _record_type(payload)
    details = text_of(payload.get("Details")) or text_of(payload.get("Description"))
    mapped = _mapped(record_type, payload, details)
    if mapped is None:
        return []
    kind, reason, bounce_type = mapped
    address = text_of(payload.get("Email") or payload.get("Recipient"))
    if "@" not in address:
        raise MalformedPayload("Postmark payload: no Email/Recipient address")
    campaign_id, message_id = attribution(payload.get("Metadata"))
    natural = text_of(payload.get("ID")) or text_of(payload.get("MessageID"))
    occurred = payload.get(_TIME_FIELDS.get(record_type, ""))
    key = (record_type, natural, kind, address.lower(), text_of(occurred))
    return [
        Outcome(
            event_id=event_key("postmark", tenant_id, *key),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_iso(occurred, "Postmark payload", received_at),
            source="postmark",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=bounce_type,
            reason=reason or (t.FEEDBACK if kind == "complaint" else ""),
            diagnostic=details[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=text_of(payload.get("OriginalLink")),
            user_agent=text_of(payload.get("UserAgent")),
            esp_event_id=text_of(payload.get("ID")),
        )
    ]


def parse(tenant_id: str, body: bytes, received_at: datetime) -> Mapped:
    payload = load_json(body)
    if not isinstance(payload, dict):
        raise MalformedPayload("Postmark payload must be a JSON object")
    _record_type(payload)  # a body that is no Postmark record at all is refused whole
    return map_each([payload], lambda item, _: _outcomes(tenant_id, item, received_at))
