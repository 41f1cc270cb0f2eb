"""Hands hits to Kafka without ever making a request wait: requests append to a bounded
buffer; a background thread sends them as RawHitBatch records (many hits per record). A
batch that fails or is not acknowledged within the deadline goes to the on-disk spool, as
does any hit the buffer cannot hold; spooled segments are replayed, oldest first, when the
broker acknowledges again, and deleted only once every record in them was acknowledged.

The thread outlives anything a round can throw (an unexpected error is logged, counted and
the batch spooled: a dead publisher thread would keep answering 200 while losing every later
hit), and a producer that has acknowledged nothing for ``renew_after_s`` is replaced by a new
one (a wedged client must not hold the spool hostage once the broker is back)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from emailtrack.common import metrics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import context_from_trace, make_producer, trace_headers
from emailtrack.common.topics import RAW_HITS
from emailtrack.v1 import events_pb2
from gateway.tracking.spool import SealedSegment, Spool

log = logging.getLogger(__name__)


def make_hit_producer(settings: KafkaSettings, linger_ms: int = 10) -> KafkaProducer:
    """The shared at-least-once producer, except that ``send`` gives up after 500 ms instead
    of 60 s when the broker is gone: the publisher thread moves on to the spool (whose replays
    duplicate by design; hit ids absorb it downstream)."""
    return make_producer(settings, "gateway", linger_ms=linger_ms, max_block_ms=500)


@dataclass
class InFlight:
    future: FutureRecordMetadata
    payload: bytes
    hits: int
    sent_at: float


@dataclass
class Replay:
    segment: SealedSegment
    futures: list[FutureRecordMetadata]
    started_at: float


class HitPublisher:
    def __init__(
        self,
        producer: KafkaProducer,
        spool: Spool,
        *,
        max_buffered: int,
        flush_interval_s: float,
        max_batch: int,
        ack_deadline_s: float = 5.0,
        probe_interval_s: float = 1.0,
        new_producer: Callable[[], KafkaProducer] | None = None,
        renew_after_s: float = 30.0,
    ) -> None:
        self.producer = producer
        self.new_producer = new_producer
        self.renew_after_s = renew_after_s
        self.spool = spool
        # series exist (at 0) from the start, also in multiprocess mode where only used
        # label sets are exported
        metrics.KAFKA_PRODUCED.labels(RAW_HITS)
        metrics.KAFKA_PRODUCE_ERRORS.labels(RAW_HITS)
        self.max_buffered = max_buffered
        self.flush_interval_s = flush_interval_s
        self.max_batch = max_batch
        self.ack_deadline_s = ack_deadline_s
        self.probe_interval_s = probe_interval_s
        self._buffer: deque[events_pb2.RawHit] = deque()
        self._in_flight: list[InFlight] = []
        self._replay: Replay | None = None
        self._healthy = True  # send live batches to Kafka (else straight to the spool)
        self._down_since = 0.0  # when the current outage began (monotonic)
        self._last_probe = 0.0
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._kafka_ok = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hit-publisher", daemon=True)

    def start(self) -> None:
        self.spool.open()
        self._thread.start()

    def submit(self, hit: events_pb2.RawHit) -> bool:
        """Queues a hit; never blocks on Kafka. A hit the buffer cannot hold is appended to
        the spool; False only when the spool is full too (the hit is counted as dropped)."""
        if len(self._buffer) < self.max_buffered:
            self._buffer.append(hit)
            if len(self._buffer) >= self.max_batch:
                self._wakeup.set()
            return True
        return self.spool.append(events_pb2.RawHitBatch(hits=[hit]).SerializeToString(), 1)

    def _take_batch(self) -> list[events_pb2.RawHit]:
        batch: list[events_pb2.RawHit] = []
        while self._buffer and len(batch) < self.max_batch:
            batch.append(self._buffer.popleft())
        return batch

    def _run(self) -> None:
        while True:
            self._wakeup.wait(self.flush_interval_s)
            self._wakeup.clear()
            stopping = self._stopping.is_set()
            self._guarded(self._round)
            if stopping:
                self._guarded(self._drain)  # runs even when the last round failed
                return

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except Exception:  # the thread must survive to keep hits safe
            log.exception("hit publisher step failed; carrying on")
            metrics.KAFKA_PRODUCE_ERRORS.labels(RAW_HITS).inc()

    def _round(self) -> None:
        if not self._kafka_ok.is_set():
            self._probe_metadata()
        while batch := self._take_batch():
            self._dispatch(batch)
        metrics.BUFFERED_HITS.set(len(self._buffer))
        self._reap(give_up=False)
        self._replay_step()
        self._renew_if_wedged()
        self.spool.sync_if_due()

    def _probe_metadata(self) -> None:
        """Readiness: the raw-hits topic's metadata, fetched once (at most every probe)."""
        now = time.monotonic()
        if now - self._last_probe < self.probe_interval_s:
            return
        self._last_probe = now
        try:
            self.producer.partitions_for(RAW_HITS)
        except KafkaError as exc:
            log.warning("no Kafka metadata for %s yet: %s", RAW_HITS, exc)
            return
        self._kafka_ok.set()

    def _send(self, payload: bytes, first_hit: events_pb2.RawHit) -> FutureRecordMetadata:
        headers = trace_headers(context_from_trace(first_hit.trace))
        return self.producer.send(RAW_HITS, value=payload, headers=headers)

    def _dispatch(self, batch: list[events_pb2.RawHit]) -> None:
        payload = events_pb2.RawHitBatch(hits=batch).SerializeToString()
        if self._healthy:
            try:
                future = self._send(payload, batch[0])
            except Exception as exc:  # any failure: the batch goes to the spool
                self._mark_down(f"send failed: {exc!r}")
            else:
                self._in_flight.append(InFlight(future, payload, len(batch), time.monotonic()))
                metrics.KAFKA_PRODUCED.labels(RAW_HITS).inc(len(batch))
                return
        self.spool.append(payload, len(batch))

    def _reap(self, *, give_up: bool) -> None:
        """Forgets acknowledged batches; spools failed ones, those past the deadline and,
        with ``give_up``, every one not acknowledged yet (a late ack only duplicates)."""
        now = time.monotonic()
        pending: list[InFlight] = []
        for sent in self._in_flight:
            if sent.future.is_done and sent.future.succeeded():
                self._mark_up()
                continue
            if sent.future.is_done:
                self._mark_down(f"{sent.hits} hits not produced: {sent.future.exception}")
            elif give_up or now - sent.sent_at > self.ack_deadline_s:
                self._mark_down(f"{sent.hits} hits not acknowledged in time")
            else:
                pending.append(sent)
                continue
            self.spool.append(sent.payload, sent.hits)
        self._in_flight = pending

    def _replay_step(self) -> None:
        """Sends the oldest spool segment once the broker acknowledges (or, while it does
        not, once per probe interval) and deletes it when every record is acknowledged."""
        if self._replay is not None:
            self._check_replay()
            return
        now = time.monotonic()
        if self.spool.empty or (
            not self._healthy and now - self._last_probe < self.probe_interval_s
        ):
            return
        self._last_probe = now
        segment = self.spool.oldest()
        if segment is None:
            return
        try:
            futures = [self.producer.send(RAW_HITS, value=record) for record in segment.records]
        except Exception as exc:  # the segment stays in the spool
            self._mark_down(f"replay failed: {exc!r}")
            return
        self._replay = Replay(segment, futures, now)

    def _check_replay(self) -> None:
        replay = self._replay
        assert replay is not None
        if all(f.is_done and f.succeeded() for f in replay.futures):
            self.spool.remove(replay.segment)
            self._replay = None
            self._mark_up()
        elif (
            any(f.failed() for f in replay.futures)
            or time.monotonic() - replay.started_at > self.ack_deadline_s
        ):
            self._replay = None
            self._mark_down(f"replay of {replay.segment.path.name} not acknowledged")

    def _mark_up(self) -> None:
        if not self._healthy:
            log.warning("Kafka acknowledges again: sending live hits and replaying the spool")
        self._healthy = True
        self._kafka_ok.set()

    def _renew_if_wedged(self) -> None:
        """Replaces the producer when it has acknowledged nothing for ``renew_after_s``:
        whatever it still holds is spooled (a late acknowledgement would only duplicate)."""
        if (
            self._healthy
            or self.new_producer is None
            or time.monotonic() - self._down_since < self.renew_after_s
        ):
            return
        log.error("no acknowledgement for %.0f s: replacing the Kafka producer", self.renew_after_s)
        self._down_since = time.monotonic()  # the next attempt waits as long, whatever happens
        self._reap(give_up=True)
        self._replay = None  # its segment stays in the spool and is replayed again
        old, self.producer = self.producer, self.new_producer()
        try:
            old.close(timeout=0)
        except Exception as exc:  # the old client is dropped whatever it says
            log.warning("closing the replaced producer: %r", exc)

    def _mark_down(self, reason: str) -> None:
        if self._healthy:
            log.error("Kafka unavailable (%s): hits go to the spool at %s", reason, self.spool.root)
            self._down_since = time.monotonic()
        self._healthy = False
        self._last_probe = time.monotonic()
        metrics.KAFKA_PRODUCE_ERRORS.labels(RAW_HITS).inc()

    def _drain(self) -> None:
        """On shutdown: waits a little for acknowledgements, spools whatever has none."""
        if self._healthy and (self._in_flight or self._replay):
            try:
                self.producer.flush(timeout=self.ack_deadline_s)
            except KafkaError as exc:
                log.error("flush on shutdown failed: %s", exc)
        self._reap(give_up=True)
        if self._replay is not None:
            self._check_replay()  # an unacknowledged segment simply stays in the spool

    def connected(self) -> bool:
        """Readiness: Kafka was reached once, and hits are safe — the broker acknowledges,
        or the spool still has room for them."""
        return self._kafka_ok.is_set() and (self._healthy or not self.spool.full)

    def close(self) -> None:
        """Sends (or spools) everything still buffered, then stops; the spool is kept."""
        self._stopping.set()
        self._wakeup.set()
        self._thread.join(timeout=30)
        while batch := self._take_batch():  # submitted after the thread's last round
            self.spool.append(events_pb2.RawHitBatch(hits=batch).SerializeToString(), len(batch))
        self.spool.close()
        self.producer.close(timeout=5 if self._healthy else 0)
