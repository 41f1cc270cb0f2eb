"""Shared-secret and public-key webhook signatures: SendGrid (ECDSA P-256 over timestamp +
body, the timestamp within the replay tolerance), Mailgun (HMAC-SHA256 of timestamp + token),
Mandrill (HMAC-SHA1 of URL + sorted POST params, base64) and Postmark (no signature: one of the
configured secret tokens in the URL or HTTP basic auth)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.bounce.webhooks.common import InvalidSignature, NotConfigured, from_unix, header
from services.bounce.webhooks.freshness import check_fresh

SENDGRID_SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
SENDGRID_TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
MANDRILL_SIGNATURE = "X-Mandrill-Signature"


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature(f"{what} is not base64") from exc


def load_sendgrid_key(public_key_b64: str) -> ec.EllipticCurvePublicKey:
    """The verification key SendGrid shows in its settings (base64 DER SubjectPublicKeyInfo)."""
    key = serialization.load_der_public_key(base64.b64decode(public_key_b64))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("the SendGrid verification key must be an ECDSA public key")
    return key


def verify_sendgrid(
    key: ec.EllipticCurvePublicKey | None,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: timedelta,
) -> None:
    """The signature must match and its (signed) timestamp be within ``tolerance`` of now."""
    if key is None:
        raise NotConfigured("EMAILTRACK_SENDGRID_PUBLIC_KEY is not set")
    signature, timestamp = header(headers, SENDGRID_SIGNATURE), header(headers, SENDGRID_TIMESTAMP)
    if not signature or not timestamp:
        raise InvalidSignature("missing SendGrid signature headers")
    try:
        key.verify(
            _b64(signature, "signature"), timestamp.encode() + body, ec.ECDSA(hashes.SHA256())
        )
    except CryptoInvalidSignature as exc:
        raise InvalidSignature("SendGrid signature does not match") from exc
    if not timestamp.isdigit():
        raise InvalidSignature("SendGrid timestamp is not a Unix time")
    check_fresh(from_unix(timestamp, "SendGrid timestamp"), now, tolerance, "SendGrid signature")


def mailgun_signature(key: str, timestamp: str, token: str) -> str:
    return hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()


def verify_mailgun(key: str, timestamp: str, token: str, signature: str) -> None:
    if not key:
        raise NotConfigured("EMAILTRACK_MAILGUN_SIGNING_KEY is not set")
    if not hmac.compare_digest(mailgun_signature(key, timestamp, token), signature):
        raise InvalidSignature("Mailgun signature does not match")


def mandrill_signature(key: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    signed = url + "".join(name + value for name, value in sorted(params))
    return base64.b64encode(hmac.new(key.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def verify_mandrill(
    key: str, url: str, params: Sequence[tuple[str, str]], headers: Mapping[str, str]
) -> None:
    if not key:
        raise NotConfigured("EMAILTRACK_MANDRILL_WEBHOOK_KEY is not set")
    given = header(headers, MANDRILL_SIGNATURE)
    if not given or not hmac.compare_digest(mandrill_signature(key, url, params), given):
        raise InvalidSignature("Mandrill signature does not match")


def _one_of(given: str, tokens: Sequence[str]) -> bool:
    """Constant-time comparison against every configured token (no early exit)."""
    matches = [hmac.compare_digest(given.encode(), token.encode()) for token in tokens]
    return bool(given) and any(matches)


def verify_postmark(tokens: Sequence[str], url: str, headers: Mapping[str, str]) -> None:
    """Accepts ``?token=<token>`` in the webhook URL or HTTP basic auth with password <token>,
    for any of ``tokens`` (several while one is being rotated)."""
    tokens = [token for token in tokens if token]
    if not tokens:
        raise NotConfigured("EMAILTRACK_POSTMARK_WEBHOOK_TOKENS is not set")
    in_url = parse_qs(urlsplit(url).query).get("token", [""])[0]
    if _one_of(in_url, tokens):
        return
    authorization = header(headers, "Authorization")
    if authorization.lower().startswith("basic "):
        try:
            credentials = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, ValueError) as exc:
            raise InvalidSignature("malformed basic auth") from exc
        if _one_of(credentials.partition(":")[2], tokens):
            return
    raise InvalidSignature("Postmark webhook token missing or wrong")
