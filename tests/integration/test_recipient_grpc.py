"""RecipientService through real stubs on an in-process server (port 0) and a real,
freshly migrated PostgreSQL database: upserts, lists, registrations, transitions,
suppression, privacy, engagement via the real analytics servicer (in-process, its own fresh
database), tenant isolation and retention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from sqlalchemy import Engine, text

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import (
    RunningServer,
    ServiceRegistration,
    start_server,
)
from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import (
    analytics_pb2_grpc,
    events_pb2,
    recipient_pb2,
    recipient_pb2_grpc,
)
from services.analytics.codec import EventRow
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.background import RetentionJob
from services.recipient.config import RecipientSettings
from services.recipient.server import RecipientServicer
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
pb = recipient_pb2
HUMAN = events_pb2.HIT_SOURCE_HUMAN
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Harness:
    stub: recipient_pb2_grpc.RecipientServiceStub
    engine: Engine
    url: str
    analytics: RunningServer
    servicer: RecipientServicer
    analytics_store: AnalyticsStore


def serve_analytics(store: AnalyticsStore) -> RunningServer:
    """The real analytics servicer, in-process on port 0 over its own fresh database."""
    return start_server(
        [
            ServiceRegistration(
                AnalyticsServicer(store),
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )


def engagement_row(n: int, tenant: str, email: str, kind: int, source: int) -> EventRow:
    return EventRow(
        f"e{n}",
        kind,
        datetime(2025, 5, 1, tzinfo=UTC) - timedelta(minutes=n),
        tenant,
        "camp",
        "m1",
        recipient_id_for(tenant, email),
        source=source,
    )


@pytest.fixture
def harness(fresh_database) -> Iterator[Harness]:
    url = fresh_database("recipient")
    engine = make_engine(url, pool_size=10)
    analytics_engine = make_engine(fresh_database("analytics"))
    analytics_store = AnalyticsStore(analytics_engine, retention_days=36500)
    analytics = serve_analytics(analytics_store)
    address = f"127.0.0.1:{analytics.port}"
    channel = keyed_channel(address, deadline_s=5)
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    servicer = RecipientServicer(
        parts.recipients,
        parts.messages,
        parts.suppression,
        parts.privacy,
        AnalyticsClient(channel, address),
    )
    server = start_server(
        [
            ServiceRegistration(
                servicer,
                recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
                "emailtrack.v1.RecipientService",
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    client = keyed_channel(f"127.0.0.1:{server.port}")
    yield Harness(
        recipient_pb2_grpc.RecipientServiceStub(client),
        engine,
        url,
        analytics,
        servicer,
        analytics_store,
    )
    client.close()
    server.stop(0)
    analytics.stop(0)
    channel.close()
    engine.dispose()
    analytics_engine.dispose()


def code_of(call, *args) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        call(*args)
    return info.value.code()


def scalar(engine: Engine, query: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar()


def test_concurrent_upserts_of_one_address_give_one_row(harness: Harness) -> None:
    spellings = ["Ada@Example.com", "Ada@EXAMPLE.COM", " Ada@example.com", "Ada@example.COM"]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def upsert(n: int) -> None:
        barrier.wait()
        try:
            for round_ in range(5):
                harness.stub.UpsertRecipients(
                    pb.UpsertRecipientsRequest(
                        tenant_id="t1",
                        recipients=[
                            pb.RecipientInput(
                                email=spellings[n % 4], metadata={f"k{n}": str(round_)}
                            )
                        ],
                    )
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upsert, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert scalar(harness.engine, "SELECT count(*) FROM recipients") == 1
    got = harness.stub.GetRecipient(pb.GetRecipientRequest(tenant_id="t1", email="ada@example.com"))
    assert got.recipient.email == "Ada@example.com"
    assert got.recipient.recipient_id == recipient_id_for("t1", "ada@example.com")
    assert set(got.recipient.metadata) == {f"k{n}" for n in range(8)}


def test_bad_input_is_invalid_argument(harness: Harness) -> None:
    upsert = harness.stub.UpsertRecipients
    bad = pb.UpsertRecipientsRequest(tenant_id="t1", recipients=[pb.RecipientInput(email="x@@y")])
    assert code_of(upsert, bad) == grpc.StatusCode.INVALID_ARGUMENT
    no_tenant = pb.UpsertRecipientsRequest(recipients=[pb.RecipientInput(email="a@example.com")])
    assert code_of(upsert, no_tenant) == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as info:
        upsert(bad)
    assert "recipients.email[0]" in (info.value.details() or "")
    missing = pb.GetRecipientRequest(tenant_id="t1", email="nobody@example.com")
    assert code_of(harness.stub.GetRecipient, missing) == grpc.StatusCode.NOT_FOUND


def test_lists_memberships_paging_and_filters(harness: Harness) -> None:
    stub = harness.stub
    stub.CreateList(pb.CreateListRequest(tenant_id="t1", list_id="news", name="News"))
    again = stub.CreateList(pb.CreateListRequest(tenant_id="t1", list_id="news", name="Other"))
    assert again.list.name == "News"
    emails = [f"user{n}@example.com" for n in range(25)]
    added = stub.AddListMembers(
        pb.AddListMembersRequest(tenant_id="t1", list_id="news", emails=emails)
    )
    assert added.added == 25
    repeat = stub.AddListMembers(
        pb.AddListMembersRequest(tenant_id="t1", list_id="news", emails=emails[:3])
    )
    assert repeat.added == 0
    stub.Suppress(pb.SuppressRequest(tenant_id="t1", email="user3@example.com", reason="asked"))
    seen: list[str] = []
    token = ""
    while True:
        page = stub.ListListMembers(
            pb.ListListMembersRequest(
                tenant_id="t1", list_id="news", page_size=10, page_token=token
            )
        )
        seen.extend(r.email for r in page.recipients)
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(emails)
    suppressed = stub.ListRecipients(
        pb.ListRecipientsRequest(tenant_id="t1", status=pb.RECIPIENT_STATUS_SUPPRESSED)
    )
    assert [r.email for r in suppressed.recipients] == ["user3@example.com"]
    removed = stub.RemoveListMembers(
        pb.RemoveListMembersRequest(tenant_id="t1", list_id="news", emails=emails[:5])
    )
    assert removed.removed == 5
    lists = stub.ListLists(pb.ListListsRequest(tenant_id="t1"))
    assert [(item.list_id, item.member_count) for item in lists.lists] == [("news", 20)]
    missing = pb.AddListMembersRequest(tenant_id="t1", list_id="nope", emails=emails[:1])
    assert code_of(stub.AddListMembers, missing) == grpc.StatusCode.NOT_FOUND


def register(stub, tenant: str, message_id: str, emails: list[str]) -> None:
    stub.RegisterMessages(
        pb.RegisterMessagesRequest(
            tenant_id=tenant,
            messages=[
                pb.MessageRegistration(
                    message_id=message_id,
                    campaign_id="camp",
                    recipients=[pb.MessageRecipient(email=e) for e in emails],
                )
            ],
        )
    )


def test_registration_and_transitions(harness: Harness) -> None:
    stub = harness.stub
    emails = ["a@example.com", "b@example.com"]
    register(stub, "t1", "m1", emails)
    register(stub, "t1", "m1", emails)  # a retry is a no-op
    assert scalar(harness.engine, "SELECT count(*) FROM message_recipients") == 2
    sent = stub.MarkSent(pb.MarkSentRequest(tenant_id="t1", message_id="m1", emails=emails))
    assert sent.updated == 2
    again = stub.MarkSent(pb.MarkSentRequest(tenant_id="t1", message_id="m1", emails=emails))
    assert again.updated == 0
    stub.MarkDelivered(pb.MarkDeliveredRequest(tenant_id="t1", message_id="m1", emails=emails[:1]))
    with pytest.raises(grpc.RpcError) as info:
        stub.MarkDeferred(pb.MarkDeferredRequest(tenant_id="t1", message_id="m1", emails=emails))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "a@example.com: cannot mark deferred" in (info.value.details() or "")
    unknown = pb.MarkSentRequest(tenant_id="t1", message_id="m1", emails=["z@example.com"])
    assert code_of(stub.MarkSent, unknown) == grpc.StatusCode.NOT_FOUND
    failed = stub.MarkFailed(
        pb.MarkFailedRequest(
            tenant_id="t1",
            message_id="m1",
            emails=emails[1:],
            reason="user_unknown",
            bounce_type=events_pb2.BOUNCE_TYPE_HARD,
        )
    )
    assert failed.updated == 1
    verdicts = stub.CheckSendable(pb.CheckSendableRequest(tenant_id="t1", emails=[*emails, "bad"]))
    assert [v.sendable for v in verdicts.verdicts] == [True, False, False]
    assert verdicts.verdicts[1].status == pb.RECIPIENT_STATUS_BOUNCED
    assert verdicts.verdicts[2].reason.startswith("invalid_address")
    with harness.engine.connect() as conn:
        batches = conn.execute(text("SELECT topic, batch FROM outbox ORDER BY id")).all()
    published = [e for topic, raw in batches for e in events_pb2.EventBatch.FromString(raw).events]
    types = [e.type for e in published]
    assert types.count(events_pb2.EVENT_TYPE_EMAIL_SENT) == 2
    assert events_pb2.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE in types
    assert all(
        e.campaign_id == "camp" for e in published if e.type == events_pb2.EVENT_TYPE_EMAIL_SENT
    )


def test_suppression_audit_and_unsubscribes(harness: Harness) -> None:
    stub = harness.stub
    email = "c@example.com"
    stub.Suppress(pb.SuppressRequest(tenant_id="t1", email=email, reason="legal", actor="ops"))
    restored = stub.Unsuppress(
        pb.UnsuppressRequest(tenant_id="t1", email=email, reason="ok", actor="ops")
    )
    assert restored.recipient.status == pb.RECIPIENT_STATUS_ACTIVE
    stub.Unsubscribe(pb.UnsubscribeRequest(tenant_id="t1", email=email, list_id="promo"))
    per_list = stub.CheckSendable(
        pb.CheckSendableRequest(tenant_id="t1", emails=[email], list_id="promo")
    )
    other_list = stub.CheckSendable(
        pb.CheckSendableRequest(tenant_id="t1", emails=[email], list_id="news")
    )
    assert per_list.verdicts[0].reason == "list_unsubscribed"
    assert other_list.verdicts[0].sendable
    stub.Unsubscribe(pb.UnsubscribeRequest(tenant_id="t1", email=email))
    assert (
        not stub.CheckSendable(pb.CheckSendableRequest(tenant_id="t1", emails=[email]))
        .verdicts[0]
        .sendable
    )
    audit = stub.ListSuppressionAudit(pb.ListSuppressionAuditRequest(tenant_id="t1", email=email))
    assert [(e.action, e.actor) for e in audit.entries] == [
        ("suppress", "ops"),
        ("unsuppress", "ops"),
        ("list_unsubscribe", "api"),
        ("unsubscribe", "api"),
    ]


def test_tenants_never_see_each_other(harness: Harness) -> None:
    stub = harness.stub
    email = "shared@example.com"
    stub.CreateList(pb.CreateListRequest(tenant_id="t1", list_id="l1"))
    stub.AddListMembers(pb.AddListMembersRequest(tenant_id="t1", list_id="l1", emails=[email]))
    stub.Suppress(pb.SuppressRequest(tenant_id="t1", email=email, reason="x"))
    register(stub, "t1", "m-t1", [email])
    assert code_of(stub.GetRecipient, pb.GetRecipientRequest(tenant_id="t2", email=email)) == (
        grpc.StatusCode.NOT_FOUND
    )
    assert not stub.ListRecipients(pb.ListRecipientsRequest(tenant_id="t2")).recipients
    assert not stub.ListLists(pb.ListListsRequest(tenant_id="t2")).lists
    assert (
        stub.CheckSendable(pb.CheckSendableRequest(tenant_id="t2", emails=[email]))
        .verdicts[0]
        .sendable
    )
    foreign_list = pb.AddListMembersRequest(tenant_id="t2", list_id="l1", emails=[email])
    assert code_of(stub.AddListMembers, foreign_list) == grpc.StatusCode.NOT_FOUND
    foreign_message = pb.MarkSentRequest(tenant_id="t2", message_id="m-t1", emails=[email])
    assert code_of(stub.MarkSent, foreign_message) == grpc.StatusCode.NOT_FOUND
    stub.EraseRecipient(pb.EraseRecipientRequest(tenant_id="t2", email=email))
    still = stub.GetRecipient(pb.GetRecipientRequest(tenant_id="t1", email=email))
    assert still.recipient.status == pb.RECIPIENT_STATUS_SUPPRESSED
    export = json.loads(
        stub.ExportRecipientData(pb.ExportRecipientDataRequest(tenant_id="t2", email=email)).json
    )
    assert export["recipient"] is None


def test_export_and_erase(harness: Harness) -> None:
    stub = harness.stub
    email = "erin@example.com"
    stub.CreateList(pb.CreateListRequest(tenant_id="t1", list_id="l1"))
    stub.AddListMembers(pb.AddListMembersRequest(tenant_id="t1", list_id="l1", emails=[email]))
    register(stub, "t1", "m1", [email])
    stub.Unsubscribe(pb.UnsubscribeRequest(tenant_id="t1", email=email))
    harness.analytics_store.ingest(
        [engagement_row(1, "t1", email, events_pb2.EVENT_TYPE_EMAIL_OPEN, HUMAN)]
    )
    document = json.loads(
        stub.ExportRecipientData(pb.ExportRecipientDataRequest(tenant_id="t1", email=email)).json
    )
    assert document["recipient"]["email"] == email
    assert document["recipient"]["status"] == "unsubscribed"
    assert [m["message_id"] for m in document["messages"]] == ["m1"]
    assert [item["list_id"] for item in document["lists"]] == ["l1"]
    assert document["suppression_audit"][0]["action"] == "unsubscribe"
    assert document["analytics_events"][0]["eventId"] == "e1"

    assert stub.EraseRecipient(pb.EraseRecipientRequest(tenant_id="t1", email=email)).erased
    rid = recipient_id_for("t1", email)
    for table in ("recipients", "list_members", "message_recipients", "suppression_audit"):
        assert (
            scalar(harness.engine, f"SELECT count(*) FROM {table} WHERE recipient_id = :r", r=rid)
            == 0
        )
    assert email not in json.dumps(
        scalar(harness.engine, "SELECT array_agg(subject_hash) FROM erasures")
    )
    # still not sendable after erasure, and a re-import keeps the unsubscribe
    verdict = stub.CheckSendable(pb.CheckSendableRequest(tenant_id="t1", emails=[email])).verdicts[
        0
    ]
    assert (verdict.sendable, verdict.reason) == (False, "erased")
    again = stub.UpsertRecipients(
        pb.UpsertRecipientsRequest(tenant_id="t1", recipients=[pb.RecipientInput(email=email)])
    )
    assert again.recipients[0].status == pb.RECIPIENT_STATUS_UNSUBSCRIBED


def test_engagement_summary_from_analytics_and_unavailable(harness: Harness) -> None:
    opens, clicks = events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK
    proxy = events_pb2.HIT_SOURCE_PRIVACY_PROXY
    kinds = [(opens, HUMAN), (opens, proxy), (opens, proxy), (opens, proxy)]
    kinds += [(clicks, HUMAN), (clicks, events_pb2.HIT_SOURCE_SECURITY_SCANNER)]
    harness.analytics_store.ingest(
        [
            engagement_row(n, "t1", "ada@example.com", kind, source)
            for n, (kind, source) in enumerate(kinds)
        ]
    )
    request = pb.GetEngagementSummaryRequest(tenant_id="t1", email="ada@example.com")
    summary = harness.stub.GetEngagementSummary(request)
    assert (summary.opens, summary.clicks, summary.human_opens) == (4, 2, 1)
    assert summary.recipient_id == recipient_id_for("t1", "ada@example.com")
    assert summary.last_engagement_at.ToDatetime(tzinfo=UTC) == datetime(2025, 5, 1, tzinfo=UTC)
    harness.analytics.stop(0)
    with pytest.raises(grpc.RpcError) as info:
        harness.stub.GetEngagementSummary(request)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "analytics service at" in (info.value.details() or "")


def age_messages(engine: Engine, message_ids: list[str], days: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE messages SET registered_at = now() - make_interval(days => :d) "
                "WHERE message_id = ANY(:m)"
            ),
            {"d": days, "m": message_ids},
        )


def test_retention_cleanup_thread_job_and_command(harness: Harness) -> None:
    stub = harness.stub
    for message_id in ("old1", "old2", "new"):
        register(stub, "t1", message_id, ["r@example.com"])
    age_messages(harness.engine, ["old1"], 400)
    job = RetentionJob(harness.servicer.messages, timedelta(days=365), 0)
    assert job.run_once() == 1
    left = scalar(
        harness.engine, "SELECT array_agg(message_id ORDER BY message_id) FROM message_recipients"
    )
    assert left == ["new", "old2"]

    age_messages(harness.engine, ["old2"], 40)
    env = {
        **os.environ,
        "EMAILTRACK_DATABASE_URL": harness.url,
        "EMAILTRACK_RECIPIENT_RETENTION_DAYS": "30",
        "EMAILTRACK_LOG_FORMAT": "text",
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.recipient", "cleanup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert scalar(harness.engine, "SELECT array_agg(message_id) FROM messages") == ["new"]
