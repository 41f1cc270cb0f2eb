"""Statistics rules (pure): rollup metric codes, unique counts from source masks, rates and
the Apple Mail Privacy Protection (MPP) adjusted open rate. See docs/analytics.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from emailtrack.v1 import events_pb2


class Metric(IntEnum):
    """Rollup metric codes; totals reuse the event type number."""

    OPEN = events_pb2.EVENT_TYPE_EMAIL_OPEN
    CLICK = events_pb2.EVENT_TYPE_EMAIL_CLICK
    UNSUBSCRIBE = events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE
    SENT = events_pb2.EVENT_TYPE_EMAIL_SENT
    DELIVERED = events_pb2.EVENT_TYPE_EMAIL_DELIVERED
    DEFERRED = events_pb2.EVENT_TYPE_EMAIL_DEFERRED
    HARD_BOUNCE = events_pb2.EVENT_TYPE_EMAIL_BOUNCE
    COMPLAINT = events_pb2.EVENT_TYPE_EMAIL_COMPLAINT
    REPLY = events_pb2.EVENT_TYPE_EMAIL_REPLY
    # A bounce whose type is soft or unspecified.
    SOFT_BOUNCE = 10
    # Number of (message, recipient[, link]) pairs per source mask (the `source` column).
    OPEN_MASK = 21
    CLICK_MASK = 22


# Event types kept once per (message, recipient) in ``firsts`` (with hits and first time).
PAIR_EVENT_TYPES = frozenset(
    {
        Metric.OPEN,
        Metric.CLICK,
        Metric.SENT,
        Metric.DELIVERED,
        Metric.HARD_BOUNCE,
        Metric.COMPLAINT,
        Metric.REPLY,
        Metric.UNSUBSCRIBE,
    }
)

HUMAN = events_pb2.HIT_SOURCE_HUMAN
PROXY = events_pb2.HIT_SOURCE_PRIVACY_PROXY
SCANNER = events_pb2.HIT_SOURCE_SECURITY_SCANNER
BOT = events_pb2.HIT_SOURCE_BOT
UNCLASSIFIED = events_pb2.HIT_SOURCE_UNSPECIFIED
MACHINE_BITS = (1 << SCANNER) | (1 << BOT)
# A mask bit of its own (no HitSource value) for privacy-proxy fetches made when the reader
# opens the message (Gmail, Yahoo and other webmail image proxies): they are reads. Apple Mail
# Privacy Protection prefetches every message on delivery, so its fetches keep the PROXY bit.
# The tracking edge names the fetch-on-read proxies "<name>_proxy" (gmail_image_proxy,
# yahoo_mail_proxy, microsoft_proxy, …); ingest gives those agents this bit, and every other
# privacy-proxy agent (apple_mpp, or none from an older producer) the PROXY bit.
PROXY_ON_READ = 8
ON_READ_PROXY_AGENT_SUFFIX = "_proxy"
PROXY_BITS = (1 << PROXY) | (1 << PROXY_ON_READ)
# Breakdown rows of human hits only are kept beside the rows of all hits, under the event type
# plus this offset (GetBreakdown reads them unless include_machine is set).
HUMAN_BREAKDOWN_KIND_OFFSET = 100


def has(mask: int, source: int) -> bool:
    return bool(mask & (1 << source))


@dataclass(frozen=True)
class BySource:
    """A count split by hit source (total includes every source)."""

    human: int = 0
    privacy_proxy: int = 0
    security_scanner: int = 0
    bot: int = 0
    unclassified: int = 0
    total: int = 0


def totals_by_source(counts: Mapping[int, int]) -> BySource:
    """``counts`` maps a source to a total number of events."""
    return BySource(
        human=counts.get(HUMAN, 0),
        privacy_proxy=counts.get(PROXY, 0),
        security_scanner=counts.get(SCANNER, 0),
        bot=counts.get(BOT, 0),
        unclassified=counts.get(UNCLASSIFIED, 0),
        total=sum(counts.values()),
    )


def uniques_by_source(masks: Mapping[int, int]) -> BySource:
    """``masks`` maps a source mask to the number of pairs seen from exactly those sources;
    a pair counts once in total and once in every source it was seen from."""

    def with_bit(source: int) -> int:
        return sum(n for mask, n in masks.items() if has(mask, source))

    return BySource(
        human=with_bit(HUMAN),
        privacy_proxy=sum(n for mask, n in masks.items() if mask & PROXY_BITS),
        security_scanner=with_bit(SCANNER),
        bot=with_bit(BOT),
        unclassified=with_bit(UNCLASSIFIED),
        total=sum(masks.values()),
    )


def filtered_unique(masks: Mapping[int, int], excluded: int = MACHINE_BITS) -> int:
    """Pairs seen from at least one source outside ``excluded`` (a mask: security scanners and
    bots always, and what the tenant's filter settings add)."""
    return sum(n for mask, n in masks.items() if mask & ~excluded)


def excluded_bits(exclude_mpp: bool, exclude_on_read: bool, exclude_unclassified: bool) -> int:
    """The sources a tenant's filtered opens and clicks leave out, as a mask."""
    bits = MACHINE_BITS
    if exclude_mpp:
        bits |= 1 << PROXY
    if exclude_on_read:
        bits |= 1 << PROXY_ON_READ
    if exclude_unclassified:
        bits |= 1 << UNCLASSIFIED
    return bits


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else 0.0


def _read(mask: int) -> bool:
    """A pair read by a person: a human open or an open through a fetch-on-read proxy."""
    return has(mask, HUMAN) or has(mask, PROXY_ON_READ)


# Machine sources of a pair's hits: Apple MPP prefetches, security scanners and bots.
MACHINE_SEEN_BITS = (1 << PROXY) | MACHINE_BITS


def pair_flags(mask: int) -> tuple[bool, bool]:
    """(read by a person, seen from a machine) for the source mask of one pair's hits."""
    return _read(mask), bool(mask & MACHINE_SEEN_BITS)


def mpp_adjusted_open_rate(open_masks: Mapping[int, int], base: int) -> float:
    """Read rate with Apple MPP prefetches replaced by an estimate.

    Opens through Gmail, Yahoo and other fetch-on-read proxies are reads. MPP recipients (a
    prefetching-proxy open) are assumed to read like the other recipients: the read rate of
    the non-MPP recipients is applied to them, but never fewer than the MPP recipients seen
    reading.
    """
    if base <= 0:
        return 0.0
    mpp = sum(n for mask, n in open_masks.items() if has(mask, PROXY))
    mpp_human = sum(n for mask, n in open_masks.items() if has(mask, PROXY) and _read(mask))
    other_human = sum(n for mask, n in open_masks.items() if _read(mask) and not has(mask, PROXY))
    others = base - mpp
    if others <= 0:
        return min(1.0, (other_human + mpp_human) / base)
    other_rate = min(1.0, other_human / others)
    estimated_mpp_openers = max(float(mpp_human), other_rate * mpp)
    return min(1.0, (other_human + estimated_mpp_openers) / base)


@dataclass(frozen=True)
class CampaignFigures:
    """What GetCampaignStats reports from the counters rollup (the figures of reply pairs,
    unique replies and reply rate, are set by ``segment_views.with_reply_timing``)."""

    sent: int
    delivered: int
    hard_bounced: int
    soft_bounced: int
    deferred: int
    unsubscribes: int
    complaints: int
    replies: int
    opens_total: BySource
    opens_unique: BySource
    clicks_total: BySource
    clicks_unique: BySource
    rate_base: int
    filtered_unique_opens: int
    filtered_unique_clicks: int
    mpp_recipients: int
    open_rate: float
    click_rate: float
    click_to_open_rate: float
    bounce_rate: float
    complaint_rate: float
    mpp_adjusted_open_rate: float


def campaign_figures(
    counters: Iterable[tuple[int, int, int]], excluded: int = MACHINE_BITS
) -> CampaignFigures:
    """``counters`` are (metric, source, n) rows of one campaign; ``excluded`` the sources
    the filtered figures leave out."""
    by_metric: dict[int, dict[int, int]] = {}
    for metric, source, n in counters:
        if n:
            by_metric.setdefault(metric, {})[source] = n

    def total(metric: Metric) -> int:
        return sum(by_metric.get(metric, {}).values())

    open_masks = by_metric.get(Metric.OPEN_MASK, {})
    click_masks = by_metric.get(Metric.CLICK_MASK, {})
    sent, delivered = total(Metric.SENT), total(Metric.DELIVERED)
    hard, soft = total(Metric.HARD_BOUNCE), total(Metric.SOFT_BOUNCE)
    base = delivered if delivered > 0 else sent
    f_opens = filtered_unique(open_masks, excluded)
    f_clicks = filtered_unique(click_masks, excluded)
    opens_unique = uniques_by_source(open_masks)
    return CampaignFigures(
        sent=sent,
        delivered=delivered,
        hard_bounced=hard,
        soft_bounced=soft,
        deferred=total(Metric.DEFERRED),
        unsubscribes=total(Metric.UNSUBSCRIBE),
        complaints=total(Metric.COMPLAINT),
        replies=total(Metric.REPLY),
        opens_total=totals_by_source(by_metric.get(Metric.OPEN, {})),
        opens_unique=opens_unique,
        clicks_total=totals_by_source(by_metric.get(Metric.CLICK, {})),
        clicks_unique=uniques_by_source(click_masks),
        rate_base=base,
        filtered_unique_opens=f_opens,
        filtered_unique_clicks=f_clicks,
        mpp_recipients=sum(n for mask, n in open_masks.items() if has(mask, PROXY)),
        open_rate=ratio(f_opens, base),
        click_rate=ratio(f_clicks, base),
        click_to_open_rate=ratio(f_clicks, f_opens),
        bounce_rate=ratio(hard + soft, sent),
        complaint_rate=ratio(total(Metric.COMPLAINT), base),
        mpp_adjusted_open_rate=mpp_adjusted_open_rate(open_masks, base),
    )
