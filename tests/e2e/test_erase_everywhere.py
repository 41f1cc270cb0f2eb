"""GDPR erasure reaches every service: after EraseRecipient the person's hits (tracking
edge), bounce outcomes (bounce), events and engagement (analytics) and recipient row are gone.
Real processes; the services' own databases are inspected directly to prove it."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Callable

import grpc
import pytest
from sqlalchemy import create_engine, text

from emailtrack.common.grpc_server import client_channel
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    bounce_pb2,
    bounce_pb2_grpc,
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

pytestmark = pytest.mark.e2e

TENANT = "gdpr"


def dsn(address: str, campaign: str, message: str) -> bytes:
    """A minimal RFC 3464 delivery status notification built for this test."""
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {address}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown

--B
Content-Type: text/rfc822-headers

From: news@sender.example
To: {address}
Message-ID: <{message}@sender.example>
X-Emailtrack-Tenant: {TENANT}
X-Emailtrack-Campaign: {campaign}
X-Emailtrack-Message: {message}
--B--
""".encode()


def wait_until(predicate: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.2)


def rows(platform: Platform, database: str, table: str, recipient_id: str) -> int:
    engine = create_engine(platform.database_url(database))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        f"SELECT count(*) FROM {table} WHERE tenant_id = :t AND recipient_id = :r"
                    ),
                    {"t": TENANT, "r": recipient_id},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_erase_removes_the_person_from_every_service(platform: Platform) -> None:
    email = f"erase-{uuid.uuid4().hex[:6]}@example.org"
    campaign, message = f"c-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    channels = {
        name: client_channel(f"127.0.0.1:{platform.ports[name]}", api_key=platform.admin_key)
        for name in ("recipient", "analytics", "tracking-edge", "bounce")
    }
    recipients = recipient_pb2_grpc.RecipientServiceStub(channels["recipient"])
    analytics = analytics_pb2_grpc.AnalyticsServiceStub(channels["analytics"])
    edge = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channels["tracking-edge"])
    bounce = bounce_pb2_grpc.BounceServiceStub(channels["bounce"])

    upserted = recipients.UpsertRecipients(
        recipient_pb2.UpsertRecipientsRequest(
            tenant_id=TENANT, recipients=[recipient_pb2.RecipientInput(email=email)]
        )
    )
    rid = upserted.recipients[0].recipient_id
    instrumented = edge.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(
            message=tracking_edge_pb2.MessageToInstrument(
                tenant_id=TENANT,
                campaign_id=campaign,
                message_id=message,
                recipient_id=rid,
                html="<html><body>hello</body></html>",
            )
        )
    ).message
    urllib.request.urlopen(instrumented.pixel_url, timeout=5).read()
    ingested = bounce.IngestInboundMessages(
        iter([bounce_pb2.IngestInboundMessagesRequest(
            raw_message=dsn(email, campaign, message), tenant_id=TENANT
        )])
    )  # fmt: skip
    assert ingested.bounces == 1

    def engagement() -> analytics_pb2.RecipientEngagement:
        return analytics.GetRecipientEngagement(
            analytics_pb2.GetRecipientEngagementRequest(tenant_id=TENANT, recipient_id=rid)
        ).engagement

    def exported() -> int:
        return len(
            analytics.ExportRecipientEvents(
                analytics_pb2.ExportRecipientEventsRequest(tenant_id=TENANT, recipient_id=rid)
            ).events
        )

    wait_until(lambda: engagement().opens == 1 and exported() >= 2)
    assert rows(platform, "emailtrack_tracking_edge", "hits", rid) == 1
    assert rows(platform, "emailtrack_bounce", "outcomes", rid) == 1

    erased = recipients.EraseRecipient(
        recipient_pb2.EraseRecipientRequest(tenant_id=TENANT, email=email)
    )
    assert erased.erased
    wait_until(
        lambda: (
            engagement().opens == 0
            and exported() == 0
            and rows(platform, "emailtrack_tracking_edge", "hits", rid) == 0
            and rows(platform, "emailtrack_bounce", "outcomes", rid) == 0
        )
    )
    with pytest.raises(grpc.RpcError) as missing:
        recipients.GetRecipient(recipient_pb2.GetRecipientRequest(tenant_id=TENANT, email=email))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
