"""Signed tracking tokens: compact, URL-safe, versioned, HMAC-SHA256 with a key id.

Format: ``v1.<key id>.<claims>.<tag>`` where ``claims`` is the base64url protobuf
``TokenClaims`` and ``tag`` the first 16 bytes of HMAC-SHA256 over ``v1.<key id>.<claims>``.
Several keys verify while one signs, so keys rotate without breaking mail already sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.protobuf.message import DecodeError

from emailtrack.common.config import ConfigError, env_int, env_str
from emailtrack.v1 import events_pb2

VERSION = "v1"
TAG_BYTES = 16
MIN_KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MAX_TOKEN_LENGTH = 4096


class InvalidToken(ValueError):
    """The token is malformed, forged, altered, signed with an unknown key or expired."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("token is not valid base64url") from exc


@dataclass(frozen=True)
class TokenKeys:
    """Verification keys by id, and the id of the key that signs new tokens."""

    keys: Mapping[str, bytes]
    signing_key_id: str
    max_age: timedelta

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError("at least one token key is required")
        for key_id, secret in self.keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise ConfigError(f"token key id {key_id!r} must match {KEY_ID_PATTERN.pattern}")
            if len(secret) < MIN_KEY_BYTES:
                raise ConfigError(f"token key {key_id!r} must be at least {MIN_KEY_BYTES} bytes")
        if self.signing_key_id not in self.keys:
            raise ConfigError(f"signing key id {self.signing_key_id!r} is not among the keys")

    @classmethod
    def parse(cls, spec: str, signing_key_id: str = "", max_age_days: int = 365) -> TokenKeys:
        """Parses ``kid:secret,kid2:secret2`` (secrets in base64url)."""
        keys: dict[str, bytes] = {}
        for item in spec.split(","):
            key_id, sep, secret = item.strip().partition(":")
            if not sep or not secret:
                raise ConfigError("token keys must look like 'kid:base64url-secret,kid2:...'")
            try:
                keys[key_id] = _b64decode(secret)
            except InvalidToken as exc:
                raise ConfigError(f"token key {key_id!r} is not base64url") from exc
        first = next(iter(keys))
        return cls(keys, signing_key_id or first, timedelta(days=max_age_days))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TokenKeys:
        return cls.parse(
            env_str("EMAILTRACK_TOKEN_KEYS", None, env),
            env_str("EMAILTRACK_TOKEN_SIGNING_KEY_ID", "", env),
            env_int("EMAILTRACK_TOKEN_MAX_AGE_DAYS", 365, env),
        )


def _tag(secret: bytes, signed_part: str) -> bytes:
    return hmac.digest(secret, signed_part.encode("ascii"), hashlib.sha256)[:TAG_BYTES]


def sign(claims: events_pb2.TokenClaims, keys: TokenKeys) -> str:
    """Returns the token for ``claims`` signed with the current signing key."""
    payload = events_pb2.TokenClaims()
    payload.CopyFrom(claims)
    payload.key_id = ""
    signed_part = f"{VERSION}.{keys.signing_key_id}.{_b64encode(payload.SerializeToString())}"
    return f"{signed_part}.{_b64encode(_tag(keys.keys[keys.signing_key_id], signed_part))}"


def verify(token: str, keys: TokenKeys, now: datetime | None = None) -> events_pb2.TokenClaims:
    """Returns the claims of a genuine, unexpired token; raises InvalidToken otherwise."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("token is too long")
    if not token.isascii():
        raise InvalidToken("token contains non-ASCII characters")
    parts = token.split(".")
    if len(parts) != 4:
        raise InvalidToken("token must have four dot-separated parts")
    version, key_id, encoded_claims, encoded_tag = parts
    if version != VERSION:
        raise InvalidToken(f"unsupported token version {version!r}")
    secret = keys.keys.get(key_id)
    if secret is None:
        raise InvalidToken("token signed with an unknown key")
    expected = _tag(secret, f"{version}.{key_id}.{encoded_claims}")
    if not hmac.compare_digest(expected, _b64decode(encoded_tag)):
        raise InvalidToken("token signature does not match")
    claims = events_pb2.TokenClaims()
    try:
        claims.ParseFromString(_b64decode(encoded_claims))
    except DecodeError as exc:
        raise InvalidToken("token claims are not decodable") from exc
    claims.key_id = key_id
    if claims.HasField("sent_at"):
        now_s = now.timestamp() if now is not None else time.time()
        if now_s - claims.sent_at.seconds > keys.max_age.total_seconds():
            raise InvalidToken("token has expired")
    return claims
