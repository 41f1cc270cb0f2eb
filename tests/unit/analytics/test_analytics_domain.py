"""Unique counts from source masks, rates and the MPP-adjusted open rate."""

from __future__ import annotations

import pytest

from services.analytics.domain import (
    BOT,
    HUMAN,
    PROXY,
    PROXY_ON_READ,
    SCANNER,
    UNCLASSIFIED,
    Metric,
    campaign_figures,
    excluded_bits,
    filtered_unique,
    mpp_adjusted_open_rate,
    uniques_by_source,
)


def mask(*sources: int) -> int:
    return sum(1 << s for s in set(sources))


def test_a_pair_counts_once_in_total_and_once_per_source() -> None:
    masks = {mask(PROXY, HUMAN): 2, mask(PROXY): 3, mask(SCANNER): 1, mask(BOT, HUMAN): 1}
    unique = uniques_by_source(masks)
    assert unique.total == 7
    assert (unique.human, unique.privacy_proxy, unique.security_scanner, unique.bot) == (3, 5, 1, 1)
    assert unique.unclassified == 0
    assert filtered_unique(masks) == 6  # the scanner-only pair is not an open


def test_rates_use_delivered_or_sent() -> None:
    rows = [
        (Metric.SENT, 0, 100),
        (Metric.DELIVERED, 0, 80),
        (Metric.HARD_BOUNCE, 0, 5),
        (Metric.SOFT_BOUNCE, 0, 15),
        (Metric.COMPLAINT, 0, 2),
        (Metric.OPEN, HUMAN, 50),
        (Metric.OPEN_MASK, mask(HUMAN), 40),
        (Metric.OPEN_MASK, mask(SCANNER), 10),
        (Metric.CLICK_MASK, mask(HUMAN), 10),
        (Metric.CLICK_MASK, mask(SCANNER), 30),
    ]
    f = campaign_figures(rows)
    assert (f.sent, f.delivered, f.hard_bounced, f.soft_bounced) == (100, 80, 5, 15)
    assert f.rate_base == 80
    assert f.open_rate == pytest.approx(40 / 80)
    assert f.click_rate == pytest.approx(10 / 80)
    assert f.click_to_open_rate == pytest.approx(10 / 40)
    assert f.bounce_rate == pytest.approx(20 / 100)
    assert f.complaint_rate == pytest.approx(2 / 80)
    without_delivery = campaign_figures([(Metric.SENT, 0, 10), (Metric.OPEN_MASK, 1 << HUMAN, 5)])
    assert without_delivery.rate_base == 10 and without_delivery.open_rate == 0.5


def test_empty_campaign_has_zero_rates() -> None:
    f = campaign_figures([])
    assert f.open_rate == f.click_to_open_rate == f.mpp_adjusted_open_rate == 0.0


def test_mpp_opens_are_replaced_by_the_rate_of_other_recipients() -> None:
    # 1000 delivered: 400 MPP recipients (50 also opened as humans elsewhere), and among the
    # 600 others 150 human openers -> 25 %, applied to the 400 MPP recipients -> 100.
    masks = {mask(PROXY): 350, mask(PROXY, HUMAN): 50, mask(HUMAN): 150, mask(SCANNER): 20}
    assert mpp_adjusted_open_rate(masks, 1000) == pytest.approx((150 + 100) / 1000)


def test_mpp_estimate_never_below_observed_human_opens() -> None:
    masks = {mask(PROXY, HUMAN): 300, mask(PROXY): 100, mask(HUMAN): 6}
    # others: 600, 1 % open -> 4 estimated, but 300 MPP recipients were seen opening
    assert mpp_adjusted_open_rate(masks, 1000) == pytest.approx((6 + 300) / 1000)


def test_mpp_estimate_when_every_recipient_uses_mpp() -> None:
    masks = {mask(PROXY): 90, mask(PROXY, HUMAN): 10}
    assert mpp_adjusted_open_rate(masks, 100) == pytest.approx(0.1)
    assert mpp_adjusted_open_rate({mask(UNCLASSIFIED): 3}, 0) == 0.0


def test_gmail_and_yahoo_proxy_opens_are_reads_not_mpp() -> None:
    # 100 delivered: 50 read through Gmail's proxy (fetched when opened), 10 other readers
    masks = {mask(PROXY_ON_READ): 50, mask(HUMAN): 10}
    assert mpp_adjusted_open_rate(masks, 100) == pytest.approx(0.6)
    figures = campaign_figures([(Metric.DELIVERED, HUMAN, 100), *mask_rows(masks)])
    assert figures.mpp_recipients == 0
    assert figures.opens_unique.privacy_proxy == 50


def test_apple_mpp_and_gmail_reads_together() -> None:
    # 1000 delivered: 400 Apple MPP, 300 Gmail reads, 60 human opens among the 600 others
    masks = {mask(PROXY): 400, mask(PROXY_ON_READ): 300, mask(HUMAN): 60}
    read_rate_others = (300 + 60) / 600
    expected = (360 + read_rate_others * 400) / 1000
    assert mpp_adjusted_open_rate(masks, 1000) == pytest.approx(expected)


def mask_rows(masks: dict[int, int]) -> list[tuple[int, int, int]]:
    return [(Metric.OPEN_MASK, m, n) for m, n in masks.items()]


def test_tenant_exclusions_add_to_scanners_and_bots() -> None:
    masks = {mask(HUMAN): 5, mask(PROXY): 4, mask(PROXY_ON_READ): 3, mask(UNCLASSIFIED): 2}
    masks |= {mask(SCANNER): 9, mask(PROXY, HUMAN): 1}
    assert filtered_unique(masks) == 15
    assert filtered_unique(masks, excluded_bits(True, False, False)) == 11
    assert filtered_unique(masks, excluded_bits(True, True, True)) == 6
    figures = campaign_figures(mask_rows(masks), excluded_bits(False, True, False))
    assert figures.filtered_unique_opens == 12
