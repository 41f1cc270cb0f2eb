"""What every provider module shares: the errors a webhook can raise and payload helpers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.bounce.domain.outcomes import outcome_id
from services.bounce.domain.smtp_rules import classify_smtp_reply, reply_code_in
from services.bounce.domain.taxonomy import SmtpClassification


class WebhookError(Exception):
    """Base of webhook errors; the message is safe to return to the caller."""


class InvalidSignature(WebhookError):
    """Signature, token or certificate check failed: nothing may be recorded (HTTP 401)."""


class MalformedPayload(WebhookError):
    """The body is not what the provider documents (HTTP 400)."""


class NotConfigured(WebhookError):
    """No secret is configured for this provider, so nothing can be verified."""


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup ("" when absent)."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload(f"body is not valid JSON: {exc}") from exc


def require(mapping: Any, key: str, kind: type, where: str) -> Any:
    """``mapping[key]`` checked to be a ``kind``; MalformedPayload naming ``where`` if not."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if not isinstance(value, kind):
        raise MalformedPayload(f"{where}: field {key!r} missing or not a {kind.__name__}")
    return value


def from_unix(value: Any, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedPayload(f"{where}: bad timestamp {value!r}") from exc


def from_iso(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise MalformedPayload(f"{where}: timestamp missing")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedPayload(f"{where}: bad timestamp {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def classify(status: str, text: str, default_code: int = 0) -> SmtpClassification:
    """Our classification of an SMTP status/diagnostic reported by an ESP; ``default_code``
    (550 for a failure the ESP calls permanent, 450 for temporary) when the text has none."""
    return classify_smtp_reply(reply_code_in(text) or default_code, status, text)


def event_key(provider: str, tenant_id: str, *parts: str) -> str:
    return outcome_id(provider, tenant_id, *parts)


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


CAMPAIGN_KEY = "emailtrack_campaign_id"
MESSAGE_KEY = "emailtrack_message_id"


def attribution(variables: Any) -> tuple[str, str]:
    """(campaign_id, message_id) from ESP custom variables/metadata (our two keys)."""
    if not isinstance(variables, dict):
        return "", ""
    return text_of(variables.get(CAMPAIGN_KEY)), text_of(variables.get(MESSAGE_KEY))
