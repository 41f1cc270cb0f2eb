"""Campaign definitions, segments (sequence step / variant), variant comparisons, sending
mailboxes (registration, figures, health, warmup) and usage as JSON-ready dictionaries,
shared by the JSON API, the dashboard and the CLI's ``--json`` output. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from emailtrack.presentation.views import campaign_stats, timestamp
from emailtrack.v1 import analytics_pb2, campaign_pb2

STATUSES = {
    cast(campaign_pb2.CampaignStatus, value): name.removeprefix("CAMPAIGN_STATUS_").lower()
    for name, value in campaign_pb2.CampaignStatus.items()
    if value != campaign_pb2.CAMPAIGN_STATUS_UNSPECIFIED
}
STATUS_VALUES = {name: value for value, name in STATUSES.items()}
SEGMENT_DIMENSIONS = {
    "step": analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP,
    "variant": analytics_pb2.SEGMENT_DIMENSION_VARIANT,
    "step_variant": analytics_pb2.SEGMENT_DIMENSION_STEP_AND_VARIANT,
}
MAILBOX_COUNTS = ("sent", "delivered", "bounced", "complaints", "opens", "clicks", "replies")
MAILBOX_RATES = ("bounce_rate", "complaint_rate", "open_rate", "reply_rate")
USAGE_COUNTS = (
    "messages_registered",
    "emails_registered",
    "emails_sent",
    "recipients",
    "campaigns_created",
    "active_mailboxes",
    "tracked_events",
)
COMPARISON_FIELDS = ("metric", "baseline_variant", "variant", "significant", "verdict")
METRICS = ("open", "click", "reply")


def campaign(found: campaign_pb2.Campaign) -> dict[str, Any]:
    return {
        "campaign_id": found.campaign_id,
        "name": found.name,
        "template_id": found.template_id,
        "tags": list(found.tags),
        "status": STATUSES.get(found.status, "unspecified"),
        "steps": [
            {"step_id": s.step_id, "name": s.name, "delay_hours": s.delay_hours}
            for s in found.steps
        ],
        "variants": [
            {"variant_id": v.variant_id, "name": v.name, "weight": v.weight} for v in found.variants
        ],
        "created_at": timestamp(found.created_at),
        "updated_at": timestamp(found.updated_at),
    }


def segment(found: analytics_pb2.SegmentStats) -> dict[str, Any]:
    return {
        "sequence_step": found.sequence_step,
        "variant": found.variant,
        "stats": campaign_stats(found.stats),
    }


def variant_comparison(reply: analytics_pb2.GetVariantComparisonResponse) -> dict[str, Any]:
    return {
        "variants": [
            {
                "variant": v.variant,
                "recipients": v.recipients,
                "opens": v.opens,
                "clicks": v.clicks,
                "replies": v.replies,
                "rates": {m: round(getattr(v, f"{m}_rate"), 6) for m in METRICS},
            }
            for v in reply.variants
        ],
        "comparisons": [
            {
                **{name: getattr(c, name) for name in COMPARISON_FIELDS},
                "baseline_rate": round(c.baseline_rate, 6),
                "rate": round(c.rate, 6),
                "z": round(c.z, 4),
                "p_value": c.p_value,
                "more_recipients_needed": c.more_recipients_needed,
            }
            for c in reply.comparisons
        ],
    }


def headline(comparison: dict[str, Any]) -> dict[str, Any] | None:
    """The comparison to lead with: the click test (the usual goal of a subject/template
    test) when present, else the first one; None without comparisons."""
    found = comparison["comparisons"]
    return next((c for c in found if c["metric"] == "click"), found[0] if found else None)


def mailbox(found: campaign_pb2.Mailbox) -> dict[str, Any]:
    computed = found.health_score >= 0 and bool(found.health_band)
    return {
        "address": found.address,
        "domain": found.domain,
        "daily_limit": found.daily_limit,
        "warmup_enabled": found.warmup_enabled,
        "health_score": found.health_score if computed else None,
        "health_band": found.health_band if computed else None,
        "health_updated_at": timestamp(found.health_updated_at),
        "registered_at": timestamp(found.registered_at),
    }


def mailbox_stats(found: analytics_pb2.MailboxStats) -> dict[str, Any]:
    return {
        "mailbox": found.mailbox,
        **{name: getattr(found, name) for name in MAILBOX_COUNTS},
        "rates": {
            name.removesuffix("_rate"): round(getattr(found, name), 6) for name in MAILBOX_RATES
        },
        "health_score": found.health_score,
        "health_band": found.health_band,
    }


def mailbox_rows(
    registered: Iterable[campaign_pb2.Mailbox], figures: Iterable[analytics_pb2.MailboxStats]
) -> list[dict[str, Any]]:
    """Registered mailboxes with their current figures and health (computed now by analytics
    from the events; the score stored at the last refresh when analytics has no figures),
    then mailboxes seen only in events; ordered by address."""
    stats = {f.mailbox: mailbox_stats(f) for f in figures}
    rows = []
    for found in registered:
        row = {**mailbox(found), "registered": True, "stats": stats.pop(found.address, None)}
        if row["stats"] is not None:
            row["health_score"] = row["stats"]["health_score"]
            row["health_band"] = row["stats"]["health_band"]
        rows.append(row)
    for address, figures_only in stats.items():
        rows.append(
            {
                "address": address,
                "domain": address.rpartition("@")[2],
                "daily_limit": 0,
                "warmup_enabled": False,
                "health_score": figures_only["health_score"],
                "health_band": figures_only["health_band"],
                "health_updated_at": None,
                "registered_at": None,
                "registered": False,
                "stats": figures_only,
            }
        )
    return sorted(rows, key=lambda row: row["address"])


def warmup_days(reply: analytics_pb2.GetWarmupStatsResponse) -> dict[str, Any]:
    days = [
        {"day": d.day, "sent": d.sent, "opens": d.opens, "replies": d.replies} for d in reply.days
    ]
    totals = {
        name: sum(getattr(d, name) for d in reply.days) for name in ("sent", "opens", "replies")
    }
    return {"days": days, "totals": totals}


def usage(found: campaign_pb2.Usage) -> dict[str, Any]:
    return {
        "period": found.period,
        "period_start": timestamp(found.period_start),
        "period_end": timestamp(found.period_end),
        **{name: getattr(found, name) for name in USAGE_COUNTS},
    }
