"""Protobuf <-> rows of the webhooks service."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.v1 import webhooks_pb2
from services.webhooks.store.deliveries import DELIVERED, FAILED, PENDING, DeliveryRow
from services.webhooks.store.endpoints import Endpoint

STATUS_TO_PROTO = {
    PENDING: webhooks_pb2.WEBHOOK_DELIVERY_STATUS_PENDING,
    DELIVERED: webhooks_pb2.WEBHOOK_DELIVERY_STATUS_DELIVERED,
    FAILED: webhooks_pb2.WEBHOOK_DELIVERY_STATUS_FAILED,
}
STATUS_FROM_PROTO = {code: name for name, code in STATUS_TO_PROTO.items()}


def _set(stamp: Timestamp, when: datetime | None) -> None:
    if when is not None:
        stamp.FromDatetime(when)


def endpoint_to_proto(endpoint: Endpoint) -> webhooks_pb2.WebhookEndpoint:
    message = webhooks_pb2.WebhookEndpoint(
        endpoint_id=endpoint.endpoint_id,
        tenant_id=endpoint.tenant_id,
        url=endpoint.url,
        events=endpoint.events,
        batch=endpoint.batch,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        description=endpoint.description,
    )
    _set(message.failing_since, endpoint.failing_since)
    _set(message.created_at, endpoint.created_at)
    _set(message.disabled_at, endpoint.disabled_at)
    return message


def delivery_to_proto(row: DeliveryRow) -> webhooks_pb2.WebhookDelivery:
    message = webhooks_pb2.WebhookDelivery(
        delivery_id=str(row.delivery_id),
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=STATUS_TO_PROTO[row.status],
        attempt_count=row.attempt_count,
    )
    _set(message.occurred_at, row.occurred_at)
    if row.status == PENDING:
        _set(message.next_attempt_at, row.next_attempt_at)
    for attempt in row.attempts:
        item = message.attempts.add(
            status_code=attempt.status_code,
            latency_ms=attempt.latency_ms,
            response_snippet=attempt.snippet,
            error=attempt.error,
        )
        _set(item.attempted_at, attempt.attempted_at)
    return message
