"""A Kafka consumer loop: batch poll, decode, durable write, then commit; poison goes to the
dead-letter topic (bounded) — a whole record when it cannot be read at all, else only the
event (or hit) of it that violates the contract, never the others it was sent with —
transient write failures are retried in place. A selective handler is asked, once per poll,
which records it needs among those whose headers declare their contents (record_contents):
the others are committed past without being decoded (a poll that needed none of its records
is committed at most once per ``skipped_commit_interval_s`` and when the loop stops: nothing
was written, so re-reading them after a crash only skips them again); a record without such
headers is always decoded."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from google.protobuf.message import DecodeError, Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from emailtrack.common import metrics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import make_consumer, trace_headers
from emailtrack.common.record_contents import RecordContents, contents_of
from emailtrack.common.topics import DEAD_LETTER
from emailtrack.v1 import events_pb2

log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")
M = TypeVar("M", bound=Message)


class InvalidMessage(Exception):
    """A record that can never be processed (undecodable, violates the contract)."""


class DeadLetterLimitExceeded(RuntimeError):
    """Too many recent records were poison: most likely a bug, so stop rather than drain."""


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class PoisonPart:
    """One part of a record (an event of an EventBatch, a hit of a RawHitBatch) that can never
    be processed: dead-lettered alone, as a record value of its own the source topic accepts
    (a redrive replays just it), while the other parts of the record are processed."""

    value: bytes
    error: str


def parse_message(message_type: type[M], value: bytes) -> M:
    """Decodes a record's protobuf value; an undecodable one is poison (InvalidMessage)."""
    message = message_type()
    try:
        message.ParseFromString(value)
    except DecodeError as exc:
        raise InvalidMessage(f"not a {message_type.__name__}: {exc}") from exc
    return message


def event_batch(value: bytes) -> list[events_pb2.Event]:
    """The events of an EventBatch record value."""
    return list(parse_message(events_pb2.EventBatch, value).events)


def decode_each(
    parts: Iterable[P], decode_one: Callable[[P], Iterable[T]], alone: Callable[[P], bytes]
) -> list[T | PoisonPart]:
    """The items of every part of a record; a part ``decode_one`` refuses (InvalidMessage)
    becomes a PoisonPart holding ``alone(part)``, the part as a record value of its own."""
    decoded: list[T | PoisonPart] = []
    for part in parts:
        try:
            decoded.extend(decode_one(part))
        except InvalidMessage as exc:
            decoded.append(PoisonPart(alone(part), str(exc)))
    return decoded


def _event_alone(event: events_pb2.Event) -> bytes:
    return events_pb2.EventBatch(events=[event]).SerializeToString()


def decode_events(
    value: bytes, decode_one: Callable[[events_pb2.Event], Iterable[T]]
) -> list[T | PoisonPart]:
    """``decode_each`` over the events of an EventBatch record value."""
    return decode_each(event_batch(value), decode_one, _event_alone)


def only_items(decoded: Sequence[T | PoisonPart]) -> list[T]:
    """The items of a decoded record without its poison parts, for callers that hand records
    to a handler themselves (benchmarks, replays that count what they skip elsewhere)."""
    return [item for item in decoded if not isinstance(item, PoisonPart)]


class BatchHandler(Protocol[T]):
    def decode(self, record: Record) -> Sequence[T | PoisonPart]:
        """Turns one record into items, with a PoisonPart for each part of it that violates
        the contract; raises InvalidMessage when the record cannot be read at all."""

    def handle(self, items: list[T]) -> None:
        """Writes items durably (idempotently); raising means 'retry the whole batch'."""


@runtime_checkable
class SelectiveHandler(BatchHandler[T], Protocol[T]):
    """A handler that needs only some records, told apart by the contents their headers
    declare; it must answer True whenever it cannot be sure (a skipped record is gone)."""

    def wanted(self, declared: Sequence[RecordContents]) -> list[bool]:
        """For each record's declared contents, whether the record must be decoded."""


class ConsumerLoop(Generic[T]):
    """Runs a BatchHandler over topics for one consumer group until ``stop`` is set."""

    def __init__(
        self,
        settings: KafkaSettings,
        group_id: str,
        topics: Sequence[str],
        handler: BatchHandler[T],
        dead_letter_producer: KafkaProducer,
        *,
        max_records: int = 2000,
        poll_timeout_ms: int = 100,
        retry_backoff_s: float = 0.5,
        dead_letter_window: int = 1000,
        max_dead_letter_ratio: float = 0.5,
        skipped_commit_interval_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.group_id = group_id
        self.topics = list(topics)
        self.handler = handler
        self.dead_letter_producer = dead_letter_producer
        self.max_records = max_records
        self.poll_timeout_ms = poll_timeout_ms
        self.retry_backoff_s = retry_backoff_s
        self.max_dead_letter_ratio = max_dead_letter_ratio
        self._recent_outcomes: deque[bool] = deque(maxlen=dead_letter_window)
        self.skipped_commit_interval_s = skipped_commit_interval_s
        self._uncommitted: dict[TopicPartition, OffsetAndMetadata] = {}
        self._last_commit = time.monotonic()
        self.ready = threading.Event()

    def _new_consumer(self) -> KafkaConsumer:
        session = self.settings.session_timeout_ms
        return make_consumer(
            self.settings.bootstrap_servers,
            self.group_id,
            *self.topics,
            auto_offset_reset="earliest",
            session_timeout_ms=session,
            heartbeat_interval_ms=max(100, session // 4),
            max_poll_records=self.max_records,
            max_poll_interval_ms=600_000,
        )

    def _connect(self, stop: threading.Event) -> KafkaConsumer | None:
        """A consumer, once the broker answers (waits through outages until ``stop``)."""
        while not stop.is_set():
            try:
                return self._new_consumer()
            except KafkaError as exc:
                log.warning("%s: cannot reach Kafka (%s); retrying", self.group_id, exc)
                stop.wait(self.retry_backoff_s)
        return None

    def run(self, stop: threading.Event) -> None:
        consumer = self._connect(stop)
        if consumer is None:
            return
        try:
            while not stop.is_set():
                try:
                    polled = consumer.poll(timeout_ms=self.poll_timeout_ms)
                except KafkaError as exc:
                    # broker restarting or unreachable: the client reconnects on its own
                    log.warning("%s: poll failed (%s); retrying", self.group_id, exc)
                    stop.wait(self.retry_backoff_s)
                    continue
                if consumer.assignment():
                    self.ready.set()
                if polled and not self._take(consumer, polled, stop):
                    return
                since = time.monotonic() - self._last_commit
                if self._uncommitted and since >= self.skipped_commit_interval_s:
                    self._commit(consumer)
            # stopping: the records skipped since the last commit (bounded: the broker may be gone)
            self._commit(consumer, timeout_ms=5000)
        finally:
            consumer.close(autocommit=False)

    def _take(
        self,
        consumer: KafkaConsumer,
        polled: dict[TopicPartition, list[Any]],
        stop: threading.Event,
    ) -> bool:
        """Processes a poll's records and commits them once something was written (else
        later, with the next commit); False when ``stop`` came before the write succeeded."""
        records = [
            Record(r.topic, r.partition, r.offset, r.key, r.value, r.headers or [])
            for batch in polled.values()
            for r in batch
        ]
        decoded = self._process(records, stop)
        if decoded is None:
            return False
        self._uncommitted.update(self._offsets(records))
        if decoded:
            self._commit(consumer)
        self._report_lag(consumer)
        return True

    def _commit(self, consumer: KafkaConsumer, timeout_ms: int | None = None) -> None:
        """Commits the offsets processed since the last commit, of the partitions still
        assigned (another member may own the others by now)."""
        assigned = consumer.assignment()
        offsets = {tp: at for tp, at in self._uncommitted.items() if tp in assigned}
        self._uncommitted, self._last_commit = {}, time.monotonic()
        if not offsets:
            return
        try:
            consumer.commit(offsets, timeout_ms=timeout_ms)
        except KafkaError as exc:
            # the writes are durable and idempotent: the records will simply be seen again
            log.warning("%s: commit failed (%s); records may be redelivered", self.group_id, exc)

    def _needed(self, records: list[Record]) -> list[Record]:
        """The records to decode: all, unless the handler is selective and declines some
        whose headers declare their contents; when it cannot answer, all."""
        if not isinstance(self.handler, SelectiveHandler):
            return records
        contents = [contents_of(record.headers) for record in records]
        declared = [c for c in contents if c is not None]
        if not declared:
            return records
        try:
            verdicts = iter(self.handler.wanted(declared))
        except Exception:
            log.exception("%s: cannot tell which records are needed; decoding all", self.group_id)
            return records
        needed = [r for r, c in zip(records, contents, strict=True) if c is None or next(verdicts)]
        skipped = len(records) - len(needed)
        self._recent_outcomes.extend([True] * skipped)  # as clean as when decoded to nothing
        metrics.SKIPPED_RECORDS.labels(self.group_id).inc(skipped)
        return needed

    def _process(self, records: list[Record], stop: threading.Event) -> int | None:
        """Decodes the records the handler needs and writes their items; the number of
        records decoded, or None when ``stop`` came before the write succeeded."""
        items: list[T] = []
        poison: list[tuple[Record, PoisonPart]] = []
        needed = self._needed(records)
        for record in needed:
            try:
                decoded = self.handler.decode(record)
            except InvalidMessage as exc:
                poison.append((record, PoisonPart(record.value, str(exc))))
                self._recent_outcomes.append(False)
                continue
            clean = True
            for item in decoded:
                if isinstance(item, PoisonPart):
                    poison.append((record, item))
                    clean = False
                else:
                    items.append(item)
            self._recent_outcomes.append(clean)
        self._check_dead_letter_ratio()
        # a selective handler that needs none of the records has nothing to write
        if needed and not self._write(items, stop):
            return None
        for record, part in poison:
            self._dead_letter(record, part)
        metrics.CONSUMER_BATCH_SIZE.labels(self.group_id).observe(len(records))
        for record in records:
            metrics.CONSUMED_RECORDS.labels(record.topic, self.group_id).inc()
        return len(needed)

    def _write(self, items: list[T], stop: threading.Event) -> bool:
        """Hands items to the handler, retrying until it succeeds (True) or ``stop``."""
        while not stop.is_set():
            try:
                self.handler.handle(items)
                return True
            except Exception:
                log.exception("batch write failed; retrying in %.1fs", self.retry_backoff_s)
                stop.wait(self.retry_backoff_s)
        return False

    def _check_dead_letter_ratio(self) -> None:
        outcomes = self._recent_outcomes
        if len(outcomes) < 20:
            return
        bad = outcomes.count(False)
        if bad / len(outcomes) > self.max_dead_letter_ratio:
            raise DeadLetterLimitExceeded(
                f"{bad} of the last {len(outcomes)} records were invalid; refusing to drain"
            )

    def _dead_letter(self, record: Record, part: PoisonPart) -> None:
        letter = events_pb2.DeadLetter(
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            key=record.key or b"",
            value=part.value,
            error=part.error,
            consumer_group=self.group_id,
        )
        letter.failed_at.FromDatetime(datetime.now(UTC))
        log.warning(
            "dead-lettering %s from %s[%d]@%d: %s",
            "a record" if part.value is record.value else "a part",
            record.topic,
            record.partition,
            record.offset,
            part.error,
        )
        self.dead_letter_producer.send(
            DEAD_LETTER, key=record.key, value=letter.SerializeToString(), headers=trace_headers()
        ).get(timeout=30)
        metrics.DEAD_LETTERS.labels(self.group_id).inc()

    @staticmethod
    def _offsets(records: list[Record]) -> dict[TopicPartition, OffsetAndMetadata]:
        last: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            last[tp] = max(last.get(tp, -1), r.offset)
        return {tp: OffsetAndMetadata(offset + 1, "", -1) for tp, offset in last.items()}

    def _report_lag(self, consumer: KafkaConsumer) -> None:
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is not None:
                lag = max(0, end - consumer.position(tp))
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition), self.group_id).set(lag)
