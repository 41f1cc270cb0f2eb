"""Recipient identity shared by every service: an opaque, stable recipient id derived from
the tenant and the address, so that services (and tracking URLs) never need the address
itself to refer to a person, and any service can compute the id from an address it sees."""

from __future__ import annotations

import base64
import hashlib

PREFIX = "r_"


def address_key(email: str) -> str:
    """The comparison form of an address: trimmed and lower-cased (providers treat the local
    part case-insensitively in practice; the recipient service stores the display form)."""
    return email.strip().lower()


def recipient_id_for(tenant_id: str, email: str) -> str:
    digest = hashlib.sha256(f"{tenant_id}\x00{address_key(email)}".encode()).digest()
    return PREFIX + base64.b32encode(digest[:15]).decode().lower()
