"""Mailgun webhooks (JSON: ``signature`` + ``event-data``). Attribution: user-variables
``emailtrack_campaign_id`` / ``emailtrack_message_id`` (``v:`` variables when sending).

The signature covers only timestamp + token, so a request is accepted only while its
timestamp is fresh and its token unused (the returned Nonce is claimed when recording).
``failed`` maps by severity and reason: temporary → deferred; permanent → bounce, except the
suppression reasons (``suppress-bounce``/``-complaint``/``-unsubscribe``: Mailgun did not send
because the address is on that list). ``rejected`` (Mailgun refused the sending request itself:
unverified or sandbox domain, policy) is a soft bounce with reason ``rejected`` (the sender was
refused, Sisimai's "Rejected"): it says nothing about the address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    load_json,
    map_each,
    object_of,
    require,
    text_of,
)
from services.bounce.webhooks.freshness import Nonce, ReplayPolicy, check_fresh, nonce
from services.bounce.webhooks.signatures import verify_mailgun

_SIMPLE: dict[str, OutcomeKind] = {
    "delivered": "delivered",
    "complained": "complaint",
    "opened": "open",
    "clicked": "click",
    "unsubscribed": "unsubscribe",
}
_SUPPRESSIONS: dict[str, tuple[OutcomeKind, t.BounceType]] = {
    "suppress-bounce": ("bounce", t.HARD),
    "suppress-complaint": ("complaint", ""),
    "suppress-unsubscribe": ("unsubscribe", ""),
}


def _status_text(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    status, reject = object_of(data.get("delivery-status")), object_of(data.get("reject"))
    parts = (
        text_of(status.get("code")),
        text_of(status.get("description")),
        text_of(status.get("message")),
        text_of(reject.get("reason")),
        text_of(reject.get("description")),
    )
    return status, " ".join(p for p in parts if p)


def _mapped(data: dict[str, Any], text: str) -> tuple[OutcomeKind, str, t.BounceType] | None:
    """(kind, reason, bounce type), or None for events we do not record (accepted, ...)."""
    name = text_of(data.get("event"))
    if name in _SIMPLE:
        return _SIMPLE[name], "", ""
    if name == "rejected":  # Mailgun refused the sending request (domain, sandbox, policy)
        return "bounce", t.REJECTED, t.SOFT
    if name != "failed":
        return None
    suppression = _SUPPRESSIONS.get(text_of(data.get("reason")))
    if suppression is not None:
        return suppression[0], SUPPRESSED, suppression[1]
    if data.get("severity") == "temporary":
        # Mailgun retries a "temporary" failure whatever code the last attempt got: soft.
        return "deferred", classify("", text, 450).reason, t.SOFT
    found = classify("", text, 550)
    return "bounce", found.reason, found.bounce_type


def _outcomes(tenant_id: str, data: Any, fallback_id: str, received_at: datetime) -> list[Outcome]:
    if not isinstance(data, dict):
        raise MalformedPayload("event-data: not a JSON object")
    status, text = _status_text(data)
    mapped = _mapped(data, text)
    if mapped is None:
        return []
    kind, reason, bounce_type = mapped
    address = require(data, "recipient", str, "event-data")
    if "@" not in address:
        raise MalformedPayload("event-data: recipient is not an address")
    campaign_id, message_id = attribution(data.get("user-variables"))
    natural = text_of(data.get("id"))
    client = object_of(data.get("client-info"))
    return [
        Outcome(
            event_id=event_key("mailgun", tenant_id, natural or fallback_id, kind, address.lower()),
            kind=kind,
            tenant_id=tenant_id,
            address=address,
            occurred_at=from_unix(data.get("timestamp"), "event-data", received_at),
            source="mailgun",
            campaign_id=campaign_id,
            message_id=message_id,
            bounce_type=bounce_type,
            reason=reason or (t.FEEDBACK if kind == "complaint" else ""),
            smtp_code=text_of(status.get("code")),
            enhanced_status=text_of(status.get("enhanced-code")),
            diagnostic=text[:1000],
            feedback_type="abuse" if kind == "complaint" else "",
            link_url=text_of(data.get("url")),
            client_ip=text_of(data.get("ip")),
            user_agent=text_of(client.get("user-agent")),
            esp_event_id=natural,
        )
    ]


def verified_nonce(
    key: str, timestamp: str, token: str, signature: str, policy: ReplayPolicy, now: datetime
) -> Nonce:
    """Checks the HMAC and the timestamp's freshness; the token is the nonce to claim."""
    verify_mailgun(key, timestamp, token, signature)
    signed_at = from_unix(timestamp, "Mailgun signature")
    check_fresh(signed_at, now, policy.tolerance, "Mailgun signature")
    return nonce("mailgun", token, signed_at, policy.tolerance)


def parse(
    tenant_id: str, body: bytes, signing_key: str, policy: ReplayPolicy, now: datetime
) -> tuple[Mapped, Nonce]:
    """Verifies the signature block and its freshness, then maps the event it carries; the
    token is returned as the nonce to claim."""
    payload = load_json(body)
    signature = require(payload, "signature", dict, "Mailgun payload")
    token = text_of(signature.get("token"))
    claim = verified_nonce(
        signing_key,
        text_of(signature.get("timestamp")),
        token,
        text_of(signature.get("signature")),
        policy,
        now,
    )
    data = require(payload, "event-data", dict, "Mailgun payload")
    return map_each(
        [data], lambda item, _: _outcomes(tenant_id, item, token, received_at=now)
    ), claim
