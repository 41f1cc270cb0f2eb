"""Replay: empty every analytics table and re-consume the event topics from the earliest
offset (or the first offset at a timestamp) up to the high-water marks captured at start,
with a progress bar. Writes are the live ones (idempotent), so the live consumer may keep
running meanwhile."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import InvalidMessage, PoisonPart
from emailtrack.common.kafka_io import make_consumer
from services.analytics.codec import Item
from services.analytics.consumer import EventIngestHandler, decode_record
from services.analytics.store import AnalyticsStore

log = logging.getLogger(__name__)

GROUP = "analytics-replay"


@dataclass(frozen=True)
class ReplayResult:
    records: int
    events: int
    skipped_records: int  # records that are not an EventBatch
    skipped_events: int  # events of readable records that violate the contract
    seconds: float


def _start_offsets(
    consumer: KafkaConsumer, partitions: list[TopicPartition], since: datetime | None
) -> dict[TopicPartition, int]:
    if since is None:
        return dict(consumer.beginning_offsets(partitions))
    ends = consumer.end_offsets(partitions)
    found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
    return {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in partitions}


def _caught_up(
    consumer: KafkaConsumer,
    pending: set[TopicPartition],
    ends: dict[TopicPartition, int],
    polled: dict,
    since_ms: int,
) -> list[TopicPartition]:
    """Partitions past their high-water mark whose last fetch brought nothing older than the
    replay's start. Some brokers (tansu) report the high-water mark of the last record batch
    rather than of its last record, so the mark alone is not trusted as the end."""
    done = []
    for tp in pending:
        if consumer.position(tp) < ends[tp]:
            continue
        fetched = polled.get(tp, [])
        if not fetched or min(r.timestamp for r in fetched) >= since_ms:
            done.append(tp)
    return done


def replay(
    kafka: KafkaSettings,
    topics: Sequence[str],
    store: AnalyticsStore,
    since: datetime | None = None,
    console: Console | None = None,
    max_records: int = 5000,
) -> ReplayResult:
    """Rebuilds the analytics tables from ``topics``; returns what was consumed."""
    handler = EventIngestHandler(store)
    consumer = make_consumer(kafka.bootstrap_servers, GROUP, max_poll_records=max_records)
    started = time.monotonic()
    since_ms = int(time.time() * 1000)
    records = events = skipped = skipped_events = 0
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        store.truncate_all()
        ends = consumer.end_offsets(partitions)
        starts = _start_offsets(consumer, partitions, since)
        for tp in partitions:
            consumer.seek(tp, starts[tp])
        pending = {tp for tp in partitions if starts[tp] < ends[tp]}
        progress = Progress(
            TextColumn("[bold]replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("records · {task.fields[events]} events · {task.fields[rate]} events/s"),
            TimeElapsedColumn(),
            console=console,
        )
        total = sum(ends[tp] - starts[tp] for tp in partitions)
        with progress:
            task = progress.add_task("replay", total=total, events=0, rate="0")
            while pending:
                polled = consumer.poll(timeout_ms=500)
                batch = [r for rs in polled.values() for r in rs]
                items: list[Item] = []
                for record in batch:
                    records_skipped, events_skipped = _collect(record, items)
                    skipped += records_skipped
                    skipped_events += events_skipped
                handler.handle(items)
                if polled:
                    consumer.commit()
                records += len(batch)
                events += len(items)
                pending.difference_update(_caught_up(consumer, pending, ends, polled, since_ms))
                rate = events / max(time.monotonic() - started, 1e-6)
                progress.update(
                    task,
                    total=max(total, records),
                    completed=records,
                    events=events,
                    rate=f"{rate:,.0f}",
                )
    finally:
        consumer.close(autocommit=False)
    return ReplayResult(records, events, skipped, skipped_events, time.monotonic() - started)


def _collect(record: ConsumerRecord, items: list[Item]) -> tuple[int, int]:
    """Adds the record's items to ``items``; (1, 0) when the record cannot be read, else
    (0, the number of its events that violate the contract), each one logged."""
    try:
        decoded = decode_record(record.value)
    except InvalidMessage as exc:
        log.warning("skipping %s@%d: %s", record.topic, record.offset, exc)
        return 1, 0
    poisoned = 0
    for part in decoded:
        if isinstance(part, PoisonPart):
            poisoned += 1
            log.warning("skipping an event of %s@%d: %s", record.topic, record.offset, part.error)
        else:
            items.append(part)
    return 0, poisoned
