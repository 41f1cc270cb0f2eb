"""Mailgun's legacy webhooks (before its 2018 JSON webhooks, still sent to routes configured
then): one event per form-encoded or multipart POST, with ``timestamp``, ``token`` and
``signature`` fields checked like the JSON webhooks (HMAC, freshness, single-use token).

Events: delivered, opened, clicked, complained, unsubscribed; ``bounced`` (a permanent failure)
is a bounce classified from ``code``/``error``/``notification``; ``dropped`` (Mailgun did not
send) maps by code: 605 previously bounced → hard bounce ``suppressed``, 606 unsubscribed →
unsubscribe, 607 previous spam complaint → complaint ``suppressed``; reason ``old`` (gave up
retrying) → soft bounce ``expired``; other drops are classified from their text. Attribution:
the custom variables Mailgun posts as fields, else X-Mailgun-Variables in message-headers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    CAMPAIGN_KEY,
    MESSAGE_KEY,
    SUPPRESSED,
    MalformedPayload,
    Mapped,
    attribution,
    classify,
    event_key,
    from_unix,
    list_of,
    map_each,
)
from services.bounce.webhooks.freshness import Nonce, ReplayPolicy
from services.bounce.webhooks.mailgun import verified_nonce

Fields = Sequence[tuple[str, str]]
_SIMPLE: dict[str, OutcomeKind] = {
    "delivered": "delivered",
    "opened": "open",
    "clicked": "click",
    "complained": "complaint",
    "unsubscribed": "unsubscribe",
}
# dropped code -> (kind, reason, bounce type)
_DROP_CODES: dict[str, tuple[OutcomeKind, str, t.BounceType]] = {
    "605": ("bounce", SUPPRESSED, t.HARD),
    "606": ("unsubscribe", SUPPRESSED, ""),
    "607": ("complaint", SUPPRESSED, ""),
}
_REPEATABLE = {"opened", "clicked"}  # each one its own event


def form_fields(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The (name, value) fields of a urlencoded or multipart/form-data body; file parts
    (attachments of the original message) are skipped."""
    if content_type.lower().startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        if not message.is_multipart():
            raise MalformedPayload("Mailgun multipart body has no parts")
        return [field for part in message.iter_parts() if (field := _field(part)) is not None]
    try:
        return parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload(f"Mailgun body is not form-encoded: {exc}") from exc


def _field(part: Message) -> tuple[str, str] | None:
    name = part.get_param("name", header="content-disposition")
    if not isinstance(name, str) or part.get_filename() is not None:
        return None
    payload = part.get_payload(decode=True)
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return name, text


def _first(fields: Fields, name: str) -> str:
    """Mailgun merges custom variables into the fields: its own value comes first."""
    return next((value for key, value in fields if key == name), "")


def _last(fields: Fields, name: str) -> str:
    return next((value for key, value in reversed(fields) if key == name), "")


def _header_variables(fields: Fields) -> dict[str, str]:
    try:
        headers = json.loads(_first(fields, "message-headers") or "[]")
        for pair in list_of(headers):
            if isinstance(pair, list) and len(pair) == 2 and pair[0] == "X-Mailgun-Variables":
                variables = json.loads(pair[1])
                return variables if isinstance(variables, dict) else {}
    except (TypeError, ValueError):
        return {}
    return {}


def _mapped(fields: Fields, text: str) -> tuple[OutcomeKind, str, t.BounceType] | None:
    name, code = _first(fields, "event"), _first(fields, "code")
    if name in _SIMPLE:
        return _SIMPLE[name], t.FEEDBACK if name == "complained" else "", ""
    if name == "bounced":
        found = classify("", text, 550)
        return "bounce", found.reason, found.bounce_type
    if name != "dropped":
        return None
    if code in _DROP_CODES:
        return _DROP_CODES[code]
    if _first(fields, "reason") == "old":  # Mailgun gave up retrying
        return "bounce", t.EXPIRED, t.SOFT
    found = classify("", text, 550)
    return "bounce", found.reason, found.bounce_type


def _outcomes(tenant_id: str, fields: Fields, received_at: datetime) -> list[Outcome]:
    text = " ".join(
        v
        for v in (_first(fields, n) for n in ("code", "error", "notification", "description"))
        if v
    )
    mapped = _mapped(fields, text)
    if mapped is None:
        return []
    kind, reason, bounce_type = mapped
    address = _first(fields, "recipient")
    if "@" not in address:
        raise MalformedPayload("Mailgun legacy event: recipient is not an address")
    variables = {
        **_header_variables(fields),
        **{k: v for k, v in fields if k in (CAMPAIGN_KEY, MESSAGE_KEY)},
    }
    campaign_id, message_id = attribution(variables)
    event, token = _first(fields, "event"), _last(fields, "token")
    smtp_message_id = _first(fields, "Message-Id") or _first(fields, "message-id")
    natural = (smtp_message_id, event, address.lower(), token if event in _REPEATABLE else "")
    return [
        Outcome(
            event_id=event_key("mailgun", tenant_id, "legacy", *natural),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_unix(_last(fields, "timestamp"), "Mailgun event", received_at),
            source="mailgun",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=bounce_type,
            reason=reason,
            smtp_code=_first(fields, "code") if kind == "bounce" else "",
            diagnostic=text[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=_first(fields, "url"),
            client_ip=_first(fields, "ip"),
            user_agent=_first(fields, "user-agent"),
            esp_event_id=token,
        )
    ]


def parse(
    tenant_id: str,
    body: bytes,
    content_type: str,
    signing_key: str,
    policy: ReplayPolicy,
    now: datetime,
) -> tuple[Mapped, Nonce]:
    """Verifies the posted signature fields and their freshness, then maps the one event."""
    fields = form_fields(body, content_type)
    claim = verified_nonce(
        signing_key,
        _last(fields, "timestamp"),
        _last(fields, "token"),
        _last(fields, "signature"),
        policy,
        now,
    )
    return map_each([fields], lambda item, _: _outcomes(tenant_id, item, now)), claim
