"""Mailgun webhooks (JSON: ``signature`` + ``event-data``). Attribution: user-variables
``emailtrack_campaign_id`` / ``emailtrack_message_id`` (``v:`` variables when sending)."""

from __future__ import annotations

from typing import Any

from services.bounce.domain import taxonomy as t
from services.bounce.domain.outcomes import Outcome, OutcomeKind
from services.bounce.webhooks.common import (
    attribution,
    classify,
    event_key,
    from_unix,
    load_json,
    require,
    text_of,
)
from services.bounce.webhooks.signatures import verify_mailgun


def _kind(data: dict[str, Any]) -> OutcomeKind | None:
    name = data.get("event")
    if name == "failed":
        return "deferred" if data.get("severity") == "temporary" else "bounce"
    simple: dict[str, OutcomeKind] = {
        "delivered": "delivered",
        "complained": "complaint",
        "opened": "open",
        "clicked": "click",
        "unsubscribed": "unsubscribe",
    }
    return simple.get(str(name))


def parse(tenant_id: str, body: bytes, signing_key: str) -> list[Outcome]:
    """Verifies the signature block, then maps the one event the webhook carries."""
    payload = load_json(body)
    signature = require(payload, "signature", dict, "Mailgun payload")
    verify_mailgun(
        signing_key,
        text_of(signature.get("timestamp")),
        text_of(signature.get("token")),
        text_of(signature.get("signature")),
    )
    data = require(payload, "event-data", dict, "Mailgun payload")
    kind = _kind(data)
    if kind is None:
        return []
    address = require(data, "recipient", str, "event-data")
    status = data.get("delivery-status") if isinstance(data.get("delivery-status"), dict) else {}
    text = " ".join(
        filter(
            None,
            (
                text_of(status.get("code")),
                text_of(status.get("description")),
                text_of(status.get("message")),
            ),
        )
    )
    classification = (
        classify("", text, 550 if kind == "bounce" else 450)
        if kind in ("bounce", "deferred")
        else None
    )
    if classification is not None and kind == "deferred":
        # Mailgun retries a "temporary" failure whatever code the last attempt got: soft.
        classification = t.classification_for(
            classification.reason, 450, classification.matched_rule
        )
    campaign_id, message_id = attribution(data.get("user-variables"))
    event_id = text_of(data.get("id")) or text_of(signature.get("token"))
    return [
        Outcome(
            event_id=event_key("mailgun", tenant_id, event_id, kind, address.lower()),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_unix(data.get("timestamp"), "event-data"),
            source="mailgun",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=classification.bounce_type if classification else "",
            reason=classification.reason if classification else "",
            smtp_code=text_of(status.get("code")),
            diagnostic=text[:1000],
            link_url=text_of(data.get("url")),
            client_ip=text_of(data.get("ip")),
            user_agent=text_of((data.get("client-info") or {}).get("user-agent")),
        )
    ]
