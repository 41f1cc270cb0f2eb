"""Protobuf replies as JSON-ready dictionaries, shared by the JSON API, the dashboard and the
CLI's ``--json`` output (one shape everywhere), plus address masking and CSV rows. Pure."""

from __future__ import annotations

from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.v1 import analytics_pb2, events_pb2, recipient_pb2

SOURCES = ("human", "privacy_proxy", "security_scanner", "bot", "unclassified", "total")
STATS_COUNTS = (
    "sent",
    "delivered",
    "hard_bounced",
    "soft_bounced",
    "deferred",
    "unsubscribes",
    "complaints",
    "rate_base",
    "filtered_unique_opens",
    "filtered_unique_clicks",
    "mpp_recipients",
    "unique_replies",
)
# Counts whose proto name does not say unique or total get a name that does in JSON.
STATS_RENAMED = {"total_replies": "replies"}
STATS_RATES = (
    "open_rate",
    "click_rate",
    "click_to_open_rate",
    "bounce_rate",
    "complaint_rate",
    "mpp_adjusted_open_rate",
    "reply_rate",
)
TIMELINE_COUNTS = ("sent", "delivered", "bounced", "deferred", "unsubscribes", "complaints")
TIMELINE_CSV_COLUMNS = (
    "bucket_start",
    *TIMELINE_COUNTS,
    *(f"opens_{s}" for s in SOURCES),
    *(f"clicks_{s}" for s in SOURCES),
)
RECIPIENT_STATUSES = {
    recipient_pb2.RECIPIENT_STATUS_ACTIVE: "active",
    recipient_pb2.RECIPIENT_STATUS_UNSUBSCRIBED: "unsubscribed",
    recipient_pb2.RECIPIENT_STATUS_BOUNCED: "bounced",
    recipient_pb2.RECIPIENT_STATUS_COMPLAINED: "complained",
    recipient_pb2.RECIPIENT_STATUS_SUPPRESSED: "suppressed",
}


def timestamp(value: Timestamp) -> str | None:
    """ISO 8601 UTC, or None for an unset timestamp."""
    if not value.seconds and not value.nanos:
        return None
    return value.ToDatetime().isoformat(timespec="milliseconds") + "Z"


def source_counts(counts: analytics_pb2.SourceCounts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in SOURCES}


def campaign_stats(stats: analytics_pb2.CampaignStats) -> dict[str, Any]:
    return {
        "campaign_id": stats.campaign_id,
        **{name: getattr(stats, name) for name in STATS_COUNTS},
        **{shown: getattr(stats, name) for shown, name in STATS_RENAMED.items()},
        "opens": {
            "unique": source_counts(stats.opens.unique),
            "total": source_counts(stats.opens.total),
        },
        "clicks": {
            "unique": source_counts(stats.clicks.unique),
            "total": source_counts(stats.clicks.total),
        },
        "rates": {
            name.removesuffix("_rate"): round(getattr(stats, name), 6) for name in STATS_RATES
        },
        "first_event_at": timestamp(stats.first_event_at),
        "last_event_at": timestamp(stats.last_event_at),
        "first_reply_at": timestamp(stats.first_reply_at),
        "median_seconds_to_first_reply": round(stats.median_seconds_to_first_reply, 3),
    }


def tenant_summary(
    reply: analytics_pb2.GetTenantSummaryResponse, request: analytics_pb2.GetTenantSummaryRequest
) -> dict[str, Any]:
    """GetTenantSummary as JSON: the range asked, the campaigns counted and their figures
    summed (``campaign_stats`` with an empty campaign id)."""
    return {
        "start": timestamp(request.start),
        "end": timestamp(request.end),
        "campaigns": reply.campaigns,
        "stats": campaign_stats(reply.stats),
    }


def timeline_point(point: analytics_pb2.TimelinePoint) -> dict[str, Any]:
    return {
        "bucket_start": timestamp(point.bucket_start),
        **{name: getattr(point, name) for name in TIMELINE_COUNTS},
        "opens": source_counts(point.opens),
        "clicks": source_counts(point.clicks),
    }


def timeline_csv_row(point: analytics_pb2.TimelinePoint) -> list[str | int]:
    """One CSV row in the order of ``TIMELINE_CSV_COLUMNS``."""
    return [
        timestamp(point.bucket_start) or "",
        *(getattr(point, name) for name in TIMELINE_COUNTS),
        *(getattr(point.opens, s) for s in SOURCES),
        *(getattr(point.clicks, s) for s in SOURCES),
    ]


def link(stats: analytics_pb2.LinkStats) -> dict[str, Any]:
    return {
        "url": stats.url,
        "link_index": stats.link_index,
        "unique_clicks": source_counts(stats.unique_clicks),
        "total_clicks": source_counts(stats.total_clicks),
    }


def breakdown_row(row: analytics_pb2.BreakdownRow) -> dict[str, Any]:
    return {"value": row.value, "count": row.count, "share": round(row.share, 6)}


def recipient(found: recipient_pb2.Recipient) -> dict[str, Any]:
    return {
        "email": found.email,
        "recipient_id": found.recipient_id,
        "status": RECIPIENT_STATUSES.get(found.status, "unknown"),
        "hard_bounces": found.hard_bounces,
        "soft_bounces": found.soft_bounces,
        "tracking_opt_out": found.tracking_opt_out,
        "first_seen_at": timestamp(found.first_seen_at),
        "last_seen_at": timestamp(found.last_seen_at),
    }


def engagement(summary: recipient_pb2.GetEngagementSummaryResponse) -> dict[str, Any]:
    return {
        "opens": summary.opens,
        "clicks": summary.clicks,
        "human_opens": summary.human_opens,
        "human_clicks": summary.human_clicks,
        "last_engagement_at": timestamp(summary.last_engagement_at),
    }


def mask_email(address: str) -> str:
    """``ada@example.com`` → ``a••@e••••••.com``: enough to tell addresses apart at a glance,
    not enough to read them. Anything that is not an address is masked whole."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "•" * min(len(address), 8)
    name, dot, suffix = domain.rpartition(".")
    if not dot:
        name, suffix = domain, ""

    def hide(text: str) -> str:
        return text[:1] + "•" * min(max(len(text) - 1, 2), 8)

    return f"{hide(local)}@{hide(name)}{dot}{suffix}"


def event_summary(event: events_pb2.Event) -> dict[str, Any]:
    """An activity-feed line: never an address in clear, never an IP address."""
    kind = events_pb2.EventType.Name(event.type).removeprefix("EVENT_TYPE_").lower()
    line: dict[str, Any] = {
        "event_id": event.event_id,
        "type": kind.removeprefix("email_"),
        "occurred_at": timestamp(event.occurred_at),
        "recipient": event.recipient_id[:10],
        "source": "",
        "detail": "",
        "why": "",
    }
    payload = event.WhichOneof("payload")
    if payload == "engagement":
        found = event.engagement
        source = events_pb2.HitSource.Name(found.classification.source)
        line["source"] = source.removeprefix("HIT_SOURCE_").lower().replace("unspecified", "")
        # the classifier's evidence (docs/classification.md), e.g. "ua_non_browser"
        line["why"] = ", ".join(found.classification.reasons)
        client = found.client
        line["detail"] = " · ".join(
            part
            for part in (found.link_url, client.email_client, client.device, client.country)
            if part
        )
    elif payload in ("delivery", "unsubscribe"):
        address = getattr(event, payload).address
        if address:
            line["recipient"] = mask_email(address)
        if payload == "delivery":
            line["detail"] = event.delivery.reason
    return line
