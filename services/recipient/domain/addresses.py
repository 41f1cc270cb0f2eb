"""Address normalisation: syntax validated by email-validator, domain lower-cased and
IDNA-encoded, local part kept as given; the recipient id is derived from that form.

Validating the domain is most of email-validator's cost and senders reuse few domains, so
each domain's validation is cached: an address whose local part is a plain ASCII dot-atom
(which the library accepts unchanged) only needs its domain checked. Anything else goes
through the full ``validate_email``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from emailtrack.common.identity import recipient_id_for
from services.recipient.domain.errors import InvalidArgument

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_LENGTH = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_LOCAL_PART = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*\Z")


@dataclass(frozen=True)
class Address:
    """A valid address in stored form (``local@ascii-domain``) and its tenant-scoped id."""

    email: str
    recipient_id: str


def validated(text: str) -> str:
    """The library's verdict on a whole address, in stored form."""
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidArgument(f"invalid email {text!r}: {exc}") from exc
    return f"{valid.local_part}@{valid.ascii_domain.lower()}"


@lru_cache(maxsize=16384)
def _ascii_domain(domain: str) -> str:
    """Raises EmailNotValidError for a bad domain (not cached: lru_cache skips exceptions)."""
    return validate_email(f"postmaster@{domain}", check_deliverability=False).ascii_domain.lower()


def canonical_email(raw: str) -> str:
    """Returns ``local@domain`` with the domain lower-cased in IDNA (ASCII) form; raises
    InvalidArgument with the validator's explanation for anything that is not an address."""
    text = raw.strip()
    if not text:
        raise InvalidArgument("email is required")
    local, at, domain = text.rpartition("@")
    if at and len(local) <= MAX_LOCAL_LENGTH and PLAIN_LOCAL_PART.match(local):
        try:
            ascii_domain = _ascii_domain(domain)
        except EmailNotValidError:
            return validated(text)
        if len(local) + 1 + len(ascii_domain) <= MAX_ADDRESS_LENGTH:
            return f"{local}@{ascii_domain}"
    return validated(text)


def normalise(tenant_id: str, raw: str) -> Address:
    email = canonical_email(raw)
    return Address(email, recipient_id_for(tenant_id, email))


def recipient_id_of(tenant_id: str, raw: str) -> str:
    """The id for an address seen in an event: the canonical form when it is valid, else the
    shared identity rule over the raw text (so that a malformed address still matches)."""
    try:
        return normalise(tenant_id, raw).recipient_id
    except InvalidArgument:
        return recipient_id_for(tenant_id, raw)
