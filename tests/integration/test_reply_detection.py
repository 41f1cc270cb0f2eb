"""Reply detection on the inbound-mail stream (BounceService.IngestInboundMessages) with the
real recipient service resolving Message-IDs over gRPC and the real analytics consumer: human
replies become EMAIL_REPLY events (reply rate, first reply time, step/variant/mailbox), while
auto-replies and unrelated mail are told apart; feeding twice publishes nothing new."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import grpc
import pytest

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    bounce_pb2,
    bounce_pb2_grpc,
    recipient_pb2,
    recipient_pb2_grpc,
)
from services.analytics.consumer import EventIngestHandler
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.bounce.recorder import OutcomeRecorder
from services.bounce.replies import ReplyResolver
from services.bounce.server import BounceServicer
from services.bounce.store import OutcomeStore
from services.bounce.webhooks.handler import WebhookHandler, WebhookSecrets
from services.bounce.webhooks.sns import SnsVerifier
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.outbox import OutboxRelay
from services.recipient.server import RecipientServicer
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
rpb = recipient_pb2


def serve(servicer: object, add: Any) -> tuple:
    server = start_server([ServiceRegistration(servicer, add, "x")], 0, "127.0.0.1", auth=TEST_AUTH)
    return server, f"127.0.0.1:{server.port}"


@pytest.fixture
def world(kafka_bootstrap: str, fresh_database) -> Iterator[dict]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    producer = make_producer(settings, "reply-test")
    engines = [make_engine(fresh_database(name)) for name in ("recipient", "bounce", "analytics")]
    parts = stores(Database(engines[0]), RecipientSettings.from_env({}))
    analytics = AnalyticsStore(engines[2], retention_days=30)
    an_server, an_address = serve(
        AnalyticsServicer(analytics), analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server
    )
    an_channel = keyed_channel(an_address)
    client = AnalyticsClient(an_channel, an_address)
    recipient = RecipientServicer(
        parts.recipients, parts.messages, parts.suppression, parts.privacy, client
    )
    rc_server, rc_address = serve(
        recipient, recipient_pb2_grpc.add_RecipientServiceServicer_to_server
    )
    rc_channel = keyed_channel(rc_address, deadline_s=2)
    webhooks = WebhookHandler(WebhookSecrets(), SnsVerifier(lambda url: b""), lambda url: None)
    bounce = BounceServicer(OutcomeRecorder(OutcomeStore(engines[1]), producer).record, webhooks,
                            ReplyResolver(rc_channel, rc_address))  # fmt: skip
    bo_server, bo_address = serve(bounce, bounce_pb2_grpc.add_BounceServiceServicer_to_server)
    loop = ConsumerLoop(settings, f"an-{uuid.uuid4().hex[:8]}", [topics.DELIVERY_EVENTS],
                        EventIngestHandler(analytics), producer)  # fmt: skip
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    assert loop.ready.wait(30)
    channels = [keyed_channel(a) for a in (rc_address, bo_address, an_address)]
    yield {
        "recipient": recipient_pb2_grpc.RecipientServiceStub(channels[0]),
        "bounce": bounce_pb2_grpc.BounceServiceStub(channels[1]),
        "analytics": analytics_pb2_grpc.AnalyticsServiceStub(channels[2]),
        "relay": OutboxRelay(engines[0], producer),
        "recipient_server": rc_server,
        "tenant": f"t-{uuid.uuid4().hex[:8]}",
    }
    stop.set()
    thread.join(10)
    for closable in (*channels, an_channel, rc_channel):
        closable.close()
    for server in (bo_server, rc_server, an_server):
        server.stop(0)
    producer.close()
    for engine in engines:
        engine.dispose()


def mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "sales@ours.example"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def feed(stub, tenant: str, raws: list[bytes]) -> bounce_pb2.IngestInboundMessagesResponse:
    return stub.IngestInboundMessages(
        iter(
            [bounce_pb2.IngestInboundMessagesRequest(raw_message=r, tenant_id=tenant) for r in raws]
        )
    )


def test_replies_are_detected_counted_and_told_apart(world) -> None:
    tenant = world["tenant"]
    messages = [
        rpb.MessageRegistration(message_id=f"m{n}", campaign_id="c", sequence_step="s1",
                                variant=variant, mailbox="sales@ours.example",
                                smtp_message_id=f"m{n}.{tenant}@send.example",
                                recipients=[rpb.MessageRecipient(email=email)])
        for n, (variant, email) in enumerate([("A", "ada@example.com"), ("B", "bob@example.com"),
                                              ("B", "cy@example.com")])
    ]  # fmt: skip
    world["recipient"].RegisterMessages(rpb.RegisterMessagesRequest(tenant_id=tenant,
                                                                    messages=messages))  # fmt: skip
    for m in messages:
        world["recipient"].MarkSent(rpb.MarkSentRequest(
            tenant_id=tenant, message_id=m.message_id, emails=[m.recipients[0].email]))  # fmt: skip
    world["relay"].publish_pending()
    time.sleep(0.05)
    raws = [
        mail(
            "Ada <ada@example.com>",
            "Re: offer",
            "Sounds good!",
            In_Reply_To=f"<m0.{tenant}@send.example>",
            Message_ID=f"<r1.{tenant}@example.com>",
        ),
        mail(
            "bob@example.com",
            "Re: offer",
            "Tell me more",
            References=f"<older@x.example> <m1.{tenant}@send.example>",
            Message_ID=f"<r2.{tenant}@example.com>",
        ),
        mail(
            "cy@example.com",
            "Fwd: offer",
            "> X-Emailtrack-Message: m2\n> hello",
            Message_ID=f"<r3.{tenant}@example.com>",
        ),
        mail(
            "ada@example.com",
            "Out of office",
            "Back Monday",
            In_Reply_To=f"<m0.{tenant}@send.example>",
            Auto_Submitted="auto-replied",
        ),
        mail("eve@example.com", "Re: something else", "hi", In_Reply_To="<nope@elsewhere>"),
    ]
    counts = feed(world["bounce"], tenant, raws)
    assert (counts.replies, counts.auto_replies, counts.unrecognised) == (3, 1, 1)
    assert counts.events_published == 3
    again = feed(world["bounce"], tenant, raws[:3])
    assert (again.replies, again.duplicates, again.events_published) == (3, 3, 0)

    request = analytics_pb2.GetCampaignStatsRequest(tenant_id=tenant, campaign_id="c")
    deadline = time.monotonic() + 20
    while world["analytics"].GetCampaignStats(request).stats.replies < 3:
        assert time.monotonic() < deadline, "replies not counted in time"
        time.sleep(0.05)
    stats = world["analytics"].GetCampaignStats(request).stats
    assert (stats.sent, stats.replies, stats.unique_replies) == (3, 3, 3)
    assert stats.reply_rate == pytest.approx(1.0)
    assert stats.HasField("first_reply_at") and stats.median_seconds_to_first_reply >= 0
    by_variant = world["analytics"].GetSegmentStats(
        analytics_pb2.GetSegmentStatsRequest(
            tenant_id=tenant, campaign_id="c", dimension=analytics_pb2.SEGMENT_DIMENSION_VARIANT
        )
    )
    assert {s.variant: s.stats.replies for s in by_variant.segments} == {"A": 1, "B": 2}
    mailboxes = (
        world["analytics"]
        .ListMailboxStats(analytics_pb2.ListMailboxStatsRequest(tenant_id=tenant))
        .mailboxes
    )
    assert [(m.mailbox, m.sent, m.replies) for m in mailboxes] == [("sales@ours.example", 3, 3)]


def test_recipient_service_down_is_unavailable(world) -> None:
    world["recipient_server"].stop(0)
    raw = mail("ada@example.com", "Re: x", "yes", In_Reply_To="<m0@send.example>")
    with pytest.raises(grpc.RpcError) as info:
        feed(world["bounce"], world["tenant"], [raw])
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
