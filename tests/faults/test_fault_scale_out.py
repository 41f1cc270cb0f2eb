"""Scale-out under faults: two processes of the gateway and of every service, so each
consumer group shares the topics' partitions between two replicas; a pixel load spread over
both gateways; mid-load, one replica of the tracking edge and one of analytics are killed
with SIGKILL and restarted (consumer-group rebalances while records are in flight). Every
acknowledged hit is counted exactly once, both replicas of each hit consumer did work, and
the two analytics writers never deadlocked."""

from __future__ import annotations

import signal
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from emailtrack.common import topics
from emailtrack.platform import components
from emailtrack.platform.supervisor import Platform
from tests.faults.load import PixelLoad, pixel_urls, raw_hit_ids, settle

pytestmark = pytest.mark.faults

HITS = 3000
# the consumers whose replicas the hits go through, with the topic each one's hits arrive on
HIT_CONSUMERS = {"tracking-edge": topics.RAW_HITS, "analytics": topics.ENGAGEMENT_EVENTS}
VICTIMS = ("tracking-edge-2", "analytics")


@pytest.fixture(scope="module")
def scaled_platform(fault_platform: Platform) -> Iterator[Platform]:
    for component in components.ALL:
        fault_platform.start_replica(component.name)
    fault_platform.wait_ready(120)
    yield fault_platform


def metrics_port(platform: Platform, name: str) -> int:
    if replica := platform.replicas.get(name):
        return replica.metrics_port
    return platform.ports[f"{name}-metrics"]


def samples(platform: Platform, name: str, family_name: str) -> list[tuple[dict, float]]:
    """The (labels, value) samples of one metric family of the process ``name``."""
    url = f"http://127.0.0.1:{metrics_port(platform, name)}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        exposition = response.read().decode()
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(exposition)
        if family.name == family_name
        for sample in family.samples
        if not sample.name.endswith("_created")
    ]


def consumed(platform: Platform, name: str, topic: str) -> float:
    """Records of ``topic`` the process ``name`` has processed and committed (its metrics)."""
    return sum(
        value
        for labels, value in samples(platform, name, "emailtrack_consumed_records")
        if labels.get("topic") == topic
    )


def loss_report(platform: Platform, campaign: str) -> str:
    """Where the hits of a short count stopped: the distinct hit ids in the raw-hits topic
    and, per gateway, what it handed to Kafka, failed to, and holds in its spool."""
    lines = [f"raw-hits topic: {len(set(raw_hit_ids(platform.bootstrap_servers, campaign)))} ids"]
    for gateway in ("gateway", "gateway-2"):
        figures = {
            family: sum(value for _, value in samples(platform, gateway, family))
            for family in (
                "emailtrack_kafka_produced",
                "emailtrack_kafka_produce_errors",
                "emailtrack_gateway_buffered_hits",
                "emailtrack_spool_bytes",
                "emailtrack_spool_replayed",
            )
        }
        log_path = platform.options.state_dir / "logs" / f"{gateway}.log"
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        lines += [f"{gateway}: {figures}", *(f"  | {line}" for line in tail)]
    return "\n".join(lines)


def idle_replicas(platform: Platform, timeout_s: float) -> list[str]:
    """The processes of the hit consumers that have processed no hits yet, after waiting up
    to ``timeout_s`` for all of them to have done some."""
    names = [(name, topic) for name, topic in HIT_CONSUMERS.items()]
    names += [(f"{name}-2", topic) for name, topic in HIT_CONSUMERS.items()]
    deadline = time.monotonic() + timeout_s
    while (idle := [n for n, topic in names if consumed(platform, n, topic) == 0]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    return idle


def warm_up(platform: Platform, rounds: int = 6) -> None:
    """Small loads until both processes of every hit consumer own partitions and did work
    (which partitions a record lands on is the producers' choice)."""
    for _ in range(rounds):
        load = PixelLoad(spread_urls(platform, f"warm-{uuid.uuid4().hex[:6]}"), 200)
        load.start()
        load.join()
        if not (idle := idle_replicas(platform, timeout_s=10)):
            return
    raise AssertionError(f"replicas that processed no hits: {idle}")


def analytics_deadlocks(platform: Platform) -> int:
    engine = create_engine(platform.database_url("emailtrack_analytics"))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_force_next_flush()"))
            return int(
                connection.execute(
                    text(
                        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def spread_urls(platform: Platform, campaign: str) -> list[str]:
    """Pixel URLs of the campaign, every other one through the second gateway."""
    second_gateway = f"http://127.0.0.1:{platform.replicas['gateway-2'].port}"
    return [
        url.replace(platform.gateway_url, second_gateway) if i % 2 else url
        for i, url in enumerate(pixel_urls(platform, campaign, 60))
    ]


def test_two_replicas_of_everything_with_rebalances_count_every_hit_once(
    scaled_platform: Platform,
) -> None:
    platform = scaled_platform
    warm_up(platform)

    campaign = f"scale-{uuid.uuid4().hex[:6]}"
    deadlocks_before = analytics_deadlocks(platform)
    load = PixelLoad(spread_urls(platform, campaign), HITS)
    load.start()
    while load.acknowledged < HITS // 3:
        time.sleep(0.01)
    for victim in VICTIMS:
        platform.signal_component(victim, signal.SIGKILL)
    time.sleep(0.5)
    platform.restart_component(*VICTIMS)
    load.join()
    assert load.failed == 0
    counted = settle(platform, campaign, HITS)
    assert counted == HITS, f"{counted} of {HITS} hits counted\n{loss_report(platform, campaign)}"
    assert analytics_deadlocks(platform) == deadlocks_before
