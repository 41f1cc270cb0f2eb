"""Mandrill webhooks: form-encoded ``mandrill_events`` (a JSON array), signed with
X-Mandrill-Signature. Attribution: message metadata ``emailtrack_campaign_id`` /
``emailtrack_message_id``.

Message events map by name (``send`` and inbound mail record nothing); sync events
(``blacklist``/``whitelist``, no ``event`` key but a ``type``) record nothing and never reject
their batch; one event that cannot be mapped is dead-lettered alone. Mandrill signs no
timestamp, so replays are absorbed by the event id (a replayed event records nothing new)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    SUPPRESSED,
    MalformedPayload,
    Mapped,
    attribution,
    classify,
    event_key,
    from_unix,
    list_of,
    load_json,
    map_each,
    require,
    text_of,
)
from services.bounce.webhooks.signatures import verify_mandrill

# Mandrill event -> (our kind, SMTP code class implied when the diagnostic has none).
# soft_bounce is final (Mandrill gave up), so a soft "bounce", not "deferred".
_KINDS: dict[str, tuple[OutcomeKind, int]] = {
    "delivered": ("delivered", 0),
    "deferral": ("deferred", 450),
    "hard_bounce": ("bounce", 550),
    "soft_bounce": ("bounce", 450),
    "reject": ("bounce", 0),
    "spam": ("complaint", 0),
    "open": ("open", 0),
    "click": ("click", 0),
    "unsub": ("unsubscribe", 0),
}
_NOT_RECORDED = {"send", "inbound"}
# msg.bounce_description -> our reason when the diagnostic text says nothing more precise.
_DESCRIPTIONS = {
    "bad_mailbox": t.USER_UNKNOWN,
    "invalid_domain": t.HOST_UNKNOWN,
    "mailbox_full": t.MAILBOX_FULL,
    "spam_related": t.SPAM_DETECTED,
    "policy_related": t.POLICY_VIOLATION,
}


def _diagnostic(msg: dict[str, Any]) -> str:
    """msg.diag, else the last SMTP event's diag (where deferrals carry it)."""
    if text_of(msg.get("diag")):
        return text_of(msg.get("diag"))
    attempts = [e for e in list_of(msg.get("smtp_events")) if isinstance(e, dict)]
    return text_of(attempts[-1].get("diag")) if attempts else ""


def _failure(name: str, code: int, msg: dict[str, Any], text: str) -> t.SmtpClassification:
    if name == "reject":  # Mandrill refused to send: the address is on its rejection list
        return t.SmtpClassification(SUPPRESSED, t.HARD, t.DO_NOT_RETRY, "mandrill:reject")
    found = classify("", text, code)
    reason = found.reason
    if reason == t.UNDEFINED:
        reason = _DESCRIPTIONS.get(text_of(msg.get("bounce_description")), t.UNDEFINED)
    return t.classification_for(reason, code, found.matched_rule or "mandrill")


def _outcomes(tenant_id: str, item: Any, index: int, received_at: datetime) -> list[Outcome]:
    where = f"mandrill event {index}"
    if not isinstance(item, dict):
        raise MalformedPayload(f"{where}: not a JSON object")
    name = item.get("event")
    if name is None and isinstance(item.get("type"), str):
        return []  # sync event (blacklist/whitelist): nothing happened to a message
    if not isinstance(name, str):
        raise MalformedPayload(f"{where}: field 'event' missing or not a str")
    if name in _NOT_RECORDED or name not in _KINDS:
        return []
    kind, code = _KINDS[name]
    msg = require(item, "msg", dict, where)
    address = require(msg, "email", str, where)
    if "@" not in address:
        raise MalformedPayload(f"{where}: msg.email is not an address")
    text = _diagnostic(msg)
    failure = _failure(name, code, msg, text) if kind in ("bounce", "deferred") else None
    campaign_id, message_id = attribution(msg.get("metadata"))
    natural = text_of(item.get("_id")) or text_of(msg.get("_id"))
    return [
        Outcome(
            event_id=event_key("mandrill", tenant_id, natural, name, text_of(item.get("ts"))),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_unix(item.get("ts"), where, received_at),
            source="mandrill",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=failure.bounce_type if failure else "",
            reason=failure.reason if failure else (t.FEEDBACK if kind == "complaint" else ""),
            diagnostic=text[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=text_of(item.get("url")),
            user_agent=text_of(item.get("user_agent")),
            client_ip=text_of(item.get("ip")),
            esp_event_id=natural,
        )
    ]


def parse(
    tenant_id: str,
    body: bytes,
    url: str,
    headers: Mapping[str, str],
    key: str,
    received_at: datetime,
) -> Mapped:
    try:
        params = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload(f"Mandrill body is not form-encoded: {exc}") from exc
    verify_mandrill(key, url, params, headers)
    raw = dict(params).get("mandrill_events")
    if raw is None:
        raise MalformedPayload("Mandrill body lacks mandrill_events")
    events = load_json(raw.encode())
    if not isinstance(events, list):
        raise MalformedPayload("mandrill_events must be a JSON array")
    return map_each(events, lambda item, i: _outcomes(tenant_id, item, i, received_at))
