"""Campaigns through CampaignService on a real PostgreSQL and broker: create / get / find /
status changes published as CAMPAIGN_STATUS_CHANGE; deletion reaches analytics and bounce
through Kafka, and events that still arrive for the deleted campaign are dropped and counted."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from sqlalchemy import text

from emailtrack.common import metrics, topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.identity import recipient_id_for
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.v1 import campaign_pb2, campaign_pb2_grpc, events_pb2, recipient_pb2
from services.analytics.consumer import EventIngestHandler
from services.analytics.store import AnalyticsStore
from services.bounce.consumer import EraseHandler
from services.bounce.domain.outcomes import Outcome
from services.bounce.store import OutcomeStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.domain.addresses import normalise
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.outbox import OutboxRelay
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.rpc_messages import registrations
from services.recipient.store.messages import Mark
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel
from tests.integration.bounce_rows import stored_outcomes

pytestmark = pytest.mark.integration
pb = campaign_pb2


def wait_for(condition: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached before timeout"
        time.sleep(0.05)


@pytest.fixture
def world(kafka_bootstrap: str, fresh_database) -> Iterator[dict]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    engine = make_engine(fresh_database("recipient"), pool_size=5)
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    producer = make_producer(settings, "campaign-test")
    analytics_engine = make_engine(fresh_database("analytics"))
    analytics = AnalyticsStore(analytics_engine, retention_days=30)
    bounce_engine = make_engine(fresh_database("bounce"))
    outcomes = OutcomeStore(bounce_engine)
    unused = keyed_channel("127.0.0.1:1")
    servicer = CampaignServicer(
        parts.campaigns, parts.mailboxes, parts.usage, AnalyticsClient(unused, "none")
    )
    server = start_server(
        [
            ServiceRegistration(
                servicer, campaign_pb2_grpc.add_CampaignServiceServicer_to_server, "c"
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    suffix = uuid.uuid4().hex[:8]
    loops: list[ConsumerLoop[Any]] = [
        ConsumerLoop(settings, f"an-{suffix}", [topics.DELIVERY_EVENTS, topics.RECIPIENT_EVENTS],
                     EventIngestHandler(analytics), producer),
        ConsumerLoop(settings, f"bo-{suffix}", [topics.RECIPIENT_EVENTS], EraseHandler(outcomes),
                     producer),
    ]  # fmt: skip
    stop = threading.Event()
    threads = [threading.Thread(target=loop.run, args=(stop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    for loop in loops:
        assert loop.ready.wait(30)
    yield {
        "stub": campaign_pb2_grpc.CampaignServiceStub(channel),
        "parts": parts,
        "relay": OutboxRelay(engine, producer),
        "engine": engine,
        "analytics": analytics,
        "outcomes": outcomes,
        "producer": producer,
        "tenant": f"t-{suffix}",
    }
    stop.set()
    for thread in threads:
        thread.join(10)
    channel.close()
    server.stop(0)
    unused.close()
    producer.close()
    for e in (engine, analytics_engine, bounce_engine):
        e.dispose()


def outbox_events(engine) -> list[events_pb2.Event]:
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT batch FROM outbox ORDER BY id")).scalars().all()
    return [e for batch in raw for e in events_pb2.EventBatch.FromString(batch).events]


def test_create_find_and_status_changes(world) -> None:
    stub, tenant = world["stub"], world["tenant"]
    request = pb.CreateCampaignRequest(
        tenant_id=tenant, campaign_id="spring", name="Spring", template_id="tpl-1",
        tags=["promo", "promo", "q2"],
        steps=[pb.SequenceStep(step_id="s1"), pb.SequenceStep(step_id="s2", delay_hours=48)],
        variants=[pb.Variant(variant_id="A", weight=1), pb.Variant(variant_id="B", weight=1)],
    )  # fmt: skip
    created = stub.CreateCampaign(request).campaign
    assert (created.status, list(created.tags)) == (pb.CAMPAIGN_STATUS_DRAFT, ["promo", "q2"])
    assert stub.CreateCampaign(request).campaign.created_at == created.created_at
    for n in range(3):
        stub.CreateCampaign(pb.CreateCampaignRequest(tenant_id=tenant, campaign_id=f"x{n}",
                                                     name="X", tags=["other"]))  # fmt: skip
    for target in (pb.CAMPAIGN_STATUS_SCHEDULED, pb.CAMPAIGN_STATUS_SENDING,
                   pb.CAMPAIGN_STATUS_PAUSED, pb.CAMPAIGN_STATUS_SENDING):  # fmt: skip
        stub.UpdateCampaignStatus(
            pb.UpdateCampaignStatusRequest(tenant_id=tenant, campaign_id="spring", status=target)
        )
    with pytest.raises(grpc.RpcError) as info:
        stub.UpdateCampaignStatus(pb.UpdateCampaignStatusRequest(
            tenant_id=tenant, campaign_id="spring", status=pb.CAMPAIGN_STATUS_DRAFT))  # fmt: skip
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    sending = stub.FindCampaigns(
        pb.FindCampaignsRequest(tenant_id=tenant, status=pb.CAMPAIGN_STATUS_SENDING)
    )
    assert [c.campaign_id for c in sending.campaigns] == ["spring"]
    seen, token = [], ""
    while True:
        find = pb.FindCampaignsRequest(tenant_id=tenant, tag="other", page_size=2)
        find.page_token = token
        page = stub.FindCampaigns(find)
        seen += [c.campaign_id for c in page.campaigns]
        token = page.next_page_token
        if not token:
            break
    assert seen == ["x0", "x1", "x2"]
    changes = [
        (e.campaign_status.previous_status, e.campaign_status.status)
        for e in outbox_events(world["engine"])
        if e.campaign_id == "spring"
    ]
    assert changes == [("", "draft"), ("draft", "scheduled"), ("scheduled", "sending"),
                       ("sending", "paused"), ("paused", "sending")]  # fmt: skip
    bad = registrations(tenant, recipient_pb2.RegisterMessagesRequest(
        tenant_id=tenant, messages=[recipient_pb2.MessageRegistration(
            message_id="m", campaign_id="spring", variant="C",
            recipients=[recipient_pb2.MessageRecipient(email="a@example.com")])]))  # fmt: skip
    with pytest.raises(ValueError, match="not a variant"):
        world["parts"].messages.register(tenant, bad)


def late_event(tenant: str, n: int) -> events_pb2.Event:
    event = events_pb2.Event(event_id=f"late-{tenant}-{n}", type=events_pb2.EVENT_TYPE_EMAIL_OPEN,
                             tenant_id=tenant, campaign_id="doomed", message_id="m1",
                             recipient_id="r1")  # fmt: skip
    event.occurred_at.FromDatetime(datetime.now(UTC))
    return event


def test_deleted_campaign_is_removed_everywhere_and_late_events_are_dropped(world) -> None:
    stub, tenant, parts = world["stub"], world["tenant"], world["parts"]
    analytics, outcomes = world["analytics"], world["outcomes"]
    stub.CreateCampaign(pb.CreateCampaignRequest(tenant_id=tenant, campaign_id="doomed", name="D"))
    emails = ["a@example.com", "b@example.com"]
    request = recipient_pb2.RegisterMessagesRequest(tenant_id=tenant, messages=[
        recipient_pb2.MessageRegistration(message_id="m1", campaign_id="doomed", recipients=[
            recipient_pb2.MessageRecipient(email=e) for e in emails])])  # fmt: skip
    parts.messages.register(tenant, registrations(tenant, request))
    parts.messages.mark(tenant, Mark("m1", [normalise(tenant, e) for e in emails],
                                     DeliveryStatus.SENT))  # fmt: skip
    outcomes.record([Outcome("o1", "bounce", tenant, "a@example.com", datetime.now(UTC), "dsn",
                             campaign_id="doomed")], lambda new: None)  # fmt: skip
    world["relay"].publish_pending()

    def sent() -> int:
        return sum(n for metric, _, n in analytics.counters(tenant, ["doomed"])["doomed"]
                   if metric == events_pb2.EVENT_TYPE_EMAIL_SENT)  # fmt: skip

    wait_for(lambda: sent() == 2)
    before = metrics.DELETED_CAMPAIGN_EVENTS_DROPPED._value.get()
    deleted = stub.DeleteCampaign(pb.DeleteCampaignRequest(tenant_id=tenant, campaign_id="doomed"))
    assert deleted.messages_deleted == 1
    world["relay"].publish_pending()
    wait_for(lambda: _fetch(analytics, tenant) is not None)
    assert sent() == 0
    wait_for(
        lambda: (
            not stored_outcomes(outcomes.engine, tenant, recipient_id_for(tenant, "a@example.com"))
        )
    )
    publish_events(world["producer"], topics.DELIVERY_EVENTS,
                   [late_event(tenant, n) for n in range(3)], b"m1")  # fmt: skip
    wait_for(lambda: _fetch(analytics, tenant) == 3)
    assert metrics.DELETED_CAMPAIGN_EVENTS_DROPPED._value.get() - before >= 3
    with analytics.connection() as conn:
        left = conn.execute(
            "SELECT count(*) FROM events WHERE tenant_id = %s AND campaign_id = 'doomed'",
            (tenant,),
        ).fetchone()
    assert left == (0,)
    with pytest.raises(grpc.RpcError) as info:
        stub.GetCampaign(pb.GetCampaignRequest(tenant_id=tenant, campaign_id="doomed"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        stub.CreateCampaign(pb.CreateCampaignRequest(tenant_id=tenant, campaign_id="doomed",
                                                     name="again"))  # fmt: skip
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(Exception, match="was deleted"):
        parts.messages.register(tenant, registrations(tenant, request))


def _fetch(analytics: AnalyticsStore, tenant: str) -> int | None:
    with analytics.connection() as conn:
        row = conn.execute(
            "SELECT dropped_events FROM deleted_campaigns WHERE tenant_id = %s", (tenant,)
        ).fetchone()
    return row[0] if row else None
