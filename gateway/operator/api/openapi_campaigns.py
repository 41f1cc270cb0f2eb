"""The OpenAPI schemas and paths of ``gateway.operator.api.campaign_routes`` (campaign definitions,
segments, variant comparison, mailboxes, warmup, usage), merged into the API document by
``gateway.operator.api.openapi``."""

from __future__ import annotations

from typing import Any

from emailtrack.presentation.campaign_views import (
    MAILBOX_COUNTS,
    MAILBOX_RATES,
    METRICS,
    SEGMENT_DIMENSIONS,
    STATUSES,
    USAGE_COUNTS,
)
from gateway.operator.api import params
from gateway.operator.api.campaign_routes import MAX_ALPHA, MAX_WARMUP_DAYS, MIN_ALPHA

INT = {"type": "integer", "minimum": 0}
TIME = {"type": ["string", "null"], "format": "date-time"}
RATE = {"type": "number", "minimum": 0}
TEXT = {"type": "string"}
MOMENT = {"type": "string", "format": "date-time"}
ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": params.MAX_ID_LENGTH,
    "pattern": "^[^\\x00-\\x1f\\x7f]*$",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def schemas() -> dict[str, Any]:
    mailbox_stats = obj(
        {
            "mailbox": TEXT,
            **{name: INT for name in MAILBOX_COUNTS},
            "rates": obj({name.removesuffix("_rate"): RATE for name in MAILBOX_RATES}),
            "health_score": {"type": "integer", "minimum": 0, "maximum": 100},
            "health_band": TEXT,
        }
    )
    return {
        "CampaignDefinition": obj(
            {
                "campaign_id": TEXT,
                "name": TEXT,
                "template_id": TEXT,
                "tags": array(TEXT),
                "status": {"enum": [*STATUSES.values(), "unspecified"]},
                "steps": array(obj({"step_id": TEXT, "name": TEXT, "delay_hours": INT})),
                "variants": array(obj({"variant_id": TEXT, "name": TEXT, "weight": INT})),
                "created_at": TIME,
                "updated_at": TIME,
            }
        ),
        "Segments": obj(
            {
                "segments": array(
                    obj(
                        {
                            "sequence_step": TEXT,
                            "variant": TEXT,
                            "stats": ref("CampaignStats"),
                        }
                    )
                )
            }
        ),
        "VariantComparison": obj(
            {
                "variants": array(
                    obj(
                        {
                            "variant": TEXT,
                            "recipients": INT,
                            "opens": INT,
                            "clicks": INT,
                            "replies": INT,
                            "rates": obj(dict.fromkeys(METRICS, RATE)),
                        }
                    )
                ),
                "comparisons": array(
                    obj(
                        {
                            "metric": {"enum": list(METRICS)},
                            "baseline_variant": TEXT,
                            "variant": TEXT,
                            "significant": {"type": "boolean"},
                            "verdict": TEXT,
                            "baseline_rate": RATE,
                            "rate": RATE,
                            "z": {"type": "number"},
                            "p_value": {"type": "number", "minimum": 0, "maximum": 1},
                            "more_recipients_needed": INT,
                        }
                    )
                ),
            }
        ),
        "MailboxStats": mailbox_stats,
        "Mailboxes": obj(
            {
                "mailboxes": array(
                    obj(
                        {
                            "address": TEXT,
                            "domain": TEXT,
                            "daily_limit": INT,
                            "warmup_enabled": {"type": "boolean"},
                            "health_score": {"type": ["integer", "null"]},
                            "health_band": {"type": ["string", "null"]},
                            "health_updated_at": TIME,
                            "registered_at": TIME,
                            "registered": {"type": "boolean"},
                            "stats": {"oneOf": [ref("MailboxStats"), {"type": "null"}]},
                        }
                    )
                )
            }
        ),
        "Warmup": obj(
            {
                "mailbox": TEXT,
                "days": array(obj({"day": TEXT, "sent": INT, "opens": INT, "replies": INT})),
                "totals": obj({"sent": INT, "opens": INT, "replies": INT}),
            }
        ),
        "Summary": obj(
            {
                "start": TIME,
                "end": TIME,
                "campaigns": INT,
                # the campaigns' figures summed, rates of the sums, campaign_id ""
                "stats": ref("CampaignStats"),
            }
        ),
        "Usage": obj(
            {
                "period": TEXT,
                "period_start": TIME,
                "period_end": TIME,
                **{name: INT for name in USAGE_COUNTS},
            }
        ),
    }


def paths(operation: Any, reply: Any, query: Any) -> dict[str, Any]:
    """The paths, built with ``operator.api.openapi``'s operation, reply and query helpers."""
    campaign = [{"name": "campaign_id", "in": "path", "required": True, "schema": ID}]
    address = {"type": "string", "format": "email", "maxLength": params.MAX_EMAIL_LENGTH}
    mailbox = [{"name": "address", "in": "path", "required": True, "schema": address}]
    optional_id = {**ID, "minLength": 0}
    return {
        "/campaigns/{campaign_id}/definition": {
            "get": operation(
                "Name, status, sequence steps and variants (CampaignService)",
                reply("CampaignDefinition"),
                campaign,
            )
        },
        "/campaigns/{campaign_id}/segments": {
            "get": operation(
                "Statistics per sequence step, per variant or per (step, variant)",
                reply("Segments"),
                [
                    *campaign,
                    query(
                        "dimension",
                        {"enum": list(SEGMENT_DIMENSIONS)},
                        "Segment by (default step_variant)",
                    ),
                ],
            )
        },
        "/campaigns/{campaign_id}/variants": {
            "get": operation(
                "Variant rates and two-proportion z-tests against a baseline, with verdicts",
                reply("VariantComparison"),
                [
                    *campaign,
                    query("sequence_step", optional_id, "Only this step (default: every step)"),
                    query("baseline", optional_id, "Baseline variant (default: most recipients)"),
                    query(
                        "alpha",
                        {"type": "number", "minimum": MIN_ALPHA, "exclusiveMaximum": MAX_ALPHA},
                        "Significance level (default 0.05)",
                    ),
                ],
            )
        },
        "/mailboxes": {
            "get": operation(
                "Sending mailboxes: counts, rates, health score and band",
                reply("Mailboxes"),
                [query("domain", {"type": "string", "maxLength": 253}, "Only this domain")],
            )
        },
        "/mailboxes/{address}/warmup": {
            "get": operation(
                "Warmup sent / opens / replies per UTC day (never in campaign figures)",
                reply("Warmup"),
                [
                    *mailbox,
                    query(
                        "days",
                        {"type": "integer", "minimum": 1, "maximum": MAX_WARMUP_DAYS},
                        "Days back from today (30)",
                    ),
                ],
            )
        },
        "/summary": {
            "get": operation(
                "Every campaign of the tenant added up, with the rates of the sums; with a "
                "range, only campaigns whose activity (first to last event) overlaps it",
                reply("Summary"),
                [
                    query("start", MOMENT, "Range start (inclusive), ISO 8601"),
                    query("end", MOMENT, "Range end (exclusive), ISO 8601"),
                ],
            )
        },
        "/usage": {
            "get": operation(
                "Usage metering of one billing period",
                reply("Usage"),
                [
                    query(
                        "period",
                        {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
                        "YYYY-MM (default: the current UTC month)",
                    )
                ],
            )
        },
    }
