"""Amazon SNS message signatures (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA).

The signing certificate is fetched only from https://sns.<region>.amazonaws.com/*.pem (the
URL is validated strictly before any fetch) through an injected fetcher, and cached per URL.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from services.bounce.webhooks.common import InvalidSignature, MalformedPayload

Fetcher = Callable[[str], bytes]
_SNS_HOST_RE = re.compile(r"^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)


def is_sns_url(url: str, *, path_suffix: str = "") -> bool:
    """True for https://sns.<region>.amazonaws.com[.cn]/... with no port, user or fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and port is None
        and parts.username is None
        and not parts.fragment
        and bool(_SNS_HOST_RE.match(parts.hostname or ""))
        and parts.path.endswith(path_suffix)
    )


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """The canonical "Name\\nvalue\\n" text SNS signs (absent optional fields are skipped)."""
    kind = message.get("Type")
    fields = _NOTIFICATION_FIELDS if kind == "Notification" else _CONFIRMATION_FIELDS
    lines = []
    for name in fields:
        value = message.get(name)
        if value is None:
            if name == "Subject":
                continue
            raise MalformedPayload(f"SNS message lacks {name}")
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode()


class SnsVerifier:
    """Verifies SNS messages; certificates are fetched once per URL, then cached."""

    def __init__(self, fetch: Fetcher) -> None:
        self._fetch = fetch
        self._certificates: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()

    def _public_key(self, url: str) -> rsa.RSAPublicKey:
        if not is_sns_url(url, path_suffix=".pem"):
            raise InvalidSignature(f"SigningCertURL {url!r} is not an Amazon SNS URL")
        with self._lock:
            cached = self._certificates.get(url)
        if cached is not None:
            return cached
        try:
            key = x509.load_pem_x509_certificate(self._fetch(url)).public_key()
        except ValueError as exc:
            raise InvalidSignature("SigningCertURL did not return a certificate") from exc
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidSignature("SNS signing certificate is not RSA")
        with self._lock:
            self._certificates[url] = key
        return key

    def verify(self, message: Mapping[str, Any]) -> None:
        algorithm = _HASHES.get(str(message.get("SignatureVersion", "")))
        if algorithm is None:
            raise InvalidSignature("unsupported SNS SignatureVersion")
        try:
            signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidSignature("SNS signature is not base64") from exc
        key = self._public_key(str(message.get("SigningCertURL", "")))
        try:
            key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm())
        except CryptoInvalidSignature as exc:
            raise InvalidSignature("SNS signature does not match") from exc
