"""The API key format and its hashing: ``et_<prefix>_<secret>`` with a random 12-hex-digit
prefix (public: how a key is listed and revoked) and a 256-bit secret. Only the SHA-256 of
the secret is stored; a random 256-bit secret needs no slow hash, and digests are compared
in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "et"
_KEY = re.compile(r"et_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
MAX_PRESENTED_LENGTH = 256


@dataclass(frozen=True)
class NewKey:
    """A freshly made key: ``presented`` is shown once; ``prefix`` and ``secret_hash`` are
    what is stored."""

    presented: str
    prefix: str
    secret_hash: bytes


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_key() -> NewKey:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(f"{KEY_PREFIX}_{prefix}_{secret}", prefix, secret_hash(secret))


def split_key(presented: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed key, else None (never raises)."""
    if len(presented) > MAX_PRESENTED_LENGTH:
        return None
    match = _KEY.fullmatch(presented)
    return (match.group(1), match.group(2)) if match else None


def matches(secret: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
