"""Dashboard password hashes: scrypt (hashlib, RFC 7914) with a random 16-byte salt, stored
as ``scrypt$N$r$p$salt$hash`` (unpadded base64url). A stored value without that prefix is a
plaintext bootstrap password from the environment (compared in constant time); operators
replace it with ``emailtrack dashboard set-password``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "scrypt$"
COST_N = 2**15  # 32 MiB and ~0.1 s per check: OWASP's scrypt floor is N=2^17 r=8 p=1 or
COST_R = 8  # N=2^15 with a higher p; logins are throttled per IP and per user as well
COST_P = 2
KEY_BYTES = 32
MAX_PASSWORD_BYTES = 1024


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode()[:MAX_PASSWORD_BYTES],
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r,
        dklen=KEY_BYTES,
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, COST_N, COST_R, COST_P)
    return f"{PREFIX}{COST_N}${COST_R}${COST_P}${_b64(salt)}${_b64(digest)}"


def is_hashed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (or bootstrap plaintext)."""
    if not is_hashed(stored):
        return hmac.compare_digest(stored.encode(), password.encode())
    try:
        n, r, p, salt, digest = stored[len(PREFIX) :].split("$")
        expected = _unb64(digest)
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def credential_version(stored: str) -> str:
    """A short digest of the stored credential: sessions carry it, so a changed password
    (a new hash or plaintext) ends every session opened with the old one."""
    return hashlib.sha256(b"emailtrack-dashboard-credential\x00" + stored.encode()).hexdigest()[:16]
