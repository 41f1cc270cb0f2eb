"""The public JSON payload of an outbound webhook (documented by docs/webhooks.schema.json):
``{"type", "timestamp", "data"}`` as Standard Webhooks recommends, built from an internal
event. Only public, stable fields are copied; enum values become lower-case words."""

from __future__ import annotations

from typing import Any

from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import PUBLIC_TYPES, is_machine, public_event_id

SCHEMA_VERSION = "1"

_BOUNCE_TYPES = {events_pb2.BOUNCE_TYPE_HARD: "hard", events_pb2.BOUNCE_TYPE_SOFT: "soft"}
_SOURCES = {
    events_pb2.HIT_SOURCE_HUMAN: "human",
    events_pb2.HIT_SOURCE_PRIVACY_PROXY: "privacy_proxy",
    events_pb2.HIT_SOURCE_SECURITY_SCANNER: "security_scanner",
    events_pb2.HIT_SOURCE_BOT: "bot",
}


def _timestamp(event: events_pb2.Event) -> str:
    return event.occurred_at.ToDatetime().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _delivery(event: events_pb2.Event) -> dict[str, Any]:
    payload = event.delivery
    found: dict[str, Any] = {
        "address": payload.address,
        "smtp_code": payload.smtp_code,
        "enhanced_status": payload.enhanced_status,
        "diagnostic": payload.diagnostic,
        "source": payload.source,
    }
    if event.type == events_pb2.EVENT_TYPE_EMAIL_BOUNCE:
        found["bounce_type"] = _BOUNCE_TYPES.get(payload.bounce_type, "unknown")
        found["reason"] = payload.reason
    if event.type == events_pb2.EVENT_TYPE_EMAIL_DEFERRED:
        found["reason"] = payload.reason
    if event.type == events_pb2.EVENT_TYPE_EMAIL_COMPLAINT:
        found["feedback_type"] = payload.feedback_type
    return found


def _engagement(event: events_pb2.Event) -> dict[str, Any]:
    payload = event.engagement
    found: dict[str, Any] = {
        "machine": is_machine(event),
        "source": _SOURCES.get(payload.classification.source, "unknown"),
        "label": payload.classification.agent,
        "machine_probability": round(payload.classification.machine_probability, 4),
        "first": payload.first,
        "email_client": payload.client.email_client,
        "device": payload.client.device,
        "country": payload.client.country,
    }
    if event.type == events_pb2.EVENT_TYPE_EMAIL_CLICK:
        found["url"] = payload.link_url
        found["link_index"] = payload.link_index
    return found


def _details(event: events_pb2.Event) -> dict[str, Any]:
    kind = event.WhichOneof("payload")
    if kind == "delivery":
        return _delivery(event)
    if kind == "engagement":
        return _engagement(event)
    if kind == "unsubscribe":
        unsubscribe = event.unsubscribe
        return {
            "address": unsubscribe.address,
            "list_id": unsubscribe.list_id,
            "one_click": unsubscribe.one_click,
        }
    if kind == "reply":
        return {"address": event.reply.address, "matched_by": event.reply.matched_by}
    if kind == "suppression":
        suppression = event.suppression
        return {
            "address": suppression.address,
            "status": suppression.status,
            "reason": suppression.reason,
        }
    return {}


def build_payload(event: events_pb2.Event) -> dict[str, Any]:
    """The JSON object delivered for ``event`` (which must be a published type)."""
    data: dict[str, Any] = {
        "event_id": public_event_id(event),
        "tenant_id": event.tenant_id,
        "campaign_id": event.campaign_id,
        "message_id": event.message_id,
        "recipient_id": event.recipient_id,
        "variant": event.variant,
        "sequence_step": event.sequence_step,
    }
    data.update(_details(event))
    return {
        "type": PUBLIC_TYPES[event.type][1],
        "timestamp": _timestamp(event),
        "version": SCHEMA_VERSION,
        "data": data,
    }
