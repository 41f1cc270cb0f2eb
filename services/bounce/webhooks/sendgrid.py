"""SendGrid Event Webhook: a JSON array of events. Attribution: custom_args
``emailtrack_campaign_id`` / ``emailtrack_message_id`` (SendGrid puts them on each event)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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


def _outcome(tenant_id: str, item: Any, index: int) -> Outcome | None:
    where = f"event {index}"
    name = require(item, "event", str, where)
    kind = _KINDS.get(name)
    if kind is None:  # processed, group_resubscribe, ...: nothing to record
        return None
    address = require(item, "email", str, where)
    natural = (
        text_of(item.get("sg_event_id"))
        or hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
    )
    campaign_id, message_id = attribution(item)
    status = text_of(item.get("status"))
    text = text_of(item.get("reason")) or text_of(item.get("response"))
    # "dropped" events carry no status or SMTP code (reason e.g. "Bounced Address"): SendGrid
    # will not send to that address, a permanent failure.
    default_code = 550 if name == "dropped" else 0
    classification = (
        classify(status, text, default_code) if kind in ("bounce", "deferred") else None
    )
    return Outcome(
        event_id=event_key("sendgrid", tenant_id, natural, name, address.lower()),
        kind=kind,
        tenant_id=tenant_id,
        address=address,
        occurred_at=from_unix(item.get("timestamp"), where),
        source="sendgrid",
        campaign_id=campaign_id,
        message_id=message_id,
        bounce_type=classification.bounce_type if classification else "",
        reason=classification.reason if classification else "",
        enhanced_status=status,
        diagnostic=text[:1000],
        link_url=text_of(item.get("url")),
        user_agent=text_of(item.get("useragent")),
        client_ip=text_of(item.get("ip")),
    )


def parse(tenant_id: str, body: bytes) -> list[Outcome]:
    events = load_json(body)
    if not isinstance(events, list):
        raise MalformedPayload("SendGrid payload must be a JSON array of events")
    found = (_outcome(tenant_id, item, i) for i, item in enumerate(events))
    return [o for o in found if o is not None]
