"""SendGrid Event Webhook: a JSON array of events. Attribution: custom_args
``emailtrack_campaign_id`` / ``emailtrack_message_id`` (SendGrid puts them on each event).

``dropped`` events (SendGrid refused to send) map by their reason: "Unsubscribed Address" is
an unsubscribe, "Spam Reporting Address" a complaint the ESP already holds, "Bounced Address" a
hard bounce by suppression, "Invalid" a hard bounce of an invalid address; other drops (spam
content, quota, bad SMTPAPI header) say nothing about the recipient: soft. A ``bounce`` of
type ``blocked`` or ``expired`` is soft (the receiving side refused the sender, or SendGrid gave
up retrying), whatever its status code."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    INVALID_ADDRESS,
    SUPPRESSED,
    MalformedPayload,
    Mapped,
    attribution,
    classify,
    event_key,
    from_unix,
    load_json,
    map_each,
    require,
    text_of,
)

_KINDS: dict[str, OutcomeKind] = {
    "delivered": "delivered",
    "deferred": "deferred",
    "bounce": "bounce",
    "dropped": "bounce",
    "spamreport": "complaint",
    "open": "open",
    "click": "click",
    "unsubscribe": "unsubscribe",
    "group_unsubscribe": "unsubscribe",
}
# bounce "type"s that are no verdict on the address: the receiving side blocked the sender, or
# SendGrid stopped retrying a deferral ("expired").
_SOFT_BOUNCE_TYPES = {"blocked", "expired"}
# dropped reason (lower case) -> (our kind, reason, bounce type)
_DROPS: dict[str, tuple[OutcomeKind, str, t.BounceType]] = {
    "unsubscribed address": ("unsubscribe", "", ""),
    "spam reporting address": ("complaint", SUPPRESSED, ""),
    "bounced address": ("bounce", SUPPRESSED, t.HARD),
    "invalid": ("bounce", INVALID_ADDRESS, t.HARD),
}


def _failure(
    name: str, item: dict[str, Any], status: str, text: str
) -> tuple[OutcomeKind, str, t.BounceType]:
    """(kind, reason, bounce type) of a bounce, deferral or drop."""
    if name == "dropped":
        cause = (text_of(item.get("reason")) or text_of(item.get("type"))).strip().lower()
        if cause in _DROPS:
            return _DROPS[cause]
        found = classify(status, text, 450)  # not about the address: never hard
        return "bounce", found.reason, t.SOFT
    if name == "bounce" and text_of(item.get("type")).lower() in _SOFT_BOUNCE_TYPES:
        found = classify(status, text, 450)
        return "bounce", found.reason, t.SOFT
    found = classify(status, text, 450 if name == "deferred" else 550)
    if name == "deferred":
        found = t.classification_for(found.reason, 450, found.matched_rule)
    return _KINDS[name], found.reason, found.bounce_type


def _outcome(tenant_id: str, item: Any, index: int, received_at: datetime) -> list[Outcome]:
    where = f"event {index}"
    name = require(item, "event", str, where)
    kind = _KINDS.get(name)
    if kind is None:  # processed, group_resubscribe, ...: nothing to record
        return []
    address = require(item, "email", str, where)
    if "@" not in address:
        raise MalformedPayload(f"{where}: email is not an address")
    natural = text_of(item.get("sg_event_id"))
    digest = natural or hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
    campaign_id, message_id = attribution(item)
    status = text_of(item.get("status"))
    text = text_of(item.get("reason")) or text_of(item.get("response"))
    reason, bounce_type = "", ""
    if kind in ("bounce", "deferred"):
        kind, reason, bounce_type = _failure(name, item, status, text)
    return [
        Outcome(
            event_id=event_key("sendgrid", tenant_id, digest, name, address.lower()),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_unix(item.get("timestamp"), where, received_at),
            source="sendgrid",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=bounce_type,
            reason=reason or (t.FEEDBACK if kind == "complaint" else ""),
            enhanced_status=status,
            diagnostic=text[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=text_of(item.get("url")),
            user_agent=text_of(item.get("useragent")),
            client_ip=text_of(item.get("ip")),
            esp_event_id=natural,
        )
    ]


def parse(tenant_id: str, body: bytes, received_at: datetime) -> Mapped:
    events = load_json(body)
    if not isinstance(events, list):
        raise MalformedPayload("SendGrid payload must be a JSON array of events")
    return map_each(events, lambda item, i: _outcome(tenant_id, item, i, received_at))
