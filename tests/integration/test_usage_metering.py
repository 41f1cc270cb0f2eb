"""Usage metering through CampaignService.GetUsage with the real analytics servicer: emails
registered and sent, distinct recipients, campaigns and active mailboxes counted once under
retries, tracked events exact under replayed ingestion, and per billing period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.v1 import analytics_pb2_grpc, campaign_pb2, events_pb2, recipient_pb2
from services.analytics.codec import EventRow
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.domain.addresses import normalise
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.rpc_messages import registrations
from services.recipient.store.messages import Mark
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
pb = campaign_pb2


@pytest.fixture
def world(fresh_database) -> Iterator[tuple]:
    engine = make_engine(fresh_database("recipient"))
    an_engine = make_engine(fresh_database("analytics"))
    analytics = AnalyticsStore(an_engine, retention_days=400)
    server = start_server(
        [ServiceRegistration(AnalyticsServicer(analytics),
                             analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server, "a")],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )  # fmt: skip
    address = f"127.0.0.1:{server.port}"
    channel = keyed_channel(address)
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    servicer = CampaignServicer(
        parts.campaigns, parts.mailboxes, parts.usage, AnalyticsClient(channel, address)
    )
    yield servicer, parts, analytics
    channel.close()
    server.stop(0)
    engine.dispose()
    an_engine.dispose()


def test_usage_is_exact_under_retries_and_replays(world) -> None:
    servicer, parts, analytics = world
    for campaign in ("c1", "c2", "c1"):
        servicer.CreateCampaign(
            pb.CreateCampaignRequest(tenant_id="acme", campaign_id=campaign, name=campaign), None
        )
    messages = [
        recipient_pb2.MessageRegistration(
            message_id=f"m{n}", campaign_id="c1", mailbox=f"box{n % 2}@ours.example",
            recipients=[recipient_pb2.MessageRecipient(email=e)
                        for e in ("a@example.com", f"r{n}@example.com")])
        for n in range(4)
    ]  # fmt: skip
    request = recipient_pb2.RegisterMessagesRequest(tenant_id="acme", messages=messages)
    for _ in range(2):  # a retried registration counts nothing twice
        parts.messages.register("acme", registrations("acme", request))
    for _ in range(2):
        parts.messages.mark("acme", Mark("m0", [normalise("acme", "a@example.com")],
                                         DeliveryStatus.SENT))  # fmt: skip
    now = datetime.now(UTC)
    last_month = now.replace(day=1) - timedelta(days=2)
    rows = [
        EventRow(f"e{n}", events_pb2.EVENT_TYPE_EMAIL_OPEN, now, "acme", "c1", "m0", "r")
        for n in range(5)
    ] + [EventRow("old", events_pb2.EVENT_TYPE_EMAIL_SENT, last_month, "acme", "c1", "m0", "r")]
    analytics.ingest(rows)
    analytics.ingest(rows)  # replayed
    usage = servicer.GetUsage(pb.GetUsageRequest(tenant_id="acme"), None).usage
    assert usage.period == f"{now:%Y-%m}"
    figures = (usage.messages_registered, usage.emails_registered, usage.emails_sent,
               usage.recipients, usage.campaigns_created, usage.active_mailboxes,
               usage.tracked_events)  # fmt: skip
    assert figures == (4, 8, 1, 5, 2, 1, 5)
    previous = servicer.GetUsage(
        pb.GetUsageRequest(tenant_id="acme", period=f"{last_month:%Y-%m}"), None
    ).usage
    assert (previous.messages_registered, previous.tracked_events) == (0, 1)
    other = servicer.GetUsage(pb.GetUsageRequest(tenant_id="globex"), None).usage
    assert other.emails_registered == 0 and other.tracked_events == 0
