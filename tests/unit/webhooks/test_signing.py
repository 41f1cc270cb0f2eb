"""Signatures made with the standardwebhooks package verify with the independent
implementation of the spec (tests/webhook_receiver.py); rotation signs with every live
secret; tampering, an old timestamp or a wrong secret fail; secrets are sealed at rest."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from services.webhooks.signing import SecretBox, new_secret, signature_headers
from tests.webhook_receiver import verify_signature


def test_signature_verifies_independently_and_fails_when_tampered() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    body = '{"type":"email.bounced"}'
    headers = signature_headers("ev_1", datetime.now(UTC), body, [secret])
    assert headers["webhook-signature"].startswith("v1,")
    assert verify_signature(secret, headers, body.encode())
    assert not verify_signature(secret, headers, body.encode() + b" ")
    assert not verify_signature(new_secret(), headers, body.encode())
    assert not verify_signature(secret, {**headers, "webhook-id": "ev_2"}, body.encode())


def test_stale_timestamp_is_rejected() -> None:
    secret = new_secret()
    old = datetime.now(UTC) - timedelta(minutes=10)
    headers = signature_headers("ev_1", old, "{}", [secret])
    assert not verify_signature(secret, headers, b"{}")
    assert verify_signature(secret, headers, b"{}", now=time.time() - 600)


def test_rotation_signs_with_old_and_new_secret() -> None:
    old, new = new_secret(), new_secret()
    headers = signature_headers("ev_1", datetime.now(UTC), "{}", [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify_signature(old, headers, b"{}")
    assert verify_signature(new, headers, b"{}")


def test_secrets_are_sealed_to_their_endpoint() -> None:
    box = SecretBox(os.urandom(32))
    secret = new_secret()
    sealed = box.seal("ep_1", secret)
    assert secret.encode() not in sealed
    assert box.open("ep_1", sealed) == secret
    with pytest.raises(ValueError):
        box.open("ep_2", sealed)
