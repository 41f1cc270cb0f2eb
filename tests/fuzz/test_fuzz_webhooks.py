"""Every ESP webhook body parser, behind valid (and fresh) signatures where the provider signs
the body, and the handler on arbitrary requests: outcomes (plus events set aside for the
dead-letter topic) or a WebhookError, nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from services.bounce.webhooks import mailgun, mailgun_legacy, mandrill, postmark, sendgrid, ses
from services.bounce.webhooks.common import Mapped, WebhookError
from services.bounce.webhooks.freshness import ReplayPolicy
from services.bounce.webhooks.handler import PROVIDERS, WebhookHandler, WebhookSecrets
from services.bounce.webhooks.signatures import mailgun_signature, mandrill_signature
from services.bounce.webhooks.sns import SnsVerifier
from tests.fuzz.strategies import header_maps, json_bytes, json_objects_with, json_values

MAILGUN_KEY = "mailgun-key"
MANDRILL_KEY = "mandrill-key"
URL = "https://hooks.example/webhooks/mandrill/t1"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
EVENT_KEYS = [
    "event",
    "email",
    "recipient",
    "reason",
    "status",
    "type",
    "timestamp",
    "sg_event_id",
    "RecordType",
    "Email",
    "Type",
    "TypeCode",
    "Description",
    "Details",
    "BouncedAt",
    "ID",
    "MessageID",
    "Metadata",
    "msg",
    "_id",
    "ts",
    "bounce_description",
    "diag",
    "metadata",
    "user-variables",
    "delivery-status",
    "severity",
    "id",
    "message",
    "headers",
    "notificationType",
    "eventType",
    "mail",
    "bounce",
    "complaint",
    "bouncedRecipients",
    "complainedRecipients",
    "emailAddress",
    "diagnosticCode",
    "bounceType",
    "commonHeaders",
    "tags",
    "messageId",
    "smtp_id",
    "emailtrack_message_id",
]
events = json_objects_with(EVENT_KEYS)
documents = json_values | events | st.lists(events, max_size=4)


def accepts(parse: object, *args: object) -> None:
    try:
        result = parse(*args)  # type: ignore[operator]  # each parser gets the arguments it takes
    except WebhookError:
        return
    mapped = result[0] if isinstance(result, tuple) else result
    assert isinstance(mapped, Mapped)
    assert all(event.index >= 0 and event.error for event in mapped.rejected)


@settings(max_examples=200, deadline=None)
@given(json_bytes(documents) | st.binary(max_size=300))
def test_sendgrid_and_postmark_bodies(body: bytes) -> None:
    accepts(sendgrid.parse, "t1", body, NOW)
    accepts(postmark.parse, "t1", body, NOW)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_ses_notifications(notice: object) -> None:
    accepts(ses.parse, "t1", notice, NOW)


@settings(max_examples=200, deadline=None)
@given(
    events | json_values,
    st.just(str(int(NOW.timestamp()))) | st.text(max_size=12),
    st.text(max_size=20),
)
def test_signed_mailgun_bodies(data: object, timestamp: str, token: str) -> None:
    signature = {
        "timestamp": timestamp,
        "token": token,
        "signature": mailgun_signature(MAILGUN_KEY, timestamp, token),
    }
    body = json.dumps({"signature": signature, "event-data": data}).encode()
    accepts(mailgun.parse, "t1", body, MAILGUN_KEY, ReplayPolicy(), NOW)


@settings(max_examples=200, deadline=None)
@given(documents, st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3))
def test_signed_mandrill_bodies(payload: object, extra: dict[str, str]) -> None:
    params = [("mandrill_events", json.dumps(payload)), *extra.items()]
    headers = {"X-Mandrill-Signature": mandrill_signature(MANDRILL_KEY, URL, params)}
    accepts(mandrill.parse, "t1", urlencode(params).encode(), URL, headers, MANDRILL_KEY, NOW)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([*EVENT_KEYS, "code", "error"]), st.text(max_size=12))),
    st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=b"]),
)
def test_signed_mailgun_legacy_bodies(fields: list[tuple[str, str]], content_type: str) -> None:
    stamp = str(int(NOW.timestamp()))
    signed = [
        ("timestamp", stamp),
        ("token", "t"),
        ("signature", mailgun_signature(MAILGUN_KEY, stamp, "t")),
    ]
    body = urlencode(fields + signed).encode()
    accepts(mailgun_legacy.parse, "t1", body, content_type, MAILGUN_KEY, ReplayPolicy(), NOW)


def not_a_certificate(url: str) -> bytes:
    return b"not a certificate"


HANDLER = WebhookHandler(
    WebhookSecrets(
        sendgrid_public_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
        mailgun_signing_key=MAILGUN_KEY,
        postmark_tokens=("pm",),
        mandrill_key=MANDRILL_KEY,
        ses_topic_arns=frozenset({"arn:aws:sns:us-east-1:123456789012:ses"}),
    ),
    SnsVerifier(not_a_certificate),
    confirm=lambda url: None,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PROVIDERS),
    header_maps,
    json_bytes(documents | json_objects_with(["Type", "Message", "SignatureVersion"]))
    | st.binary(max_size=300),
    st.text(max_size=60),
)
def test_handler_on_arbitrary_requests(
    provider: str, headers: dict[str, str], body: bytes, url: str
) -> None:
    try:
        result = HANDLER.handle(provider, "t1", headers, body, url)
    except WebhookError:
        return
    assert isinstance(result.outcomes, list)
