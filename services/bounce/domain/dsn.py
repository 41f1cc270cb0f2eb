"""RFC 3464 delivery status notifications: the per-recipient fields of message/delivery-status."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any

from services.bounce.domain import taxonomy as t
from services.bounce.domain.header_blocks import header_block
from services.bounce.domain.literals import CaselessScreened
from services.bounce.domain.mime_tree import field_text

_ADDRESS_TYPES = ("rfc822;", "smtp;", "x400;", "utf-8;")
# Non-standard fields some gateways (X.400, PMDF) use to carry the human-readable reason.
# Where written-in fields start: the first recipient field, or the Action that some MTAs write
# first in each recipient's group (Amazon WorkMail).
_INLINE_START_RE = re.compile(
    r"^(?:(?:final|original)-recipient|action):", re.IGNORECASE | re.MULTILINE
)
_INLINE_START = CaselessScreened(_INLINE_START_RE)
_MAX_INLINE = 8000
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")
_EXTRA_TEXT_FIELDS = ("x400-supplementary-info", "x-supplementary-info", "x-display-name", "reason")
# PowerMTA classifies every bounce it reports in X-PowerMTA-BounceCategory: that category is
# its verdict on the recipient (as Sisimai's PowerMTA module reads it), in our reasons.
_BOUNCE_CATEGORIES = {
    "bad-domain": t.HOST_UNKNOWN,
    "bad-mailbox": t.USER_UNKNOWN,
    "inactive-mailbox": t.SUSPENDED,
    "message-expired": t.EXPIRED,
    "no-answer-from-host": t.NETWORK_ERROR,
    "policy-related": t.POLICY_VIOLATION,
    "quota-issues": t.MAILBOX_FULL,
    "routing-errors": t.SYSTEM_ERROR,
    "spam-related": t.SPAM_DETECTED,
}


# RFC 1891-era spellings of RFC 3464's actions (as Sisimai::RFC1894 maps them).
_ACTION_SPELLINGS = {"deliverable": "delivered", "expired": "delayed", "failure": "failed"}


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """One per-recipient block of a delivery-status part."""

    address: str  # the final recipient (Final-Recipient, else Original-Recipient)
    action: str
    status: str
    diagnostic: str
    remote_mta: str
    reporting_mta: str
    original_recipient: str = ""  # Original-Recipient when it names another address
    category_reason: str = ""  # the reason a sender's own bounce category names (PowerMTA)
    diagnostic_type: str = ""  # the Diagnostic-Code's type, lower-cased ("smtp", "x-unix")


def _text(value: object) -> str:
    return " ".join(field_text(value).split()) if value is not None else ""


def type_of(value: str) -> str:
    """The RFC 3464 type prefix of a field value, lower-cased ("smtp", "x-unix"), or ""."""
    head, sep, _ = value.partition(";")
    return head.strip().lower() if sep and " " not in head.strip() and "@" not in head else ""


def strip_type(value: str) -> str:
    """Drop an RFC 3464 type prefix ("dns;", "smtp;", "rfc822;") from a field value."""
    head, sep, tail = value.partition(";")
    if sep and " " not in head.strip() and "@" not in head:
        return tail.strip()
    return value.strip()


def _address(value: str) -> str:
    """The address of a recipient field, without its type (some gateways write it twice)."""
    value = value.strip()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _ADDRESS_TYPES:
            if value.lower().startswith(prefix):
                value = value[len(prefix) :].strip()
                stripped = True
    return value.strip("<> \t").strip()


def _field_address(fields: dict[str, Any], name: str) -> str:
    """The address of an RFC 822 typed recipient field; "" for a bare local part, an X.400
    name or another non-address (``rfc822; 1``)."""
    address = _address(strip_type(_text(fields.get(name))))
    if "@" in address and " " not in address.strip():
        return address
    return ""


def _action(fields: dict[str, Any]) -> str:
    """The recipient's RFC 3464 action, lower-cased, without a comment ("relayed (to
    non-DSN-aware mailer)"); an older spelling read as its RFC 3464 name; none written beside a
    success status (2.X.X) is "delivered", as Sisimai reads any 2.X.X."""
    action = _text(fields.get("action")).lower().split(" ")[0]
    if not action and _text(fields.get("status")).startswith("2."):
        return "delivered"
    return _ACTION_SPELLINGS.get(action, action)


def _recipients(fields: dict[str, Any]) -> tuple[str, str]:
    """(final, original) recipient of a block: the final recipient is the address the report
    is about (RFC 3464 2.3.2); the Original-Recipient is returned beside it when it names a
    different address (a forward or alias), never instead of it."""
    final = _field_address(fields, "final-recipient")
    original = _field_address(fields, "original-recipient")
    if not final or (original and "." not in final.rpartition("@")[2]):
        # No final address, or only a host-internal one ("user@sims-ms-daemon").
        return original, ""
    return final, original if original.lower() != final.lower() else ""


def _fields(block: Message) -> dict[str, Any]:
    """The value of each field of ``block`` by lower-cased name, the first of a repeated one
    (what ``block.get`` returns), read in one pass over the fields."""
    fields: dict[str, Any] = {}
    for name, value in block.items():
        fields.setdefault(name.lower(), value)
    return fields


def _groups(block: Message) -> list[Message]:
    """``block`` split into per-recipient groups where a field repeats: some MTAs write the
    groups without the blank line RFC 3464 puts between them, some start each with Action."""
    names = [name.lower() for name in block]
    if len(names) == len(set(names)) or "final-recipient" not in names:
        return [block]
    groups: list[Message] = []
    current = Message()
    for name, value in block.items():
        key = name.lower()
        # A group ends at a repeated field or at the next recipient field once it has one.
        if "final-recipient" in current and (key in current or key in _RECIPIENT_FIELDS):
            groups.append(current)
            current = Message()
        current[name] = value
    groups.append(current)
    return groups


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    blocks: list[Message] = []
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
    elif isinstance(payload, str):
        text = payload.replace("\r\n", "\n")
        chunks = text.split("\n\n")
        blocks = [header_block(chunk.strip() + "\n") for chunk in chunks if chunk.strip()]
    return [group for block in blocks for group in _groups(block)]


def delivery_status_parts(parts: Sequence[tuple[Message, str]]) -> list[Message]:
    """Every message/delivery-status (or global-delivery-status) part among a message's
    (part, content type) pairs."""
    return [
        part
        for part, content_type in parts
        if content_type in ("message/delivery-status", "message/global-delivery-status")
    ]


def inline_delivery_status(text: str) -> list[DsnRecipient]:
    """Delivery-status fields written into a plain-text notification (XWall, broken MIME
    headers that turn a multipart/report into one text body), from the first
    Final-Recipient/Original-Recipient (or Action) line on; [] when there are none."""
    match = _INLINE_START.search(text)
    if match is None:
        return []
    part = Message()
    part.set_payload(text[match.start() : match.start() + _MAX_INLINE])
    return [e for e in parse_delivery_status(part) if "@" in e.address and e.action]


def parse_delivery_status(part: Message) -> list[DsnRecipient]:
    """Per-recipient entries of one delivery-status part (blocks without a recipient skipped)."""
    reporting_mta = ""
    recipients: dict[str, DsnRecipient] = {}
    for block in _blocks(part):
        fields = _fields(block)
        if fields.get("reporting-mta") is not None and fields.get("final-recipient") is None:
            reporting_mta = strip_type(_text(fields.get("reporting-mta")))
            continue
        address, original_address = _recipients(fields)
        if not address or address.lower() in recipients:
            continue
        diagnostic_code = _text(fields.get("diagnostic-code"))
        diagnostic = strip_type(diagnostic_code)
        extras = [_text(fields.get(name)) for name in _EXTRA_TEXT_FIELDS if fields.get(name)]
        recipients[address.lower()] = DsnRecipient(
            address=address,
            action=_action(fields),
            status=_text(fields.get("status")),
            diagnostic=" ".join([diagnostic, *extras]).strip(),
            remote_mta=strip_type(_text(fields.get("remote-mta"))),
            reporting_mta=reporting_mta or strip_type(_text(fields.get("reporting-mta"))),
            original_recipient=original_address,
            category_reason=_BOUNCE_CATEGORIES.get(
                _text(block.get("x-powermta-bouncecategory")).lower(), ""
            ),
            diagnostic_type=type_of(diagnostic_code),
        )
    return list(recipients.values())
