"""Bounce test material: provider webhook sample payloads, keys generated for each test run,
the notification texts of the real bounce corpus, and the bench harnesses (bench/*.py) the
differential tests run."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from services.bounce.domain import mta_formats
from services.bounce.webhooks.handler import WebhookHandler, WebhookSecrets
from services.bounce.webhooks.sns import SnsVerifier, string_to_sign

BENCH = Path(__file__).resolve().parents[3] / "bench"
WEBHOOKS = Path(__file__).resolve().parents[2] / "data" / "webhooks"
BOUNCES = Path(__file__).resolve().parents[2] / "data" / "bounces"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"
# The instant the per-run test material claims to be signed at: handlers' clocks are pinned
# to it (or to an authentic sample's own signing time), so freshness checks pass as they would
# have when the ESP sent the request.
SIGNED_AT = dt.datetime(2016, 1, 27, 14, 59, 38, tzinfo=dt.UTC)
TEST_TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
DJANGO_SES_TOPIC = "arn:aws:sns:us-east-1:364852123998:test-email"


def load_bench(filename: str) -> ModuleType:
    """The harness ``bench/<filename>`` as a module (named ``<stem>_bench``), with bench/ on
    the import path while it loads, since the harnesses import their siblings."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(
            f"{Path(filename).stem}_bench", BENCH / filename
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def clock_at(moment: dt.datetime | float | str):
    """A clock that always reads ``moment`` (a datetime, Unix time or ISO 8601 text)."""
    if isinstance(moment, str) and not moment.replace(".", "").isdigit():
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromtimestamp(float(moment), dt.UTC)
    return lambda: moment


def sample(name: str) -> bytes:
    return (WEBHOOKS / name).read_bytes()


@pytest.fixture
def webhook_sample():
    return sample


@pytest.fixture(scope="session")
def sendgrid_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def sign_sendgrid(sendgrid_key):
    def _headers(body: bytes, ts: str = str(int(SIGNED_AT.timestamp()))) -> dict[str, str]:
        signature = sendgrid_key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts,
        }

    return _headers


class SnsSigner:
    """A self-signed 'SNS' certificate and messages signed with its key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
        )
        self.fetched: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        return self.certificate

    def envelope(self, kind: str, version: str = "2", **fields: str) -> dict[str, str]:
        message = {
            "Type": kind,
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": TEST_TOPIC,
            "Timestamp": SIGNED_AT.isoformat().replace("+00:00", ".237Z"),
            "SignatureVersion": version,
            "SigningCertURL": CERT_URL,
            **fields,
        }
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(string_to_sign(message), padding.PKCS1v15(), algorithm)
        message["Signature"] = base64.b64encode(signature).decode()
        return message

    def notification(self, ses_sample: str, version: str = "2") -> bytes:
        message = sample(ses_sample).decode()
        return json.dumps(self.envelope("Notification", version, Message=message)).encode()


@pytest.fixture
def sns_signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def mailgun_oca():
    """(handler, body) for an OCA Mailgun payload, behind a handler holding the OCA test suite's
    signing key. Mailgun signs only timestamp + token, so fields added to the event (keyword
    arguments) keep the signature valid."""

    def build(name: str, **event: object) -> tuple[WebhookHandler, bytes]:
        keys = json.loads(sample("mailgun_oca_keys.json"))
        secrets = WebhookSecrets(mailgun_signing_key=keys["signing_key"])
        signed_at = clock_at(keys["signature"]["timestamp"])
        handler = WebhookHandler(
            secrets, SnsVerifier(lambda url: b""), lambda url: None, clock=signed_at
        )
        payload = json.loads(sample(name))
        payload["event-data"].update(event)
        return handler, json.dumps(payload).encode()

    return build


@pytest.fixture(scope="session")
def notifications() -> list[str]:
    """The human-readable notification text of every message of the real bounce corpus."""
    found = []
    for path in sorted(p for p in BOUNCES.rglob("*") if p.suffix in (".txt", ".eml", ".msg")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        found.append(mta_formats.split_notification(msg)[0])
    return found
