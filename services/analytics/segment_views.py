"""Segment, variant-comparison, mailbox and warmup figures to response messages (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from emailtrack.v1 import analytics_pb2, events_pb2
from services.analytics import views
from services.analytics.domain import Metric, health, ratio
from services.analytics.domain.significance import Proportion, compare
from services.analytics.store.segments import ReplyTiming

# The hits of a pair are a total without a per-source split: kept under no named source.
NO_SOURCE = -1
HARD_BIT = 1 << events_pb2.BOUNCE_TYPE_HARD
MASK_METRICS: dict[int, Metric] = {Metric.OPEN: Metric.OPEN_MASK, Metric.CLICK: Metric.CLICK_MASK}


def pair_counters(rows: Iterable[tuple[int, int, int, int]]) -> list[tuple[int, int, int]]:
    """(kind, mask, pairs, hits) rows of ``firsts`` → (metric, source, n) counter rows as the
    campaign rollup holds them (uniques per mask exact, totals without source split). Replies
    are totals (reply events), as in the campaign rollup; their pairs are ``unique_replies``
    (``with_reply_timing``)."""
    counters: list[tuple[int, int, int]] = []
    for kind, mask, pairs, hits in rows:
        if kind in MASK_METRICS:
            counters.append((MASK_METRICS[kind], mask, pairs))
            counters.append((kind, NO_SOURCE, int(hits)))
        elif kind == Metric.REPLY:
            counters.append((kind, 0, int(hits)))
        elif kind == Metric.HARD_BOUNCE:
            metric = Metric.HARD_BOUNCE if mask & HARD_BIT else Metric.SOFT_BOUNCE
            counters.append((metric, 0, pairs))
        else:
            counters.append((kind, 0, pairs))
    return counters


def with_reply_timing(
    stats: analytics_pb2.CampaignStats, timing: ReplyTiming | None
) -> analytics_pb2.CampaignStats:
    """Sets the reply figures that come from (message, recipient) pairs: unique replies, the
    reply rate (recipients who replied over the rate base, like the open and click rates),
    first reply time and median time to it. ``None``: no reply."""
    stats.reply_rate = ratio(timing.replies if timing else 0, stats.rate_base)
    if timing is not None:
        stats.unique_replies = timing.replies
        stats.median_seconds_to_first_reply = timing.median_seconds
        if timing.first_reply_at is not None:
            stats.first_reply_at.FromDatetime(timing.first_reply_at)
    return stats


def segments(
    tenant_id: str,
    campaign_id: str,
    rows: Iterable[tuple[str, str, int, int, int, int]],
    timings: Mapping[tuple[str, str], ReplyTiming],
) -> list[analytics_pb2.SegmentStats]:
    grouped: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    for step, variant, kind, mask, pairs, hits in rows:
        grouped.setdefault((step, variant), []).append((kind, mask, pairs, hits))
    result = []
    for (step, variant), pair_rows in sorted(grouped.items()):
        stats = views.campaign_stats(tenant_id, campaign_id, pair_counters(pair_rows), None)
        # without timings (the variant comparison) the reply pairs still come from the rows
        reply_pairs = sum(p for kind, _, p, _ in pair_rows if kind == Metric.REPLY)
        replied = ReplyTiming(reply_pairs, None, 0.0)
        result.append(
            analytics_pb2.SegmentStats(
                sequence_step=step,
                variant=variant,
                stats=with_reply_timing(stats, timings.get((step, variant)) or replied),
            )
        )
    return result


def variant_comparison(
    segment_list: Sequence[analytics_pb2.SegmentStats], baseline: str, alpha: float
) -> analytics_pb2.GetVariantComparisonResponse:
    """Rates per variant; each variant against ``baseline`` (default: the most recipients)."""
    rates = []
    for segment in segment_list:
        s = segment.stats
        rates.append(
            analytics_pb2.VariantRates(
                variant=segment.variant,
                recipients=s.rate_base,
                opens=s.filtered_unique_opens,
                clicks=s.filtered_unique_clicks,
                replies=s.unique_replies,
                open_rate=s.open_rate,
                click_rate=s.click_rate,
                reply_rate=s.reply_rate,
            )
        )
    response = analytics_pb2.GetVariantComparisonResponse(variants=rates)
    if not rates:
        return response
    base = next((r for r in rates if r.variant == baseline), None)
    if base is None:
        base = max(rates, key=lambda r: (r.recipients, r.variant == "", r.variant))
    for other in rates:
        if other.variant == base.variant:
            continue
        for metric, a, b in (
            ("open", base.opens, other.opens),
            ("click", base.clicks, other.clicks),
            ("reply", base.replies, other.replies),
        ):
            result = compare(
                metric,
                base.variant or "(none)",
                other.variant or "(none)",
                Proportion(a, base.recipients),
                Proportion(b, other.recipients),
                alpha,
            )
            response.comparisons.append(
                analytics_pb2.MetricComparison(
                    metric=metric,
                    baseline_variant=base.variant,
                    variant=other.variant,
                    baseline_rate=Proportion(a, base.recipients).rate,
                    rate=Proportion(b, other.recipients).rate,
                    z=result.z,
                    p_value=result.p_value,
                    significant=result.significant,
                    verdict=result.verdict,
                    more_recipients_needed=result.more_recipients_needed,
                )
            )
    return response


def mailbox_stats(
    rows: Iterable[tuple[str, int, int, int]], wanted: Sequence[str]
) -> list[analytics_pb2.MailboxStats]:
    grouped = health.by_mailbox(rows)
    names = sorted(set(wanted) | set(grouped)) if not wanted else list(dict.fromkeys(wanted))
    result = []
    for name in names:
        f = health.mailbox_figures(name, grouped.get(name, []))
        score = health.health_score(f)
        result.append(
            analytics_pb2.MailboxStats(
                mailbox=name,
                sent=f.sent,
                delivered=f.delivered,
                bounced=f.bounced,
                complaints=f.complaints,
                opens=f.opens,
                clicks=f.clicks,
                replies=f.replies,
                bounce_rate=f.bounce_rate,
                complaint_rate=f.complaint_rate,
                open_rate=f.open_rate,
                reply_rate=f.reply_rate,
                health_score=score,
                health_band=health.band(score),
            )
        )
    return result


def warmup_days(rows: Iterable[tuple[date, int, int]]) -> list[analytics_pb2.WarmupDay]:
    days: dict[date, analytics_pb2.WarmupDay] = {}
    fields: dict[int, str] = {Metric.SENT: "sent", Metric.OPEN: "opens", Metric.REPLY: "replies"}
    for day, event_type, n in rows:
        entry = days.setdefault(day, analytics_pb2.WarmupDay(day=day.isoformat()))
        field = fields.get(event_type)
        if field:
            setattr(entry, field, getattr(entry, field) + n)
    return [days[d] for d in sorted(days)]
