"""Domain figures and rollup rows to AnalyticsService response messages (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from emailtrack.v1 import analytics_pb2
from services.analytics.domain import (
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
) -> analytics_pb2.CampaignStats:
    f = campaign_figures(counters)
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
        reply_rate=f.reply_rate,
        rate_base=f.rate_base,
        filtered_unique_opens=f.filtered_unique_opens,
        filtered_unique_clicks=f.filtered_unique_clicks,
        mpp_recipients=f.mpp_recipients,
    )
    if activity is not None:
        stats.first_event_at.FromDatetime(activity.first_event_at)
        stats.last_event_at.FromDatetime(activity.last_event_at)
    return stats


def timeline_points(rows: Iterable[Sequence]) -> list[analytics_pb2.TimelinePoint]:
    """Rows are (bucket start, *timeline.CONDITIONS counts), a count being NULL when zero."""
    points = []
    for bucket, *raw in rows:
        counts = [n or 0 for n in raw]
        opens, clicks, (delivered, bounced, sent, deferred, unsubscribes, complaints) = (
            counts[0:5],
            counts[5:10],
            counts[10:16],
        )
        point = analytics_pb2.TimelinePoint(
            opens=_per_source(opens),
            clicks=_per_source(clicks),
            delivered=delivered,
            bounced=bounced,
            sent=sent,
            deferred=deferred,
            unsubscribes=unsubscribes,
            complaints=complaints,
        )
        point.bucket_start.FromDatetime(bucket)
        points.append(point)
    return points


def _per_source(counts: Sequence[int]) -> analytics_pb2.SourceCounts:
    """Counts in timeline.SOURCES order: human, proxy, scanner, bot, unclassified."""
    human, proxy, scanner, bot, unclassified = counts
    return analytics_pb2.SourceCounts(
        human=human,
        privacy_proxy=proxy,
        security_scanner=scanner,
        bot=bot,
        unclassified=unclassified,
        total=sum(counts),
    )


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
