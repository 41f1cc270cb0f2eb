"""Outbound webhook endpoints and deliveries as the CLI's ``--json`` output, the JSON API and
the dashboard show them (never a signing secret: only the replies that create or rotate one
carry it), and the delivery status names they accept. Pure; imports only the protos."""

from __future__ import annotations

from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.v1 import webhooks_pb2

DELIVERY_STATUSES = {
    "pending": webhooks_pb2.WEBHOOK_DELIVERY_STATUS_PENDING,
    "delivered": webhooks_pb2.WEBHOOK_DELIVERY_STATUS_DELIVERED,
    "failed": webhooks_pb2.WEBHOOK_DELIVERY_STATUS_FAILED,
}
STATUS_NAMES = {code: name for name, code in DELIVERY_STATUSES.items()}


def _moment(message: Any, field: str) -> str | None:
    stamp: Timestamp = getattr(message, field)
    return stamp.ToJsonString() if message.HasField(field) else None


def endpoint_view(endpoint: webhooks_pb2.WebhookEndpoint) -> dict[str, Any]:
    """``events`` is the filter as stored: an empty list means every event."""
    return {
        "endpoint_id": endpoint.endpoint_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "batch": endpoint.batch,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": _moment(endpoint, "disabled_at"),
        "failing_since": _moment(endpoint, "failing_since"),
        "created_at": _moment(endpoint, "created_at"),
    }


def attempt_view(attempt: webhooks_pb2.WebhookDeliveryAttempt) -> dict[str, Any]:
    return {
        "attempted_at": _moment(attempt, "attempted_at"),
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "response_snippet": attempt.response_snippet,
        "error": attempt.error,
    }


def delivery_view(delivery: webhooks_pb2.WebhookDelivery) -> dict[str, Any]:
    return {
        "delivery_id": delivery.delivery_id,
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": STATUS_NAMES.get(delivery.status, "unknown"),
        "attempt_count": delivery.attempt_count,
        "occurred_at": _moment(delivery, "occurred_at"),
        "next_attempt_at": _moment(delivery, "next_attempt_at"),
        "attempts": [attempt_view(a) for a in delivery.attempts],
    }
