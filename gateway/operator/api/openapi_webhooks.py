"""The OpenAPI schemas and paths of ``gateway.operator.api.webhook_routes`` (outbound webhook
endpoints, their delivery log and replays), merged into the API document by
``gateway.operator.api.openapi``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emailtrack.presentation.webhooks import DELIVERY_STATUSES
from gateway.operator.api import params
from gateway.operator.api.webhook_routes import (
    MAX_BODY_BYTES,
    MAX_EVENT_LENGTH,
    MAX_EVENTS,
    MAX_GRACE_S,
    MAX_PAGE_SIZE,
    MAX_URL_LENGTH,
)

TIME = {"type": ["string", "null"], "format": "date-time"}
TEXT = {"type": "string"}
PRINTABLE = "^[^\\x00-\\x1f\\x7f]*$"
FILTER_HELP = (
    "Event filter entries: delivered, bounced, bounced:hard, bounced:soft, deferred, "
    "complained, unsubscribed, opened, opened:human, opened:machine, clicked, clicked:human, "
    "clicked:machine, replied, suppressed. Empty: every event."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def schemas() -> dict[str, Any]:
    endpoint = _obj(
        {
            "endpoint_id": TEXT,
            "url": TEXT,
            "description": TEXT,
            "events": {"type": "array", "items": TEXT, "description": FILTER_HELP},
            "batch": {"type": "boolean"},
            "enabled": {"type": "boolean"},
            "disabled_reason": TEXT,
            "disabled_at": TIME,
            "failing_since": TIME,
            "created_at": TIME,
        }
    )
    attempt = _obj(
        {
            "attempted_at": TIME,
            "status_code": {"type": "integer", "description": "0: no HTTP response"},
            "latency_ms": {"type": "integer"},
            "response_snippet": TEXT,
            "error": TEXT,
        }
    )
    delivery = _obj(
        {
            "delivery_id": TEXT,
            "endpoint_id": TEXT,
            "event_id": {"type": "string", "description": "The webhook-id header"},
            "event_type": TEXT,
            "status": {"enum": [*DELIVERY_STATUSES, "unknown"]},
            "attempt_count": {"type": "integer"},
            "occurred_at": TIME,
            "next_attempt_at": TIME,
            "attempts": {"type": "array", "items": _ref("WebhookAttempt")},
        }
    )
    return {
        "WebhookEndpoint": endpoint,
        "WebhookEndpoints": _obj(
            {"endpoints": {"type": "array", "items": _ref("WebhookEndpoint")}}
        ),
        "CreatedWebhookEndpoint": _obj(
            {
                "endpoint": _ref("WebhookEndpoint"),
                "secret": {"type": "string", "description": "whsec_...: shown only here"},
            }
        ),
        "WebhookSecret": _obj({"secret": {"type": "string", "description": "shown only here"}}),
        "Deleted": _obj({"deleted": {"type": "boolean"}}),
        "WebhookAttempt": attempt,
        "WebhookDelivery": delivery,
        "WebhookDeliveries": _obj(
            {
                "deliveries": {"type": "array", "items": _ref("WebhookDelivery")},
                "next_page_token": {"type": ["string", "null"]},
            }
        ),
        "ReplayScheduled": _obj({"scheduled": {"type": "integer", "minimum": 0}}),
    }


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "description": f"At most {MAX_BODY_BYTES} bytes",
    }
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


def paths(
    operation: Callable[..., Any],
    reply: Callable[..., dict[str, Any]],
    query: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    endpoint = [
        {
            "name": "endpoint_id",
            "in": "path",
            "required": True,
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": params.MAX_ID_LENGTH,
                "pattern": PRINTABLE,
            },
        }
    ]
    events = {
        "type": "array",
        "maxItems": MAX_EVENTS,
        "items": {"type": "string", "minLength": 1, "maxLength": MAX_EVENT_LENGTH},
        "description": FILTER_HELP,
    }
    flag = {"type": "boolean"}
    create = operation(
        "Register an endpoint; its signing secret is in this reply only",
        reply("CreatedWebhookEndpoint", "Created"),
        [],
        description="Needs the admin scope. The URL must be public (SSRF guard) unless the "
        "operator allow-listed its network.",
        requestBody=_body(
            {
                "url": {"type": "string", "minLength": 1, "maxLength": MAX_URL_LENGTH},
                "events": events,
                "batch": flag,
                "description": {
                    "type": "string",
                    "maxLength": params.MAX_TEXT_LENGTH,
                    "pattern": PRINTABLE,
                },
            },
            ["url"],
        ),
    )
    create["responses"]["201"] = create["responses"].pop("200")
    moment = {"type": "string", "format": "date-time"}
    return {
        "/webhooks": {
            "get": operation("The tenant's webhook endpoints", reply("WebhookEndpoints"), []),
            "post": create,
        },
        "/webhooks/{endpoint_id}": {
            "get": operation("One webhook endpoint", reply("WebhookEndpoint"), endpoint),
            "patch": operation(
                "Change the filter or batch mode, or enable / disable the endpoint "
                "(enabling a disabled endpoint resumes its pending deliveries)",
                reply("WebhookEndpoint"),
                endpoint,
                requestBody=_body({"events": events, "batch": flag, "enabled": flag}, []),
            ),
            "delete": operation(
                "Delete the endpoint and its delivery log", reply("Deleted"), endpoint
            ),
        },
        "/webhooks/{endpoint_id}/rotate-secret": {
            "post": operation(
                "A new signing secret (shown once); the old ones keep signing for the grace",
                reply("WebhookSecret"),
                [
                    *endpoint,
                    query(
                        "grace_seconds",
                        {"type": "integer", "minimum": 0, "maximum": MAX_GRACE_S},
                        "How long the old secrets still sign (0: the service default, 24 h)",
                    ),
                ],
            )
        },
        "/webhooks/{endpoint_id}/deliveries": {
            "get": operation(
                "The delivery log (attempts, status, latency, response snippet), newest first",
                reply("WebhookDeliveries"),
                [
                    *endpoint,
                    query("status", {"enum": list(DELIVERY_STATUSES)}, "Only this status"),
                    query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        "Page size (50)",
                    ),
                    query("page_token", {"type": "string"}, "next_page_token of the last page"),
                ],
            )
        },
        "/webhooks/{endpoint_id}/replay": {
            "post": operation(
                "Send deliveries again (same webhook-id): the failed ones, or every delivery "
                "of events that occurred in [since, until)",
                reply("ReplayScheduled"),
                endpoint,
                requestBody=_body({"failed_only": flag, "since": moment, "until": moment}, []),
            )
        },
    }
