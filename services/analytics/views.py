"""Domain figures and rollup rows to AnalyticsService response messages (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from emailtrack.v1 import analytics_pb2
from services.analytics.domain import (
    MACHINE_BITS,
    BySource,
    Metric,
    campaign_figures,
    filtered_unique,
    totals_by_source,
    uniques_by_source,
)
from services.analytics.store import Activity


def source_counts(counts: BySource) -> analytics_pb2.SourceCounts:
    return analytics_pb2.SourceCounts(
        human=counts.human,
        privacy_proxy=counts.privacy_proxy,
        security_scanner=counts.security_scanner,
        bot=counts.bot,
        unclassified=counts.unclassified,
        total=counts.total,
    )


def campaign_stats(
    tenant_id: str,
    campaign_id: str,
    counters: Iterable[tuple[int, int, int]],
    activity: Activity | None,
    excluded: int = MACHINE_BITS,
) -> analytics_pb2.CampaignStats:
    f = campaign_figures(counters, excluded)
    stats = analytics_pb2.CampaignStats(
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        sent=f.sent,
        delivered=f.delivered,
        hard_bounced=f.hard_bounced,
        soft_bounced=f.soft_bounced,
        deferred=f.deferred,
        opens=analytics_pb2.EngagementCounts(
            unique=source_counts(f.opens_unique), total=source_counts(f.opens_total)
        ),
        clicks=analytics_pb2.EngagementCounts(
            unique=source_counts(f.clicks_unique), total=source_counts(f.clicks_total)
        ),
        unsubscribes=f.unsubscribes,
        complaints=f.complaints,
        replies=f.replies,
        open_rate=f.open_rate,
        click_rate=f.click_rate,
        click_to_open_rate=f.click_to_open_rate,
        bounce_rate=f.bounce_rate,
        complaint_rate=f.complaint_rate,
        mpp_adjusted_open_rate=f.mpp_adjusted_open_rate,
        rate_base=f.rate_base,
        filtered_unique_opens=f.filtered_unique_opens,
        filtered_unique_clicks=f.filtered_unique_clicks,
        mpp_recipients=f.mpp_recipients,
    )
    if activity is not None:
        stats.first_event_at.FromDatetime(activity.first_event_at)
        stats.last_event_at.FromDatetime(activity.last_event_at)
    return stats


def timeline_response(rows: Iterable[Sequence]) -> analytics_pb2.GetTimelineResponse:
    """Rows are (bucket start in Unix seconds, *time_rollups.COLUMNS counts). Built field by
    field on the response's own points: a one-day minute timeline has 1,440 of them."""
    response = analytics_pb2.GetTimelineResponse()
    add = response.points.add
    for row in rows:
        delivered, bounced, sent, deferred, unsubscribes, complaints = row[11:]
        point = add(
            delivered=delivered,
            bounced=bounced,
            sent=sent,
            deferred=deferred,
            unsubscribes=unsubscribes,
            complaints=complaints,
        )
        point.bucket_start.seconds = row[0]
        _by_source(point.opens, *row[1:6])
        _by_source(point.clicks, *row[6:11])
    return response


def _by_source(
    counts: analytics_pb2.SourceCounts, human: int, proxy: int, scanner: int, bot: int, other: int
) -> None:
    counts.human, counts.privacy_proxy, counts.security_scanner = human, proxy, scanner
    counts.bot, counts.unclassified = bot, other
    counts.total = human + proxy + scanner + bot + other


def top_links(
    rows: Iterable[tuple[str, int, int, int, int]], limit: int
) -> list[analytics_pb2.LinkStats]:
    """Rows are (url, link index, metric, source, n); ordered by filtered unique clicks."""
    links: dict[tuple[str, int], dict[int, dict[int, int]]] = {}
    for url, index, metric, source, n in rows:
        links.setdefault((url, index), {}).setdefault(metric, {})[source] = n
    ranked = sorted(
        links.items(),
        key=lambda item: (
            -filtered_unique(item[1].get(Metric.CLICK_MASK, {})),
            -sum(item[1].get(Metric.CLICK, {}).values()),
            item[0],
        ),
    )
    return [
        analytics_pb2.LinkStats(
            url=url,
            link_index=index,
            unique_clicks=source_counts(uniques_by_source(metrics.get(Metric.CLICK_MASK, {}))),
            total_clicks=source_counts(totals_by_source(metrics.get(Metric.CLICK, {}))),
        )
        for (url, index), metrics in ranked[:limit]
    ]


def breakdown_rows(rows: Iterable[tuple[str, int]]) -> list[analytics_pb2.BreakdownRow]:
    merged: dict[str, int] = {}
    for value, n in rows:
        key = value or "unknown"
        merged[key] = merged.get(key, 0) + n
    total = sum(merged.values())
    ordered = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return [
        analytics_pb2.BreakdownRow(value=value, count=n, share=n / total if total else 0.0)
        for value, n in ordered
    ]
