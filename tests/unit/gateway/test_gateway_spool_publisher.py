"""HitPublisher with the spool, against a scripted producer: batches go to the spool when
Kafka fails, does not acknowledge in time, or the buffer overflows; the spool is replayed
when Kafka acknowledges again and every hit reaches it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafka.errors import KafkaTimeoutError

from emailtrack.v1 import events_pb2
from gateway.tracking.publisher import HitPublisher
from gateway.tracking.spool import Spool


@dataclass
class FakeFuture:
    outcome: str = "pending"  # "ok", "error" or "pending"

    @property
    def is_done(self) -> bool:
        return self.outcome != "pending"

    def succeeded(self) -> bool:
        return self.outcome == "ok"

    def failed(self) -> bool:
        return self.outcome == "error"

    @property
    def exception(self) -> Exception | None:
        return RuntimeError("broker said no") if self.failed() else None


@dataclass
class FakeProducer:
    """``mode``: "ok" acknowledges, "raise" fails in send, "silent" never acknowledges,
    "bug" raises an error that is no KafkaError."""

    mode: str = "ok"
    acknowledged: list[bytes] = field(default_factory=list)
    pending: list[tuple[FakeFuture, bytes]] = field(default_factory=list)

    def partitions_for(self, topic: str) -> set[int]:
        if self.mode == "raise":
            raise KafkaTimeoutError("no metadata")
        return {0}

    def send(self, topic: str, value: bytes, headers: object = None) -> FakeFuture:
        if self.mode == "raise":
            raise KafkaTimeoutError("broker gone")
        if self.mode == "bug":
            raise AssertionError("client bug")
        if self.mode == "silent":
            future = FakeFuture()
            self.pending.append((future, value))
            return future
        self.acknowledged.append(value)
        return FakeFuture("ok")

    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...

    def hit_ids(self) -> list[str]:
        return [
            hit.hit_id
            for value in self.acknowledged
            for hit in events_pb2.RawHitBatch.FromString(value).hits
        ]


def hit(n: int) -> events_pb2.RawHit:
    return events_pb2.RawHit(hit_id=f"h{n}")


def make(
    tmp_path: Path,
    producer: FakeProducer,
    new_producer: Callable[[], FakeProducer] | None = None,
    **options: float,
) -> HitPublisher:
    spool = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=256)
    publisher = HitPublisher(
        producer,
        spool,
        max_buffered=int(options.get("max_buffered", 1000)),
        flush_interval_s=0.005,
        max_batch=10,
        ack_deadline_s=options.get("deadline", 5.0),
        probe_interval_s=0.02,
        new_producer=new_producer,
        renew_after_s=options.get("renew_after", 30.0),
    )
    publisher.start()
    return publisher


def spooled_hit_ids(folder: Path) -> list[str]:
    """The hit ids a successor finds in the spool a closed publisher left in ``folder``."""
    successor = Spool(folder, max_bytes=1 << 20)
    successor.open()
    found = []
    while (segment := successor.oldest()) is not None:
        found += [
            h.hit_id for r in segment.records for h in events_pb2.RawHitBatch.FromString(r).hits
        ]
        successor.remove(segment)
    return found


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_healthy_kafka_gets_every_hit_and_the_spool_stays_empty(tmp_path: Path) -> None:
    producer = FakeProducer()
    publisher = make(tmp_path, producer)
    for n in range(55):
        assert publisher.submit(hit(n))
    wait_for(lambda: len(producer.hit_ids()) == 55)
    assert publisher.connected()
    assert publisher.spool.empty
    publisher.close()


def test_failed_sends_are_spooled_then_replayed_in_order(tmp_path: Path) -> None:
    producer = FakeProducer(mode="raise")
    publisher = make(tmp_path, producer)
    for n in range(100):
        assert publisher.submit(hit(n))
    wait_for(lambda: publisher.spool.bytes > 0 and not publisher._buffer)
    assert producer.acknowledged == []
    producer.mode = "ok"
    wait_for(lambda: publisher.spool.empty)
    assert sorted(set(producer.hit_ids())) == sorted(f"h{n}" for n in range(100))
    replayed = producer.hit_ids()
    assert replayed == sorted(replayed, key=lambda h: int(h[1:]))  # spool order kept
    publisher.close()


def test_batches_not_acknowledged_in_time_are_spooled(tmp_path: Path) -> None:
    producer = FakeProducer(mode="silent")
    publisher = make(tmp_path, producer, deadline=0.05)
    for n in range(30):
        publisher.submit(hit(n))
    wait_for(lambda: publisher.spool.bytes > 0)
    producer.mode = "ok"
    wait_for(lambda: publisher.spool.empty)
    assert set(producer.hit_ids()) == {f"h{n}" for n in range(30)}
    publisher.close()


def test_an_unexpected_error_spools_the_batch_and_the_thread_carries_on(tmp_path: Path) -> None:
    producer = FakeProducer(mode="bug")
    publisher = make(tmp_path, producer)
    for n in range(20):
        publisher.submit(hit(n))
    wait_for(lambda: publisher.spool.bytes > 0 and not publisher._buffer)
    producer.mode = "ok"
    for n in range(20, 25):
        publisher.submit(hit(n))
    wait_for(lambda: publisher.spool.empty and len(set(producer.hit_ids())) == 25)
    assert publisher._thread.is_alive()
    publisher.close()


def test_a_producer_that_never_acknowledges_is_replaced(tmp_path: Path) -> None:
    wedged, fresh = FakeProducer(mode="silent"), FakeProducer()
    publisher = make(tmp_path, wedged, new_producer=lambda: fresh, deadline=0.05, renew_after=0.2)
    for n in range(30):
        publisher.submit(hit(n))
    wait_for(lambda: set(fresh.hit_ids()) == {f"h{n}" for n in range(30)})
    assert publisher.producer is fresh
    wait_for(lambda: publisher.spool.empty)
    publisher.close()


def test_a_producer_is_not_replaced_while_it_acknowledges(tmp_path: Path) -> None:
    producer = FakeProducer()
    publisher = make(tmp_path, producer, new_producer=FakeProducer, renew_after=0.0)
    for n in range(30):
        publisher.submit(hit(n))
    wait_for(lambda: len(producer.hit_ids()) == 30)
    assert publisher.producer is producer
    publisher.close()


def test_hits_the_buffer_cannot_hold_go_to_the_spool(tmp_path: Path) -> None:
    producer = FakeProducer()
    publisher = make(tmp_path, producer, max_buffered=0)
    for n in range(5):
        assert publisher.submit(hit(n))
    assert publisher.spool.bytes > 0
    wait_for(lambda: publisher.spool.empty)
    assert sorted(producer.hit_ids()) == [f"h{n}" for n in range(5)]
    publisher.close()


def test_close_spools_what_kafka_has_not_acknowledged(tmp_path: Path) -> None:
    producer = FakeProducer(mode="silent")
    publisher = make(tmp_path, producer)
    for n in range(25):
        publisher.submit(hit(n))
    wait_for(lambda: len(producer.pending) == 3)
    publisher.close()
    assert sorted(spooled_hit_ids(tmp_path)) == sorted(f"h{n}" for n in range(25))


def test_close_spools_what_is_in_flight_even_when_the_last_round_fails(tmp_path: Path) -> None:
    producer = FakeProducer(mode="silent")
    publisher = make(tmp_path, producer)
    for n in range(25):
        publisher.submit(hit(n))
    wait_for(lambda: len(producer.pending) == 3)

    def disk_error() -> None:
        raise OSError("fsync failed")

    publisher.spool.sync_if_due = disk_error  # type: ignore[method-assign]  # the failing step
    publisher.close()
    assert sorted(spooled_hit_ids(tmp_path)) == sorted(f"h{n}" for n in range(25))


def test_not_ready_until_kafka_was_reached_then_ready_while_the_spool_has_room(
    tmp_path: Path,
) -> None:
    producer = FakeProducer(mode="raise")
    publisher = make(tmp_path, producer)
    time.sleep(0.05)
    assert not publisher.connected()
    producer.mode = "ok"
    wait_for(publisher.connected)
    producer.mode = "raise"
    publisher.submit(hit(1))
    wait_for(lambda: not publisher.spool.empty)
    assert publisher.connected()  # Kafka is down but the hits are safe on disk
    publisher.close()
