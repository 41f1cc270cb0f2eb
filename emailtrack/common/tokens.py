"""Tracking tokens: compact, URL-safe, versioned, keyed by a key id; v2 opaque, v1 still read.

- ``v2.<key id>.<sealed>`` (written by default): ``sealed`` is base64url of a 12-byte random
  nonce followed by the AES-GCM-SIV encryption of the protobuf ``TokenClaims`` (16-byte tag),
  with ``v2.<key id>`` as associated data. Nothing of tenant, recipient, message or destination
  is readable; any change to any byte fails authentication. The AEAD key is derived from the
  configured secret with HKDF-SHA256 (so the same secret never serves both HMAC and AES).
  Why AES-GCM-SIV with random nonces: RFC 8452 keeps it safe for far more than 2^32 messages per
  key (GCM's random-nonce limit), and a repeated nonce reveals only that two tokens carry the
  same claims, never the claims or the key (ChaCha20-Poly1305 would lose both).
- ``v1.<key id>.<claims>.<tag>`` (mail already sent): base64url protobuf claims in clear and the
  first 16 bytes of HMAC-SHA256 over ``v1.<key id>.<claims>``.

Every base64url part must be canonical (no padding, no stray bits, no other alphabet): one
token has one spelling. Active keys sign (one of them) and verify; retired keys only verify, so
links in mail sent years ago keep working after rotation. A token past the maximum age still
verifies, marked ``expired``: the tracking window is closed, the link is not.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from google.protobuf.message import DecodeError

from emailtrack.common.config import ConfigError, env_int, env_str
from emailtrack.v1 import events_pb2

VERSION_1 = "v1"
VERSION_2 = "v2"
VERSIONS = (VERSION_1, VERSION_2)
TAG_BYTES = 16
NONCE_BYTES = 12
MIN_KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MAX_TOKEN_LENGTH = 16384
"""Tokens up to this length verify: a click token for a link of ``MAX_LINK_LENGTH`` (10,000
characters, see browser_urls) is about 13,500 characters."""
_AEAD_KEY_INFO = b"emailtrack token v2 aes-gcm-siv"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
# By length mod 4, the last characters of canonical spellings: a final group of 2 (3)
# characters has 4 (2) unused low bits, zero in the one spelling _b64encode writes.
_CANONICAL_LAST = {
    2: frozenset(c for value, c in enumerate(_BASE64URL_ALPHABET) if value % 16 == 0),
    3: frozenset(c for value, c in enumerate(_BASE64URL_ALPHABET) if value % 4 == 0),
}
_PADDING = {0: b"", 2: b"==", 3: b"="}


class InvalidToken(ValueError):
    """The token is malformed, forged, altered, non-canonical or sealed with an unknown key."""


class ExpiredToken(InvalidToken):
    """The token is genuine but older than the maximum age."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Decodes canonical unpadded base64url only (the one spelling ``_b64encode`` writes),
    checked without encoding the bytes again: the alphabet, a length that is a whole number
    of bytes, and no unused low bit set in the last character."""
    tail = len(text) % 4
    if (
        tail == 1
        or not _BASE64URL.fullmatch(text)
        or (tail and text[-1] not in _CANONICAL_LAST[tail])
    ):
        raise InvalidToken("token is not canonical base64url")
    return binascii.a2b_base64(text.encode("ascii").translate(_FROM_URLSAFE) + _PADDING[tail])


def _aead_for(secret: bytes) -> AESGCMSIV:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AEAD_KEY_INFO)
    return AESGCMSIV(derived.derive(secret))


def _parse_key_spec(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in spec.split(","):
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not secret:
            raise ConfigError("token keys must look like 'kid:base64url-secret,kid2:...'")
        try:
            keys[key_id] = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ConfigError(f"token key {key_id!r} is not base64url") from exc
    return keys


@dataclass(frozen=True)
class TokenKeys:
    """Active keys by id (they verify; ``signing_key_id`` also signs), retired keys (verify
    only), the maximum age of tracked hits and the token version new tokens are written in."""

    keys: Mapping[str, bytes]
    signing_key_id: str
    max_age: timedelta
    retired: Mapping[str, bytes] = field(default_factory=dict)
    version: str = VERSION_2
    _aeads: dict[str, AESGCMSIV] = field(init=False, repr=False, compare=False)
    max_age_s: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError("at least one token key is required")
        for key_id, secret in (*self.keys.items(), *self.retired.items()):
            if not KEY_ID_PATTERN.match(key_id):
                raise ConfigError(f"token key id {key_id!r} must match {KEY_ID_PATTERN.pattern}")
            if len(secret) < MIN_KEY_BYTES:
                raise ConfigError(f"token key {key_id!r} must be at least {MIN_KEY_BYTES} bytes")
        both = set(self.keys) & set(self.retired)
        if both:
            raise ConfigError(f"token key ids {sorted(both)} are both active and retired")
        if self.signing_key_id not in self.keys:
            raise ConfigError(f"signing key id {self.signing_key_id!r} is not an active key")
        if self.version not in VERSIONS:
            raise ConfigError(f"token version must be one of {VERSIONS}, got {self.version!r}")
        aeads = {kid: _aead_for(secret) for kid, secret in self.verifying_keys().items()}
        object.__setattr__(self, "_aeads", aeads)
        object.__setattr__(self, "max_age_s", self.max_age.total_seconds())

    def verifying_keys(self) -> dict[str, bytes]:
        """Every key a token may be verified with: active and retired."""
        return {**self.retired, **self.keys}

    def secret(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id) or self.retired.get(key_id)

    def aead(self, key_id: str) -> AESGCMSIV | None:
        return self._aeads.get(key_id)

    @classmethod
    def parse(
        cls,
        spec: str,
        signing_key_id: str = "",
        max_age_days: int = 365,
        retired_spec: str = "",
        version: str = VERSION_2,
    ) -> TokenKeys:
        """Parses ``kid:secret,kid2:secret2`` (secrets in base64url) for the active keys and,
        in the same form, the retired ones."""
        keys = _parse_key_spec(spec)
        retired = _parse_key_spec(retired_spec) if retired_spec.strip() else {}
        first = next(iter(keys))
        return cls(keys, signing_key_id or first, timedelta(days=max_age_days), retired, version)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TokenKeys:
        return cls.parse(
            env_str("EMAILTRACK_TOKEN_KEYS", None, env),
            env_str("EMAILTRACK_TOKEN_SIGNING_KEY_ID", "", env),
            env_int("EMAILTRACK_TOKEN_MAX_AGE_DAYS", 365, env),
            env_str("EMAILTRACK_TOKEN_RETIRED_KEYS", "", env),
            env_str("EMAILTRACK_TOKEN_VERSION", VERSION_2, env),
        )


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """The claims of a genuine token; ``expired`` when it is older than the maximum age."""

    claims: events_pb2.TokenClaims
    expired: bool


def _tag(secret: bytes, signed_part: str) -> bytes:
    return hmac.digest(secret, signed_part.encode("ascii"), hashlib.sha256)[:TAG_BYTES]


def sign(claims: events_pb2.TokenClaims, keys: TokenKeys) -> str:
    """Returns the token for ``claims`` under the current signing key, in ``keys.version``."""
    payload = events_pb2.TokenClaims()
    payload.CopyFrom(claims)
    payload.key_id = ""
    serialized = payload.SerializeToString()
    key_id = keys.signing_key_id
    if keys.version == VERSION_1:
        signed_part = f"{VERSION_1}.{key_id}.{_b64encode(serialized)}"
        return f"{signed_part}.{_b64encode(_tag(keys.keys[key_id], signed_part))}"
    header = f"{VERSION_2}.{key_id}"
    aead = keys.aead(key_id)
    assert aead is not None  # the signing key is an active key (checked at construction)
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + aead.encrypt(nonce, serialized, header.encode("ascii"))
    return f"{header}.{_b64encode(sealed)}"


def open_token(token: str, keys: TokenKeys, now: datetime | None = None) -> VerifiedToken:
    """The claims of a genuine token of either version, expired or not; raises InvalidToken
    for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("token is too long")
    if not token.isascii():
        raise InvalidToken("token contains non-ASCII characters")
    parts = token.split(".")
    if parts[0] == VERSION_2 and len(parts) == 3:
        claims = _open_v2(parts[1], parts[2], keys)
    elif parts[0] == VERSION_1 and len(parts) == 4:
        claims = _open_v1(parts[1], parts[2], parts[3], keys)
    elif parts[0] in VERSIONS:
        raise InvalidToken(f"a {parts[0]} token has {4 if parts[0] == VERSION_1 else 3} parts")
    else:
        raise InvalidToken(f"unsupported token version {parts[0][:8]!r}")
    expired = False
    if claims.HasField("sent_at"):
        now_s = now.timestamp() if now is not None else time.time()
        expired = now_s - claims.sent_at.seconds > keys.max_age_s
    return VerifiedToken(claims, expired)


def verify(token: str, keys: TokenKeys, now: datetime | None = None) -> events_pb2.TokenClaims:
    """Returns the claims of a genuine, unexpired token; raises ExpiredToken for a genuine one
    past the maximum age and InvalidToken otherwise."""
    verified = open_token(token, keys, now)
    if verified.expired:
        raise ExpiredToken("token has expired")
    return verified.claims


def _parse_claims(serialized: bytes, key_id: str) -> events_pb2.TokenClaims:
    claims = events_pb2.TokenClaims()
    try:
        claims.ParseFromString(serialized)
    except DecodeError as exc:
        raise InvalidToken("token claims are not decodable") from exc
    claims.key_id = key_id
    return claims


def _open_v2(key_id: str, encoded: str, keys: TokenKeys) -> events_pb2.TokenClaims:
    aead = keys.aead(key_id)
    if aead is None:
        raise InvalidToken("token sealed with an unknown key")
    sealed = _b64decode(encoded)
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise InvalidToken("token is too short")
    header = f"{VERSION_2}.{key_id}".encode("ascii")
    try:
        serialized = aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], header)
    except InvalidTag as exc:
        raise InvalidToken("token does not authenticate") from exc
    return _parse_claims(serialized, key_id)


def _open_v1(
    key_id: str, encoded_claims: str, encoded_tag: str, keys: TokenKeys
) -> events_pb2.TokenClaims:
    secret = keys.secret(key_id)
    if secret is None:
        raise InvalidToken("token signed with an unknown key")
    expected = _tag(secret, f"{VERSION_1}.{key_id}.{encoded_claims}")
    if not hmac.compare_digest(expected, _b64decode(encoded_tag)):
        raise InvalidToken("token signature does not match")
    return _parse_claims(_b64decode(encoded_claims), key_id)
