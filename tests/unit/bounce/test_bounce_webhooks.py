"""Webhook verification and mapping on the providers' documented sample payloads."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

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
    mandrill_signature,
)
from services.bounce.webhooks.sns import SnsVerifier

MAILGUN_KEY = "key-mailgun-test"
MANDRILL_KEY = "mandrill-test-key"
POSTMARK_TOKEN = "pm-secret-token"
URL = "https://track.example.com/webhooks/{}/acme"


@pytest.fixture
def handler(sendgrid_key, sns_signer):
    secrets = WebhookSecrets(
        sendgrid_public_key=sendgrid_key.public_key(),
        mailgun_signing_key=MAILGUN_KEY,
        postmark_token=POSTMARK_TOKEN,
        mandrill_key=MANDRILL_KEY,
    )
    confirmed: list[str] = []
    result = WebhookHandler(secrets, SnsVerifier(sns_signer.fetch), confirmed.append)
    result.confirmed = confirmed  # type: ignore[attr-defined]
    return result


def test_sendgrid_sample_maps_every_event_type(handler, webhook_sample, sign_sendgrid):
    body = webhook_sample("sendgrid_events.json")
    outcomes = handler.handle("sendgrid", "acme", sign_sendgrid(body), body, "").outcomes
    kinds = [o.kind for o in outcomes]
    assert kinds == [
        "deferred", "delivered", "open", "click", "bounce", "bounce", "complaint",
        "unsubscribe", "unsubscribe",
    ]  # fmt: skip
    bounce = outcomes[4]
    assert (bounce.bounce_type, bounce.enhanced_status, bounce.source) == (
        "hard",
        "5.0.0",
        "sendgrid",
    )
    assert outcomes[1].bounce_type == "" and outcomes[0].bounce_type == "soft"
    assert outcomes[3].link_url == "http://www.sendgrid.com/"
    assert len({o.event_id for o in outcomes}) == len(outcomes)
    assert all(o.tenant_id == "acme" and o.address == "example@test.com" for o in outcomes)


def test_sendgrid_rejects_tampered_body_and_missing_headers(handler, webhook_sample, sign_sendgrid):
    body = webhook_sample("sendgrid_events.json")
    headers = sign_sendgrid(body)
    with pytest.raises(InvalidSignature):
        handler.handle("sendgrid", "acme", headers, body.replace(b"bounce", b"bounced"), "")
    with pytest.raises(InvalidSignature):
        handler.handle("sendgrid", "acme", {}, body, "")


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


def _mailgun_body(webhook_sample, key: str = MAILGUN_KEY) -> bytes:
    payload = json.loads(webhook_sample("mailgun_failed_permanent.json"))
    sig = payload["signature"]
    sig["signature"] = mailgun_signature(key, sig["timestamp"], sig["token"])
    return json.dumps(payload).encode()


def test_mailgun_permanent_failure(handler, webhook_sample):
    (outcome,) = handler.handle("mailgun", "acme", {}, _mailgun_body(webhook_sample), "").outcomes
    assert (outcome.kind, outcome.address, outcome.bounce_type) == (
        "bounce", "alice@example.com", "hard",
    )  # fmt: skip
    assert "previously bounced" in outcome.diagnostic


def test_mailgun_wrong_key_and_sample_signature_fail(handler, webhook_sample):
    with pytest.raises(InvalidSignature):
        handler.handle("mailgun", "acme", {}, _mailgun_body(webhook_sample, "other"), "")
    with pytest.raises(InvalidSignature):
        handler.handle("mailgun", "acme", {}, webhook_sample("mailgun_failed_permanent.json"), "")


def test_postmark_token_in_url_or_basic_auth(handler, webhook_sample):
    body = webhook_sample("postmark_bounce.json")
    url = URL.format("postmark") + f"?token={POSTMARK_TOKEN}"
    (outcome,) = handler.handle("postmark", "acme", {}, body, url).outcomes
    assert (outcome.kind, outcome.address, outcome.reason, outcome.bounce_type) == (
        "bounce", "john@example.com", "user_unknown", "hard",
    )  # fmt: skip
    auth = "Basic " + base64.b64encode(f"postmark:{POSTMARK_TOKEN}".encode()).decode()
    assert handler.handle("postmark", "acme", {"authorization": auth}, body, URL).outcomes
    with pytest.raises(InvalidSignature):
        handler.handle("postmark", "acme", {}, body, URL.format("postmark") + "?token=nope")


def _mandrill(events: bytes, key: str = MANDRILL_KEY) -> tuple[bytes, dict[str, str]]:
    params = [("mandrill_events", events.decode())]
    signature = mandrill_signature(key, URL.format("mandrill"), params)
    return urlencode(params).encode(), {"X-Mandrill-Signature": signature}


def test_mandrill_sample_bounce_and_open(handler, webhook_sample):
    body, headers = _mandrill(webhook_sample("mandrill_events.json"))
    bounce, opened = handler.handle(
        "mandrill", "acme", headers, body, URL.format("mandrill")
    ).outcomes
    assert (bounce.kind, bounce.reason, bounce.bounce_type) == ("bounce", "user_unknown", "hard")
    assert (opened.kind, opened.client_ip) == ("open", "127.0.0.1")


def test_mandrill_signature_covers_url_and_params(handler, webhook_sample):
    body, headers = _mandrill(webhook_sample("mandrill_events.json"))
    with pytest.raises(InvalidSignature):
        handler.handle("mandrill", "acme", headers, body, URL.format("mandrill") + "x")
    body, headers = _mandrill(b"[]", key="wrong")
    with pytest.raises(InvalidSignature):
        handler.handle("mandrill", "acme", headers, body, URL.format("mandrill"))


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_bounce_via_signed_sns(handler, sns_signer, version):
    body = sns_signer.notification("ses_bounce.json", version)
    (outcome,) = handler.handle("ses", "acme", {}, body, "").outcomes
    assert (outcome.kind, outcome.address, outcome.reason, outcome.bounce_type) == (
        "bounce", "jane@example.com", "user_unknown", "hard",
    )  # fmt: skip


def test_ses_complaint_and_certificate_cache(handler, sns_signer):
    for _ in range(2):
        (outcome,) = handler.handle(
            "ses", "acme", {}, sns_signer.notification("ses_complaint.json"), ""
        ).outcomes
    assert (outcome.kind, outcome.feedback_type) == ("complaint", "abuse")
    assert len(sns_signer.fetched) == 1


def test_sns_tampered_message_and_foreign_cert_url(handler, sns_signer):
    message = json.loads(sns_signer.notification("ses_bounce.json"))
    tampered = {**message, "Message": message["Message"].replace("jane", "eve")}
    with pytest.raises(InvalidSignature):
        handler.handle("ses", "acme", {}, json.dumps(tampered).encode(), "")
    for url in (
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
    ):
        forged = {**message, "SigningCertURL": url}
        with pytest.raises(InvalidSignature, match="not an Amazon SNS URL"):
            handler.handle("ses", "acme", {}, json.dumps(forged).encode(), "")
    assert len(sns_signer.fetched) == 1  # only the genuine URL of the tampered check


def test_sns_subscription_confirmation_fetches_subscribe_url(handler, sns_signer):
    subscribe = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    message = sns_signer.envelope(
        "SubscriptionConfirmation", Message="confirm", SubscribeURL=subscribe, Token="abc"
    )
    result = handler.handle("ses", "acme", {}, json.dumps(message).encode(), "")
    assert result.outcomes == [] and result.subscribe_url == subscribe
    assert handler.confirmed == [subscribe]


def test_unconfigured_provider_refuses(sns_signer, webhook_sample):
    handler = WebhookHandler(WebhookSecrets(), SnsVerifier(sns_signer.fetch), lambda url: None)
    with pytest.raises(NotConfigured):
        handler.handle("postmark", "acme", {}, webhook_sample("postmark_bounce.json"), URL)


def test_sendgrid_key_loads_from_settings_format(sendgrid_key):
    der = sendgrid_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert load_sendgrid_key(base64.b64encode(der).decode()).public_numbers() == (
        sendgrid_key.public_key().public_numbers()
    )
