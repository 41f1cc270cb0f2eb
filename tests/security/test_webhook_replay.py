"""Webhook replay, forgery and staleness attacks (issue 16 item 4), each against two bounce
service replicas sharing one real PostgreSQL database and broker, through the gateway route:
every attack answers 4xx (503 for a provider left unconfigured) and records nothing."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.v1 import bounce_pb2_grpc
from gateway.operator.webhooks import WebhookForwarder, webhook_routes
from services.bounce.recorder import OutcomeRecorder
from services.bounce.server import BounceServicer
from services.bounce.store import OutcomeStore
from services.bounce.webhooks.freshness import Nonce
from services.bounce.webhooks.handler import WebhookHandler, WebhookSecrets
from services.bounce.webhooks.signatures import mailgun_signature, mandrill_signature
from services.bounce.webhooks.sns import SnsVerifier
from tests.grpc_credentials import TEST_AUTH, TEST_KEY
from tests.unit.bounce.conftest import TEST_TOPIC, SnsSigner

pytestmark = pytest.mark.integration
MAILGUN_KEY = "key-security-test"
MANDRILL_KEY = "mandrill-security-test"
POSTMARK_OLD, POSTMARK_NEW = "pm-old-token", "pm-new-token"
PUBLIC = "https://track.example.com"


@dataclass
class Stack:
    """Two replicas (gateway + bounce service each) over one database."""

    replicas: list[TestClient]
    store: OutcomeStore
    sendgrid: ec.EllipticCurvePrivateKey
    sns: SnsSigner

    def recorded(self, tenant: str) -> int:
        with self.store.engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM outcomes WHERE tenant_id = :t"), {"t": tenant}
            ).scalar_one()


@pytest.fixture
def stack(kafka_bootstrap: str, fresh_database: Callable[[str], str]) -> Iterator[Stack]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    engine = make_engine(fresh_database("bounce"))
    store = OutcomeStore(engine)
    producer = make_producer(settings, "bounce-security-test")
    sendgrid, sns = ec.generate_private_key(ec.SECP256R1()), SnsSigner()
    secrets = WebhookSecrets(
        sendgrid_public_key=sendgrid.public_key(),
        mailgun_signing_key=MAILGUN_KEY,
        postmark_tokens=(POSTMARK_OLD, POSTMARK_NEW),
        mandrill_key=MANDRILL_KEY,
        ses_topic_arns=frozenset({TEST_TOPIC}),
    )
    servers, clients = [], []
    for _ in range(2):
        handler = WebhookHandler(secrets, SnsVerifier(sns.fetch), lambda url: None)
        servicer = BounceServicer(OutcomeRecorder(store, producer).record, handler)
        registration = ServiceRegistration(
            servicer, bounce_pb2_grpc.add_BounceServiceServicer_to_server, "x"
        )
        server = start_server([registration], 0, "127.0.0.1", auth=TEST_AUTH)
        servers.append(server)
        forwarder = WebhookForwarder(f"127.0.0.1:{server.port}", PUBLIC, TEST_KEY)
        clients.append(TestClient(Starlette(routes=webhook_routes(forwarder))))
    yield Stack(clients, store, sendgrid, sns)
    for server in servers:
        server.stop(0)
    producer.close()
    engine.dispose()


def mailgun_body(timestamp: int, token: str, recipient: str, event: str = "failed") -> bytes:
    signature = {
        "timestamp": str(timestamp),
        "token": token,
        "signature": mailgun_signature(MAILGUN_KEY, str(timestamp), token),
    }
    data = {"event": event, "severity": "permanent", "id": f"id-{token}-{recipient}",
            "recipient": recipient, "timestamp": timestamp,
            "delivery-status": {"code": 550, "message": "5.1.1 no such user"}}  # fmt: skip
    return json.dumps({"signature": signature, "event-data": data}).encode()


def forge(body: bytes, recipient: str) -> bytes:
    """The same signature block with a made-up event (Mailgun signs only timestamp + token)."""
    payload = json.loads(body)
    payload["event-data"].update(recipient=recipient, id="made-up")
    return json.dumps(payload).encode()


def test_mailgun_token_replayed_with_a_made_up_event_is_refused_on_every_replica(stack):
    now = int(time.time())
    first = mailgun_body(now, "tok-1", "real@victim.example")
    reply = stack.replicas[0].post("/webhooks/mailgun/acme", content=first)
    assert reply.status_code == 200 and reply.json()["accepted"] == 1
    for replica in stack.replicas:
        for tenant in ("acme", "other"):
            forged = replica.post(
                f"/webhooks/mailgun/{tenant}", content=forge(first, "ceo@victim.example")
            )
            assert forged.status_code == 401 and "replayed" in forged.json()["error"]
    exact = stack.replicas[1].post("/webhooks/mailgun/acme", content=first)
    assert exact.status_code == 401
    assert stack.recorded("acme") == 1 and stack.recorded("other") == 0


@pytest.mark.parametrize("skew", [timedelta(days=900), timedelta(minutes=6), -timedelta(minutes=6)])
def test_mailgun_stale_or_future_timestamp_is_refused(stack, skew):
    signed_at = int((datetime.now(UTC) - skew).timestamp())
    body = mailgun_body(signed_at, f"tok-{skew}", "real@victim.example")
    reply = stack.replicas[0].post("/webhooks/mailgun/stale", content=body)
    assert reply.status_code == 401 and "outside the accepted window" in reply.json()["error"]
    assert stack.recorded("stale") == 0


def test_mailgun_forged_signature_is_refused(stack):
    payload = json.loads(mailgun_body(int(time.time()), "tok-f", "real@victim.example"))
    payload["signature"]["signature"] = "0" * 64
    reply = stack.replicas[0].post("/webhooks/mailgun/forged", content=json.dumps(payload))
    assert reply.status_code == 401 and stack.recorded("forged") == 0


def test_a_failed_recording_leaves_the_token_free_for_the_esps_retry(stack):
    nonce = Nonce("mailgun", "tok-retry", datetime.now(UTC) + timedelta(minutes=5))

    def broker_down(new: list) -> None:
        raise RuntimeError("broker unavailable")

    with pytest.raises(RuntimeError):
        stack.store.record([], broker_down, nonce)
    assert stack.store.record([], lambda new: None, nonce).accepted == 0  # claimed now
    with pytest.raises(Exception, match="replayed"):
        stack.store.record([], lambda new: None, nonce)


def sendgrid_headers(stack: Stack, body: bytes, timestamp: int) -> dict[str, str]:
    signature = stack.sendgrid.sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": str(timestamp)}  # fmt: skip


def test_sendgrid_signed_request_replayed_after_the_tolerance_is_refused(stack):
    body = json.dumps([{"event": "bounce", "email": "real@victim.example", "sg_event_id": "s1",
                        "timestamp": 1700000000, "status": "5.1.1"}]).encode()  # fmt: skip
    stale = int(time.time()) - 301
    reply = stack.replicas[0].post(
        "/webhooks/sendgrid/sg", content=body, headers=sendgrid_headers(stack, body, stale)
    )
    assert reply.status_code == 401 and stack.recorded("sg") == 0
    fresh = sendgrid_headers(stack, body, int(time.time()))
    assert stack.replicas[0].post("/webhooks/sendgrid/sg", content=body, headers=fresh).json() == {
        "accepted": 1,
        "duplicates": 0,
    }
    again = stack.replicas[1].post("/webhooks/sendgrid/sg", content=body, headers=fresh)
    assert again.json() == {"accepted": 0, "duplicates": 1}  # idempotent by sg_event_id


def ses_bounce(recipient: str) -> str:
    return json.dumps({
        "notificationType": "Bounce",
        "mail": {"messageId": "ses-1", "timestamp": "2026-01-01T00:00:00Z",
                 "destination": [recipient]},
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                   "feedbackId": f"fb-{recipient}",
                   "bouncedRecipients": [{"emailAddress": recipient, "status": "5.1.1"}]},
    })  # fmt: skip


def sns_body(stack: Stack, message_id: str, signed_at: datetime, recipient: str) -> bytes:
    stamp = signed_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    envelope = stack.sns.envelope(
        "Notification", Message=ses_bounce(recipient), MessageId=message_id, Timestamp=stamp
    )
    return json.dumps(envelope).encode()


def test_sns_message_replayed_or_stale_is_refused(stack):
    now = datetime.now(UTC)
    body = sns_body(stack, "mid-1", now, "real@victim.example")
    assert stack.replicas[0].post("/webhooks/ses/ses", content=body).json()["accepted"] == 1
    replay = stack.replicas[1].post("/webhooks/ses/ses", content=body)
    assert replay.status_code == 401 and "replayed" in replay.json()["error"]
    stale = sns_body(stack, "mid-2", now - timedelta(hours=2), "other@victim.example")
    reply = stack.replicas[0].post("/webhooks/ses/ses", content=stale)
    assert reply.status_code == 401 and stack.recorded("ses") == 1


def test_sns_topic_not_configured_fails_closed(stack, kafka_bootstrap, fresh_database):
    body = sns_body(stack, "mid-3", datetime.now(UTC), "real@victim.example")
    foreign = json.loads(body)
    foreign = stack.sns.envelope(
        "Notification",
        Message=foreign["Message"],
        MessageId="mid-4",
        Timestamp=foreign["Timestamp"],
        TopicArn="arn:aws:sns:us-east-1:999999999999:attacker",
    )
    reply = stack.replicas[0].post("/webhooks/ses/topics", content=json.dumps(foreign))
    assert reply.status_code == 401
    unconfigured = WebhookHandler(WebhookSecrets(), SnsVerifier(stack.sns.fetch), lambda u: None)
    with pytest.raises(Exception, match="EMAILTRACK_SES_TOPIC_ARNS"):
        unconfigured.handle("ses", "topics", {}, body, "")
    assert stack.recorded("topics") == 0


def test_postmark_accepts_each_rotated_token_and_refuses_others(stack):
    payload = {"RecordType": "Delivery", "Recipient": "r@pm.example", "MessageID": "pm-1",
               "DeliveredAt": "2026-01-01T00:00:00Z"}  # fmt: skip
    for token, status in ((POSTMARK_OLD, 200), (POSTMARK_NEW, 200), ("pm-guess", 401)):
        payload["MessageID"] = f"pm-{token}"
        reply = stack.replicas[0].post(
            f"/webhooks/postmark/pm?token={token}", content=json.dumps(payload)
        )
        assert reply.status_code == status
    assert (
        stack.replicas[0].post("/webhooks/postmark/pm", content=json.dumps(payload)).status_code
        == 401
    )
    assert stack.recorded("pm") == 2


def test_mandrill_replayed_batch_records_nothing_new(stack):
    msg = {"email": "real@victim.example", "diag": "smtp;550 5.1.1 unknown"}
    events = [{"event": "hard_bounce", "_id": "md-1", "ts": 1700000000, "msg": msg}]
    params = [("mandrill_events", json.dumps(events))]
    url = f"{PUBLIC}/webhooks/mandrill/md"
    headers = {"X-Mandrill-Signature": mandrill_signature(MANDRILL_KEY, url, params)}
    body = urlencode(params)
    first = stack.replicas[0].post("/webhooks/mandrill/md", content=body, headers=headers)
    again = stack.replicas[1].post("/webhooks/mandrill/md", content=body, headers=headers)
    assert first.json()["accepted"] == 1 and again.json() == {"accepted": 0, "duplicates": 1}
    tampered = body.replace("real%40", "ceo%40")
    forged = stack.replicas[0].post("/webhooks/mandrill/md", content=tampered, headers=headers)
    assert forged.status_code == 401 and stack.recorded("md") == 1


def test_expired_nonces_are_purged_by_later_claims(stack):
    past = datetime.now(UTC) - timedelta(minutes=1)
    stack.store.record([], lambda new: None, Nonce("mailgun", "old-token", past))
    stack.store.record(
        [], lambda new: None, Nonce("mailgun", "new-token", past + timedelta(hours=1))
    )
    with stack.store.engine.connect() as conn:
        left = conn.execute(text("SELECT nonce FROM webhook_nonces ORDER BY nonce")).scalars()
        assert list(left) == ["new-token"]
