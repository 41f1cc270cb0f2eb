"""What every provider module shares: the errors a webhook can raise, payload helpers, and
the per-event mapping of a batch (an event that cannot be mapped is set aside as a
RejectedEvent for the dead-letter topic; the rest of its batch is still recorded)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.bounce.domain.outcomes import Outcome, outcome_id
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


def _missing(value: Any) -> bool:
    return value is None or value == ""


def from_unix(value: Any, where: str, received_at: datetime | None = None) -> datetime:
    """A Unix time; a missing one is ``received_at`` when given (the ESP omitted it)."""
    if _missing(value) and received_at is not None:
        return received_at
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedPayload(f"{where}: bad timestamp {value!r}") from exc


def from_iso(value: Any, where: str, received_at: datetime | None = None) -> datetime:
    """An ISO 8601 time; a missing one is ``received_at`` when given (the ESP omitted it)."""
    if _missing(value) and received_at is not None:
        return received_at
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


def object_of(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (optional nested fields)."""
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one (optional nested fields)."""
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


# Reasons of events where the ESP itself refused to send (no SMTP attempt): Sisimai 5 calls
# the first "Suppressed"; the second is SendGrid's / Postmark's "Invalid" / "BadEmailAddress".
SUPPRESSED = "suppressed"
INVALID_ADDRESS = "invalid_address"

CAMPAIGN_KEY = "emailtrack_campaign_id"
MESSAGE_KEY = "emailtrack_message_id"


def attribution(variables: Any) -> tuple[str, str]:
    """(campaign_id, message_id) from ESP custom variables/metadata (our two keys)."""
    if not isinstance(variables, dict):
        return "", ""
    return text_of(variables.get(CAMPAIGN_KEY)), text_of(variables.get(MESSAGE_KEY))


@dataclass(frozen=True)
class RejectedEvent:
    """One event of an authenticated request that could not be mapped: it goes to the
    dead-letter topic alone (``raw`` is its JSON) while the others are recorded."""

    index: int
    raw: bytes
    error: str


@dataclass(frozen=True)
class Mapped:
    """What one authenticated request maps to."""

    outcomes: list[Outcome] = field(default_factory=list)
    rejected: list[RejectedEvent] = field(default_factory=list)


def map_each(items: Iterable[Any], one: Callable[[Any, int], list[Outcome]]) -> Mapped:
    """``one(item, index)`` for each event; a MalformedPayload sets that event aside alone."""
    mapped = Mapped()
    for index, item in enumerate(items):
        try:
            mapped.outcomes.extend(one(item, index))
        except MalformedPayload as exc:
            mapped.rejected.append(RejectedEvent(index, _raw(item), str(exc)))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            # A shape no rule foresaw: set aside like any unmappable event, never the batch.
            error = f"event {index}: unexpected shape ({type(exc).__name__}: {exc})"
            mapped.rejected.append(RejectedEvent(index, _raw(item), error))
    return mapped


def _raw(item: Any) -> bytes:
    return json.dumps(item, sort_keys=True, default=str).encode()
