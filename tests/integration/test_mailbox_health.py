"""Sending mailboxes: registration, per-mailbox figures and health score from the real
analytics servicer, ACCOUNT_HEALTH_UPDATE published (outbox) only when a band is crossed,
and warmup interactions counted per day, apart from campaign statistics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import grpc
import pytest
from sqlalchemy import text

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, campaign_pb2, events_pb2
from services.analytics.codec import EventRow, decode_event
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.background import MailboxHealthJob
from services.recipient.config import RecipientSettings
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
pb = campaign_pb2
MAILBOX = "sales@ours.example"
SENT, BOUNCE = events_pb2.EVENT_TYPE_EMAIL_SENT, events_pb2.EVENT_TYPE_EMAIL_BOUNCE


@pytest.fixture
def world(fresh_database) -> Iterator[dict]:
    engine = make_engine(fresh_database("recipient"))
    an_engine = make_engine(fresh_database("analytics"))
    analytics = AnalyticsStore(an_engine, retention_days=30)
    server = start_server(
        [ServiceRegistration(AnalyticsServicer(analytics),
                             analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server, "a")],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )  # fmt: skip
    address = f"127.0.0.1:{server.port}"
    channel = keyed_channel(address)
    client = AnalyticsClient(channel, address)
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    yield {
        "servicer": CampaignServicer(parts.campaigns, parts.mailboxes, parts.usage, client),
        "job": MailboxHealthJob(parts.mailboxes, client, 0),
        "analytics": analytics,
        "stub": analytics_pb2_grpc.AnalyticsServiceStub(channel),
        "engine": engine,
    }
    channel.close()
    server.stop(0)
    engine.dispose()
    an_engine.dispose()


def outbox(engine, wanted: int) -> list[events_pb2.Event]:
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT batch FROM outbox ORDER BY id")).scalars().all()
    events = [e for b in raw for e in events_pb2.EventBatch.FromString(b).events]
    return [e for e in events if e.type == wanted]


def sends(first: int, count: int, bounced: int) -> list[EventRow]:
    now = datetime.now(UTC)
    rows = []
    for n in range(first, first + count):
        rows.append(EventRow(f"s{n}", SENT, now, "acme", "c", f"m{n}", f"r{n}", mailbox=MAILBOX))
        if n - first < bounced:
            rows.append(EventRow(f"b{n}", BOUNCE, now, "acme", "c", f"m{n}", f"r{n}",
                                 bounce_type=events_pb2.BOUNCE_TYPE_HARD))  # fmt: skip
    return rows


def test_health_bands_publish_only_when_crossed(world) -> None:
    servicer, job = world["servicer"], world["job"]
    registered = servicer.RegisterMailbox(
        pb.RegisterMailboxRequest(tenant_id="acme", address="Sales@OURS.example", daily_limit=500),
        None,
    ).mailbox
    assert (registered.address, registered.domain, registered.health_score) == (
        MAILBOX, "ours.example", -1)  # fmt: skip
    world["analytics"].ingest(sends(0, 100, 1))
    assert job.run_once() == 1  # 100 - 5 (1% bounced) - 10 (no opens): 85, good
    assert job.run_once() == 0
    world["analytics"].ingest(sends(100, 100, 19))  # 100 - 50 (10% bounced) - 10: 40, critical
    assert job.run_once() == 1
    stats = (
        world["stub"]
        .ListMailboxStats(analytics_pb2.ListMailboxStatsRequest(tenant_id="acme"))
        .mailboxes
    )
    assert [(m.sent, m.bounced, m.health_score, m.health_band) for m in stats] == [
        (200, 20, 40, "critical")]  # fmt: skip
    updates = outbox(world["engine"], events_pb2.EVENT_TYPE_ACCOUNT_HEALTH_UPDATE)
    assert [(u.account_health.previous_band, u.account_health.band) for u in updates] == [
        ("", "good"), ("good", "critical")]  # fmt: skip
    assert updates[1].account_health.previous_score == 85
    assert len({u.event_id for u in updates}) == 2
    listed = servicer.ListMailboxes(pb.ListMailboxesRequest(tenant_id="acme"), None).mailboxes
    assert [(m.health_score, m.health_band) for m in listed] == [(40, "critical")]


def test_warmup_is_kept_apart_from_campaigns(world) -> None:
    servicer = world["servicer"]
    servicer.RegisterMailbox(
        pb.RegisterMailboxRequest(tenant_id="acme", address=MAILBOX, warmup_enabled=True), None
    )
    kinds = [pb.WARMUP_KIND_SENT] * 3 + [pb.WARMUP_KIND_OPEN] * 2 + [pb.WARMUP_KIND_REPLY]
    request = pb.RecordWarmupInteractionsRequest(
        tenant_id="acme",
        interactions=[
            pb.WarmupInteraction(interaction_id=f"w{n}", mailbox=MAILBOX, kind=kind,
                                 partner_address=f"p{n}@partner.example")
            for n, kind in enumerate(kinds)
        ],
    )  # fmt: skip
    assert servicer.RecordWarmupInteractions(request, None).recorded == 6
    assert servicer.RecordWarmupInteractions(request, None).recorded == 0
    events = [e for t in (SENT, events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_REPLY)
              for e in outbox(world["engine"], t)]  # fmt: skip
    assert all(e.warmup and e.mailbox == MAILBOX for e in events)
    assert events[0].recipient_id == recipient_id_for("acme", "p0@partner.example")
    warmups = [decode_event(e) for e in events]
    world["analytics"].ingest([], warmups=warmups * 2)
    days = (
        world["stub"]
        .GetWarmupStats(analytics_pb2.GetWarmupStatsRequest(tenant_id="acme", mailbox=MAILBOX))
        .days
    )
    assert [(d.sent, d.opens, d.replies) for d in days] == [(3, 2, 1)]
    mailboxes = (
        world["stub"]
        .ListMailboxStats(
            analytics_pb2.ListMailboxStatsRequest(tenant_id="acme", mailboxes=[MAILBOX])
        )
        .mailboxes
    )
    assert (mailboxes[0].sent, mailboxes[0].opens) == (0, 0)
    stranger = pb.WarmupInteraction(interaction_id="x", mailbox="other@ours.example")
    stranger.kind = pb.WARMUP_KIND_OPEN
    stranger.partner_address = "p@partner.example"
    unknown = pb.RecordWarmupInteractionsRequest(tenant_id="acme", interactions=[stranger])
    context = AbortContext()
    with pytest.raises(AbortCalled):
        servicer.RecordWarmupInteractions(unknown, context)
    assert context.code() == grpc.StatusCode.NOT_FOUND


class AbortCalled(Exception):
    pass


class AbortContext:
    """The two ServicerContext methods ``@rpc`` uses: ``code()`` (None until aborted) and
    ``abort``."""

    aborted_with: grpc.StatusCode | None = None

    def code(self) -> grpc.StatusCode | None:
        return self.aborted_with

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.aborted_with = code
        raise AbortCalled(details)
