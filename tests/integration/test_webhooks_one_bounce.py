"""One bounce, one webhook: the same bounce reported by the bounce service (a DSN) and by the
sender (recipient MarkFailed), each under its own internal event id, reaches the receiver
once, as it does for a delivery or a complaint; deferrals, which may happen several times,
are not merged. The two events are built by the two services' own code, published to the
real broker and consumed and delivered by the real webhooks consumer and worker."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from emailtrack.common import topics
from emailtrack.common.identity import recipient_id_for
from emailtrack.common.kafka_io import publish_events
from emailtrack.v1 import events_pb2, webhooks_pb2
from services.bounce.codec import event_of
from services.bounce.domain.outcomes import Outcome, outcome_id
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.domain.events import MessageFacts, delivery_event
from services.webhooks.domain.events import public_event_id
from tests.integration.test_webhooks_delivery import create, service, start_worker
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.integration
__all__ = ["service"]  # the fixture, shared with the delivery tests


def reported_by_the_bounce_service(tenant: str, message_id: str, email: str) -> events_pb2.Event:
    outcome = Outcome(
        event_id=outcome_id("mail", tenant, "<dsn-anchor@mx>", email, "bounce"),
        kind="bounce", tenant_id=tenant, address=email, occurred_at=datetime.now(UTC),
        source="dsn", campaign_id="spring", message_id=message_id, bounce_type="hard",
        reason="user_unknown", smtp_code="550", enhanced_status="5.1.1",
    )  # fmt: skip
    return event_of(outcome, events_pb2.TraceContext())


def reported_by_the_sender(
    tenant: str, message_id: str, email: str, status: DeliveryStatus
) -> events_pb2.Event:
    facts = MessageFacts(tenant, message_id, "spring", "", "")
    rid = recipient_id_for(tenant, email)
    hard = events_pb2.BOUNCE_TYPE_HARD
    return delivery_event(facts, rid, email, status, datetime.now(UTC), "user_unknown", hard)


def test_a_bounce_reported_by_two_services_is_one_webhook(service: dict[str, Any]) -> None:
    tenant = "t-" + uuid.uuid4().hex[:8]
    with running_receiver([]) as (receiver, url):
        receiver.secrets.append(create(service["stub"], tenant, url).secret)
        dsn = reported_by_the_bounce_service(tenant, "msg-1", "ada@example.com")
        marked = reported_by_the_sender(tenant, "msg-1", "ada@example.com", DeliveryStatus.FAILED)
        other = reported_by_the_sender(tenant, "msg-1", "bob@example.com", DeliveryStatus.FAILED)
        deferrals = [
            reported_by_the_sender(tenant, "msg-1", "cy@example.com", DeliveryStatus.DEFERRED),
            reported_by_the_sender(tenant, "msg-2", "cy@example.com", DeliveryStatus.DEFERRED),
        ]
        assert dsn.event_id != marked.event_id and dsn.recipient_id == marked.recipient_id
        publish_events(service["producer"], topics.DELIVERY_EVENTS, [dsn], None)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, [marked, other], None)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, deferrals, None)
        start_worker(service)
        assert receiver.wait_for(4, 60)
        threading.Event().wait(1.5)  # a second delivery of the same bounce would show by now
        bounced = [e for e in receiver.events.values() if e["type"] == "email.bounced"]
        assert len(receiver.events) == 4 and len(bounced) == 2
        assert max(receiver.seen.values()) == 1 and receiver.bad_signatures == 0
        ada = receiver.events[public_event_id(dsn)]
        assert public_event_id(marked) == public_event_id(dsn)
        # the first report consumed wins (the two records may be read in either order), and
        # the payload's event_id is the webhook-id
        assert ada["data"]["event_id"] == public_event_id(dsn)
        assert (ada["data"]["source"], ada["data"]["smtp_code"]) in {("dsn", "550"), ("api", "")}
        log = service["stub"].ListDeliveries(
            webhooks_pb2.ListDeliveriesRequest(tenant_id=tenant), timeout=10
        )
        assert len(log.deliveries) == 4
