"""The broker dies before a load and a new one takes its place: every pixel is still served,
the hits wait in the gateway's on-disk spool, and once the new broker is up the spool is
replayed: every hit reaches Kafka and is counted exactly once.

tansu keeps its log in memory, so the broker is killed before the load (nothing is
outstanding in it) and the new one starts empty; its topics are created again the way
``emailtrack up`` creates them. The services ride out the outage: consumers and producers
reconnect to the new broker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.supervisor import Platform
from tests.faults.load import PixelLoad, pixel_urls, raw_hit_ids, total_opens

pytestmark = pytest.mark.faults

HITS = 1500


def spooled_segments(platform: Platform) -> int:
    return len(list(platform.spool_dir.glob("worker-*/*.seg")))


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_broker_killed_before_load_then_replaced(fault_platform: Platform) -> None:
    old = fault_platform.broker
    assert old is not None and old.process is not None
    campaign = f"broker-{uuid.uuid4().hex[:6]}"
    urls = pixel_urls(fault_platform, campaign, 50)
    old.process.kill()
    old.process.wait(10)

    load = PixelLoad(urls, HITS)
    load.start()
    load.join()
    assert (load.acknowledged, load.failed) == (HITS, 0)
    wait_until(lambda: spooled_segments(fault_platform) > 0, 15, "no hit reached the spool")

    new = TansuBroker(old.port, old.log_path)
    new.start()
    fault_platform.broker = new
    ensure_topics(KafkaSettings(new.bootstrap_servers, 2000))
    exited = [name for name, p in fault_platform.processes.items() if p.poll() is not None]
    assert exited == [], "components must ride out a broker outage"
    wait_until(lambda: spooled_segments(fault_platform) == 0, 20, "the spool did not drain")
    in_kafka = raw_hit_ids(new.bootstrap_servers, campaign)
    assert len(set(in_kafka)) == HITS  # every served hit once at least (replays may repeat)

    wait_until(lambda: total_opens(fault_platform, campaign) >= HITS, 30, "hits not counted")
    time.sleep(2)
    assert total_opens(fault_platform, campaign) == HITS
