"""Webhook verification and mapping.

SendGrid, Amazon SES/SNS, Mailgun and Postmark run on material copied from published packages
(tests/data/webhooks/README.md): the SendGrid ECDSA key, signature and payloads of
@sendgrid/eventwebhook; SNS messages signed by Amazon with its SNS certificate, from django-ses;
the Mailgun signing key, signed timestamp/token and events of OCA's mail_tracking_mailgun test
suite; Postmark's documented bounce and delivery examples quoted by django-postmark(-utils).
SNS SignatureVersion 2 and SubscriptionConfirmation are signed with a per-run key
(conftest.SnsSigner). Mandrill (and more of every ESP) runs on the peer samples in
test_bounce_webhook_samples.py; per-ESP mapping rules are in test_bounce_webhook_mapping.py.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from services.bounce.webhooks.handler import (
    InvalidSignature,
    MalformedPayload,
    NotConfigured,
    WebhookHandler,
    WebhookSecrets,
)
from services.bounce.webhooks.signatures import (
    load_sendgrid_key,
    mailgun_signature,
)
from services.bounce.webhooks.sns import SnsVerifier
from tests.unit.bounce.conftest import DJANGO_SES_TOPIC, SIGNED_AT, TEST_TOPIC, clock_at

MANDRILL_KEY = "mandrill-test-key"
POSTMARK_TOKEN = "pm-secret-token"
URL = "https://track.example.com/webhooks/{}/acme"
SES_BOUNCE = "sns_ses_bounce_notification.json"
SES_COMPLAINT = "sns_ses_complaint_event.json"


@pytest.fixture
def handler(sendgrid_key, sns_signer):
    secrets = WebhookSecrets(
        sendgrid_public_key=sendgrid_key.public_key(),
        postmark_tokens=(POSTMARK_TOKEN,),
        mandrill_key=MANDRILL_KEY,
        ses_topic_arns=frozenset({TEST_TOPIC, DJANGO_SES_TOPIC}),
    )
    confirmed: list[str] = []
    result = WebhookHandler(
        secrets, SnsVerifier(sns_signer.fetch), confirmed.append, clock=clock_at(SIGNED_AT)
    )
    result.confirmed = confirmed  # type: ignore[attr-defined]  # set on the test's own object
    return result


class AmazonCertificate:
    """Serves the real SNS signing certificate that signed the django-ses messages."""

    def __init__(self, webhook_sample) -> None:
        self.pem = webhook_sample("sns_signing_certificate.pem")
        self.fetched: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        return self.pem


@pytest.fixture
def amazon_cert(webhook_sample) -> AmazonCertificate:
    return AmazonCertificate(webhook_sample)


@pytest.fixture
def ses_handler(amazon_cert, webhook_sample) -> WebhookHandler:
    """Accepts the django-ses topic, its clock at the signed messages' time."""
    signed_at = json.loads(webhook_sample(SES_BOUNCE))["Timestamp"]
    secrets = WebhookSecrets(ses_topic_arns=frozenset({DJANGO_SES_TOPIC}))
    return WebhookHandler(
        secrets, SnsVerifier(amazon_cert), lambda url: None, clock=clock_at(signed_at)
    )


# --- SendGrid: @sendgrid/eventwebhook 8.0.0 signed samples, used as they are -----------------


def _sendgrid_signed(webhook_sample, name: str) -> tuple[WebhookHandler, dict[str, str], bytes]:
    signed = json.loads(webhook_sample("sendgrid_signatures.json"))[name]
    key = load_sendgrid_key(signed["public_key"])
    handler = WebhookHandler(
        WebhookSecrets(sendgrid_public_key=key),
        SnsVerifier(lambda url: b""),
        lambda url: None,
        clock=clock_at(signed["timestamp"]),
    )
    headers = {
        "X-Twilio-Email-Event-Webhook-Signature": signed["signature"],
        "X-Twilio-Email-Event-Webhook-Timestamp": signed["timestamp"],
    }
    return handler, headers, webhook_sample(name)


def test_sendgrid_signed_dropped_event_is_a_hard_bounce(webhook_sample):
    handler, headers, body = _sendgrid_signed(webhook_sample, "sendgrid_signed_dropped.json")
    (outcome,) = handler.handle("sendgrid", "acme", headers, body, "").outcomes
    assert (outcome.kind, outcome.address, outcome.bounce_type, outcome.diagnostic) == (
        "bounce", "hello@world.com", "hard", "Bounced Address",
    )  # fmt: skip
    assert outcome.occurred_at == datetime(2020, 9, 14, 19, 41, 32, tzinfo=UTC)
    assert outcome.source == "sendgrid"


def test_sendgrid_signed_batch_skips_processed_and_maps_the_bounce(webhook_sample):
    handler, headers, body = _sendgrid_signed(
        webhook_sample, "sendgrid_signed_processed_bounce.json"
    )
    (bounce,) = handler.handle("sendgrid", "acme", headers, body, "").outcomes
    assert (bounce.kind, bounce.address, bounce.enhanced_status) == (
        "bounce", "invalid@gmail.com", "5.2.2",
    )  # fmt: skip
    assert (bounce.reason, bounce.bounce_type) == ("mailbox_full", "soft")
    assert bounce.diagnostic.startswith("552 5.2.2 The email account")
    again = handler.handle("sendgrid", "acme", headers, body, "").outcomes[0]
    assert again.event_id == bounce.event_id


def test_sendgrid_signed_sample_rejects_other_key_signature_and_body(webhook_sample):
    name = "sendgrid_signed_dropped.json"
    material = json.loads(webhook_sample("sendgrid_signatures.json"))
    handler, headers, body = _sendgrid_signed(webhook_sample, name)
    with pytest.raises(InvalidSignature):
        handler.handle("sendgrid", "acme", headers, body.rstrip(b"\r\n"), "")
    bad = {**headers, "X-Twilio-Email-Event-Webhook-Signature": material["bad_signature"]}
    with pytest.raises(InvalidSignature):
        handler.handle("sendgrid", "acme", bad, body, "")
    with pytest.raises(InvalidSignature):
        handler.handle("sendgrid", "acme", {}, body, "")
    other = WebhookHandler(
        WebhookSecrets(sendgrid_public_key=load_sendgrid_key(material["invalid_public_key"])),
        SnsVerifier(lambda url: b""),
        lambda url: None,
        clock=handler.clock,
    )
    with pytest.raises(InvalidSignature):
        other.handle("sendgrid", "acme", headers, body, "")


def test_sendgrid_custom_args_attribute_campaign(handler, sign_sendgrid):
    event = {"email": "a@b.example", "timestamp": 1, "event": "delivered", "sg_event_id": "x",
             "emailtrack_campaign_id": "spring", "emailtrack_message_id": "m-1"}  # fmt: skip
    body = json.dumps([event]).encode()
    (outcome,) = handler.handle("sendgrid", "acme", sign_sendgrid(body), body, "").outcomes
    assert (outcome.campaign_id, outcome.message_id) == ("spring", "m-1")


def test_sendgrid_malformed_body_is_a_clear_error(handler, sign_sendgrid):
    for body, words in ((b"{not json", "not valid JSON"), (b'{"a": 1}', "JSON array")):
        with pytest.raises(MalformedPayload, match=words):
            handler.handle("sendgrid", "acme", sign_sendgrid(body), body, "")


def test_sendgrid_key_loads_from_settings_format(sendgrid_key):
    der = sendgrid_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert load_sendgrid_key(base64.b64encode(der).decode()).public_numbers() == (
        sendgrid_key.public_key().public_numbers()
    )


# --- Amazon SES via SNS: messages signed by Amazon (django-ses 4.8.2), used as they are ------


def test_ses_bounce_signed_by_amazon(ses_handler, amazon_cert, webhook_sample):
    message = json.loads(webhook_sample(SES_BOUNCE))
    (outcome,) = ses_handler.handle("ses", "acme", {}, webhook_sample(SES_BOUNCE), "").outcomes
    assert (outcome.kind, outcome.address, outcome.reason, outcome.bounce_type) == (
        "bounce", "bounce@simulator.amazonses.com", "user_unknown", "hard",
    )  # fmt: skip
    assert outcome.enhanced_status == "5.1.1"
    assert outcome.diagnostic == "smtp; 550 5.1.1 user unknown"
    assert outcome.occurred_at == datetime(2022, 4, 1, 21, 24, 49, tzinfo=UTC)
    assert amazon_cert.fetched == [message["SigningCertURL"]]


def test_ses_event_publishing_complaint_and_certificate_cache(
    ses_handler, amazon_cert, webhook_sample
):
    ses_handler.clock = clock_at(json.loads(webhook_sample(SES_COMPLAINT))["Timestamp"])
    for _ in range(2):
        body = webhook_sample(SES_COMPLAINT)
        (outcome,) = ses_handler.handle("ses", "acme", {}, body, "").outcomes
    assert (outcome.kind, outcome.address, outcome.feedback_type) == (
        "complaint", "complaint@simulator.amazonses.com", "abuse",
    )  # fmt: skip
    assert len(amazon_cert.fetched) == 1


@pytest.mark.parametrize("field", ["Message", "Timestamp", "TopicArn"])
def test_sns_tampered_amazon_message_fails(ses_handler, webhook_sample, field):
    message = json.loads(webhook_sample(SES_BOUNCE))
    tampered = {**message, field: message[field].replace("1", "2")}
    with pytest.raises(InvalidSignature, match="does not match"):
        ses_handler.handle("ses", "acme", {}, json.dumps(tampered).encode(), "")


def test_sns_amazon_message_fails_with_another_certificate(handler, sns_signer, webhook_sample):
    with pytest.raises(InvalidSignature, match="does not match"):
        handler.handle("ses", "acme", {}, webhook_sample(SES_BOUNCE), "")
    assert len(sns_signer.fetched) == 1


def test_sns_foreign_cert_url_is_never_fetched(ses_handler, amazon_cert, webhook_sample):
    message = json.loads(webhook_sample(SES_BOUNCE))
    for url in (
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
    ):
        forged = {**message, "SigningCertURL": url}
        with pytest.raises(InvalidSignature, match="not an Amazon SNS URL"):
            ses_handler.handle("ses", "acme", {}, json.dumps(forged).encode(), "")
    assert amazon_cert.fetched == []


def test_sns_signature_version_2_over_real_ses_message(handler, sns_signer, webhook_sample):
    ses_message = json.loads(webhook_sample(SES_BOUNCE))["Message"]
    body = json.dumps(sns_signer.envelope("Notification", "2", Message=ses_message)).encode()
    (outcome,) = handler.handle("ses", "acme", {}, body, "").outcomes
    assert (outcome.kind, outcome.address) == ("bounce", "bounce@simulator.amazonses.com")


def test_sns_subscription_confirmation_fetches_subscribe_url(handler, sns_signer):
    subscribe = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    message = sns_signer.envelope(
        "SubscriptionConfirmation", Message="confirm", SubscribeURL=subscribe, Token="abc"
    )
    result = handler.handle("ses", "acme", {}, json.dumps(message).encode(), "")
    assert result.outcomes == [] and result.subscribe_url == subscribe
    assert handler.confirmed == [subscribe]


# --- Mailgun: OCA mail_tracking_mailgun's signed webhook (tests/data/webhooks/README.md) ------


def test_mailgun_oca_signature_verifies_with_its_key(webhook_sample):
    keys = json.loads(webhook_sample("mailgun_oca_keys.json"))
    for signed in (keys["signature"], keys["bad_timestamp_signature"]):
        expected = mailgun_signature(keys["signing_key"], signed["timestamp"], signed["token"])
        assert expected == signed["signature"]


def test_mailgun_oca_permanent_and_temporary_failures(mailgun_oca):
    handler, body = mailgun_oca("mailgun_oca_failed.json")
    (outcome,) = handler.handle("mailgun", "acme", {}, body, "").outcomes
    assert (outcome.kind, outcome.address, outcome.reason, outcome.bounce_type) == (
        "bounce", "to@example.com", "user_unknown", "hard",
    )  # fmt: skip
    assert outcome.smtp_code == "550"
    assert "5.1.1 The email account does not exist." in outcome.diagnostic
    assert outcome.occurred_at == datetime(2016, 8, 12, 16, 58, 9, tzinfo=UTC)
    assert handler.handle("mailgun", "acme", {}, body, "").outcomes[0].event_id == outcome.event_id
    handler, body = mailgun_oca("mailgun_oca_failed.json", severity="temporary")
    (deferred,) = handler.handle("mailgun", "acme", {}, body, "").outcomes
    assert (deferred.kind, deferred.bounce_type) == ("deferred", "soft")


def test_mailgun_oca_tracking_events(mailgun_oca):
    kinds: dict[str, Any] = {}
    for name in ("delivered", "opened", "clicked", "complained", "rejected"):
        handler, body = mailgun_oca(f"mailgun_oca_{name}.json")
        outcomes = handler.handle("mailgun", "acme", {}, body, "").outcomes
        kinds[name] = outcomes[0] if outcomes else None
    assert kinds["delivered"].kind == "delivered"
    assert kinds["complained"].kind == "complaint"
    assert (kinds["opened"].kind, kinds["opened"].client_ip) == ("open", "127.0.0.1")
    assert kinds["opened"].user_agent == ""  # OCA's event carries "user-agent", not client-info
    assert (kinds["clicked"].kind, kinds["clicked"].link_url) == (
        "click", "https://odoo-community.org",
    )  # fmt: skip
    # Mailgun refused the message itself: recorded, soft (nothing certain about the address)
    assert (kinds["rejected"].kind, kinds["rejected"].bounce_type) == ("bounce", "soft")


def test_mailgun_oca_user_variables_attribute_campaign(mailgun_oca):
    variables = {"emailtrack_campaign_id": "c-9", "emailtrack_message_id": "m-9"}
    handler, body = mailgun_oca("mailgun_oca_failed.json", **{"user-variables": variables})
    (outcome,) = handler.handle("mailgun", "acme", {}, body, "").outcomes
    assert (outcome.campaign_id, outcome.message_id) == ("c-9", "m-9")


def test_mailgun_oca_payload_fails_with_another_key_or_a_forged_token(mailgun_oca):
    _, body = mailgun_oca("mailgun_oca_failed.json")
    other = WebhookHandler(
        WebhookSecrets(mailgun_signing_key="key-other"),
        SnsVerifier(lambda url: b""),
        lambda u: None,
    )
    other.clock = handler_clock = mailgun_oca("mailgun_oca_failed.json")[0].clock
    assert handler_clock
    with pytest.raises(InvalidSignature):
        other.handle("mailgun", "acme", {}, body, "")
    handler, _ = mailgun_oca("mailgun_oca_failed.json")
    forged = json.loads(body)
    forged["signature"]["token"] = forged["signature"]["token"][::-1]
    with pytest.raises(InvalidSignature):
        handler.handle("mailgun", "acme", {}, json.dumps(forged).encode(), "")


# --- Postmark: documented webhook examples quoted by django-postmark(-utils) -----------------


def test_postmark_documented_bounce_token_in_url_or_basic_auth(handler, webhook_sample):
    body = webhook_sample("postmark_bounce_2014.json")
    url = URL.format("postmark") + f"?token={POSTMARK_TOKEN}"
    (outcome,) = handler.handle("postmark", "acme", {}, body, url).outcomes
    assert (outcome.kind, outcome.address, outcome.reason, outcome.bounce_type) == (
        "bounce", "john@example.com", "user_unknown", "hard",
    )  # fmt: skip
    assert outcome.occurred_at == datetime(2014, 8, 1, 17, 28, 10, 273539, tzinfo=UTC)
    assert outcome.diagnostic == "Test bounce details"
    auth = "Basic " + base64.b64encode(f"postmark:{POSTMARK_TOKEN}".encode()).decode()
    assert handler.handle("postmark", "acme", {"authorization": auth}, body, URL).outcomes
    with pytest.raises(InvalidSignature):
        handler.handle("postmark", "acme", {}, body, URL.format("postmark") + "?token=nope")


def test_postmark_documented_bounce_of_2011_and_delivery(handler, webhook_sample):
    url = URL.format("postmark") + f"?token={POSTMARK_TOKEN}"
    body = webhook_sample("postmark_bounce_2011.json")
    (bounce,) = handler.handle("postmark", "acme", {}, body, url).outcomes
    assert (bounce.kind, bounce.address, bounce.bounce_type) == (
        "bounce", "john@example.com", "hard",
    )  # fmt: skip
    assert bounce.occurred_at == datetime(2011, 5, 23, 10, 16, 0, 301899, tzinfo=UTC)
    body = webhook_sample("postmark_delivery_2014.json")
    (delivered,) = handler.handle("postmark", "acme", {}, body, url).outcomes
    assert (delivered.kind, delivered.address) == ("delivered", "john@example.com")


def test_postmark_metadata_attributes_campaign(handler, webhook_sample):
    payload = json.loads(webhook_sample("postmark_bounce_2014.json"))
    payload.update(RecordType="Bounce", Metadata={"emailtrack_campaign_id": "c-1"})
    url = URL.format("postmark") + f"?token={POSTMARK_TOKEN}"
    (outcome,) = handler.handle("postmark", "acme", {}, json.dumps(payload).encode(), url).outcomes
    assert outcome.campaign_id == "c-1"


def test_postmark_payload_without_record_type_is_malformed_and_without_time_is_dated_now(
    handler,
):
    url = URL.format("postmark") + f"?token={POSTMARK_TOKEN}"
    with pytest.raises(MalformedPayload, match="RecordType"):
        handler.handle("postmark", "acme", {}, b'{"Email": "a@b.example"}', url)
    body = b'{"RecordType": "Delivery", "Recipient": "a@b.example", "MessageID": "m"}'
    (delivered,) = handler.handle("postmark", "acme", {}, body, url).outcomes
    assert delivered.occurred_at == SIGNED_AT  # the receive time (the handler's clock)


def test_unconfigured_provider_refuses(sns_signer, webhook_sample):
    handler = WebhookHandler(WebhookSecrets(), SnsVerifier(sns_signer.fetch), lambda url: None)
    with pytest.raises(NotConfigured):
        handler.handle("postmark", "acme", {}, webhook_sample("postmark_bounce_2014.json"), URL)
