"""Infrastructure outages in the middle of a load: PostgreSQL stopped and restarted, the
broker frozen (SIGSTOP) and resumed. After recovery every acknowledged hit is counted once.

tansu keeps its log in memory only, so killing it would lose records it had acknowledged: an
unreachable broker is simulated by freezing the process, which is what clients observe during
a network partition or a broker stall."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from emailtrack.platform.supervisor import Platform
from tests.faults.load import PixelLoad, pixel_urls
from tests.faults.test_fault_consumer_crash import HITS, settle

pytestmark = pytest.mark.faults


def test_postgres_restart_during_ingestion(fault_platform: Platform) -> None:
    assert fault_platform.postgres is not None
    campaign = f"pg-{uuid.uuid4().hex[:6]}"
    load = PixelLoad(pixel_urls(fault_platform, campaign, 50), HITS)
    load.start()
    while load.acknowledged < HITS // 3:
        time.sleep(0.01)
    fault_platform.postgres.stop()
    time.sleep(3)
    fault_platform.postgres.start()
    load.join()
    assert load.failed == 0
    assert settle(fault_platform, campaign, HITS, timeout_s=90) == HITS


def test_broker_frozen_during_load(fault_platform: Platform) -> None:
    assert fault_platform.broker is not None and fault_platform.broker.process is not None
    campaign = f"kafka-{uuid.uuid4().hex[:6]}"
    load = PixelLoad(pixel_urls(fault_platform, campaign, 50), HITS)
    load.start()
    while load.acknowledged < HITS // 3:
        time.sleep(0.01)
    broker = fault_platform.broker.process
    broker.send_signal(signal.SIGSTOP)
    try:
        time.sleep(5)
    finally:
        broker.send_signal(signal.SIGCONT)
    load.join()
    assert load.failed == 0
    assert settle(fault_platform, campaign, HITS, timeout_s=90) == HITS
