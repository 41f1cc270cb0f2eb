"""The OpenAPI 3.1 document of the JSON API (``GET /api/v1/openapi.json``), written out by
hand from the same names the handlers use; a test checks every route is documented."""

from __future__ import annotations

import functools
from typing import Any

from emailtrack.common.time_zones import zone_names
from emailtrack.presentation import export
from emailtrack.presentation.views import (
    SOURCES,
    STATS_COUNTS,
    STATS_RATES,
    STATS_RENAMED,
    TIMELINE_COUNTS,
)
from gateway.operator.api import (
    domain_routes,
    message_routes,
    openapi_campaigns,
    openapi_keys,
    openapi_webhooks,
    openapi_writes,
    params,
    recipient_routes,
)

INT = {"type": "integer", "minimum": 0}
TIME = {"type": ["string", "null"], "format": "date-time"}


# What each campaign count counts: a total (every event) or unique ((message, recipient) pairs).
STATS_MEANINGS = {
    "sent": "Sent events (total; the sender reports each (message, recipient) once)",
    "delivered": "Delivered events (total)",
    "hard_bounced": "Hard-bounce events (total)",
    "soft_bounced": "Soft-bounce events (total: a recipient may soft-bounce more than once)",
    "deferred": "Deferral events (total)",
    "unsubscribes": "Unsubscribe events (total)",
    "complaints": "Complaint events (total)",
    "rate_base": "Denominator of the rates: delivered, or sent when no delivery was reported",
    "filtered_unique_opens": "Unique opens ((message, recipient) pairs) leaving out pairs "
    "seen only from security scanners and bots",
    "filtered_unique_clicks": "Unique clicks, filtered as filtered_unique_opens",
    "mpp_recipients": "Unique (message, recipient) pairs with a privacy-proxy (Apple MPP) open",
    "unique_replies": "Unique replies: (message, recipient) pairs with at least one reply",
    "total_replies": "Reply events (total: a recipient replying twice counts twice)",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _schemas() -> dict[str, Any]:
    counts = obj({name: INT for name in SOURCES})
    engagement = obj({"unique": ref("SourceCounts"), "total": ref("SourceCounts")})
    rate = {"type": "number", "minimum": 0}
    status = ["active", "unsubscribed", "bounced", "complained", "suppressed", "unknown"]
    return {
        "Error": obj(
            {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "parameter": {"type": "string"},
                    },
                    "required": ["code", "message"],
                }
            }
        ),
        "SourceCounts": counts,
        "Engagement": engagement,
        "CampaignStats": obj(
            {
                "campaign_id": {"type": "string"},
                **{
                    name: {**INT, "description": STATS_MEANINGS[name]}
                    for name in (*STATS_COUNTS, *STATS_RENAMED)
                },
                "opens": ref("Engagement"),
                "clicks": ref("Engagement"),
                "rates": obj({name.removesuffix("_rate"): rate for name in STATS_RATES}),
                "first_event_at": TIME,
                "last_event_at": TIME,
                "first_reply_at": TIME,
                "median_seconds_to_first_reply": rate,
            }
        ),
        "CampaignList": obj(
            {
                "campaigns": {"type": "array", "items": ref("CampaignStats")},
                "next_page_token": {"type": ["string", "null"]},
            }
        ),
        "Timeline": obj(
            {
                "points": {
                    "type": "array",
                    "items": obj(
                        {
                            "bucket_start": TIME,
                            **{name: INT for name in TIMELINE_COUNTS},
                            "opens": ref("SourceCounts"),
                            "clicks": ref("SourceCounts"),
                        }
                    ),
                }
            }
        ),
        "Links": obj(
            {
                "links": {
                    "type": "array",
                    "items": obj(
                        {
                            "url": {"type": "string"},
                            "link_index": {"type": "integer"},
                            "unique_clicks": ref("SourceCounts"),
                            "total_clicks": ref("SourceCounts"),
                        }
                    ),
                }
            }
        ),
        "Breakdown": obj(
            {
                "rows": {
                    "type": "array",
                    "items": obj({"value": {"type": "string"}, "count": INT, "share": rate}),
                }
            }
        ),
        "Recipient": obj(
            {
                "email": {"type": "string"},
                "recipient_id": {"type": "string"},
                "status": {"enum": status},
                "hard_bounces": INT,
                "soft_bounces": INT,
                "tracking_opt_out": {"type": "boolean"},
                "first_seen_at": TIME,
                "last_seen_at": TIME,
            }
        ),
        "RecipientEngagement": {
            "allOf": [
                ref("Recipient"),
                obj(
                    {
                        "engagement": obj(
                            {
                                "opens": INT,
                                "clicks": INT,
                                "human_opens": INT,
                                "human_clicks": INT,
                                "last_engagement_at": TIME,
                            }
                        )
                    }
                ),
            ]
        },
        "Health": obj(
            {
                "status": {"enum": ["ok", "degraded"]},
                "services": {"type": "object", "additionalProperties": {"type": "string"}},
            }
        ),
        **openapi_campaigns.schemas(),
        **message_routes.schemas(),
        **openapi_keys.schemas(),
        **domain_routes.schemas(),
        **openapi_webhooks.schemas(),
        **recipient_routes.schemas(),
        **openapi_writes.schemas(),
    }


def _json(schema: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


ERRORS = {
    "401": _json("Error", "Missing, unknown or revoked API key or bearer token"),
    "403": _json("Error", "The key lacks the scope, or is an operator key"),
    "429": _json("Error", "Rate limit of the key exceeded (see Retry-After)"),
    "404": _json("Error", "Not found"),
    "422": _json("Error", "Invalid parameter"),
    "400": _json("Error", "Refused by the service"),
    "409": _json("Error", "Not allowed in the current state"),
}


def _operation(summary: str, reply: dict[str, Any], parameters: list[Any], **more: Any) -> Any:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": parameters,
        "responses": {"200": reply, **ERRORS},
        **more,
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PRINTABLE = "^[^\\x00-\\x1f\\x7f]*$"


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    text = schema or {
        "type": "string",
        "minLength": 1,
        "maxLength": params.MAX_ID_LENGTH,
        "pattern": PRINTABLE,
    }
    return {"name": name, "in": "path", "required": True, "schema": text}


def _body(*fields: str) -> dict[str, Any]:
    text = {"type": "string", "maxLength": params.MAX_TEXT_LENGTH, "pattern": PRINTABLE}
    props = {f: text for f in fields}
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    return {"required": False, "content": {"application/json": {"schema": schema}}}


@functools.cache
def openapi_document() -> dict[str, Any]:
    document = _reads()
    # the writes share some paths with reads (GET and POST /campaigns, ...): merged per path
    for path, operations in openapi_writes.paths(_operation, _json).items():
        document["paths"].setdefault(path, {}).update(operations)
    return document


def _reads() -> dict[str, Any]:
    campaign = [_path("campaign_id")]
    email = [_path("email", {"type": "string", "format": "email", "maxLength": 320})]
    bucket = _query("bucket", {"enum": list(export.BUCKETS)}, "Bucket size (default hour)")
    zones = {"enum": sorted(zone_names())}
    # ~600 names: listed once, as a component, and referenced where a time zone is taken
    zone = {"$ref": "#/components/parameters/TimeZone"}
    moment = {"type": "string", "format": "date-time"}
    event = _query("event", {"enum": ["open", "click"]}, "Event counted (default open)")
    limit = _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "Links (10)")
    csv = {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "emailtrack API",
            "version": "1",
            "description": "Campaign statistics, per-message lists, segments and variant "
            "tests, sending mailboxes, usage, recipient search and management, API keys, "
            "outbound webhooks, and the campaign and message lifecycle for senders (create, "
            "register, mark, delete), scoped to the tenant of the bearer API key (or "
            "bootstrap token, EMAILTRACK_API_TOKENS).",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
            "parameters": {"TimeZone": _query("time_zone", zones, "IANA time zone (default UTC)")},
        },
        "paths": {
            "/health": {
                "get": {
                    "summary": "Health of the services behind the API",
                    "security": [],
                    "responses": {"200": _json("Health")},
                }
            },
            "/campaigns": {
                "get": _operation(
                    "Campaigns of the tenant, ordered by id",
                    _json("CampaignList"),
                    [
                        _query(
                            "page_size",
                            {"type": "integer", "minimum": 1, "maximum": 500},
                            "Page size (50)",
                        ),
                        _query(
                            "page_token", {"type": "string"}, "next_page_token of the previous page"
                        ),
                    ],
                )
            },
            "/campaigns/{campaign_id}": {
                "get": _operation("Campaign statistics", _json("CampaignStats"), campaign)
            },
            "/campaigns/{campaign_id}/timeline": {
                "get": _operation(
                    "Opens, clicks and deliveries per time bucket",
                    _json("Timeline"),
                    [
                        *campaign,
                        bucket,
                        zone,
                        _query("start", moment, "Range start (inclusive)"),
                        _query("end", moment, "Range end (exclusive)"),
                    ],
                )
            },
            "/campaigns/{campaign_id}/links": {
                "get": _operation("Top links", _json("Links"), [*campaign, limit])
            },
            "/campaigns/{campaign_id}/breakdowns/{dimension}": {
                "get": _operation(
                    "Events per email client, device, OS or country",
                    _json("Breakdown"),
                    [
                        *campaign,
                        _path("dimension", {"enum": ["client", "device", "os", "country"]}),
                        event,
                    ],
                )
            },
            "/campaigns/{campaign_id}/export.csv": {
                "get": _operation("Timeline as CSV (streamed)", csv, [*campaign, bucket, zone])
            },
            **openapi_campaigns.paths(_operation, _json, _query),
            **message_routes.paths(_operation, _json, _query, campaign),
            **openapi_keys.paths(_operation, _json, _query),
            **domain_routes.paths(_operation, _json),
            **openapi_webhooks.paths(_operation, _json, _query),
            **recipient_routes.paths(_operation, _json, _query),
            "/recipients/{email}": {
                "get": _operation(
                    "Recipient status and engagement", _json("RecipientEngagement"), email
                )
            },
            "/recipients/{email}/unsubscribe": {
                "post": _operation(
                    "Unsubscribe (globally, or from one list)",
                    _json("Recipient"),
                    email,
                    requestBody=_body("list_id"),
                )
            },
            "/recipients/{email}/suppression": {
                "put": _operation(
                    "Suppress the recipient", _json("Recipient"), email, requestBody=_body("reason")
                ),
                "delete": _operation(
                    "Lift a suppression",
                    _json("Recipient"),
                    [
                        *email,
                        _query(
                            "reason",
                            {"type": "string", "maxLength": 500, "pattern": PRINTABLE},
                            "Why",
                        ),
                    ],
                ),
            },
        },
    }
