"""Bounce service end to end in-process: real PostgreSQL and broker, gRPC on port 0, the
gateway's webhook route, the bounce-feed CLI and the erase consumer."""

from __future__ import annotations

import base64
import json
import mailbox
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient
from typer.testing import CliRunner

from emailtrack.cli import app as cli_app
from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.identity import recipient_id_for
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.deadletters import read_dead_letters, redrivable
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc, events_pb2
from gateway.operator.webhooks import WebhookForwarder, webhook_routes
from services.bounce.consumer import EraseHandler
from services.bounce.recorder import OutcomeRecorder
from services.bounce.server import BounceServicer
from services.bounce.store import OutcomeStore
from services.bounce.webhooks.handler import WebhookHandler, WebhookSecrets
from services.bounce.webhooks.sns import SnsVerifier
from tests.grpc_credentials import TEST_AUTH, TEST_KEY, keyed_channel
from tests.integration.bounce_rows import stored_outcomes

pytestmark = pytest.mark.integration
DATA = Path(__file__).resolve().parents[1] / "data"
BOUNCES = ["flufl/dsn_01.txt", "flufl/postfix_01.txt", "flufl/exim_01.txt", "flufl/qmail_08.txt"]


@pytest.fixture
def bounce(kafka_bootstrap, fresh_database):
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    engine = make_engine(fresh_database("bounce"))
    store = OutcomeStore(engine)
    producer = make_producer(settings, "bounce-test")
    key = ec.generate_private_key(ec.SECP256R1())
    handler = WebhookHandler(
        WebhookSecrets(sendgrid_public_key=key.public_key()),
        SnsVerifier(lambda url: b""),
        lambda url: None,
    )
    servicer = BounceServicer(OutcomeRecorder(store, producer).record, handler)
    server = start_server(
        [ServiceRegistration(servicer, bounce_pb2_grpc.add_BounceServiceServicer_to_server, "x")],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    yield {"address": f"127.0.0.1:{server.port}", "store": store, "key": key,
           "settings": settings, "producer": producer}  # fmt: skip
    server.stop(0)
    producer.close()
    engine.dispose()


def delivery_events(bootstrap: str, tenant: str, want: int) -> list[events_pb2.Event]:
    consumer = KafkaConsumer(topics.DELIVERY_EVENTS, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)  # fmt: skip
    found: list[events_pb2.Event] = []
    deadline = time.monotonic() + 20
    while len(found) < want and time.monotonic() < deadline:
        for record in consumer:
            batch = events_pb2.EventBatch.FromString(record.value)
            found += [e for e in batch.events if e.tenant_id == tenant]
    consumer.close()
    return found


def test_bounce_feed_cli_publishes_once(bounce, kafka_bootstrap, tmp_path):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for name in BOUNCES:
        box.add((DATA / "bounces" / name).read_bytes())
    box.flush()
    runner = CliRunner(env={"EMAILTRACK_API_KEY": TEST_KEY})
    args = ["bounce-feed", str(tmp_path / "bounces.mbox"), "--tenant", "feedco",
            "--address", bounce["address"], "--json"]  # fmt: skip
    first = runner.invoke(cli_app, args)
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert counts["messages"] == 4 and counts["bounces"] == 3 and counts["auto_replies"] == 1
    assert counts["events_published"] == 3 and counts["duplicates"] == 0
    again = json.loads(runner.invoke(cli_app, args).output)
    assert again["events_published"] == 0 and again["duplicates"] == 3
    events = delivery_events(kafka_bootstrap, "feedco", 3)
    assert len(events) == 3 and {e.type for e in events} == {events_pb2.EVENT_TYPE_EMAIL_BOUNCE}
    reasons = {e.delivery.address: e.delivery.reason for e in events}
    assert reasons["userx@its.example.nl"] == "user_unknown"
    missing = runner.invoke(cli_app, ["bounce-feed", str(tmp_path / "nope"), "--tenant", "t"])
    assert missing.exit_code == 2
    down = runner.invoke(cli_app, [*args[:4], "--address", "127.0.0.1:1", "--json"])
    assert down.exit_code == 1


def test_webhook_route_statuses_and_duplicates(bounce, kafka_bootstrap):
    forwarder = WebhookForwarder(bounce["address"], "https://track.example.com", TEST_KEY)
    client = TestClient(Starlette(routes=webhook_routes(forwarder)))
    body = (DATA / "webhooks" / "sendgrid_signed_processed_bounce.json").read_bytes()
    ts = str(int(time.time()))
    signature = bounce["key"].sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
    headers = {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
               "X-Twilio-Email-Event-Webhook-Timestamp": ts}  # fmt: skip
    url = "/webhooks/sendgrid/hookco"
    first = client.post(url, content=body, headers=headers)
    assert first.status_code == 200 and first.json() == {"accepted": 1, "duplicates": 0}
    assert client.post(url, content=body, headers=headers).json() == {
        "accepted": 0,
        "duplicates": 1,
    }
    assert client.post(url, content=body + b" ", headers=headers).status_code == 401
    bad = b"[{}]"
    sig = bounce["key"].sign(ts.encode() + bad, ec.ECDSA(hashes.SHA256()))
    bad_headers = {
        **headers,
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(sig).decode(),
    }
    reply = client.post(url, content=bad, headers=bad_headers)  # authentic, but no event
    assert reply.status_code == 200 and reply.json()["dead_lettered"] == 1
    not_json = b"{"
    sig = bounce["key"].sign(ts.encode() + not_json, ec.ECDSA(hashes.SHA256()))
    bad_headers["X-Twilio-Email-Event-Webhook-Signature"] = base64.b64encode(sig).decode()
    reply = client.post(url, content=not_json, headers=bad_headers)
    assert reply.status_code == 400 and "JSON" in reply.json()["error"]
    assert client.post("/webhooks/unknown/hookco", content=b"{}").status_code == 404
    assert client.post("/webhooks/postmark/hookco", content=b"{}").status_code == 503
    huge = client.post(url, content=b"x" * (5 * 1024 * 1024 + 1), headers=headers)
    assert huge.status_code == 413
    assert len(delivery_events(kafka_bootstrap, "hookco", 1)) == 1


def test_erase_request_deletes_outcomes(bounce):
    stub = bounce_pb2_grpc.BounceServiceStub(keyed_channel(bounce["address"]))
    raw = (DATA / "bounces" / "flufl/dsn_01.txt").read_bytes()
    reply = stub.IngestInboundMessages(
        iter([bounce_pb2.IngestInboundMessagesRequest(raw_message=raw, tenant_id="eraseco")])
    )
    assert reply.events_published == 1
    recipient = recipient_id_for("eraseco", "userx@example.com")
    assert len(stored_outcomes(bounce["store"].engine, "eraseco", recipient)) == 1
    erase = events_pb2.Event(event_id="erase-1", tenant_id="eraseco", recipient_id=recipient,
                             type=events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED)  # fmt: skip
    KafkaProducer(bootstrap_servers=bounce["settings"].bootstrap_servers).send(
        topics.RECIPIENT_EVENTS, events_pb2.EventBatch(events=[erase]).SerializeToString()
    ).get(timeout=10)
    loop = ConsumerLoop(bounce["settings"], "bounce-test-erase", [topics.RECIPIENT_EVENTS],
                        EraseHandler(bounce["store"]), bounce["producer"])  # fmt: skip
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 30
    while (
        stored_outcomes(bounce["store"].engine, "eraseco", recipient)
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    stop.set()
    thread.join(10)
    assert stored_outcomes(bounce["store"].engine, "eraseco", recipient) == []


def test_parse_rpc_rejects_empty_and_oversized(bounce):
    stub = bounce_pb2_grpc.BounceServiceStub(keyed_channel(bounce["address"]))
    for raw in (b"", b"x" * (10 * 1024 * 1024 + 1)):
        with pytest.raises(grpc.RpcError) as error:
            stub.ParseBounceMessage(bounce_pb2.ParseBounceMessageRequest(raw_message=raw))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    raw = (DATA / "bounces" / "flufl/dsn_01.txt").read_bytes()
    parsed = stub.ParseBounceMessage(bounce_pb2.ParseBounceMessageRequest(raw_message=raw)).message
    assert parsed.kind == bounce_pb2.INBOUND_KIND_BOUNCE
    assert parsed.recipients[0].classification.reason == "mailbox_full"


def dead_letters(bootstrap: str, tenant: str, want: int) -> list[events_pb2.DeadLetter]:
    consumer = KafkaConsumer(topics.DEAD_LETTER, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)  # fmt: skip
    found: list[events_pb2.DeadLetter] = []
    deadline = time.monotonic() + 20
    while len(found) < want and time.monotonic() < deadline:
        for record in consumer:
            letter = events_pb2.DeadLetter.FromString(record.value)
            if record.key == tenant.encode() and letter.source_topic.startswith("webhook:"):
                found.append(letter)
    consumer.close()
    return found


def test_bad_events_are_dead_lettered_alone_and_the_batch_recorded(bounce, kafka_bootstrap):
    forwarder = WebhookForwarder(bounce["address"], "https://track.example.com", TEST_KEY)
    client = TestClient(Starlette(routes=webhook_routes(forwarder)))
    now = int(time.time())
    batch = [
        {"event": "delivered", "email": "ok1@dlq.example", "timestamp": now, "sg_event_id": "d1"},
        {"event": "bounce", "timestamp": now, "sg_event_id": "no-address"},
        {
            "event": "bounce",
            "email": "ok2@dlq.example",
            "timestamp": now,
            "sg_event_id": "b2",
            "status": "5.1.1",
            "reason": "550 5.1.1 user unknown",
        },
        {"event": "open", "email": "ok3@dlq.example", "timestamp": "yesterday"},
    ]
    body = json.dumps(batch).encode()
    signature = bounce["key"].sign(str(now).encode() + body, ec.ECDSA(hashes.SHA256()))
    headers = {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
               "X-Twilio-Email-Event-Webhook-Timestamp": str(now)}  # fmt: skip
    reply = client.post("/webhooks/sendgrid/dlqco", content=body, headers=headers)
    assert reply.status_code == 200
    assert reply.json() == {"accepted": 2, "duplicates": 0, "dead_lettered": 2}
    events = delivery_events(kafka_bootstrap, "dlqco", 2)
    assert sorted(e.delivery.address for e in events) == ["ok1@dlq.example", "ok2@dlq.example"]
    letters = dead_letters(kafka_bootstrap, "dlqco", 2)
    assert sorted(letter.source_offset for letter in letters) == [1, 3]
    assert {letter.source_topic for letter in letters} == {"webhook:sendgrid"}
    assert (
        json.loads(letters[0].value)["sg_event_id"] == "no-address"
        or json.loads(letters[1].value)["sg_event_id"] == "no-address"
    )
    assert all(letter.error for letter in letters)
    listed = list(read_dead_letters(kafka_bootstrap, source_topic="webhook:sendgrid"))
    assert listed and not any(redrivable(entry) for entry in listed)  # no topic to go back to
    stored = stored_outcomes(
        bounce["store"].engine, "dlqco", recipient_id_for("dlqco", "ok2@dlq.example")
    )
    assert [(o.kind, o.reason) for o in stored] == [("bounce", "user_unknown")]


def test_outcome_retention_deletes_only_old_outcomes(bounce):
    stub = bounce_pb2_grpc.BounceServiceStub(keyed_channel(bounce["address"]))
    for tenant in ("oldco", "newco"):
        raw = (DATA / "bounces" / "flufl/dsn_01.txt").read_bytes()
        stub.IngestInboundMessages(
            iter([bounce_pb2.IngestInboundMessagesRequest(raw_message=raw, tenant_id=tenant)])
        )
    store = bounce["store"]
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE outcomes SET recorded_at = now() - interval '400 days' "
                 "WHERE tenant_id = 'oldco'")
        )  # fmt: skip
    cutoff = datetime.now(UTC) - timedelta(days=395)
    assert store.delete_recorded_before(cutoff) == 1
    old = recipient_id_for("oldco", "userx@example.com")
    new = recipient_id_for("newco", "userx@example.com")
    assert stored_outcomes(store.engine, "oldco", old) == []
    assert len(stored_outcomes(store.engine, "newco", new)) == 1
