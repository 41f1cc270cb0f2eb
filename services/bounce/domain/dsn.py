"""RFC 3464 delivery status notifications: the per-recipient fields of message/delivery-status."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message

_ADDRESS_TYPES = ("rfc822;", "smtp;", "x400;", "utf-8;")
# Non-standard fields some gateways (X.400, PMDF) use to carry the human-readable reason.
_EXTRA_TEXT_FIELDS = ("x400-supplementary-info", "x-supplementary-info", "x-display-name", "reason")


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """One per-recipient block of a delivery-status part."""

    address: str
    action: str
    status: str
    diagnostic: str
    remote_mta: str
    reporting_mta: str


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def strip_type(value: str) -> str:
    """Drop an RFC 3464 type prefix ("dns;", "smtp;", "rfc822;") from a field value."""
    head, sep, tail = value.partition(";")
    if sep and " " not in head.strip() and "@" not in head:
        return tail.strip()
    return value.strip()


def _address(value: str) -> str:
    value = value.strip()
    lowered = value.lower()
    for prefix in _ADDRESS_TYPES:
        if lowered.startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    return value.strip("<> \t").strip()


def _recipient(block: Message) -> str:
    """Original-Recipient if it is an RFC 822 address (as flufl.bounce does), else Final."""
    for name in ("original-recipient", "final-recipient"):
        raw = _text(block.get(name))
        if raw.lower().startswith(("rfc822;", "utf-8;")) or raw.startswith("<"):
            return _address(raw)
    return _address(_text(block.get("final-recipient") or block.get("original-recipient")))


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    if isinstance(payload, str):
        text = payload.replace("\r\n", "\n")
        return [
            email.message_from_string(chunk.strip() + "\n", policy=email.policy.compat32)
            for chunk in text.split("\n\n")
            if chunk.strip()
        ]
    return []


def delivery_status_parts(msg: Message) -> list[Message]:
    """Every message/delivery-status (or global-delivery-status) part of ``msg``."""
    return [
        part
        for part in msg.walk()
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
    ]


def parse_delivery_status(part: Message) -> list[DsnRecipient]:
    """Per-recipient entries of one delivery-status part (blocks without a recipient skipped)."""
    reporting_mta = ""
    recipients: dict[str, DsnRecipient] = {}
    for block in _blocks(part):
        if block.get("reporting-mta") is not None and block.get("final-recipient") is None:
            reporting_mta = strip_type(_text(block.get("reporting-mta")))
            continue
        address = _recipient(block)
        if not address or address.lower() in recipients:
            continue
        diagnostic = strip_type(_text(block.get("diagnostic-code")))
        extras = [_text(block.get(name)) for name in _EXTRA_TEXT_FIELDS if block.get(name)]
        recipients[address.lower()] = DsnRecipient(
            address=address,
            action=_text(block.get("action")).lower().split(" ")[0],
            status=_text(block.get("status")),
            diagnostic=" ".join([diagnostic, *extras]).strip(),
            remote_mta=strip_type(_text(block.get("remote-mta"))),
            reporting_mta=reporting_mta or strip_type(_text(block.get("reporting-mta"))),
        )
    return list(recipients.values())
