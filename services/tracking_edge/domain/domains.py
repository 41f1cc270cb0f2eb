"""Tracking domain rules (pure): what a valid tracking hostname is, the DNS TXT record that
proves a tenant owns it, and the host of a base URL as tokens record it."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import ada_url

from emailtrack.common.errors import InvalidArgument

MAX_DOMAIN_LENGTH = 253
TXT_RECORD_PREFIX = "_emailtrack"
TXT_VALUE_PREFIX = "emailtrack-verification="
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidDomain(InvalidArgument):
    """Not a hostname a tenant can use for tracking links; the message says why."""


def normalise_domain(raw: str) -> str:
    """The ASCII (IDNA) lower-case form of a tracking hostname: at least two labels of
    letters, digits and inner hyphens, no IP address, no port, no trailing dot."""
    text = raw.strip().rstrip(".")
    if not text or len(text) > MAX_DOMAIN_LENGTH or not text.isprintable():
        raise InvalidDomain(f"domain must be a hostname of at most {MAX_DOMAIN_LENGTH} characters")
    try:
        ascii_name = ada_url.idna_to_ascii(text.lower())
    except (ValueError, UnicodeError) as exc:
        raise InvalidDomain(f"{raw!r} is not a valid hostname") from exc
    name = ascii_name.decode() if isinstance(ascii_name, bytes) else ascii_name
    labels = name.split(".")
    if (
        not name
        or len(name) > MAX_DOMAIN_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidDomain(
            f"{raw!r} is not a valid hostname (letters, digits, inner hyphens; two labels or more)"
        )
    return name


def txt_record_name(domain: str) -> str:
    return f"{TXT_RECORD_PREFIX}.{domain}"


def txt_record_value(verification_token: str) -> str:
    return f"{TXT_VALUE_PREFIX}{verification_token}"


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


def host_of(base_url: str) -> str:
    """The lower-case hostname of a base URL (no port), as tokens record it."""
    return ada_url.URL(base_url).hostname.lower()


@dataclass(frozen=True, slots=True)
class TrackingDomain:
    tenant_id: str
    domain: str
    verification_token: str
    created_at: datetime
    verified_at: datetime | None
    check_failing_since: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None
