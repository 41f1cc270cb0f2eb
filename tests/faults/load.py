"""A bounded pixel-hit load for the fault tests: N GETs from a few threads, counting the
hits the gateway acknowledged (HTTP 200)."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from emailtrack.common.grpc_server import client_channel
from emailtrack.common.topics import RAW_HITS
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    events_pb2,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

TENANT = "faults"


def pixel_urls(platform: Platform, campaign: str, messages: int) -> list[str]:
    with client_channel(
        f"127.0.0.1:{platform.ports['tracking-edge']}", api_key=platform.admin_key
    ) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        batch = stub.InstrumentMessages(
            tracking_edge_pb2.InstrumentMessagesRequest(
                messages=[
                    tracking_edge_pb2.MessageToInstrument(
                        tenant_id=TENANT,
                        campaign_id=campaign,
                        message_id=f"m-{i}-{uuid.uuid4().hex[:6]}",
                        recipient_id=f"r_{i}",
                        html="<html><body>hi</body></html>",
                    )
                    for i in range(messages)
                ]
            )
        )
    return [m.pixel_url for m in batch.messages]


def total_opens(platform: Platform, campaign: str) -> int:
    with client_channel(
        f"127.0.0.1:{platform.ports['analytics']}", api_key=platform.admin_key
    ) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        stats = stub.GetCampaignStats(
            analytics_pb2.GetCampaignStatsRequest(tenant_id=TENANT, campaign_id=campaign)
        ).stats
    return stats.opens.total.total


def settle(platform: Platform, campaign: str, expected: int, timeout_s: float = 60) -> int:
    """Waits until the count reaches ``expected``, then checks it stays there."""
    deadline = time.monotonic() + timeout_s
    count = total_opens(platform, campaign)
    while count < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        count = total_opens(platform, campaign)
    time.sleep(2)
    return total_opens(platform, campaign)


def raw_hits(bootstrap: str, campaign: str, timeout_s: float = 20.0) -> list[events_pb2.RawHit]:
    """The hits of ``campaign`` in the whole raw-hits topic (duplicates included)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(RAW_HITS, p) for p in consumer.partitions_for_topic(RAW_HITS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        found: list[events_pb2.RawHit] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, "could not read the raw-hits topic to its end"
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    batch = events_pb2.RawHitBatch.FromString(record.value)
                    found += [h for h in batch.hits if h.claims.campaign_id == campaign]
        return found
    finally:
        consumer.close()


def raw_hit_ids(bootstrap: str, campaign: str) -> list[str]:
    """The hit ids of ``campaign`` in the whole raw-hits topic (duplicates included)."""
    return [hit.hit_id for hit in raw_hits(bootstrap, campaign)]


@dataclass
class PixelLoad:
    urls: list[str]
    hits: int
    threads: int = 4
    acknowledged: int = 0
    failed: int = 0
    sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _next(self) -> int | None:
        with self._lock:
            if self.sent >= self.hits:
                return None
            self.sent += 1
            return self.sent

    def _work(self) -> None:
        while (n := self._next()) is not None:
            url = self.urls[n % len(self.urls)]
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            with self._lock:
                if ok:
                    self.acknowledged += 1
                else:
                    self.failed += 1

    def start(self) -> None:
        self._workers = [threading.Thread(target=self._work) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()

    def join(self) -> None:
        for worker in self._workers:
            worker.join()
