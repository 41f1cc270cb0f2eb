"""Crash a consumer with SIGKILL in the middle of a load: after restart every acknowledged
hit is counted exactly once (at-least-once delivery + idempotent writes)."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from emailtrack.platform.supervisor import Platform
from tests.faults.load import PixelLoad, pixel_urls, settle

pytestmark = pytest.mark.faults

HITS = 1500


@pytest.mark.parametrize("victim", ["tracking-edge", "analytics"])
def test_sigkill_consumer_mid_load_loses_and_duplicates_nothing(
    fault_platform: Platform, victim: str
) -> None:
    campaign = f"crash-{victim}-{uuid.uuid4().hex[:6]}"
    load = PixelLoad(pixel_urls(fault_platform, campaign, 50), HITS)
    load.start()
    while load.acknowledged < HITS // 3:
        time.sleep(0.01)
    fault_platform.signal_component(victim, signal.SIGKILL)
    time.sleep(0.5)
    fault_platform.restart_component(victim)
    load.join()
    assert load.failed == 0
    assert settle(fault_platform, campaign, HITS) == HITS


def test_sigterm_gateway_under_load_drains_every_acknowledged_hit(
    fault_platform: Platform,
) -> None:
    campaign = f"drain-{uuid.uuid4().hex[:6]}"
    load = PixelLoad(pixel_urls(fault_platform, campaign, 50), HITS)
    load.start()
    while load.acknowledged < HITS // 3:
        time.sleep(0.01)
    assert fault_platform.signal_component("gateway", signal.SIGTERM) == 0
    load.join()
    fault_platform.restart_component("gateway")
    assert load.acknowledged > HITS // 3
    assert settle(fault_platform, campaign, load.acknowledged) == load.acknowledged
