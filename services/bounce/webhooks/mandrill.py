"""Mandrill webhooks: form-encoded ``mandrill_events`` (a JSON array), signed with
X-Mandrill-Signature. Attribution: message metadata ``emailtrack_campaign_id`` /
``emailtrack_message_id``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    MalformedPayload,
    attribution,
    classify,
    event_key,
    from_unix,
    load_json,
    require,
    text_of,
)
from services.bounce.webhooks.signatures import verify_mandrill

_KINDS: dict[str, tuple[OutcomeKind, int]] = {
    "hard_bounce": ("bounce", 550),
    "soft_bounce": ("deferred", 450),
    "deferral": ("deferred", 450),
    "reject": ("bounce", 550),
    "spam": ("complaint", 0),
    "open": ("open", 0),
    "click": ("click", 0),
    "unsub": ("unsubscribe", 0),
}


def _outcome(tenant_id: str, item: Any, index: int) -> Outcome | None:
    where = f"mandrill event {index}"
    name = require(item, "event", str, where)
    if name not in _KINDS:
        return None
    kind, code = _KINDS[name]
    msg = require(item, "msg", dict, where)
    address = require(msg, "email", str, where)
    text = text_of(msg.get("diag")) or text_of(msg.get("bounce_description"))
    classification = classify("", text, code) if code else None
    campaign_id, message_id = attribution(msg.get("metadata"))
    natural = text_of(item.get("_id")) or text_of(msg.get("_id"))
    return Outcome(
        event_id=event_key("mandrill", tenant_id, natural, name, text_of(item.get("ts"))),
        kind=kind,
        tenant_id=tenant_id,
        address=address,
        occurred_at=from_unix(item.get("ts"), where),
        source="mandrill",
        campaign_id=campaign_id,
        message_id=message_id,
        bounce_type=classification.bounce_type if classification else "",
        reason=classification.reason if classification else "",
        diagnostic=text[:1000],
        feedback_type="abuse" if kind == "complaint" else "",
        link_url=text_of(item.get("url")),
        user_agent=text_of(item.get("user_agent")),
        client_ip=text_of(item.get("ip")),
    )


def parse(
    tenant_id: str, body: bytes, url: str, headers: Mapping[str, str], key: str
) -> list[Outcome]:
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
    found = (_outcome(tenant_id, item, i) for i, item in enumerate(events))
    return [o for o in found if o is not None]
