"""Inspecting and re-driving the dead-letter topic: records a consumer could not process,
with where they came from and why."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC

from google.protobuf.message import DecodeError
from kafka import KafkaProducer, TopicPartition

from emailtrack.common.kafka_io import make_consumer
from emailtrack.common.topics import DEAD_LETTER, WEBHOOK_SOURCE_PREFIX
from emailtrack.v1 import events_pb2


@dataclass(frozen=True)
class DeadLetterEntry:
    offset: int
    partition: int
    letter: events_pb2.DeadLetter

    def summary(self) -> dict[str, object]:
        letter = self.letter
        return {
            "partition": self.partition,
            "offset": self.offset,
            "source_topic": letter.source_topic,
            "source_partition": letter.source_partition,
            "source_offset": letter.source_offset,
            "consumer_group": letter.consumer_group,
            "error": letter.error,
            "bytes": len(letter.value),
            "failed_at": letter.failed_at.ToDatetime(tzinfo=UTC).isoformat(),
        }


def read_dead_letters(
    bootstrap_servers: str, *, source_topic: str = "", group: str = "", timeout_ms: int = 3000
) -> Iterator[DeadLetterEntry]:
    """Every dead letter currently in the topic (optionally only one source topic or group),
    read from the beginning without joining a consumer group."""
    consumer = make_consumer(bootstrap_servers, None, consumer_timeout_ms=timeout_ms)
    try:
        partitions = consumer.partitions_for_topic(DEAD_LETTER) or set()
        assignment = [TopicPartition(DEAD_LETTER, p) for p in sorted(partitions)]
        if not assignment:
            return
        consumer.assign(assignment)
        consumer.seek_to_beginning(*assignment)
        end = consumer.end_offsets(assignment)
        remaining = {tp for tp in assignment if end[tp] > 0}
        for record in consumer:
            tp = TopicPartition(record.topic, record.partition)
            if record.offset + 1 >= end[tp]:
                remaining.discard(tp)
            try:
                letter = events_pb2.DeadLetter.FromString(record.value)
            except DecodeError:
                continue
            if (not source_topic or letter.source_topic == source_topic) and (
                not group or letter.consumer_group == group
            ):
                yield DeadLetterEntry(record.offset, record.partition, letter)
            if not remaining:
                return
    finally:
        consumer.close()


def redrivable(entry: DeadLetterEntry) -> bool:
    """False for ESP webhook events: they came from no topic (their value is the ESP's JSON)."""
    return not entry.letter.source_topic.startswith(WEBHOOK_SOURCE_PREFIX)


def redrive(
    bootstrap_servers: str,
    entries: list[DeadLetterEntry],
    *,
    target_topic: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Produces each entry's original record again to its source topic (or ``target_topic``);
    consumers are idempotent, so re-driving a record that later succeeded is harmless."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    try:
        for done, entry in enumerate(entries, start=1):
            letter = entry.letter
            producer.send(
                target_topic or letter.source_topic, key=letter.key or None, value=letter.value
            ).get(timeout=30)
            if on_progress:
                on_progress(done)
    finally:
        producer.close()
    return len(entries)
