"""Endpoint secrets and Standard Webhooks signatures. A secret is ``whsec_`` + base64 of 32
random bytes, shown once and stored encrypted (AES-GCM under the operator's key, the
endpoint id as associated data so a ciphertext cannot be moved to another endpoint). A
request carries webhook-id, webhook-timestamp and one ``v1,<base64 HMAC-SHA256>`` signature
per live secret (several during a rotation), computed by the ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32
NONCE_BYTES = 12


class SecretBox:
    """Encrypts endpoint secrets at rest with the operator's 256-bit key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the secrets key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, endpoint_id: str, secret: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), endpoint_id.encode())

    def open(self, endpoint_id: str, sealed: bytes) -> str:
        try:
            plain = self._aead.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], endpoint_id.encode()
            )
        except InvalidTag as exc:
            raise ValueError(f"secret of endpoint {endpoint_id} does not decrypt") from exc
        return plain.decode()


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(KEY_BYTES)).decode()


def signature_headers(
    message_id: str, sent_at: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    """The three Standard Webhooks headers, signed with every live secret."""
    if not secrets:
        raise ValueError("an endpoint without a secret cannot sign")
    signatures = [Webhook(secret).sign(message_id, sent_at, body) for secret in secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
