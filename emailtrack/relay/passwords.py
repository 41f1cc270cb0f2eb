"""Relay AUTH credentials at rest: scrypt hashes (`scrypt$n$r$p$salt$hash`, base64 parts),
checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def parse_users(items: list[str]) -> dict[str, str]:
    """``user:scrypt$...`` items as {user: stored hash}."""
    users: dict[str, str] = {}
    for item in items:
        name, _, stored = item.partition(":")
        if not name or not stored.startswith("scrypt$"):
            raise ValueError(
                "relay users must be 'user:scrypt$...' (emailtrack relay hash-password)"
            )
        users[name] = stored
    return users
